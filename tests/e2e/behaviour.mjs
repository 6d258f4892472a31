// Safeguards in a real browser: a manager records a threatening call as an
// incident, restricts how the person contacts us, downloads the notice
// letter and records it as sent; from then every officer sees "Contact is
// restricted: ..." on the person and the case, and the restriction is in
// the managers' review queue. Officers never see the incidents. Each record
// says which service it was made for, and a manager of another body (SENDIASS)
// is told the person does not exist. axe-core
// checks each page (WCAG 2.2 AA) and none scrolls sideways at 320 px.
// Usage: node behaviour.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');
const banner = 'Contact is restricted: email only, through Sam Adviser; one reply each 10 working days';

function addUser(email, name, role, service = 'cognus/enquiries') {
  spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', db, '--email', email, '--name', name,
    '--role', role, '--service', service, '--password-stdin'],
  { input: 'a good long password\n', encoding: 'utf8' });
  return spawnSync(absolute(charter), ['admin', 'token', '--email', email, '--db', db], { encoding: 'utf8' }).stdout.trim();
}

async function signIn(browser, base, email) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('a good long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
  return page;
}

const { server, base } = await startServer(charter, tmp);
const browser = await launch();
try {
  addUser('meg@cognus.example', 'Meg Manager', 'manager');
  addUser('sam@cognus.example', 'Sam Adviser', 'officer');
  const token = addUser('olu@cognus.example', 'Olu Officer', 'officer');
  const made = await fetch(`${base}/api/v1/cases`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ service: 'cognus/enquiries', channel: 'email', subject: 'Transport forms',
      requester: { name: 'Pat Parent', email: 'pat@example.org' }, message: 'Where is my form?' }),
  });
  const kase = await made.json();
  check(made.status === 201 && kase.person_id, 'a case from Pat Parent');

  const meg = await signIn(browser, base, 'meg@cognus.example');
  await meg.goto(`${base}/app/#/people/${kase.person_id}`);
  await meg.waitForSelector('h2:has-text("Behaviour and restrictions")');
  await meg.waitForSelector('#in-st-1', { state: 'attached' });
  await meg.waitForSelector('#in-service option[value="cognus/enquiries"]', { state: 'attached' });
  check(await meg.inputValue('#in-service') === 'cognus/enquiries' && await meg.inputValue('#rs-service') === 'cognus/enquiries',
    'the incident and restriction forms are for the service of the person\'s case');
  check(/Cognus/.test(await meg.textContent('#person-service')), 'the person page says which service recorded Pat',
    await meg.textContent('#person-service'));
  await axe(meg, 'the person page for a manager');
  await noSidewaysScroll(meg, 'the person page for a manager');

  // An incident, by keyboard where it is typed.
  await meg.selectOption('#in-kind', 'threatening');
  await meg.focus('#in-what');
  await meg.keyboard.type('Threatened to come to the office and shouted at Olu.');
  await meg.check('text=Olu Officer >> xpath=../input');
  await meg.check('#in-hs');
  await meg.check('#in-ac-call-ended');
  await meg.click('button:has-text("Record the incident")');
  await meg.waitForSelector('text=The incident is recorded.');
  await meg.waitForSelector('table[aria-label="Incidents with Pat Parent"]');
  const row = await meg.textContent('table[aria-label="Incidents with Pat Parent"] tbody');
  check(/threatening/.test(row) && /health and safety/.test(row) && /Olu Officer/.test(row) && /call ended/.test(row),
    'the incident is listed with its kind, health and safety, the staff affected and what we did', row);
  check(/Cognus/.test(row), 'and the service it was recorded for', row);

  // A restriction without a reason or review date: the problem is said.
  await meg.check('#rs-ch-email');
  await meg.click('button:has-text("Make the restriction")');
  await meg.waitForSelector('.error-summary');
  check(await meg.getAttribute('#rs-reason', 'aria-invalid') === 'true', 'a restriction without a reason is refused and the field marked');
  await axe(meg, 'the restriction form with its problem');

  const review = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
  await meg.selectOption('#rs-poc', { label: 'Sam Adviser' });
  await meg.fill('#rs-replies', '1');
  await meg.fill('#rs-per', '10');
  await meg.focus('#rs-reason');
  await meg.keyboard.type('You threatened a member of our staff.');
  await meg.fill('#rs-review', review);
  await meg.focus('button:has-text("Make the restriction")');
  await meg.keyboard.press('Enter');
  await meg.waitForSelector('text=A restriction awaits its notice');
  check(await meg.isVisible('text=It applies only once the letter is recorded as sent.'), 'it waits for its notice');
  await meg.waitForSelector('#rs-made-for');
  check(/Cognus/.test(await meg.textContent('#rs-made-for')) && /every service of that organisation/.test(await meg.textContent('#rs-made-for')),
    'the restriction says which organisation it binds', await meg.textContent('#rs-made-for'));

  const href = await meg.getAttribute('a:has-text("Download the notice letter (PDF)")', 'href');
  const pdf = await meg.request.get(`${base}${href}`);
  const bytes = await pdf.body();
  check(pdf.status() === 200 && pdf.headers()['content-type'] === 'application/pdf' &&
    bytes.subarray(0, 5).toString() === '%PDF-', 'the manager downloads the notice letter as a PDF');
  await axe(meg, 'the person page with a restriction awaiting its notice');
  await noSidewaysScroll(meg, 'the person page with a restriction awaiting its notice');
  await shoot(meg, 'behaviour-manager');

  await meg.click('button:has-text("Record the notice as sent")');
  await meg.waitForSelector(`text=${banner}`);
  check(await meg.isVisible('text=The notice is recorded as sent'), 'the notice is recorded as sent and the restriction applies');

  await meg.goto(`${base}/app/#/`);
  await meg.waitForSelector('h2:has-text("Restrictions to review")');
  check((await meg.textContent('section[aria-labelledby="reviews"]')).includes('Pat Parent'),
    'the restriction is in the managers\' review queue');
  await axe(meg, 'the dashboard with the review queue');
  await noSidewaysScroll(meg, 'the dashboard with the review queue');

  // An officer sees the banner, not the incidents.
  const olu = await signIn(browser, base, 'olu@cognus.example');
  await olu.goto(`${base}/app/#/cases/${kase.id}`);
  await olu.waitForSelector(`text=${banner}`);
  check(true, 'an officer sees the restriction on the case page');
  await axe(olu, 'the case page with a restriction');
  await noSidewaysScroll(olu, 'the case page with a restriction');
  await shoot(olu, 'behaviour-case');
  await olu.goto(`${base}/app/#/people/${kase.person_id}`);
  await olu.waitForSelector(`text=${banner}`);
  check(!(await olu.isVisible('text=Behaviour and restrictions')) && !(await olu.isVisible('text=Threatened to come')),
    'an officer sees the restriction on the person but not the incidents');
  await axe(olu, 'the person page for an officer');
  await noSidewaysScroll(olu, 'the person page for an officer');
  await olu.goto(`${base}/app/#/`);
  await olu.waitForSelector('h2:has-text("Queues")');
  await olu.waitForTimeout(300);
  check(!(await olu.isVisible('text=Restrictions to review')), 'and an officer has no review queue');

  // Another body's manager: Pat is Cognus's client, so SENDIASS is told
  // there is no such person, and sees neither restriction nor incident.
  addUser('sue@sendiass.example', 'Sue Manager', 'manager', 'sendiass/enquiries');
  const sue = await signIn(browser, base, 'sue@sendiass.example');
  await sue.goto(`${base}/app/#/people/${kase.person_id}`);
  await sue.waitForSelector('p.error[role="alert"]');
  const said = await sue.textContent('p.error[role="alert"]');
  check(/Not found/.test(said) && !(await sue.isVisible(`text=${banner}`)) && !(await sue.isVisible('text=Pat Parent')),
    'a manager of another organisation is told the person is not found', said);
  await axe(sue, 'a person page of another organisation');
  check(meg.errors.length === 0 && olu.errors.length === 0 && sue.errors.length === 0, 'no script errors',
    [...meg.errors, ...olu.errors, ...sue.errors].join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
