// Retention and erasure in the desk: the legal hold on a person (managers
// and administrators place and release it, with a reason), "Erase this
// person" behind a confirmation dialog (administrators), and the
// administrators' Retention page: each charter's schedule and what a run
// today would delete or anonymise.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText, User } from './ui';

type Hold = { held: boolean; reason?: string; placed_at?: string; placed_by?: number | null };

// The hold on a person (personId) or a case (caseId).
export function LegalHold({ personId, caseId, user }: { personId?: number; caseId?: number; user: User }) {
  const [hold, setHold] = useState<Hold>();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState<string>();
  const latest = useRef(0);
  const path = personId ? `/api/v1/people/${personId}/hold` : `/api/v1/cases/${caseId}/hold`;
  const whose = personId ? "this person's records, and every case about them," : "this case";
  async function load() {
    const mine = ++latest.current;
    const r = await api<Hold>('GET', path);
    if (mine !== latest.current) return;
    if (r.ok) setHold(r.data); else setProblem(r.problem);
  }
  useEffect(() => { load(); }, [path]);
  const mayChange = user.role !== 'officer';
  async function change(e: Event) {
    e.preventDefault();
    const placing = !hold?.held;
    const r = placing ? await api<Hold>('PUT', path, { reason }) : await api<Hold>('DELETE', path);
    if (!r.ok) { setNotice(undefined); setProblem(r.problem); return; }
    setProblem(undefined);
    await load();
    setReason('');
    setNotice(placing ? `The legal hold is placed: retention and erasure will not touch ${personId ? "this person's records" : 'this case'}.`
      : 'The legal hold is released.');
  }
  if (!hold) return <ProblemText problem={problem} />;
  return (
    <form onSubmit={change} aria-labelledby="hold-title" noValidate>
      <h2 id="hold-title">Legal hold</h2>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      {hold.held
        ? <p>{personId ? 'This person' : 'This case'} is under a legal hold placed {inWords(hold.placed_at ?? null)}: {hold.reason}</p>
        : <p>No legal hold. A hold keeps {whose} from retention and erasure.</p>}
      {mayChange && !hold.held && <>
        <label for="hold-reason">Why the records must be kept</label>
        <p class="hint" id="hold-hint">For example a tribunal claim or an ombudsman's investigation.</p>
        <textarea id="hold-reason" rows={2} value={reason} aria-describedby="hold-hint"
          aria-invalid={(problem?.fields ?? []).includes('reason') || undefined}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      </>}
      {mayChange && <button type="submit" class="secondary">{hold.held ? 'Release the legal hold' : 'Place a legal hold'}</button>}
    </form>
  );
}

export function EraseForm({ personId, name, user, erasedAt, onErased }:
  { personId: number; name: string; user: User; erasedAt: string | null; onErased: () => Promise<unknown> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const reasonBox = useRef<HTMLTextAreaElement>(null);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState<string>();
  useLayoutEffect(() => {
    if (open && dialog.current && !dialog.current.open) { dialog.current.showModal(); reasonBox.current?.focus(); }
    if (!open && dialog.current?.open) dialog.current.close();
  }, [open]);
  if (erasedAt) return (
    <section aria-labelledby="erase-title">
      <h2 id="erase-title">Erasure</h2>
      {notice && <p class="notice" role="status">{notice}</p>}
      <p id="erased-when">This person was erased {inWords(erasedAt)}: their personal data is gone, and their cases are kept
        anonymised. Someone who contacts the service again is added as a new person.</p>
    </section>
  );
  if (user.role !== 'admin') return null;
  async function erase(e: Event) {
    e.preventDefault();
    const r = await api<{ cases_anonymised: number }>('POST', `/api/v1/people/${personId}/erase`, { reason });
    if (!r.ok) { setProblem(r.problem); return; }
    setProblem(undefined);
    setOpen(false);
    await onErased();
    setNotice(`The person is erased; ${r.data.cases_anonymised} case${r.data.cases_anonymised === 1 ? ' is' : 's are'} kept, anonymised.`);
  }
  return (
    <section aria-labelledby="erase-title">
      <h2 id="erase-title">Erasure</h2>
      {notice && <p class="notice" role="status">{notice}</p>}
      <p>Erasing removes this person's personal data: their details, relationships, consents, files and mail, and the
        names and texts on their cases, which are kept anonymised for the statistics. It cannot be undone.</p>
      <button type="button" class="warning" onClick={() => { setProblem(undefined); setOpen(true); }}>Erase this person</button>
      <dialog ref={dialog} aria-labelledby="erase-dialog-title" onClose={() => setOpen(false)}>
        <form onSubmit={erase} noValidate>
          <h2 id="erase-dialog-title">Erase {name}?</h2>
          <ProblemText problem={problem} />
          <label for="erase-reason">The ground for erasure</label>
          <p class="hint" id="erase-hint">For example "Erasure request of 30 November 2026". The audit log records that
            you erased this person, not what was erased.</p>
          <textarea id="erase-reason" ref={reasonBox} rows={2} value={reason} aria-describedby="erase-hint"
            aria-invalid={(problem?.fields ?? []).includes('reason') || undefined}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="warning">Erase</button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>Cancel</button>
        </form>
      </dialog>
    </section>
  );
}

type Schedule = { kind: string; noun: string; period: string; counted_from: string; action: string };
type RetentionView = {
  as_of: string;
  policies: { id: string; organisation: string; schedule: Schedule[] }[];
  due: { kind: string; noun: string; action: string; count: number }[];
  audit: { purged: boolean; rule: string; cutoff: string | null };
};

export function RetentionPage() {
  const [view, setView] = useState<RetentionView>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<RetentionView>('GET', '/api/v1/retention').then((r) => (r.ok ? setView(r.data) : setProblem(r.problem)));
  }, []);
  return (
    <main id="main">
      <h1>Retention</h1>
      <ProblemText problem={problem} />
      {view && <>
        <p>How long each charter keeps each kind of record. Held records are never removed. The desk applies the
          schedule once a day; <code>charter retention run</code> does it now.</p>
        <h2>The audit log</h2>
        <p id="audit-rule">{view.audit.rule}{view.audit.cutoff && <> Rows written before {inWords(view.audit.cutoff)} are due.</>}
          {' '}A purge leaves a row in the chain saying what went, so <code>charter audit verify</code> still finds it whole.</p>
        <h2>Due today</h2>
        <table>
          <caption>What a run now would do, as of {inWords(view.as_of)}</caption>
          <thead><tr><th scope="col">Records</th><th scope="col">Action</th><th scope="col">How many</th></tr></thead>
          <tbody>{view.due.map((d) => (
            <tr key={d.kind}><th scope="row">{d.noun}</th><td>{d.action === 'anonymise' ? 'Anonymised' : 'Deleted'}</td><td>{d.count}</td></tr>
          ))}</tbody>
        </table>
        {view.policies.map((p) => (
          <section key={p.id} aria-labelledby={`schedule-${p.id}`}>
            <h2 id={`schedule-${p.id}`}>{p.organisation}</h2>
            {p.schedule.length === 0 ? <p>This charter sets no retention schedule: its records are kept.</p> : (
              <table>
                <caption>Retention schedule of {p.organisation}</caption>
                <thead><tr><th scope="col">Records</th><th scope="col">Kept for</th><th scope="col">Then</th></tr></thead>
                <tbody>{p.schedule.map((s) => (
                  <tr key={s.kind}><th scope="row">{s.noun}</th><td>{s.period} {s.counted_from}</td>
                    <td>{s.action === 'anonymise' ? 'anonymised' : 'deleted'}</td></tr>
                ))}</tbody>
              </table>
            )}
          </section>
        ))}
      </>}
    </main>
  );
}
