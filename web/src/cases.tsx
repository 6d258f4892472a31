// Casework in the browser: the queues on the dashboard, opening a case,
// working one (the conversation, logging contacts that meet promises,
// handing over, assigning, re-kinding, flags, notes, pauses), the paged
// case list, and the people and organisations cases are about.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { CaseRestriction, Incident, Restriction, RestrictionBanner, RestrictionReviews, Safeguards as Behaviour, serviceName } from './behaviour';
import { CloseCase } from './close';
import { OnTime } from './reports';
import { ReferForm } from './refer';
import { PersonSafeguards, Safeguards, SpokenWith, useAllowed, WhoMayBeTold } from './consent';
import { AlertBanner, Attachment, Attachments, MergeForm, Needs, PersonEditor } from './people';
import { ProblemText, Service, User } from './ui';
import { CaseThemes } from './themes';
import { EraseForm, LegalHold } from './retention';
import { AwayNotice, AwayWarning, awayOf, Covering, ReviewBanner } from './availability';
import { MailFacts, ReplyForm, useOutbox } from './mail';
import { ComplaintPanel } from './complaints';
import { SarPanel, SarRequest } from './sar';

type Obligation = {
  id: number; promise: string; kind: string; due_at: string; state: string; met_at: string | null;
  met_by_contact?: number | null; reason?: string | null; internal?: boolean; text: string; working_days_left?: number;
};
type Contact = {
  id: number; direction: string; channel: string; at: string; who: string | null; summary: string | null;
  outcome: string | null; handed_to?: number | null; logged_by?: number | null; channel_reason?: string;
};
type TimelineEvent = { at: string; actor: number | null; what: string; detail: string | null };
export type Case = {
  id: number; service: string; kind: string; channel: string; received_at: string; subject: string;
  requester: { name: string | null; email: string | null }; organisation?: string | null;
  officer_id: number | null; flags: string[];
  person_id?: number | null; organisation_id?: number | null;
  status: string; version: number; next_due_at: string | null;
  obligations?: Obligation[]; contacts?: Contact[]; events?: TimelineEvent[];
  needs?: Needs; alerts?: string[]; attachments?: Attachment[];
};
type Page = { cases: Case[]; total: number; offset: number; limit: number };
type Colleague = { id: number; name: string; role: string };

const QUEUES: [string, string][] = [
  ['mine', 'My cases'], ['due-today', 'Due today'], ['at-risk', 'At risk'],
  ['overdue', 'Overdue'], ['unassigned', 'Unassigned'],
];
const CHANNELS = ['phone', 'voicemail', 'email', 'letter', 'web', 'in-person', 'social'];
const KINDS = ['enquiry', 'service-order', 'complaint', 'feedback', 'compliment', 'foi', 'sar'];
// Flags the shipped charters act on; any other lower-case name may be used.
const KNOWN_FLAGS = ['complex', 'delayed', 'callback'];
const PAGE = 50;

// What a contact can say it does, by the kind of promise it keeps.
const MEETS: Record<string, string> = {
  acknowledge: 'acknowledges it', respond: 'answers it', resolve: 'resolves it',
  process: 'completes what they asked for', update: 'gives them an update',
};

function daysLeft(n: number | undefined): string {
  if (n === undefined) return '';
  if (n > 1) return `: ${n} working days left`;
  if (n === 1) return ': 1 working day left';
  if (n === 0) return ': due by the end of the working day';
  return n === -1 ? ': 1 working day overdue' : `: ${-n} working days overdue`;
}

// A state as a tag: the same words the API uses, coloured by what they mean.
export function Tag({ state }: { state: string }) {
  return <strong class={`tag tag-${state}`}>{state}</strong>;
}

// The fields a form has: the API's field name, the input's id and its label.
type Fields = Record<string, [string, string]>;
type Fault = { problem: Problem; fields: Fields };

// As on the public pages: a summary at the top that says what is wrong and
// links to each field the API named. It takes focus when it appears, so a
// screen reader hears it and a keyboard user starts from it.
export function ErrorSummary({ fault }: { fault?: Fault }) {
  const box = useRef<HTMLDivElement>(null);
  // Focus moves in the same commit that draws the box, so nothing (a screen
  // reader, a quick keyboard user, a test) sees the box before it has focus.
  useLayoutEffect(() => { if (fault) box.current?.focus(); }, [fault]);
  if (!fault) return null;
  const named = (fault.problem.fields ?? []).map((f) => fault.fields[f]).filter((x) => x);
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <p>{fault.problem.title}: {fault.problem.detail}</p>
      {named.length > 0 && <ul>{named.map(([id, label]) => (
        // The desk routes on the URL's hash, so the link moves focus itself.
        <li><a href={`#${id}`} onClick={(e) => { e.preventDefault(); document.getElementById(id)?.focus(); }}>{label}</a></li>
      ))}</ul>}
    </div>
  );
}

function invalid(fault: Fault | undefined, fields: Fields, name: string): true | undefined {
  return fault && fault.fields === fields && fault.problem.fields?.includes(name) ? true : undefined;
}

// "Showing 51-100 of 237 cases" with the pages either side. After a move
// the count takes focus, so the new range is read out and the keyboard is
// not left on a button that has just gone.
export function Pager({ page, what, onPage }: { page?: Page; what: string; onPage: (offset: number) => void }) {
  const status = useRef<HTMLParagraphElement>(null);
  const moved = useRef(false);
  useLayoutEffect(() => { if (moved.current) status.current?.focus(); moved.current = false; }, [page]);
  if (!page) return <p role="status">Loading the {what}...</p>;
  const { total, offset, limit, cases } = page;
  const noun = total === 1 ? what.replace(/s$/, '') : what;
  const go = (to: number) => { moved.current = true; onPage(to); };
  return (
    <div class="pager">
      <p role="status" tabIndex={-1} ref={status}>
        {total === 0 ? `No ${what}` : cases.length === 0 ? `None here: ${total} ${noun} in all`
          : `Showing ${offset + 1}-${offset + cases.length} of ${total} ${noun}`}
      </p>
      {(offset > 0 || offset + cases.length < total) && (
        <nav aria-label={`Pages of ${what}`}>
          {offset > 0 && <button type="button" class="secondary" onClick={() => go(Math.max(0, offset - limit))}>Previous {limit}</button>}
          {offset + cases.length < total && <button type="button" class="secondary" onClick={() => go(offset + limit)}>Next {Math.min(limit, total - offset - cases.length)}</button>}
        </nav>
      )}
    </div>
  );
}

const NEW_CASE: Fields = {
  service: ['nc-service', 'Service'], kind: ['nc-kind', 'What kind of case'], channel: ['nc-channel', 'How it came in'],
  received_at: ['nc-received', 'When it arrived'], subject: ['nc-subject', 'What it is about'],
  message: ['nc-message', 'What they said or wrote'], name: ['nc-name', 'Their name'], email: ['nc-email', 'Their email'],
  requester: ['nc-name', 'Their name'], organisation: ['nc-org', 'Their school or organisation'], flags: ['nc-flags', 'Flags'],
};

function flagList(text: string): string[] {
  return text.split(/[\s,]+/).map((f) => f.trim()).filter((f) => f);
}

function NewCase({ onMade }: { onMade: (id: number) => void }) {
  const [services, setServices] = useState<Service[]>([]);
  const [form, setForm] = useState({
    service: '', kind: 'enquiry', channel: 'phone', subject: '', message: '', name: '', email: '',
    organisation: '', flags: '', received_at: '',
  });
  const [fault, setFault] = useState<Fault>();
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
      service: form.service, kind: form.kind, channel: form.channel, subject: form.subject,
      requester: { name: form.name || null, email: form.email || null }, flags: flagList(form.flags),
    };
    if (form.message) body.message = form.message;
    if (form.organisation) body.organisation = form.organisation;
    if (form.received_at) body.received_at = form.received_at;
    const r = await api<Case>('POST', '/api/v1/cases', body);
    if (!r.ok) return setFault({ problem: r.problem!, fields: NEW_CASE });
    onMade(r.data.id);
  }
  const bad = (k: string) => invalid(fault, NEW_CASE, k);
  return (
    <form onSubmit={submit} aria-labelledby="new-case" noValidate>
      <h2 id="new-case">Log a new contact</h2>
      <ErrorSummary fault={fault} />
      <label for="nc-service">Service</label>
      <select id="nc-service" value={form.service} onChange={set('service')} aria-invalid={bad('service')}>
        {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
      </select>
      <label for="nc-kind">What kind of case</label>
      <select id="nc-kind" value={form.kind} onChange={set('kind')} aria-invalid={bad('kind')}>
        {KINDS.map((k) => <option value={k}>{k}</option>)}
      </select>
      <label for="nc-channel">How it came in</label>
      <select id="nc-channel" value={form.channel} onChange={set('channel')} aria-invalid={bad('channel')}>
        {CHANNELS.map((c) => <option value={c}>{c}</option>)}
      </select>
      <label for="nc-received">When it arrived (leave empty for now; a letter's post-room date)</label>
      <input id="nc-received" type="text" placeholder="2026-12-18T16:45" value={form.received_at} onInput={set('received_at')} aria-invalid={bad('received_at')} />
      <label for="nc-subject">What it is about</label>
      <input id="nc-subject" type="text" value={form.subject} onInput={set('subject')} aria-invalid={bad('subject')} />
      <label for="nc-message">What they said or wrote</label>
      <textarea id="nc-message" value={form.message} onInput={set('message')} aria-invalid={bad('message')} />
      <label for="nc-name">Their name</label>
      <input id="nc-name" type="text" autocomplete="off" value={form.name} onInput={set('name')} aria-invalid={bad('requester')} />
      <label for="nc-email">Their email</label>
      <input id="nc-email" type="email" autocomplete="off" value={form.email} onInput={set('email')} aria-invalid={bad('requester')} />
      <label for="nc-org">Their school or organisation (if any)</label>
      <input id="nc-org" type="text" value={form.organisation} onInput={set('organisation')} aria-invalid={bad('organisation')} />
      <label for="nc-flags">Flags</label>
      <p class="hint" id="nc-flags-hint">Lower-case words, separated by commas: for example complex, delayed or callback.</p>
      <input id="nc-flags" type="text" aria-describedby="nc-flags-hint" value={form.flags} onInput={set('flags')} aria-invalid={bad('flags')} />
      <button type="submit">Open the case</button>
    </form>
  );
}

// A page of cases as a table that becomes one labelled block per case on
// a phone, rather than a row wider than the screen.
export function CaseTable({ cases, due, label }: { cases: Case[]; due?: boolean; label?: string }) {
  if (cases.length === 0) return null;
  return (
    <table class="stack" aria-label={label}>
      <thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Service</th>
        <th scope="col">State</th><th scope="col">{due ? 'Next due' : 'Received'}</th></tr></thead>
      <tbody>{cases.map((c) => (
        <tr>
          <td data-label="Case"><a href={`#/cases/${c.id}`}>{c.id}</a></td>
          <td data-label="Subject">{c.subject}</td>
          <td data-label="Service">{c.service}</td>
          <td data-label="State"><Tag state={c.status} /></td>
          <td data-label={due ? 'Next due' : 'Received'}>{inWords(due ? c.next_due_at : c.received_at)}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

export function Dashboard({ user }: { user?: User }) {
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [queue, setQueue] = useState('overdue');
  const [page, setPage] = useState<Page>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    for (const [q] of QUEUES)
      api<Page>('GET', `/api/v1/queues/${q}?limit=1`).then((r) => {
        if (r.ok) setCounts((c) => ({ ...c, [q]: r.data.total }));
      });
  }, []);
  // Only the latest choice may draw: a slow answer for the queue left behind
  // must not replace the one the officer moved to.
  const latest = useRef(0);
  async function show(q: string, offset: number) {
    const mine = ++latest.current;
    const r = await api<Page>('GET', `/api/v1/queues/${q}?limit=${PAGE}&offset=${offset}`);
    if (mine !== latest.current) return;
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setPage(r.data);
    setCounts((c) => ({ ...c, [q]: r.data.total }));
  }
  useEffect(() => { show(queue, 0); }, [queue]);
  const label = QUEUES.find(([q]) => q === queue)?.[1];
  return (
    <main id="main">
      <h1>Your desk</h1>
      {user && <ReviewBanner user={user} />}
      <Covering />
      <div class="columns">
        <section aria-labelledby="queues">
          <h2 id="queues">Queues</h2>
          <ul class="queues">
            {QUEUES.map(([q, name]) => (
              <li><button type="button" aria-pressed={queue === q} onClick={() => setQueue(q)}>
                <span class="count">{counts[q] ?? '...'}</span>{name}</button></li>
            ))}
          </ul>
          <h3 id="queue-now">{label}, soonest due first</h3>
          <ProblemText problem={problem} />
          <Pager page={page} what="cases" onPage={(o) => show(queue, o)} />
          <CaseTable cases={page?.cases ?? []} due label={`${label}, soonest due first`} />
        </section>
        <section><NewCase onMade={(id) => { location.hash = `#/cases/${id}`; }} /></section>
      </div>
      <RestrictionReviews />
      <OnTime />
    </main>
  );
}

const CONTACT: Fields = {
  direction: ['lc-direction', 'Who made it'], channel: ['lc-channel', 'How'], at: ['lc-at', 'When'],
  who: ['lc-who', 'Who we spoke to or heard from'], summary: ['lc-summary', 'What was said'],
  outcome: ['lc-outcome-none', 'Outcome'], handed_to: ['lc-handed-to', 'The colleague to hand it to'],
  meets: ['lc-meets', 'What this contact does'], with_person_id: ['lc-with', 'Spoken with'],
  channel_reason: ['lc-reason', 'Why this channel'],
};
const CHANGE: Fields = {
  officer_id: ['cp-officer', 'Officer'], kind: ['cp-kind', 'Kind of case'], flags: ['cp-flag', 'Add a flag'],
  note: ['cp-note', 'Note'], status: ['cp-actions', 'State'],
};

// "our email of Tuesday 1 December 2026, 10:15", for a link to it.
function contactName(contacts: Contact[], id: number): string {
  const k = contacts.find((x) => x.id === id);
  return k ? `${k.direction === 'outbound' ? 'our' : 'their'} ${k.channel} of ${inWords(k.at)}` : `contact ${id}`;
}

function outcomeText(k: Contact, name: (id: number | null | undefined) => string): string | null {
  if (k.outcome === 'resolved') return 'Resolved at first contact';
  if (k.outcome === 'handed-over') return `Handed over to ${name(k.handed_to)}`;
  return k.outcome;
}

// One contact in the conversation: who, how, when, everything that was
// said, what came of it and which promises it kept.
function ContactItem({ k, met, name, mail }: { k: Contact; met: Obligation[]; name: (id: number | null | undefined) => string; mail?: preact.ComponentChildren }) {
  const inbound = k.direction === 'inbound';
  const outcome = outcomeText(k, name);
  return (
    <li id={`contact-${k.id}`} class={`contact ${k.direction}`} tabIndex={-1}>
      <h3 class="contact-head">
        {inbound ? 'From them' : 'From us'}, by {k.channel}<span class="when">{inWords(k.at)}</span>
      </h3>
      <dl class="contact-facts">
        {k.who && <><dt>{inbound ? 'From' : 'To'}</dt><dd>{k.who}</dd></>}
        {k.logged_by && <><dt>Logged by</dt><dd>{name(k.logged_by)}</dd></>}
        {outcome && <><dt>Outcome</dt><dd>{outcome}</dd></>}
        {k.channel_reason && <><dt>Why by {k.channel}</dt><dd>{k.channel_reason}</dd></>}
        {met.length > 0 && <><dt>Kept</dt><dd><ul class="plain">{met.map((o) => <li><Tag state="met" /> {o.text}</li>)}</ul></dd></>}
      </dl>
      {k.summary ? <p class="contact-text">{k.summary}</p> : <p class="hint">No words were recorded for this contact.</p>}
      {mail}
    </li>
  );
}

export function CasePage({ id, user }: { id: number; user: User }) {
  const [c, setCase] = useState<Case>();
  const [etag, setEtag] = useState<string>();
  const [fault, setFault] = useState<Fault>();
  const [done, setDone] = useState<string>();
  const [away, setAway] = useState<AwayWarning>();
  const [contact, setContact] = useState({
    direction: 'outbound', channel: 'phone', who: '', summary: '', at: '', expected: '', meets: [] as string[],
    outcome: '', handed_to: '', with: '', channel_reason: '',
  });
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const allowed = useAllowed(id, c?.version);
  const outbox = useOutbox(id, c?.version);
  const [edit, setEdit] = useState({ officer: '', kind: '', flag: '', note: '' });
  async function load() {
    const r = await api<Case>('GET', `/api/v1/cases/${id}`);
    if (!r.ok) {
      // Never leave another case's facts under this case's number.
      if (r.status === 404) setCase(undefined);
      return setFault({ problem: r.problem!, fields: {} });
    }
    setCase(r.data);
    setEtag(r.etag);
  }
  useEffect(() => { setCase(undefined); setFault(undefined); setDone(undefined); load(); }, [id]);
  // Each choice follows its own field only: a handover must not undo a kind
  // the officer has just picked but not yet sent.
  useLayoutEffect(() => {
    if (c) setEdit((e) => ({ ...e, officer: c.officer_id ? String(c.officer_id) : '' }));
  }, [c?.officer_id]);
  useLayoutEffect(() => { if (c) setEdit((e) => ({ ...e, kind: c.kind })); }, [c?.kind]);
  useEffect(() => {
    if (c) api<{ colleagues: Colleague[] }>('GET', `/api/v1/colleagues?service=${encodeURIComponent(c.service)}`)
      .then((r) => r.ok && setColleagues(r.data.colleagues));
  }, [c?.service]);
  const name = (who: number | null | undefined) => {
    if (!who) return 'nobody';
    if (who === user.id) return `${user.name} (you)`;
    return colleagues.find((u) => u.id === who)?.name ?? `user ${who}`;
  };
  function took(r: { ok: boolean; data: Case; etag?: string; problem?: Problem }, fields: Fields, said: string) {
    if (!r.ok) {
      setDone(undefined);
      setFault({ problem: r.problem!, fields });
      return false;
    }
    setFault(undefined);
    setDone(said);
    setAway(awayOf(r.data));
    setCase(r.data);
    setEtag(r.etag);
    return true;
  }
  async function change(body: Record<string, unknown>, said: string) {
    const r = await api<Case>('PATCH', `/api/v1/cases/${id}`, body, etag);
    return took(r, CHANGE, said);
  }
  async function log(e: Event) {
    e.preventDefault();
    // An acknowledgement tells them when to expect the answer.
    const summary = contact.meets.includes('acknowledge') && contact.expected
      ? `${contact.summary}${contact.summary ? ' ' : ''}(Told them to expect our answer by ${contact.expected}.)`
      : contact.summary;
    const body: Record<string, unknown> = { direction: contact.direction, channel: contact.channel, summary };
    if (contact.direction === 'outbound' && contact.meets.length) body.meets = contact.meets;
    if (contact.who) body.who = contact.who;
    if (contact.at) body.at = contact.at;
    if (contact.outcome) body.outcome = contact.outcome;
    if (contact.outcome === 'handed-over') body.handed_to = contact.handed_to ? Number(contact.handed_to) : null;
    if (contact.with) body.with_person_id = Number(contact.with);
    if (contact.direction === 'outbound' && contact.channel_reason.trim()) body.channel_reason = contact.channel_reason.trim();
    const r = await api<Case>('POST', `/api/v1/cases/${id}/contacts`, body, etag);
    if (took(r, CONTACT, 'The contact is logged.'))
      setContact({ ...contact, who: '', summary: '', at: '', expected: '', meets: [], outcome: '', handed_to: '', with: '', channel_reason: '' });
  }
  if (!c) return <main id="main"><h1>Case {id}</h1><ErrorSummary fault={fault} /></main>;
  const obligations = c.obligations ?? [];
  const open = obligations.filter((o) => o.state === 'pending' || o.state === 'breached');
  const kinds = [...new Set(open.map((o) => o.kind))];
  const toggle = (k: string) => setContact({
    ...contact, meets: contact.meets.includes(k) ? contact.meets.filter((m) => m !== k) : [...contact.meets, k],
  });
  const bad = (k: string) => invalid(fault, CONTACT, k);
  const badChange = (k: string) => invalid(fault, CHANGE, k);
  const others = colleagues.filter((u) => u.id !== c.officer_id);
  const setC = (k: string) => (e: Event) => setContact({ ...contact, [k]: (e.target as HTMLInputElement).value });
  const avoided = (c.needs?.avoid_channels ?? []).includes(contact.channel);
  return (
    <main id="main">
      <p><a href="#/">Back to the queues</a></p>
      <h1>Case {c.id}: {c.subject}</h1>
      <AlertBanner alerts={c.alerts} who={c.requester.name ?? undefined} />
      <CaseRestriction personId={c.person_id} />
      <ErrorSummary fault={fault?.fields === CONTACT ? undefined : fault} />
      {done && <p class="notice" role="status">{done}</p>}
      <AwayNotice away={away} onAssign={(to, who) => change({ officer_id: to }, `Assigned to ${who}.`)} />
      <dl class="summary">
        <div><dt>State</dt><dd><Tag state={c.status} /></dd></div>
        <div><dt>Kind</dt><dd>{c.kind}</dd></div>
        <div><dt>Service</dt><dd>{c.service}</dd></div>
        <div><dt>Came in</dt><dd>by {c.channel}, {inWords(c.received_at)}</dd></div>
        <div><dt>From</dt><dd>{c.requester.name
          ? (c.person_id ? <a href={`#/people/${c.person_id}`}>{c.requester.name}</a> : c.requester.name)
          : 'No name given'}{c.requester.email && <> ({c.requester.email})</>}</dd></div>
        {c.organisation && <div><dt>Organisation</dt><dd>{c.organisation_id
          ? <a href={`#/organisations/${c.organisation_id}`}>{c.organisation}</a> : c.organisation}</dd></div>}
        <div><dt>Officer</dt><dd>{c.officer_id ? name(c.officer_id) : 'Not assigned yet'}</dd></div>
        <div><dt>Flags</dt><dd>{c.flags.length ? <ul class="plain inline">{c.flags.map((f) => <li><strong class="tag">{f}</strong></li>)}</ul> : 'None'}</dd></div>
        <div><dt>Next due</dt><dd>{c.next_due_at ? inWords(c.next_due_at) : 'Nothing is due'}</dd></div>
      </dl>
      <ComplaintPanel c={c} user={user} onChanged={load} />
      <SarPanel c={c} onChanged={load} />
      <CaseThemes id={c.id} version={c.version} onSaved={load} />

      <h2>What we promised</h2>
      {obligations.length === 0 ? <p>No time-limited promise applies to this case.</p> : (
        <table class="stack">
          <thead><tr><th scope="col">Promise</th><th scope="col">Due</th><th scope="col">State</th></tr></thead>
          <tbody>{obligations.map((o) => (
            <tr>
              <td data-label="Promise">{o.text}</td>
              <td data-label="Due">due {inWords(o.due_at)}{daysLeft(o.working_days_left)}</td>
              <td data-label="State" class={`state-${o.state}`}><Tag state={o.state} />{o.met_at && <> on {inWords(o.met_at)}</>}
                {o.met_by_contact && <> by <a href={`#contact-${o.met_by_contact}`} onClick={(e) => {
                  e.preventDefault(); document.getElementById(`contact-${o.met_by_contact}`)?.focus();
                }}>{contactName(c.contacts ?? [], o.met_by_contact)}</a></>}
                {o.reason && <p class="hint">{o.reason}</p>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}

      <h2>The conversation</h2>
      {(c.contacts ?? []).length === 0 ? <p>No contact is logged yet.</p> : (
        <ol class="conversation">
          {(c.contacts ?? []).map((k) => <ContactItem k={k} name={name} met={obligations.filter((o) => o.met_by_contact === k.id)}
            mail={k.channel === 'email' && <MailFacts contactId={k.id} files={c.attachments} messages={outbox} />} />)}
        </ol>
      )}
      <ReplyForm c={c} etag={etag} onSent={(d, t) => { setFault(undefined); setDone(undefined); setCase(d); setEtag(t); }} />

      <WhoMayBeTold people={allowed} />
      <form onSubmit={log} aria-labelledby="log-contact" noValidate>
        <h2 id="log-contact">Log a contact</h2>
        <ErrorSummary fault={fault?.fields === CONTACT ? fault : undefined} />
        <label for="lc-direction">Who made it</label>
        <select id="lc-direction" value={contact.direction} onChange={setC('direction')} aria-invalid={bad('direction')}>
          <option value="outbound">We did</option><option value="inbound">They did</option>
        </select>
        <label for="lc-channel">How</label>
        <select id="lc-channel" value={contact.channel} onChange={setC('channel')} aria-invalid={bad('channel')}>
          {CHANNELS.map((ch) => <option value={ch}>{ch}</option>)}
        </select>
        <SpokenWith people={allowed} value={contact.with} onChange={(v) => setContact({ ...contact, with: v })} invalid={bad('with_person_id')} />
        <label for="lc-who">Who we spoke to or heard from</label>
        <input id="lc-who" type="text" autocomplete="off" value={contact.who} onInput={setC('who')} aria-invalid={bad('who')} />
        <label for="lc-at">When (leave empty for now; a letter's received date, a voicemail's time)</label>
        <input id="lc-at" type="text" placeholder="2026-12-18T16:45" value={contact.at} onInput={setC('at')} aria-invalid={bad('at')} />
        <label for="lc-summary">What was said</label>
        <textarea id="lc-summary" value={contact.summary} onInput={setC('summary')} aria-invalid={bad('summary')} />
        {contact.direction === 'outbound' && kinds.length > 0 && (
          <fieldset id="lc-meets" tabIndex={-1}><legend>This contact</legend>
            {kinds.map((k) => (
              <div class="check"><input type="checkbox" id={`lc-${k}`} checked={contact.meets.includes(k)} onChange={() => toggle(k)} aria-invalid={bad('meets')} />
                <label for={`lc-${k}`}>{MEETS[k] ?? k} ({open.filter((o) => o.kind === k).map((o) => o.text).join('; ')})</label></div>
            ))}
          </fieldset>
        )}
        {contact.direction === 'outbound' && contact.meets.includes('acknowledge') && <>
          <label for="lc-expected">When they can expect our answer</label>
          <input id="lc-expected" type="text" placeholder="Friday 8 January" value={contact.expected} onInput={setC('expected')} />
        </>}
        <fieldset><legend>Outcome</legend>
          {[['', 'none', 'Nothing settled yet'], ['resolved', 'resolved', 'Resolved at first contact (keeps every open promise)'],
            ['handed-over', 'handed-over', 'Handed over to a colleague']].map(([v, slug, text]) => (
            <div class="check"><input type="radio" name="lc-outcome" id={`lc-outcome-${slug}`} value={v} checked={contact.outcome === v}
              onChange={() => setContact({ ...contact, outcome: v })} aria-invalid={bad('outcome')} />
              <label for={`lc-outcome-${slug}`}>{text}</label></div>
          ))}
        </fieldset>
        {contact.direction === 'outbound' && (avoided || contact.channel_reason) && <>
          <label for="lc-reason">Why this contact has to be by {contact.channel}</label>
          <p class="hint" id="lc-reason-hint">{avoided ? `The person asked us not to use ${contact.channel}. ` : ''}Say why, or choose another channel.</p>
          <textarea id="lc-reason" value={contact.channel_reason} onInput={setC('channel_reason')} aria-describedby="lc-reason-hint" aria-invalid={bad('channel_reason')} />
        </>}
        {contact.outcome === 'handed-over' && <>
          <label for="lc-handed-to">The colleague to hand it to</label>
          <select id="lc-handed-to" value={contact.handed_to} onChange={setC('handed_to')} aria-invalid={bad('handed_to')}>
            <option value="">Choose a colleague</option>
            {others.map((u) => <option value={String(u.id)}>{u.name} ({u.role})</option>)}
          </select>
        </>}
        <button type="submit">Log the contact</button>
      </form>

      <section aria-labelledby="work-case">
        <h2 id="work-case">Work on the case</h2>
        <div id="cp-actions" tabIndex={-1}>
          {c.officer_id !== user.id && <button type="button" class="secondary" onClick={() => change({ officer_id: user.id }, 'The case is yours.')}>Assign to me</button>}
          {c.status === 'open' && <button type="button" class="secondary" onClick={() => change({ status: 'paused' }, 'The case is paused: its clocks have stopped.')}>Pause (waiting for them)</button>}
          {c.status === 'paused' && <button type="button" class="secondary" onClick={() => change({ status: 'open' }, 'The case is open again: its clocks run.')}>Resume</button>}
          <CloseCase c={c} etag={etag} onDone={(d, t) => { setFault(undefined); setDone('The case is closed; every promise on it is settled.'); setCase(d); setEtag(t); }} />
          {c.status === 'closed' && <button type="button" class="secondary" onClick={() => change({ status: 'open' }, 'The case is open again: its promises are worked out again.')}>Reopen</button>}
        </div>
        <div class="forms">
          <form onSubmit={(e) => { e.preventDefault(); change({ officer_id: edit.officer ? Number(edit.officer) : null }, edit.officer ? `Assigned to ${name(Number(edit.officer))}.` : 'Nobody is assigned now.'); }}>
            <label for="cp-officer">Officer</label>
            <select id="cp-officer" value={edit.officer} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setEdit((x) => ({ ...x, officer: v })); }} aria-invalid={badChange('officer_id')}>
              <option value="">Nobody</option>
              {colleagues.map((u) => <option value={String(u.id)}>{u.name} ({u.role})</option>)}
            </select>
            <button type="submit" class="secondary">Reassign</button>
          </form>
          <form onSubmit={(e) => { e.preventDefault(); change({ kind: edit.kind }, `The case is now a ${edit.kind}; its promises are worked out again.`); }}>
            <label for="cp-kind">Kind of case</label>
            <select id="cp-kind" value={edit.kind} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setEdit((x) => ({ ...x, kind: v })); }} aria-invalid={badChange('kind')}>
              {KINDS.map((k) => <option value={k}>{k}</option>)}
            </select>
            <button type="submit" class="secondary">Change the kind</button>
          </form>
          <form onSubmit={async (e) => {
            e.preventDefault();
            const add = flagList(edit.flag).filter((f) => !c.flags.includes(f));
            if (add.length === 0)
              return setFault({ fields: CHANGE, problem: { title: 'No new flag', detail: 'Type the flag to add, such as complex; the case has the ones listed already.', fields: ['flags'] } });
            if (await change({ flags: [...c.flags, ...add] }, `Flagged ${add.join(', ')}; its promises are worked out again.`)) setEdit({ ...edit, flag: '' });
          }}>
            <label for="cp-flag">Add a flag</label>
            <p class="hint" id="cp-flag-hint">A lower-case word, such as {KNOWN_FLAGS.join(', ')}.</p>
            <input id="cp-flag" type="text" list="cp-flag-known" aria-describedby="cp-flag-hint" value={edit.flag}
              onInput={(e) => setEdit({ ...edit, flag: (e.target as HTMLInputElement).value })} aria-invalid={badChange('flags')} />
            <datalist id="cp-flag-known">{KNOWN_FLAGS.filter((f) => !c.flags.includes(f)).map((f) => <option value={f} />)}</datalist>
            <button type="submit" class="secondary">Add the flag</button>
            {/* sar-extended goes with a manager's reason (sar.tsx), never by hand */}
            {c.flags.some((f) => f !== 'sar-extended') && <ul class="plain">{c.flags.filter((f) => f !== 'sar-extended').map((f) => (
              <li><button type="button" class="secondary" onClick={() => change({ flags: c.flags.filter((x) => x !== f) }, `The flag ${f} is removed; its promises are worked out again.`)}>
                Remove the flag {f}</button></li>
            ))}</ul>}
          </form>
          <form onSubmit={async (e) => {
            e.preventDefault();
            if (!edit.note.trim())
              return setFault({ fields: CHANGE, problem: { title: 'No note', detail: 'Write the note first: what happened, or what you are waiting for.', fields: ['note'] } });
            if (await change({ note: edit.note }, 'The note is on the timeline.')) setEdit({ ...edit, note: '' });
          }}>
            <label for="cp-note">Note for the timeline</label>
            <textarea id="cp-note" value={edit.note} onInput={(e) => setEdit({ ...edit, note: (e.target as HTMLTextAreaElement).value })} aria-invalid={badChange('note')} />
            <button type="submit" class="secondary">Add the note</button>
          </form>
        </div>
      </section>

      <ReferForm kase={c} etag={etag} onMoved={(m, t) => { setCase(m); setEtag(t); }} />
      <Attachments files={c.attachments} path={`/api/v1/cases/${c.id}/attachments`} onAdded={load} />
      <LegalHold caseId={c.id} user={user} />
      <h2>Timeline</h2>
      <ol class="timeline">{(c.events ?? []).map((e) => (
        <li><span class="when">{inWords(e.at)}</span> {e.what}{e.detail && <>, {e.detail}</>}{e.actor ? <>, by {name(e.actor)}</> : null}</li>
      ))}</ol>
    </main>
  );
}

type Person = {
  id: number; name: string; email: string | null; phone: string | null; date_of_birth: string | null; cases: Case[];
  organisation_id: number | null; merged_into?: number | null; age?: number | null; needs?: Needs; alerts?: string[];
  attachments?: Attachment[]; restrictions?: Restriction[]; incidents?: Incident[]; erased_at?: string | null;
  service?: string | null;
} & PersonSafeguards;

export function PersonPage({ id, kind, user }: { id: number; kind: 'people' | 'organisations'; user?: User }) {
  const [p, setP] = useState<Person & { kind?: string }>();
  const [problem, setProblem] = useState<Problem>();
  const [services, setServices] = useState<Service[]>([]);
  const load = () => api<Person>('GET', `/api/v1/${kind}/${id}`).then((r) => (r.ok ? setP(r.data) : setProblem(r.problem)));
  useEffect(() => { load(); }, [id, kind]);
  useEffect(() => {
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => r.ok && setServices(r.data.services));
  }, []);
  if (!p) return <main id="main"><h1>{kind === 'people' ? 'Person' : 'Organisation'} {id}</h1><ProblemText problem={problem} /></main>;
  return (
    <main id="main">
      <h1>{p.name}</h1>
      {kind === 'people' && <AlertBanner alerts={p.alerts} who={p.name} />}
      {kind === 'people' && p.merged_into && <p class="notice">This record was merged into <a href={`#/people/${p.merged_into}`}>person {p.merged_into}</a>.</p>}
      {kind === 'people' && <RestrictionBanner restrictions={p.restrictions ?? []} />}
      {kind === 'people' ? (
        <dl class="summary">
          {p.email && <div><dt>Email</dt><dd>{p.email}</dd></div>}
          {p.phone && <div><dt>Phone</dt><dd>{p.phone}</dd></div>}
          {p.date_of_birth && <div><dt>Date of birth</dt><dd>{p.date_of_birth}{typeof p.age === 'number' && <> (age {p.age})</>}</dd></div>}
          <div><dt>Recorded by</dt><dd id="person-service">{p.service ? serviceName(services, p.service) : 'No service: staff see this person through their cases and safeguards'}</dd></div>
        </dl>
      ) : <p>{p.kind}</p>}
      <h2>Cases</h2>
      {p.cases.length === 0 ? <p>No cases you can see.</p> : <CaseTable cases={p.cases} label={`Cases of ${p.name}`} />}
      {kind === 'people' && <Safeguards id={p.id} name={p.name} data={p} />}
      {kind === 'people' && !p.merged_into && <>
        <Attachments files={p.attachments} path={`/api/v1/people/${p.id}/attachments`} onAdded={load} />
        <PersonEditor p={p} onSaved={(q) => setP({ ...p, ...q })} />
        {user && <MergeForm p={p} user={user} onMerged={(q) => setP({ ...p, ...q })} />}
      </>}
      {kind === 'people' && user && <LegalHold personId={p.id} user={user} />}
      {kind === 'people' && user && <EraseForm personId={p.id} name={p.name} user={user} erasedAt={p.erased_at ?? null} onErased={load} />}
      {kind === 'people' && <Behaviour person={p} cases={p.cases} onChange={load} />}
      {kind === 'people' && !p.merged_into && <SarRequest person={p} user={user} />}
      {kind === 'people' && user && user.role !== 'officer' && <p><a href={`#/access-log?person=${p.id}`}>Who has viewed this record</a></p>}
    </main>
  );
}

const FILTERS: Fields = {
  q: ['f-q', 'Words to find'], service: ['f-service', 'Service'], kind: ['f-kind', 'Kind'],
  status: ['f-status', 'State'], officer_id: ['f-officer', 'Officer'], limit: ['f-q', 'Page size'], offset: ['f-q', 'Page'],
};

// Every case the officer may see, filtered and searched, a page at a time.
export function CaseList() {
  const [services, setServices] = useState<Service[]>([]);
  const [filter, setFilter] = useState({ service: '', kind: '', status: 'open', officer_id: '', q: '' });
  const [page, setPage] = useState<Page>();
  const [fault, setFault] = useState<Fault>();
  useEffect(() => {
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => r.ok && setServices(r.data.services));
  }, []);
  const latest = useRef(0); // only the latest search draws (see Dashboard)
  async function search(offset: number) {
    const query = Object.entries(filter).filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).concat([`limit=${PAGE}`, `offset=${offset}`]).join('&');
    const mine = ++latest.current;
    const r = await api<Page>('GET', `/api/v1/cases?${query}`);
    if (mine !== latest.current) return;
    if (!r.ok) return setFault({ problem: r.problem!, fields: FILTERS });
    setFault(undefined);
    setPage(r.data);
  }
  useEffect(() => { search(0); }, []);
  const set = (k: string) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  return (
    <main id="main">
      <h1>Cases</h1>
      <ErrorSummary fault={fault} />
      <form onSubmit={(e) => { e.preventDefault(); search(0); }} class="filters" aria-label="Filter the cases">
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
            {KINDS.map((k) => <option value={k}>{k}</option>)}
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
        <div><button type="submit">Show cases</button></div>
      </form>
      <Pager page={page} what="cases" onPage={search} />
      <CaseTable cases={page?.cases ?? []} label="Cases, newest first" />
    </main>
  );
}
