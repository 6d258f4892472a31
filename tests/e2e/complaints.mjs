// Complaints and compliments in the browser: a statutory complaint closes
// stage 1 with its outcome, lessons and letter and moves to stage 2, whose
// promises count from then; a compliment names the member of staff it
// praises, who is told; a complaint naming an officer is hidden from that
// officer while a manager reads it. Each page passes axe, is worked by
// keyboard and does not scroll sideways at 320 px.
// Usage: node complaints.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();

function addUser(email, name, role, service) {
  const r = spawnSync(charter, ['admin', 'user', 'add', '--db', join(tmp, 'charter.db'), '--email', email, '--name', name,
    '--role', role, '--service', service, '--password-stdin'], { input: 'a good long password\n' });
  if (r.status !== 0) throw new Error(`adding ${email}: ${r.stderr}`);
}

async function signIn(email, pw) {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${base}/`);
  await page.fill('#email', email);
  await page.fill('#password', pw);
  await page.press('#password', 'Enter');
  await page.waitForSelector('text=Your desk');
  return page;
}

async function open(page, fields) {
  await page.click('header >> text=Charter');
  await page.waitForSelector(`#nc-service option[value="${fields.service}"]`, { state: 'attached' });
  await page.selectOption('#nc-service', fields.service);
  await page.selectOption('#nc-kind', fields.kind);
  await page.selectOption('#nc-channel', 'letter');
  await page.fill('#nc-subject', fields.subject);
  await page.fill('#nc-message', fields.message);
  await page.fill('#nc-name', 'Ada Parent');
  await page.click('text=Open the case');
  await page.waitForSelector(`h1:has-text("${fields.subject}")`);
  return Number((await page.textContent('h1')).match(/Case (\d+)/)[1]);
}

try {
  addUser('olu@uk-statutory.example', 'Olu Officer', 'officer', 'uk-statutory/enquiries');
  addUser('meg@uk-statutory.example', 'Meg Manager', 'manager', 'uk-statutory/enquiries');
  addUser('sam@cognus.example', 'Sam Adviser', 'officer', 'cognus/enquiries');
  const page = await signIn('admin@charter.local', password);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // A two-stage complaint.
  await open(page, { service: 'uk-statutory/enquiries', kind: 'complaint', subject: 'Late reply about transport',
    message: 'Nobody answered my letter about transport for six weeks.' });
  await page.waitForSelector('h3:has-text("Close Stage 1 (first response)")');
  check(await page.isVisible('tr:has-text("stage 1 complaint within 10 working days") .tag-pending'), 'stage 1 owes its reply');
  check(!(await page.isVisible('tr:has-text("stage 2 complaint")')), 'stage 2 owes nothing yet');
  await axe(page, 'a complaint at stage 1');
  await noSidewaysScroll(page, 'a complaint at stage 1');
  await shoot(page, 'complaint-stage-1');
  await page.click('button:text-is("Close the stage and make the letter")');
  await page.waitForSelector('#cp-complaint ~ [role=alert], section[aria-labelledby="cp-complaint"] [role=alert]');
  check(/outcome|lessons/.test(await page.textContent('section[aria-labelledby="cp-complaint"] [role=alert]')),
    'closing without an outcome says what is missing', await page.textContent('section[aria-labelledby="cp-complaint"] [role=alert]'));
  const said = await page.textContent('section[aria-labelledby="cp-complaint"] [role=alert]');
  check(/partly upheld/.test(said) && !/partly-upheld/.test(said), 'the outcomes are named in words, not API names', said);
  // By keyboard: the outcome, the lessons, the escalation, the submit.
  await page.focus('#st-outcome-partly-upheld');
  await page.keyboard.press('Space');
  await page.focus('#st-lessons');
  await page.keyboard.type('Letters about transport need a named officer.');
  await page.focus('#st-findings');
  await page.keyboard.type('We replied late; the transport decision itself was right.');
  await page.focus('#st-escalate');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('section[aria-labelledby="cp-complaint"] [role=status]:has-text("Stage 2 (review) has begun")');
  await page.waitForSelector('tr:has-text("stage 2 complaint within 20 working days") .tag-pending');
  check(await page.isVisible('tr:has-text("stage 1 complaint within 10 working days") .tag-met'),
    'the letter keeps stage 1\'s reply');
  check(await page.isVisible('dd:has-text("Partly upheld")') && await page.isVisible('dd:has-text("Letters about transport need a named officer.")'),
    'the outcome and lessons are shown');
  check(await page.isVisible('a:has-text("Download the letter closing Stage 1 (first response)")'), 'the letter is linked');
  const href = await page.getAttribute('a:has-text("Download the letter closing")', 'href');
  const pdf = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, (await r.text()).slice(0, 5)]; }, href);
  check(pdf[0] === 200 && pdf[1] === '%PDF-', 'the letter is a PDF', JSON.stringify(pdf));
  check(/take your complaint to stage 2/.test(await page.textContent('.conversation')), 'the letter in the conversation gives the escalation');
  const obligations = await page.textContent('main');
  check(/by our letter/.test(obligations) && !/by their letter/.test(obligations), 'the reply is met by our letter, not theirs');
  await axe(page, 'a complaint at stage 2');
  await noSidewaysScroll(page, 'a complaint at stage 2');
  await shoot(page, 'complaint-stage-2');

  // Closed without escalating; the complainant asks later, by a letter
  // that arrived before it was logged: stage 2 counts from that letter.
  await open(page, { service: 'uk-statutory/enquiries', kind: 'complaint', subject: 'Asked again by letter',
    message: 'I am still unhappy about the bus pass.' });
  await page.waitForSelector('h3:has-text("Close Stage 1 (first response)")');
  await page.check('#st-outcome-not-upheld');
  await page.fill('#st-lessons', 'None.');
  await page.click('button:text-is("Close the stage and make the letter")');
  await page.waitForSelector('button:has-text("Begin Stage 2 (review)")');
  await page.fill('#st-began', 'yesterday');
  await page.click('button:has-text("Begin Stage 2 (review)")');
  await page.waitForSelector('section[aria-labelledby="cp-complaint"] [role=alert]');
  check(/began_at/i.test(await page.textContent('section[aria-labelledby="cp-complaint"] [role=alert]')),
    'a time that is not one is refused with a sentence');
  check(await page.evaluate(() => document.activeElement?.id) === 'st-began', 'and the field takes focus');
  // Now, to the second: after the stage began, and not in future once sent.
  const began = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  await page.fill('#st-began', began);
  await page.click('button:has-text("Begin Stage 2 (review)")');
  await page.waitForSelector('[role=status]:has-text("Stage 2 (review) has begun")');
  await page.waitForSelector('tr:has-text("stage 2 complaint within 5 working days") .tag-pending');
  check(true, 'stage 2 begins later, with its own promises');
  await axe(page, 'a complaint escalated later');

  // A charter with one complaint stage: the complaint closes with its
  // outcome, lessons and letter, and offers no next stage.
  await open(page, { service: 'cognus/enquiries', kind: 'complaint', subject: 'Wrong invoice',
    message: 'You invoiced us twice for the same training.' });
  await page.waitForSelector('h3:text-is("Close the complaint")');
  check(!(await page.isVisible('#st-escalate')), 'there is no next stage to ask for');
  await page.focus('#st-outcome-upheld');
  await page.keyboard.press('Space');
  await page.focus('#st-lessons');
  await page.keyboard.type('Check invoices against the booking.');
  await page.click('button:text-is("Close the complaint and make the letter")');
  await page.waitForSelector('[role=status]:has-text("The complaint is closed with its outcome")');
  await page.waitForSelector('a:has-text("Download the closing letter (PDF)")');
  check(await page.isVisible('dd:has-text("Check invoices against the booking.")'), 'its lessons are shown');
  // The letter's contact is drawn after the notice: wait for it, not for the notice alone.
  await page.waitForSelector('.conversation:has-text("ombudsman")', { timeout: 10000 }).catch(() => {});
  check(/ombudsman/.test(await page.textContent('.conversation')), 'its letter says where to go next');
  await axe(page, 'a one-stage complaint closed');
  await noSidewaysScroll(page, 'a one-stage complaint closed');
  await shoot(page, 'complaint-one-stage');

  // A compliment names Sam, who is told.
  await open(page, { service: 'cognus/enquiries', kind: 'compliment', subject: 'Sam was so helpful',
    message: 'Please thank Sam for sorting out the transport.' });
  await page.waitForSelector('#st-staff option:has-text("Sam Adviser")', { state: 'attached' });
  await page.selectOption('#st-staff', { label: 'Sam Adviser (officer)' });
  await page.click('button:text-is("Name them")');
  await page.waitForSelector('[role=status]:has-text("Sam Adviser is named and told")');
  check(await page.isVisible('li:has-text("Sam Adviser") button:has-text("Remove Sam Adviser")'), 'Sam is listed as praised');
  await axe(page, 'a compliment naming staff');
  await noSidewaysScroll(page, 'a compliment naming staff');
  const sam = await signIn('sam@cognus.example', 'a good long password');
  await sam.goto(`${base}/app/#/notifications`);
  await sam.waitForSelector('text=praises you');
  check(true, 'Sam sees the compliment among their notifications');

  // A complaint about Olu: Meg reads it, Olu cannot.
  const about = await open(page, { service: 'uk-statutory/enquiries', kind: 'complaint', subject: 'Complaint about a call',
    message: 'The officer was rude on the phone.' });
  await page.waitForSelector('#st-staff option:has-text("Olu Officer")', { state: 'attached' });
  await page.selectOption('#st-staff', { label: 'Olu Officer (officer)' });
  await page.click('button:text-is("Name them")');
  await page.waitForSelector('text=only managers see it');
  const olu = await signIn('olu@uk-statutory.example', 'a good long password');
  await olu.goto(`${base}/app/#/cases/${about}`);
  await olu.waitForSelector('#error-summary-title');
  check(!(await olu.isVisible('h1:has-text("Complaint about a call")')), 'Olu cannot open the complaint about them');
  const meg = await signIn('meg@uk-statutory.example', 'a good long password');
  await meg.goto(`${base}/app/#/cases/${about}`);
  await meg.waitForSelector('h1:has-text("Complaint about a call")');
  await meg.waitForSelector('p.notice:has-text("only managers see it")');
  check(true, 'Meg reads it, marked for managers only');
  await axe(meg, 'a complaint for managers only');
  await noSidewaysScroll(meg, 'a complaint for managers only');

  // The managers' report: stages by outcome, staff praised, and its CSV.
  await meg.click('header a[href="#/reports"]');
  await meg.click('main a[href="#/complaints"]');
  await meg.waitForSelector('dt:has-text("Complaints received")');
  await meg.waitForSelector('td[data-label="Stage"]:has-text("Stage 1 (first response)")');
  check(/Partly upheld/.test(await meg.textContent('main')) && /still open/.test(await meg.textContent('main')),
    'the report counts stage 1 by outcome, with the one still open', await meg.textContent('main'));
  check(!(await meg.isVisible('td[data-label="Member of staff"]:has-text("Olu Officer")')), 'who a complaint is about is not reported');
  await axe(meg, 'the complaints report');
  await noSidewaysScroll(meg, 'the complaints report');
  await shoot(meg, 'complaints-report');
  await page.goto(`${base}/app/#/complaints`);
  await page.waitForSelector('td[data-label="Member of staff"]:has-text("Sam Adviser")');
  const cognusReceived = page.locator('h2:text-is("Received, by service") + table tbody tr')
    .filter({ has: page.locator('td[data-label="Service"]:text-is("cognus/enquiries")') })
    .filter({ has: page.locator('td[data-label="Kind"]:text-is("complaint")') });
  check(await cognusReceived.count() === 1 && (await cognusReceived.locator('td[data-label="Cases"]').textContent()) === '1',
    'a one-stage service\'s complaint is received once', await page.textContent('main'));
  check(/Complaint/.test(await page.textContent('h2:text-is("Complaint stages by outcome") + table')) && /Upheld|upheld/.test(await page.textContent('h2:text-is("Complaint stages by outcome") + table')),
    'and counted by its outcome');
  const csv = await page.evaluate(async (h) => (await fetch(h)).text(), await page.getAttribute('a:has-text("Download the report (CSV)")', 'href'));
  check(/^row,service,kind,stage,outcome,staff,count/.test(csv) && /praised,cognus\/enquiries,compliment,,,Sam Adviser,1/.test(csv)
    && /received,cognus\/enquiries,complaint,,,,1/.test(csv), 'the CSV holds the same counts, each row saying what it counts', csv);
  await page.fill('#cr-from', '2030-01-01');
  await page.click('button:text-is("Show the report")');
  await page.waitForSelector('main [role=alert]');
  check(/from must not be after to/i.test(await page.textContent('main [role=alert]')), 'a period backwards is refused with a sentence',
    await page.textContent('main [role=alert]'));
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
