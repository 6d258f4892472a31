// Staff availability in the desk: a person's working pattern and absences
// (on Your account, and for managers and administrators on the Staff page),
// the warning when work is given to someone away with the offer to give it
// to their alternative, the queues of colleagues one covers, and the banner
// for charters past their review date.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { CaseTable, Case } from './cases';
import { ProblemText, User } from './ui';

export type Pattern = { days: string[]; start: string | null; end: string | null; term_time_only: boolean };
export type Absence = {
  from: string; to: string | null; cover_user_id: number | null; cover_name?: string | null;
  cover_text: string | null; note: string | null;
};
export type Away = { until: string | null; back_on: string | null; cover_user_id: number | null };
type Availability = {
  user_id: number; name: string; working_pattern: Pattern | null; absences: Absence[]; away: Away | null;
  out_of_office: string | null; signature: string; colleagues: { id: number; name: string }[];
};

const DAYS: [string, string][] = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'],
  ['sat', 'Saturday'], ['sun', 'Sunday'],
];
const value = (e: Event) => (e.target as HTMLInputElement).value;

// "Mon 4 Jan 2027" from "2027-01-04", in the desk's words.
export function dayText(d: string | null): string {
  if (!d) return 'not known';
  const t = new Date(`${d}T12:00:00Z`);
  return t.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

// What an absence says in a list: the dates and who covers.
function absenceText(a: Absence): string {
  const when = a.to ? `${dayText(a.from)} to ${dayText(a.to)}` : `from ${dayText(a.from)}, return not known`;
  const who = [a.cover_name, a.cover_text].filter(Boolean).join(', or ');
  return `${when}; urgent matters to ${who}${a.note ? ` (${a.note})` : ''}`;
}

// A person's working pattern and absences, changed by them, their manager
// (for an officer) or an administrator. who is "your" or the person's name.
export function AvailabilityEditor({ userId, who, onSaved }: { userId: number; who: string; onSaved?: () => void }) {
  const [info, setInfo] = useState<Availability>();
  const [days, setDays] = useState<string[]>([]);
  const [hours, setHours] = useState({ start: '', end: '' });
  const [termTime, setTermTime] = useState(false);
  const [draft, setDraft] = useState({ from: '', to: '', cover: '', text: '', note: '' });
  const [problem, setProblem] = useState<Problem>();
  const [notice, setNotice] = useState('');
  async function load() {
    const r = await api<Availability>('GET', `/api/v1/users/${userId}/out-of-office`);
    if (!r.ok) return setProblem(r.problem);
    setInfo(r.data);
    const p = r.data.working_pattern;
    setDays(p?.days ?? []);
    setHours({ start: p?.start ?? '', end: p?.end ?? '' });
    setTermTime(p?.term_time_only ?? false);
  }
  useEffect(() => { load(); }, [userId]);
  async function send(body: Record<string, unknown>, said: string) {
    const r = await api('PATCH', `/api/v1/users/${userId}`, body);
    if (!r.ok) {
      setNotice('');
      setProblem(r.problem);
      return false;
    }
    setProblem(undefined);
    await load(); // the notice after what it speaks of is drawn
    setNotice(said);
    onSaved?.();
    return true;
  }
  function savePattern(e: Event) {
    e.preventDefault();
    const pattern: Record<string, unknown> = { days, term_time_only: termTime };
    if (hours.start || hours.end) {
      pattern.start = hours.start || null;
      pattern.end = hours.end || null;
    }
    send({ working_pattern: days.length ? pattern : null }, days.length ? 'The working pattern is saved.' : 'The working pattern is cleared: a standard week.');
  }
  // The API replaces the list whole: what was there, without the names it adds.
  const plain = (list: Absence[]) => list.map(({ cover_name, ...a }) => {
    void cover_name;
    return a;
  });
  async function addAbsence(e: Event) {
    e.preventDefault();
    const a: Absence = {
      from: draft.from, to: draft.to || null, cover_user_id: draft.cover ? Number(draft.cover) : null,
      cover_text: draft.text || null, note: draft.note || null,
    };
    if (await send({ absences: [...plain(info?.absences ?? []), a] }, 'The absence is recorded.'))
      setDraft({ from: '', to: '', cover: '', text: '', note: '' });
  }
  function remove(i: number) {
    const list = plain(info?.absences ?? []).filter((_, k) => k !== i);
    send({ absences: list }, 'The absence is removed.');
  }
  const toggle = (d: string) => setDays(days.includes(d) ? days.filter((x) => x !== d) : [...days, d]);
  const id = `av-${userId}`;
  const title = who === 'your' ? 'Your working pattern and absences' : `Working pattern and absences of ${who}`;
  // Saving replaces the list whole, so nothing can be saved before what is
  // recorded has been read: the forms appear once it has.
  if (!info)
    return (
      <section aria-labelledby={`${id}-h`} class="availability">
        <h2 id={`${id}-h`}>{title}</h2>
        <ProblemText problem={problem} />
        {!problem && <p role="status">Reading what is recorded...</p>}
      </section>
    );
  return (
    <section aria-labelledby={`${id}-h`} class="availability">
      <h2 id={`${id}-h`}>{title}</h2>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      {info && <dl>
        <dt>Away now</dt><dd>{info.away ? `Yes, back on ${dayText(info.away.back_on)}` : 'No'}</dd>
        <dt>Out-of-office reply</dt><dd>{info.out_of_office ?? 'None: not away today.'}</dd>
        <dt>Signature</dt><dd>{info.signature}</dd>
      </dl>}
      <form onSubmit={savePattern}>
        <fieldset><legend>Days worked (leave all unticked for a standard week)</legend>
          {DAYS.map(([k, name]) => (
            <div class="check"><input type="checkbox" id={`${id}-day-${k}`} checked={days.includes(k)} onChange={() => toggle(k)} />
              <label for={`${id}-day-${k}`}>{name}</label></div>
          ))}
        </fieldset>
        <label for={`${id}-start`}>Start of the working day (optional, as 09:00)</label>
        <input id={`${id}-start`} class="short" type="time" value={hours.start} onInput={(e) => setHours({ ...hours, start: value(e) })} />
        <label for={`${id}-end`}>End of the working day (as 15:00)</label>
        <input id={`${id}-end`} class="short" type="time" value={hours.end} onInput={(e) => setHours({ ...hours, end: value(e) })} />
        <div class="check"><input type="checkbox" id={`${id}-term`} checked={termTime} onChange={() => setTermTime(!termTime)} />
          <label for={`${id}-term`}>Term time only</label></div>
        <button type="submit" class="secondary">Save the working pattern</button>
      </form>
      <h3>Absences</h3>
      {info && info.absences.length === 0 && <p>No absences are recorded.</p>}
      {info && info.absences.length > 0 && <ul class="plain absences">{info.absences.map((a, i) => (
        <li>{absenceText(a)} <button type="button" class="secondary inline" onClick={() => remove(i)}>Remove <span class="visually-hidden">the absence from {dayText(a.from)}</span></button></li>
      ))}</ul>}
      <form onSubmit={addAbsence}>
        <h4>Add an absence</h4>
        <label for={`${id}-from`}>First day away</label>
        <input id={`${id}-from`} type="date" value={draft.from} onInput={(e) => setDraft({ ...draft, from: value(e) })} />
        <label for={`${id}-to`}>Last day away (leave empty if not known)</label>
        <input id={`${id}-to`} type="date" value={draft.to} onInput={(e) => setDraft({ ...draft, to: value(e) })} />
        <label for={`${id}-cover`}>Colleague who covers</label>
        <select id={`${id}-cover`} value={draft.cover} onChange={(e) => setDraft({ ...draft, cover: value(e) })}>
          <option value="">Nobody named</option>
          {(info?.colleagues ?? []).map((c) => <option value={String(c.id)}>{c.name}</option>)}
        </select>
        <label for={`${id}-text`}>Or how to reach someone (as "the office on 020 7946 0000")</label>
        <input id={`${id}-text`} type="text" value={draft.text} onInput={(e) => setDraft({ ...draft, text: value(e) })} />
        <label for={`${id}-note`}>Note (optional)</label>
        <input id={`${id}-note`} type="text" value={draft.note} onInput={(e) => setDraft({ ...draft, note: value(e) })} />
        <button type="submit">Add the absence</button>
      </form>
    </section>
  );
}

// The answer to giving work to someone away, kept from a case's reply.
export type AwayWarning = { warning: string; alternative: { id: number; name: string } | null };
export function awayOf(data: unknown): AwayWarning | undefined {
  const d = data as { warning?: string; alternative?: { id: number; name: string } | null };
  return d && typeof d.warning === 'string' ? { warning: d.warning, alternative: d.alternative ?? null } : undefined;
}

// Shown on the case page after assigning or handing over to someone away.
export function AwayNotice({ away, onAssign }: { away?: AwayWarning; onAssign: (id: number, name: string) => void }) {
  // The warning comes after a button further down the page: the focus goes
  // to it, so the offer to assign to the alternative is the next Tab.
  const here = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => { if (away) here.current?.focus(); }, [away]);
  if (!away) return null;
  return (
    <div class="notice away-warning" role="status" tabIndex={-1} ref={here}>
      <p><strong>They are away.</strong> {away.warning}</p>
      {away.alternative && <button type="button" class="secondary" onClick={() => onAssign(away.alternative!.id, away.alternative!.name)}>
        Assign to {away.alternative.name} instead</button>}
    </div>
  );
}

type Covered = { id: number; name: string; back_on: string | null; cases: number };

// On the dashboard: the colleagues one covers while they are away, and
// their cases on request.
export function Covering() {
  const [covered, setCovered] = useState<Covered[]>([]);
  const [open, setOpen] = useState<{ who: Covered; cases: Case[] }>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ covering?: Covered[] }>('GET', '/api/v1/queues/mine?limit=1').then((r) => r.ok && setCovered(r.data.covering ?? []));
  }, []);
  async function show(who: Covered) {
    const r = await api<{ cases: Case[] }>('GET', `/api/v1/queues/mine?officer=${who.id}&limit=50`);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setOpen({ who, cases: r.data.cases });
  }
  if (!covered.length) return null;
  return (
    <section aria-labelledby="covering" class="covering">
      <h2 id="covering">You are covering</h2>
      <ProblemText problem={problem} />
      <ul class="plain">{covered.map((c) => (
        <li>{c.name} is away (back on {dayText(c.back_on)}) with {c.cases === 1 ? '1 case' : `${c.cases} cases`}.{' '}
          <button type="button" class="secondary inline" onClick={() => show(c)}>Show {c.name}'s cases</button></li>
      ))}</ul>
      {open && open.cases.length === 0 && <p>{open.who.name} has no open cases in your services.</p>}
      {open && <CaseTable cases={open.cases} due label={`Cases of ${open.who.name}, whom you cover`} />}
    </section>
  );
}

type Reviewed = { id: string; organisation: string; review_overdue: boolean; review_warning: string | null };

// For managers and administrators: charters past their review date.
export function ReviewBanner({ user }: { user: User }) {
  const [late, setLate] = useState<Reviewed[]>([]);
  useEffect(() => {
    if (user.role === 'officer') return;
    api<{ policies: Reviewed[] }>('GET', '/api/v1/policies').then((r) => r.ok && setLate(r.data.policies.filter((p) => p.review_overdue)));
  }, [user.role]);
  if (!late.length) return null;
  return (
    <div class="notice review-banner" role="region" aria-label="Charters due for review">
      <p><strong>{late.length === 1 ? 'A charter is due for review.' : `${late.length} charters are due for review.`}</strong></p>
      <ul class="plain">{late.map((p) => <li>{p.review_warning}</li>)}</ul>
    </div>
  );
}
