// The staff page (who works on the desk and on which services; admins add,
// edit, deactivate and reset people, managers move officers among their own
// services) and everyone's own account page (password and API tokens).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { NotifyChoice } from './notifications';
import { api, inWords, Problem } from './api';
import { Away, AvailabilityEditor, dayText } from './availability';
import { ProblemText, Service, Staff, User } from './ui';

type Person = Staff & { active: boolean; away?: Away | null };
type Token = { id: number; label: string | null; created_at: string; expires_at: string; last_used_at: string | null; expired: boolean };

const value = (e: Event) => (e.target as HTMLInputElement).value;

// One person being edited: the fields an administrator may change, or only
// the services when a manager moves an officer.
function EditPerson({ person, me, services, onDone }: {
  person: Person; me: User; services: Service[]; onDone: (notice: string) => void;
}) {
  const admin = me.role === 'admin';
  const offered = services.map((s) => s.service);
  const [name, setName] = useState(person.name);
  const [role, setRole] = useState(person.role);
  const [chosen, setChosen] = useState(person.services.filter((s) => offered.includes(s)));
  const [password, setPassword] = useState('');
  const [availability, setAvailability] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => { heading.current?.focus(); }, [person.id]);
  const gone = admin ? person.services.filter((s) => !offered.includes(s)) : [];
  const toggle = (s: string) => setChosen(chosen.includes(s) ? chosen.filter((x) => x !== s) : [...chosen, s]);
  async function save(e: Event) {
    e.preventDefault();
    const body = admin ? { name, role, services: chosen } : { services: chosen };
    const r = await api('PATCH', `/api/v1/users/${person.id}`, body);
    if (!r.ok) return setProblem(r.problem);
    onDone(`Saved ${name}.`);
  }
  async function setActive(active: boolean) {
    const r = await api('PATCH', `/api/v1/users/${person.id}`, { active });
    if (!r.ok) return setProblem(r.problem);
    onDone(active ? `${person.name} can sign in again.` : `${person.name} is deactivated and signed out everywhere.`);
  }
  async function reset(e: Event) {
    e.preventDefault();
    const r = await api('POST', `/api/v1/users/${person.id}/password`, { password });
    if (!r.ok) return setProblem(r.problem);
    onDone(`${person.name}'s password is reset and their sessions have ended.`);
  }
  return (
    <section aria-labelledby="edit-person">
      <h2 id="edit-person" tabIndex={-1} ref={heading}>{admin ? 'Edit' : 'Services of'} {person.name}</h2>
      <ProblemText problem={problem} />
      <form onSubmit={save}>
        {admin && <>
          <label for="e-name">Name</label>
          <input id="e-name" type="text" value={name} onInput={(e) => setName(value(e))} />
          <label for="e-role">Role</label>
          <select id="e-role" value={role} onChange={(e) => setRole(value(e))}>
            <option value="officer">officer</option><option value="manager">manager</option><option value="admin">admin</option>
          </select>
        </>}
        <fieldset><legend>Services</legend>
          {services.map((s) => (
            <div class="check"><input type="checkbox" id={`e-svc-${s.service}`} checked={chosen.includes(s.service)} onChange={() => toggle(s.service)} />
              <label for={`e-svc-${s.service}`}>{s.organisation}: {s.name} ({s.service})</label></div>
          ))}
          {!admin && <p>Services outside yours stay as they are.</p>}
          {gone.length > 0 && <p>No longer offered by any charter, so dropped when you save: {gone.join(', ')}.</p>}
        </fieldset>
        <button type="submit">Save</button>
        <button type="button" class="secondary" onClick={() => onDone('')}>Cancel</button>
      </form>
      {admin && person.id !== me.id && <>
        <h3>Access</h3>
        {person.active
          ? <><p>Deactivating ends every session and API token of theirs at once.</p>
            <button type="button" class="warning" onClick={() => setActive(false)}>Deactivate {person.name}</button></>
          : <button type="button" onClick={() => setActive(true)}>Reactivate {person.name}</button>}
        <form onSubmit={reset}>
          <label for="e-password">New password for {person.name} (at least 10 characters; ends their sessions)</label>
          <input id="e-password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(value(e))} />
          <button type="submit">Reset the password</button>
        </form>
      </>}
      {person.id !== me.id && (admin || person.role === 'officer') && (availability
        ? <AvailabilityEditor userId={person.id} who={person.name} />
        : <button type="button" class="secondary" aria-expanded="false" onClick={() => setAvailability(true)}>Working pattern and absences of {person.name}</button>)}
    </section>
  );
}

// Staff and their services; administrators add and edit people.
export function StaffPage({ user }: { user: User }) {
  const [staff, setStaff] = useState<Person[]>([]);
  const [services, setServices] = useState<Service[]>([]);
  const [form, setForm] = useState({ email: '', name: '', role: 'officer', password: '', service: '' });
  const [editing, setEditing] = useState<Person>();
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem>();
  // When the editor closes, the focus goes to what happened (or the title),
  // not to the top of the page.
  const after = useRef<HTMLHeadingElement>(null);
  async function load() {
    const r = await api<{ users: Person[] }>('GET', '/api/v1/users');
    if (r.ok) setStaff(r.data.users);
    else setProblem(r.problem);
    const s = await api<{ services: Service[] }>('GET', '/api/v1/services');
    if (s.ok) setServices(s.data.services);
  }
  useEffect(() => { load(); }, []);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: value(e) });
  const mine = (u: Staff) => u.services.length === 0 || u.services.some((s) => services.some((x) => x.service === s));
  const editable = (u: Staff) => user.role === 'admin' || (user.role === 'manager' && u.role === 'officer' && mine(u));
  async function add(e: Event) {
    e.preventDefault();
    const r = await api('POST', '/api/v1/users', {
      email: form.email, name: form.name, role: form.role, password: form.password,
      services: form.service ? [form.service] : [],
    });
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setForm({ email: '', name: '', role: 'officer', password: '', service: '' });
    // The notice comes after the list it speaks of is drawn, never before.
    await load();
    setNotice(`Added ${form.name}.`);
  }
  async function done(message: string) {
    setEditing(undefined);
    setProblem(undefined);
    await load();
    if (message) setNotice(message);
    after.current?.focus();
  }
  return (
    <main id="main">
      <h1 tabIndex={-1} ref={after}>Staff</h1>
      <ProblemText problem={problem} />
      {notice && <p class="notice" role="status">{notice}</p>}
      <table class="stack">
        <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Services</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Change</span></th></tr></thead>
        <tbody>{staff.map((u) => (
          <tr>
            <td data-label="Name">{u.name}</td><td data-label="Email">{u.email}</td><td data-label="Role">{u.role}</td>
            <td data-label="Services">{u.services.join(', ') || (u.role === 'admin' ? 'all' : 'none')}</td>
            <td data-label="State" class={u.active ? 'state-met' : 'state-breached'}>{u.active ? 'active' : 'deactivated'}
              {u.away && <span class="away-tag"> away {u.away.until ? `until ${dayText(u.away.until)}` : '(return not known)'}</span>}</td>
            <td><a href={`#/access-log?user=${u.id}`}>What they viewed<span class="visually-hidden">: {u.name}</span></a> {editable(u) && <button type="button" class="secondary inline" onClick={() => { setNotice(''); setEditing(u); }}>
              {user.role === 'admin' ? 'Edit' : 'Change services of'} <span class="visually-hidden">{u.name}</span></button>}</td>
          </tr>
        ))}</tbody>
      </table>
      {editing && <EditPerson key={editing.id} person={editing} me={user} services={services} onDone={done} />}
      {user.role === 'admin' && (
        <form onSubmit={add} aria-labelledby="add-staff">
          <h2 id="add-staff">Add a member of staff</h2>
          <label for="s-name">Name</label><input id="s-name" type="text" value={form.name} onInput={set('name')} />
          <label for="s-email">Email</label><input id="s-email" type="email" value={form.email} onInput={set('email')} />
          <label for="s-role">Role</label>
          <select id="s-role" value={form.role} onChange={set('role')}>
            <option value="officer">officer</option><option value="manager">manager</option><option value="admin">admin</option>
          </select>
          <label for="s-service">Service</label>
          <select id="s-service" value={form.service} onChange={set('service')}>
            <option value="">None</option>
            {services.map((s) => <option value={s.service}>{s.organisation}: {s.name}</option>)}
          </select>
          <label for="s-password">First password (at least 10 characters)</label>
          <input id="s-password" type="password" autocomplete="new-password" value={form.password} onInput={set('password')} />
          <button type="submit">Add</button>
        </form>
      )}
    </main>
  );
}

// Everyone's own account: who they are, their password, their API tokens.
export function AccountPage({ user }: { user: User }) {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [pw, setPw] = useState({ current: '', next: '' });
  const [made, setMade] = useState({ label: '', days: '90' });
  const [fresh, setFresh] = useState('');
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem>();
  async function load() {
    const r = await api<{ tokens: Token[] }>('GET', '/api/v1/tokens');
    if (r.ok) setTokens(r.data.tokens);
    else setProblem(r.problem);
  }
  useEffect(() => { load(); }, []);
  function answer(r: { ok: boolean; problem?: Problem }, message: string) {
    if (!r.ok) {
      setProblem(r.problem);
      setNotice('');
      return false;
    }
    setProblem(undefined);
    setNotice(message);
    return true;
  }
  async function change(e: Event) {
    e.preventDefault();
    const r = await api('POST', `/api/v1/users/${user.id}/password`, { current_password: pw.current, password: pw.next });
    if (answer(r, 'Your password is changed; your other sessions have ended.')) setPw({ current: '', next: '' });
  }
  async function make(e: Event) {
    e.preventDefault();
    const days = Number(made.days);
    const body = { ...(made.label ? { label: made.label } : {}), expires_in_days: Number.isInteger(days) ? days : made.days };
    const r = await api<{ token: string; expires_at: string }>('POST', '/api/v1/tokens', body);
    if (!answer(r, '')) return;
    setFresh(r.data.token);
    setNotice(`Your new API token (shown once; it expires ${inWords(r.data.expires_at)}): ${r.data.token}`);
    setMade({ label: '', days: '90' });
    load();
  }
  async function revoke(t: Token) {
    const r = await api('DELETE', `/api/v1/tokens/${t.id}`);
    // The row goes in the same render as the notice, so nobody reads "Revoked" beside a token still listed.
    if (!answer(r, `Revoked ${t.label ?? `token ${t.id}`}.`)) return;
    setTokens((ts) => ts.filter((x) => x.id !== t.id));
    load();
  }
  return (
    <main id="main">
      <h1>Your account</h1>
      <ProblemText problem={problem} />
      {notice && <p class="notice token-notice" role="status">{notice}</p>}
      {fresh && notice.includes(fresh) && <p>Keep it safe and send it as <code>Authorization: Bearer</code>.</p>}
      <dl>
        <dt>Name</dt><dd>{user.name}</dd>
        <dt>Email</dt><dd>{user.email}</dd>
        <dt>Role</dt><dd>{user.role}</dd>
      </dl>
      <form onSubmit={change} aria-labelledby="change-password">
        <h2 id="change-password">Change your password</h2>
        <input type="text" autocomplete="username" value={user.email} hidden readOnly />
        <label for="a-current">Current password</label>
        <input id="a-current" type="password" autocomplete="current-password" value={pw.current} onInput={(e) => setPw({ ...pw, current: value(e) })} />
        <label for="a-new">New password (at least 10 characters)</label>
        <input id="a-new" type="password" autocomplete="new-password" value={pw.next} onInput={(e) => setPw({ ...pw, next: value(e) })} />
        <button type="submit">Change the password</button>
      </form>
      <h2>Your API tokens</h2>
      {tokens.length === 0 ? <p>You have no API tokens.</p> : (
        <table class="stack">
          <thead><tr><th scope="col">Label</th><th scope="col">Made</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Revoke</span></th></tr></thead>
          <tbody>{tokens.map((t) => (
            <tr>
              <td data-label="Label">{t.label ?? `token ${t.id}`}</td>
              <td data-label="Made">{inWords(t.created_at)}</td>
              <td data-label="Expires" class={t.expired ? 'state-breached' : ''}>{t.expired ? 'expired ' : ''}{inWords(t.expires_at)}</td>
              <td data-label="Last used">{t.last_used_at ? inWords(t.last_used_at) : 'never'}</td>
              <td><button type="button" class="secondary inline" onClick={() => revoke(t)}>Revoke <span class="visually-hidden">{t.label ?? `token ${t.id}`}</span></button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <form onSubmit={make} aria-labelledby="make-token">
        <h3 id="make-token">Make a token</h3>
        <label for="t-label">What it is for (optional)</label>
        <input id="t-label" type="text" value={made.label} onInput={(e) => setMade({ ...made, label: value(e) })} />
        <label for="t-days">Expires after this many days (1 to 365)</label>
        <input id="t-days" class="short" type="text" inputMode="numeric" value={made.days} onInput={(e) => setMade({ ...made, days: value(e) })} />
        <button type="submit">Make a token</button>
      </form>
      <NotifyChoice user={user} />
      <AvailabilityEditor userId={user.id} who="your" />
    </main>
  );
}
