// Safeguards on a person: the banner every officer sees when contact with a
// person is restricted, and, for managers, recording incidents of
// unreasonable behaviour, making a restriction, getting its notice letter
// and recording it as sent (it binds only from then), reviewing and ending
// it; and the managers' queue of restrictions due for review.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ErrorSummary } from './cases';
import { Service, Staff, User } from './ui';

export type Restriction = {
  id: number; person_id: number; person_name: string; status: string; active: boolean;
  allowed_channels: string[]; point_of_contact: { id: number; name: string } | null;
  frequency: { replies: number; per: string } | null; refuse_service: boolean; summary: string;
  review_on: string; notice_sent_at: string | null; notice_how: string | null; ended_at: string | null;
  reason?: string; review_note?: string | null; service: string | null;
};
export type Incident = {
  id: number; at: string; channel: string; kind: string; what: string; staff_affected: number[];
  health_and_safety: boolean; police_reference: string | null; actions: string[]; case_id: number | null;
  service: string | null;
};

// A service's name as the desk shows it ("Cognus: Enquiries"), from the
// user's services; the bare id for one they do not work in.
export function serviceName(services: Service[], id: string | null | undefined): string {
  if (!id) return 'no service';
  const s = services.find((x) => x.service === id);
  return s ? `${s.organisation}: ${s.name}` : id;
}
type Fields = Record<string, [string, string]>;
type Fault = { problem: Problem; fields: Fields };

const CHANNELS = ['phone', 'voicemail', 'email', 'letter', 'web', 'in-person', 'social'];
const KINDS = ['threatening', 'abusive', 'discriminatory-language', 'excessive-contact', 'unreasonable-demands',
  'unsubstantiated-allegations'];
const ACTIONS = ['call-ended', 'post-deleted', 'warning-issued', 'contact-refused', 'meeting-ended', 'police-called',
  'reported-to-manager'];
const words = (s: string) => s.replace(/-/g, ' ');

// "Contact is restricted: email only, through Sam Adviser; one reply each
// 10 working days", for every restriction in force (or awaiting its notice,
// said so).
export function RestrictionBanner({ restrictions }: { restrictions: Restriction[] }) {
  const shown = restrictions.filter((r) => r.status !== 'ended');
  if (!shown.length) return null;
  return <>{shown.map((r) => (
    <div class="notice restriction" role="note" aria-label="Contact restriction">
      {r.active
        ? <p><strong>Contact is restricted: {r.summary}</strong></p>
        : <p><strong>A restriction awaits its notice:</strong> {r.summary}. It applies only once the letter is recorded as sent.</p>}
    </div>
  ))}</>;
}

// The banner for a case page, from the person's restrictions.
export function CaseRestriction({ personId }: { personId?: number | null }) {
  const [list, setList] = useState<Restriction[]>([]);
  useEffect(() => {
    if (personId) api<{ restrictions: Restriction[] }>('GET', `/api/v1/people/${personId}/restrictions`)
      .then((r) => r.ok && setList(r.data.restrictions));
  }, [personId]);
  return <RestrictionBanner restrictions={list.filter((r) => r.active)} />;
}

const INCIDENT: Fields = {
  at: ['in-at', 'When it happened'], channel: ['in-channel', 'How'], kind: ['in-kind', 'What kind of behaviour'],
  what: ['in-what', 'What happened'], staff_affected: ['in-staff', 'Staff affected'],
  police_reference: ['in-police', 'Police reference'], actions: ['in-actions', 'What we did'], case_id: ['in-case', 'Case'],
  service: ['in-service', 'Recorded for'],
};
const RESTRICT: Fields = {
  allowed_channels: ['rs-channels', 'How they may contact us'], point_of_contact: ['rs-poc', 'Point of contact'],
  frequency: ['rs-replies', 'Replies'], 'frequency.per': ['rs-per', 'Working days'],
  'frequency.replies': ['rs-replies', 'Replies'], reason: ['rs-reason', 'Why'], review_on: ['rs-review', 'Review on'],
  service: ['rs-service', 'Made for'],
};
const SENT: Fields = { sent_on: ['ns-on', 'Sent on'], how: ['ns-how', 'How it was sent'] };
const REVIEW: Fields = { review_on: ['rv-on', 'Next review on'], note: ['rv-note', 'What the review found'] };
const END: Fields = { reason: ['re-reason', 'Why it ends'] };

function invalid(fault: Fault | undefined, fields: Fields, name: string): true | undefined {
  return fault && fault.fields === fields && fault.problem.fields?.includes(name) ? true : undefined;
}

function toggled(list: string[], v: string): string[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

// The managers' part of a person's page (whose person JSON carries the
// incidents): record and act. Officers see only the banner, shown apart.
export function Safeguards({ person, cases, onChange }: {
  person: { id: number; name: string; restrictions?: Restriction[]; incidents?: Incident[] };
  cases: { id: number; subject: string; service: string }[]; onChange: () => void;
}) {
  const manager = person.incidents !== undefined;
  const [staff, setStaff] = useState<Staff[]>([]);
  const [services, setServices] = useState<Service[]>([]);
  const [fault, setFault] = useState<Fault>();
  const [done, setDone] = useState<string>();
  const [inc, setInc] = useState({ at: '', channel: 'phone', kind: 'abusive', what: '', staff: [] as string[],
    hs: false, police: '', actions: [] as string[], case_id: '', service: '' });
  const [rs, setRs] = useState({ channels: [] as string[], poc: '', replies: '', per: '', refuse: false, reason: '', review: '',
    service: '' });
  const [sent, setSent] = useState({ on: '', how: 'letter' });
  const [review, setReview] = useState({ on: '', note: '' });
  const [end, setEnd] = useState('');
  useEffect(() => {
    if (!manager) return;
    api<{ users: Staff[] }>('GET', '/api/v1/users').then((r) => r.ok && setStaff(r.data.users));
    // The service a record is made for decides who else sees it and, for a
    // restriction, which of the organisation's services it binds.
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => {
      if (!r.ok) return;
      setServices(r.data.services);
      const latest = cases.find((c) => r.data.services.some((s) => s.service === c.service))?.service
        ?? r.data.services[0]?.service ?? '';
      setInc((v) => ({ ...v, service: v.service || latest }));
      setRs((v) => ({ ...v, service: v.service || latest }));
    });
  }, [manager]);
  const restrictions = person.restrictions ?? [];
  const open = restrictions.find((r) => r.status !== 'ended');
  const staffName = (id: number) => staff.find((u) => u.id === id)?.name ?? `user ${id}`;
  function answer(r: { ok: boolean; problem?: Problem }, fields: Fields, said: string) {
    if (!r.ok) { setDone(undefined); setFault({ problem: r.problem!, fields }); return false; }
    setFault(undefined); setDone(said); onChange(); return true;
  }
  async function record(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = { channel: inc.channel, kind: inc.kind, what: inc.what,
      staff_affected: inc.staff.map(Number), health_and_safety: inc.hs, actions: inc.actions };
    if (inc.at) body.at = new Date(inc.at).toISOString();
    if (inc.police) body.police_reference = inc.police;
    if (inc.case_id) body.case_id = Number(inc.case_id);
    if (inc.service) body.service = inc.service;
    const r = await api('POST', `/api/v1/people/${person.id}/incidents`, body);
    if (answer(r, INCIDENT, 'The incident is recorded.'))
      setInc({ ...inc, at: '', what: '', staff: [], hs: false, police: '', actions: [], case_id: '' });
  }
  async function restrict(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = { allowed_channels: rs.channels, refuse_service: rs.refuse, reason: rs.reason,
      review_on: rs.review };
    if (rs.poc) body.point_of_contact = Number(rs.poc);
    if (rs.replies || rs.per) body.frequency = { replies: Number(rs.replies), per: `${rs.per} working days` };
    if (rs.service) body.service = rs.service;
    const r = await api('POST', `/api/v1/people/${person.id}/restrictions`, body);
    if (answer(r, RESTRICT, 'The restriction is made. Send the notice letter and record it as sent: only then does it apply.'))
      setRs({ ...rs, channels: [], poc: '', replies: '', per: '', refuse: false, reason: '', review: '' });
  }
  async function noticeSent(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = { how: sent.how };
    if (sent.on) body.sent_on = sent.on;
    const r = await api('POST', `/api/v1/restrictions/${open!.id}/notice-sent`, body);
    answer(r, SENT, 'The notice is recorded as sent: the restriction applies from now.');
  }
  async function reviewed(e: Event) {
    e.preventDefault();
    const r = await api('POST', `/api/v1/restrictions/${open!.id}/review`, { review_on: review.on, note: review.note });
    if (answer(r, REVIEW, 'The review is recorded.')) setReview({ on: '', note: '' });
  }
  async function ended(e: Event) {
    e.preventDefault();
    const r = await api('POST', `/api/v1/restrictions/${open!.id}/end`, { reason: end });
    if (answer(r, END, 'The restriction has ended.')) setEnd('');
  }
  const bad = (f: Fields, k: string) => invalid(fault, f, k);
  if (!manager) return null;
  return (
    <>
      <section aria-labelledby="safeguards">
        <h2 id="safeguards">Behaviour and restrictions</h2>
        <ErrorSummary fault={fault} />
        {done && <p role="status" class="notice">{done}</p>}
        {open && <>
          <h3>Restriction {open.id}</h3>
          <dl class="summary">
            <div><dt>State</dt><dd><strong class={`tag tag-${open.active ? 'breached' : 'paused'}`}>{open.active ? 'in force' : 'awaiting notice'}</strong></dd></div>
            <div><dt>Allows</dt><dd>{open.summary}</dd></div>
            <div><dt>Made for</dt><dd id="rs-made-for">{serviceName(services, open.service)} (it binds every service of that organisation)</dd></div>
            <div><dt>Why</dt><dd>{open.reason}</dd></div>
            <div><dt>Review on</dt><dd>{open.review_on}</dd></div>
            <div><dt>Notice</dt><dd>{open.notice_sent_at ? `Sent by ${open.notice_how}, ${inWords(open.notice_sent_at)}` : 'Not sent yet'}</dd></div>
          </dl>
          <p><a href={`/api/v1/restrictions/${open.id}/notice`} download={`restriction-notice-${open.id}.pdf`}>Download the notice letter (PDF)</a></p>
          {!open.active && <form onSubmit={noticeSent} aria-labelledby="ns-title">
            <h4 id="ns-title">Record the notice as sent</h4>
            <label for="ns-on">Sent on (leave empty for today)</label>
            <input id="ns-on" type="date" value={sent.on} onInput={(e) => setSent({ ...sent, on: (e.target as HTMLInputElement).value })} aria-invalid={bad(SENT, 'sent_on')} />
            <label for="ns-how">How it was sent</label>
            <select id="ns-how" value={sent.how} onChange={(e) => setSent({ ...sent, how: (e.target as HTMLSelectElement).value })}>
              <option value="letter">Letter</option><option value="email">Email</option><option value="by-hand">By hand</option>
            </select>
            <button type="submit">Record the notice as sent</button>
          </form>}
          <form onSubmit={reviewed} aria-labelledby="rv-title">
            <h4 id="rv-title">Review and keep it</h4>
            <label for="rv-on">Next review on</label>
            <input id="rv-on" type="date" value={review.on} onInput={(e) => setReview({ ...review, on: (e.target as HTMLInputElement).value })} aria-invalid={bad(REVIEW, 'review_on')} />
            <label for="rv-note">What the review found</label>
            <textarea id="rv-note" value={review.note} onInput={(e) => setReview({ ...review, note: (e.target as HTMLTextAreaElement).value })} aria-invalid={bad(REVIEW, 'note')} />
            <button type="submit">Record the review</button>
          </form>
          <form onSubmit={ended} aria-labelledby="re-title">
            <h4 id="re-title">End the restriction</h4>
            <label for="re-reason">Why it ends</label>
            <textarea id="re-reason" value={end} onInput={(e) => setEnd((e.target as HTMLTextAreaElement).value)} aria-invalid={bad(END, 'reason')} />
            <button type="submit">End the restriction</button>
          </form>
        </>}
        {!open && <form onSubmit={restrict} aria-labelledby="rs-title">
          <h3 id="rs-title">Restrict how {person.name} contacts us</h3>
          <fieldset id="rs-channels" tabIndex={-1} aria-invalid={bad(RESTRICT, 'allowed_channels')}><legend>How they may contact us</legend>
            {CHANNELS.map((c) => <div class="check"><input type="checkbox" id={`rs-ch-${c}`} checked={rs.channels.includes(c)}
              onChange={() => setRs({ ...rs, channels: toggled(rs.channels, c) })} /><label for={`rs-ch-${c}`}>{words(c)}</label></div>)}
          </fieldset>
          <label for="rs-service">Made for</label>
          <p class="hint" id="rs-service-hint">The restriction binds every service of this organisation, and only its staff see it.</p>
          <select id="rs-service" aria-describedby="rs-service-hint" value={rs.service} onChange={(e) => setRs({ ...rs, service: (e.target as HTMLSelectElement).value })} aria-invalid={bad(RESTRICT, 'service')}>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select>
          <label for="rs-poc">Point of contact</label>
          <select id="rs-poc" value={rs.poc} onChange={(e) => setRs({ ...rs, poc: (e.target as HTMLSelectElement).value })} aria-invalid={bad(RESTRICT, 'point_of_contact')}>
            <option value="">Nobody named</option>
            {staff.map((u) => <option value={String(u.id)}>{u.name}</option>)}
          </select>
          <fieldset><legend>How often we reply (leave empty for no limit)</legend>
            <label for="rs-replies">Replies</label>
            <input id="rs-replies" type="number" min="1" max="20" inputMode="numeric" value={rs.replies} onInput={(e) => setRs({ ...rs, replies: (e.target as HTMLInputElement).value })} aria-invalid={bad(RESTRICT, 'frequency.replies') ?? bad(RESTRICT, 'frequency')} />
            <label for="rs-per">Each so many working days</label>
            <input id="rs-per" type="number" min="1" max="260" inputMode="numeric" value={rs.per} onInput={(e) => setRs({ ...rs, per: (e.target as HTMLInputElement).value })} aria-invalid={bad(RESTRICT, 'frequency.per')} />
          </fieldset>
          <div class="check"><input type="checkbox" id="rs-refuse" checked={rs.refuse} onChange={() => setRs({ ...rs, refuse: !rs.refuse })} />
            <label for="rs-refuse">Refuse further service (we only acknowledge)</label></div>
          <label for="rs-reason">Why</label>
          <textarea id="rs-reason" value={rs.reason} onInput={(e) => setRs({ ...rs, reason: (e.target as HTMLTextAreaElement).value })} aria-invalid={bad(RESTRICT, 'reason')} />
          <label for="rs-review">Review on</label>
          <input id="rs-review" type="date" value={rs.review} onInput={(e) => setRs({ ...rs, review: (e.target as HTMLInputElement).value })} aria-invalid={bad(RESTRICT, 'review_on')} />
          <button type="submit">Make the restriction</button>
        </form>}

        <h3>Incidents</h3>
        {person.incidents!.length === 0 ? <p>No incidents recorded.</p> : <div class="table-wrap"><table aria-label={`Incidents with ${person.name}`}>
          <thead><tr><th scope="col">When, how and for</th><th scope="col">What</th><th scope="col">Staff and actions</th></tr></thead>
          <tbody>{person.incidents!.map((i) => <tr>
            <td>{inWords(i.at)}<br />{words(i.channel)}<br />{serviceName(services, i.service)}</td>
            <td><strong class="tag">{words(i.kind)}</strong>{i.health_and_safety && <> <strong class="tag tag-breached">health and safety</strong></>}<br />{i.what}
              {i.police_reference && <><br />Police reference {i.police_reference}</>}{i.case_id && <><br /><a href={`#/cases/${i.case_id}`}>Case {i.case_id}</a></>}</td>
            <td>{i.staff_affected.map(staffName).join(', ') || 'No staff named'}<br />{i.actions.map(words).join(', ')}</td>
          </tr>)}</tbody>
        </table></div>}
        <form onSubmit={record} aria-labelledby="in-title">
          <h3 id="in-title">Record an incident</h3>
          <label for="in-at">When it happened (leave empty for now)</label>
          <input id="in-at" type="datetime-local" value={inc.at} onInput={(e) => setInc({ ...inc, at: (e.target as HTMLInputElement).value })} aria-invalid={bad(INCIDENT, 'at')} />
          <label for="in-channel">How</label>
          <select id="in-channel" value={inc.channel} onChange={(e) => setInc({ ...inc, channel: (e.target as HTMLSelectElement).value })}>
            {CHANNELS.map((c) => <option value={c}>{words(c)}</option>)}
          </select>
          <label for="in-kind">What kind of behaviour</label>
          <select id="in-kind" value={inc.kind} onChange={(e) => setInc({ ...inc, kind: (e.target as HTMLSelectElement).value })}>
            {KINDS.map((k) => <option value={k}>{words(k)}</option>)}
          </select>
          <label for="in-what">What happened</label>
          <textarea id="in-what" value={inc.what} onInput={(e) => setInc({ ...inc, what: (e.target as HTMLTextAreaElement).value })} aria-invalid={bad(INCIDENT, 'what')} />
          {cases.length > 0 && <><label for="in-case">Case</label>
            <select id="in-case" value={inc.case_id} onChange={(e) => {
              const id = (e.target as HTMLSelectElement).value;
              setInc({ ...inc, case_id: id, service: cases.find((c) => String(c.id) === id)?.service ?? inc.service });
            }}>
              <option value="">No particular case</option>
              {cases.map((c) => <option value={String(c.id)}>Case {c.id}: {c.subject}</option>)}
            </select></>}
          <label for="in-service">Recorded for</label>
          <select id="in-service" value={inc.service} onChange={(e) => setInc({ ...inc, service: (e.target as HTMLSelectElement).value })} aria-invalid={bad(INCIDENT, 'service')}>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select>
          <fieldset id="in-staff" tabIndex={-1}><legend>Staff affected</legend>
            {staff.map((u) => <div class="check"><input type="checkbox" id={`in-st-${u.id}`} checked={inc.staff.includes(String(u.id))}
              onChange={() => setInc({ ...inc, staff: toggled(inc.staff, String(u.id)) })} /><label for={`in-st-${u.id}`}>{u.name}</label></div>)}
          </fieldset>
          <div class="check"><input type="checkbox" id="in-hs" checked={inc.hs} onChange={() => setInc({ ...inc, hs: !inc.hs })} />
            <label for="in-hs">Log it as a health and safety incident (staff distress)</label></div>
          <fieldset id="in-actions" tabIndex={-1}><legend>What we did</legend>
            {ACTIONS.map((a) => <div class="check"><input type="checkbox" id={`in-ac-${a}`} checked={inc.actions.includes(a)}
              onChange={() => setInc({ ...inc, actions: toggled(inc.actions, a) })} /><label for={`in-ac-${a}`}>{words(a)}</label></div>)}
          </fieldset>
          <label for="in-police">Police reference</label>
          <input id="in-police" type="text" value={inc.police} onInput={(e) => setInc({ ...inc, police: (e.target as HTMLInputElement).value })} aria-invalid={bad(INCIDENT, 'police_reference')} />
          <button type="submit">Record the incident</button>
        </form>
      </section>
    </>
  );
}

// The managers' queue: restrictions to review within 14 days, or whose
// notice has not gone. Officers have no such queue, so nothing shows.
export function RestrictionReviews({ user }: { user?: User }) {
  const [list, setList] = useState<Restriction[]>();
  useEffect(() => {
    if (!user || user.role !== 'officer')
      api<{ restrictions: Restriction[] }>('GET', '/api/v1/queues/restriction-reviews').then((r) => r.ok && setList(r.data.restrictions));
  }, [user?.role]);
  if (!list) return null;
  return (
    <section aria-labelledby="reviews">
      <h2 id="reviews">Restrictions to review</h2>
      {list.length === 0 ? <p>No restriction is due for review in the next 14 days.</p> : <ul>
        {list.map((r) => <li><a href={`#/people/${r.person_id}`}>{r.person_name}</a>: {r.summary}; review on {r.review_on}
          {!r.active && ' (its notice has not been sent)'}</li>)}
      </ul>}
    </section>
  );
}
