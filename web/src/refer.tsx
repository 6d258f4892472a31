// Moving a case: transfer it to another of the organisation's services, or
// refer it to another body's along the route its charter names (Cognus sends
// FOI requests to the council). The desk says where this person may send it;
// the answer is the case re-homed, its promises counted from first receipt.
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText } from './ui';

type Destination = {
  service: string; organisation: string; name: string; referral: boolean; route_text: string | null;
};
type Movable = { id: number; service: string; status: string };

export function ReferForm<C extends Movable>({ kase, etag, onMoved }: {
  kase: C; etag?: string; onMoved: (moved: C, etag?: string) => void;
}) {
  const [places, setPlaces] = useState<Destination[]>();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<Destination>();
  const [gone, setGone] = useState(false);
  useEffect(() => {
    api<{ destinations: Destination[] }>('GET', `/api/v1/cases/${kase.id}/destinations`).then((r) => {
      // Referred to a body this person does not work for: no longer theirs.
      if (r.status === 404 && done) return setGone(true);
      if (!r.ok) return setProblem(r.problem);
      setPlaces(r.data.destinations);
      setTo(r.data.destinations[0]?.service ?? '');
    });
  }, [kase.id, kase.service]);
  if (kase.status === 'closed' || (!places && !gone)) return null;
  const list = places ?? [];
  const chosen = list.find((p) => p.service === to);
  async function submit(e: Event) {
    e.preventDefault();
    const r = await api<C>('POST', `/api/v1/cases/${kase.id}/transfer`, { service: to, reason }, etag);
    if (!r.ok) return setProblem(r.problem);
    setProblem(undefined);
    setDone(chosen);
    setReason('');
    onMoved(r.data, r.etag);
  }
  const bad = (f: string) => problem?.fields?.includes(f) || undefined;
  return (
    <form onSubmit={submit} aria-labelledby="refer">
      <h2 id="refer">Transfer or refer</h2>
      {done && (
        <div role="status" class="notice">
          <p>{done.referral ? 'Referred' : 'Transferred'} to {done.organisation}: {done.name}. Its promises count from
            when it first arrived.</p>
          {done.route_text && <p>Tell the requester: {done.route_text}</p>}
        </div>
      )}
      <ProblemText problem={problem} />
      {gone ? (
        <p>The case is now outside the services you belong to, so you cannot change it any further.</p>
      ) : list.length === 0 ? (
        <p>There is no other service you can send this case to; a manager can send it to any service.</p>
      ) : <>
        <label for="rf-service">Send it to</label>
        <select id="rf-service" value={to} aria-invalid={bad('service')}
          onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
          {list.map((p) => (
            <option value={p.service}>
              {p.organisation}: {p.name}{p.route_text ? ' (where the charter sends this kind of request)' : ''}
            </option>
          ))}
        </select>
        {chosen?.route_text && <p>What the requester is told: {chosen.route_text}</p>}
        <label for="rf-reason">Why it is moving</label>
        <input id="rf-reason" type="text" maxLength={500} value={reason} aria-invalid={bad('reason')}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <button type="submit">{chosen?.referral ? 'Refer the case' : 'Transfer the case'}</button>
      </>}
    </form>
  );
}
