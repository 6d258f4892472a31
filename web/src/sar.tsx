// Subject access requests on the desk: opening one from a person's page,
// and on the SAR case its clock (with the two-month extension a manager
// may give a complex request), the export's release after a confirmation,
// and the released zip to download again.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText, Service, User } from './ui';

type SarState = {
  case_id: number; person_id: number; extended: boolean; due_at: string | null; reply_state: string | null;
  export: { attachment_id: number; href: string; released_at: string } | null;
  may_release: boolean; may_extend: boolean;
};

// "Subject access request" on a person's page: opens a SAR case for them
// on a service whose charter has the statutory clock.
export function SarRequest({ person, user }: { person: { id: number; name: string; email?: string | null }; user?: User }) {
  const [open, setOpen] = useState(false);
  const [services, setServices] = useState<Service[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [form, setForm] = useState({ service: '', channel: 'email' });
  const [problem, setProblem] = useState<Problem>();
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (!open) return;
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => {
      if (!r.ok) return;
      // Only a service whose charter promises a subject access reply gives
      // the case its statutory clock.
      const answering = r.data.services.filter((s) => (s.promised_kinds ?? []).includes('sar'));
      setServices(answering);
      setLoaded(true);
      setForm((f) => (f.service ? f : { ...f, service: answering[0]?.service ?? '' }));
    });
  }, [open]);
  useLayoutEffect(() => { if (open) first.current?.focus(); }, [open]);
  async function submit(e: Event) {
    e.preventDefault();
    const requester: Record<string, string> = { name: person.name };
    if (person.email) requester.email = person.email;
    const r = await api<{ id: number }>('POST', '/api/v1/cases', {
      service: form.service, kind: 'sar', channel: form.channel,
      subject: `Subject access request from ${person.name}`, requester,
    });
    if (!r.ok) {
      setProblem(r.problem);
      first.current?.focus();
      return;
    }
    location.hash = `#/cases/${r.data.id}`;
  }
  return (
    <section aria-labelledby="sar-open">
      <h2 id="sar-open">Subject access</h2>
      {user && user.role !== 'officer' && (
        <p><a href={`/api/v1/people/${person.id}/export`} download>Preview everything held about {person.name} (zip)</a></p>
      )}
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>Subject access request</button>
      ) : loaded && services.length === 0 ? (
        <p class="notice" role="status">None of your services' charters promises a reply to a subject access request,
          so a case opened here would have no clock. Ask an administrator to add the subject access promise to the
          charter of the service that answers these requests.</p>
      ) : (
        <form onSubmit={submit} aria-label={`Open a subject access request for ${person.name}`}>
          <ProblemText problem={problem} />
          <label for="sar-service">Service that answers it</label>
          <select id="sar-service" ref={first} value={form.service}
            onChange={(e) => setForm({ ...form, service: (e.target as HTMLSelectElement).value })}>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select>
          <label for="sar-channel">How the request came</label>
          <select id="sar-channel" value={form.channel}
            onChange={(e) => setForm({ ...form, channel: (e.target as HTMLSelectElement).value })}>
            <option value="email">Email</option>
            <option value="letter">Letter</option>
            <option value="web">Web form</option>
            <option value="phone">Phone</option>
            <option value="in-person">In person</option>
          </select>
          <p>The law gives one calendar month from when the request arrived; the case keeps that clock.</p>
          <button type="submit">Open the subject access request</button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>Cancel</button>
        </form>
      )}
    </section>
  );
}

// The SAR panel on a case page: the due date, extension and release.
export function SarPanel({ c, onChanged }: { c: { id: number; kind: string; version: number; status: string }; onChanged: () => Promise<unknown> | void }) {
  const [state, setState] = useState<SarState>();
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0); // only the latest answer draws
  const yes = useRef<HTMLButtonElement>(null);
  const isSar = c.kind === 'sar';
  async function load() {
    const mine = ++latest.current;
    const r = await api<SarState>('GET', `/api/v1/cases/${c.id}/sar`);
    if (mine !== latest.current) return;
    if (r.ok) setState(r.data);
  }
  useEffect(() => { if (isSar) load(); }, [c.id, c.version, isSar]);
  useLayoutEffect(() => { if (confirming) yes.current?.focus(); }, [confirming]);
  if (!isSar || !state) return null;
  async function extend(e: Event) {
    e.preventDefault();
    setBusy(true);
    const r = await api('POST', `/api/v1/cases/${c.id}/sar/extend`, { reason });
    setBusy(false);
    if (!r.ok) {
      setDone(undefined);
      setProblem(r.problem);
      document.getElementById('sar-reason')?.focus();
      return;
    }
    setProblem(undefined);
    setReason('');
    await onChanged();
    await load();
    setDone('Extended by two calendar months. Tell the person why, within the first month.');
  }
  async function release() {
    setBusy(true);
    const r = await api('POST', `/api/v1/cases/${c.id}/sar/release`, {});
    setBusy(false);
    setConfirming(false);
    if (!r.ok) {
      setDone(undefined);
      setProblem(r.problem);
      return;
    }
    setProblem(undefined);
    await onChanged();
    await load();
    setDone('The export was released and the reply recorded on the case.');
  }
  const closed = c.status === 'closed';
  return (
    <section aria-labelledby="sar-panel">
      <h2 id="sar-panel">Subject access request</h2>
      <ProblemText problem={problem} />
      {done && <p class="notice" role="status">{done}</p>}
      <dl class="summary">
        <div><dt>Answer due</dt><dd>{state.due_at ? inWords(state.due_at) : 'No reply is owed'}
          {state.extended && <> (extended by two months)</>}{state.reply_state === 'met' && <>; answered</>}</dd></div>
        <div><dt>Export</dt><dd>{state.export
          ? <>Released {inWords(state.export.released_at)}. <a href={state.export.href} download>Download the released export</a></>
          : 'Not released yet'}</dd></div>
      </dl>
      {!state.export && state.may_release && (
        <p><a href={`/api/v1/cases/${c.id}/sar/export`} download>Check the export before releasing it (zip)</a></p>
      )}
      {!state.export && state.may_release && !closed && (!confirming ? (
        <button type="button" onClick={() => { setDone(undefined); setConfirming(true); }}>Release the export</button>
      ) : (
        <div role="group" aria-labelledby="sar-confirm">
          <p id="sar-confirm">This builds the person's export (staff named by role, other people withheld), keeps it on
            this case and records that the request has been answered. Have you checked it for anyone else named in
            free text? Release it now?</p>
          <button type="button" ref={yes} disabled={busy} onClick={release}>Yes, release the export</button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      ))}
      {state.may_extend && !state.extended && !state.export && !closed && (
        <form onSubmit={extend} aria-label="Extend the time for a complex request">
          <label for="sar-reason">Why the request is complex (the person is told this)</label>
          <textarea id="sar-reason" value={reason} maxLength={1000}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" disabled={busy}>Extend by two months</button>
        </form>
      )}
    </section>
  );
}
