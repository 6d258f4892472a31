// Behaviour audits in the browser: set up an audit of a school from the
// charter's survey template, hand each group its link, watch the responses
// come in, download the results workbook, and set a follow-up beside its
// baseline with the change per question.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText } from './ui';

type Group = { group: string; code: string; form: string | null; responses: number };
type Question = {
  id: string; text: string; type: string; points?: number; low?: string | null; high?: string | null;
  options?: string[]; groups: string[]; required: boolean;
};
type Audit = {
  id: number; service: string; template: string; title: string | null; school: string;
  intervention: string | null; baseline_id: number | null; opens_on: string; closes_on: string;
  state: string | null; refused_here: boolean; groups: Group[]; responses: number; questions?: Question[];
};
type Template = { policy: string; id: string; title: string; groups: string[]; questions: Question[] };
type Tally = { answered: number; mean?: number | null; counts?: number[] };
type Results = {
  total: number;
  questions: (Question & { all: Tally; by_group: Record<string, Tally> })[];
};
type Change = {
  baseline_answered: number; follow_up_answered: number; baseline_mean?: number | null;
  follow_up_mean?: number | null; change?: number | null;
};
type Compared = {
  baseline: { id: number; opens_on: string; closes_on: string; responses: number };
  follow_up: { id: number; opens_on: string; closes_on: string; responses: number };
  questions: (Change & {
    id: string; text: string; type: string; by_group?: (Change & { group: string })[];
    options?: { option: string; baseline_share: number | null; follow_up_share: number | null; change: number | null }[];
  })[];
};

const GROUPS: Record<string, string> = { pupils: 'Pupils', parents: 'Parents', teachers: 'Teachers', governors: 'Governors' };
const STATES: Record<string, [string, string]> = {
  open: ['tag-open', 'Open'], scheduled: ['tag-pending', 'Not open yet'], closed: ['tag-closed', 'Closed'],
};

export function StateTag({ state }: { state: string | null }) {
  const [cls, words] = STATES[state ?? ''] ?? ['', 'Template missing'];
  return <strong class={`tag ${cls}`}>{words}</strong>;
}

function perGroup(a: Audit): string {
  return a.groups.map((g) => `${GROUPS[g.group]} ${g.responses}`).join(', ');
}

// "+0.40", "-1.20", "0.00": a change with its sign.
// Changes are worked out from the figures as shown, so the columns add up.
function change(before: number | null | undefined, after: number | null | undefined): string {
  if (before === null || before === undefined || after === null || after === undefined) return 'no answers on one side';
  const v = (Math.round(after * 100) - Math.round(before * 100)) / 100;
  return `${v > 0 ? '+' : ''}${v.toFixed(2)}`;
}

function points(before: number | null, after: number | null): string {
  if (before === null || after === null) return 'no answers on one side';
  const v = Math.round(after * 100) - Math.round(before * 100);
  return `${v > 0 ? '+' : ''}${v} ${Math.abs(v) === 1 ? 'point' : 'points'}`;
}

function mean(v: number | null | undefined): string {
  return v === null || v === undefined ? 'no answers' : v.toFixed(2);
}

function pct(v: number | null): string {
  return v === null ? 'no answers' : `${Math.round(v * 100)}%`;
}

export function Audits() {
  const [audits, setAudits] = useState<Audit[]>([]);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [services, setServices] = useState<{ service: string; name: string; policy: string }[]>([]);
  const [service, setService] = useState('');
  const [template, setTemplate] = useState('');
  const [school, setSchool] = useState('');
  const [intervention, setIntervention] = useState('');
  const [opens, setOpens] = useState('');
  const [closes, setCloses] = useState('');
  const [baseline, setBaseline] = useState('');
  const [groups, setGroups] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ audits: Audit[] }>('GET', '/api/v1/audits').then((r) => (r.ok ? setAudits(r.data.audits) : setProblem(r.problem)));
    api<{ services: { service: string; name: string; policy: string }[]; templates: Template[] }>('GET', '/api/v1/audit-templates')
      .then((r) => {
        if (!r.ok) return setProblem(r.problem);
        setServices(r.data.services);
        setTemplates(r.data.templates);
        const first = r.data.services[0];
        if (first) {
          setService(first.service);
          const t = r.data.templates.find((x) => x.policy === first.policy);
          if (t) { setTemplate(t.id); setGroups(t.groups); }
        }
      });
  }, []);
  const policy = services.find((s) => s.service === service)?.policy;
  const mine = templates.filter((t) => t.policy === policy);
  const chosen = mine.find((t) => t.id === template);
  const baselines = audits.filter((a) => a.service === service && a.template === template && !a.baseline_id);
  async function create(e: Event) {
    e.preventDefault();
    const body: Record<string, unknown> = { service, template, opens_on: opens, closes_on: closes, groups };
    if (school.trim()) body.school = school.trim();
    if (intervention.trim()) body.intervention = intervention.trim();
    if (baseline) body.baseline_id = Number(baseline);
    const r = await api<Audit>('POST', '/api/v1/audits', body);
    if (!r.ok) return setProblem(r.problem);
    location.hash = `#/audits/${r.data.id}`;
  }
  function toggle(g: string, on: boolean) {
    setGroups(on ? [...groups.filter((x) => x !== g), g] : groups.filter((x) => x !== g));
  }
  return (
    <main id="main">
      <h1>Behaviour audits</h1>
      <ProblemText problem={problem} />
      {audits.length === 0 ? <p>No audits yet.</p> : (
        <div class="table-wrap"><table>
          <caption>Audits, newest first</caption>
          <thead><tr><th scope="col">School</th><th scope="col">Survey</th><th scope="col">Open</th>
            <th scope="col">State</th><th scope="col">Responses so far</th></tr></thead>
          <tbody>{audits.map((a) => (
            <tr><td><a href={`#/audits/${a.id}`}>{a.school}</a>{a.baseline_id && ' (follow-up)'}</td><td>{a.title ?? a.template}</td>
              <td>{a.opens_on} to {a.closes_on}</td><td><StateTag state={a.state} /></td>
              <td>{a.responses} ({perGroup(a)})</td></tr>
          ))}</tbody>
        </table></div>
      )}
      {services.length > 0 && (
        <section aria-labelledby="new-audit">
          <h2 id="new-audit">Set up an audit</h2>
          <form onSubmit={create}>
            <label for="au-service">Service</label>
            <select id="au-service" value={service} onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setService(v);
              const t = templates.find((x) => x.policy === services.find((s) => s.service === v)?.policy);
              setTemplate(t?.id ?? '');
              setGroups(t?.groups ?? []);
            }}>
              {services.map((s) => <option value={s.service}>{s.name} ({s.service})</option>)}
            </select>
            <label for="au-template">Survey</label>
            <select id="au-template" value={template} onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setTemplate(v);
              setGroups(mine.find((t) => t.id === v)?.groups ?? []);
            }}>
              {mine.map((t) => <option value={t.id}>{t.title}</option>)}
            </select>
            <label for="au-baseline">Follows up</label>
            <select id="au-baseline" value={baseline} onChange={(e) => setBaseline((e.target as HTMLSelectElement).value)}>
              <option value="">Nothing: this is a baseline or a single audit</option>
              {baselines.map((a) => <option value={String(a.id)}>{a.school}, opened {a.opens_on}{a.intervention ? ` (${a.intervention})` : ''}</option>)}
            </select>
            <label for="au-school">School</label>
            <p class="hint" id="au-school-hint">A follow-up takes the school of its baseline when left empty.</p>
            <input id="au-school" type="text" aria-describedby="au-school-hint" value={school}
              onInput={(e) => setSchool((e.target as HTMLInputElement).value)} />
            <label for="au-intervention">Intervention (optional)</label>
            <input id="au-intervention" type="text" value={intervention}
              onInput={(e) => setIntervention((e.target as HTMLInputElement).value)} />
            <label for="au-opens">Opens on</label>
            <input id="au-opens" type="date" value={opens} onInput={(e) => setOpens((e.target as HTMLInputElement).value)} />
            <label for="au-closes">Closes on</label>
            <input id="au-closes" type="date" value={closes} onInput={(e) => setCloses((e.target as HTMLInputElement).value)} />
            {chosen && (
              <fieldset>
                <legend>Who is asked</legend>
                {chosen.groups.map((g) => (
                  <div class="check"><input type="checkbox" id={`au-g-${g}`} checked={groups.includes(g)}
                    onChange={(e) => toggle(g, (e.target as HTMLInputElement).checked)} />
                    <label for={`au-g-${g}`}>{GROUPS[g]}</label></div>
                ))}
              </fieldset>
            )}
            <div><button type="submit">Set up the audit</button></div>
          </form>
        </section>
      )}
    </main>
  );
}

function Comparison({ id }: { id: number }) {
  const [c, setC] = useState<Compared>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<Compared>('GET', `/api/v1/audits/${id}/compare`).then((r) => (r.ok ? setC(r.data) : setProblem(r.problem)));
  }, [id]);
  return (
    <section aria-labelledby="compare">
      <h2 id="compare">Before and after</h2>
      <ProblemText problem={problem} />
      {c && <>
        <p>Baseline (<a href={`#/audits/${c.baseline.id}`}>audit {c.baseline.id}</a>, opened {c.baseline.opens_on}): {c.baseline.responses} responses.
          Follow-up (this audit, opened {c.follow_up.opens_on}): {c.follow_up.responses} responses.</p>
        <div class="table-wrap"><table id="comparison">
          <caption>Mean score on each scale question, and the change</caption>
          <thead><tr><th scope="col">Question</th><th scope="col">Baseline</th><th scope="col">Follow-up</th><th scope="col">Change</th></tr></thead>
          <tbody>{c.questions.filter((q) => q.type === 'scale').map((q) => (
            <tr><th scope="row">{q.text}</th><td>{mean(q.baseline_mean)} ({q.baseline_answered})</td>
              <td>{mean(q.follow_up_mean)} ({q.follow_up_answered})</td><td>{change(q.baseline_mean, q.follow_up_mean)}</td></tr>
          ))}</tbody>
        </table></div>
        {c.questions.filter((q) => q.type !== 'scale').map((q) => (
          <div class="table-wrap"><table>
            <caption>{q.text}: share choosing each answer</caption>
            <thead><tr><th scope="col">Answer</th><th scope="col">Baseline</th><th scope="col">Follow-up</th><th scope="col">Change</th></tr></thead>
            <tbody>{(q.options ?? []).map((o) => (
              <tr><th scope="row">{o.option}</th><td>{pct(o.baseline_share)}</td><td>{pct(o.follow_up_share)}</td>
                <td>{points(o.baseline_share, o.follow_up_share)}</td></tr>
            ))}</tbody>
          </table></div>
        ))}
      </>}
    </section>
  );
}

// Closing an audit early or keeping it open longer.
function CloseDate({ a, onChanged }: { a: Audit; onChanged: (a: Audit) => void }) {
  const [closes, setCloses] = useState(a.closes_on);
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState('');
  async function change(e: Event) {
    e.preventDefault();
    const r = await api<Audit>('PATCH', `/api/v1/audits/${a.id}`, { closes_on: closes });
    if (!r.ok) { setDone(''); return setProblem(r.problem); }
    setProblem(undefined);
    setDone(`The audit now closes on ${r.data.closes_on}.`);
    onChanged(r.data);
  }
  return (
    <form onSubmit={change} aria-labelledby="cd-title">
      <h2 id="cd-title">Close early or keep open longer</h2>
      <ProblemText problem={problem} />
      {done && <p role="status" class="notice">{done}</p>}
      <label for="cd-closes">Closes on</label>
      <input id="cd-closes" type="date" value={closes} onInput={(e) => setCloses((e.target as HTMLInputElement).value)} />
      <div><button type="submit" class="secondary">Change the close date</button></div>
    </form>
  );
}

export function AuditPage({ id }: { id: number }) {
  const [a, setA] = useState<Audit>();
  const [results, setResults] = useState<Results>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<Audit>('GET', `/api/v1/audits/${id}`).then((r) => (r.ok ? setA(r.data) : setProblem(r.problem)));
    api<Results>('GET', `/api/v1/audits/${id}/results`).then((r) => r.ok && setResults(r.data));
  }, [id]);
  if (!a) return <main id="main"><h1>Audit {id}</h1><ProblemText problem={problem} />{!problem && <p>Loading...</p>}</main>;
  const asked = a.groups.map((g) => g.group);
  return (
    <main id="main">
      <h1>{a.title ?? a.template}: {a.school}</h1>
      <dl class="summary">
        <div><dt>State</dt><dd><StateTag state={a.state} /></dd></div>
        <div><dt>Open</dt><dd>{a.opens_on} to {a.closes_on}</dd></div>
        <div><dt>Service</dt><dd>{a.service}</dd></div>
        <div><dt>Intervention</dt><dd>{a.intervention ?? 'None named'}</dd></div>
        {a.baseline_id && <div><dt>Follows up</dt><dd><a href={`#/audits/${a.baseline_id}`}>Audit {a.baseline_id}</a></dd></div>}
        <div><dt>Responses so far</dt><dd id="au-total">{a.responses}</dd></div>
      </dl>
      <p><a href={`/api/v1/audits/${a.id}/results?format=xlsx`} download={`audit-${a.id}-results.xlsx`}>Download the results (Excel workbook)</a></p>
      <section aria-labelledby="links">
        <h2 id="links">Each group's link</h2>
        {a.refused_here && <p class="notice" id="au-https">The charter takes answers only over HTTPS, and this desk
          is served over plain HTTP: the links below will refuse every answer until the server runs with a
          certificate (charter serve --tls-cert and --tls-key).</p>}
        <p>Give each group its own link. The form shows the group how many have answered so far.</p>
        <div class="table-wrap"><table id="au-groups">
          <thead><tr><th scope="col">Group</th><th scope="col">Responses</th><th scope="col">Link</th></tr></thead>
          <tbody>{a.groups.map((g) => (
            <tr><th scope="row">{GROUPS[g.group]}</th><td>{g.responses}</td>
              <td>{g.form ? <a href={g.form}>{location.origin}{g.form}</a> : g.code}</td></tr>
          ))}</tbody>
        </table></div>
      </section>
      {results && (
        <section aria-labelledby="scores">
          <h2 id="scores">Mean scores so far</h2>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">Question</th>{asked.map((g) => <th scope="col">{GROUPS[g]}</th>)}<th scope="col">Everyone</th></tr></thead>
            <tbody>{results.questions.filter((q) => q.type === 'scale').map((q) => (
              <tr><th scope="row">{q.text}</th>{asked.map((g) => <td>{mean(q.by_group[g]?.mean)}</td>)}<td>{mean(q.all.mean)}</td></tr>
            ))}</tbody>
          </table></div>
        </section>
      )}
      {a.baseline_id && <Comparison id={a.id} />}
      <CloseDate a={a} onChanged={(x) => setA({ ...a, ...x })} />
    </main>
  );
}
