// The finder and the honest reports in a real browser: reach the finder
// from the header by keyboard, find a case by the start of a word and by
// the reference the public form gave, a person by name and email, an
// organisation by its name; see a month still running reported "so far".
// axe-core checks each page and nothing scrolls sideways at 320 px.
// Usage: node find.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);

async function narrow(page, what) {
  await page.setViewportSize({ width: 320, height: 900 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 320, `${what} does not scroll sideways at 320 px`, `scrollWidth ${width}`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const token = spawnSync(absolute(charter), ['admin', 'token', '--email', 'admin@charter.local',
    '--db', join(tmp, 'charter.db')], { encoding: 'utf8' }).stdout.trim();
  const post = async (path, body) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, data: await r.json() };
  };
  const org = await post('/api/v1/organisations', { name: 'Oak Tree Academy', kind: 'school' });
  const person = await post('/api/v1/people', { name: "Dara O'Neill", email: 'dara@oaktree.example', organisation_id: org.data.id });
  check(org.status === 201 && person.status === 201, 'an organisation and a person to find');
  // A message through the public form, as a parent would send it.
  const form = await fetch(`${base}/public/cognus/contact`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'subject=Bus+pass&message=Our+school+transport+pass+has+expired.&name=Priya+Kaur&email=priya%40family.example',
  });
  const ref = ((await form.text()).match(/Your reference is <strong>(\d+)<\/strong>/) ?? [])[1];
  check(form.status === 200 && ref, 'the public form gives a reference', `status ${form.status}`);
  // An email received now is due in the future.
  const email = await post('/api/v1/cases', { service: 'cognus/enquiries', channel: 'email', subject: 'Admissions question' });
  check(email.status === 201 && email.data.obligations[0].state === 'pending', 'an email due in the future');

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/app/`);
  await page.fill('#email', 'admin@charter.local');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');

  // The header's Find link, by keyboard.
  await page.focus('header a[href="#/find"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#find-q');
  check(await page.isVisible('h1:has-text("Find people, organisations and cases")'), 'the finder opens from the header');
  await axe(page, 'the empty finder');

  // The start of a word finds the case.
  await page.focus('#find-q');
  await page.keyboard.type('transp');
  await page.keyboard.press('Enter');
  await page.waitForSelector('p[role=status]:has-text("Found")');
  check(await page.isVisible(`a[href="#/cases/${ref}"]`), '"transp" finds the case about transport');
  check(page.url().endsWith('#/find?q=transp'), 'the search is in the address', page.url());

  // The reference from the thank-you page finds its case first.
  await page.fill('#find-q', ref);
  await page.press('#find-q', 'Enter');
  await page.waitForSelector(`#found-cases ~ ul li:first-child a[href="#/cases/${ref}"]`);
  check(true, 'the reference finds its case first');

  // People by name and by email, organisations by name.
  await page.fill('#find-q', 'dara');
  await page.press('#find-q', 'Enter');
  await page.waitForSelector(`a[href="#/people/${person.data.id}"]`);
  check((await page.textContent('section:has(#found-people) li')).includes('dara@oaktree.example'), 'a person by name, shown with their email');
  await page.fill('#find-q', 'oak');
  await page.press('#find-q', 'Enter');
  await page.waitForSelector(`a[href="#/organisations/${org.data.id}"]`);
  check(await page.isVisible(`a[href="#/people/${person.data.id}"]`), 'and by the domain of their email');
  check(await page.isVisible('p[role=status]:has-text("1 person, 1 organisation")'), 'the count is announced');
  await axe(page, 'the finder with results');
  await shoot(page, 'desk-finder');
  await narrow(page, 'the finder');
  await page.click(`a[href="#/organisations/${org.data.id}"]`);
  await page.waitForSelector('h1:has-text("Oak Tree Academy")');
  check(true, "a result opens the organisation's page");

  // Nothing to find: said so, in the error summary.
  await page.goto(`${base}/app/#/find`);
  await page.waitForSelector('#find-q');
  await page.fill('#find-q', '   ');
  await page.press('#find-q', 'Enter');
  await page.waitForSelector('p.error[role=alert]');
  check(/Type a name/.test(await page.textContent('p.error')), 'an empty search says what to type');
  await axe(page, 'the finder with a problem');

  // The email is due in the future: pending, and its month "so far". The
  // pages show months up to this one; in the last days of a month the
  // email falls due in the next, and only the API can show it.
  const monthOf = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit' }).format(d);
  const dueMonth = monthOf(new Date(email.data.obligations[0].due_at));
  if (dueMonth === monthOf(new Date())) {
    await page.click('header >> text=Reports');
    await page.waitForSelector('h2:has-text("written-reply (cognus/enquiries)")');
    const table = await page.textContent('section:has(h2:has-text("written-reply (cognus/enquiries)")) table');
    check(/\(so far\)/.test(table) && /none known yet so far/.test(table), 'a month still running is reported so far, with no rate yet', table);
    check(/Not yet due/.test(table), 'with a column for those not yet due', table);
    await axe(page, 'the reports page');
    await narrow(page, 'the reports page');
    await page.click('header >> text=Charter');
    await page.waitForSelector('figcaption:has-text("written-reply (cognus/enquiries)")');
    const caption = await page.textContent('figcaption:has-text("written-reply (cognus/enquiries)")');
    check(/so far on time, [1-9]\d* not yet due/.test(caption), 'the dashboard says so far too', caption);
    await narrow(page, 'the dashboard');
  } else {
    const rows = await page.evaluate(async (m) => (await (await fetch(`/api/v1/reports/compliance?from=${m}&to=${m}`)).json()).rows, dueMonth);
    const row = rows.find((r) => r.promise === 'written-reply');
    check(row && row.pending === 1 && row.not_met === 0 && !row.complete, 'the email is pending in the month it falls due', JSON.stringify(row));
  }
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
