// The public pages in a real browser (Debian's chromium through
// playwright-core): a keyboard-only contact form, the errors, the feedback
// form, the standards page; axe-core checks each page against WCAG 2.2 AA,
// and a screenshot of each page is written at 320 and 1440 pixels wide.
// Usage: node public.mjs CHARTER-BINARY SCREENSHOT-DIR
import { rmSync } from 'node:fs';
import { axe, check, counts, launch, shoot as shootAt, startServer, workdir } from './lib.mjs';

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
