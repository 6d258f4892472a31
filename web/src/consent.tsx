// People and safeguards in the browser: who may be spoken to about a case
// (and why), the "Spoken with" choice on the log-a-contact form, and a
// person's relationships and written consents (record, withdraw, remove).
// The rules are the desk's: this page shows its answers and sentences.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ErrorSummary } from './cases';

export type Allowed = {
  person_id: number; name: string; role: string; allowed: boolean; basis: string;
  consent_id: number | null; reason: string; sentence: string | null;
};
export type Relationship = {
  id: number; kind: string; person_id: number; person_name: string; other_id: number | null; other_name: string | null;
  organisation_id: number | null; organisation_name: string | null; note: string | null; created_at: string;
};
export type Consent = {
  id: number; grantor_id: number; grantor_name: string; grantee_id: number; grantee_name: string;
  scope: 'all' | 'case'; case_id: number | null; evidence: string; given_on: string; expires_on: string | null;
  state: string; withdrawn_at: string | null; withdrawn_reason: string | null; created_at: string;
};
// What GET /api/v1/people/{id} says of a person's safeguards.
export type PersonSafeguards = {
  relationships?: Relationship[]; consents?: Consent[]; hidden_relationships?: number; hidden_consents?: number;
};
type Fields = Record<string, [string, string]>;
type Fault = { problem: Problem; fields: Fields };

// Who may be spoken to about case id, asked again whenever the case or a
// consent changes (version).
export function useAllowed(id: number, version: number | undefined): Allowed[] {
  const [people, setPeople] = useState<Allowed[]>([]);
  useEffect(() => {
    api<{ people: Allowed[] }>('GET', `/api/v1/cases/${id}/contacts-allowed`).then((r) => r.ok && setPeople(r.data.people));
  }, [id, version]);
  return people;
}

export function WhoMayBeTold({ people }: { people: Allowed[] }) {
  return (
    <section aria-labelledby="who-may">
      <h2 id="who-may">Who we may speak to</h2>
      {people.length === 0 ? <p>The case names nobody it is about, so speak only with whoever contacted us.</p> : (
        <ul class="who-may">{people.map((p) => (
          <li><a href={`#/people/${p.person_id}`}>{p.name}</a> ({p.role}): <strong class={`tag tag-${p.allowed ? 'met' : 'breached'}`}>{p.allowed ? 'yes' : 'no'}</strong> — {p.reason}</li>
        ))}</ul>
      )}
      <p class="hint">Advocates are never copied in automatically: a contact with one is logged, and checked, on its own.</p>
    </section>
  );
}

// The "Spoken with" select of the log-a-contact form: the person the case
// is about unless another is chosen.
export function SpokenWith({ people, value, onChange, invalid }: {
  people: Allowed[]; value: string; onChange: (v: string) => void; invalid?: true;
}) {
  const subject = people.find((p) => p.basis === 'subject');
  return <>
    <label for="lc-with">Spoken with</label>
    <select id="lc-with" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} aria-invalid={invalid}>
      <option value="">{subject ? `${subject.name} (the person the case is about)` : 'Not recorded'}</option>
      {people.filter((p) => p.basis !== 'subject').map((p) => (
        <option value={String(p.person_id)}>{p.name} ({p.role}){p.allowed ? '' : ': consent needed'}</option>
      ))}
    </select>
  </>;
}

const REL: Fields = {
  kind: ['rel-kind', 'Relationship'], other_id: ['rel-other', 'Their person number'],
  organisation_id: ['rel-org', 'The organisation number'], note: ['rel-note', 'Note'],
};
const CON: Fields = {
  grantee_id: ['con-grantee', 'Who we may speak to (person number)'], scope: ['con-scope-all', 'What it covers'],
  case_id: ['con-case', 'The case number'], evidence: ['con-evidence', 'The written consent'],
  given_on: ['con-given', 'Date on the document'], expires_on: ['con-expires', 'Expires on'],
};
const WITHDRAW: Fields = { reason: ['con-reason', 'Why it is withdrawn'] };
const KINDS: [string, string][] = [
  ['parent', 'Parent of'], ['carer', 'Carer of'], ['advocate', 'Advocate for'],
  ['professional', 'Professional acting for'], ['contact-at', 'Contact at a school or organisation'],
];

function relationText(k: Relationship, me: number) {
  if (k.kind === 'contact-at') return <>Contact at {k.organisation_name ?? `organisation ${k.organisation_id}`}</>;
  const label = KINDS.find(([v]) => v === k.kind)?.[1] ?? k.kind;
  if (k.person_id === me) return <>{label} <a href={`#/people/${k.other_id}`}>{k.other_name}</a></>;
  return <><a href={`#/people/${k.person_id}`}>{k.person_name}</a> is their {k.kind === 'professional' ? 'professional' : k.kind}</>;
}

function day(iso: string): string {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function Safeguards({ id, name, data }: { id: number; name: string; data: PersonSafeguards }) {
  const [got, setGot] = useState(data);
  const rels = got.relationships ?? [], cons = got.consents ?? [];
  const [fault, setFault] = useState<Fault>();
  const [done, setDone] = useState<string>();
  const [rel, setRel] = useState({ kind: 'parent', other: '', org: '', note: '' });
  const [con, setCon] = useState({ grantee: '', scope: 'case', case_id: '', evidence: '', given_on: '', expires_on: '' });
  const [withdrawing, setWithdrawing] = useState<number>();
  const [reason, setReason] = useState('');
  useEffect(() => setGot(data), [data]);
  async function reload(said: string) {
    const r = await api<PersonSafeguards>('GET', `/api/v1/people/${id}`);
    if (r.ok) setGot(r.data);
    setFault(undefined);
    setDone(said);
  }
  const failed = (problem: Problem | undefined, fields: Fields) => { setDone(undefined); setFault({ problem: problem!, fields }); };
  async function addRel(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = { kind: rel.kind };
    if (rel.kind === 'contact-at') body.organisation_id = rel.org ? Number(rel.org) : null;
    else body.other_id = rel.other ? Number(rel.other) : null;
    if (rel.note) body.note = rel.note;
    const r = await api<Relationship>('POST', `/api/v1/people/${id}/relationships`, body);
    if (!r.ok) return failed(r.problem, REL);
    setRel({ ...rel, other: '', org: '', note: '' });
    reload('The relationship is recorded.');
  }
  async function remove(k: Relationship) {
    const r = await api('DELETE', `/api/v1/relationships/${k.id}`);
    if (!r.ok) return failed(r.problem, {});
    reload('The relationship is removed.');
  }
  async function addCon(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      grantee_id: con.grantee ? Number(con.grantee) : null, scope: con.scope, evidence: con.evidence, given_on: con.given_on,
    };
    if (con.scope === 'case') body.case_id = con.case_id ? Number(con.case_id) : null;
    if (con.expires_on) body.expires_on = con.expires_on;
    const r = await api<Consent>('POST', `/api/v1/people/${id}/consents`, body);
    if (!r.ok) return failed(r.problem, CON);
    setCon({ grantee: '', scope: 'case', case_id: '', evidence: '', given_on: '', expires_on: '' });
    reload(`${name}'s consent for ${r.data.grantee_name} is recorded.`);
  }
  async function withdraw(e: Event) {
    e.preventDefault();
    const r = await api<Consent>('POST', `/api/v1/consents/${withdrawing}/withdraw`, { reason });
    if (!r.ok) return failed(r.problem, WITHDRAW);
    setWithdrawing(undefined);
    setReason('');
    reload(`The consent for ${r.data.grantee_name} is withdrawn; from now we may not speak to them on its strength.`);
  }
  const bad = (fields: Fields, k: string) => (fault && fault.fields === fields && fault.problem.fields?.includes(k) ? true : undefined);
  const setR = (k: string) => (e: Event) => setRel({ ...rel, [k]: (e.target as HTMLInputElement).value });
  const setK = (k: string) => (e: Event) => setCon({ ...con, [k]: (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="safeguards">
      <h2 id="safeguards">Relationships and consents</h2>
      <ErrorSummary fault={fault} />
      {done && <p class="notice" role="status">{done}</p>}
      <h3>Relationships</h3>
      {rels.length === 0 ? <p>No relationship is recorded.</p> : (
        <ul class="plain safeguards">{rels.map((k) => (
          <li>{relationText(k, id)}{k.note && <> ({k.note})</>}{' '}
            <button type="button" class="secondary inline" onClick={() => remove(k)}>Remove<span class="visually-hidden"> relationship {k.id}</span></button></li>
        ))}</ul>
      )}
      {(got.hidden_relationships ?? 0) > 0 && <p class="hint">{got.hidden_relationships} more with people whose cases you cannot see.</p>}
      <form onSubmit={addRel} aria-labelledby="rel-title" noValidate>
        <h3 id="rel-title">Record a relationship</h3>
        <label for="rel-kind">{name} is</label>
        <select id="rel-kind" value={rel.kind} onChange={setR('kind')} aria-invalid={bad(REL, 'kind')}>
          {KINDS.map(([v, t]) => <option value={v}>{t}</option>)}
        </select>
        {rel.kind === 'contact-at' ? <>
          <label for="rel-org">The organisation number</label>
          <input id="rel-org" type="text" inputMode="numeric" class="short" value={rel.org} onInput={setR('org')} aria-invalid={bad(REL, 'organisation_id')} />
        </> : <>
          <label for="rel-other">Their person number</label>
          <p class="hint" id="rel-other-hint">The number at the end of the person's page address, such as 12 in #/people/12.</p>
          <input id="rel-other" type="text" inputMode="numeric" class="short" aria-describedby="rel-other-hint" value={rel.other} onInput={setR('other')} aria-invalid={bad(REL, 'other_id')} />
        </>}
        <label for="rel-note">Note (optional)</label>
        <input id="rel-note" type="text" value={rel.note} onInput={setR('note')} aria-invalid={bad(REL, 'note')} />
        <div><button type="submit" class="secondary">Record the relationship</button></div>
      </form>

      <h3>Consents</h3>
      {cons.length === 0 ? <p>No written consent is recorded.</p> : (
        <table class="stack" aria-label={`Consents given by or to ${name}`}>
          <thead><tr><th scope="col">Given by</th><th scope="col">We may speak to</th><th scope="col">About</th>
            <th scope="col">Dates</th><th scope="col">State</th><th scope="col">The written consent</th></tr></thead>
          <tbody>{cons.map((k) => (
            <tr>
              <td data-label="Given by">{k.grantor_name}</td>
              <td data-label="We may speak to">{k.grantee_name}</td>
              <td data-label="About">{k.scope === 'all' ? 'Every matter' : <a href={`#/cases/${k.case_id}`}>Case {k.case_id} only</a>}</td>
              <td data-label="Dates">from {day(k.given_on)}{k.expires_on ? `, expires ${day(k.expires_on)}` : ', until withdrawn'}</td>
              <td data-label="State"><strong class={`tag tag-${k.state === 'current' ? 'met' : k.state === 'withdrawn' ? 'withdrawn' : 'breached'}`}>{k.state}</strong>
                {k.withdrawn_at && <p class="hint">Withdrawn {inWords(k.withdrawn_at)}: {k.withdrawn_reason}</p>}
                {!k.withdrawn_at && k.grantor_id === id && (
                  <button type="button" class="secondary inline" onClick={() => { setWithdrawing(k.id); setReason(''); }}>Withdraw<span class="visually-hidden"> consent {k.id}</span></button>
                )}</td>
              <td data-label="The written consent">{k.evidence}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {(got.hidden_consents ?? 0) > 0 && <p class="hint">{got.hidden_consents} more with people whose cases you cannot see.</p>}
      {withdrawing && (
        <form onSubmit={withdraw} aria-labelledby="wd-title" noValidate>
          <h3 id="wd-title">Withdraw consent {withdrawing}</h3>
          <p>It stops counting at once, and stays on the record as withdrawn.</p>
          <label for="con-reason">Why it is withdrawn</label>
          <input id="con-reason" type="text" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} aria-invalid={bad(WITHDRAW, 'reason')} />
          <div><button type="submit" class="warning">Withdraw the consent</button>
            <button type="button" class="secondary" onClick={() => setWithdrawing(undefined)}>Keep it</button></div>
        </form>
      )}
      <form onSubmit={addCon} aria-labelledby="con-title" noValidate>
        <h3 id="con-title">Record {name}'s written consent</h3>
        <label for="con-grantee">Who we may speak to (person number)</label>
        <input id="con-grantee" type="text" inputMode="numeric" class="short" value={con.grantee} onInput={setK('grantee')} aria-invalid={bad(CON, 'grantee_id')} />
        <fieldset><legend>What it covers</legend>
          <div class="check"><input type="radio" name="con-scope" id="con-scope-case" checked={con.scope === 'case'} onChange={() => setCon({ ...con, scope: 'case' })} />
            <label for="con-scope-case">One case (consent for one enquiry covers only that one)</label></div>
          <div class="check"><input type="radio" name="con-scope" id="con-scope-all" checked={con.scope === 'all'} onChange={() => setCon({ ...con, scope: 'all' })} />
            <label for="con-scope-all">Every matter</label></div>
        </fieldset>
        {con.scope === 'case' && <>
          <label for="con-case">The case number</label>
          <input id="con-case" type="text" inputMode="numeric" class="short" value={con.case_id} onInput={setK('case_id')} aria-invalid={bad(CON, 'case_id')} />
        </>}
        <label for="con-evidence">The written consent</label>
        <p class="hint" id="con-evidence-hint">What the document is and where it is kept, such as "Signed form of 1 November, scanned to the case file".</p>
        <textarea id="con-evidence" aria-describedby="con-evidence-hint" value={con.evidence} onInput={setK('evidence')} aria-invalid={bad(CON, 'evidence')} />
        <label for="con-given">Date on the document</label>
        <input id="con-given" type="text" placeholder="2026-11-01" class="short" value={con.given_on} onInput={setK('given_on')} aria-invalid={bad(CON, 'given_on')} />
        <label for="con-expires">Expires on (optional; it no longer counts from that day)</label>
        <input id="con-expires" type="text" placeholder="2027-07-31" class="short" value={con.expires_on} onInput={setK('expires_on')} aria-invalid={bad(CON, 'expires_on')} />
        <div><button type="submit">Record the consent</button></div>
      </form>
    </section>
  );
}
