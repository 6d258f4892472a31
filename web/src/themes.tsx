// What a case is about: its themes, ticked from its charter's list and
// saved whole, so the themes report can count cases by subject without
// names. Mounted on the case page.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText } from './ui';

export type Theme = { id: string; name: string };
type CaseThemesReply = { case_id: number; themes: Theme[]; allowed: Theme[] };

export function CaseThemes({ id, version, onSaved }: { id: number; version: number; onSaved: () => void }) {
  const [data, setData] = useState<CaseThemesReply>();
  const [etag, setEtag] = useState<string>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  useEffect(() => {
    api<CaseThemesReply>('GET', `/api/v1/cases/${id}/themes`).then((r) => {
      if (!r.ok) return setProblem(r.problem);
      setData(r.data);
      setEtag(r.etag);
      setChosen(r.data.themes.map((t) => t.id));
    });
  }, [id, version]);
  if (!data) return <ProblemText problem={problem} />;
  const toggle = (t: string) => setChosen(chosen.includes(t) ? chosen.filter((x) => x !== t) : [...chosen, t]);
  async function save(e: Event) {
    e.preventDefault();
    // In the charter's order; a theme since taken out of the charter has no
    // box to untick, so saving drops it, and the notice says what is kept.
    const themes = data!.allowed.map((t) => t.id).filter((t) => chosen.includes(t));
    const r = await api<CaseThemesReply>('PUT', `/api/v1/cases/${id}/themes`, { themes }, etag);
    if (!r.ok) {
      setDone(undefined);
      setProblem(r.problem);
      document.getElementById('ct-themes')?.focus();
      return;
    }
    setProblem(undefined);
    setData(r.data);
    setEtag(r.etag);
    setDone(r.data.themes.length ? `Themes saved: ${r.data.themes.map((t) => t.name).join(', ')}.` : 'The case carries no theme now.');
    onSaved();
  }
  return (
    <section aria-labelledby="case-themes">
      <h2 id="case-themes">What the case is about</h2>
      {done && <p class="notice" role="status">{done}</p>}
      <ProblemText problem={problem} />
      <p id="ct-now">{data.themes.length
        ? <>Themes: <ul class="plain inline">{data.themes.map((t) => <li><strong class="tag">{t.name}</strong></li>)}</ul></>
        : 'No theme yet.'}</p>
      {data.allowed.length === 0 ? <p>This service's charter lists no themes.</p> : (
        <form onSubmit={save}>
          <fieldset id="ct-themes" tabIndex={-1} aria-describedby="ct-hint" aria-invalid={problem ? true : undefined}>
            <legend>Themes</legend>
            <p class="hint" id="ct-hint">Tick what the case is about. The themes report counts cases by theme, with no names and
              any count under 5 hidden.</p>
            {data.allowed.map((t) => (
              <div class="check"><input type="checkbox" id={`ct-${t.id}`} checked={chosen.includes(t.id)} onChange={() => toggle(t.id)} />
                <label for={`ct-${t.id}`}>{t.name}</label></div>
            ))}
          </fieldset>
          <button type="submit" class="secondary">Save the themes</button>
        </form>
      )}
    </section>
  );
}
