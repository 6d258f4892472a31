// The staff desk in the browser: sign in, then the page the URL's hash
// names. Each page lives in the module for its part of the desk.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, Problem, setCsrf } from './api';
import { Admin } from './admin';
import { CaseList, CasePage, Dashboard, PersonPage } from './cases';
import { PeopleList } from './people';
import { ContractPage, Contracts, StatementPage, Timetable } from './hours';
import { Reports, ThemesReport } from './reports';
import { Finder, findQuery } from './search';
import { AccountPage, StaffPage } from './staff';
import { NotificationsLink, NotificationsPage } from './notifications';
import { AuditPage, Audits } from './audits';
import { ProblemText, User } from './ui';
import { ComplaintsReport } from './complaints';
import { PublicPages } from './publicpages';
import { Surveys } from './surveys';
import { RetentionPage } from './retention';
import { AccessLog, accessLogSubject } from './accesslog';

function Login({ onIn }: { onIn: (u: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem>();
  async function submit(e: Event) {
    e.preventDefault();
    const r = await api<{ csrf_token: string; user: User }>('POST', '/api/v1/session', { email, password });
    if (!r.ok) return setProblem(r.problem);
    setCsrf(r.data.csrf_token);
    onIn(r.data.user);
  }
  return (
    <main id="main">
      <h1>Sign in to the desk</h1>
      <ProblemText problem={problem} />
      <form onSubmit={submit}>
        <label for="email">Email address</label>
        <input id="email" type="email" autocomplete="username" value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [route, setRoute] = useState(location.hash);
  const [outProblem, setOutProblem] = useState<Problem>();
  useEffect(() => {
    const on = () => setRoute(location.hash);
    addEventListener('hashchange', on);
    api<{ csrf_token: string | null; user: User }>('GET', '/api/v1/session').then((r) => {
      if (r.ok) {
        setCsrf(r.data.csrf_token ?? '');
        setUser(r.data.user);
      } else {
        setUser(null);
      }
    });
    return () => removeEventListener('hashchange', on);
  }, []);
  if (user === undefined) return <main id="main"><p>Loading the desk...</p></main>;
  // Signing out ends the session on the server, not only in this tab; the
  // sign-in page follows whatever the answer (a 401 means it had ended).
  async function signOut() {
    const r = await api('DELETE', '/api/v1/session');
    setOutProblem(r.ok || r.status === 401 ? undefined : r.problem);
    if (!r.ok && r.status !== 401) return;
    setCsrf('');
    setUser(null);
    location.hash = '#/';
  }
  const header = (
    <header><a href="#/">Charter</a>{user && <><a href="#/cases">Cases</a><a href="#/people">People</a><a href="#/find">Find</a><a href="#/reports">Reports</a><a href="#/contracts">Hours</a><a href="#/audits">Audits</a><NotificationsLink route={route} />{user.role !== 'officer' && <a href="#/staff">Staff</a>}{user.role === 'admin' && <a href="#/admin">Charters</a>}{user.role === 'admin' && <a href="#/retention">Retention</a>}<span class="who"><a href="#/account">Your account</a> {user.name} ({user.role})</span><button type="button" class="sign-out" onClick={signOut}>Sign out</button></>}</header>
  );
  if (!user) return <>{header}<Login onIn={setUser} /></>;
  const m = route.match(/^#\/(cases|people|organisations)\/(\d+)$/);
  let page, h;
  if (route === '#/reports') page = <Reports user={user} />;
  else if (route === '#/reports/themes') page = <ThemesReport />;
  else if (route === '#/surveys') page = <Surveys />;
  else if ((h = route.match(/^#\/find(?:\?q=(.*))?$/))) page = <Finder initial={findQuery(h[1])} />;
  else if (route === '#/cases') page = <CaseList />;
  else if (route === '#/people') page = <PeopleList />;
  else if (route === '#/staff') page = <StaffPage user={user} />;
  else if (route === '#/account') page = <AccountPage user={user} />;
  else if (route === '#/notifications') page = <NotificationsPage />;
  else if (route === '#/complaints' && user.role !== 'officer') page = <ComplaintsReport />;
  else if (route === '#/admin') page = <Admin user={user} />;
  else if (route === '#/public') page = <PublicPages />;
  else if (route === '#/contracts') page = <Contracts user={user} />;
  else if (route === '#/timetable') page = <Timetable user={user} />;
  else if ((h = route.match(/^#\/access-log\?(.*)$/)) && user.role !== 'officer' && accessLogSubject(h[1])) { const a = accessLogSubject(h[1])!; page = <AccessLog key={h[1]} kind={a.kind} id={a.id} />; }
  else if (route === '#/audits') page = <Audits />;
  else if (route === '#/retention' && user.role === 'admin') page = <RetentionPage />;
  else if ((h = route.match(/^#\/audits\/(\d+)$/))) page = <AuditPage id={Number(h[1])} />;
  else if ((h = route.match(/^#\/contracts\/(\d+)$/))) page = <ContractPage id={Number(h[1])} user={user} />;
  else if ((h = route.match(/^#\/contracts\/(\d+)\/statement\/([a-z]+-\d{4})$/))) page = <StatementPage id={Number(h[1])} term={h[2]} />;
  else if (m && m[1] === 'cases') page = <CasePage id={Number(m[2])} user={user} />;
  else if (m) page = <PersonPage id={Number(m[2])} kind={m[1] as 'people' | 'organisations'} user={user} />;
  else page = <Dashboard user={user} />;
  return <>{header}{outProblem && <div class="sign-out-problem"><ProblemText problem={outProblem} /></div>}{page}</>;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading" placeholder
render(<App />, root);
