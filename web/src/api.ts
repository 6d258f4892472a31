// Talking to the desk's API with the session cookie: every change sends
// the CSRF token given at sign-in, and problems come back as sentences.
export type Problem = { type?: string; title: string; detail: string; fields?: string[] };
export type Reply<T> = { ok: boolean; status: number; data: T; problem?: Problem; etag?: string };

let csrf = '';

export function setCsrf(token: string) {
  csrf = token;
}

export async function api<T>(method: string, path: string, body?: unknown, ifMatch?: string): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (ifMatch) headers['If-Match'] = ifMatch;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.headers.get('Content-Type')?.includes('json') ? await res.json() : null;
  return {
    ok: res.ok, status: res.status, data: data as T,
    problem: res.ok ? undefined : (data as Problem) ?? { title: 'Error', detail: res.statusText },
    etag: res.headers.get('ETag') ?? undefined,
  };
}

// "Wednesday 23 December, 17:00" in the service's zone (Europe/London).
export function inWords(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')}`;
}

// The session's CSRF token, for requests made without api() (file uploads).
export function csrfToken(): string {
  return csrf;
}

// Customer surveys (GET /api/v1/reports/surveys): figures by service and
// quarter, and the comments people left (case_id null when anonymous).
export type SurveyRow = {
  service: string; service_name: string | null; quarter: string; invited: number; answered: number;
  response_rate: number | null; responses: number; mean_rating: number | null; satisfied: number | null;
  ratings: number[];
};
export type SurveyComment = {
  service: string; quarter: string; submitted_at: string; rating: number; comment: string;
  anonymous: boolean; case_id: number | null;
};
export type SurveyReport = { from: string; to: string; rows: SurveyRow[]; comments: SurveyComment[] };
