// Themes in the browser: an officer ticks what a case is about on the case
// page (by keyboard too), a stale page is told to reload rather than
// overwrite, and the themes report shows a theme with 3 cases as "fewer
// than 5", one with 6 as 6 with its margins by channel and outcome, the
// service by name, and its downloads; the compliance report groups by theme.
// Usage: node themes.mjs CHARTER-BINARY SCREENSHOT-DIR
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
let token = '';

async function call(method, path, body, ifMatch) {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  if (ifMatch) headers['If-Match'] = ifMatch;
  const res = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, data: await res.json() };
}

try {
  token = execFileSync(resolve(charter), ['admin', 'token', '--email', 'admin@charter.local', '--db', join(tmp, 'charter.db')],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'], timeout: 30000 }).toString().trim();
  const ids = [];
  for (const subject of ['Exclusion from Year 9', 'Second exclusion question', 'Third exclusion question']) {
    const r = await call('POST', '/api/v1/cases', { service: 'sendiass/enquiries', channel: 'phone', subject });
    check(r.status === 201, `a case is opened (${subject})`, JSON.stringify(r.data));
    ids.push(r.data.id);
  }
  // Six EHCP cases, five by email and one by phone: the total is exact,
  // and by channel both are hidden, or 6 - 5 would give the 1 away.
  for (const [n, channel] of [[1, 'email'], [2, 'email'], [3, 'email'], [4, 'email'], [5, 'email'], [6, 'phone']]) {
    const c = await call('POST', '/api/v1/cases', { service: 'sendiass/enquiries', channel, subject: `EHCP question ${n}` });
    check(c.status === 201, `an EHCP case is opened (${n})`, JSON.stringify(c.data));
    const t = await call('PUT', `/api/v1/cases/${c.data.id}/themes`, { themes: ['ehcp-assessment'] });
    check(t.status === 200, `it is themed (${n})`, JSON.stringify(t.data));
  }
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // The first case: themes ticked with the mouse.
  await page.goto(`${base}/#/cases/${ids[0]}`);
  await page.waitForSelector('#ct-exclusion');
  check(/No theme yet/.test(await page.textContent('#ct-now')), 'a new case has no theme');
  check(await page.isVisible('label[for="ct-ehcp-assessment"]:text("EHCP assessment")'), 'the charter\'s themes are offered by name');
  await axe(page, 'the case page with its themes');
  await page.check('#ct-exclusion');
  await page.check('#ct-school-transport');
  await page.click('button:text-is("Save the themes")');
  await page.waitForSelector('section[aria-labelledby="case-themes"] .notice:has-text("Themes saved: School transport, Exclusion")');
  await page.waitForSelector('#ct-now .tag:text("Exclusion")');
  await page.waitForSelector('.timeline li:has-text("themes: School transport, Exclusion")');
  check(true, 'the themes are saved, shown and on the timeline');
  await axe(page, 'the case page after saving themes');
  await noSidewaysScroll(page, 'the case page with themes');
  await shoot(page, 'case-themes');
  // Taking one off again: the list is saved whole.
  await page.uncheck('#ct-school-transport');
  await page.click('button:text-is("Save the themes")');
  await page.waitForSelector('section[aria-labelledby="case-themes"] .notice:has-text("Themes saved: Exclusion.")');
  await page.waitForFunction(() => !document.querySelector('#ct-now').textContent.includes('School transport'));
  const read = await call('GET', `/api/v1/cases/${ids[0]}/themes`);
  check(JSON.stringify(read.data.themes.map((t) => t.id)) === '["exclusion"]', 'the API holds what the page saved', JSON.stringify(read.data));

  // The second and third by keyboard alone: Space ticks, Enter saves.
  for (const id of ids.slice(1)) {
    await page.goto(`${base}/#/cases/${id}`);
    await page.waitForSelector(`h1:has-text("Case ${id}")`);
    await page.waitForSelector('#ct-exclusion');
    await page.focus('#ct-exclusion');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    let guard = 0;
    while (!(await page.evaluate(() => document.activeElement?.textContent === 'Save the themes')) && guard++ < 20)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('section[aria-labelledby="case-themes"] .notice:has-text("Themes saved: Exclusion.")');
  }
  check(true, 'themes are set by keyboard');

  // A page left open while someone else changes the themes is told to
  // reload, and nothing is overwritten.
  await page.goto(`${base}/#/cases/${ids[2]}`);
  await page.waitForSelector('#ct-now .tag:text("Exclusion")');
  const r = await call('PUT', `/api/v1/cases/${ids[2]}/themes`, { themes: ['exclusion', 'tribunal'] });
  check(r.status === 200, 'someone else adds a theme meanwhile');
  await page.check('#ct-school-transport');
  await page.click('button:text-is("Save the themes")');
  await page.waitForSelector('section[aria-labelledby="case-themes"] [role=alert]');
  check(/reload|changed/i.test(await page.textContent('section[aria-labelledby="case-themes"] [role=alert]')),
    'the stale page is told why its change was refused', await page.textContent('section[aria-labelledby="case-themes"] [role=alert]'));
  const after = await call('GET', `/api/v1/cases/${ids[2]}/themes`);
  check(JSON.stringify(after.data.themes.map((t) => t.id)) === '["exclusion","tribunal"]', 'the other change stands', JSON.stringify(after.data));
  await axe(page, 'the case page with a refused change');

  // The themes report: 3 exclusion cases this quarter show as fewer than 5.
  await page.goto(`${base}/#/reports`);
  await page.click('a:text("The themes report")');
  await page.waitForSelector('h1:text("Themes report")');
  await page.waitForSelector('#tr-table td:has-text("Exclusion")');
  const row = page.locator('#tr-table tr', { hasText: 'Exclusion' });
  check(/fewer than 5/.test(await row.textContent()), 'a theme with 3 cases shows fewer than 5', await row.textContent());
  check(/Not broken down/.test(await row.textContent()), 'and is not broken down');
  const ehcp = page.locator('#tr-table tr', { hasText: 'EHCP assessment' });
  const cells = await ehcp.locator('td').allTextContents();
  check(cells[3] === '6', 'six EHCP cases read 6, exactly', JSON.stringify(cells));
  check(cells[2] === 'Information, advice and support', 'the service is named, not given by id', JSON.stringify(cells));
  check(/email: hidden to protect small numbers/.test(cells[4]) && /phone: hidden to protect small numbers/.test(cells[4]),
    'by channel the 1 by phone is hidden, and the 5 by email with it', JSON.stringify(cells));
  check(/Still open: 6/.test(cells[5]), 'by outcome, separately, all 6 still open', JSON.stringify(cells));
  check(/hidden to protect small numbers/.test(await page.textContent('#tr-rule')), 'the page says how to read a hidden count');
  check(!/Exclusion from Year 9/.test(await page.textContent('main')), 'no case subject reaches the report');
  for (const f of ['csv', 'xlsx', 'pdf'])
    check(await page.locator(`#tr-downloads a[href*="format=${f}"]`).count() === 1, `the report downloads as ${f}`);
  const pdf = await page.request.get(`${base}${await page.getAttribute('#tr-downloads a[href*="format=pdf"]', 'href')}`);
  check(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'the PDF link gives a PDF');
  await axe(page, 'the themes report');
  await noSidewaysScroll(page, 'the themes report');
  await shoot(page, 'themes-report');
  // A bad quarter is refused with a sentence, and focus goes to the field.
  await page.fill('#tr-from', '2026-Q9');
  await page.click('button:text-is("Show the themes")');
  await page.waitForSelector('main [role=alert]:has-text("2026-Q3")');
  check(await page.evaluate(() => document.activeElement?.id === 'tr-from'), 'focus goes to the quarter to fix');
  check(!/format/.test(await page.textContent('main [role=alert]')), 'the sentence is about the quarter alone');
  // From after to: both quarters are marked, in a sentence of their own.
  await page.fill('#tr-from', '2026-Q4');
  await page.fill('#tr-to', '2026-q1');
  await page.click('button:text-is("Show the themes")');
  await page.waitForSelector('main [role=alert]:has-text("comes after to")');
  check(await page.getAttribute('#tr-to', 'aria-invalid') === 'true' && await page.getAttribute('#tr-from', 'aria-invalid') === 'true',
    'both quarters are marked');
  await axe(page, 'the themes report with a bad quarter');

  // The managers' report by theme, with its Excel download.
  await page.goto(`${base}/#/reports`);
  await page.waitForSelector('#rp-by');
  await page.selectOption('#rp-by', 'theme');
  await page.waitForSelector('h2:has-text("exclusion (sendiass/enquiries)")');
  check(/by=theme&format=xlsx/.test(await page.getAttribute('#rp-downloads a:has-text("Excel")', 'href')), 'the Excel download follows the grouping');
  await axe(page, 'the compliance report by theme');
  await noSidewaysScroll(page, 'the compliance report by theme');
  await shoot(page, 'compliance-by-theme');
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
