// The access log (GET /api/v1/audit?person= or ?user=): who viewed a
// person's records, their cases included, between two dates, or what one
// member of staff viewed; newest first, a page at a time. For managers
// (their own services' records) and administrators (everything).
import { useLayoutEffect, useRef, useState, useEffect } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText } from './ui';

type Row = {
  id: number; at: string; user_id: number | null; user: string | null; action: string;
  object: string; object_id: number | null; remote: string | null;
};
type Page = {
  person?: { id: number; name: string }; user?: { id: number; name: string };
  audit: Row[]; more: boolean; next: string | null;
};

// "#/access-log?person=3" -> { kind: 'person', id: 3 }; null when it names neither.
export function accessLogSubject(query: string | undefined): { kind: 'person' | 'user'; id: number } | null {
  const m = (query ?? '').match(/^(person|user)=(\d+)$/);
  return m ? { kind: m[1] as 'person' | 'user', id: Number(m[2]) } : null;
}

const actions: Record<string, string> = {
  read: 'viewed', create: 'created', update: 'changed', 'read-audit': 'viewed the access log of',
  attach: 'attached a file to', delete: 'deleted', merge: 'merged',
  export: 'downloaded everything held about', release: 'released the subject access export of',
  extend: 'extended the time limit of', download: 'downloaded', hold: 'placed a legal hold on',
  'hold-release': 'released the legal hold on', erase: 'erased', purge: 'purged the audit log up to',
};

function Record({ row }: { row: Row }) {
  if (row.object === 'case' && row.object_id) return <a href={`#/cases/${row.object_id}`}>case {row.object_id}</a>;
  if (['person', 'incidents', 'restrictions'].includes(row.object) && row.object_id)
    return <a href={`#/people/${row.object_id}`}>{row.object === 'person' ? 'person' : `${row.object} of person`} {row.object_id}</a>;
  if (row.object === 'contract' && row.object_id) return <a href={`#/contracts/${row.object_id}`}>contract {row.object_id}</a>;
  if (row.object === 'attachment' && row.object_id) return <>file {row.object_id}</>;
  if (row.object === 'audit') return <>seq {row.object_id}</>;
  return <>{row.object}{row.object_id ? ` ${row.object_id}` : ''}</>;
}

export function AccessLog({ kind, id }: { kind: 'person' | 'user'; id: number }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<Row[]>();
  const [next, setNext] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const latest = useRef(0);
  const errorRef = useRef<HTMLDivElement>(null);
  const moreRef = useRef<HTMLTableRowElement>(null);
  const [focusRow, setFocusRow] = useState(-1);

  async function load(cursor: string | null) {
    const ask = ++latest.current;
    const q = new URLSearchParams({ [kind]: String(id), limit: '50' });
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    if (cursor) q.set('cursor', cursor);
    const r = await api<Page>('GET', `/api/v1/audit?${q}`);
    if (ask !== latest.current) return; // a newer question was asked meanwhile
    if (!r.ok) {
      setProblem(r.problem);
      if (!cursor) setRows(undefined);
      return;
    }
    setProblem(undefined);
    setName((kind === 'person' ? r.data.person?.name : r.data.user?.name) ?? '');
    const before = cursor ? rows ?? [] : [];
    setRows([...before, ...r.data.audit]);
    setNext(r.data.more ? r.data.next : null);
    setFocusRow(cursor ? before.length : -1);
  }
  useEffect(() => { setRows(undefined); load(null); }, [kind, id]);
  useLayoutEffect(() => { if (problem) errorRef.current?.focus(); }, [problem]);
  // After "Show older", focus goes to the first of the new rows.
  useLayoutEffect(() => { if (focusRow >= 0) moreRef.current?.focus(); }, [focusRow, rows]);

  const bad = (f: string) => problem?.fields?.includes(f) ?? false;
  const title = kind === 'person' ? `Who has viewed ${name || `person ${id}`}'s records` : `What ${name || `user ${id}`} viewed`;
  return (
    <main id="main">
      <h1>Access log</h1>
      <p class="lede">{title}</p>
      {kind === 'person' && <p><a href={`#/people/${id}`}>Back to {name || `person ${id}`}</a></p>}
      <form class="filters" onSubmit={(e) => { e.preventDefault(); load(null); }}>
        <div>
          <label for="al-from">From (first day)</label>
          <input id="al-from" type="date" value={from} aria-invalid={bad('from') ? 'true' : undefined}
            aria-describedby="al-dates-hint" onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label for="al-to">To (last day)</label>
          <input id="al-to" type="date" value={to} aria-invalid={bad('to') ? 'true' : undefined}
            aria-describedby="al-dates-hint" onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </div>
        <p id="al-dates-hint" class="hint">Leave a date empty for no limit on that side.</p>
        <button type="submit">Show</button>
      </form>
      <div tabIndex={-1} ref={errorRef}><ProblemText problem={problem} /></div>
      {rows && (rows.length === 0 ? <p role="status">Nothing recorded{from || to ? ' between these dates' : ''}.</p> : (
        <table class="stack">
          <caption class="visually-hidden">{title}</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Record</th><th scope="col">From where</th></tr></thead>
          <tbody>{rows.map((row, i) => (
            <tr key={row.id} tabIndex={i === focusRow ? -1 : undefined} ref={i === focusRow ? moreRef : undefined}>
              <td data-label="When"><time dateTime={row.at}>{inWords(row.at)}</time></td>
              <td data-label="Who">{row.user_id ? (kind === 'person'
                ? <a href={`#/access-log?user=${row.user_id}`}>{row.user ?? `user ${row.user_id}`}</a>
                : row.user ?? `user ${row.user_id}`) : 'the system'}</td>
              <td data-label="What">{actions[row.action] ?? row.action}</td>
              <td data-label="Record"><Record row={row} /></td>
              <td data-label="From where">{row.remote ?? ''}</td>
            </tr>
          ))}</tbody>
        </table>
      ))}
      {next && <button type="button" class="secondary" onClick={() => load(next)}>Show older</button>}
    </main>
  );
}
