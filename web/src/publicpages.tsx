// The public pages of each charter, for managers: the standards page (points
// of contact, promises with last quarter's record, complaints and
// compliments, privacy notice) and the contact and feedback forms, opened
// exactly as the public sees them, with no sign-in and no JavaScript.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText, Service } from './ui';

type Charter = { policy: string; organisation: string; services: string[] };

export function PublicPages() {
  const [charters, setCharters] = useState<Charter[]>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ services: (Service & { policy: string })[] }>('GET', '/api/v1/services').then((r) => {
      if (!r.ok) return setProblem(r.problem);
      const by = new Map<string, Charter>();
      for (const s of r.data.services) {
        const c = by.get(s.policy) ?? { policy: s.policy, organisation: s.organisation, services: [] };
        c.services.push(s.name);
        by.set(s.policy, c);
      }
      setCharters([...by.values()]);
    });
  }, []);
  return (
    <main id="main">
      <h1>Public pages</h1>
      <p>What the public sees of each charter you work under. The standards page is built from the
        charter file and the desk's own records, and is the same for everyone.</p>
      <ProblemText problem={problem} />
      {!charters && !problem && <p>Loading the charters...</p>}
      {charters && charters.length === 0 && <p>You belong to no service yet, so there is no charter to show.</p>}
      {charters?.map((c) => (
        <section key={c.policy} aria-labelledby={`pp-${c.policy}`}>
          <h2 id={`pp-${c.policy}`}>{c.organisation}</h2>
          <p class="hint">{c.services.join(', ')}</p>
          <ul>
            <li><a href={`/public/${c.policy}`}>Service standards page</a></li>
            <li><a href={`/public/${c.policy}/contact`}>Contact form</a></li>
            <li><a href={`/public/${c.policy}/feedback`}>Feedback form</a></li>
          </ul>
        </section>
      ))}
    </main>
  );
}
