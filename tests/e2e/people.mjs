// People in the browser desk: find a person on the People page, correct
// their details (a bad date is refused and changes nothing), record their
// communication needs and see them as the alert banner on the person page
// and on the page of each of their cases, where phoning someone who asked
// not to be phoned needs a reason; attach a file and download it again.
// Every page is checked with axe, by keyboard, and at 320 px.
// Usage: node people.mjs CHARTER-BINARY SCREENSHOT-DIR
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
  const post = async (path, body) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    return res.json();
  };
  const requester = { name: 'Dana Okafor', email: 'dana@example.org' };
  const one = await post('/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2025-12-19T10:00', subject: 'School transport', requester });
  const two = await post('/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', received_at: '2025-12-19T11:00', subject: 'EHCP review', requester });
  check(one.person_id && one.person_id === two.person_id, 'both cases are Dana\'s', JSON.stringify([one, two]));
  const person = one.person_id;
  const dup = await post('/api/v1/cases', { service: 'cognus/enquiries', channel: 'phone', received_at: '2025-12-19T12:00', subject: 'Bus pass', requester: { name: 'D Okafor', email: 'd.okafor@example.org' } });

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type('admin@charter.local');
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');

  // The People page: search by keyboard, "of N".
  await page.click('header a:has-text("People")');
  await page.waitForSelector('h1:has-text("People")');
  await page.focus('#pl-q');
  await page.keyboard.type('dana');
  await page.keyboard.press('Enter');
  await page.waitForSelector('p[role=status]:has-text("Showing 1-1 of 1 person")');
  check(true, 'the People page finds Dana, with a count');
  await axe(page, 'the People page');
  await noSidewaysScroll(page, 'the People page');
  await shoot(page, 'people-list');
  await page.click('td a:has-text("Dana Okafor")');
  await page.waitForSelector('h1:has-text("Dana Okafor")');
  check(!(await page.isVisible('.alert-banner')), 'no banner while no needs are recorded');

  // A date that does not exist is refused, and nothing changes.
  await page.fill('#pe-phone', '01632 960001');
  await page.fill('#pe-dob', '2010-02-30');
  await page.click('button:has-text("Save the details and needs")');
  await page.waitForSelector('form[aria-labelledby=pe-title] .error-summary');
  check(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), 'the error summary takes focus');
  check(await page.getAttribute('#pe-dob', 'aria-invalid') === 'true', 'the date is marked invalid');
  const unchanged = await page.evaluate(async (id) => (await (await fetch(`/api/v1/people/${id}`)).json()).phone, person);
  check(unchanged === null, 'nothing was changed by the refused edit', String(unchanged));
  await axe(page, 'the person page with an error');

  // Needs, set by keyboard: prefers email, not by phone, BSL.
  await page.fill('#pe-dob', '2010-03-14');
  await page.selectOption('#pe-preferred', 'email');
  await page.focus('#pe-avoid-phone');
  await page.keyboard.press('Space');
  await page.focus('#pe-bsl');
  await page.keyboard.press('Space');
  await page.fill('#pe-note', 'Deaf: please do not phone.');
  await page.focus('button:has-text("Save the details and needs")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.alert-banner li:has-text("Prefers email; please do not phone.")');
  check(await page.isVisible('.alert-banner li:has-text("British Sign Language")'), 'BSL is in the banner');
  check(/age \d+/.test(await page.textContent('dl.summary')), 'the age is shown with the date of birth');
  const banner = await page.evaluate(() => {
    const b = document.querySelector('.alert-banner');
    const h1 = document.querySelector('h1');
    return b && h1 && b.compareDocumentPosition(document.querySelector('h2:not(#alert-banner-title)')) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  check(!!banner, 'the banner comes before the rest of the page');

  // A file: attached, listed, downloaded byte for byte.
  const pdf = Buffer.from('%PDF-1.4\n% consent form signed by Dana\n');
  await page.setInputFiles('#file-input', { name: 'Consent form.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.click('button:has-text("Attach")');
  await page.waitForSelector('.files a:has-text("Consent form.pdf")');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.files a:has-text("Consent form.pdf")')]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  check(Buffer.compare(readFileSync(path), pdf) === 0, 'the download is the file attached');
  check(download.suggestedFilename() === 'Consent form.pdf', 'under its own name', download.suggestedFilename());
  await page.setInputFiles('#file-input', { name: 'run.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  await page.click('button:has-text("Attach")');
  await page.waitForSelector('form[aria-label="Attach a file"] .error:has-text("cannot be attached")');
  check(true, 'a program is refused with a sentence');
  // A manager (here the administrator) merges the duplicate record.
  await page.fill('#merge-id', String(dup.person_id));
  await page.click('button:has-text("Merge")');
  await page.waitForSelector(`p.notice:has-text("Person ${dup.person_id} is merged into Dana Okafor")`);
  await page.waitForSelector(`main a[href="#/cases/${dup.id}"]`);
  check(true, 'the duplicate\'s case is listed as Dana\'s');
  await axe(page, 'the person page with needs and a file');
  await noSidewaysScroll(page, 'the person page');
  await shoot(page, 'people-person');

  // Each of Dana's cases carries the banner; phoning needs a reason.
  for (const c of [two.id, one.id]) {
    await page.goto(`${base}/app/#/cases/${c}`);
    await page.waitForSelector(`h1:has-text("Case ${c}")`);
    await page.waitForSelector('.alert-banner li:has-text("Prefers email; please do not phone.")');
    check(true, `the banner is on case ${c}`);
  }
  await page.selectOption('#lc-channel', 'phone');
  await page.waitForSelector('#lc-reason');
  check(/asked us not to use phone/.test(await page.textContent('#lc-reason-hint')), 'the form says they asked not to be phoned');
  await page.fill('#lc-summary', 'Rang about the bus');
  await page.click('button:has-text("Log the contact")');
  await page.waitForSelector('.error-summary:has-text("asked us not to phone")');
  check(true, 'phoning without a reason is refused, saying why');
  await page.fill('#lc-reason', 'Urgent: the bus is cancelled tomorrow morning.');
  await page.click('button:has-text("Log the contact")');
  await page.waitForSelector('.conversation dd:has-text("Urgent: the bus is cancelled")');
  check(true, 'with a reason it is logged, and the reason is in the conversation');
  await page.setInputFiles('#file-input', { name: 'letter.txt', mimeType: 'text/plain', buffer: Buffer.from('A letter.\n') });
  await page.click('button:has-text("Attach")');
  await page.waitForSelector('.files a:has-text("letter.txt")');
  check(true, 'a file is attached to the case');
  await axe(page, 'the case page with the banner');
  await noSidewaysScroll(page, 'the case page with the banner');
  await shoot(page, 'people-case');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
