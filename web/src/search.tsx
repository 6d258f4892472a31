// The finder: people, organisations and cases by name, email, the words of
// a case, or the reference a member of the public was given. Words match
// by their start ("transp" finds "transport"). The query lives in the
// address (#/find?q=...), so a search can be shared or gone back to.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText } from './ui';

type Found = {
  q: string;
  cases: { id: number; subject: string; service: string; status: string }[];
  people: { id: number; name: string; email: string | null; organisation_id: number | null }[];
  organisations: { id: number; name: string; kind: string }[];
};

// The words from the address; a malformed escape is kept as typed.
export function findQuery(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    return raw ?? '';
  }
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

export function Finder({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  const [found, setFound] = useState<Found>();
  const [problem, setProblem] = useState<Problem>();
  async function find(words: string) {
    if (!words.trim()) {
      setFound(undefined);
      return setProblem({ title: 'Nothing to find', detail: 'Type a name, an email address, a reference or some words.' });
    }
    const r = await api<Found>('GET', `/api/v1/search?q=${encodeURIComponent(words)}`);
    if (!r.ok) {
      setFound(undefined);
      return setProblem(r.problem);
    }
    setProblem(undefined);
    setFound(r.data);
  }
  useEffect(() => { if (initial) find(initial); }, [initial]);
  function submit(e: Event) {
    e.preventDefault();
    const next = `#/find?q=${encodeURIComponent(q)}`;
    if (location.hash === next) find(q);
    else location.hash = next;
  }
  return (
    <main id="main">
      <h1>Find people, organisations and cases</h1>
      <ProblemText problem={problem} />
      <form role="search" onSubmit={submit}>
        <label for="find-q">Name, email address, reference or words</label>
        <p class="hint" id="find-hint">The start of a word is enough: "transp" finds "transport". A reference is the number a person was given when they wrote to us.</p>
        <input id="find-q" type="search" aria-describedby="find-hint" value={q} maxLength={200}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">Find</button>
      </form>
      <p role="status">{found && `Found ${plural(found.people.length, 'person', 'people')}, ${plural(found.organisations.length, 'organisation', 'organisations')} and ${plural(found.cases.length, 'case', 'cases')}.`}</p>
      {found && (
        <>
          <section aria-labelledby="found-people">
            <h2 id="found-people">People</h2>
            {found.people.length === 0 ? <p>No person matches.</p> : (
              <ul class="finder-results">{found.people.map((p) => (
                <li><a href={`#/people/${p.id}`}>{p.name}</a>{p.email && <> ({p.email})</>}</li>
              ))}</ul>
            )}
          </section>
          <section aria-labelledby="found-organisations">
            <h2 id="found-organisations">Organisations</h2>
            {found.organisations.length === 0 ? <p>No organisation matches.</p> : (
              <ul class="finder-results">{found.organisations.map((o) => (
                <li><a href={`#/organisations/${o.id}`}>{o.name}</a> ({o.kind})</li>
              ))}</ul>
            )}
          </section>
          <section aria-labelledby="found-cases">
            <h2 id="found-cases">Cases</h2>
            {found.cases.length === 0 ? <p>No case matches.</p> : (
              <ul class="finder-results">{found.cases.map((c) => (
                <li><a href={`#/cases/${c.id}`}>Case {c.id}: {c.subject}</a> ({c.service}, {c.status})</li>
              ))}</ul>
            )}
          </section>
        </>
      )}
    </main>
  );
}
