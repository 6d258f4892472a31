// People on the desk: the People page (searched and paged), a person's
// details and communication needs edited, a duplicate merged (managers),
// the alert banner that goes with the person and every case of theirs, and
// the files attached to a person or a case.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, csrfToken, inWords, Problem } from './api';
import { ProblemText, User } from './ui';

export type Needs = {
  preferred_channel?: string; avoid_channels?: string[]; format?: string; language?: string;
  interpreter?: boolean; bsl?: boolean; avoid_times?: string; note?: string;
};
export type Attachment = {
  id: number; filename: string; content_type: string; size: number; contact_id?: number | null;
  uploaded_by_name: string | null; uploaded_at: string; href: string;
};
type PersonRow = {
  id: number; name: string; email: string | null; phone: string | null; date_of_birth: string | null;
  organisation_id: number | null; merged_into?: number | null; needs?: Needs; alerts?: string[];
};
type PeoplePage = { people: PersonRow[]; total: number; offset: number; limit: number };

const CHANNELS = ['phone', 'voicemail', 'email', 'letter', 'web', 'in-person', 'social'];
const FORMATS: [string, string][] = [['', 'No particular format'], ['large-print', 'Large print'],
  ['easy-read', 'Easy read'], ['braille', 'Braille'], ['audio', 'Audio']];
const PAGE = 50;

// What the person asked of us, at the top of every page about them or a
// case of theirs, so it is read before anyone makes contact.
export function AlertBanner({ alerts, who }: { alerts?: string[]; who?: string }) {
  if (!alerts || alerts.length === 0) return null;
  return (
    <section class="alert-banner" aria-labelledby="alert-banner-title">
      <h2 id="alert-banner-title">Before you contact {who ?? 'this person'}</h2>
      <ul>{alerts.map((a) => <li>{a}</li>)}</ul>
    </section>
  );
}

function size(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// Sends one file up to a record's attachments as itself (its own type),
// named in ?filename=; the reply by email attaches through it too.
export async function uploadFile(path: string, file: File): Promise<{ ok: boolean; data?: Attachment; problem?: Problem }> {
  const res = await fetch(`${path}?filename=${encodeURIComponent(file.name)}`, {
    method: 'POST', credentials: 'same-origin', body: file,
    headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrfToken() },
  });
  const body = res.headers.get('Content-Type')?.includes('json') ? await res.json() : null;
  if (!res.ok) return { ok: false, problem: body ?? { title: 'Not attached', detail: res.statusText } };
  return { ok: true, data: body as Attachment };
}

// The files on a record, each a download, and a form to add one.
export function Attachments({ files, path, onAdded }: { files?: Attachment[]; path: string; onAdded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function upload(e: Event) {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setDone(undefined);
      setProblem({ title: 'No file chosen', detail: 'Choose the file to attach first.' });
      input.current?.focus();
      return;
    }
    setBusy(true);
    const res = await uploadFile(path, file);
    setBusy(false);
    if (!res.ok) {
      setDone(undefined);
      setProblem(res.problem);
      return;
    }
    setProblem(undefined);
    setDone(`${file.name} is attached.`);
    if (input.current) input.current.value = '';
    onAdded();
  }
  return (
    <section aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      {(files ?? []).length === 0 ? <p>No files are attached.</p> : (
        <ul class="files">{(files ?? []).map((f) => (
          <li><a href={f.href} download={f.filename}>{f.filename}</a> <span class="hint">{f.content_type}, {size(f.size)}, added
            {f.uploaded_by_name ? ` by ${f.uploaded_by_name}` : ''} {inWords(f.uploaded_at)}{f.contact_id ? ', with an email in the conversation' : ''}</span></li>
        ))}</ul>
      )}
      <form onSubmit={upload} aria-label="Attach a file">
        <ProblemText problem={problem} />
        {done && <p class="notice" role="status">{done}</p>}
        <label for="file-input">Attach a file</label>
        <p class="hint" id="file-hint">A PDF, a PNG or JPEG photo, plain text, or a Word or OpenDocument file, up to 5 MB.</p>
        <input id="file-input" type="file" ref={input} aria-describedby="file-hint"
          accept=".pdf,.png,.jpg,.jpeg,.txt,.doc,.docx,.odt,application/pdf,image/png,image/jpeg,text/plain" />
        <button type="submit" class="secondary" disabled={busy}>Attach</button>
      </form>
    </section>
  );
}

// Every person the officer may see, searched by name or email, a page at a time.
export function PeopleList() {
  const [q, setQ] = useState('');
  const [page, setPage] = useState<PeoplePage>();
  const [problem, setProblem] = useState<Problem>();
  const status = useRef<HTMLParagraphElement>(null);
  // Only the latest search may draw: the first page's list must not arrive
  // after, and overwrite, the answer to what the officer then typed.
  const latest = useRef(0);
  async function search(offset: number, focus: boolean) {
    const mine = ++latest.current;
    const r = await api<PeoplePage>('GET', `/api/v1/people?limit=${PAGE}&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    if (mine !== latest.current) return;
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setPage(r.data);
    if (focus) setTimeout(() => status.current?.focus(), 0);
  }
  useEffect(() => { search(0, false); }, []);
  const shown = page?.people ?? [];
  return (
    <main id="main">
      <h1>People</h1>
      <form class="filters" aria-label="Find people" onSubmit={(e) => { e.preventDefault(); search(0, true); }}>
        <div><label for="pl-q">Name or email</label>
          <input id="pl-q" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} /></div>
        <div><button type="submit">Find people</button></div>
      </form>
      <ProblemText problem={problem} />
      {page && <div class="pager">
        <p role="status" tabIndex={-1} ref={status}>{page.total === 0 ? 'No people found'
          : `Showing ${page.offset + 1}-${page.offset + shown.length} of ${page.total} ${page.total === 1 ? 'person' : 'people'}`}</p>
        {(page.offset > 0 || page.offset + shown.length < page.total) && (
          <nav aria-label="Pages of people">
            {page.offset > 0 && <button type="button" class="secondary" onClick={() => search(Math.max(0, page.offset - page.limit), true)}>Previous {page.limit}</button>}
            {page.offset + shown.length < page.total && <button type="button" class="secondary" onClick={() => search(page.offset + page.limit, true)}>Next {Math.min(page.limit, page.total - page.offset - shown.length)}</button>}
          </nav>
        )}
      </div>}
      {shown.length > 0 && (
        <table class="stack" aria-label="People, by name">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Needs</th></tr></thead>
          <tbody>{shown.map((p) => (
            <tr>
              <td data-label="Name"><a href={`#/people/${p.id}`}>{p.name}</a></td>
              <td data-label="Email">{p.email ?? ''}</td>
              <td data-label="Needs">{(p.alerts ?? []).length ? p.alerts![0] : 'None recorded'}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </main>
  );
}

type Draft = {
  name: string; email: string; phone: string; date_of_birth: string;
  preferred_channel: string; avoid_channels: string[]; format: string; language: string;
  interpreter: boolean; bsl: boolean; avoid_times: string; note: string;
};

function draftOf(p: PersonRow): Draft {
  const n = p.needs ?? {};
  return {
    name: p.name, email: p.email ?? '', phone: p.phone ?? '', date_of_birth: p.date_of_birth ?? '',
    preferred_channel: n.preferred_channel ?? '', avoid_channels: n.avoid_channels ?? [], format: n.format ?? '',
    language: n.language ?? '', interpreter: !!n.interpreter, bsl: !!n.bsl, avoid_times: n.avoid_times ?? '', note: n.note ?? '',
  };
}

const FIELD_IDS: Record<string, [string, string]> = {
  name: ['pe-name', 'Name'], email: ['pe-email', 'Email'], phone: ['pe-phone', 'Phone'],
  date_of_birth: ['pe-dob', 'Date of birth'], 'needs.preferred_channel': ['pe-preferred', 'Preferred channel'],
  'needs.avoid_channels': ['pe-avoid', 'Channels to avoid'], 'needs.format': ['pe-format', 'Format'],
  'needs.language': ['pe-language', 'Language'], 'needs.avoid_times': ['pe-times', 'Times to avoid'],
  'needs.note': ['pe-note', 'Anything else agreed'],
};

// The person's details and needs, edited in one form and saved with PATCH.
export function PersonEditor({ p, onSaved }: { p: PersonRow; onSaved: (p: PersonRow) => void }) {
  const [d, setD] = useState<Draft>(draftOf(p));
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { setD(draftOf(p)); }, [p.id]);
  useLayoutEffect(() => { if (problem) box.current?.focus(); }, [problem]);
  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  const bad = (k: string) => (problem?.fields ?? []).includes(k) || undefined;
  async function save(e: Event) {
    e.preventDefault();
    const needs: Needs = {};
    if (d.preferred_channel) needs.preferred_channel = d.preferred_channel;
    if (d.avoid_channels.length) needs.avoid_channels = d.avoid_channels;
    if (d.format) needs.format = d.format;
    if (d.language.trim()) needs.language = d.language.trim();
    if (d.interpreter) needs.interpreter = true;
    if (d.bsl) needs.bsl = true;
    if (d.avoid_times.trim()) needs.avoid_times = d.avoid_times.trim();
    if (d.note.trim()) needs.note = d.note.trim();
    const r = await api<PersonRow>('PATCH', `/api/v1/people/${p.id}`, {
      name: d.name, email: d.email || null, phone: d.phone || null, date_of_birth: d.date_of_birth || null, needs,
    });
    if (!r.ok) { setDone(undefined); setProblem(r.problem); return; }
    setProblem(undefined);
    setDone('The details and needs are saved.');
    onSaved(r.data);
  }
  const toggle = (ch: string) => setD({
    ...d, avoid_channels: d.avoid_channels.includes(ch) ? d.avoid_channels.filter((x) => x !== ch) : [...d.avoid_channels, ch],
  });
  const named = (problem?.fields ?? []).map((f) => FIELD_IDS[f]).filter((x) => x);
  return (
    <form onSubmit={save} aria-labelledby="pe-title" noValidate>
      <h2 id="pe-title">Details and communication needs</h2>
      {problem && (
        <div class="error-summary" role="alert" tabIndex={-1} ref={box} aria-labelledby="pe-error-title">
          <h3 id="pe-error-title">There is a problem</h3>
          <p>{problem.title}: {problem.detail}</p>
          {named.length > 0 && <ul>{named.map(([id, label]) => (
            <li><a href={`#${id}`} onClick={(e) => { e.preventDefault(); document.getElementById(id)?.focus(); }}>{label}</a></li>
          ))}</ul>}
        </div>
      )}
      {done && <p class="notice" role="status">{done}</p>}
      <label for="pe-name">Name</label>
      <input id="pe-name" type="text" value={d.name} onInput={set('name')} aria-invalid={bad('name')} />
      <label for="pe-email">Email</label>
      <input id="pe-email" type="email" value={d.email} onInput={set('email')} aria-invalid={bad('email')} />
      <label for="pe-phone">Phone</label>
      <input id="pe-phone" type="tel" value={d.phone} onInput={set('phone')} aria-invalid={bad('phone')} />
      <label for="pe-dob">Date of birth</label>
      <p class="hint" id="pe-dob-hint">As YYYY-MM-DD, for example 2010-03-14.</p>
      <input id="pe-dob" type="text" inputMode="numeric" value={d.date_of_birth} onInput={set('date_of_birth')}
        aria-describedby="pe-dob-hint" aria-invalid={bad('date_of_birth')} />
      <label for="pe-preferred">Preferred channel</label>
      <select id="pe-preferred" value={d.preferred_channel} onChange={set('preferred_channel')} aria-invalid={bad('needs.preferred_channel')}>
        <option value="">No preference</option>
        {CHANNELS.map((ch) => <option value={ch}>{ch}</option>)}
      </select>
      <fieldset id="pe-avoid" tabIndex={-1}><legend>Channels to avoid</legend>
        {CHANNELS.map((ch) => (
          <div class="check"><input type="checkbox" id={`pe-avoid-${ch}`} checked={d.avoid_channels.includes(ch)} onChange={() => toggle(ch)} />
            <label for={`pe-avoid-${ch}`}>{ch}</label></div>
        ))}
      </fieldset>
      <label for="pe-format">Format for written information</label>
      <select id="pe-format" value={d.format} onChange={set('format')} aria-invalid={bad('needs.format')}>
        {FORMATS.map(([v, t]) => <option value={v}>{t}</option>)}
      </select>
      <label for="pe-language">Language</label>
      <input id="pe-language" type="text" value={d.language} onInput={set('language')} aria-invalid={bad('needs.language')} />
      <div class="check"><input type="checkbox" id="pe-interpreter" checked={d.interpreter} onChange={() => setD({ ...d, interpreter: !d.interpreter })} />
        <label for="pe-interpreter">An interpreter is needed</label></div>
      <div class="check"><input type="checkbox" id="pe-bsl" checked={d.bsl} onChange={() => setD({ ...d, bsl: !d.bsl })} />
        <label for="pe-bsl">Uses British Sign Language (BSL)</label></div>
      <label for="pe-times">Times to avoid</label>
      <input id="pe-times" type="text" value={d.avoid_times} onInput={set('avoid_times')} aria-invalid={bad('needs.avoid_times')} />
      <label for="pe-note">Anything else agreed</label>
      <textarea id="pe-note" value={d.note} onInput={set('note')} aria-invalid={bad('needs.note')} />
      <button type="submit">Save the details and needs</button>
    </form>
  );
}

// A manager merges a duplicate record into this one: its cases and files move here.
export function MergeForm({ p, user, onMerged }: { p: PersonRow; user: User; onMerged: (p: PersonRow) => void }) {
  const [dup, setDup] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  if (user.role === 'officer') return null;
  async function merge(e: Event) {
    e.preventDefault();
    const r = await api<PersonRow>('POST', `/api/v1/people/${p.id}/merge`, { duplicate_id: Number(dup) || 0 });
    if (!r.ok) { setDone(undefined); setProblem(r.problem); return; }
    setProblem(undefined);
    setDone(`Person ${dup} is merged into ${p.name}; their cases and files are here now.`);
    setDup('');
    onMerged(r.data);
  }
  return (
    <form onSubmit={merge} aria-labelledby="merge-title" noValidate>
      <h2 id="merge-title">Merge a duplicate into this record</h2>
      <ProblemText problem={problem} />
      {done && <p class="notice" role="status">{done}</p>}
      <label for="merge-id">The duplicate's person number</label>
      <p class="hint" id="merge-hint">Its cases and files move to {p.name}; the duplicate is kept, marked as merged.</p>
      <input id="merge-id" type="text" inputMode="numeric" value={dup} aria-describedby="merge-hint"
        aria-invalid={(problem?.fields ?? []).includes('duplicate_id') || undefined}
        onInput={(e) => setDup((e.target as HTMLInputElement).value)} />
      <button type="submit" class="secondary">Merge</button>
    </form>
  );
}
