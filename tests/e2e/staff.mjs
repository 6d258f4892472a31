// The staff desk in a real browser: sign in by keyboard, log a phone call,
// find it in the queue, meet its promise, and see the compliance report
// move; axe-core checks every page (WCAG 2.2 AA) and screenshots are taken
// at 320 and 1440 px. Usage: node staff.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, repo, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
// The server runs in a folder of its own with a copy of the policies, so
// loading a charter through the page never touches the checkout.
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);

async function report(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/reports/compliance', { credentials: 'same-origin' });
    const rows = (await r.json()).rows.filter((x) => x.service === 'sendiass/enquiries');
    return rows.reduce((n, x) => n + x.met_on_time, 0);
  });
}

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // Anything the Content-Security-Policy blocks shows up on the console.
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // Sign in by keyboard alone.
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  check(page.url() === `${base}/app/`, 'the desk is at /app/', page.url());
  await axe(page, 'the sign-in page');
  await shoot(page, 'desk-sign-in');
  await page.focus('#email');
  await page.keyboard.type('admin@charter.local');
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
  check(true, 'signed in');
  const cookies = await context.cookies();
  check(cookies.some((c) => c.name === 'charter_session' && c.httpOnly && c.sameSite === 'Strict'),
    'the session cookie is HttpOnly and SameSite=Strict');
  check(await page.evaluate(() => document.cookie.includes('charter_session')) === false,
    'and never readable from scripts');
  await page.waitForSelector('#nc-service option', { state: 'attached' });
  await axe(page, 'the dashboard');
  await shoot(page, 'desk-dashboard');
  const before = await report(page);

  // Log a phone call to the SEND information service.
  await page.selectOption('#nc-service', 'sendiass/enquiries');
  await page.selectOption('#nc-channel', 'phone');
  await page.fill('#nc-subject', 'Help with an EHCP review');
  await page.fill('#nc-name', 'A Parent');
  await page.fill('#nc-email', 'parent@example.org');
  await page.click('text=Open the case');
  await page.waitForSelector('h1:has-text("Help with an EHCP review")');
  const id = Number(page.url().match(/#\/cases\/(\d+)/)[1]);
  check(await page.isVisible('text=We aim to respond to your individual enquiry within five working days.'),
    'the case shows the promise it made');
  check((await page.textContent('td.state-pending')) === 'pending', 'pending');
  const dueText = await page.textContent('tbody tr td:nth-child(2)');
  check(/^due (Monday|Tuesday|Wednesday|Thursday|Friday) \d+ [A-Z][a-z]+ 20\d\d, \d\d:\d\d: (\d+ working days? left|due by the end of the working day)$/.test(dueText),
    'the due time is in words with the working days left', dueText);
  await axe(page, 'the case page');
  await shoot(page, 'desk-case');

  // Find it in the unassigned queue.
  await page.click('text=Back to the queues');
  await page.click('button:has-text("Unassigned")');
  await page.waitForSelector(`a[href="#/cases/${id}"]`);
  check(true, 'the new case is in the unassigned queue');

  // Meet its promise with a call back.
  await page.click(`a[href="#/cases/${id}"]`);
  await page.waitForSelector('#lc-summary');
  await page.click('text=Assign to me');
  await page.waitForSelector('text=Pause (waiting for them)');
  // Flag it complex and back: the promises are recomputed each time.
  await page.fill('#cp-flag', 'complex');
  await page.click('text=Add the flag');
  await page.waitForSelector('button:has-text("Remove the flag complex")');
  await page.click('button:has-text("Remove the flag complex")');
  await page.waitForSelector('button:has-text("Remove the flag complex")', { state: 'detached' });
  check(true, 'a case can be flagged complex and back');
  await page.fill('#lc-summary', 'Called back and explained the review timetable.');
  await page.check('#lc-respond');
  await page.click('text=Log the contact');
  await page.waitForSelector('td.state-met');
  check(true, 'logging the reply meets the promise');
  check(await page.isVisible('text=met sendiass') || await page.isVisible('text=enquiry-reply'),
    'the timeline says what was met');
  const after = await report(page);
  check(after === before + 1, 'the compliance report counts it as kept on time', `${before} -> ${after}`);

  // The case list finds it by a word of its subject.
  await page.click('header >> text=Cases');
  await page.waitForSelector('#f-q');
  await page.fill('#f-q', 'EHCP');
  await page.selectOption('#f-status', '');
  await page.click('text=Show cases');
  await page.waitForSelector('p[role=status]:has-text("1 case")');
  check(await page.isVisible(`a[href="#/cases/${id}"]`), 'the case list finds the case by a word');
  await axe(page, 'the case list');
  await noSidewaysScroll(page, 'the case list');
  await shoot(page, 'desk-cases');
  await page.click(`a[href="#/cases/${id}"]`);
  await page.waitForSelector('h1:has-text("Help with an EHCP review")');

  // The requester's page, from the case.
  await page.click('a:has-text("A Parent")');
  await page.waitForSelector('h1:has-text("A Parent")');
  check(await page.isVisible(`a[href="#/cases/${id}"]`), "the person's page lists the case");
  await axe(page, "a person's page");
  await noSidewaysScroll(page, "a person's page");
  await shoot(page, 'desk-person');

  // An organisation's page.
  const token = spawnSync(absolute(charter), ['admin', 'token', '--email', 'admin@charter.local',
    '--db', join(tmp, 'charter.db')], { encoding: 'utf8' }).stdout.trim();
  const made = await fetch(`${base}/api/v1/organisations`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Hill Primary School' }),
  });
  const orgId = made.status === 201 ? (await made.json()).id : -made.status;
  if (orgId < 0) {
    check(false, 'an organisation can be added', `status ${-orgId}`);
  } else {
    await page.goto(`${base}/app/#/organisations/${orgId}`);
    await page.waitForSelector('h1:has-text("Hill Primary School")');
    check(true, "an organisation's page");
    await axe(page, "an organisation's page");
    await noSidewaysScroll(page, "an organisation's page");
    await shoot(page, 'desk-organisation');
  }

  // The reports page: the chart, the table and the CSV.
  await page.click('header >> text=Reports');
  await page.waitForSelector('h2:has-text("enquiry-reply (sendiass/enquiries)")');
  const table = await page.textContent('section:has(h2:has-text("enquiry-reply")) table');
  check(/1 \(100%( so far)?\)/.test(table), 'the report page shows the call kept on time', table);
  check(await page.isVisible('svg.chart[role=img]'), 'with a chart that says what it shows');
  const csv = await page.evaluate(async () => (await fetch('/api/v1/reports/compliance?format=csv')).text());
  check(/^service,promise,month,due,met_on_time/.test(csv) && csv.includes('sendiass/enquiries,enquiry-reply'),
    'and the CSV download holds the same rows', csv.slice(0, 200));
  check(await page.getAttribute('a[download]', 'href') === '/api/v1/reports/compliance?format=csv',
    'the download link points at the CSV');
  await axe(page, 'the reports page');
  await shoot(page, 'desk-reports');
  await page.click('header >> text=Charter');
  await page.waitForSelector('figcaption:has-text("enquiry-reply (sendiass/enquiries)")');
  check(true, "the dashboard charts the promise's on-time rate");
  await axe(page, 'the dashboard with its charts');
  await noSidewaysScroll(page, 'the dashboard with its charts');
  await shoot(page, 'desk-dashboard-charts');

  // Staff: add an officer (tokens and the rest of an account: accounts.mjs).
  await page.click('header >> text=Staff');
  await page.waitForSelector('#s-name');
  await page.fill('#s-name', 'Sam Adviser');
  await page.fill('#s-email', 'sam@sendiass.example');
  await page.selectOption('#s-service', 'sendiass/enquiries');
  await page.fill('#s-password', 'a long first password');
  await page.click('button:has-text("Add")');
  await page.waitForSelector('td:has-text("sam@sendiass.example")');
  check(await page.isVisible('td:has-text("sendiass/enquiries")'), 'a new officer is listed with their service');
  await axe(page, 'the staff page');
  await shoot(page, 'desk-staff');

  // Loading a charter: a typo is shown beside its line; a good file loads.
  await page.click('header >> text=Charters');
  await page.waitForSelector('#policy-text');
  await page.waitForSelector('td:has-text("sendiass")');
  check(await page.isVisible('caption:has-text("Charters in use")'), 'the charters in use are listed');
  const good = readFileSync(join(repo, 'policies', 'sendiass.yaml'), 'utf8');
  await page.fill('#policy-text', good.replace('within: 5 working days', 'within: 5 workng days'));
  await page.click('text=Check it');
  await page.waitForSelector('.has-problem');
  const beside = await page.textContent('li.has-problem');
  const typoLine = good.split('\n').findIndex((l) => l.includes('within: 5 working days')) + 1;
  check(/within: 5 workng days/.test(beside) && new RegExp(`Line ${typoLine}, column 13: unknown unit 'workng days' \\(did you mean 'working days'\\?\\)`).test(beside),
    'the problem is shown beside its line', beside);
  await axe(page, 'the charter page with a problem');
  await shoot(page, 'desk-charter-problem');
  await page.fill('#policy-text', good.replace('within: 5 working days', 'within: 4 working days'));
  await page.click('text=Load it');
  await page.waitForSelector('.notice');
  check(/Loaded sendiass/.test(await page.textContent('.notice')), 'a good charter loads');
  check(readdirSync(join(tmp, 'policies')).includes('sendiass.yaml') &&
    readFileSync(join(tmp, 'policies', 'sendiass.yaml'), 'utf8').includes('within: 4 working days'),
    'into the policies folder');
  let version = 0;
  for (let i = 0; i < 50 && version < 2; i++) {
    const p = await page.evaluate(async () => (await fetch('/api/v1/policies')).json());
    version = p.policies.find((x) => x.id === 'sendiass')?.version ?? 0;
    if (version < 2) await page.waitForTimeout(100);
  }
  check(version === 2, 'and the desk reloads it as a new version', `version ${version}`);
  check(errors.length === 0, 'no script errors', errors.join('; '));
  check(blocked.length === 0, 'nothing was blocked by the Content-Security-Policy', blocked.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
