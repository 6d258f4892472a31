// Administrators' page: the charters in use, and loading a new one with
// each problem shown beside its line.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ReviewBanner } from './availability';
import { ProblemText, User } from './ui';

type PolicyProblem = { line: number; column: number; message: string };

type LoadedPolicy = {
  id: string; organisation: string; version: number; review_by: string; services: number; promises: number;
  review_overdue: boolean;
};

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
          <td>{p.services}</td><td>{p.promises}</td><td class={p.review_overdue ? 'state-breached' : ''}>{p.review_by}{p.review_overdue ? ' (overdue)' : ''}</td></tr>
      ))}</tbody>
    </table></div>
  );
}

// Administrators load a charter: the file is checked first, and each
// problem is shown beside the line it concerns.
export function Admin({ user }: { user: User }) {
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
    const warned = ((r.data as { warnings?: string[] })?.warnings ?? []).join(' ');
    if (r.ok) setNotice(`${load ? `Loaded ${r.data.id}. ${r.data.detail ?? ''}` : `${r.data.id} is valid.`}${warned ? ` Warning: ${warned}` : ''}`);
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
      <ReviewBanner user={user} />
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

