// Behaviour audits in a real browser: a consultant sets up an audit of a
// school on the desk, each group answers its own public form with
// JavaScript off (the form shows the sample so far), the desk shows the
// counts and offers the workbook, a follow-up is set beside its baseline,
// and a technical problem is reported; axe-core checks every page, at 320
// px none scrolls sideways.
// Usage: node audits.mjs CHARTER-BINARY SCREENSHOT-DIR
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
// The browser reaches this test server over plain HTTP, so the copy of
// Beacon's charter here lets answers in without TLS; tests/api/audits.sh
// checks the refusal over plain HTTP and the answers over HTTPS.
const beacon = join(tmp, 'policies', 'beacon.yaml');
writeFileSync(beacon, readFileSync(beacon, 'utf8').replace('require_tls: true', 'require_tls: false'));
const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const blocked = [], errors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  const plain = await browser.newContext({ viewport: { width: 1440, height: 900 }, javaScriptEnabled: false });
  const pub = await plain.newPage();
  // axe-core runs as a script, so the same pages are checked in a browser
  // with JavaScript on (and no desk session).
  const seen = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const look = await seen.newPage();

  await page.goto(`${base}/app/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // Set up the baseline audit.
  await page.click('header >> text=Audits');
  await page.waitForSelector('h1:has-text("Behaviour audits")');
  await page.waitForSelector('#au-service option', { state: 'attached' });
  await page.waitForSelector('text=No audits yet.');
  await axe(page, 'the audits page');
  await noSidewaysScroll(page, 'the audits page');
  await shoot(page, shots, 'audits-list');
  await page.selectOption('#au-service', 'beacon/consultancy');
  await page.fill('#au-school', 'Hillside Primary');
  await page.fill('#au-intervention', 'Calm corridors');
  await page.fill('#au-opens', day(-1));
  await page.click('text=Set up the audit');
  await page.waitForSelector('[role=alert]:has-text("closes_on")');
  check(true, 'a missing close date is refused with a sentence naming it');
  await page.fill('#au-closes', day(30));
  // Keyboard only: focus the button and press Enter.
  await page.focus('button:has-text("Set up the audit")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Behaviour in our school: Hillside Primary")');
  const links = await page.$$eval('#au-groups tbody tr', (rows) => rows.map((r) => ({
    group: r.querySelector('th').textContent, href: r.querySelector('a').getAttribute('href'),
  })));
  check(links.map((l) => l.group).join() === 'Pupils,Parents,Teachers,Governors', 'a link for each of the four groups',
    JSON.stringify(links));
  await axe(page, 'an audit with no responses');
  await noSidewaysScroll(page, 'an audit page');

  // Each group answers through its own form, without JavaScript.
  const answer = async (p, href) => {
    await p.goto(`${base}${href}`);
    // A radio chosen from the keyboard: focus it and press Space.
    await p.focus('#q-feel-safe-4');
    await p.keyboard.press('Space');
    await p.check('#q-lessons-calm-3');
    await p.check('#q-rules-fair-5');
    await p.check('#q-bullying-dealt-with-1');
    await p.check('#q-where-problems-1');
    await p.fill('#q-one-change', 'More staff at break');
    await p.click('button:has-text("Send my answers")');
    await p.waitForSelector('h1:has-text("Thank you, your answers are saved")');
  };
  const pupils = links[0].href;
  await look.goto(`${base}${pupils}`);
  check((await look.textContent('#sample')).includes('So far 0 pupils from Hillside Primary have answered'),
    'the form shows the school its sample size', await look.textContent('#sample'));
  await axe(look, 'a group\'s public form');
  await noSidewaysScroll(look, 'a group\'s public form');
  await shoot(look, shots, 'audits-form');
  await look.click('button:has-text("Send my answers")');
  await look.waitForSelector('.error-summary:has-text("There is a problem")');
  await axe(look, 'the form with its mistakes');
  await noSidewaysScroll(look, 'the form with its mistakes');
  await answer(look, pupils);
  check((await look.textContent('#sample')).includes('So far 1 pupil from Hillside Primary has answered'),
    'the thank-you counts the answer', await look.textContent('#sample'));
  await axe(look, 'the thank-you page');
  await noSidewaysScroll(look, 'the thank-you page');
  // The rest answer with JavaScript off, as the forms are built to work.
  await answer(pub, pupils);
  for (const l of links.slice(1)) await answer(pub, l.href);

  // The desk shows the counts and offers the workbook.
  await page.reload();
  await page.waitForSelector('#au-total:has-text("5")');
  const perGroup = await page.$$eval('#au-groups tbody tr td:first-of-type', (tds) => tds.map((t) => t.textContent));
  check(perGroup.join() === '2,1,1,1', 'the responses per group', perGroup.join());
  await page.waitForSelector('th:has-text("Pupils feel safe in school.") + td:has-text("4.00")');
  const href = await page.getAttribute('a:has-text("Download the results")', 'href');
  const book = await page.request.get(`${base}${href}`);
  check(book.status() === 200 && /spreadsheetml/.test(book.headers()['content-type']), 'the workbook downloads',
    `${book.status()} ${book.headers()['content-type']}`);
  await axe(page, 'an audit with responses');
  await shoot(page, shots, 'audits-audit');
  // Keep it open a week longer.
  await page.fill('#cd-closes', day(37));
  await page.click('button:has-text("Change the close date")');
  await page.waitForSelector(`[role=status]:has-text("The audit now closes on ${day(37)}.")`);
  await page.waitForSelector(`dd:has-text("${day(-1)} to ${day(37)}")`);
  check(true, 'the close date changes and the summary shows it');
  await axe(page, 'an audit whose close date changed');

  // A follow-up after the intervention, side by side with the baseline.
  await page.click('header >> text=Audits');
  await page.waitForSelector('td:has-text("Hillside Primary")');
  await page.selectOption('#au-service', 'beacon/consultancy');
  await page.waitForSelector('#au-baseline option:has-text("Hillside Primary")', { state: 'attached' });
  await page.selectOption('#au-baseline', { label: `Hillside Primary, opened ${day(-1)} (Calm corridors)` });
  await page.fill('#au-opens', day(0));
  await page.fill('#au-closes', day(30));
  await page.uncheck('#au-g-governors');
  await page.click('text=Set up the audit');
  await page.waitForSelector('h1:has-text("Behaviour in our school: Hillside Primary")');
  await page.waitForSelector('dt:has-text("Follows up")');
  const follow = await page.$$eval('#au-groups tbody tr', (rows) => rows.map((r) => r.querySelector('a').getAttribute('href')));
  check(follow.length === 3, 'the follow-up asks the three groups chosen', String(follow.length));
  await pub.goto(`${base}${follow[0]}`);
  await pub.check('#q-feel-safe-5');
  await pub.check('#q-lessons-calm-5');
  await pub.check('#q-rules-fair-5');
  await pub.check('#q-bullying-dealt-with-0');
  await pub.click('button:has-text("Send my answers")');
  await pub.waitForSelector('h1:has-text("Thank you, your answers are saved")');
  await page.reload();
  await page.waitForSelector('#comparison th:has-text("Pupils feel safe in school.")');
  const row = await page.textContent('#comparison tbody tr:first-child');
  check(/4\.00 \(5\)/.test(row) && /5\.00 \(1\)/.test(row) && /\+1\.00/.test(row), 'the change per question', row);
  await axe(page, 'the before-and-after comparison');
  await noSidewaysScroll(page, 'the before-and-after comparison');
  await shoot(page, shots, 'audits-compare');

  // Reporting a technical problem opens a case with a clock.
  await pub.goto(`${base}${pupils}`);
  await pub.click('text=Report a technical problem with this survey');
  await pub.waitForSelector('h1:has-text("Report a technical problem")');
  check(await pub.inputValue('#code') === pupils.split('/').pop(), 'the report carries the survey\'s code');
  await pub.fill('#message', 'The page would not load on the school tablets.');
  await pub.fill('#name', 'Pat Parent');
  await pub.fill('#email', 'pat@parent.example');
  await pub.click('button:has-text("Send")');
  await pub.waitForSelector('text=Your reference is');
  check(await pub.isVisible('text=We will reply by'), 'the report is promised a reply');
  await look.goto(`${base}/public/beacon/audit-problem`);
  await axe(look, 'the problem form');
  await noSidewaysScroll(look, 'the problem form');
  await look.click('button:has-text("Send")');
  await look.waitForSelector('.error-summary');
  await axe(look, 'the problem form with its mistakes');
  const ref = (await pub.textContent('strong')).trim();
  await page.goto(`${base}/app/#/cases/${ref}`);
  await page.waitForSelector('text=Technical problem with a behaviour audit survey');
  check(true, 'the report is a case on the desk');

  check(blocked.length === 0, 'nothing is blocked by the Content-Security-Policy', blocked.join('; '));
  check(errors.length === 0, 'no script errors', errors.join('; '));
} catch (e) {
  check(false, 'the audits journey ran to the end', e.stack);
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
