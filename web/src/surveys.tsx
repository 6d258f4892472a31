// Customer surveys on the desk: response rates and scores by service and
// quarter (the same figures as the CSV and the workbook), and what people
// wrote, newest first. An anonymous answer names no case.
import { useEffect, useState } from 'preact/hooks';
import { api, inWords, Problem, SurveyReport, SurveyRow } from './api';
import { ProblemText, Service } from './ui';

const words = ['Very dissatisfied', 'Dissatisfied', 'Neither satisfied nor dissatisfied', 'Satisfied', 'Very satisfied'];

// Calendar quarters, newest first, as the API writes them ("2026-Q1").
function quarters(count: number): string[] {
  const d = new Date();
  let q = d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
  const out: string[] = [];
  for (let i = 0; i < count; i++, q--) out.push(`${Math.floor(q / 4)}-Q${(q % 4) + 1}`);
  return out;
}

function percent(v: number | null): string {
  return v === null ? 'none yet' : `${v}%`;
}

function ServiceFigures({ service, rows }: { service: string; rows: SurveyRow[] }) {
  const name = rows[0].service_name ?? service;
  const id = `s-${service.replace(/[^a-z0-9-]/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{name} <span class="hint">({service})</span></h2>
      <div class="table-wrap"><table class="stack">
        <caption>Survey figures by quarter</caption>
        <thead><tr><th scope="col">Quarter</th><th scope="col">Asked</th><th scope="col">Answered</th>
          <th scope="col">Response rate</th><th scope="col">Average rating (1 to 5)</th>
          <th scope="col">Satisfied or very satisfied</th></tr></thead>
        <tbody>{rows.map((r) => (
          <tr><td data-label="Quarter">{r.quarter}</td><td data-label="Asked">{r.invited}</td>
            <td data-label="Answered">{r.answered}</td><td data-label="Response rate">{percent(r.response_rate)}</td>
            <td data-label="Average rating">{r.mean_rating === null ? 'none yet' : r.mean_rating.toFixed(2)}</td>
            <td data-label="Satisfied">{r.satisfied === null ? 'none yet' : `${r.satisfied}% of ${r.responses}`}</td></tr>
        ))}</tbody>
      </table></div>
    </section>
  );
}

export function Surveys() {
  const all = quarters(12);
  const [from, setFrom] = useState(all[3]);
  const [to, setTo] = useState(all[0]);
  const [service, setService] = useState('');
  const [services, setServices] = useState<Service[]>([]);
  const [report, setReport] = useState<SurveyReport>();
  const [problem, setProblem] = useState<Problem>();
  const [query, setQuery] = useState(`from=${all[3]}&to=${all[0]}`);
  useEffect(() => {
    api<{ services: Service[] }>('GET', '/api/v1/services').then((r) => r.ok && setServices(r.data.services));
  }, []);
  useEffect(() => {
    api<SurveyReport>('GET', `/api/v1/reports/surveys?${query}`).then((r) => {
      if (r.ok) {
        setReport(r.data);
        setProblem(undefined);
      } else {
        setProblem(r.problem);
      }
    });
  }, [query]);
  function show(e: Event) {
    e.preventDefault();
    setQuery(`from=${from}&to=${to}${service ? `&service=${encodeURIComponent(service)}` : ''}`);
  }
  const keys = report ? [...new Set(report.rows.map((r) => r.service))] : [];
  return (
    <main id="main">
      <h1>Customer surveys</h1>
      <p>After a case closes, the services that survey send its requester a one-time link (the delay, the kinds of
        case and whether answers may be anonymous are set in each charter). A quarter counts the people asked in it
        and the ratings given in it.</p>
      <form onSubmit={show} class="filters" aria-label="Which surveys">
        <div><label for="sv-from">From</label>
          <select id="sv-from" value={from} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
            {all.map((q) => <option value={q}>{q}</option>)}</select></div>
        <div><label for="sv-to">To</label>
          <select id="sv-to" value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
            {all.map((q) => <option value={q}>{q}</option>)}</select></div>
        <div><label for="sv-service">Service</label>
          <select id="sv-service" value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)}>
            <option value="">Every service</option>
            {services.map((s) => <option value={s.service}>{s.name} ({s.service})</option>)}</select></div>
        <div><button type="submit">Show</button></div>
      </form>
      <ProblemText problem={problem} />
      {report && <p>Download these figures: <a href={`/api/v1/reports/surveys?${query}&format=csv`} download="surveys.csv">CSV</a>
        {' '}or <a href={`/api/v1/reports/surveys?${query}&format=xlsx`} download="surveys.xlsx">Excel workbook</a> (with the comments).</p>}
      {report && keys.length === 0 && <p>None of your services surveys its customers. A charter turns surveys on with
        a <code>survey:</code> block on the service.</p>}
      {report && keys.map((k) => <ServiceFigures service={k} rows={report.rows.filter((r) => r.service === k)} />)}
      {report && <section aria-labelledby="sv-comments">
        <h2 id="sv-comments">What people said</h2>
        {report.comments.length === 0 && <p>No one left a comment in these quarters.</p>}
        <ul class="comments">{report.comments.map((c) => (
          <li>
            <dl class="summary">
              <div><dt>Rating</dt><dd>{words[c.rating - 1]} ({c.rating} of 5)</dd></div>
              <div><dt>Given</dt><dd>{inWords(c.submitted_at)}, {c.service}</dd></div>
              <div><dt>Case</dt><dd>{c.case_id === null ? 'Anonymous: kept apart from the case' : <a href={`#/cases/${c.case_id}`}>Case {c.case_id}</a>}</dd></div>
              <div><dt>Comment</dt><dd class="comment-text">{c.comment}</dd></div>
            </dl>
          </li>
        ))}</ul>
      </section>}
    </main>
  );
}
