// People and safeguards in the browser: the case page says who may be
// spoken to and why; a contact with an advocate who has no consent is
// refused with the sentence beside the form; recording the young person's
// written consent on their page lets it through; withdrawing it is kept on
// the record. Every page is checked with axe, by keyboard, and for
// sideways scrolling at 320 px.
// Usage: node consent.mjs CHARTER-BINARY SCREENSHOT-DIR
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
    const r = await fetch(`${base}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    const data = await r.json();
    check(r.ok, `set-up: POST ${path}`, JSON.stringify(data));
    return data;
  };
  // Sam is 19 today, whenever the test runs; the consent is dated yesterday.
  const iso = (d) => d.toISOString().slice(0, 10);
  const now = new Date();
  const dob = new Date(Date.UTC(now.getUTCFullYear() - 19, now.getUTCMonth(), now.getUTCDate() - 10));
  const yesterday = iso(new Date(now.getTime() - 86400000));
  const sam = await post('/api/v1/people', { name: 'Sam Lee', email: 'sam@example.org', date_of_birth: iso(dob) });
  const priya = await post('/api/v1/people', { name: 'Priya Lee', email: 'priya@example.org' });
  const alex = await post('/api/v1/people', { name: 'Alex Khan', email: 'alex@advocacy.example' });
  await post(`/api/v1/people/${priya.id}/relationships`, { kind: 'parent', other_id: sam.id });
  await post(`/api/v1/people/${alex.id}/relationships`, { kind: 'advocate', other_id: sam.id });
  const kase = await post('/api/v1/cases', {
    service: 'cognus/enquiries', channel: 'email', subject: 'Transport to college',
    requester: { name: 'Sam Lee', email: 'sam@example.org' },
  });

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

  // The case page: who may be spoken to, and why.
  await page.goto(`${base}/app/#/cases/${kase.id}`);
  await page.waitForSelector('#who-may');
  await page.waitForSelector('.who-may li:has-text("Alex Khan")');
  const list = await page.textContent('.who-may');
  check(/Sam Lee \(the person the case is about\): yes — the case is about them/.test(list), 'the subject may be told', list);
  check(/Priya Lee \(parent\): no — Sam Lee is 19; Sam Lee's own consent is needed/.test(list), 'the parent of a 19-year-old may not', list);
  check(/Alex Khan \(advocate\): no — Sam Lee's written consent is needed/.test(list), 'nor the advocate', list);
  const options = await page.$$eval('#lc-with option', (o) => o.map((x) => x.textContent));
  check(options.length === 3 && /Sam Lee/.test(options[0]) && options.some((o) => /Alex Khan \(advocate\): consent needed/.test(o)),
    'the Spoken with select offers the related people', options.join(' | '));
  await axe(page, 'the case page with who may be spoken to');
  await noSidewaysScroll(page, 'the case page with who may be spoken to');

  // A contact with the advocate is refused, with the sentence beside the form.
  await page.selectOption('#lc-with', String(alex.id));
  await page.fill('#lc-summary', 'Told Alex about the transport decision.');
  await page.click('button:has-text("Log the contact")');
  await page.waitForSelector('form[aria-labelledby=log-contact] .error-summary');
  const said = await page.textContent('form[aria-labelledby=log-contact] .error-summary');
  check(said.includes(`Case ${kase.id} is about Sam Lee (19). Alex Khan is their advocate, so we need Sam Lee's written consent`) &&
    said.includes("record it under Sam Lee's record, Consents."), 'the refusal says what is missing and where to record it', said);
  check(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), 'the summary takes focus');
  await page.focus('.error-summary a:has-text("Spoken with")');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement?.id) === 'lc-with', 'its link leads to the Spoken with select');
  check((await page.$$('.conversation li')).length === 0, 'nothing was logged');
  await axe(page, 'the case page with a refused contact');
  await noSidewaysScroll(page, 'the case page with a refused contact');
  await shoot(page, 'consent-refused');

  // Sam's page: the relationships, and a written consent recorded.
  await page.goto(`${base}/app/#/people/${sam.id}`);
  await page.waitForSelector('#safeguards');
  const rels = await page.textContent('.safeguards');
  check(/Priya Lee is their parent/.test(rels) && /Alex Khan is their advocate/.test(rels), "the person's relationships", rels);
  await page.fill('#con-grantee', String(alex.id));
  await page.fill('#con-case', String(kase.id));
  await page.fill('#con-evidence', 'Signed consent form, scanned to the case file');
  await page.fill('#con-given', '2099-01-01');
  await page.click('button:has-text("Record the consent")');
  await page.waitForSelector('section[aria-labelledby=safeguards] .error-summary');
  const future = await page.textContent('section[aria-labelledby=safeguards] .error-summary');
  check(/given_on is in the future/i.test(future), 'a date in the future is refused', future);
  check(await page.getAttribute('#con-given', 'aria-invalid') === 'true', 'and the field is marked');
  await page.fill('#con-given', yesterday);
  await page.click('button:has-text("Record the consent")');
  await page.waitForSelector("text=Sam Lee's consent for Alex Khan is recorded.");
  const row = await page.textContent('table[aria-label^="Consents"] tbody tr');
  check(/Sam Lee/.test(row) && /Alex Khan/.test(row) && new RegExp(`Case ${kase.id} only`).test(row) && /current/.test(row),
    'the consent is listed, current, for that case', row);
  await axe(page, 'the person page with a consent');
  await noSidewaysScroll(page, 'the person page with a consent');
  await shoot(page, 'consent-person');

  // Now the advocate may be told.
  await page.goto(`${base}/app/#/cases/${kase.id}`);
  await page.waitForSelector('.who-may li:has-text("Alex Khan (advocate): yes")');
  check(/Sam Lee's written consent of .* covers this case/.test(await page.textContent('.who-may')), 'the list says by which consent');
  await page.selectOption('#lc-with', String(alex.id));
  await page.fill('#lc-summary', 'Told Alex about the transport decision.');
  await page.click('button:has-text("Log the contact")');
  await page.waitForSelector('text=The contact is logged.');
  check(/Alex Khan/.test(await page.textContent('.conversation li:last-child')), 'the contact is logged with Alex');
  await axe(page, 'the case page after the contact');
  await shoot(page, 'consent-allowed');

  // Withdrawn by keyboard: at once, and kept.
  await page.goto(`${base}/app/#/people/${sam.id}`);
  await page.waitForSelector('button:has-text("Withdraw")');
  await page.focus('button:has-text("Withdraw")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#con-reason');
  await page.focus('#con-reason');
  await page.keyboard.type('Sam phoned to withdraw it');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=The consent for Alex Khan is withdrawn');
  check(/withdrawn/.test(await page.textContent('table[aria-label^="Consents"] tbody tr')) &&
    /Sam phoned to withdraw it/.test(await page.textContent('table[aria-label^="Consents"] tbody tr')), 'the withdrawn consent stays on the record');
  await axe(page, 'the person page with a withdrawn consent');
  await noSidewaysScroll(page, 'the person page with a withdrawn consent');
  await page.goto(`${base}/app/#/cases/${kase.id}`);
  await page.waitForSelector('.who-may li:has-text("Alex Khan (advocate): no")');
  check(/withdrawn/.test(await page.textContent('.who-may')), 'the case page says the consent was withdrawn');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
