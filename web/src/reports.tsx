// How well promises were kept: the on-time charts on the dashboard and
// the compliance report page, grouped by promise, officer, channel or
// theme, with its CSV and Excel downloads; and the themes report, counted
// without names and with small numbers hidden, for sharing outside. The
// desk counts as the report does: one not yet due is pending, the rate is
// over those whose outcome is known, and a month still running is "so far".
import { useEffect, useState } from 'preact/hooks';
import { api, Problem } from './api';
import { ProblemText, User } from './ui';

type ReportRow = {
  service: string; promise: string; month: string; due: number; met_on_time: number;
  met_late: number; not_met: number; pending: number; withdrawn: number;
  on_time_rate: number | null; median_working_hours: number | null; complete: boolean;
  officer?: string | null; channel?: string; theme?: string | null;
};

type By = 'promise' | 'officer' | 'channel' | 'theme';
const BY: [By, string][] = [['promise', 'Promise'], ['officer', 'Officer'], ['channel', 'Channel'], ['theme', 'Theme']];
const NONE: Record<By, string> = { promise: '', officer: 'Not assigned', channel: '', theme: 'No theme' };

// The group a row belongs to under by, in words.
function groupOf(r: ReportRow, by: By): string {
  const v = by === 'promise' ? r.promise : r[by];
  return v || NONE[by];
}

// "83%", "83% so far", or "none known yet" before anything has an outcome.
export function rateText(r: ReportRow): string {
  const rate = r.on_time_rate === null ? 'none known yet' : `${Math.round(r.on_time_rate * 100)}%`;
  return r.complete ? rate : `${rate} so far`;
}

// On-time rate by month for one promise, as bars; the table beside it
// carries the same figures for anyone who cannot see the chart.
function lastTwelveMonths(): string[] {
  const out: string[] = [];
  const d = new Date();
  for (let i = 11; i >= 0; i--) {
    const m = new Date(d.getFullYear(), d.getMonth() - i, 1);
    out.push(`${m.getFullYear()}-${String(m.getMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

export function RateChart({ rows, title }: { rows: ReportRow[]; title: string }) {
  const months = lastTwelveMonths();
  const w = 600, h = 160, bar = w / months.length;
  return (
    <svg viewBox={`0 0 ${w} ${h + 20}`} role="img" aria-label={title} class="chart">
      {months.map((month, i) => {
        const r = rows.find((x) => x.month === month);
        const bh = r && r.on_time_rate !== null ? Math.round(r.on_time_rate * h) : 0;
        return (
          <g>
            <rect x={i * bar + 4} y={h - bh} width={bar - 8} height={bh} class={r && !r.complete ? 'bar so-far' : 'bar'} />
            <text x={i * bar + bar / 2} y={h + 15} text-anchor="middle" class="axis">{month.slice(5)}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function Reports({ user }: { user?: User }) {
  const [rows, setRows] = useState<ReportRow[]>([]);
  const [by, setBy] = useState<By>('promise');
  const [shown, setShown] = useState<By>('promise');
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ rows: ReportRow[] }>('GET', `/api/v1/reports/compliance?by=${by}`).then((r) => {
      if (!r.ok) return setProblem(r.problem);
      setProblem(undefined);
      setRows(r.data.rows);
      setShown(by);
    });
  }, [by]);
  // Groups in the order the report gives them, each its service and name.
  const keys: [string, string][] = [];
  for (const r of rows) {
    const g = groupOf(r, shown);
    if (!keys.some(([s, k]) => s === r.service && k === g)) keys.push([r.service, g]);
  }
  const label = BY.find(([b]) => b === shown)![1].toLowerCase();
  const query = shown === 'promise' ? '' : `by=${shown}&`;
  return (
    <main id="main">
      <h1>How well we kept our promises</h1>
      <ProblemText problem={problem} />
      <nav aria-labelledby="rp-more">
        <h2 id="rp-more">More reports</h2>
        <ul>
          <li><a href="#/reports/themes">The themes report</a>: cases by theme, channel and outcome, for sharing with the local
            authority and partners, with no names and small numbers hidden.</li>
          <li><a href="#/surveys">Customer surveys</a>: how many people answered and how satisfied they were, by service and quarter.</li>
          {user && user.role !== 'officer' && <>
            <li><a href="#/complaints">Complaints and compliments</a>: each stage by outcome, and the staff praised.</li>
            <li><a href="#/public">Public pages</a>: the standards, contact and feedback pages each charter shows the public.</li>
          </>}
        </ul>
      </nav>
      <label for="rp-by">Group the figures by</label>
      <select id="rp-by" value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as By)}>
        {BY.filter(([b]) => b !== 'officer' || user?.role !== 'officer').map(([b, text]) => <option value={b}>{text}</option>)}
      </select>
      <ul class="plain" id="rp-downloads">
        <li><a href={`/api/v1/reports/compliance?${query}format=csv`} download={`compliance-by-${shown}.csv`}>Download the report by {label} (CSV)</a></li>
        <li><a href={`/api/v1/reports/compliance?${query}format=xlsx`} download={`compliance-by-${shown}.xlsx`}>Download the report by {label} (Excel)</a></li>
      </ul>
      {keys.length === 0 && <p>No promise fell due in the last twelve months.</p>}
      {keys.length > 0 && <p>The share kept on time is of those whose outcome is known: kept on time, kept late or
        not kept. One not yet due is pending. A month still running, or with some still pending, shows its figures
        so far, with a lighter bar.{shown === 'theme' && ' A case with two themes counts under each.'}</p>}
      {keys.map(([service, group], n) => {
        const mine = rows.filter((r) => r.service === service && groupOf(r, shown) === group);
        return (
          <section aria-labelledby={`r-${shown}-${n}`}>
            <h2 id={`r-${shown}-${n}`}>{group} ({service})</h2>
            <RateChart rows={mine} title={`Share kept on time by month for ${group}`} />
            <div class="table-wrap"><table>
              <thead><tr><th scope="col">Month</th><th scope="col">Due in the month</th><th scope="col">Kept on time</th>
                <th scope="col">Kept late</th><th scope="col">Not kept</th><th scope="col">Not yet due</th>
                <th scope="col">Median working hours</th></tr></thead>
              <tbody>{mine.map((r) => (
                <tr><td>{r.month}{!r.complete && ' (so far)'}</td><td>{r.due}</td><td>{r.met_on_time} ({rateText(r)})</td>
                  <td>{r.met_late}</td><td>{r.not_met}</td><td>{r.pending}</td><td>{r.median_working_hours ?? ''}</td></tr>
              ))}</tbody>
            </table></div>
          </section>
        );
      })}
    </main>
  );
}

type Figure = number | string;
type ThemeLine = {
  quarter: string; service: string; service_name: string; theme: string; theme_name: string; cases: Figure;
  by_channel: { channel: string; cases: Figure }[];
  by_outcome: { outcome: string; outcome_name: string; cases: Figure }[];
};

// The quarter a date falls in, as the API writes it ("2026-Q3").
function quarterOf(d: Date): string {
  return `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`;
}

// Cases by quarter and theme, as the local authority gets them: a total
// is exact from 5 (under 5 it reads "fewer than 5" and is not broken
// down), then by channel and, separately, by outcome, where small counts
// and any that would give one away read "hidden to protect small numbers".
export function ThemesReport() {
  const now = new Date();
  const [range, setRange] = useState({ from: quarterOf(new Date(now.getFullYear(), now.getMonth() - 9, 1)), to: quarterOf(now) });
  const [asked, setAsked] = useState(range);
  const [lines, setLines] = useState<ThemeLine[]>();
  const [rule, setRule] = useState('');
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    api<{ rows: ThemeLine[]; rule: string }>('GET', `/api/v1/reports/themes?from=${encodeURIComponent(asked.from)}&to=${encodeURIComponent(asked.to)}`)
      .then((r) => {
        if (!r.ok) {
          setProblem(r.problem);
          // To the first quarter at fault, so it can be put right at once.
          const fields = r.problem?.fields ?? [];
          document.getElementById(fields.includes('to') && !fields.includes('from') ? 'tr-to' : 'tr-from')?.focus();
          return;
        }
        setProblem(undefined);
        setLines(r.data.rows);
        setRule(r.data.rule);
      });
  }, [asked]);
  const bad = (f: string) => (problem?.fields ?? []).includes(f) || undefined;
  const q = `from=${encodeURIComponent(asked.from)}&to=${encodeURIComponent(asked.to)}`;
  return (
    <main id="main">
      <p><a href="#/reports">Back to the reports</a></p>
      <h1>Themes report</h1>
      <p>Cases by what they are about, by calendar quarter, with the channel they came by and how they ended. No names and
        no free text are included, so it can be shared with the local authority, health and voluntary bodies.</p>
      {rule && <p class="hint" id="tr-rule">{rule}</p>}
      <ProblemText problem={problem} />
      <form onSubmit={(e) => { e.preventDefault(); setAsked({ ...range }); }}>
        <label for="tr-from">From quarter</label>
        <p class="hint" id="tr-from-hint">Such as 2026-Q1 (January to March).</p>
        <input id="tr-from" type="text" value={range.from} aria-describedby="tr-from-hint" aria-invalid={bad('from')}
          onInput={(e) => setRange({ ...range, from: (e.target as HTMLInputElement).value.trim() })} />
        <label for="tr-to">To quarter</label>
        <input id="tr-to" type="text" value={range.to} aria-invalid={bad('to')}
          onInput={(e) => setRange({ ...range, to: (e.target as HTMLInputElement).value.trim() })} />
        <button type="submit" class="secondary">Show the themes</button>
      </form>
      <ul class="plain" id="tr-downloads">
        <li><a href={`/api/v1/reports/themes?${q}&format=csv`} download="themes.csv">Download the themes report (CSV)</a></li>
        <li><a href={`/api/v1/reports/themes?${q}&format=xlsx`} download="themes.xlsx">Download the themes report (Excel)</a></li>
        <li><a href={`/api/v1/reports/themes?${q}&format=pdf`} download="themes.pdf">Download the themes report (PDF)</a></li>
      </ul>
      {lines && lines.length === 0 && <p id="tr-none">No case with a theme came in from {asked.from} to {asked.to}.</p>}
      {lines && lines.length > 0 && (
        <table class="stack" id="tr-table">
          <caption>Themed cases, {asked.from} to {asked.to}</caption>
          <thead><tr><th scope="col">Quarter</th><th scope="col">Theme</th><th scope="col">Service</th><th scope="col">Cases</th>
            <th scope="col">By channel</th><th scope="col">By outcome</th></tr></thead>
          <tbody>{lines.map((l) => (
            <tr>
              <td data-label="Quarter">{l.quarter}</td>
              <td data-label="Theme"><strong>{l.theme_name}</strong></td>
              <td data-label="Service">{l.service_name}</td>
              <td data-label="Cases">{l.cases}</td>
              {l.by_channel.length === 0 ? <td data-label="Breakdown" colSpan={2}>Not broken down: too few to show.</td> : <>
                <td data-label="By channel"><ul class="plain">{l.by_channel.map((b) => <li>{b.channel}: {b.cases}</li>)}</ul></td>
                <td data-label="By outcome"><ul class="plain">{l.by_outcome.map((b) => <li>{b.outcome_name}: {b.cases}</li>)}</ul></td>
              </>}
            </tr>
          ))}</tbody>
        </table>
      )}
    </main>
  );
}

// Each promise's share kept on time over the last twelve months.
export function OnTime() {
  const [rows, setRows] = useState<ReportRow[]>([]);
  useEffect(() => {
    api<{ rows: ReportRow[] }>('GET', '/api/v1/reports/compliance').then((r) => r.ok && setRows(r.data.rows));
  }, []);
  const keys = [...new Set(rows.map((r) => `${r.service} ${r.promise}`))];
  return (
    <section aria-labelledby="on-time">
      <h2 id="on-time">Kept on time, last twelve months</h2>
      {keys.length === 0 && <p>No promise has fallen due yet.</p>}
      <div class="charts">
        {keys.map((k) => {
          const [service, promise] = k.split(' ');
          const mine = rows.filter((r) => `${r.service} ${r.promise}` === k);
          const last = mine[mine.length - 1];
          return (
            <figure>
              <RateChart rows={mine} title={`Share of ${promise} kept on time by month, ${service}`} />
              <figcaption>{promise} ({service}). {last.month}: {rateText(last)} on time
                {last.pending > 0 && `, ${last.pending} not yet due`}.</figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}

