// The staff desk in the browser: sign in, the queues, opening a case from
// a call or letter, and working a case (log contacts that meet promises,
// assign, pause, resume, close). Routes live in the URL's hash.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem, setCsrf } from './api';
import { ContractPage, Contracts, StatementPage, Timetable } from './hours';
import { ProblemText, Staff, User } from './ui';
type Obligation = {
  id: number; promise: string; kind: string; due_at: string; state: string; met_at: string | null;
  text: string; working_days_left?: number;
};

function daysLeft(n: number | undefined): string {
  if (n === undefined) return '';
  if (n > 1) return `: ${n} working days left`;
  if (n === 1) return ': 1 working day left';
  if (n === 0) return ': due by the end of the working day';
  return n === -1 ? ': 1 working day overdue' : `: ${-n} working days overdue`;
}
type Contact = { id: number; direction: string; channel: string; at: string; who: string | null; summary: string | null; outcome: string | null };
type TimelineEvent = { at: string; actor: number | null; what: string; detail: string | null };
type Case = {
  id: number; service: string; kind: string; channel: string; received_at: string; subject: string;
  requester: { name: string | null; email: string | null }; officer_id: number | null; flags: string[];
  person_id?: number | null; organisation_id?: number | null;
  status: string; version: number; next_due_at: string | null;
  obligations?: Obligation[]; contacts?: Contact[]; events?: TimelineEvent[];
};
type Service = { service: string; name: string; organisation: string };

const QUEUES: [string, string][] = [
  ['mine', 'My cases'], ['due-today', 'Due today'], ['at-risk', 'At risk'],
  ['overdue', 'Overdue'], ['unassigned', 'Unassigned'],
];
const CHANNELS = ['phone', 'voicemail', 'email', 'letter', 'web', 'in-person', 'social'];

function Login({ onIn }: { onIn: (u: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem>();
  async function submit(e: Event) {
    e.preventDefault();
    const r = await api<{ csrf_token: string; user: User }>('POST', '/api/v1/session', { email, password });
    if (!r.ok) return setProblem(r.problem);
    setCsrf(r.data.csrf_token);
    onIn(r.data.user);
  }
  return (
    <main id="main">
      <h1>Sign in to the desk</h1>
      <ProblemText problem={problem} />
      <form onSubmit={submit}>
        <label for="email">Email address</label>
        <input id="email" type="email" autocomplete="username" value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function NewCase({ onMade }: { onMade: (id: number) => void }) {
  const [services, setServices] = useState<Service[]>([]);
  const [form, setForm] = useState({ service: '', channel: 'phone', subject: '', name: '', email: '', received_at: '' });
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => {
      if (r.ok) {
        setServices(r.data.services);
        setForm((f) => ({ ...f, service: r.data.services[0]?.service ?? '' }));
      }
    });
  }, []);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      service: form.service, channel: form.channel, subject: form.subject,
      requester: { name: form.name || null, email: form.email || null },
    };
    if (form.received_at) body.received_at = form.received_at;
    const r = await api<Case>('POST', '/api/v1/cases', body);
    if (!r.ok) return setProblem(r.problem);
    onMade(r.data.id);
  }
  return (
    <form onSubmit={submit} aria-labelledby="new-case">
      <h2 id="new-case">Log a new contact</h2>
      <ProblemText problem={problem} />
      <label for="nc-service">Service</label>
      <select id="nc-service" value={form.service} onChange={set('service')}>
        {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
      </select>
      <label for="nc-channel">How it came in</label>
      <select id="nc-channel" value={form.channel} onChange={set('channel')}>
        {CHANNELS.map((c) => <option value={c}>{c}</option>)}
      </select>
      <label for="nc-received">When it arrived (leave empty for now; a letter's post-room date)</label>
      <input id="nc-received" type="text" placeholder="2026-12-18T16:45" value={form.received_at} onInput={set('received_at')} />
      <label for="nc-subject">What it is about</label>
      <input id="nc-subject" type="text" value={form.subject} onInput={set('subject')} />
      <label for="nc-name">Their name</label>
      <input id="nc-name" type="text" value={form.name} onInput={set('name')} />
      <label for="nc-email">Their email</label>
      <input id="nc-email" type="email" value={form.email} onInput={set('email')} />
      <button type="submit">Open the case</button>
    </form>
  );
}

function Dashboard() {
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [queue, setQueue] = useState('overdue');
  const [cases, setCases] = useState<Case[]>([]);
  useEffect(() => {
    for (const [q] of QUEUES)
      api<{ cases: Case[] }>('GET', `/api/v1/queues/${q}?limit=200`).then((r) => {
        if (r.ok) setCounts((c) => ({ ...c, [q]: r.data.cases.length }));
      });
  }, []);
  useEffect(() => {
    api<{ cases: Case[] }>('GET', `/api/v1/queues/${queue}?limit=50`).then((r) => r.ok && setCases(r.data.cases));
  }, [queue]);
  return (
    <main id="main">
      <h1>Your desk</h1>
      <div class="columns">
        <section aria-labelledby="queues">
          <h2 id="queues">Queues</h2>
          <ul class="queues">
            {QUEUES.map(([q, label]) => (
              <li><button type="button" aria-pressed={queue === q} onClick={() => setQueue(q)}>
                <span class="count">{counts[q] ?? '...'}</span>{label}</button></li>
            ))}
          </ul>
          <div class="table-wrap">
            <table>
              <caption>{QUEUES.find(([q]) => q === queue)?.[1]}, soonest due first</caption>
              <thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Service</th><th scope="col">Next due</th></tr></thead>
              <tbody>
                {cases.map((c) => (
                  <tr><td><a href={`#/cases/${c.id}`}>{c.id}</a></td><td>{c.subject}</td><td>{c.service}</td><td>{inWords(c.next_due_at)}</td></tr>
                ))}
              </tbody>
            </table>
            {cases.length === 0 && <p>Nothing here.</p>}
          </div>
        </section>
        <section><NewCase onMade={(id) => { location.hash = `#/cases/${id}`; }} /></section>
      </div>
      <OnTime />
    </main>
  );
}

// Each promise's share kept on time over the last twelve months.
function OnTime() {
  const [rows, setRows] = useState<ReportRow[]>([]);
  useEffect(() => {
    api<{ rows: ReportRow[] }>('GET', '/api/v1/reports/compliance').then((r) => r.ok && setRows(r.data.rows));
  }, []);
  const keys = [...new Set(rows.map((r) => `${r.service} ${r.promise}`))];
  return (
    <section aria-labelledby="on-time">
      <h2 id="on-time">Kept on time, last twelve months</h2>
      {keys.length === 0 && <p>No promise has fallen due yet.</p>}
      <div class="charts">
        {keys.map((k) => {
          const [service, promise] = k.split(' ');
          return (
            <figure>
              <RateChart rows={rows.filter((r) => `${r.service} ${r.promise}` === k)}
                title={`Share of ${promise} kept on time by month, ${service}`} />
              <figcaption>{promise} ({service})</figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}

function CasePage({ id, user }: { id: number; user: User }) {
  const [c, setCase] = useState<Case>();
  const [etag, setEtag] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const [contact, setContact] = useState({ direction: 'outbound', channel: 'phone', summary: '', at: '', expected: '', meets: [] as string[] });
  const [staff, setStaff] = useState<Staff[]>([]);
  useEffect(() => {
    if (user.role !== 'officer')
      api<{ users: Staff[] }>('GET', '/api/v1/users').then((r) => r.ok && setStaff(r.data.users));
  }, []);
  async function load() {
    const r = await api<Case>('GET', `/api/v1/cases/${id}`);
    if (!r.ok) return setProblem(r.problem);
    setCase(r.data);
    setEtag(r.etag);
  }
  useEffect(() => { load(); }, [id]);
  async function change(body: Record<string, unknown>) {
    const r = await api<Case>('PATCH', `/api/v1/cases/${id}`, body, etag);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setCase(r.data);
    setEtag(r.etag);
  }
  async function log(e: Event) {
    e.preventDefault();
    // An acknowledgement tells them when to expect the answer.
    const summary = contact.meets.includes('acknowledge') && contact.expected
      ? `${contact.summary}${contact.summary ? ' ' : ''}(Told them to expect our answer by ${contact.expected}.)`
      : contact.summary;
    const body: Record<string, unknown> = { direction: contact.direction, channel: contact.channel, summary, meets: contact.meets };
    if (contact.at) body.at = contact.at;
    const r = await api<Case>('POST', `/api/v1/cases/${id}/contacts`, body, etag);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setCase(r.data);
    setEtag(r.etag);
    setContact({ ...contact, summary: '', at: '', expected: '', meets: [] });
  }
  if (!c) return <main id="main"><h1>Case {id}</h1><ProblemText problem={problem} /></main>;
  const toggle = (k: string) => setContact({
    ...contact, meets: contact.meets.includes(k) ? contact.meets.filter((m) => m !== k) : [...contact.meets, k],
  });
  return (
    <main id="main">
      <p><a href="#/">Back to the queues</a></p>
      <h1>Case {c.id}: {c.subject}</h1>
      <ProblemText problem={problem} />
      <p>{c.kind} by {c.channel} to {c.service}, received {inWords(c.received_at)}. Status: <strong>{c.status}</strong>.
        {c.requester.name && <> From {c.person_id ? <a href={`#/people/${c.person_id}`}>{c.requester.name}</a> : c.requester.name}{c.requester.email && <> ({c.requester.email})</>}.</>}</p>
      <h2>What we promised</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Promise</th><th scope="col">Due</th><th scope="col">State</th></tr></thead>
        <tbody>{(c.obligations ?? []).map((o) => (
          <tr><td>{o.text}</td><td>due {inWords(o.due_at)}{daysLeft(o.working_days_left)}</td><td class={`state-${o.state}`}>{o.state}{o.met_at && <> on {inWords(o.met_at)}</>}</td></tr>
        ))}</tbody>
      </table></div>
      {(c.obligations ?? []).length === 0 && <p>No time-limited promise applies to this case.</p>}
      <div>
        {c.officer_id !== user.id && <button type="button" class="secondary" onClick={() => change({ officer_id: user.id })}>Assign to me</button>}
        {c.status === 'open' && <button type="button" class="secondary" onClick={() => change({ status: 'paused' })}>Pause (waiting for them)</button>}
        {c.status === 'paused' && <button type="button" class="secondary" onClick={() => change({ status: 'open' })}>Resume</button>}
        {c.status !== 'closed' && <button type="button" class="secondary" onClick={() => change({ status: 'closed' })}>Close</button>}
        {!c.flags.includes('complex')
          ? <button type="button" class="secondary" onClick={() => change({ flags: [...c.flags, 'complex'] })}>Flag as complex</button>
          : <button type="button" class="secondary" onClick={() => change({ flags: c.flags.filter((f) => f !== 'complex') })}>Not complex after all</button>}
      </div>
      {c.flags.length > 0 && <p>Flags: {c.flags.join(', ')}</p>}
      {staff.length > 0 && (
        <form onSubmit={(e) => { e.preventDefault(); const v = (document.getElementById('reassign') as HTMLSelectElement).value; change({ officer_id: v ? Number(v) : null }); }}>
          <label for="reassign">Officer</label>
          <select id="reassign">
            <option value="">Nobody</option>
            {staff.filter((u) => u.role === 'admin' || u.services.includes(c.service)).map((u) =>
              <option value={u.id} selected={u.id === c.officer_id}>{u.name}</option>)}
          </select>
          <button type="submit" class="secondary">Reassign</button>
        </form>
      )}
      <form onSubmit={log} aria-labelledby="log-contact">
        <h2 id="log-contact">Log a contact</h2>
        <label for="lc-direction">Who made it</label>
        <select id="lc-direction" value={contact.direction} onChange={(e) => setContact({ ...contact, direction: (e.target as HTMLSelectElement).value })}>
          <option value="outbound">We did</option><option value="inbound">They did</option>
        </select>
        <label for="lc-channel">How</label>
        <select id="lc-channel" value={contact.channel} onChange={(e) => setContact({ ...contact, channel: (e.target as HTMLSelectElement).value })}>
          {CHANNELS.map((ch) => <option value={ch}>{ch}</option>)}
        </select>
        <label for="lc-at">When (leave empty for now; a letter's received date, a voicemail's time)</label>
        <input id="lc-at" type="text" placeholder="2026-12-18T16:45" value={contact.at} onInput={(e) => setContact({ ...contact, at: (e.target as HTMLInputElement).value })} />
        <label for="lc-summary">What was said</label>
        <textarea id="lc-summary" value={contact.summary} onInput={(e) => setContact({ ...contact, summary: (e.target as HTMLTextAreaElement).value })} />
        <fieldset><legend>This contact</legend>
          {['acknowledge', 'respond', 'resolve'].map((k) => (
            <div class="check"><input type="checkbox" id={`lc-${k}`} checked={contact.meets.includes(k)} onChange={() => toggle(k)} />
              <label for={`lc-${k}`}>{k === 'acknowledge' ? 'acknowledges it' : k === 'respond' ? 'answers it' : 'resolves it'}</label></div>
          ))}
        </fieldset>
        {contact.meets.includes('acknowledge') && <>
          <label for="lc-expected">When they can expect our answer</label>
          <input id="lc-expected" type="text" placeholder="Friday 8 January" value={contact.expected} onInput={(e) => setContact({ ...contact, expected: (e.target as HTMLInputElement).value })} />
        </>}
        <button type="submit">Log the contact</button>
      </form>
      <h2>Timeline</h2>
      <ol>{(c.events ?? []).map((e) => <li>{inWords(e.at)}: {e.what}{e.detail && <>, {e.detail}</>}</li>)}</ol>
    </main>
  );
}

type ReportRow = {
  service: string; promise: string; month: string; due: number; met_on_time: number;
  met_late: number; not_met: number; on_time_rate: number; median_working_hours: number | null;
};

// On-time rate by month for one promise, as bars; the table beside it
// carries the same figures for anyone who cannot see the chart.
function lastTwelveMonths(): string[] {
  const out: string[] = [];
  const d = new Date();
  for (let i = 11; i >= 0; i--) {
    const m = new Date(d.getFullYear(), d.getMonth() - i, 1);
    out.push(`${m.getFullYear()}-${String(m.getMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

function RateChart({ rows, title }: { rows: ReportRow[]; title: string }) {
  const months = lastTwelveMonths();
  const w = 600, h = 160, bar = w / months.length;
  return (
    <svg viewBox={`0 0 ${w} ${h + 20}`} role="img" aria-label={title} class="chart">
      {months.map((month, i) => {
        const r = rows.find((x) => x.month === month);
        const bh = r ? Math.round(r.on_time_rate * h) : 0;
        return (
          <g>
            <rect x={i * bar + 4} y={h - bh} width={bar - 8} height={bh} class="bar" />
            <text x={i * bar + bar / 2} y={h + 15} text-anchor="middle" class="axis">{month.slice(5)}</text>
          </g>
        );
      })}
    </svg>
  );
}

function Reports() {
  const [rows, setRows] = useState<ReportRow[]>([]);
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ rows: ReportRow[] }>('GET', '/api/v1/reports/compliance').then((r) =>
      r.ok ? setRows(r.data.rows) : setProblem(r.problem));
  }, []);
  const keys = [...new Set(rows.map((r) => `${r.service} ${r.promise}`))];
  return (
    <main id="main">
      <h1>How well we kept our promises</h1>
      <ProblemText problem={problem} />
      <p><a href="/api/v1/reports/compliance?format=csv" download="compliance.csv">Download the report (CSV)</a></p>
      {keys.length === 0 && <p>No promise fell due in the last twelve months.</p>}
      {keys.map((k) => {
        const mine = rows.filter((r) => `${r.service} ${r.promise}` === k);
        const [service, promise] = k.split(' ');
        return (
          <section aria-labelledby={`r-${promise}-${service}`}>
            <h2 id={`r-${promise}-${service}`}>{promise} ({service})</h2>
            <RateChart rows={mine} title={`Share kept on time by month for ${promise}`} />
            <div class="table-wrap"><table>
              <thead><tr><th scope="col">Month</th><th scope="col">Fell due</th><th scope="col">Kept on time</th>
                <th scope="col">Kept late</th><th scope="col">Not kept</th><th scope="col">Median working hours</th></tr></thead>
              <tbody>{mine.map((r) => (
                <tr><td>{r.month}</td><td>{r.due}</td><td>{r.met_on_time} ({Math.round(r.on_time_rate * 100)}%)</td>
                  <td>{r.met_late}</td><td>{r.not_met}</td><td>{r.median_working_hours ?? ''}</td></tr>
              ))}</tbody>
            </table></div>
          </section>
        );
      })}
    </main>
  );
}

type Person = { id: number; name: string; email: string | null; phone: string | null; date_of_birth: string | null; cases: Case[] };

function CaseTable({ cases }: { cases: Case[] }) {
  if (cases.length === 0) return <p>No cases you can see.</p>;
  return (
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Received</th></tr></thead>
      <tbody>{cases.map((c) => (
        <tr><td><a href={`#/cases/${c.id}`}>{c.id}</a></td><td>{c.subject}</td><td>{c.service}</td><td>{c.status}</td><td>{inWords(c.received_at)}</td></tr>
      ))}</tbody>
    </table></div>
  );
}

function PersonPage({ id, kind }: { id: number; kind: 'people' | 'organisations' }) {
  const [p, setP] = useState<Person & { kind?: string }>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<Person>('GET', `/api/v1/${kind}/${id}`).then((r) => (r.ok ? setP(r.data) : setProblem(r.problem)));
  }, [id, kind]);
  if (!p) return <main id="main"><h1>{kind === 'people' ? 'Person' : 'Organisation'} {id}</h1><ProblemText problem={problem} /></main>;
  return (
    <main id="main">
      <h1>{p.name}</h1>
      {kind === 'people' ? (
        <dl>
          {p.email && <><dt>Email</dt><dd>{p.email}</dd></>}
          {p.phone && <><dt>Phone</dt><dd>{p.phone}</dd></>}
          {p.date_of_birth && <><dt>Date of birth</dt><dd>{p.date_of_birth}</dd></>}
        </dl>
      ) : <p>{p.kind}</p>}
      <h2>Cases</h2>
      <CaseTable cases={p.cases} />
    </main>
  );
}

// Every case the officer may see, filtered and searched.
function CaseList() {
  const [services, setServices] = useState<Service[]>([]);
  const [filter, setFilter] = useState({ service: '', kind: '', status: 'open', officer_id: '', q: '' });
  const [cases, setCases] = useState<Case[]>([]);
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => r.ok && setServices(r.data.services));
  }, []);
  async function search(e?: Event) {
    e?.preventDefault();
    const query = Object.entries(filter).filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const r = await api<{ cases: Case[] }>('GET', `/api/v1/cases?${query}`);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setCases(r.data.cases);
  }
  useEffect(() => { search(); }, []);
  const set = (k: string) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  return (
    <main id="main">
      <h1>Cases</h1>
      <form onSubmit={search} class="filters" aria-label="Filter the cases">
        <div><label for="f-q">Words to find</label>
          <input id="f-q" type="text" value={filter.q} onInput={set('q')} /></div>
        <div><label for="f-service">Service</label>
          <select id="f-service" value={filter.service} onChange={set('service')}>
            <option value="">All my services</option>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select></div>
        <div><label for="f-kind">Kind</label>
          <select id="f-kind" value={filter.kind} onChange={set('kind')}>
            <option value="">Any kind</option>
            {['enquiry', 'service-order', 'complaint', 'feedback', 'foi', 'sar'].map((k) => <option value={k}>{k}</option>)}
          </select></div>
        <div><label for="f-status">State</label>
          <select id="f-status" value={filter.status} onChange={set('status')}>
            <option value="">Any state</option><option value="open">open</option>
            <option value="paused">paused</option><option value="closed">closed</option>
          </select></div>
        <div><label for="f-officer">Officer</label>
          <select id="f-officer" value={filter.officer_id} onChange={set('officer_id')}>
            <option value="">Anyone</option><option value="me">Me</option><option value="none">Nobody yet</option>
          </select></div>
        <button type="submit">Show cases</button>
      </form>
      <ProblemText problem={problem} />
      <p role="status">{cases.length === 1 ? '1 case' : `${cases.length} cases`}</p>
      <CaseTable cases={cases} />
    </main>
  );
}


// Staff and their services; administrators add people; anyone can make an
// API token for themselves.
function StaffPage({ user }: { user: User }) {
  const [staff, setStaff] = useState<Staff[]>([]);
  const [services, setServices] = useState<Service[]>([]);
  const [form, setForm] = useState({ email: '', name: '', role: 'officer', password: '', service: '' });
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem>();
  async function load() {
    const r = await api<{ users: Staff[] }>('GET', '/api/v1/users');
    if (r.ok) setStaff(r.data.users);
    const s = await api<{ services: Service[] }>('GET', '/api/v1/services');
    if (s.ok) setServices(s.data.services);
  }
  useEffect(() => { load(); }, []);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  async function add(e: Event) {
    e.preventDefault();
    const r = await api('POST', '/api/v1/users', {
      email: form.email, name: form.name, role: form.role, password: form.password,
      services: form.service ? [form.service] : [],
    });
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setNotice(`Added ${form.name}.`);
    setForm({ email: '', name: '', role: 'officer', password: '', service: '' });
    load();
  }
  async function token() {
    const r = await api<{ token: string }>('POST', '/api/v1/tokens');
    if (r.ok) setNotice(`Your new API token (shown once): ${r.data.token}`);
    else setProblem(r.problem);
  }
  return (
    <main id="main">
      <h1>Staff</h1>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Services</th></tr></thead>
        <tbody>{staff.map((u) => (
          <tr><td>{u.name}</td><td>{u.email}</td><td>{u.role}</td><td>{u.services.join(', ') || (u.role === 'admin' ? 'all' : 'none')}</td></tr>
        ))}</tbody>
      </table></div>
      <button type="button" class="secondary" onClick={token}>Make an API token for me</button>
      {user.role === 'admin' && (
        <form onSubmit={add} aria-labelledby="add-staff">
          <h2 id="add-staff">Add a member of staff</h2>
          <label for="s-name">Name</label><input id="s-name" type="text" value={form.name} onInput={set('name')} />
          <label for="s-email">Email</label><input id="s-email" type="email" value={form.email} onInput={set('email')} />
          <label for="s-role">Role</label>
          <select id="s-role" value={form.role} onChange={set('role')}>
            <option value="officer">officer</option><option value="manager">manager</option><option value="admin">admin</option>
          </select>
          <label for="s-service">Service</label>
          <select id="s-service" value={form.service} onChange={set('service')}>
            <option value="">None</option>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select>
          <label for="s-password">First password (at least 10 characters)</label>
          <input id="s-password" type="password" autocomplete="new-password" value={form.password} onInput={set('password')} />
          <button type="submit">Add</button>
        </form>
      )}
    </main>
  );
}

type PolicyProblem = { line: number; column: number; message: string };

type LoadedPolicy = { id: string; organisation: string; version: number; review_by: string; services: number; promises: number };

// The charters the desk runs, with their version in the policy history.
function Loaded() {
  const [policies, setPolicies] = useState<LoadedPolicy[]>([]);
  useEffect(() => {
    api<{ policies: LoadedPolicy[] }>('GET', '/api/v1/policies').then((r) => r.ok && setPolicies(r.data.policies));
  }, []);
  return (
    <div class="table-wrap"><table>
      <caption>Charters in use</caption>
      <thead><tr><th scope="col">Charter</th><th scope="col">Organisation</th><th scope="col">Version</th>
        <th scope="col">Services</th><th scope="col">Promises</th><th scope="col">Review by</th></tr></thead>
      <tbody>{policies.map((p) => (
        <tr><td>{p.id}</td><td><a href={`/public/${p.id}`}>{p.organisation}</a></td><td>{p.version}</td>
          <td>{p.services}</td><td>{p.promises}</td><td>{p.review_by}</td></tr>
      ))}</tbody>
    </table></div>
  );
}

// Administrators load a charter: the file is checked first, and each
// problem is shown beside the line it concerns.
function Admin() {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<PolicyProblem[]>([]);
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem>();
  async function send(load: boolean) {
    setNotice('');
    setProblem(undefined);
    const r = await api<{ id: string; organisation?: string; detail?: string; problems?: PolicyProblem[] }>(
      'POST', load ? '/api/v1/policies' : '/api/v1/policies/check', { text });
    const found = (r.data as { problems?: PolicyProblem[] })?.problems ?? [];
    setProblems(found);
    if (r.ok) setNotice(load ? `Loaded ${r.data.id}. ${r.data.detail ?? ''}` : `${r.data.id} is valid.`);
    else if (!found.length) setProblem(r.problem);
  }
  async function pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  }
  const lines = text.split('\n');
  return (
    <main id="main">
      <h1>Charters</h1>
      <Loaded />
      <h2>Load a charter</h2>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      <label for="policy-file">Policy file (YAML)</label>
      <input id="policy-file" type="file" accept=".yaml,.yml,text/yaml" onChange={pick} />
      <label for="policy-text">Or paste it here</label>
      <textarea id="policy-text" rows={12} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="button" class="secondary" onClick={() => send(false)}>Check it</button>
      <button type="button" onClick={() => send(true)}>Load it</button>
      {problems.length > 0 && (
        <section aria-labelledby="problems">
          <h2 id="problems">{problems.length === 1 ? '1 problem' : `${problems.length} problems`} to fix</h2>
          <ol class="policy-lines">
            {lines.map((line, i) => {
              const here = problems.filter((p) => p.line === i + 1);
              if (!here.length && !problems.some((p) => Math.abs(p.line - (i + 1)) <= 2)) return null;
              return (
                <li value={i + 1} class={here.length ? 'has-problem' : ''}>
                  <code>{line || ' '}</code>
                  {here.map((p) => <p class="error">Line {p.line}, column {p.column}: {p.message}</p>)}
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </main>
  );
}

function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [route, setRoute] = useState(location.hash);
  useEffect(() => {
    const on = () => setRoute(location.hash);
    addEventListener('hashchange', on);
    api<{ csrf_token: string | null; user: User }>('GET', '/api/v1/session').then((r) => {
      if (r.ok) {
        setCsrf(r.data.csrf_token ?? '');
        setUser(r.data.user);
      } else {
        setUser(null);
      }
    });
    return () => removeEventListener('hashchange', on);
  }, []);
  if (user === undefined) return <main id="main"><p>Loading the desk...</p></main>;
  const header = (
    <header><a href="#/">Charter</a>{user && <><a href="#/cases">Cases</a><a href="#/reports">Reports</a><a href="#/contracts">Hours</a>{user.role !== 'officer' && <a href="#/staff">Staff</a>}{user.role === 'admin' && <a href="#/admin">Charters</a>}<span class="who">{user.name} ({user.role})</span></>}</header>
  );
  if (!user) return <>{header}<Login onIn={setUser} /></>;
  const m = route.match(/^#\/(cases|people|organisations)\/(\d+)$/);
  let page, h;
  if (route === '#/reports') page = <Reports />;
  else if (route === '#/cases') page = <CaseList />;
  else if (route === '#/staff') page = <StaffPage user={user} />;
  else if (route === '#/admin') page = <Admin />;
  else if (route === '#/contracts') page = <Contracts user={user} />;
  else if (route === '#/timetable') page = <Timetable user={user} />;
  else if ((h = route.match(/^#\/contracts\/(\d+)$/))) page = <ContractPage id={Number(h[1])} user={user} />;
  else if ((h = route.match(/^#\/contracts\/(\d+)\/statement\/([a-z]+-\d{4})$/))) page = <StatementPage id={Number(h[1])} term={h[2]} />;
  else if (m && m[1] === 'cases') page = <CasePage id={Number(m[2])} user={user} />;
  else if (m) page = <PersonPage id={Number(m[2])} kind={m[1] as 'people' | 'organisations'} />;
  else page = <Dashboard />;
  return <>{header}{page}</>;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading" placeholder
render(<App />, root);
