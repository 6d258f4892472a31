// Email in the browser: an officer sees the case assigned to them in the
// header's notifications, reads the thread on the case page, replies by
// email with a file attached (the outbox delivers it to a real SMTP server
// on loopback, and the conversation shows it sent with its file), sees a
// refusal's sentence in the error summary, marks the notification read and
// chooses a daily digest on the account page. Every page is checked with
// axe, by keyboard, and for sideways scrolling at 320 px.
// Usage: node mail.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, repo, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');
const inbox = join(tmp, 'mail');
mkdirSync(inbox);

// A small SMTP server of the tests' own on a free loopback port.
const sink = spawn('/usr/bin/python3', [join(repo, 'tests', 'api', 'smtp_sink.py'), inbox], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(String(d).trim())));
const { server, base } = await startServer(charter, tmp, ['--smtp', `smtp://127.0.0.1:${port}`, '--outbox-seconds', '1']);
const browser = await launch();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  const run = (args, input) => spawnSync(absolute(charter), args, { encoding: 'utf8', input });
  run(['admin', 'user', 'add', '--db', db, '--email', 'olu@staff.example', '--name', 'Olu Officer', '--role', 'officer',
    '--service', 'cognus/enquiries', '--password-stdin'], 'olu long password\n');
  const token = run(['admin', 'token', '--db', db, '--email', 'admin@charter.local']).stdout.trim();
  const send = async (method, path, body, etag) => {
    const r = await fetch(`${base}${path}`, {
      method, body: JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(etag ? { 'If-Match': etag } : {}) },
    });
    const data = await r.json();
    check(r.ok, `set-up: ${method} ${path}`, JSON.stringify(data));
    return { data, etag: r.headers.get('ETag') };
  };
  const { data: users } = await send('GET', '/api/v1/users');
  const olu = users.users.find((u) => u.email === 'olu@staff.example');
  const made = await send('POST', '/api/v1/cases', {
    service: 'cognus/enquiries', channel: 'email', subject: 'School transport',
    requester: { name: 'Pat Parent', email: 'pat@parent.example' },
    message: 'My son has no bus pass for the new term. Can you help?',
  });
  const kase = made.data;
  await send('PATCH', `/api/v1/cases/${kase.id}`, { officer_id: olu.id }, made.etag);
  const none = (await send('POST', '/api/v1/cases', {
    service: 'cognus/enquiries', channel: 'phone', subject: 'A phone call', requester: { name: 'No Address' },
  })).data;

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.fill('#email', 'olu@staff.example');
  await page.fill('#password', 'olu long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('header a[href="#/notifications"] .count');
  check((await page.textContent('header a[href="#/notifications"]')).includes('1 unread'), 'the header counts the unread notification');

  // The thread on the case page.
  await page.goto(`${base}/app/#/cases/${kase.id}`);
  await page.waitForSelector('#reply-title');
  const thread = await page.textContent('.conversation');
  check(thread.includes('My son has no bus pass'), 'the conversation shows what they wrote', thread);
  check((await page.textContent('form[aria-labelledby=reply-title]')).includes(`Re: School transport [Case #${kase.id}]`), 'the form says what the subject will be');
  await axe(page, 'the case page with the reply form');
  await noSidewaysScroll(page, 'the case page with the reply form');

  // A reply with a file, by keyboard.
  await page.focus('#rp-text');
  await page.keyboard.type('Dear Pat, the bus pass form is attached. Olu');
  await page.focus('#rp-respond');
  await page.keyboard.press('Space');
  await page.setInputFiles('#rp-upload', { name: 'bus-pass.txt', mimeType: 'text/plain', buffer: Buffer.from('The bus pass form.\n') });
  await page.focus('form[aria-labelledby=reply-title] button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your reply is queued');
  await page.waitForSelector('.conversation .delivery .tag-sent', { timeout: 15000 });
  const sent = await page.textContent('.conversation');
  check(sent.includes('Dear Pat, the bus pass form is attached.') && /Email sent to pat@parent\.example/.test(sent), 'the reply shows as sent', sent);
  check(await page.isVisible('.mail-facts a:has-text("bus-pass.txt")'), 'the file it carried is a download on the email');
  check((await page.textContent('table.stack')).includes('met'), 'the reply kept the promise ticked');
  await axe(page, 'the case page after a reply');
  await noSidewaysScroll(page, 'the case page after a reply');
  await shoot(page, 'mail-case');
  let raw = '';
  for (let i = 0; i < 200 && !raw; i++) {
    for (const f of existsSync(inbox) ? readdirSync(inbox) : []) {
      const text = readFileSync(join(inbox, f), 'utf8');
      if (/^To: .*pat@parent\.example/m.test(text)) raw = text;
    }
    if (!raw) await sleep(100);
  }
  check(/^To: .*pat@parent\.example/m.test(raw) && /bus-pass\.txt/.test(raw), 'the message reached the mail server with its file', raw.slice(0, 400));

  // A refusal's sentence in the error summary.
  await page.goto(`${base}/app/#/cases/${none.id}`);
  await page.waitForSelector('#rp-text');
  // The case loads after the form appears and may draw it afresh: wait until
  // the typed text holds before sending, so the refusal is the one we mean.
  await page.waitForSelector('text=A phone call');
  for (let i = 0; i < 20; i++) {
    await page.fill('#rp-text', 'Hello');
    if (await page.inputValue('#rp-text') === 'Hello') break;
    await sleep(100);
  }
  await page.click('form[aria-labelledby=reply-title] button[type=submit]');
  await page.waitForSelector('form[aria-labelledby=reply-title] .error-summary');
  const refused = await page.textContent('form[aria-labelledby=reply-title] .error-summary');
  check(/no e-mail address on record; add one to their record, or write them a letter/.test(refused), 'the refusal says what to do', refused);
  check(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), 'the summary takes focus');
  await axe(page, 'the reply form with a refusal');

  // The notification: from the header, by keyboard; marked read.
  await page.focus('header a[href="#/notifications"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.notifications li');
  const item = await page.textContent('.notifications li');
  check(item.includes('Assigned to you') && item.includes(`case #${kase.id}`), 'the notification says what happened', item);
  check(await page.isVisible(`.notifications a[href="#/cases/${kase.id}"]`), 'it links to its case');
  await axe(page, 'the notifications page');
  await noSidewaysScroll(page, 'the notifications page');
  await shoot(page, 'mail-notifications');
  await page.focus('.notifications button:has-text("Mark read")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=You have read them all.');
  await page.waitForFunction(() => !document.querySelector('header a[href="#/notifications"] .count'));
  check(true, 'the header count goes once read');

  // How they hear of them: a daily digest.
  await page.goto(`${base}/app/#/account`);
  await page.waitForSelector('#nf-digest');
  check(await page.isChecked('#nf-each'), 'each is the default');
  await page.focus('#nf-digest');
  await page.keyboard.press('Space');
  await page.click('button:has-text("Save the choice")');
  // The label says "one email a day" too: wait for the notice the save draws.
  await page.waitForSelector('.notice:has-text("one email a day")');
  const me = await (await fetch(`${base}/api/v1/users`, { headers: { Authorization: `Bearer ${token}` } })).json();
  check(me.users.find((u) => u.id === olu.id)?.notify === 'digest', 'the choice is recorded');
  await axe(page, 'the account page with the notify choice');
  await noSidewaysScroll(page, 'the account page with the notify choice');

  // A consultant running late tells the school by email from the visit's
  // row; the message reaches the school's contact through the outbox.
  run(['admin', 'user', 'add', '--db', db, '--email', 'cora@beacon.example', '--name', 'Cora Consultant', '--role', 'officer',
    '--service', 'beacon/consultancy', '--password-stdin'], 'cora long password\n');
  const cora = (await send('GET', '/api/v1/users')).data.users.find((u) => u.email === 'cora@beacon.example');
  const contract = (await send('POST', '/api/v1/contracts', {
    school: 'Oak Academy', service: 'beacon/consultancy', year: '2026-27', amount: 10, unit: 'hours',
    consultant_id: cora.id, contact: { name: 'Mr Oak', email: 'bm@oak.example' },
  })).data;
  await send('POST', `/api/v1/contracts/${contract.id}/visits`, { starts_at: '2027-01-12T09:30' });
  const ctx2 = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const cp = await ctx2.newPage();
  cp.on('pageerror', (e) => errors.push(e.message));
  await cp.goto(`${base}/`);
  await cp.waitForSelector('#email');
  await cp.fill('#email', 'cora@beacon.example');
  await cp.fill('#password', 'cora long password');
  await cp.keyboard.press('Enter');
  await cp.waitForSelector('header');
  await cp.goto(`${base}/app/#/contracts/${contract.id}`);
  const row = 'tbody tr:has-text("12 January 2027") form';
  await cp.waitForSelector(row);
  await cp.selectOption(`${row} select`, 'late');
  await cp.fill(`${row} input[id$="-expected"]`, '2027-01-12T10:15');
  await cp.selectOption(`${row} select[id$="-channel"]`, 'email');
  await cp.fill(`${row} input[id$="-note"]`, 'Coming from another school.');
  await axe(cp, 'a visit with the late notice form');
  await cp.click(`${row} button`);
  await cp.waitForSelector('td:has-text("Late: expected Tuesday 12 January 2027, 10:15")');
  check(true, 'the late notice is recorded on the visit');
  await shoot(cp, 'mail-late-notice');
  let late = '';
  for (let i = 0; i < 200 && !late; i++) {
    for (const f of existsSync(inbox) ? readdirSync(inbox) : []) {
      const text = readFileSync(join(inbox, f), 'utf8');
      if (/^To: .*bm@oak\.example/m.test(text)) late = text;
    }
    if (!late) await sleep(100);
  }
  check(/running late for the visit at 09:30 on Tue 12 Jan 2027/.test(late) && /10:15 on Tue 12 Jan 2027/.test(late.replace(/=\r?\n/g, '')),
    'the school\'s contact is emailed the expected arrival', late.slice(0, 600));
  // Training on the first day of term warns; the school is told by email
  // what the session needs, before the date the row shows.
  await cp.selectOption('#bk-kind', 'training');
  await cp.fill('#bk-at', '2027-01-04T09:30');
  await cp.click('button:has-text("Book the visit")');
  await cp.waitForSelector('.notice:has-text("common INSET day")');
  await cp.waitForSelector('td:has-text("Tell the school what it needs by Monday 14 December 2026")');
  check(true, 'training on the first day of term warns, and the row says when to tell the school');
  // The timetable lists what schools are still to be told before their visits.
  await cp.goto(`${base}/app/#/timetable`);
  await cp.waitForSelector('li:has-text("what the training needs, by Monday 14 December 2026")');
  check(true, 'the timetable lists the training whose school is still to be told');
  await axe(cp, 'the timetable with schools to tell');
  await cp.goto(`${base}/app/#/contracts/${contract.id}`);
  await cp.waitForSelector('tbody tr:has-text("4 January 2027") form');
  const tr = 'tbody tr:has-text("4 January 2027") form';
  await cp.selectOption(`${tr} select`, 'resources');
  await cp.selectOption(`${tr} select[id$="-channel"]`, 'email');
  await cp.fill(`${tr} input[id$="-note"]`, 'A projector and a room set out for 30.');
  await axe(cp, 'a training session with the resources form');
  await cp.click(`${tr} button`);
  await cp.waitForSelector('td:has-text("The school was told what it needs on")');
  let needs = '';
  for (let i = 0; i < 200 && !needs; i++) {
    for (const f of existsSync(inbox) ? readdirSync(inbox) : []) {
      const text = readFileSync(join(inbox, f), 'utf8');
      if (/what the training at 09:30 on Mon 04 Jan 2027 needs/.test(text)) needs = text;
    }
    if (!needs) await sleep(100);
  }
  check(/A projector and a room set out for 30/.test(needs.replace(/=\r?\n/g, '')), 'the school is emailed what the training needs', needs.slice(0, 600));

  // A visit that needs the SENCO released says so until the school is told.
  await cp.selectOption('#bk-kind', 'visit');
  await cp.fill('#bk-at', '2027-01-19T09:30');
  await cp.fill('#bk-release', 'SENCO');
  await cp.click('button:has-text("Book the visit")');
  await cp.waitForSelector('td:has-text("Needs the SENCO released: tell the school beforehand.")');
  const rel = 'tbody tr:has-text("19 January 2027") form';
  await cp.selectOption(`${rel} select`, 'release');
  await cp.selectOption(`${rel} select[id$="-channel"]`, 'phone');
  await cp.fill(`${rel} input[id$="-told"]`, 'Mr Oak');
  await cp.click(`${rel} button`);
  await cp.waitForSelector('td:has-text("Needs the SENCO released: the school was told on")');
  check(true, 'the school is told of the SENCO release before the visit');

  // Without an address on the contract, the refusal says what to do.
  const bare = (await send('POST', '/api/v1/contracts', {
    school: 'Elm Primary', service: 'beacon/consultancy', year: '2026-27', amount: 10, unit: 'hours', consultant_id: cora.id,
  })).data;
  await send('POST', `/api/v1/contracts/${bare.id}/visits`, { starts_at: '2027-01-13T09:30' });
  await cp.goto(`${base}/app/#/contracts/${bare.id}`);
  const row2 = 'tbody tr:has-text("13 January 2027") form';
  await cp.waitForSelector(row2);
  await cp.selectOption(`${row2} select`, 'cancel-us');
  await cp.selectOption(`${row2} select[id$="-channel"]`, 'email');
  await cp.click(`${row2} button`);
  await cp.waitForSelector('[role=alert]:has-text("no usable e-mail address")');
  check(true, 'a notice that cannot be emailed is refused with what to do');
  await ctx2.close();
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  sink.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
