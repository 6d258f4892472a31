// Closing a case: each promise still open is settled on purpose (kept in a
// way the desk did not log, not kept, or withdrawn with a reason), so no
// promise is left pending on a closed case.
import { useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText } from './ui';

type Open = { id: number; promise: string; kind: string; due_at: string; state: string; text: string };
type Closable = { id: number; status: string; obligations?: Open[] };
type Choice = { outcome: '' | 'met' | 'breached' | 'withdrawn'; reason: string };

const OPEN = ['pending', 'breached', 'paused'];

export function CloseCase<C extends Closable>({ c, etag, onDone }: { c: C; etag?: string; onDone: (c: C, etag?: string) => void }) {
  const open = (c.obligations ?? []).filter((o) => OPEN.includes(o.state));
  const [choices, setChoices] = useState<Record<number, Choice>>({});
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [asking, setAsking] = useState(false);
  if (c.status === 'closed') return null;
  const choice = (o: Open): Choice => choices[o.id] ?? { outcome: '', reason: '' };
  const set = (o: Open, v: Partial<Choice>) => setChoices({ ...choices, [o.id]: { ...choice(o), ...v } });
  // The rule decides only for a resolve promise and one already past due;
  // any other needs the officer's word, asked here before the server is.
  const ruled = (o: Open) => o.kind === 'resolve' || o.state === 'breached' ||
    (o.state === 'pending' && new Date(o.due_at).getTime() < Date.now());
  async function close(e: Event) {
    e.preventDefault();
    const undecided = open.filter((o) => !ruled(o) && !choice(o).outcome);
    if (undecided.length) {
      setProblem({
        title: 'Some promises need a decision',
        detail: undecided.map((o) => `"${o.text}" is not yet due: say whether it was kept, not kept or withdrawn.`).join(' '),
      });
      document.getElementById(`settle-${undecided[0].id}-met`)?.focus();
      return;
    }
    const settle = open.filter((o) => choice(o).outcome)
      .map((o) => ({ obligation: o.id, outcome: choice(o).outcome, reason: choice(o).reason || null }));
    const body: Record<string, unknown> = { status: 'closed' };
    if (settle.length) body.settle = settle;
    if (note) body.note = note;
    const r = await api<C>('PATCH', `/api/v1/cases/${c.id}`, body, etag);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setAsking(false);
    onDone(r.data, r.etag);
  }
  if (!asking)
    return <button type="button" class="secondary" onClick={() => setAsking(true)}>Close the case</button>;
  return (
    <form onSubmit={close} aria-labelledby="close-case" class="panel">
      <h2 id="close-case">Close the case</h2>
      <ProblemText problem={problem} />
      {open.length === 0
        ? <p>Every promise on this case is settled.</p>
        : <p>Say how each promise still open ended. A promise to resolve the matter is kept by closing;
          one already past its due time is recorded as not kept unless you say otherwise.</p>}
      {open.map((o) => {
        const ch = choice(o);
        const name = `settle-${o.id}`;
        return (
          <fieldset>
            <legend>{o.text} <span class={`tag state-${o.state}`}>{o.state}</span>, due {inWords(o.due_at)}</legend>
            {([['met', 'Kept (say by what)'], ['breached', 'Not kept'], ['withdrawn', 'Withdrawn (say why)'],
              ...(ruled(o) ? [['', o.kind === 'resolve' ? 'Kept by closing the case' : 'Not kept by its due time (the rule)']] : [])] as [Choice['outcome'], string][]).map(([v, label]) => (
              <div class="check">
                <input type="radio" id={`${name}-${v || 'default'}`} name={name} checked={ch.outcome === v} onChange={() => set(o, { outcome: v })} />
                <label for={`${name}-${v || 'default'}`}>{label}</label>
              </div>
            ))}
            {(ch.outcome === 'met' || ch.outcome === 'withdrawn' || ch.outcome === 'breached') && <>
              <label for={`${name}-reason`}>{ch.outcome === 'met' ? 'How it was kept' : ch.outcome === 'withdrawn' ? 'Why it was withdrawn' : 'Anything a manager should know (optional)'}</label>
              <input id={`${name}-reason`} type="text" maxLength={1000} value={ch.reason} onInput={(e) => set(o, { reason: (e.target as HTMLInputElement).value })} />
            </>}
          </fieldset>
        );
      })}
      <label for="close-note">A note for the timeline (optional)</label>
      <input id="close-note" type="text" maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      <button type="submit">Settle and close</button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Keep it open</button>
    </form>
  );
}
