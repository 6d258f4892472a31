// The public pages in a real browser (Debian's chromium through
// playwright-core): a keyboard-only contact form, the errors, the feedback
// form, the standards page with its points of contact, in a browser with
// JavaScript turned off too; and the desk's list of public pages for a
// manager. axe-core checks each page against WCAG 2.2 AA at 320 and 1440
// pixels wide, and a screenshot of each page is written at both widths.
// Usage: node public.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, noSidewaysScroll, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);

const { server, base } = await startServer(charter, tmp);
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // Anything the Content-Security-Policy blocks shows up on the console.
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });

  await page.goto(`${base}/public/hackney-services-for-schools`);
  check(await page.title() === 'Our service standards - Hackney Education, Services for Schools',
    'the standards page has a title naming the page and the organisation', await page.title());
  await axe(page, 'the standards page');
  await shoot(page, 'standards');
  // The points of contact the charter names, reached by keyboard alone: the
  // first Tab lands on the telephone number, the next on the email.
  const contact = await page.textContent('main');
  check(/How to contact us/.test(contact) && /Services for Schools team/.test(contact),
    'the standards page names the Services for Schools team', contact.slice(0, 300));
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.getAttribute('href')) === 'tel:02088207566',
    'the first Tab reaches the telephone number, as a link that dials it');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.getAttribute('href')) === 'mailto:s4s@hackney-schools.example',
    'the next reaches the email address');
  check(await page.isVisible('a[href="https://education.hackney-schools.example/privacy-notice"]'),
    'the privacy notice is linked');
  check(/Complaints and compliments/.test(contact) && /we received no complaints and no compliments\./.test(contact),
    'and says how many complaints and compliments arrived last quarter', contact);
  // Every charter's page, at both widths: no WCAG failure, nothing wider
  // than a 320 px screen (Cognus's has the longest address).
  for (const id of ['hackney-services-for-schools', 'cognus', 'beacon', 'sendiass', 'customer-care-template', 'sutton']) {
    await page.goto(`${base}/public/${id}`);
    for (const width of [1440, 320]) {
      await page.setViewportSize({ width, height: 900 });
      await axe(page, `the ${id} standards page at ${width} px`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await noSidewaysScroll(page, `the ${id} standards page`);
  }
  await shoot(page, 'standards-sutton');
  await page.goto(`${base}/public/cognus`);
  check(await page.textContent('address') === 'Cognus LimitedCantium HouseRailway ApproachWallingtonSM6 0DZ',
    'Cognus\'s page gives its postal address, a line a part', await page.textContent('address'));
  check(/By appointment only/.test(await page.textContent('main')), 'and that callers need an appointment');
  await shoot(page, 'standards-cognus');

  // The contact form, by keyboard alone.
  await page.goto(`${base}/public/hackney-services-for-schools/contact`);
  await axe(page, 'the contact form');
  await shoot(page, 'contact');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'subject',
    'the first Tab reaches the first field');
  await page.keyboard.type('Training dates for next term');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Could we book two INSET sessions in January?');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Head Teacher');
  await page.keyboard.press('Tab');
  await page.keyboard.type('head@school.example');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.textContent) === 'Send',
    'Tab then reaches the Send button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const thanks = await page.textContent('main');
  check(/Your reference is \d+\./.test(thanks), 'the reply gives a reference', thanks);
  check(/We will reply by (Monday|Tuesday|Wednesday|Thursday|Friday) \d+ [A-Z][a-z]+ 20\d\d\./.test(thanks),
    'and the promise in words', thanks);
  await axe(page, 'the thank-you page');
  await shoot(page, 'contact-thanks');

  // Mistakes: a summary that links to each field, and the field marked.
  await page.goto(`${base}/public/hackney-services-for-schools/contact`);
  await page.fill('#email', 'not an address');
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  check(await page.isVisible('.error-summary'), 'a form with mistakes shows what is wrong');
  check(await page.getAttribute('#email', 'aria-invalid') === 'true', 'the field at fault is marked');
  check(await page.inputValue('#email') === 'not an address', 'and keeps what was typed');
  await page.click('.error-summary a[href="#subject"]');
  check(await page.evaluate(() => document.activeElement.id) === 'subject',
    'a link in the summary takes you to the field');
  await axe(page, 'the form with its errors');
  await shoot(page, 'contact-errors');

  // A complaint through the feedback form.
  await page.goto(`${base}/public/hackney-services-for-schools/feedback`);
  await axe(page, 'the feedback form');
  await shoot(page, 'feedback');
  await page.check('#kind-complaint');
  await page.fill('#message', 'Nobody rang back after my call last week.');
  await page.fill('#name', 'A Parent');
  await page.fill('#email', 'parent@example.org');
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  const done = await page.textContent('main');
  check(/Thank you for your feedback/.test(done) && /Your reference is \d+\./.test(done),
    'the feedback form gives a reference', done);
  check(/We will acknowledge it by/.test(done), 'and says when it will be acknowledged', done);
  await axe(page, 'the feedback thank-you page');
  await shoot(page, 'feedback-thanks');

  // Without JavaScript: the standards page and a compliment through the
  // feedback form work the same. (axe runs as a script in the page, so the
  // same pages were checked above with JavaScript on; they carry none.)
  const nojs = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const plain = await nojs.newPage();
  await plain.goto(`${base}/public/cognus`);
  check(await plain.isVisible('a[href="tel:02083230450"]'), 'without JavaScript the standards page shows the telephone number');
  await plain.click('main a[href="/public/cognus/feedback"] >> nth=0');
  await plain.waitForSelector('#kind-compliment');
  await plain.check('#kind-compliment');
  await plain.fill('#message', 'Thank you to Sam, who sorted out our admissions question in one call.');
  await plain.fill('#name', 'A Parent');
  await plain.fill('#email', 'parent@example.org');
  await Promise.all([plain.waitForNavigation(), plain.click('button')]);
  const praised = await plain.textContent('main');
  check(/Thank you for your feedback/.test(praised) && /Your reference is \d+\./.test(praised),
    'without JavaScript a compliment is taken and given a reference', praised);
  await nojs.close();

  // The desk: a manager finds each charter's public pages from the header.
  const db = join(tmp, 'charter.db');
  const added = spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', db, '--email', 'mo@hackney-schools.example',
    '--name', 'Mo Manager', '--role', 'manager', '--service', 'hackney-services-for-schools/enquiries',
    '--service', 'cognus/enquiries', '--password-stdin'], { input: 'a good long password\n', encoding: 'utf8' });
  check(added.status === 0, 'a manager is added', added.stderr);
  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const staff = await desk.newPage();
  await staff.goto(`${base}/`);
  await staff.waitForSelector('#email');
  await staff.fill('#email', 'mo@hackney-schools.example');
  await staff.fill('#password', 'a good long password');
  await staff.keyboard.press('Enter');
  await staff.waitForSelector('header a[href="#/reports"]');
  await staff.click('header a[href="#/reports"]');
  await staff.click('main a[href="#/public"]');
  await staff.waitForSelector('h2:has-text("Hackney Education, Services for Schools")');
  await staff.waitForSelector('h2:has-text("Cognus Limited")');
  const listed = await staff.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
  check(listed.includes('/public/hackney-services-for-schools') && listed.includes('/public/cognus/feedback')
    && !listed.some((h) => h.includes('beacon')),
  'the desk lists the public pages of the manager\'s own charters', JSON.stringify(listed));
  await axe(staff, 'the desk\'s public pages list');
  await noSidewaysScroll(staff, 'the desk\'s public pages list');
  await shootAt(staff, shots, 'desk-public-pages');
  await Promise.all([staff.waitForNavigation(), staff.click('a[href="/public/hackney-services-for-schools"]')]);
  check(await staff.title() === 'Our service standards - Hackney Education, Services for Schools',
    'and opens the standards page as the public sees it', await staff.title());
  await desk.close();

  // Narrow screens: nothing wider than the window.
  await page.setViewportSize({ width: 320, height: 800 });
  await page.goto(`${base}/public/hackney-services-for-schools/contact`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the form fits a 320 px screen', `${overflow}px too wide`);
  check(blocked.length === 0, 'nothing was blocked by the Content-Security-Policy', blocked.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
