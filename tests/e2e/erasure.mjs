// Retention and erasure in the browser desk: an administrator places a legal
// hold on a person with a reason, sees "Erase this person" refused while it
// stands (the dialog names the hold), releases it, erases the person through
// the confirmation dialog, and sees the anonymised record; the Retention page
// shows the schedule and today's counts. Each page is checked with axe, at
// 320 px and by keyboard for the dialog.
// Usage: node erasure.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const token = spawnSync(absolute(charter), ['admin', 'token', '--db', db, '--email', 'admin@charter.local'],
    { encoding: 'utf8' }).stdout.trim();
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    return res.json();
  };
  const requester = { name: 'Ptolemy Marchbanks', email: 'ptolemy@example.org' };
  const one = await call('POST', '/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2026-01-05T10:00', subject: 'Marchbanks transport', requester });
  check(one.person_id > 0, 'a case with its person', JSON.stringify(one));
  const person = one.person_id;

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');

  // The legal hold: placed with a reason.
  await page.goto(`${base}/app/#/people/${person}`);
  await page.waitForSelector('h1:has-text("Ptolemy Marchbanks")');
  await page.waitForSelector('#hold-title');
  await page.fill('#hold-reason', 'Tribunal claim 2026/114');
  await page.click('button:has-text("Place a legal hold")');
  await page.waitForSelector('#hold-title ~ p[role=status]:has-text("legal hold is placed")');
  check(await page.isVisible('text=under a legal hold placed'), 'the page says the person is held');
  await axe(page, 'the person page with a hold');
  await noSidewaysScroll(page, 'the person page with a hold');
  await shoot(page, 'erasure-held');

  // Erasure refused while the hold stands; the dialog says why.
  await page.focus('button:has-text("Erase this person")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open] #erase-reason');
  check(await page.evaluate(() => document.activeElement?.id === 'erase-reason'), 'the dialog puts focus on the reason');
  await axe(page, 'the erasure dialog');
  await page.keyboard.type('Erasure request of 30 November 2026');
  await page.click('dialog button:has-text("Erase")');
  await page.waitForSelector('dialog[open] .error:has-text("legal hold")');
  check(/Tribunal claim 2026\/114/.test(await page.textContent('dialog .error')), 'the refusal names the hold');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'hidden' });
  check(true, 'Escape closes the dialog');

  // Released, then erased.
  await page.click('button:has-text("Release the legal hold")');
  await page.waitForSelector('#hold-title ~ p[role=status]:has-text("released")');
  await page.click('button:has-text("Erase this person")');
  await page.waitForSelector('dialog[open] #erase-reason');
  check(await page.inputValue('#erase-reason') === 'Erasure request of 30 November 2026', 'the reason typed is kept');
  await page.fill('#erase-reason', '');
  await page.click('dialog button:has-text("Erase")');
  await page.waitForSelector('dialog[open] .error:has-text("reason")');
  check(true, 'an empty reason is refused');
  await page.fill('#erase-reason', 'Erasure request of 30 November 2026');
  await page.click('dialog button:has-text("Erase")');
  await page.waitForSelector('h1:has-text("Erased person")');
  await page.waitForSelector('p[role=status]:has-text("1 case is kept, anonymised")');
  check(!(await page.isVisible('text=ptolemy@example.org')), 'the email is gone from the page');
  await page.waitForSelector('#erased-when:has-text("was erased")');
  check(!(await page.isVisible('button:has-text("Erase this person")')), 'an erased record offers no second erasure');
  await axe(page, 'the erased person');
  await shoot(page, 'erasure-done');
  const kase = await call('GET', `/api/v1/cases/${one.id}`);
  check(kase.subject === 'Anonymised case', 'the case is kept, anonymised', JSON.stringify(kase.subject));

  // A hold on a case, from the case page.
  const two = await call('POST', '/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2026-01-06T10:00', subject: 'Tribunal papers', requester: { name: 'Hortense Vale', email: 'hortense@example.org' } });
  await page.goto(`${base}/app/#/cases/${two.id}`);
  await page.waitForSelector(`h1:has-text("Case ${two.id}")`);
  await page.waitForSelector('#hold-title');
  await page.fill('#hold-reason', 'Ombudsman investigation');
  await page.click('button:has-text("Place a legal hold")');
  await page.waitForSelector('#hold-title ~ p[role=status]:has-text("will not touch this case")');
  const held = await call('GET', `/api/v1/cases/${two.id}/hold`);
  check(held.held === true && held.reason === 'Ombudsman investigation', 'the case is held', JSON.stringify(held));
  await axe(page, 'the case page with a hold');

  // The Retention page.
  await page.click('header a:has-text("Retention")');
  await page.waitForSelector('h1:has-text("Retention")');
  await page.waitForSelector('caption:has-text("Retention schedule of Cognus")');
  check(await page.isVisible('tr:has-text("closed cases") td:has-text("6 years")'), 'the schedule shows closed cases kept 6 years');
  check(await page.isVisible('caption:has-text("What a run now would do")'), 'and what is due today');
  check(await page.isVisible('tr:has-text("audit rows") td:has-text("7 years")'), 'the schedule shows audit rows kept 7 years');
  const rule = await page.textContent('#audit-rule');
  check(/longest audit period/.test(rule) && /Rows written before \w+day \d+ \w+ 20\d\d/.test(rule),
    'the audit log section says how its rows are kept and from when they are due', rule);
  await axe(page, 'the Retention page');
  await noSidewaysScroll(page, 'the Retention page');
  await shoot(page, 'retention');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
