// The access log in a real browser: from a person's page, who has viewed
// their record and their cases (and nobody else's), bounded by two dates,
// a page at a time; a bad range is refused with the focus on the sentence
// saying why; from the staff page, what one member of staff viewed. Every
// page is checked with axe, and at 320 px.
// Usage: node accesslog.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const token = spawnSync(absolute(charter), ['admin', 'token', '--db', db, '--email', 'admin@charter.local'],
    { encoding: 'utf8' }).stdout.trim();
  const request = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method, body: body && JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    return res.json();
  };
  const requester = { name: 'Dana Okafor', email: 'dana@example.org' };
  const one = await request('POST', '/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2025-12-19T10:00', subject: 'School transport', requester });
  const two = await request('POST', '/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2025-12-19T11:00', subject: 'EHCP review', requester });
  const eli = await request('POST', '/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2025-12-19T12:00', subject: 'Placement', requester: { name: 'Eli Stone', email: 'eli@example.org' } });
  const person = one.person_id;
  check(person && person === two.person_id && eli.person_id !== person, 'two cases are Dana\'s, one Eli\'s');
  // Enough reads of Dana's case for more than one page of 50.
  for (let i = 0; i < 55; i++) await request('GET', `/api/v1/cases/${one.id}`);
  await request('GET', `/api/v1/cases/${eli.id}`);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  await page.goto(`${base}/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // From the person's page to who has viewed their records.
  await page.goto(`${base}/app/#/people/${person}`);
  await page.waitForSelector('h1:has-text("Dana Okafor")');
  await page.click('text=Who has viewed this record');
  // Wait for the log page itself: the person's page has tables of its own.
  await page.waitForSelector('text=Who has viewed Dana Okafor\'s records');
  await page.waitForSelector('table tbody tr');
  check(await page.isVisible('text=Who has viewed Dana Okafor\'s records'), 'the page says whose log it is');
  const rows = await page.$$('table tbody tr');
  check(rows.length === 50, 'a page holds 50 rows', `${rows.length}`);
  check(await page.isVisible(`table a[href="#/cases/${one.id}"]`), 'rows link to the case read');
  check(!(await page.isVisible(`table a[href="#/cases/${eli.id}"]`)), 'and none is about Eli\'s case');
  check(/viewed/.test(await page.textContent('table tbody tr td[data-label="What"]')), 'what was done, in words');
  check(/Administrator/.test(await page.textContent('table tbody tr td[data-label="Who"]')), 'and by whom');
  await axe(page, 'the access log of a person');
  await noSidewaysScroll(page, 'the access log');
  await shoot(page, 'desk-access-log');

  // The next page: older rows, the focus on the first of them.
  await page.click('button:has-text("Show older")');
  await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 50);
  const all = (await page.$$('table tbody tr')).length;
  check(all > 55 && all < 70, 'the older rows follow', `${all}`);
  check(await page.evaluate(() => document.activeElement?.tagName === 'TR'), 'the focus moves to the first older row');
  check(await page.isVisible(`table a[href="#/cases/${two.id}"]`), 'down to the opening of her second case');
  check(!(await page.isVisible('button:has-text("Show older")')), 'and no more pages');

  // Dates bound the rows; a range the wrong way round is refused.
  await page.fill('#al-from', day(2));
  await page.fill('#al-to', day(3));
  await page.click('button:has-text("Show")');
  await page.waitForSelector('text=Nothing recorded between these dates');
  check(true, 'days after today hold nothing');
  await page.fill('#al-from', day(3));
  await page.fill('#al-to', day(2));
  await page.click('button:has-text("Show")');
  await page.waitForSelector('.error[role="alert"]');
  check(/no later than/.test(await page.textContent('.error')), 'a range the wrong way round is refused with a sentence');
  check(await page.evaluate(() => document.activeElement?.contains(document.querySelector('.error'))), 'the focus is on the sentence');
  check((await page.getAttribute('#al-from', 'aria-invalid')) === 'true', 'and the faulty field is marked');
  await axe(page, 'the access log with a problem');
  await page.fill('#al-from', day(-1));
  await page.fill('#al-to', day(1));
  await page.click('button:has-text("Show")');
  await page.waitForSelector('table tbody tr');
  check(!(await page.isVisible('.error')), 'a good range clears the problem');

  // From the staff page to what one member of staff viewed.
  await page.goto(`${base}/app/#/staff`);
  await page.waitForSelector('table tbody tr');
  await page.click('a:has-text("What they viewed")');
  await page.waitForSelector('text=What Administrator viewed');
  await page.waitForSelector('table tbody tr');
  check(await page.isVisible(`table a[href="#/cases/${eli.id}"]`), 'what the administrator viewed includes Eli\'s case');
  await axe(page, 'the access log of a member of staff');
  await noSidewaysScroll(page, 'the staff access log');
  await shoot(page, 'desk-access-log-staff');

  check(errors.length === 0, 'no script errors', errors.join('; '));
  check(blocked.length === 0, 'nothing was blocked by the Content-Security-Policy', blocked.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
