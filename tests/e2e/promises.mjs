// Every promise can be kept and a closed case leaves nothing pending, in
// the browser: a service order's 7-day promise is processed by a contact
// that says so, a delayed case's update recurs, and closing asks how each
// open promise ended before it closes.
// Usage: node promises.mjs CHARTER-BINARY SCREENSHOT-DIR
import { rmSync } from 'node:fs';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();

async function open(page, fields) {
  await page.click('header >> text=Charter');
  await page.waitForSelector('#nc-service option[value="cognus/enquiries"]', { state: 'attached' });
  await page.selectOption('#nc-service', 'cognus/enquiries');
  await page.selectOption('#nc-kind', fields.kind);
  await page.selectOption('#nc-channel', 'email');
  await page.fill('#nc-subject', fields.subject);
  await page.fill('#nc-message', fields.message);
  if (fields.flags) await page.fill('#nc-flags', fields.flags);
  await page.click('text=Open the case');
  await page.waitForSelector(`h1:has-text("${fields.subject}")`);
}

try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // A service order: processed within 7 days, kept by saying so.
  await open(page, { kind: 'service-order', subject: 'Order: four behaviour support sessions',
    message: 'Please book four sessions for Year 8 in January.' });
  const row = 'tr:has-text("Service orders")';
  check(await page.isVisible(`${row} .tag-pending`), 'the order owes processing within 7 days');
  check(await page.isVisible('#lc-process'), 'the contact form offers to process it');
  await page.fill('#lc-summary', 'Order processed: sessions booked for 11, 18 and 25 January and 1 February.');
  await page.selectOption('#lc-channel', 'email');
  await page.check('#lc-process');
  await page.click('text=Log the contact');
  await page.waitForSelector(`${row} .tag-met`);
  check(/by our email/.test(await page.textContent(row)), 'the process promise is met, by that email', await page.textContent(row));
  await axe(page, 'a processed service order');
  await noSidewaysScroll(page, 'a processed service order');

  // A delayed enquiry: an update is owed, and each update starts the next.
  await open(page, { kind: 'enquiry', subject: 'Placement panel question', flags: 'delayed',
    message: 'When will the panel decide about my daughter\'s place?' });
  const updates = 'tr:has-text("keep you informed")';
  check(await page.locator(updates).count() === 1, 'a delayed case owes an update');
  await page.fill('#lc-summary', 'The panel meets on the 25th; we will write again by then.');
  await page.check('#lc-update');
  await page.click('text=Log the contact');
  await page.waitForFunction(() => [...document.querySelectorAll('tr')].filter((tr) => tr.textContent.includes('keep you informed')).length === 2);
  check(await page.isVisible(`${updates} .tag-met`) && await page.isVisible(`${updates} .tag-pending`),
    'the update made is met and the next one is owed');

  // Closing it: a promise not yet due needs a decision first.
  await page.click('button:text-is("Close the case")');
  await page.waitForSelector('form[aria-labelledby="close-case"] fieldset');
  await axe(page, 'the close form');
  await noSidewaysScroll(page, 'the close form');
  await page.click('button:text-is("Settle and close")');
  await page.waitForSelector('form[aria-labelledby="close-case"] [role=alert]');
  check(/is not yet due/.test(await page.textContent('form[aria-labelledby="close-case"] [role=alert]')),
    'closing without a decision says which promise needs one');
  check(await page.isVisible('dl.summary .tag-open'), 'and the case stays open');
  for (const set of await page.locator('form[aria-labelledby="close-case"] fieldset').all()) {
    await set.locator('input[id$="-withdrawn"]').check();
    await set.locator('input[id$="-reason"]').fill('The parent withdrew the question.');
  }
  await shoot(page, 'close-settling');
  await page.click('button:text-is("Settle and close")');
  await page.waitForSelector('dl.summary .tag-closed');
  check(!(await page.isVisible('td .tag-pending')) && !(await page.isVisible('td .tag-paused')),
    'no promise is left pending on the closed case');
  check(await page.isVisible('td .tag-withdrawn') && /The parent withdrew the question/.test(await page.textContent('main')),
    'the withdrawn promises say why');
  await axe(page, 'the closed case');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} catch (e) {
  check(false, 'the browser run', e.stack);
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
