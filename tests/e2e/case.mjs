// A case in the browser desk as a conversation: open one with what the
// person wrote, read it on the case page, reply so that a promise is kept,
// hand it to a colleague, change its kind, flags and notes, and page
// through a long case list. Every page is checked with axe, by keyboard,
// and for sideways scrolling at 320 px.
// Usage: node case.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');
const cli = (...args) => spawnSync(absolute(charter), args, { encoding: 'utf8', input: 'a long first password\n' });

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  // A colleague in the service to hand cases to.
  const added = cli('admin', 'user', 'add', '--db', db, '--email', 'sam@sendiass.example', '--name', 'Sam Adviser',
    '--role', 'officer', '--service', 'sendiass/enquiries', '--password-stdin');
  check(added.status === 0, 'a colleague is added', added.stderr);
  const samId = Number((added.stdout.match(/user (\d+)/) ?? [])[1]);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
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
  await page.waitForSelector('#nc-service option', { state: 'attached' });
  await noSidewaysScroll(page, 'the dashboard');

  // A mistake first: the error summary names the field and leads to it.
  await page.selectOption('#nc-service', 'sendiass/enquiries');
  await page.click('text=Open the case');
  await page.waitForSelector('.error-summary');
  check(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')),
    'the error summary takes focus');
  await page.focus('.error-summary a:has-text("What it is about")');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement?.id) === 'nc-subject', 'its link moves focus to the field');
  check(await page.getAttribute('#nc-subject', 'aria-invalid') === 'true', 'which is marked invalid');
  check(page.url().endsWith('#/') || !page.url().includes('#nc-subject'), 'without leaving the page', page.url());
  await axe(page, 'the dashboard with an error summary');

  // Open a web message with its text, organisation and a flag.
  const message = 'I am deaf, please email only.\nMy son starts at Hill Primary in January: https://hill-primary.example.org/admissions/starting-in-reception-january-2027.pdf';
  await page.selectOption('#nc-channel', 'web');
  await page.fill('#nc-subject', 'Starting school');
  await page.fill('#nc-message', message);
  await page.fill('#nc-name', 'A Parent');
  await page.fill('#nc-email', 'parent@example.org');
  await page.fill('#nc-org', 'Hill Primary School');
  await page.fill('#nc-flags', 'callback');
  await page.click('text=Open the case');
  await page.waitForSelector('h1:has-text("Starting school")');
  const id = Number(page.url().match(/#\/cases\/(\d+)/)[1]);
  const first = await page.textContent('.conversation li:first-child .contact-text');
  check(first === message, "the case page shows what they wrote, in full", first);
  check(/From them, by web/.test(await page.textContent('.conversation li:first-child h3')), 'as an inbound web contact');
  const facts = await page.textContent('dl.summary');
  check(/Kindenquiry/.test(facts) && /Organisation\s*Hill Primary School/.test(facts) && /Flags\s*callback/.test(facts) &&
    /Officer\s*Not assigned yet/.test(facts), 'the facts are a summary list', facts);
  check(await page.isVisible('dl.summary .tag-open'), 'the state is a tag');
  check(await page.isVisible('td.state-pending .tag-pending'), 'and so is the promise\'s');
  await axe(page, 'the case page');
  await noSidewaysScroll(page, 'the case page');
  await shoot(page, 'case-opened');

  // Reply by email, meeting the promise: only the open promise's kind is offered.
  check(await page.isVisible('#lc-respond') && !(await page.isVisible('#lc-acknowledge')),
    'the contact form offers what the open promises need', await page.textContent('#lc-meets'));
  await page.selectOption('#lc-channel', 'email');
  await page.fill('#lc-who', 'A Parent');
  await page.fill('#lc-summary', 'Emailed the admissions timetable and the SENCo\'s name.');
  await page.check('#lc-respond');
  await page.click('text=Log the contact');
  await page.waitForSelector('td.state-met');
  const reply = page.locator('.conversation > li').nth(1);
  check(/Emailed the admissions timetable/.test(await reply.textContent()), 'the reply is in the conversation');
  const kept = await reply.locator('dl').textContent();
  check(/Kept\s*met\s*We aim to respond/.test(kept), 'and says which promise it kept', kept);
  const replyId = await reply.getAttribute('id');
  const link = page.locator('td.state-met a');
  check(await link.getAttribute('href') === `#${replyId}`, 'the promise links to the contact that met it');
  await link.focus();
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement?.id) === replyId, 'and the link takes you there');
  check(!(await page.isVisible('#lc-respond')), 'a kept promise is no longer offered');

  // Hand it over to a colleague: leaving out whom is an error first.
  await page.selectOption('#lc-channel', 'phone');
  await page.fill('#lc-summary', 'Passed to Sam, who knows the school.');
  await page.check('#lc-outcome-handed-over');
  await page.click('text=Log the contact');
  await page.waitForSelector('.error-summary a:has-text("The colleague to hand it to")');
  check(true, 'a handover without a colleague is refused, and the summary says where');
  await axe(page, 'the case page with an error summary');
  await page.selectOption('#lc-handed-to', String(samId));
  await page.click('text=Log the contact');
  await page.waitForSelector('.conversation dd:has-text("Handed over to Sam Adviser")');
  check(/Officer\s*Sam Adviser/.test(await page.textContent('dl.summary')), 'the colleague is now the officer');
  check(!(await page.isVisible('.error-summary')), 'and the error summary has gone');

  // Change the kind, add and remove a flag, add a note by keyboard, pause and resume.
  await page.selectOption('#cp-kind', 'complaint');
  await page.click('text=Change the kind');
  await page.waitForSelector('dl.summary dd:text-is("complaint")');
  check(true, 'the kind changes');
  await page.fill('#cp-flag', 'complex');
  await page.click('text=Add the flag');
  await page.waitForSelector('button:has-text("Remove the flag complex")');
  await page.click('button:has-text("Remove the flag callback")');
  await page.waitForSelector('button:has-text("Remove the flag callback")', { state: 'detached' });
  check(/Flags\s*complex/.test(await page.textContent('dl.summary')), 'any flag can be added and removed');
  await page.focus('#cp-note');
  await page.keyboard.type('Waiting for the school to confirm the start date.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.timeline li:has-text("Waiting for the school to confirm the start date.")');
  check(true, 'a note reaches the timeline, by keyboard alone');
  await page.click('text=Pause (waiting for them)');
  await page.waitForSelector('dl.summary .tag-paused');
  await page.click('text=Resume');
  await page.waitForSelector('dl.summary .tag-open');
  check(true, 'the case pauses and resumes');
  // Closing settles every promise still open, on purpose.
  await page.click('button:text-is("Close the case")');
  await page.waitForSelector('form[aria-labelledby="close-case"]');
  for (const set of await page.locator('form[aria-labelledby="close-case"] fieldset').all()) {
    await set.locator('input[id$="-withdrawn"]').check();
    await set.locator('input[id$="-reason"]').fill('The parent found the answer elsewhere.');
  }
  await page.click('button:text-is("Settle and close")');
  await page.waitForSelector('dl.summary .tag-closed');
  check(!(await page.isVisible('td .tag-pending')) && !(await page.isVisible('td .tag-paused')),
    'a closed case leaves no promise pending');
  await page.click('text=Reopen');
  await page.waitForSelector('dl.summary .tag-open');
  check(true, 'and closes and reopens');
  await axe(page, 'the worked case page');
  await noSidewaysScroll(page, 'the worked case page');
  await shoot(page, 'case-conversation');

  // A long case list, paged, saying how many match.
  const token = cli('admin', 'token', '--email', 'admin@charter.local', '--db', db).stdout.trim();
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${base}/api/v1/cases`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ service: 'sendiass/enquiries', channel: 'phone', subject: `Call ${i + 1}` }),
    });
    if (r.status !== 201) { check(false, 'a case for the long list', `status ${r.status}`); break; }
  }
  const total = await page.evaluate(async () => (await (await fetch('/api/v1/cases?status=open&limit=1')).json()).total);
  check(total >= 61, 'there are more open cases than a page holds', String(total));
  await page.click('header >> text=Cases');
  await page.waitForSelector(`p[role=status]:has-text("Showing 1-50 of ${total} cases")`);
  check(await page.locator('table.stack tbody tr').count() === 50, 'the first page holds 50');
  await page.click('button:has-text("Next")');
  await page.waitForSelector(`p[role=status]:has-text("Showing 51-${total} of ${total} cases")`);
  check(await page.evaluate(() => document.activeElement?.getAttribute('role')) === 'status',
    'after moving, the count has focus');
  check(!(await page.isVisible('button:has-text("Next")')), 'the last page has no next');
  await page.click('button:has-text("Previous")');
  await page.waitForSelector(`p[role=status]:has-text("Showing 1-50 of ${total} cases")`);
  check(true, 'and pages back');
  await axe(page, 'the case list');
  await noSidewaysScroll(page, 'the case list');
  await shoot(page, 'case-list-paged');

  // The dashboard's queues say how many they hold and page too.
  await page.click('header >> text=Charter');
  await page.click('button:has-text("Unassigned")');
  const unassigned = await page.evaluate(async () => (await (await fetch('/api/v1/queues/unassigned?limit=1')).json()).total);
  await page.waitForSelector(`p[role=status]:has-text("Showing 1-50 of ${unassigned} cases")`);
  check(/^\d+/.test(await page.textContent('button:has-text("Unassigned") .count')) &&
    Number(await page.textContent('button:has-text("Unassigned") .count')) === unassigned,
  'the queue button counts the whole queue', String(unassigned));
  await page.click('button:has-text("Next")');
  await page.waitForSelector(`p[role=status]:has-text("Showing 51-${unassigned} of ${unassigned} cases")`);
  check(true, 'the queue pages');
  await axe(page, 'the dashboard with a paged queue');
  await noSidewaysScroll(page, 'the dashboard with a paged queue');
  await shoot(page, 'case-dashboard-paged');
  // A case that is not there never shows the last case's facts under its number.
  await page.evaluate((n) => { location.hash = `#/cases/${n}`; }, id);
  await page.waitForSelector('dl.summary');
  await page.evaluate(() => { location.hash = '#/cases/999999'; });
  await page.waitForSelector('.error-summary');
  check(await page.textContent('h1') === 'Case 999999' && !(await page.isVisible('dl.summary')),
    'a case that cannot be read shows only its number and why', await page.textContent('main'));
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
