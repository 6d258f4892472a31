// Notifications: what the desk tells a member of staff of their work (a
// case assigned or handed to them, a new message, a promise about to
// break), with the unread count in the header, each linking to its case,
// marked read one at a time or all at once; and how they hear of them by
// email (each, a daily digest, or none), chosen on the account page.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { ProblemText, User } from './ui';

type Note = {
  id: number; kind: string; text: string; case_id: number | null; obligation_id: number | null;
  created_at: string; read_at: string | null;
};
type Notes = { unread: number; notifications: Note[] };

const KINDS: Record<string, string> = {
  assigned: 'Assigned to you', 'handed-over': 'Handed to you', message: 'New message', warning: 'Promise about to fall due',
  compliment: 'A compliment', unassigned: 'Taken off you',
};

// Other pages say when the count may have changed (a notification read).
const CHANGED = 'charter-notifications';

// The header's link, with the unread count read again on every page.
export function NotificationsLink({ route }: { route: string }) {
  const [unread, setUnread] = useState<number>();
  useEffect(() => {
    const read = () => api<Notes>('GET', '/api/v1/notifications?unread=true')
      .then((r) => r.ok && setUnread(r.data.unread));
    read();
    addEventListener(CHANGED, read);
    return () => removeEventListener(CHANGED, read);
  }, [route]);
  return <a href="#/notifications">Notifications{unread ? <> <strong class="count">{unread}</strong><span class="visually-hidden"> unread</span></> : null}</a>;
}

export function NotificationsPage() {
  const [notes, setNotes] = useState<Notes>();
  const [problem, setProblem] = useState<Problem>();
  const [said, setSaid] = useState('');
  const [unreadOnly, setUnreadOnly] = useState(false);
  async function load() {
    const r = await api<Notes>('GET', `/api/v1/notifications${unreadOnly ? '?unread=true' : ''}`);
    if (!r.ok) return setProblem(r.problem);
    setNotes(r.data);
  }
  useEffect(() => { load(); }, [unreadOnly]);
  async function read(path: string, message: string) {
    const r = await api<Notes>('POST', path);
    if (!r.ok) {
      setSaid('');
      return setProblem(r.problem);
    }
    setProblem(undefined);
    await load(); // the message after the list it speaks of is drawn
    setSaid(message);
    dispatchEvent(new Event(CHANGED));
  }
  return (
    <main id="main">
      <h1>Notifications</h1>
      <ProblemText problem={problem} />
      {said && <p class="notice" role="status">{said}</p>}
      {!notes ? <p role="status">Loading your notifications...</p> : <>
        <p>{notes.unread === 0 ? 'You have read them all.' : `${notes.unread} unread.`}</p>
        <div class="check"><input type="checkbox" id="nt-unread" checked={unreadOnly} onChange={() => setUnreadOnly(!unreadOnly)} />
          <label for="nt-unread">Show only the unread</label></div>
        {notes.unread > 0 && <button type="button" class="secondary" onClick={() => read('/api/v1/notifications/read', 'Every notification is marked read.')}>Mark all read</button>}
        {notes.notifications.length === 0 ? <p>Nothing to show.</p> : (
          <ol class="notifications">{notes.notifications.map((n) => (
            <li class={n.read_at ? 'read' : 'unread'}>
              <p class="note-head"><strong>{KINDS[n.kind] ?? n.kind}</strong>{!n.read_at && <> <strong class="tag tag-open">unread</strong></>} <span class="when">{inWords(n.created_at)}</span></p>
              <p>{n.case_id ? <a href={`#/cases/${n.case_id}`} onClick={() => { if (!n.read_at) void api('POST', `/api/v1/notifications/${n.id}/read`).then(() => dispatchEvent(new Event(CHANGED))); }}>{n.text}</a> : n.text}</p>
              {!n.read_at && <button type="button" class="secondary inline" onClick={() => read(`/api/v1/notifications/${n.id}/read`, 'Marked read.')}>Mark read<span class="visually-hidden">: {n.text}</span></button>}
            </li>
          ))}</ol>
        )}
      </>}
    </main>
  );
}

// On the account page: how this person hears of their notifications.
export function NotifyChoice({ user }: { user: User }) {
  const [how, setHow] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const [said, setSaid] = useState('');
  // Read afresh: the choice may have changed since this tab signed in.
  useEffect(() => {
    api<{ user: User }>('GET', '/api/v1/session').then((r) => setHow((r.ok && r.data.user.notify) || user.notify || 'each'));
  }, [user.id]);
  async function save(e: Event) {
    e.preventDefault();
    const r = await api<{ notify?: string }>('PATCH', `/api/v1/users/${user.id}`, { notify: how });
    if (!r.ok) {
      setSaid('');
      return setProblem(r.problem);
    }
    setProblem(undefined);
    setSaid(how === 'each' ? 'You will get an email for each notification.'
      : how === 'digest' ? 'You will get one email a day listing them, sent once the oldest has waited a day.' : 'You will get no email; they stay in the desk.');
  }
  if (how === undefined) return null;
  return (
    <form onSubmit={save} aria-labelledby="notify-title">
      <h2 id="notify-title">How you hear of your work</h2>
      <ProblemText problem={problem} />
      {said && <p class="notice" role="status">{said}</p>}
      <fieldset><legend>Email me about my notifications</legend>
        {[['each', 'One email for each'], ['digest', 'One email a day listing them'], ['none', 'No email: I read them in the desk']].map(([v, text]) => (
          <div class="check"><input type="radio" name="notify" id={`nf-${v}`} value={v} checked={how === v} onChange={() => setHow(v)} />
            <label for={`nf-${v}`}>{text}</label></div>
        ))}
      </fieldset>
      <button type="submit">Save the choice</button>
    </form>
  );
}
