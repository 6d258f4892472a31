// Moving a case in a real browser: a Cognus officer refers an FOI request to
// the London Borough of Sutton from the case page's "Transfer or refer"
// form, by keyboard, and the case keeps the time it first arrived; then the
// public contact form sends an FOI request the same way and says where it
// went. axe-core checks each page (WCAG 2.2 AA), nothing is wider than a
// 320 px screen, and screenshots are taken at 320 and 1440 px.
// Usage: node refer.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);
const db = join(tmp, 'charter.db');

async function fits(page, what) {
  await page.setViewportSize({ width: 320, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 320, `${what} fits a 320 px screen`, `${wide}px wide`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const { server, base } = await startServer(charter, tmp);
const browser = await launch();
try {
  spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', db, '--email', 'olu@cognus.example',
    '--name', 'Olu Officer', '--role', 'officer', '--service', 'cognus/enquiries', '--password-stdin'],
  { input: 'a good long password\n', encoding: 'utf8' });
  const token = spawnSync(absolute(charter), ['admin', 'token', '--email', 'olu@cognus.example', '--db', db],
    { encoding: 'utf8' }).stdout.trim();
  const made = await fetch(`${base}/api/v1/cases`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ service: 'cognus/enquiries', kind: 'foi', channel: 'email',
      received_at: '2026-11-02T10:00', subject: 'FOI: school transport spending' }),
  });
  const { id } = await made.json();
  check(made.status === 201, 'an FOI request is logged at Cognus');

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type('olu@cognus.example');
  await page.keyboard.press('Tab');
  await page.keyboard.type('a good long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');

  await page.goto(`${base}/app/#/cases/${id}`);
  await page.waitForSelector('h2:has-text("Transfer or refer")');
  await page.waitForSelector('#rf-service option', { state: 'attached' });
  const offered = await page.$$eval('#rf-service option', (os) => os.map((o) => o.value));
  check(JSON.stringify(offered) === '["sutton/information-requests"]',
    'an officer is offered the route the charter names', JSON.stringify(offered));
  check((await page.textContent('#rf-service option')).includes('London Borough of Sutton'),
    'named by the body that handles it');
  check(await page.isVisible('text=What the requester is told: Freedom of Information and subject access requests are handled by the London Borough of Sutton'),
    'the form shows what to tell the requester');
  check((await page.textContent('form[aria-labelledby="refer"] button')) === 'Refer the case',
    'the button says it is a referral');
  await axe(page, 'the case page with the refer form');
  await shoot(page, 'refer-form');
  await fits(page, 'the case page with the refer form');

  // Without a reason: the problem is said, and the field marked.
  await page.click('form[aria-labelledby="refer"] button');
  await page.waitForSelector('form[aria-labelledby="refer"] .error');
  check(/Reason must be 1 to 500 characters/.test(await page.textContent('form[aria-labelledby="refer"] .error')),
    'a referral without a reason is refused with a sentence', await page.textContent('form[aria-labelledby="refer"] .error'));
  check(await page.getAttribute('#rf-reason', 'aria-invalid') === 'true', 'and the reason field is marked');
  await axe(page, 'the refer form with its problem');

  // By keyboard: the reason, then Enter.
  await page.focus('#rf-reason');
  await page.keyboard.type('FOI requests are for the council to answer');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[role=status]:has-text("Referred to London Borough of Sutton")');
  check(true, 'the officer is told where it went');
  check(await page.isVisible('text=Tell the requester: Freedom of Information'), 'and what to tell the requester');
  await page.waitForSelector('text=The case is now outside the services you belong to');
  check(!(await page.isVisible('form[aria-labelledby="refer"] .error')),
    'and that it is no longer theirs to change, with no error');
  const summary = await page.textContent('dl.summary');
  check(summary.includes('sutton/information-requests') && summary.includes('Monday 2 November 2026, 10:00'),
    'the case is now the council\'s, received when it first arrived', summary);
  check(await page.isVisible('text=We answer a Freedom of Information request by the 20th working day'),
    'with the council\'s statutory promise');
  check((await page.textContent('tbody tr td:nth-child(2)')).startsWith('due Tuesday 1 December 2026'),
    'counted from Monday 2 November', await page.textContent('tbody tr td:nth-child(2)'));
  check(await page.isVisible('text=referred, referred to London Borough of Sutton (sutton/information-requests): FOI requests are for the council to answer'),
    'the timeline records the referral');
  await axe(page, 'the referred case');
  await shoot(page, 'refer-done');
  await fits(page, 'the referred case');

  // The public side: the standards page says where FOI goes; the contact
  // form asks what kind of message it is and says where an FOI request went.
  await page.goto(`${base}/public/cognus`);
  check(await page.isVisible('text=Freedom of Information and subject access requests are handled by the London Borough of Sutton'),
    'the standards page names where FOI requests go');
  await axe(page, 'the standards page with a route');
  await fits(page, 'the standards page with a route');
  await page.goto(`${base}/public/cognus/contact`);
  await axe(page, 'the contact form with a choice of request');
  await fits(page, 'the contact form with a choice of request');
  await shoot(page, 'refer-public-form');
  await page.focus('#request-enquiry');
  await page.keyboard.press('ArrowDown');
  check(await page.isChecked('#request-foi'), 'the kind of request is chosen by keyboard');
  await page.fill('#subject', 'Spending on school transport');
  await page.fill('#message', 'How much was spent on school transport last year?');
  await page.fill('#name', 'A Resident');
  await page.fill('#email', 'resident@example.org');
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  const thanks = await page.textContent('main');
  check(/We have passed your request to London Borough of Sutton\./.test(thanks), 'the thank-you page says where it went', thanks);
  check(/London Borough of Sutton will reply by (Monday|Tuesday|Wednesday|Thursday|Friday) \d+ [A-Z][a-z]+ 20\d\d\./.test(thanks),
    'and when the council will answer', thanks);
  await axe(page, 'the thank-you page for a referred request');
  await fits(page, 'the thank-you page for a referred request');
  await shoot(page, 'refer-public-thanks');

  // A complaint where the charter names no time: the internal target is not
  // promised, and the page says so plainly.
  await page.goto(`${base}/public/customer-care-template/feedback`);
  await page.check('#kind-complaint');
  await page.fill('#message', 'Nobody called me back.');
  await page.fill('#name', 'A Parent');
  await page.fill('#email', 'parent@example.org');
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  const honest = await page.textContent('main');
  check(/We do not promise a time for this\./.test(honest) && !/reply by/.test(honest),
    'a complaint with no charter timescale is told no time is promised', honest);
  await axe(page, 'the thank-you page without a promised time');
  await fits(page, 'the thank-you page without a promised time');
  await page.goto(`${base}/public/customer-care-template`);
  check(await page.isVisible('text=All feedback and complaints are investigated and receive a full response.'),
    'the standards page lists the promise without a time');
  await axe(page, 'the standards page with an internal target');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
