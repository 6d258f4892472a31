// Purchased hours in a real browser: record what a school bought, book a
// visit and record how it went, book past the balance with a manager's
// agreement, read the termly statement and download it, and see the
// timetable and capacity; axe-core checks each page.
// Usage: node hours.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, shoot, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
// A consultant must work in the contract's service: Cora works in both
// Hackney services that sell time to schools.
spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', join(tmp, 'charter.db'), '--email', 'cora@hackney.example',
  '--name', 'Cora Consultant', '--role', 'officer', '--service', 'hackney-services-for-schools/specialist-teaching-inclusion',
  '--service', 'hackney-services-for-schools/school-improvement', '--password-stdin'],
{ input: 'a good long password\n', encoding: 'utf8' });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const blocked = [], errors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}/app/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // Record a contract: 3 days of Specialist Teaching and Inclusion.
  await page.click('header >> text=Hours');
  await page.waitForSelector('#ct-service option', { state: 'attached' });
  const offered = await page.$$eval('#ct-service option', (os) => os.map((o) => o.value).sort());
  check(JSON.stringify(offered) === JSON.stringify(['beacon/consultancy',
    'hackney-services-for-schools/school-improvement',
    'hackney-services-for-schools/specialist-teaching-inclusion']),
  'only services that sell time to schools are offered', offered.join(', '));
  await axe(page, 'the contracts page');
  await shoot(page, shots, 'hours-contracts');
  await page.fill('#ct-school', 'Hillside Primary');
  await page.selectOption('#ct-service', 'hackney-services-for-schools/specialist-teaching-inclusion');
  await page.fill('#ct-year', '2025-26');
  await page.fill('#ct-amount', '3');
  await page.selectOption('#ct-unit', 'days');
  const consultants = await page.$$eval('#ct-consultant option', (os) => os.map((o) => o.textContent));
  check(JSON.stringify(consultants) === JSON.stringify(['Not yet named', 'Cora Consultant']),
    'only the service\'s own staff are offered as its consultant', consultants.join(', '));
  await page.selectOption('#ct-consultant', { label: 'Cora Consultant' });
  await page.fill('#ct-contact', 'Ms Hill');
  await page.fill('#ct-email', 'head@hillside.example');
  await page.click('text=Record the contract');
  await page.waitForSelector('h1:has-text("Hillside Primary: 2025-26")');
  const figures = await page.textContent('dl.figures');
  check(/Hours left18\.00/.test(figures) && /Visits that fit7 and 30 minutes/.test(figures),
    '3 days of 6 hours: 18 hours, seven visits and 30 minutes', figures);

  // Book a visit and record it delivered.
  await page.fill('#bk-at', '2025-11-17T09:30');
  await page.click('button:has-text("Book the visit")');
  await page.waitForSelector('.notice:has-text("The visit is booked")');
  // The list reloads after the notice: wait for it rather than race it.
  await page.waitForSelector('td:has-text("Monday 17 November 2025, 09:30")');
  check(true, 'the visit is listed in words');
  await axe(page, 'a contract with a booked visit');
  const visitForm = 'tbody tr:has-text("17 November 2025") form';
  await page.selectOption(`${visitForm} select`, 'delivered');
  await page.fill(`${visitForm} input[id$="-actual"]`, '165');
  await page.click(`${visitForm} button`);
  await page.waitForSelector('td:has-text("delivered (2.75 h)")');
  check(/Hours left15\.25/.test(await page.textContent('dl.figures')), 'the time spent comes off the hours');

  // Cora cannot be booked into the same morning twice: refused, saying
  // which visit she is already at, and not offered as past the balance.
  const rowsBefore = await page.locator('tbody tr').count();
  await page.fill('#bk-at', '2025-11-17T10:00');
  await page.click('button:has-text("Book the visit")');
  await page.waitForSelector('[role=alert]:has-text("The consultant is busy")');
  const clash = await page.textContent('[role=alert]:has-text("The consultant is busy")');
  check(/Cora Consultant is already booked at Hillside Primary from 09:30 to 12:00 on Mon 17 Nov 2025 \(visit \d+\)/.test(clash) &&
    /another time or another consultant/.test(clash), 'a double booking is refused, naming the other visit', clash);
  await axe(page, 'a contract with a refused double booking');
  check(await page.locator('tbody tr').count() === rowsBefore && !(await page.isVisible('button:has-text("Book past the balance")')),
    'nothing is booked, and no agreement is asked for');

  // Past the balance: the manager is warned, then books it.
  for (const day of ['2025-11-24', '2025-12-01']) {
    await page.fill('#bk-at', `${day}T09:00`);
    await page.fill('#bk-minutes', '480');
    await page.fill('#bk-reason', 'Whole-school review');
    await page.click('button:has-text("Book the visit")');
    if (day === '2025-11-24') await page.waitForSelector('td:has-text("Monday 24 November 2025")');
  }
  await page.waitForSelector('[role=alert]:has-text("Past the school\'s hours")');
  check(await page.isVisible('button:has-text("Book past the balance")'), 'the manager is asked to agree');
  await page.click('button:has-text("Book past the balance")');
  await page.waitForSelector('td:has-text("past the balance, agreed by a manager")');
  check(true, 'and the visit is booked with the agreement noted');
  await shoot(page, shots, 'hours-contract');

  // The consultant is running late for the first long visit.
  const first = 'tbody tr:has-text("24 November 2025") form';
  await page.selectOption(`${first} select`, 'late');
  await page.fill(`${first} input[id$="-expected"]`, '2025-11-24T09:40');
  await page.fill(`${first} input[id$="-when"]`, '2025-11-24T09:05');
  await page.selectOption(`${first} select[id$="-channel"]`, 'phone');
  await page.click(`${first} button`);
  await page.waitForSelector('td:has-text("Late: expected Monday 24 November 2025, 09:40")');
  check(true, 'a late arrival is logged with the expected time');

  // The school cancels the first long visit on the morning: late, so it
  // still counts. The desk decides that from when the school told us.
  const late = 'tbody tr:has-text("24 November 2025") form';
  await page.selectOption(`${late} select`, 'cancel-school');
  await page.fill(`${late} input[id$="-when"]`, '2025-11-24T08:10');
  await page.selectOption(`${late} select[id$="-channel"]`, 'phone');
  await page.fill(`${late} input[id$="-told"]`, 'Ms Hill');
  await page.click(`${late} button`);
  await page.waitForSelector('tbody tr:has-text("24 November 2025") td:has-text("cancelled-late")');
  check(/Hours left7\.25/.test(await page.textContent('dl.figures')), 'a late cancellation is charged as booked',
    await page.textContent('dl.figures'));
  // We cancel the second: nothing charged, and it is owed back.
  const ours = 'tbody tr:has-text("1 December 2025") form';
  await page.selectOption(`${ours} select`, 'cancel-us');
  await page.fill(`${ours} input[id$="-when"]`, '2025-11-28T10:00');
  await page.selectOption(`${ours} select[id$="-channel"]`, 'phone');
  await page.click(`${ours} button`);
  await page.waitForSelector('tbody tr:has-text("1 December 2025") td:has-text("cancelled-by-provider")');
  const owed = await page.textContent('dl.figures');
  check(/Hours left7\.25/.test(owed) && /Owed by us8\.00/.test(owed), 'our cancellation is owed, not charged', owed);
  await page.waitForSelector('p:has-text("7.25 hours we could not deliver would be refunded, and 0.00 unused hours would lapse")');
  check(true, 'the year end would refund what we cancelled, no more than is left');
  // Time we could not provide without a visit to cancel is recorded as owed.
  await page.selectOption('#lt-kind', 'owed');
  await page.fill('#lt-minutes', '60');
  await page.fill('#lt-reason', 'Consultant ill; an hour of follow-up never booked');
  await page.click('button:has-text("Log it")');
  await page.waitForSelector('td:has-text("1.00 owed by us")');
  const after = await page.textContent('dl.figures');
  check(/Hours left7\.25/.test(after) && /Owed by us9\.00/.test(after), 'hours owed are noted without touching the balance', after);

  // The school's contact changes.
  await page.fill('#cc-email', 'newhead@hillside.example');
  await page.click('text=Save the changes');
  await page.waitForSelector('.notice:has-text("The contract is changed")');
  await page.waitForSelector('p:has-text("(newhead@hillside.example)")');
  check(true, 'a manager changes the contact');
  await page.fill('#cc-email', 'head@hillside.example');
  await page.click('text=Save the changes');
  await page.waitForSelector('p:has-text("(head@hillside.example)")');
  // What the consultancy covers is agreed and shown on the contract.
  await page.fill('#cc-scope', 'Support for pupils with autism in Key Stage 2.');
  await page.click('text=Save the changes');
  await page.waitForSelector('p:has-text("What the consultancy covers: Support for pupils with autism in Key Stage 2.")');
  check(true, 'the agreed scope is on the contract');

  // The autumn statement, read and downloaded.
  await page.selectOption('#st-term', 'autumn-2025');
  await page.click('text=Read the autumn-2025 statement');
  await page.waitForSelector('h1:has-text("statement for autumn-2025")');
  const table = await page.textContent('table');
  check(/Opening balance0\.00/.test(table) && /Closing balance7\.25/.test(table) && /Owed by us8\.00/.test(table), 'the statement figures, with what we owe', table);
  const notCharged = await page.textContent('main');
  check(/Visit we cancelled on Mon 01 Dec 2025: not charged, owed back/.test(notCharged), 'the visit we cancelled is listed as not charged', notCharged);
  check(await page.isVisible('pre.letter:has-text("Dear Ms Hill")'), 'a covering note for the named contact');
  // This desk has no mail server: the page says so and offers the other way.
  await page.click('text=E-mail it to Ms Hill');
  await page.waitForSelector('[role=alert]:has-text("No mail server")');
  check(true, 'e-mailing without a mail server is explained');
  await page.click('button:has-text("Record it as sent")');
  await page.waitForSelector('.notice:has-text("Recorded as sent on")');
  check(true, 'the statement is recorded as sent');
  await axe(page, 'the statement page');
  await shoot(page, shots, 'hours-statement');
  const xlsx = await page.evaluate(async () => {
    const a = [...document.querySelectorAll('a')].find((x) => x.textContent === 'Excel');
    const r = await fetch(a.href, { credentials: 'same-origin' });
    const b = new Uint8Array(await r.arrayBuffer());
    return { type: r.headers.get('Content-Type'), zip: b[0] === 0x50 && b[1] === 0x4b, size: b.length };
  });
  check(/spreadsheetml/.test(xlsx.type) && xlsx.zip && xlsx.size > 2000, 'the Excel download is a workbook', JSON.stringify(xlsx));

  // The year-end reconciliation report.
  await page.click('header >> text=Hours');
  await page.fill('#yr-year', '2025-26');
  await page.click('text=Show the year end');
  await page.waitForSelector('section td:has-text("Hillside Primary")');
  const ye = await page.textContent('section[aria-labelledby=ye-report] tbody');
  check(/ready7\.250\.00/.test(ye), 'the report: ready, 7.25 hours owed, nothing lapses', ye);
  await axe(page, 'the contracts page with the year-end report');

  // Timetable and capacity.
  await page.goto(`${base}/app/#/timetable`);
  await page.waitForSelector('#tt-who');
  await page.selectOption('#tt-who', '');
  await page.fill('#tt-from', '2025-11-10');
  await page.click('text=Show the weeks');
  await page.waitForSelector('td:has-text("Monday 17 November 2025, 09:30")');
  check(await page.isVisible('td:has-text("Monday 1 December 2025, 09:00")'), "everyone's visits in the six weeks chosen");
  await page.fill('#tt-term', 'autumn-2025');
  await page.click('text=Show the term');
  await page.waitForSelector('td:has-text("hackney-services-for-schools/specialist-teaching-inclusion")');
  check(true, 'capacity is listed for the term');
  await axe(page, 'the timetable page');
  await shoot(page, shots, 'hours-timetable');
  // Logging time past what is left: the manager is asked, then agrees.
  await page.goto(`${base}/app/#/contracts/1`);
  await page.waitForSelector('dl.figures');
  await page.fill('#lt-minutes', '1000');
  await page.click('button:has-text("Log it")');
  await page.waitForSelector('[role=alert]:has-text("Past the school\'s hours")');
  await page.waitForSelector('button:has-text("Log it past the balance")');
  check(true, 'time logged past the balance needs the manager to agree');
  await page.click('button:has-text("Log it past the balance")');
  await page.waitForSelector('.notice:has-text("The time is logged.")');
  await page.waitForSelector('td:has-text("past the balance, agreed by a manager")');
  check(true, 'and the agreement is on the ledger line');

  // From a contract to one that cannot be read: nothing of the first stays.
  await page.goto(`${base}/app/#/contracts/1`);
  await page.waitForSelector('dl.figures');
  await page.evaluate(() => { location.hash = '#/contracts/99999'; });
  await page.waitForSelector('p.error[role="alert"]');
  check(!(await page.isVisible('dl.figures')) && !(await page.isVisible('button:has-text("Book the visit")')) &&
    /Not found/.test(await page.textContent('p.error[role="alert"]')),
  'a contract that cannot be read shows only why, not the last one\'s figures or forms');
  check(errors.length === 0, 'no script errors', errors.join('; '));
  check(blocked.length === 0, 'nothing was blocked by the Content-Security-Policy', blocked.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
