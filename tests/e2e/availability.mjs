// Staff availability and charter review in a real browser, by keyboard: an
// officer records an absence with a colleague to cover on Your account;
// a manager assigns a case to them, is warned with the return date and the
// alternative, and gives it to the alternative instead with one button;
// the staff list shows the absence, the colleague's desk shows whom they
// cover, and managers see a banner for a charter past its review date.
// axe-core checks each page; none may scroll sideways at 320 px.
// Usage: node availability.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
// SENDIASS reviews its charter every year: this copy is a year late.
const sendiass = join(tmp, 'policies', 'sendiass.yaml');
writeFileSync(sendiass, readFileSync(sendiass, 'utf8').replace(/^review_by: .*$/m, 'review_by: 2025-09-01'));

async function signIn(page, base, email, password) {
  await page.goto(`${base}/app/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
}

async function press(page, selector, key = 'Enter') {
  await page.focus(selector);
  await page.keyboard.press(key);
}

const iso = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const admin = spawnSync(absolute(charter), ['admin', 'token', '--email', 'admin@charter.local',
    '--db', join(tmp, 'charter.db')], { encoding: 'utf8' }).stdout.trim();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method, headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, data: await r.json() };
  };
  const person = async (email, name, role) => {
    const r = await call('POST', '/api/v1/users', { email, name, role, password: 'a long password 1', services: ['sendiass/enquiries'] });
    check(r.status === 201, `${name} is added for the test`, `status ${r.status}`);
    return r.data.id;
  };
  const sam = await person('sam@sendiass.example', 'Sam Adviser', 'officer');
  const priya = await person('priya@sendiass.example', 'Priya Shah', 'officer');
  await person('meg@sendiass.example', 'Meg Manager', 'manager');
  const made = await call('POST', '/api/v1/cases', { service: 'sendiass/enquiries', channel: 'phone',
    received_at: '2025-12-19T10:00:00Z', subject: 'Help with a transition plan' });
  check(made.status === 201, 'a case for the test', `status ${made.status}`);
  const caseId = made.data.id;
  const his = await call('POST', '/api/v1/cases', { service: 'sendiass/enquiries', channel: 'email',
    received_at: '2025-12-19T11:00:00Z', subject: 'Annual review paperwork' });
  const hisPatch = await fetch(`${base}/api/v1/cases/${his.data.id}`, {
    method: 'PATCH', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json', 'If-Match': `"${his.data.version}"` },
    body: JSON.stringify({ officer_id: sam }),
  });
  check(hisPatch.status === 200, 'a case of Sam\'s for the test', `status ${hisPatch.status}`);
  const errors = [];

  // Sam records an absence on Your account, Priya covering.
  const samContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const samPage = await samContext.newPage();
  samPage.on('pageerror', (e) => errors.push(e.message));
  await signIn(samPage, base, 'sam@sendiass.example', 'a long password 1');
  await samPage.click('header >> text=Your account');
  await samPage.waitForSelector(`#av-${sam}-from`);
  await samPage.waitForSelector(`#av-${sam}-cover option:has-text("Priya Shah")`, { state: 'attached' });
  await press(samPage, `[id="av-${sam}-day-mon"]`, 'Space');
  await press(samPage, `[id="av-${sam}-day-tue"]`, 'Space');
  await press(samPage, `[id="av-${sam}-day-wed"]`, 'Space');
  await samPage.fill(`#av-${sam}-start`, '09:00');
  await samPage.fill(`#av-${sam}-end`, '15:00');
  await press(samPage, `[id="av-${sam}-term"]`, 'Space');
  await press(samPage, 'button:has-text("Save the working pattern")');
  await samPage.waitForSelector('.notice:has-text("The working pattern is saved")');
  check(await samPage.isVisible('dd:has-text("Sam Adviser. I work Monday to Wednesday, 9am to 3pm, in term time.")'),
    'the signature states the working pattern');
  // A wrong absence first: the last day before the first.
  await samPage.fill(`#av-${sam}-from`, iso(5));
  await samPage.fill(`#av-${sam}-to`, iso(1));
  await samPage.selectOption(`#av-${sam}-cover`, String(priya));
  await press(samPage, 'button:has-text("Add the absence")');
  await samPage.waitForSelector('.error:has-text("before it starts")');
  check(true, 'an absence ending before it starts is refused with a sentence');
  await samPage.fill(`#av-${sam}-from`, iso(0));
  await samPage.fill(`#av-${sam}-to`, iso(10));
  await samPage.fill(`#av-${sam}-note`, 'Annual leave');
  await press(samPage, 'button:has-text("Add the absence")');
  await samPage.waitForSelector('.notice:has-text("The absence is recorded")');
  check(await samPage.isVisible('dd:has-text("For anything urgent, contact Priya Shah (priya@sendiass.example).")'),
    'the out-of-office reply names the alternative contact');
  check(await samPage.isVisible('.absences li:has-text("Annual leave")'), 'the absence is listed');
  await axe(samPage, 'Your account with a working pattern and an absence');
  await noSidewaysScroll(samPage, 'Your account with availability');
  await shoot(samPage, 'desk-availability-account');

  // The manager: the review banner, the staff list, the warning on assigning.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, base, 'meg@sendiass.example', 'a long password 1');
  await page.waitForSelector('.review-banner');
  check(await page.isVisible('.review-banner >> text=was due for review by Monday 1 September 2025'),
    'the dashboard tells a manager the charter is past its review date');
  await axe(page, 'the dashboard with the review banner');
  await noSidewaysScroll(page, 'the dashboard with the review banner');
  await page.click('header >> text=Staff');
  await page.waitForSelector('tr:has-text("Sam Adviser") .away-tag');
  check(/away until/.test(await page.textContent('tr:has-text("Sam Adviser") .away-tag')), 'the staff list shows Sam away');
  await axe(page, 'the staff list with someone away');
  await noSidewaysScroll(page, 'the staff list with someone away');
  // A manager keeps the availability of the officers in their services.
  await press(page, 'tr:has-text("Sam Adviser") button:has-text("Change services of")');
  await press(page, 'button:has-text("Working pattern and absences of Sam Adviser")');
  await page.waitForSelector(`#av-${sam}-from`);
  check(await page.isVisible(`[id="av-${sam}-h"]:has-text("Working pattern and absences of Sam Adviser")`)
    && await page.isVisible('.absences li:has-text("Annual leave")'), "the manager sees Sam's absence and can change it");
  await page.fill(`#av-${sam}-from`, iso(30));
  await page.fill(`#av-${sam}-to`, iso(31));
  await page.fill(`#av-${sam}-text`, 'the SENDIASS helpline');
  await press(page, 'button:has-text("Add the absence")');
  await page.waitForSelector('.absences li:has-text("the SENDIASS helpline")');
  check(true, 'the manager records another absence for Sam');
  await axe(page, 'the staff page with an officer\'s availability');
  await noSidewaysScroll(page, 'the staff page with an officer\'s availability');

  await page.goto(`${base}/app/#/cases/${caseId}`);
  await page.waitForSelector(`#cp-officer option[value="${sam}"]`, { state: 'attached' });
  await page.selectOption('#cp-officer', String(sam));
  await press(page, 'button:has-text("Reassign")');
  await page.waitForSelector('.away-warning');
  const warned = await page.textContent('.away-warning');
  check(/Sam Adviser is away until .* back at work on .* contact Priya Shah/.test(warned),
    'assigning to someone away warns with the return date and the alternative', warned);
  await axe(page, 'the case page with the away warning');
  await noSidewaysScroll(page, 'the case page with the away warning');
  await shoot(page, 'desk-availability-warning');
  check(await page.evaluate(() => document.activeElement?.classList.contains('away-warning')),
    'the focus moves to the warning');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent?.includes('Assign to Priya Shah instead')),
    'and the next Tab is the offer to assign to the alternative');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.notice:has-text("Assigned to Priya Shah.")');
  check(!(await page.isVisible('.away-warning')), 'assigning to the alternative clears the warning');
  check(await page.isVisible('dd:has-text("Priya Shah")'), 'the case is Priya\'s');

  // Priya's desk says whom she covers.
  const prContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const prPage = await prContext.newPage();
  prPage.on('pageerror', (e) => errors.push(e.message));
  await signIn(prPage, base, 'priya@sendiass.example', 'a long password 1');
  await prPage.waitForSelector('#covering');
  check(await prPage.isVisible('.covering li:has-text("Sam Adviser is away")'), 'the alternative sees whom she covers');
  check(!(await prPage.isVisible('.review-banner')), 'an officer gets no review banner');
  await press(prPage, 'button:has-text("Show Sam Adviser\'s cases")');
  await prPage.waitForSelector(`.covering table a[href="#/cases/${his.data.id}"]`);
  check(true, 'and opens his cases from her desk');
  await axe(prPage, 'the dashboard of a colleague covering');
  await noSidewaysScroll(prPage, 'the dashboard of a colleague covering');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
