// Customer surveys in the browser: two SENDIASS enquiries close (survey
// delay 0 days here), the outbox mails each requester a one-time link (a
// real SMTP server on loopback takes them), and the public survey, with
// JavaScript off, is answered by keyboard alone: a missing rating shows the
// error summary, an answer gives the thank-you, the same link then says it
// was already answered; the other is answered anonymously. A manager's
// Surveys page shows the quarter's figures and both comments, the
// anonymous one with no case. Every page: axe, 320 px without sideways
// scrolling, screenshots.
// Usage: node surveys.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, repo, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');
const inbox = join(tmp, 'mail');
mkdirSync(inbox);
const sendiass = join(tmp, 'policies', 'sendiass.yaml');
writeFileSync(sendiass, readFileSync(sendiass, 'utf8').replace('delay: 2 days', 'delay: 0 days'));

const sink = spawn('/usr/bin/python3', [join(repo, 'tests', 'api', 'smtp_sink.py'), inbox], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(String(d).trim())));
const { server, base } = await startServer(charter, tmp, ['--smtp', `smtp://127.0.0.1:${port}`,
  '--mail-from', 'desk@charter.example', '--outbox-seconds', '1', '--sweep-seconds', '1']);
const browser = await launch();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  const run = (args, input) => spawnSync(absolute(charter), args, { encoding: 'utf8', input });
  run(['admin', 'user', 'add', '--db', db, '--email', 'mo@sendiass.example', '--name', 'Mo Manager', '--role', 'manager',
    '--service', 'sendiass/enquiries', '--password-stdin'], 'mo long password\n');
  const token = run(['admin', 'token', '--db', db, '--email', 'admin@charter.local']).stdout.trim();
  const send = async (method, path, body, etag) => {
    const r = await fetch(`${base}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(etag ? { 'If-Match': etag } : {}) },
    });
    const data = await r.json();
    check(r.ok, `set-up: ${method} ${path}`, JSON.stringify(data));
    return { data, etag: r.headers.get('ETag') };
  };
  const cases = [];
  for (const [name, email] of [['Priya Lee', 'priya@parent.example'], ['Sam Carer', 'sam@parent.example']]) {
    const made = await send('POST', '/api/v1/cases', {
      service: 'sendiass/enquiries', channel: 'phone', subject: 'EHCP annual review', requester: { name, email },
    });
    const settle = made.data.obligations.filter((o) => o.state === 'pending')
      .map((o) => ({ obligation: o.id, outcome: 'met', reason: 'Answered by phone.' }));
    await send('PATCH', `/api/v1/cases/${made.data.id}`, { status: 'closed', settle }, made.etag);
    cases.push({ id: made.data.id, email });
  }

  // The invitations, as the mail server received them.
  let files = [];
  for (let i = 0; i < 300 && files.length < 2; i++) {
    files = readdirSync(inbox);
    if (files.length < 2) await sleep(100);
  }
  check(files.length === 2, 'both requesters are sent an invitation', files.join(', '));
  const links = {};
  for (const f of files) {
    const raw = readFileSync(join(inbox, f), 'utf8').replace(/=\r?\n/g, '');
    const to = raw.match(/^To: .*<([^>]+)>/m)?.[1];
    const m = raw.match(/https:\/\/desk\.sendiass\.example(\/public\/sendiass\/survey\/[0-9a-f]{32})/);
    check(to && m, 'an invitation carries its link', raw.slice(0, 400));
    if (to && m) links[to] = m[1];
  }

  // The public survey with JavaScript off, by keyboard alone.
  const outside = await browser.newContext({ viewport: { width: 1440, height: 900 }, javaScriptEnabled: false });
  const pub = await outside.newPage();
  const first = links['priya@parent.example'];
  await pub.goto(`${base}${first}`);
  check(await pub.title() === 'How did we do? - SEND Information, Advice and Support Service',
    'the survey has a title naming the page and the organisation', await pub.title());
  check(await pub.locator('script').count() === 0, 'the survey has no script');
  // Sent with no rating: the summary says what to do.
  await pub.focus('button[type=submit]');
  await Promise.all([pub.waitForNavigation(), pub.keyboard.press('Enter')]);
  check(await pub.isVisible('.error-summary'), 'a missing rating shows the error summary');
  check((await pub.textContent('.error-summary')).includes('Choose how satisfied you are'),
    'saying what to do', await pub.textContent('.error-summary'));
  await pub.focus('#rating-5');
  await pub.keyboard.press('ArrowDown'); // radios move with the arrow keys: 5 to 4
  check(await pub.isChecked('#rating-4'), 'the rating is chosen with the arrow keys');
  await pub.keyboard.press('Tab');
  check(await pub.evaluate(() => document.activeElement.id) === 'comment', 'Tab then reaches the comment');
  await pub.keyboard.type('Clear advice before the review meeting.');
  check(await pub.inputValue('#comment') === 'Clear advice before the review meeting.', 'typed into the comment');
  await pub.keyboard.press('Tab');
  check(await pub.evaluate(() => document.activeElement.id) === 'anonymous', 'then the anonymous choice');
  await pub.keyboard.press('Tab');
  check(await pub.evaluate(() => document.activeElement.textContent) === 'Send my answer', 'then the button');
  await Promise.all([pub.waitForNavigation(), pub.keyboard.press('Enter')]);
  check((await pub.textContent('h1')) === 'Thank you for your answer', 'the thank-you page', await pub.textContent('main'));
  const again = await pub.goto(`${base}${first}`);
  check(again.status() === 409 && (await pub.textContent('main')).includes('already been answered'),
    'the used link says it has been answered', `${again.status()}`);

  // The same pages under axe (which needs script in the test's own browser; the pages have none).
  const look = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await look.goto(`${base}${links['sam@parent.example']}`);
  await axe(look, 'the survey form');
  await noSidewaysScroll(look, 'the survey form');
  await shoot(look, 'survey-form');
  await Promise.all([look.waitForNavigation(), look.click('button[type=submit]')]);
  await look.waitForSelector('.error-summary');
  await axe(look, 'the survey form with its error');
  await noSidewaysScroll(look, 'the survey form with its error');
  await shoot(look, 'survey-errors');
  await look.check('#rating-2');
  await look.fill('#comment', 'It took too long to hear back.');
  await look.check('#anonymous');
  await Promise.all([look.waitForNavigation(), look.click('button[type=submit]')]);
  check((await look.textContent('main')).includes('kept apart from your name'), 'the anonymous answer is taken');
  await axe(look, 'the survey thank-you page');
  await noSidewaysScroll(look, 'the survey thank-you page');
  await shoot(look, 'survey-thanks');
  await look.goto(`${base}${first}`);
  await axe(look, 'the already-answered page');
  await noSidewaysScroll(look, 'the already-answered page');
  await shoot(look, 'survey-answered');
  const unknown = await look.goto(`${base}/public/sendiass/survey/${'0'.repeat(32)}`);
  check(unknown.status() === 404 && (await look.textContent('main')).includes('cannot find an open survey'),
    'a link we never sent is not found, with a sentence', `${unknown.status()}`);
  await axe(look, 'the survey-not-found page');
  await noSidewaysScroll(look, 'the survey-not-found page');

  // The manager's Surveys page.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.fill('#email', 'mo@sendiass.example');
  await page.fill('#password', 'mo long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('header a[href="#/reports"]');
  await page.click('header a[href="#/reports"]');
  await page.waitForSelector('main a[href="#/surveys"]');
  await page.focus('main a[href="#/surveys"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=What people said');
  await page.waitForSelector('.comments li >> nth=1');
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  const row = await page.$$eval(`table tr:has(td:text-is("${quarter}")) td`, (tds) => tds.map((t) => t.textContent));
  check(JSON.stringify(row) === JSON.stringify([quarter, '2', '2', '100%', '3.00', '50% of 2']),
    'this quarter: two asked, two answered, scored', JSON.stringify(row));
  const said = await page.textContent('.comments');
  check(said.includes('Clear advice before the review meeting.') && said.includes(`Case ${cases[0].id}`),
    'the named comment links its case', said);
  check(said.includes('It took too long to hear back.') && said.includes('Anonymous: kept apart from the case'),
    'the anonymous one names none', said);
  check(!said.includes(`Case ${cases[1].id}`), 'the anonymous answer cannot be traced to its case');
  const csv = await page.getAttribute('a:has-text("CSV")', 'href');
  check(csv.includes('format=csv') && csv.includes(`to=${quarter}`), 'the CSV link asks for the same figures', csv);
  await axe(page, 'the Surveys page');
  await noSidewaysScroll(page, 'the Surveys page');
  await shoot(page, 'surveys');
  // A narrower choice, by keyboard: this quarter only.
  await page.focus('#sv-from');
  await page.selectOption('#sv-from', quarter);
  await page.focus('button:has-text("Show")');
  await page.keyboard.press('Enter');
  await page.waitForFunction((q) => document.querySelectorAll('section table tbody tr').length === 1 &&
    document.querySelector('section table tbody td')?.textContent === q, quarter);
  check(true, 'Show narrows the figures to the quarters chosen');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  sink.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
