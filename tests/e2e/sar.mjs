// Subject access in a real browser: from a person's page a manager opens a
// subject access request, sees the month it must be answered in, extends
// it by two months for a complex request (a reason is required), releases
// the export after confirming, and downloads the released zip. axe-core
// checks each state (WCAG 2.2 AA) and none scrolls sideways at 320 px.
// Usage: node sar.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');

function addUser(email, name, role, more = []) {
  spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', db, '--email', email, '--name', name,
    '--role', role, '--service', 'sutton/information-requests', ...more, '--password-stdin'],
  { input: 'a good long password\n', encoding: 'utf8' });
  return spawnSync(absolute(charter), ['admin', 'token', '--email', email, '--db', db], { encoding: 'utf8' }).stdout.trim();
}

async function signIn(browser, base, email) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('a good long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
  return page;
}

const { server, base } = await startServer(charter, tmp);
const browser = await launch();
try {
  // Mary also manages a Cognus service, whose charter makes no subject
  // access promise: the form must not offer it.
  addUser('mary@sutton.example', 'Mary Manager', 'manager', ['--service', 'cognus/enquiries']);
  const token = addUser('alice@sutton.example', 'Alice Officer', 'officer');
  const made = await fetch(`${base}/api/v1/cases`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ service: 'sutton/information-requests', kind: 'foi', channel: 'email',
      subject: 'School transport figures', requester: { name: 'Dana Okafor', email: 'dana@example.org' },
      message: 'How many pupils use the buses?' }),
  });
  const kase = await made.json();
  check(made.status === 201 && kase.person_id, 'an FOI case from Dana Okafor');

  const mary = await signIn(browser, base, 'mary@sutton.example');
  await mary.goto(`${base}/app/#/people/${kase.person_id}`);
  await mary.waitForSelector('h2:has-text("Subject access")');
  check(await mary.isVisible('a:has-text("Preview everything held about Dana Okafor")'), 'a manager may preview the export');
  await mary.click('button:has-text("Subject access request")');
  await mary.waitForSelector('#sar-service option[value="sutton/information-requests"]', { state: 'attached' });
  check(await mary.evaluate(() => document.activeElement?.id === 'sar-service'), 'the form opens with focus on its first field');
  const offered = await mary.$$eval('#sar-service option', (os) => os.map((o) => o.value));
  check(offered.length === 1 && offered[0] === 'sutton/information-requests',
    'only the service whose charter promises a subject access reply is offered', offered.join(', '));
  await axe(mary, 'the person page opening a subject access request');
  await noSidewaysScroll(mary, 'the person page opening a subject access request');
  await mary.click('button:has-text("Open the subject access request")');
  await mary.waitForSelector('h2:has-text("Subject access request")');
  await mary.waitForSelector('text=Not released yet');
  const due = await mary.textContent('dt:has-text("Answer due") + dd');
  check(/\d{4}/.test(due ?? ''), 'the case shows when the answer is due', due);
  await axe(mary, 'a subject access case');
  await noSidewaysScroll(mary, 'a subject access case');
  await shoot(mary, 'sar-case');

  // An extension needs a reason.
  await mary.click('button:has-text("Extend by two months")');
  await mary.waitForSelector('#sar-panel ~ p.error[role=alert]');
  check(await mary.evaluate(() => document.activeElement?.id === 'sar-reason'), 'the missing reason takes the focus');
  await mary.focus('#sar-reason');
  await mary.keyboard.type('Records across two services and a large archive to search.');
  await mary.click('button:has-text("Extend by two months")');
  await mary.waitForSelector('text=Extended by two calendar months.');
  await mary.waitForSelector('text=(extended by two months)');
  const later = await mary.textContent('dt:has-text("Answer due") + dd');
  check(later !== due, 'the due date moved', `${due} -> ${later}`);
  check(await mary.isVisible('text=Records across two services'), 'the reason is on the timeline');
  check(!(await mary.isVisible('button:has-text("Remove the flag sar-extended")')), 'the extension is not offered as a flag to remove');

  // The export is checked before it goes.
  const checkHref = await mary.getAttribute('a:has-text("Check the export before releasing it")', 'href');
  const checked = await mary.request.get(`${base}${checkHref}`);
  check(checked.status() === 200 && (await checked.body()).subarray(0, 2).toString() === 'PK',
    'the export can be checked before release');
  // Releasing asks first.
  await mary.click('button:has-text("Release the export")');
  await mary.waitForSelector('button:has-text("Yes, release the export")');
  check(await mary.evaluate(() => document.activeElement?.textContent === 'Yes, release the export'),
    'the confirmation takes the focus');
  await axe(mary, 'the release confirmation');
  await mary.keyboard.press('Enter');
  await mary.waitForSelector('text=The export was released and the reply recorded on the case.');
  await mary.waitForSelector('a:has-text("Download the released export")');
  check(!(await mary.isVisible('button:has-text("Release the export")')), 'it cannot be released twice');
  const href = await mary.getAttribute('a:has-text("Download the released export")', 'href');
  const zip = await mary.request.get(`${base}${href}`);
  const bytes = await zip.body();
  check(zip.status() === 200 && zip.headers()['content-type'] === 'application/zip' &&
    /^attachment/.test(zip.headers()['content-disposition'] ?? '') && bytes.subarray(0, 2).toString() === 'PK',
  'the released export downloads as a zip');
  await axe(mary, 'a released subject access case');
  await noSidewaysScroll(mary, 'a released subject access case');
  await shoot(mary, 'sar-released');

  // The access log names the release and the download for what they were.
  await mary.goto(`${base}/app/#/people/${kase.person_id}`);
  await mary.click('text=Who has viewed this record');
  await mary.waitForSelector('td[data-label="What"]:has-text("released the subject access export of")');
  const what = await mary.$$eval('td[data-label="What"]', (tds) => tds.map((t) => t.textContent));
  check(what.includes('downloaded') && what.includes('extended the time limit of'),
    'the access log shows the download and the extension as such', what.join(' | '));

  // An officer may open a request but not download everything about a person.
  const alice = await signIn(browser, base, 'alice@sutton.example');
  await alice.goto(`${base}/app/#/people/${kase.person_id}`);
  await alice.waitForSelector('button:has-text("Subject access request")');
  check(!(await alice.isVisible('a:has-text("Preview everything held about")')), 'an officer is not offered the preview');
  await axe(alice, 'the person page for an officer');
  check(mary.errors.length === 0 && alice.errors.length === 0, 'no script errors',
    [...mary.errors, ...alice.errors].join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
