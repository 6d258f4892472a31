// A school's own view in the browser: the named contact asks for a link,
// which reaches a real SMTP server on loopback; the link's button signs
// them in; the page shows only their school's contract (hours, visits,
// statements to download) and its form opens a case; staff open the same
// page from the contract on the desk. Every page is checked with axe, by
// keyboard, and for sideways scrolling at 320 px.
// Usage: node school.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, repo, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const inbox = join(tmp, 'mail');
mkdirSync(inbox);
const sink = spawn('/usr/bin/python3', [join(repo, 'tests', 'api', 'smtp_sink.py'), inbox], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(String(d).trim())));
const { server, base, password } = await startServer(charter, tmp, ['--smtp', `smtp://127.0.0.1:${port}`, '--outbox-seconds', '1']);
const browser = await launch();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  // Set-up through the API as the administrator.
  const login = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ email: 'admin@charter.local', password }),
  });
  const session = await login.json();
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const send = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method, body: JSON.stringify(body),
      headers: { Cookie: cookie, 'X-CSRF-Token': session.csrf_token, 'Content-Type': 'application/json' },
    });
    const data = await r.json();
    check(r.ok, `set-up: ${method} ${path}`, JSON.stringify(data));
    return data;
  };
  const oak = await send('POST', '/api/v1/contracts', {
    school: 'Oak Academy', service: 'beacon/consultancy', year: '2026-27', amount: 10, unit: 'hours',
    contact: { name: 'Mr Oak', email: 'bm@oak.example' }, scope: 'Behaviour in Years 5 and 6',
  });
  await send('POST', `/api/v1/contracts/${oak.id}/visits`, { starts_at: '2027-01-12T09:30' });
  await send('POST', '/api/v1/contracts', {
    school: 'Elm Primary', service: 'beacon/consultancy', year: '2026-27', amount: 20, unit: 'hours',
    contact: { name: 'Ms Elm', email: 'bm@elm.example' },
  });

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/school`);
  await page.waitForSelector('#email');
  await axe(page, 'the school sign-in page');
  await page.focus('#email');
  await page.keyboard.type('bm@oak.example');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=a sign-in link is on its way');
  check(true, 'asking for a link says it is on its way');
  let link = '';
  for (let i = 0; i < 200 && !link; i++) {
    for (const f of existsSync(inbox) ? readdirSync(inbox) : []) {
      // The body may be quoted-printable: undo its soft breaks and =XX.
      const body = readFileSync(join(inbox, f), 'utf8').replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      const m = body.match(/(http:\/\/\S+\/school\/link\?token=[A-Za-z0-9_-]+)/);
      if (m) link = m[1];
    }
    if (!link) await sleep(100);
  }
  check(link.startsWith(`${base}/school/link?token=`), 'the link reached the contact by email', link);
  await page.goto(link);
  await page.waitForSelector('button:has-text("Sign in")');
  await axe(page, 'the sign-in button page');
  await page.focus('button:has-text("Sign in")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h2:has-text("Oak Academy: Consultancy in school, 2026-27")');
  const text = await page.textContent('main');
  check(/Behaviour in Years 5 and 6/.test(text) && /Hours left/.test(text) && /Tuesday 12 January 2027|Tue 12 Jan 2027/.test(text),
    'the school sees its hours, scope and visits', text.slice(0, 400));
  check(!/Elm Primary/.test(text), 'and not another school\'s contract');
  check(await page.isVisible('a:has-text("autumn-2026 (PDF)")'), 'a statement to download for the begun term');
  await axe(page, 'the school\'s page');
  await shoot(page, 'school-page');
  // The page runs no script (its CSP allows none): fetch as the browser would.
  const href = await page.getAttribute('a:has-text("autumn-2026 (PDF)")', 'href');
  const jar = (await context.cookies()).find((x) => x.name === 'charter_school');
  const got = await fetch(`${base}${href}`, { headers: { Cookie: `charter_school=${jar?.value}` } });
  const bytes = new Uint8Array(await got.arrayBuffer());
  const pdf = { status: got.status, pdf: String.fromCharCode(...bytes.slice(0, 4)) };
  check(pdf.status === 200 && pdf.pdf === '%PDF', 'the statement downloads as a PDF', JSON.stringify(pdf));
  await page.focus('#message');
  await page.keyboard.type('Our SENCO leaves at Christmas; please plan the spring visits with Mrs Ash.');
  await page.click('button:has-text("Send")');
  await page.waitForSelector('text=Its reference is');
  const ref = (await page.textContent('[role=status]')).match(/reference is (\d+)/)[1];
  const kase = await (await fetch(`${base}/api/v1/cases/${ref}`, { headers: { Cookie: cookie } })).json();
  check(kase.service === 'beacon/enquiries' && kase.obligations.length > 0 && kase.requester.email === 'bm@oak.example',
    'the message opened a case with a clock', JSON.stringify(kase).slice(0, 300));
  await axe(page, 'the school\'s page after a message');

  // At 320 px nothing scrolls sideways.
  const narrow = await browser.newContext({ viewport: { width: 320, height: 800 } });
  const small = await narrow.newPage();
  await small.goto(`${base}/school`);
  await small.waitForSelector('#email');
  await noSidewaysScroll(small, 'the school sign-in page at 320 px');
  await shoot(small, 'school-sign-in');
  await narrow.close();

  // Staff open the same page from the desk.
  const staff = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const desk = await staff.newPage();
  desk.on('pageerror', (e) => errors.push(e.message));
  await desk.goto(`${base}/`);
  await desk.waitForSelector('#email');
  await desk.fill('#email', 'admin@charter.local');
  await desk.fill('#password', password);
  await desk.keyboard.press('Enter');
  await desk.waitForSelector('header');
  await desk.goto(`${base}/app/#/contracts/${oak.id}`);
  await desk.waitForSelector('a:has-text("See what the school sees")');
  await desk.click('a:has-text("See what the school sees")');
  await desk.waitForSelector('text=This is what bm@oak.example sees');
  check(/Oak Academy: Consultancy in school/.test(await desk.textContent('main')), 'staff see the school\'s page for the contract');
  await axe(desk, 'the school page as staff preview it');
  await staff.close();
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  sink.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
