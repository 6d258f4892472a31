// A complaint's stages and the staff a complaint or compliment names, on the
// case page: each stage with when it began and closed, its outcome, the
// lessons learned and its closing letter; the form that closes the current
// stage (and moves to the next) and the one that names staff.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText, User } from './ui';

export type Stage = {
  seq: number; id: string; name: string; started_at: string; closed_at: string | null; current: boolean;
  outcome: string | null; lessons: string | null; findings: string | null; letter_id: number | null;
};
export type ComplaintView = {
  case_id: number; kind: string; single_stage: boolean; procedure: { id: string; name: string; escalation: string }[];
  stages: Stage[]; next_stage: { id: string; name: string } | null; current_closed: boolean;
  staff: { id: number; name: string; email: string | null; named_at: string }[]; managers_only: boolean;
  outcomes: string[];
};
type Kase = { id: number; kind: string; status: string; version: number; service: string };
type Colleague = { id: number; name: string; role: string };

const OUTCOME: Record<string, string> = {
  upheld: 'Upheld', 'partly-upheld': 'Partly upheld', 'not-upheld': 'Not upheld',
};

function StageFacts({ s, single }: { s: Stage; single: boolean }) {
  return (
    <dl class="summary">
      <div><dt>{single ? 'Complaint' : 'Stage'}</dt><dd>{single ? '' : `${s.name} `}<strong class={`tag tag-${s.closed_at ? 'closed' : 'open'}`}>{s.closed_at ? 'closed' : 'open'}</strong></dd></div>
      <div><dt>Began</dt><dd>{inWords(s.started_at)}</dd></div>
      {s.closed_at && <>
        <div><dt>Closed</dt><dd>{inWords(s.closed_at)}</dd></div>
        <div><dt>Outcome</dt><dd>{OUTCOME[s.outcome ?? ''] ?? s.outcome}</dd></div>
        <div><dt>Lessons learned</dt><dd>{s.lessons}</dd></div>
        {s.findings && <div><dt>What we found (on the letter)</dt><dd>{s.findings}</dd></div>}
        {s.letter_id && <div><dt>Closing letter</dt><dd><a href={`/api/v1/attachments/${s.letter_id}`} download>{single ? 'Download the closing letter (PDF)' : `Download the letter closing ${s.name} (PDF)`}</a></dd></div>}
      </>}
    </dl>
  );
}

export function ComplaintPanel({ c, user, onChanged }: { c: Kase; user: User; onChanged: () => void }) {
  const [view, setView] = useState<ComplaintView>();
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  const [gone, setGone] = useState(false);
  const [form, setForm] = useState({ outcome: '', lessons: '', findings: '', escalate: false, began: '' });
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [pick, setPick] = useState('');
  const staged = c.kind === 'complaint' || c.kind === 'compliment';
  useEffect(() => {
    if (!staged) return;
    api<ComplaintView>('GET', `/api/v1/cases/${c.id}/complaint`).then((r) => r.ok && setView(r.data));
  }, [c.id, c.version, c.kind]);
  useEffect(() => {
    if (staged) api<{ colleagues: Colleague[] }>('GET', `/api/v1/colleagues?service=${encodeURIComponent(c.service)}`)
      .then((r) => r.ok && setColleagues(r.data.colleagues));
  }, [c.service, staged]);
  if (!staged) return null;
  if (gone) return (
    <section aria-labelledby="cp-complaint"><h2 id="cp-complaint">Complaint</h2>
      <p class="notice" role="status">The complaint names a member of staff, so only managers can see it now. <a href="#/">Back to the queues</a></p>
    </section>
  );
  if (!view) return null;
  const current = view.stages[view.stages.length - 1];
  async function stage(e: Event, body: Record<string, unknown>, said: string) {
    e.preventDefault();
    const r = await api<ComplaintView>('POST', `/api/v1/cases/${c.id}/complaint/stage`, body);
    if (!r.ok) {
      setDone(undefined);
      setProblem(r.problem);
      const field = r.problem?.fields?.[0];
      const ids: Record<string, string> = { lessons: 'st-lessons', findings: 'st-findings', began_at: 'st-began' };
      document.getElementById(ids[field ?? ''] ?? 'st-outcome')?.focus();
      return;
    }
    setProblem(undefined);
    setDone(said);
    setView(r.data);
    setForm({ outcome: '', lessons: '', findings: '', escalate: false, began: '' });
    onChanged();
  }
  async function name(ids: number[], said: string) {
    const r = await api<ComplaintView>('POST', `/api/v1/cases/${c.id}/staff`, { staff: ids });
    if (!r.ok) {
      setDone(undefined);
      setProblem(r.problem);
      document.getElementById('st-staff')?.focus();
      return;
    }
    setProblem(undefined);
    setDone(said);
    setPick('');
    if (r.data.managers_only && user.role === 'officer') return setGone(true);
    setView(r.data);
    onChanged();
  }
  const named = view.staff.map((s) => s.id);
  const choices = colleagues.filter((u) => !named.includes(u.id));
  const complaint = c.kind === 'complaint';
  const closedCase = c.status === 'closed';
  return (
    <section aria-labelledby="cp-complaint">
      <h2 id="cp-complaint">{complaint ? 'Complaint' : 'Compliment'}</h2>
      {done && <p class="notice" role="status">{done}</p>}
      <ProblemText problem={problem} />
      {view.managers_only && <p class="notice">This complaint names a member of staff, so only managers see it.</p>}
      {complaint && view.procedure.length > 0 && <>
        <h3>{view.single_stage ? 'Outcome' : 'Stages'}</h3>
        {view.single_stage
          ? <p class="hint">This charter handles a complaint in one stage: close it with its outcome and the lessons learned, and the letter tells the complainant where they can go next.</p>
          : <p class="hint">This charter's procedure: {view.procedure.map((p) => p.name).join(', then ')}. Each stage's promises count from the day it began.</p>}
        {view.stages.map((s) => <StageFacts s={s} single={view.single_stage} />)}
        {current && !current.closed_at && !closedCase && (
          <form onSubmit={(e) => stage(e, {
            outcome: form.outcome || undefined, lessons: form.lessons, findings: form.findings || undefined,
            escalate: form.escalate || undefined, began_at: form.escalate && form.began ? form.began : undefined,
          }, form.escalate && view.next_stage ? `${current.name} is closed and its letter is on the case; ${view.next_stage.name} has begun.`
            : view.single_stage ? 'The complaint is closed with its outcome and its letter is on the case.' : `${current.name} is closed and its letter is on the case.`)} noValidate>
            <h3>{view.single_stage ? 'Close the complaint' : `Close ${current.name}`}</h3>
            <fieldset id="st-outcome" tabIndex={-1}><legend>Outcome</legend>
              {view.outcomes.map((o) => (
                <div class="check"><input type="radio" name="st-outcome" id={`st-outcome-${o}`} value={o} checked={form.outcome === o}
                  onChange={() => setForm({ ...form, outcome: o })} aria-invalid={problem?.fields?.includes('outcome') || undefined} />
                  <label for={`st-outcome-${o}`}>{OUTCOME[o] ?? o}</label></div>
              ))}
            </fieldset>
            <label for="st-lessons">Lessons learned (kept for managers and reports)</label>
            <textarea id="st-lessons" value={form.lessons} onInput={(e) => setForm({ ...form, lessons: (e.target as HTMLTextAreaElement).value })}
              aria-invalid={problem?.fields?.includes('lessons') || undefined} />
            <label for="st-findings">What we found (goes on the letter; optional)</label>
            <textarea id="st-findings" value={form.findings} onInput={(e) => setForm({ ...form, findings: (e.target as HTMLTextAreaElement).value })} />
            {view.next_stage && (
              <div class="check"><input type="checkbox" id="st-escalate" checked={form.escalate}
                onChange={() => setForm({ ...form, escalate: !form.escalate })} />
                <label for="st-escalate">The complainant has asked for {view.next_stage.name}: begin it</label></div>
            )}
            {form.escalate && <>
              <label for="st-began">When they asked for it (leave empty for now)</label>
              <input id="st-began" type="text" placeholder="2026-12-18T16:45" value={form.began}
                onInput={(e) => setForm({ ...form, began: (e.target as HTMLInputElement).value })}
                aria-invalid={problem?.fields?.includes('began_at') || undefined} />
            </>}
            <button type="submit">{view.single_stage ? 'Close the complaint and make the letter' : 'Close the stage and make the letter'}</button>
          </form>
        )}
        {current && current.closed_at && view.next_stage && !closedCase && (
          <form onSubmit={(e) => stage(e, { escalate: true, began_at: form.began || undefined }, `${view.next_stage!.name} has begun; its promises count from when they asked.`)}>
            <p>Has the complainant asked for the next stage?</p>
            <label for="st-began">When they asked for it (leave empty for now)</label>
            <input id="st-began" type="text" placeholder="2026-12-18T16:45" value={form.began}
              onInput={(e) => setForm({ ...form, began: (e.target as HTMLInputElement).value })}
              aria-invalid={problem?.fields?.includes('began_at') || undefined} />
            <button type="submit" id="st-next">Begin {view.next_stage.name}</button>
          </form>
        )}
      </>}
      <h3>{complaint ? 'Staff the complaint is about' : 'Staff the compliment praises'}</h3>
      {view.staff.length === 0 ? <p>{complaint ? 'It names no member of staff.' : 'Nobody is named yet; name them so they and their manager are told.'}</p> : (
        <ul class="plain">{view.staff.map((s) => (
          <li>{s.name}{s.email && <> ({s.email})</>} <button type="button" class="secondary"
            onClick={() => name(named.filter((x) => x !== s.id), `${s.name} is no longer named.`)}>Remove {s.name}</button></li>
        ))}</ul>
      )}
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!pick) {
          setProblem({ title: 'Nobody chosen', detail: 'Choose the member of staff to name first.', fields: ['staff'] });
          document.getElementById('st-staff')?.focus();
          return;
        }
        const who = colleagues.find((u) => u.id === Number(pick))?.name ?? 'They';
        name([...named, Number(pick)], complaint ? `${who} is named; only managers see this complaint now.` : `${who} is named and told, with their manager.`);
      }}>
        <label for="st-staff">{complaint ? 'Name a member of staff it is about' : 'Name a member of staff it praises'}</label>
        {complaint && <p class="hint" id="st-staff-hint">A complaint that names someone is seen by managers only.</p>}
        <select id="st-staff" value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}
          aria-describedby={complaint ? 'st-staff-hint' : undefined} aria-invalid={problem?.fields?.includes('staff') || undefined}>
          <option value="">Choose a member of staff</option>
          {choices.map((u) => <option value={String(u.id)}>{u.name} ({u.role})</option>)}
        </select>
        <button type="submit" class="secondary">Name them</button>
      </form>
    </section>
  );
}

type ReportRow = { row: 'received' | 'stage' | 'praised'; service: string; kind: string; outcome_words?: string | null; stage: string | null; stage_name?: string | null; outcome: string | null; staff_id: number | null; staff: string | null; count: number };
type Report = { from: string; to: string; complaints: number; compliments: number; rows: ReportRow[] };

// The managers' complaints and compliments report: cases received, each
// stage by its outcome, and the staff compliments praise, with its CSV.
export function ComplaintsReport() {
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 364 * 86400000).toISOString().slice(0, 10);
  const [range, setRange] = useState({ from: yearAgo, to: today });
  const [report, setReport] = useState<Report>();
  const [problem, setProblem] = useState<Problem>();
  async function show(e?: Event) {
    e?.preventDefault();
    const r = await api<Report>('GET', `/api/v1/reports/complaints?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`);
    if (!r.ok) {
      setProblem(r.problem);
      setReport(undefined);
      document.getElementById(r.problem?.fields?.[0] === 'to' ? 'cr-to' : 'cr-from')?.focus();
      return;
    }
    setProblem(undefined);
    setReport(r.data);
  }
  useEffect(() => { show(); }, []);
  // Each row says what it counts, so a complaint is received once however
  // many stage rows it also has.
  const stages = (report?.rows ?? []).filter((x) => x.row === 'stage');
  const praised = (report?.rows ?? []).filter((x) => x.row === 'praised');
  const received = (report?.rows ?? []).filter((x) => x.row === 'received');
  const csv = `/api/v1/reports/complaints?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&format=csv`;
  return (
    <main id="main">
      <h1>Complaints and compliments</h1>
      <form onSubmit={show} class="forms">
        <div><label for="cr-from">From (first day)</label>
          <input id="cr-from" type="date" value={range.from} onInput={(e) => setRange({ ...range, from: (e.target as HTMLInputElement).value })}
            aria-invalid={problem?.fields?.includes('from') || undefined} /></div>
        <div><label for="cr-to">To (last day)</label>
          <input id="cr-to" type="date" value={range.to} onInput={(e) => setRange({ ...range, to: (e.target as HTMLInputElement).value })}
            aria-invalid={problem?.fields?.includes('to') || undefined} /></div>
        <div><button type="submit">Show the report</button></div>
      </form>
      <ProblemText problem={problem} />
      {report && <>
        <dl class="summary">
          <div><dt>Complaints received</dt><dd>{report.complaints}</dd></div>
          <div><dt>Compliments received</dt><dd>{report.compliments}</dd></div>
        </dl>
        <p><a href={csv} download="complaints.csv">Download the report (CSV)</a></p>
        <h2>Received, by service</h2>
        {received.length === 0 ? <p>None in this period.</p> : (
          <table class="stack"><thead><tr><th scope="col">Service</th><th scope="col">Kind</th><th scope="col">Cases</th></tr></thead>
            <tbody>{received.map((x) => <tr><td data-label="Service">{x.service}</td><td data-label="Kind">{x.kind}</td><td data-label="Cases">{x.count}</td></tr>)}</tbody></table>
        )}
        <h2>Complaint stages by outcome</h2>
        {stages.length === 0 ? <p>No complaint went through a stage in this period.</p> : (
          <table class="stack"><thead><tr><th scope="col">Service</th><th scope="col">Stage</th><th scope="col">Outcome</th><th scope="col">Complaints</th></tr></thead>
            <tbody>{stages.map((x) => <tr><td data-label="Service">{x.service}</td><td data-label="Stage">{x.stage_name ?? x.stage}</td>
              <td data-label="Outcome">{OUTCOME[x.outcome ?? ''] ?? x.outcome_words ?? x.outcome}</td><td data-label="Complaints">{x.count}</td></tr>)}</tbody></table>
        )}
        <h2>Staff praised</h2>
        {praised.length === 0 ? <p>No compliment named a member of staff in this period.</p> : (
          <table class="stack"><thead><tr><th scope="col">Member of staff</th><th scope="col">Service</th><th scope="col">Compliments</th></tr></thead>
            <tbody>{praised.map((x) => <tr><td data-label="Member of staff">{x.staff}</td><td data-label="Service">{x.service}</td><td data-label="Compliments">{x.count}</td></tr>)}</tbody></table>
        )}
      </>}
    </main>
  );
}
