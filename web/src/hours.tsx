// Purchased hours in the browser: the contracts schools bought, one
// contract's balance, ledger and visits (book, end, log time, adjust), its
// termly statements, and a consultant's timetable with the term's capacity.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { hours, ProblemText, Staff, User } from './ui';

type Visit = {
  id: number; contract_id: number; school: string; service: string;
  consultant: { id: number | null; name: string | null }; starts_at: string; booked_minutes: number;
  actual_minutes: number | null; status: string; reason: string | null; note: string | null;
  late: { notice_at: string; expected_at: string } | null; over_balance: boolean; arrived_at?: string | null;
  kind?: string; resources?: { due_at: string | null; told_at: string | null } | null;
  release?: { for: string; told_at: string | null } | null;
};
type Entry = { id: number; at: string; kind: string; minutes: number; balance_minutes: number; reason: string | null };
type Contract = {
  id: number; school: { id: number; name: string }; service: string; year: string; starts: string; ends: string;
  amount: number; unit: string; purchased_minutes: number; block_minutes: number; prep_counts: boolean;
  contact: { name: string | null; email: string | null }; consultant: { id: number | null; name: string | null };
  shortfall_policy: string; status: string; scope?: string | null; balance_minutes: number; booked_minutes: number;
  available_minutes: number; blocks_left: number; minutes_past_blocks: number; shortfall_minutes: number;
  ledger?: Entry[]; visits?: Visit[];
};
type Capacity = {
  consultant: { id: number; name: string }; services: string[]; working_minutes: number;
  contingency_percent: number; available_minutes: number; booked_minutes: number; over: boolean;
};

// How a visit can end, and the notices about it. Whether a school's
// cancellation is charged follows from when it told us: the server decides.
const OUTCOMES: [string, string][] = [
  ['delivered', 'Delivered'], ['covered', 'Covered by a representative'],
  ['not-needed', 'Not needed on arrival'], ['rescheduled', 'Rescheduled'],
  ['cancel-school', 'The school cancelled'], ['cancel-us', 'We cancelled (tell the school)'],
  ['late', 'Running late (tell the school)'],
];
const CHANNELS: [string, string][] = [['phone', 'By phone'], ['email', 'By email (sent now)'], ['in-person', 'In person'], ['letter', 'By letter']];

const KINDS: Record<string, string> = {
  purchase: 'Hours bought', drawdown: 'Time used', adjustment: 'Adjustment',
  rollover: 'Carried between years', refund: 'Refunded', lapse: 'Lapsed at the year end',
  owed: 'Owed by us',
};

// The term the date falls in, as the desk names terms.
function termOf(d: Date): string {
  const y = d.getFullYear(), m = d.getMonth() + 1;
  return m >= 9 ? `autumn-${y}` : m >= 4 ? `summer-${y}` : `spring-${y}`;
}

// The three terms of an academic year "2026-27".
function termsOf(year: string): string[] {
  const y = Number(year.slice(0, 4));
  return [`autumn-${y}`, `spring-${y + 1}`, `summer-${y + 1}`];
}

function value(id: string): string {
  return (document.getElementById(id) as HTMLInputElement | HTMLSelectElement).value;
}

type Reconciled = {
  id: number; school: string; service: string; status: string; owed_minutes?: number;
  lapsed_minutes: number; refunded_minutes?: number; rolled_over_minutes?: number;
};

// The year-end reconciliation across a year's contracts, for a manager.
function YearEndReport() {
  const [typed, setTyped] = useState('');
  const [rows, setRows] = useState<Reconciled[]>();
  const [problem, setProblem] = useState<Problem>();
  async function show(e: Event) {
    e.preventDefault();
    const r = await api<{ contracts: Reconciled[] }>('GET', `/api/v1/year-end?year=${encodeURIComponent(typed.trim())}`);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setRows(r.data.contracts);
  }
  return (
    <section aria-labelledby="ye-report">
      <h2 id="ye-report">Year-end reconciliation</h2>
      <form onSubmit={show}>
        <label for="yr-year">Academic year</label>
        <input id="yr-year" type="text" placeholder="2025-26" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <div><button type="submit" class="secondary">Show the year end</button></div>
      </form>
      <ProblemText problem={problem} />
      {rows && (rows.length === 0 ? <p>No contracts in that year.</p> : (
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">School</th><th scope="col">Service</th><th scope="col">State</th><th scope="col">We owe</th><th scope="col">Lapses</th></tr></thead>
          <tbody>{rows.map((c) => (
            <tr><td><a href={`#/contracts/${c.id}`}>{c.school}</a></td><td>{c.service}</td><td>{c.status}</td>
              <td>{c.status === 'settled' ? `${hours((c.refunded_minutes ?? 0) + (c.rolled_over_minutes ?? 0))} (settled)` : hours(c.owed_minutes ?? 0)}</td>
              <td>{hours(c.lapsed_minutes)}</td></tr>
          ))}</tbody>
        </table></div>
      ))}
    </section>
  );
}

type Due = { contract_id: number; school: string; service: string; due_at: string | null; sent_at: string | null; state: string };

export function Contracts({ user }: { user: User }) {
  const [rows, setRows] = useState<Contract[]>([]);
  const [due, setDue] = useState<Due[]>([]);
  const term = termOf(new Date());
  const [services, setServices] = useState<{ service: string; name: string; visit_block_minutes: number }[]>([]);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [svc, setSvc] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState('');
  const manager = user.role !== 'officer';
  async function sendAll() {
    const r = await api<{ sent: unknown[]; skipped: unknown[]; failed: { school: string; why: string }[] }>('POST', '/api/v1/statements/send', { term });
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    const failed = r.data.failed.map((f) => `${f.school} (${f.why})`).join('; ');
    setNotice(`Queued ${r.data.sent.length} to send (recorded as sent now; the desk's outbox delivers them); ${r.data.skipped.length} without an address to send to${failed ? `; not sent: ${failed}` : ''}.`);
    load();
  }
  async function load() {
    const r = await api<{ contracts: Contract[] }>('GET', '/api/v1/contracts');
    if (r.ok) setRows(r.data.contracts); else setProblem(r.problem);
    const d = await api<{ statements: Due[] }>('GET', `/api/v1/statements?term=${term}`);
    if (d.ok) setDue(d.data.statements.filter((x) => x.state !== 'not promised'));
  }
  useEffect(() => {
    load();
    if (manager) {
      api<{ services: { service: string; name: string; visit_block_minutes: number }[] }>('GET', '/api/v1/services')
        .then((r) => r.ok && setServices(r.data.services.filter((s) => s.visit_block_minutes > 0)));
      api<{ users: Staff[] }>('GET', '/api/v1/users').then((r) => r.ok && setStaff(r.data.users));
    }
  }, []);
  async function add(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      school: value('ct-school'), service: value('ct-service'), year: value('ct-year'),
      amount: Number(value('ct-amount')), unit: value('ct-unit'),
      shortfall_policy: value('ct-shortfall'),
      prep_counts: (document.getElementById('ct-prep') as HTMLInputElement).checked,
      contact: { name: value('ct-contact') || null, email: value('ct-email') || null },
    };
    if (value('ct-scope')) body.scope = value('ct-scope');
    if (value('ct-consultant')) body.consultant_id = Number(value('ct-consultant'));
    const r = await api<Contract>('POST', '/api/v1/contracts', body);
    if (!r.ok) return setProblem(r.problem);
    location.hash = `#/contracts/${r.data.id}`;
  }
  return (
    <main id="main">
      <h1>Purchased hours</h1>
      <p><a href="#/timetable">Timetables and capacity</a></p>
      <ProblemText problem={problem} />
      <div class="table-wrap"><table>
        <caption class="visually-hidden">Contracts</caption>
        <thead><tr><th scope="col">School</th><th scope="col">Service</th><th scope="col">Year</th><th scope="col">Bought</th><th scope="col">Hours left</th><th scope="col">Booked</th><th scope="col">Status</th></tr></thead>
        <tbody>{rows.map((c) => (
          <tr><td><a href={`#/contracts/${c.id}`}>{c.school.name}</a></td><td>{c.service}</td><td>{c.year}</td>
            <td>{c.amount} {c.unit}</td><td>{hours(c.balance_minutes)}</td><td>{hours(c.booked_minutes)}</td><td>{c.status}</td></tr>
        ))}</tbody>
      </table></div>
      {rows.length === 0 && <p>No contracts yet.</p>}
      <h2>Statements promised for {term}</h2>
      {notice && <p class="notice" role="status">{notice}</p>}
      {manager && due.some((d) => !d.sent_at) && <div><button type="button" onClick={sendAll}>E-mail every statement still to send</button></div>}
      {due.length === 0 ? <p>No charter promises a statement this term for these contracts.</p> : (
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">School</th><th scope="col">Due by</th><th scope="col">State</th></tr></thead>
          <tbody>{due.map((d) => (
            <tr><td><a href={`#/contracts/${d.contract_id}/statement/${term}`}>{d.school}</a></td><td>{inWords(d.due_at)}</td>
              <td class={d.state === 'overdue' ? 'state-breached' : d.state === 'sent' ? 'state-met' : ''}>{d.state}{d.sent_at && <> on {inWords(d.sent_at)}</>}</td></tr>
          ))}</tbody>
        </table></div>
      )}
      {manager && <YearEndReport />}
      {manager && (
        <form onSubmit={add} aria-labelledby="new-contract">
          <h2 id="new-contract">Record what a school bought</h2>
          <label for="ct-school">School</label><input id="ct-school" type="text" required />
          <label for="ct-service">Service</label>
          <select id="ct-service" onChange={(e) => setSvc((e.target as HTMLSelectElement).value)}>{services.map((s) => <option value={s.service}>{s.name} ({s.service})</option>)}</select>
          <label for="ct-year">Academic year</label><input id="ct-year" type="text" placeholder="2026-27" required />
          <label for="ct-amount">Amount</label><input id="ct-amount" type="text" inputMode="decimal" placeholder="3" required />
          <label for="ct-unit">Bought in</label>
          <select id="ct-unit"><option value="hours">hours</option><option value="days">days</option><option value="half-days">half days</option></select>
          <label for="ct-consultant">Consultant</label>
          <p class="hint" id="ct-consultant-hint">Only staff of the chosen service can be its consultant.</p>
          <select id="ct-consultant" aria-describedby="ct-consultant-hint"><option value="">Not yet named</option>
            {staff.filter((u) => u.services.includes(svc || services[0]?.service)).map((u) => <option value={u.id}>{u.name}</option>)}</select>
          <label for="ct-contact">School's named contact</label><input id="ct-contact" type="text" />
          <label for="ct-email">Their email</label><input id="ct-email" type="email" />
          <label for="ct-shortfall">Hours we cannot deliver are</label>
          <select id="ct-shortfall"><option value="refund">refunded at the year end</option><option value="rollover">rolled into next year's contract</option></select>
          <div class="check"><input id="ct-prep" type="checkbox" checked /><label for="ct-prep">Preparation and follow-up time count against the hours</label></div>
          <label for="ct-scope">What the consultancy covers, as agreed with the school</label><textarea id="ct-scope" rows={3} />
          <div><button type="submit">Record the contract</button></div>
        </form>
      )}
    </main>
  );
}

function VisitRow({ v, onEnd }: { v: Visit; onEnd: (id: number, body: Record<string, unknown>) => void }) {
  const [outcome, setOutcome] = useState('delivered');
  const id = `v${v.id}`;
  return (
    <tr>
      <td data-label="When">{inWords(v.starts_at)}{v.late && <><br />Late: expected {inWords(v.late.expected_at)}</>}{v.arrived_at && <><br />Arrived {inWords(v.arrived_at)}</>}
        {v.kind === 'training' && <><br /><strong>Training.</strong>{v.resources?.told_at ? <> The school was told what it needs on {inWords(v.resources.told_at)}.</>
          : v.resources?.due_at ? <span class={new Date(v.resources.due_at) < new Date() ? 'state-breached' : ''}> Tell the school what it needs by {inWords(v.resources.due_at)}.</span> : null}</>}
        {v.release && <><br />Needs the {v.release.for} released: {v.release.told_at ? <>the school was told on {inWords(v.release.told_at)}.</> : <span class="state-breached">tell the school beforehand.</span>}</>}</td>
      <td data-label="Hours">{hours(v.booked_minutes)}{v.reason && <><br />{v.reason}</>}</td>
      <td data-label="Consultant">{v.consultant.name ?? ''}</td>
      <td data-label="Status">{v.status}{v.actual_minutes !== null && <> ({hours(v.actual_minutes)} h)</>}{v.note && <><br />{v.note}</>}{v.over_balance && <><br />past the balance, agreed by a manager</>}</td>
      <td data-label="Record">{v.status === 'booked' && (
        <form onSubmit={(e) => {
          e.preventDefault();
          // A notice says when and how the other side was told.
          const notice = () => ({
            notice_at: value(`${id}-when`) || new Date().toISOString(), channel: value(`${id}-channel`),
            ...(value(`${id}-told`) ? { told: value(`${id}-told`) } : {}),
            ...(value(`${id}-note`) ? { note: value(`${id}-note`) } : {}),
          });
          // Running late is news about a visit still to happen, not its end.
          if (outcome === 'late') return onEnd(v.id, { late: { ...notice(), expected_at: value(`${id}-expected`) } });
          if (outcome === 'cancel-school') return onEnd(v.id, { cancel: { ...notice(), by: 'school' } });
          if (outcome === 'cancel-us') return onEnd(v.id, { cancel: { ...notice(), by: 'provider' } });
          if (outcome === 'resources') return onEnd(v.id, { resources: notice() });
          if (outcome === 'release') return onEnd(v.id, { release: notice() });
          const body: Record<string, unknown> = { outcome };
          if ((outcome === 'delivered' || outcome === 'covered') && value(`${id}-arrived`)) body.arrived_at = value(`${id}-arrived`);
          if (outcome === 'delivered' || outcome === 'covered') body.actual_minutes = Number(value(`${id}-actual`));
          if (outcome === 'covered') body.representative = value(`${id}-rep`);
          if (outcome === 'rescheduled') body.new_starts_at = value(`${id}-new`);
          onEnd(v.id, body);
        }}>
          <label for={`${id}-outcome`}>How it ended</label>
          <select id={`${id}-outcome`} value={outcome} onChange={(e) => setOutcome((e.target as HTMLSelectElement).value)}>
            {OUTCOMES.map(([k, label]) => <option value={k}>{label}</option>)}
            {v.kind === 'training' && <option value="resources">What the training needs (tell the school)</option>}
            {v.release && <option value="release">Release time for the {v.release.for} (tell the school)</option>}
          </select>
          {outcome === 'late' && <><label for={`${id}-expected`}>Expected arrival</label><input id={`${id}-expected`} type="text" placeholder="2026-12-01T10:15" /></>}
          {(outcome === 'late' || outcome === 'resources' || outcome === 'release' || outcome.startsWith('cancel-')) && <>
            <label for={`${id}-when`}>{outcome === 'cancel-school' ? 'When the school told us' : 'When we told the school'} (leave empty for now)</label>
            <input id={`${id}-when`} type="text" placeholder="2026-12-01T08:15" />
            <label for={`${id}-channel`}>How</label>
            <select id={`${id}-channel`}>{CHANNELS.map(([k, label]) => <option value={k}>{outcome === 'cancel-school' && k === 'email' ? 'By email' : label}</option>)}</select>
            <label for={`${id}-told`}>{outcome === 'cancel-school' ? 'Who told us' : 'Who was told'}</label><input id={`${id}-told`} type="text" />
            <label for={`${id}-note`}>{outcome === 'resources' ? 'What it needs (a room, a projector)' : 'Note'}</label><input id={`${id}-note`} type="text" />
          </>}
          {(outcome === 'delivered' || outcome === 'covered') && <><label for={`${id}-arrived`}>Arrived at (optional)</label><input id={`${id}-arrived`} type="text" placeholder="2026-12-01T09:35" /></>}
          {(outcome === 'delivered' || outcome === 'covered') && <><label for={`${id}-actual`}>Minutes spent</label><input id={`${id}-actual`} type="text" inputMode="numeric" /></>}
          {outcome === 'covered' && <><label for={`${id}-rep`}>Who covered</label><input id={`${id}-rep`} type="text" /></>}
          {outcome === 'rescheduled' && <><label for={`${id}-new`}>New time</label><input id={`${id}-new`} type="text" placeholder="2026-12-01T09:30" /></>}
          <button type="submit" class="secondary">Record</button>
        </form>
      )}</td>
    </tr>
  );
}

export function ContractPage({ id, user }: { id: number; user: User }) {
  const [c, setContract] = useState<Contract>();
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState('');
  const [confirmOver, setConfirmOver] = useState(false);
  const [confirmCapacity, setConfirmCapacity] = useState(false);
  const [confirmLog, setConfirmLog] = useState(false);
  const [term, setTerm] = useState('');
  const manager = user.role !== 'officer';
  async function load() {
    const r = await api<Contract>('GET', `/api/v1/contracts/${id}`);
    // Another contract's figures and forms must not linger under a "Not
    // found": a contract that cannot be read clears the page.
    if (!r.ok) { setContract(undefined); return setProblem(r.problem); }
    setProblem(undefined);
    setContract(r.data);
    if (!term) setTerm(termsOf(r.data.year).includes(termOf(new Date())) ? termOf(new Date()) : termsOf(r.data.year)[0]);
  }
  useEffect(() => { setNotice(''); setConfirmOver(false); setConfirmLog(false); load(); }, [id]);
  async function send(method: string, path: string, body: Record<string, unknown>, done: string) {
    const r = await api<{ warning?: string } | null>(method, path, body);
    if (!r.ok) {
      setNotice('');
      // A manager is asked first before booking past what is left.
      if (r.status === 409 && manager && r.problem?.type?.endsWith('/problems/past-balance')) {
        if (path.endsWith('/visits')) setConfirmOver(true);
        if (path.endsWith('/entries')) setConfirmLog(true);
      }
      // Past the consultant's bookable time in the term: the same, for their time.
      if (r.status === 409 && manager && r.problem?.type?.endsWith('/problems/past-capacity')) setConfirmCapacity(true);
      return setProblem(r.problem);
    }
    setProblem(undefined);
    setConfirmOver(false);
    setConfirmCapacity(false);
    setConfirmLog(false);
    // A booking that takes the consultant past their bookable time says so.
    setNotice(r.data?.warning ? `${done} Note: ${r.data.warning}` : done);
    load();
  }
  if (!c) return <main id="main"><h1>Contract {id}</h1><ProblemText problem={problem} /></main>;
  const base = `/api/v1/contracts/${c.id}`;
  return (
    <main id="main">
      <p><a href="#/contracts">All contracts</a></p>
      <h1>{c.school.name}: {c.year}</h1>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      <p>{c.service}. Bought {c.amount} {c.unit} ({hours(c.purchased_minutes)} hours), visits of {hours(c.block_minutes)} hours.
        Consultant: {c.consultant.name ?? 'not yet named'}. School's contact: {c.contact.name ?? 'none'}{c.contact.email && <> ({c.contact.email})</>}.
        Status: <strong>{c.status}</strong>.</p>
      <p><strong>What the consultancy covers:</strong> {c.scope ?? 'not yet agreed with the school'}</p>
      {c.contact.email && <p>The school's contact signs in at <code>/school</code> with a link sent by email. <a href={`/api/v1/contracts/${c.id}/school-view`}>See what the school sees</a>.</p>}
      <dl class="figures">
        <div><dt>Hours left</dt><dd>{hours(c.balance_minutes)}</dd></div>
        <div><dt>Booked, not yet held</dt><dd>{hours(c.booked_minutes)}</dd></div>
        <div><dt>Free to book</dt><dd>{hours(c.available_minutes)}</dd></div>
        <div><dt>Visits that fit</dt><dd>{c.blocks_left}{c.minutes_past_blocks > 0 && <> and {c.minutes_past_blocks} minutes</>}</dd></div>
        <div><dt>Owed by us</dt><dd>{hours(c.shortfall_minutes)}</dd></div>
      </dl>

      <h2>Visits</h2>
      <div class="table-wrap"><table class="stack">
        <thead><tr><th scope="col">When</th><th scope="col">Hours</th><th scope="col">Consultant</th><th scope="col">Status</th><th scope="col">Record</th></tr></thead>
        <tbody>{(c.visits ?? []).map((v) => <VisitRow v={v} onEnd={(vid, body) => send('PATCH', `/api/v1/visits/${vid}`, body, 'The visit is recorded.')} />)}</tbody>
      </table></div>
      {c.status === 'open' && (
        <form aria-labelledby="book" onSubmit={(e) => {
          e.preventDefault();
          const body: Record<string, unknown> = { starts_at: value('bk-at') };
          if (value('bk-minutes')) body.minutes = Number(value('bk-minutes'));
          if (value('bk-reason')) body.reason = value('bk-reason');
          if (value('bk-kind') === 'training') body.kind = 'training';
          if (value('bk-release')) body.release = value('bk-release');
          if (confirmOver) body.confirm_over_balance = true;
          if (confirmCapacity) body.confirm_over_capacity = true;
          send('POST', `${base}/visits`, body, 'The visit is booked.');
        }}>
          <h2 id="book">Book a visit</h2>
          <label for="bk-kind">What</label>
          <select id="bk-kind"><option value="visit">A visit</option><option value="training">A training session</option></select>
          <label for="bk-at">When</label><input id="bk-at" type="text" placeholder="2026-12-01T09:30" required />
          <label for="bk-minutes">Minutes (leave empty for the usual {c.block_minutes})</label><input id="bk-minutes" type="text" inputMode="numeric" />
          <label for="bk-reason">Why another length</label><input id="bk-reason" type="text" />
          <label for="bk-release">Who at the school must be released for it (e.g. SENCO; leave empty if no one)</label><input id="bk-release" type="text" />
          <div><button type="submit">{confirmOver ? 'Book past the balance' : confirmCapacity ? "Book past the consultant's time" : 'Book the visit'}</button></div>
        </form>
      )}
      {c.status === 'open' && (
        <form aria-labelledby="log-time" onSubmit={(e) => {
          e.preventDefault();
          const kind = value('lt-kind');
          const body: Record<string, unknown> = { kind, minutes: Number(value('lt-minutes')), reason: value('lt-reason') || null };
          if (value('lt-at')) body.at = value('lt-at');
          if (kind === 'drawdown') body.what = value('lt-what');
          if (confirmLog) body.confirm_over_balance = true;
          send('POST', `${base}/entries`, body, 'The time is logged.');
        }}>
          <h2 id="log-time">Log time or adjust</h2>
          <label for="lt-kind">What</label>
          <select id="lt-kind"><option value="drawdown">Time used</option>{manager && <option value="adjustment">An adjustment (managers)</option>}{manager && <option value="owed">Hours we owe: time we could not provide (managers)</option>}</select>
          <label for="lt-what">Time spent on</label>
          <select id="lt-what"><option value="report">Writing a report</option><option value="preparation">Preparation</option><option value="follow-up">Follow-up</option><option value="other">Other</option></select>
          <label for="lt-minutes">Minutes (an adjustment may be negative)</label><input id="lt-minutes" type="text" inputMode="numeric" required />
          <label for="lt-reason">Reason (the school reads it)</label><input id="lt-reason" type="text" />
          <label for="lt-at">When it was done (leave empty for now)</label><input id="lt-at" type="text" placeholder="2026-12-01T14:00" />
          <div><button type="submit">{confirmLog ? 'Log it past the balance' : 'Log it'}</button></div>
        </form>
      )}

      <h2>Statements</h2>
      <label for="st-term">Term</label>
      <select id="st-term" value={term} onChange={(e) => setTerm((e.target as HTMLSelectElement).value)}>
        {termsOf(c.year).map((t) => <option value={t}>{t}</option>)}
      </select>
      <p><a href={`#/contracts/${c.id}/statement/${term}`}>Read the {term} statement</a> or download it as <a href={`${base}/statement?term=${term}&format=xlsx`}>Excel</a> or <a href={`${base}/statement?term=${term}&format=pdf`}>PDF</a>.</p>

      <h2>Ledger</h2>
      <div class="table-wrap"><table class="stack">
        <thead><tr><th scope="col">Date</th><th scope="col">Movement</th><th scope="col">Hours</th><th scope="col">Balance</th></tr></thead>
        <tbody>{(c.ledger ?? []).map((e) => (
          <tr><td data-label="Date">{inWords(e.at)}</td><td data-label="Movement">{e.reason ?? KINDS[e.kind] ?? e.kind}</td><td data-label="Hours">{e.kind === 'owed' ? `${hours(e.minutes)} owed by us` : hours(e.minutes)}</td><td data-label="Balance">{hours(e.balance_minutes)}</td></tr>
        ))}</tbody>
      </table></div>
      {manager && c.status === 'open' && <ChangeContract key={`${c.contact.name}/${c.contact.email}/${c.consultant.id}/${c.shortfall_policy}/${c.scope}`} c={c} onChange={(body) => send('PATCH', base, body, 'The contract is changed.')} />}
      {manager && c.status === 'open' && <YearEnd id={c.id} key={`${c.balance_minutes}/${c.booked_minutes}/${c.shortfall_minutes}`} />}
    </main>
  );
}

// A manager's changes: who is told, who visits, how shortfall is settled.
// The fields start from the contract and are the user's until they save;
// the form is made afresh (its key) when the saved contract differs.
function ChangeContract({ c, onChange }: { c: Contract; onChange: (body: Record<string, unknown>) => void }) {
  const [staff, setStaff] = useState<Staff[]>([]);
  useEffect(() => { api<{ users: Staff[] }>('GET', '/api/v1/users').then((r) => r.ok && setStaff(r.data.users)); }, []);
  return (
    <form aria-labelledby="change" onSubmit={(e) => {
      e.preventDefault();
      onChange({
        contact: { name: value('cc-name') || null, email: value('cc-email') || null },
        consultant_id: value('cc-consultant') ? Number(value('cc-consultant')) : null,
        shortfall_policy: value('cc-shortfall'),
        scope: value('cc-scope') || null,
      });
    }}>
      <h2 id="change">Change the contract</h2>
      <label for="cc-name">School's named contact</label><input id="cc-name" type="text" defaultValue={c.contact.name ?? ''} />
      <label for="cc-email">Their email</label><input id="cc-email" type="email" defaultValue={c.contact.email ?? ''} />
      <label for="cc-consultant">Consultant</label>
      <select id="cc-consultant"><option value="">Not yet named</option>
        {staff.filter((u) => u.services.includes(c.service) || u.id === c.consultant.id)
          .map((u) => <option value={u.id} selected={u.id === c.consultant.id}>{u.name}</option>)}</select>
      <label for="cc-scope">What the consultancy covers, as agreed with the school</label>
      <textarea id="cc-scope" rows={3} defaultValue={c.scope ?? ''} />
      <label for="cc-shortfall">Hours we cannot deliver are</label>
      <select id="cc-shortfall">
        <option value="refund" selected={c.shortfall_policy === 'refund'}>refunded at the year end</option>
        <option value="rollover" selected={c.shortfall_policy === 'rollover'}>rolled into next year's contract</option>
      </select>
      <div><button type="submit" class="secondary">Save the changes</button></div>
    </form>
  );
}

function YearEnd({ id }: { id: number }) {
  const [y, setY] = useState<{ owed_minutes: number; lapsed_minutes: number; carry_minutes: number; shortfall_policy: string; still_booked_minutes: number }>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => { api<typeof y>('GET', `/api/v1/contracts/${id}/year-end`).then((r) => r.ok && setY(r.data)); }, [id]);
  if (!y) return null;
  return (
    <form aria-labelledby="year-end" onSubmit={async (e) => {
      e.preventDefault();
      const body: Record<string, unknown> = { confirm: true };
      if (value('ye-into')) body.into = Number(value('ye-into'));
      const r = await api('POST', `/api/v1/contracts/${id}/year-end`, body);
      if (!r.ok) return setProblem(r.problem);
      location.reload();
    }}>
      <h2 id="year-end">Year end</h2>
      <p>If the year ended now: {hours(y.owed_minutes)} hours we could not deliver would be {y.shortfall_policy === 'refund' ? 'refunded' : 'rolled over'}, and {hours(y.lapsed_minutes)} unused hours would lapse.</p>
      <ProblemText problem={problem} />
      {y.carry_minutes > 0 && <><label for="ye-into">Next year's contract number</label><input id="ye-into" type="text" inputMode="numeric" /></>}
      <div><button type="submit" class="secondary">Confirm the year end</button></div>
    </form>
  );
}

type StatementData = {
  contract: Contract; term: string; from: string; to: string; opening_minutes: number; closing_minutes: number;
  due_at: string | null; sent_at: string | null; can_send: boolean;
  movements: { date: string; what: string; minutes: number; balance_minutes: number }[];
  owed_minutes: number; not_charged: { date: string; what: string; minutes: number; owed: boolean }[];
  still_booked: Visit[]; send_to: { name: string | null; email: string | null }; letter: string;
};

export function StatementPage({ id, term }: { id: number; term: string }) {
  const [s, setS] = useState<StatementData>();
  const [problem, setProblem] = useState<Problem>();
  const load = () => api<StatementData>('GET', `/api/v1/contracts/${id}/statement?term=${encodeURIComponent(term)}`).then((r) => r.ok ? setS(r.data) : setProblem(r.problem));
  useEffect(() => { load(); }, [id, term]);
  async function mail() {
    const r = await api('POST', `/api/v1/contracts/${id}/statement/send`, { term });
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    load();
  }
  async function sent() {
    const r = await api('POST', `/api/v1/contracts/${id}/statement/sent`, { term });
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    load();
  }
  if (!s) return <main id="main"><h1>Statement</h1><ProblemText problem={problem} /></main>;
  const base = `/api/v1/contracts/${id}/statement?term=${term}`;
  return (
    <main id="main">
      <p><a href={`#/contracts/${id}`}>Back to the contract</a></p>
      <h1>{s.contract.school.name}: statement for {s.term}</h1>
      <p>{s.from} to {s.to}. Download as <a href={`${base}&format=xlsx`}>Excel</a> or <a href={`${base}&format=pdf`}>PDF</a>.</p>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Date</th><th scope="col">Movement</th><th scope="col">Hours</th><th scope="col">Balance</th></tr></thead>
        <tbody>
          <tr><td></td><th scope="row">Opening balance</th><td></td><td>{hours(s.opening_minutes)}</td></tr>
          {s.movements.map((m) => <tr><td>{m.date}</td><td>{m.what}</td><td>{hours(m.minutes)}</td><td>{hours(m.balance_minutes)}</td></tr>)}
          <tr><td></td><th scope="row">Closing balance</th><td></td><td>{hours(s.closing_minutes)}</td></tr>
          <tr><td></td><th scope="row">Owed by us</th><td></td><td>{hours(s.owed_minutes)}</td></tr>
        </tbody>
      </table></div>
      <h2>Not charged this term</h2>
      {s.not_charged.length === 0 ? <p>None.</p> : <ul>{s.not_charged.map((x) => <li>{x.date}: {x.what}, {hours(x.minutes)} hours{x.owed && ' (owed by us)'}</li>)}</ul>}
      <h2>Visits still booked</h2>
      {s.still_booked.length === 0 ? <p>None.</p> : <ul>{s.still_booked.map((v) => <li>{inWords(v.starts_at)}, {hours(v.booked_minutes)} hours{v.consultant.name && <> with {v.consultant.name}</>}</li>)}</ul>}
      <h2>To send</h2>
      <ProblemText problem={problem} />
      {s.due_at && <p>The charter promises it by {inWords(s.due_at)}.</p>}
      {s.sent_at
        ? <p class="notice" role="status">Recorded as sent on {inWords(s.sent_at)}.</p>
        : !s.can_send
        ? <p class="notice">The term begins on {s.from}; its statement can be sent once it has begun.</p>
        : <div>
            {s.send_to.email && <button type="button" onClick={mail}>E-mail it to {s.send_to.name ?? s.send_to.email}</button>}
            <button type="button" class="secondary" onClick={sent}>Record it as sent (sent another way)</button>
          </div>}
      <p>To: {s.send_to.name ?? 'no named contact'}{s.send_to.email && <> ({s.send_to.email})</>}</p>
      <pre class="letter">{s.letter}</pre>
    </main>
  );
}

export function Timetable({ user }: { user: User }) {
  const [visits, setVisits] = useState<Visit[]>([]);
  const [capacity, setCapacity] = useState<Capacity[]>([]);
  const [problem, setProblem] = useState<Problem>();
  const [term, setTerm] = useState(termOf(new Date()));
  const [typed, setTyped] = useState(term);
  const [who, setWho] = useState(String(user.id));
  const [from, setFrom] = useState(''), [fromTyped, setFromTyped] = useState('');
  useEffect(() => {
    const q = new URLSearchParams();
    if (who) q.set('consultant', who);
    if (from) {
      // Six weeks from the day given.
      const to = new Date(`${from}T12:00:00Z`);
      to.setUTCDate(to.getUTCDate() + 41);
      q.set('from', from);
      q.set('to', to.toISOString().slice(0, 10));
    }
    api<{ visits: Visit[] }>('GET', `/api/v1/visits?${q}`).then((r) => {
      if (!r.ok) return setProblem(r.problem);
      setProblem(undefined);
      setVisits(r.data.visits);
    });
  }, [who, from]);
  useEffect(() => {
    api<{ consultants: Capacity[] }>('GET', `/api/v1/capacity?term=${encodeURIComponent(term)}`).then((r) => r.ok ? setCapacity(r.data.consultants) : setProblem(r.problem));
  }, [term]);
  return (
    <main id="main">
      <h1>Timetables and capacity</h1>
      <ProblemText problem={problem} />
      <label for="tt-who">Whose visits</label>
      <select id="tt-who" value={who} onChange={(e) => setWho((e.target as HTMLSelectElement).value)}>
        <option value={String(user.id)}>Mine</option><option value="">Everyone's</option>
      </select>
      <form onSubmit={(e) => { e.preventDefault(); setFrom(fromTyped.trim()); }}>
        <label for="tt-from">Six weeks from (leave empty for last week on)</label>
        <input id="tt-from" type="text" placeholder="2026-01-05" value={fromTyped} onInput={(e) => setFromTyped((e.target as HTMLInputElement).value)} />
        <div><button type="submit" class="secondary">Show the weeks</button></div>
      </form>
      <h2>{from ? `Visits in the six weeks from ${from}` : 'Visits from last week to six weeks ahead'}</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">When</th><th scope="col">School</th><th scope="col">Hours</th><th scope="col">Consultant</th><th scope="col">Status</th></tr></thead>
        <tbody>{visits.map((v) => (
          <tr><td>{inWords(v.starts_at)}</td><td><a href={`#/contracts/${v.contract_id}`}>{v.school}</a></td><td>{hours(v.booked_minutes)}</td><td>{v.consultant.name ?? ''}</td><td>{v.status}</td></tr>
        ))}</tbody>
      </table></div>
      {visits.length === 0 && <p>No visits in these weeks.</p>}
      {/* What is owed to schools before their visits, in front of whoever books them. */}
      <h2>To tell schools before their visits</h2>
      {(() => {
        const owed = visits.filter((v) => v.status === 'booked' &&
          ((v.resources?.due_at && !v.resources.told_at) || (v.release && !v.release.told_at)));
        return owed.length === 0 ? <p>Nothing to tell schools for these weeks.</p> : <ul>{owed.map((v) => (
          <li class={v.resources?.due_at && !v.resources.told_at && new Date(v.resources.due_at) < new Date() ? 'state-breached' : ''}>
            <a href={`#/contracts/${v.contract_id}`}>{v.school}</a>, {inWords(v.starts_at)}:
            {v.resources?.due_at && !v.resources.told_at && <> what the training needs, by {inWords(v.resources.due_at)}.</>}
            {v.release && !v.release.told_at && <> that the {v.release.for} must be released.</>}
          </li>))}</ul>;
      })()}
      <h2>Capacity</h2>
      <form onSubmit={(e) => { e.preventDefault(); setTerm(typed.trim()); }}>
        <label for="tt-term">Term</label>
        <input id="tt-term" type="text" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <div><button type="submit" class="secondary">Show the term</button></div>
      </form>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Consultant</th><th scope="col">Services</th><th scope="col">Working hours</th><th scope="col">Kept free</th><th scope="col">Bookable</th><th scope="col">Booked</th></tr></thead>
        <tbody>{capacity.map((k) => (
          <tr><td>{k.consultant.name}</td><td>{k.services.join(', ')}</td><td>{hours(k.working_minutes)}</td><td>{k.contingency_percent}%</td>
            <td>{hours(k.available_minutes)}</td><td class={k.over ? 'state-breached' : ''}>{hours(k.booked_minutes)}{k.over && ' (over: no time kept for absence)'}</td></tr>
        ))}</tbody>
      </table></div>
      {capacity.length === 0 && <p>No visits booked in {term}.</p>}
    </main>
  );
}
