// Email on the case page: the files that came or went with an email
// contact and what became of a message we sent (queued, sent, failed with
// the reason, bounced), and the "Reply by email" form. The API checks a
// reply against the charter (consent, restrictions, secure sending) before
// anything is queued; a refusal's sentence is shown in the error summary.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, inWords, Problem } from './api';
import { Case, ErrorSummary, Tag } from './cases';
import { Attachment, uploadFile } from './people';

export type OutMessage = {
  id: number; purpose: string; contact_id: number | null; to: string; state: string; attempts: number;
  created_at: string; next_attempt_at: string | null; sent_at: string | null; error: string | null;
};

// The case's mail, read again whenever the case changes (a new version),
// and every few seconds while a message is still waiting to go.
export function useOutbox(caseId: number, version?: number): OutMessage[] {
  const [messages, setMessages] = useState<OutMessage[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<{ messages: OutMessage[] }>('GET', `/api/v1/cases/${caseId}/outbox`)
      .then((r) => r.ok && setMessages(r.data.messages));
  }, [caseId, version, tick]);
  const waiting = messages.some((m) => m.state === 'queued');
  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(() => setTick((n) => n + 1), 2000);
    return () => clearTimeout(t);
  }, [waiting, messages]);
  return messages;
}

function delivery(m: OutMessage): string {
  if (m.state === 'sent') return `to ${m.to}, ${inWords(m.sent_at)}`;
  if (m.state === 'queued')
    return m.attempts === 0 ? `waiting to go to ${m.to}`
      : `not taken yet (${m.error ?? 'the mail server did not answer'}); tried ${m.attempts} time${m.attempts === 1 ? '' : 's'}, next ${inWords(m.next_attempt_at)}`;
  if (m.state === 'failed') return `could not be sent to ${m.to}: ${m.error ?? 'no reason was given'}`;
  if (m.state === 'bounced') return `came back from ${m.to}: ${m.error ?? 'no reason was given'}`;
  return m.to;
}

// Under an email contact in the conversation: its delivery and its files.
export function MailFacts({ contactId, files, messages }: { contactId: number; files?: Attachment[]; messages: OutMessage[] }) {
  const mine = (files ?? []).filter((f) => f.contact_id === contactId);
  const sent = messages.filter((m) => m.contact_id === contactId);
  if (mine.length === 0 && sent.length === 0) return null;
  return (
    <div class="mail-facts">
      {sent.map((m) => <p class="delivery">Email <Tag state={m.state} /> {delivery(m)}</p>)}
      {mine.length > 0 && <>
        <p class="files-head">Files with this email:</p>
        <ul class="files">{mine.map((f) => <li><a href={f.href} download={f.filename}>{f.filename}</a></li>)}</ul>
      </>}
    </div>
  );
}

const MEETS: Record<string, string> = {
  acknowledge: 'acknowledges it', respond: 'answers it', resolve: 'resolves it',
  process: 'completes what they asked for', update: 'gives them an update',
};
// The reply form's fields: the API's name, the input's id and its label.
const REPLY: Record<string, [string, string]> = {
  text: ['rp-text', 'Your reply'], meets: ['rp-meets', 'What this reply does'],
  attachments: ['rp-files', 'Files to attach'], cc: ['rp-cc', 'Copy to'],
  copy_third_parties: ['rp-copy', 'They asked us to copy these people in'],
};

export function ReplyForm({ c, etag, onSent }: { c: Case; etag?: string; onSent: (c: Case, etag?: string) => void }) {
  const [text, setText] = useState('');
  const [meets, setMeets] = useState<string[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const [cc, setCc] = useState('');
  const [copy, setCopy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const open = (c.obligations ?? []).filter((o) => o.state === 'pending' || o.state === 'breached');
  const kinds = [...new Set(open.map((o) => o.kind))];
  const files = (c.attachments ?? []).filter((f) => !f.contact_id);
  const bad = (k: string) => (problem?.fields?.includes(k) ? true : undefined);
  function toggle<T>(list: T[], v: T): T[] {
    return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
  }
  async function send(e: Event) {
    e.preventDefault();
    setDone('');
    if (!text.trim()) {
      setProblem({ title: 'Nothing to send', detail: 'Write your reply first.', fields: ['text'] });
      return;
    }
    setBusy(true);
    const ids = [...picked];
    const chosen = file.current?.files?.[0];
    if (chosen) {
      const up = await uploadFile(`/api/v1/cases/${c.id}/attachments`, chosen);
      if (!up.ok || !up.data) {
        setBusy(false);
        setProblem({ ...(up.problem ?? { title: 'Not attached', detail: 'The file could not be attached.' }), fields: ['attachments'] });
        return;
      }
      ids.push(up.data.id);
    }
    const body: Record<string, unknown> = { text };
    if (meets.length) body.meets = meets;
    if (ids.length) body.attachments = ids;
    const copied = cc.split(/[,;\s]+/).filter((x) => x);
    if (copied.length) body.cc = copied;
    if (copy) body.copy_third_parties = true;
    const r = await api<Case>('POST', `/api/v1/cases/${c.id}/replies`, body, etag);
    setBusy(false);
    if (!r.ok) {
      setProblem(r.problem);
      return;
    }
    setProblem(undefined);
    setText('');
    setMeets([]);
    setPicked([]);
    setCc('');
    setCopy(false);
    if (file.current) file.current.value = '';
    setDone('Your reply is queued; it goes out in a moment, and its delivery shows in the conversation.');
    onSent(r.data, r.etag);
  }
  return (
    <form onSubmit={send} aria-labelledby="reply-title" noValidate>
      <h2 id="reply-title">Reply by email</h2>
      <p class="hint">To {c.requester.name ?? 'the requester'}{c.requester.email ? ` (${c.requester.email})` : ''}, subject "{/^re:/i.test(c.subject ?? '') ? '' : 'Re: '}{c.subject} [Case #{c.id}]".</p>
      <ErrorSummary fault={problem ? { problem, fields: REPLY } : undefined} />
      {done && <p class="notice" role="status">{done}</p>}
      <label for="rp-text">Your reply</label>
      <textarea id="rp-text" rows={8} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} aria-invalid={bad('text')} />
      {kinds.length > 0 && (
        <fieldset id="rp-meets" tabIndex={-1}><legend>What this reply does</legend>
          {kinds.map((k) => (
            <div class="check"><input type="checkbox" id={`rp-${k}`} checked={meets.includes(k)} onChange={() => setMeets(toggle(meets, k))} aria-invalid={bad('meets')} />
              <label for={`rp-${k}`}>{MEETS[k] ?? k} ({open.filter((o) => o.kind === k).map((o) => o.text).join('; ')})</label></div>
          ))}
        </fieldset>
      )}
      <fieldset id="rp-files" tabIndex={-1}><legend>Files to attach</legend>
        {files.map((f) => (
          <div class="check"><input type="checkbox" id={`rp-file-${f.id}`} checked={picked.includes(f.id)} onChange={() => setPicked(toggle(picked, f.id))} aria-invalid={bad('attachments')} />
            <label for={`rp-file-${f.id}`}>{f.filename}</label></div>
        ))}
        <label for="rp-upload">{files.length ? 'Or attach another file' : 'Attach a file'} (up to 5 MB)</label>
        <input id="rp-upload" type="file" ref={file}
          accept=".pdf,.png,.jpg,.jpeg,.txt,.doc,.docx,.odt,application/pdf,image/png,image/jpeg,text/plain" />
      </fieldset>
      <label for="rp-cc">Copy to (only people they asked us to copy in; addresses separated by commas)</label>
      <input id="rp-cc" type="text" autocomplete="off" value={cc} onInput={(e) => setCc((e.target as HTMLInputElement).value)} aria-invalid={bad('cc')} />
      <div class="check"><input type="checkbox" id="rp-copy" checked={copy} onChange={() => setCopy(!copy)} aria-invalid={bad('copy_third_parties')} />
        <label for="rp-copy">They asked us to copy these people in</label></div>
      <button type="submit" disabled={busy}>Send the reply</button>
    </form>
  );
}
