// Staff accounts in a real browser, by keyboard: an administrator edits a
// person's services, deactivates them (which signs them out in their own
// browser at once), resets a password; everyone makes and revokes their own
// API tokens and changes their password on "Your account"; "Sign out" in the
// header ends the session on the server and lands on the sign-in page.
// axe-core checks each page; each must not scroll sideways at 320 px.
// Usage: node accounts.mjs CHARTER-BINARY SCREENSHOT-DIR
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, shoot as shootAt, startServer, workdir } from './lib.mjs';

const [charter, shots] = process.argv.slice(2);
const tmp = workdir(shots);
const shoot = (page, name) => shootAt(page, shots, name);

async function narrow(page, what) {
  await page.setViewportSize({ width: 320, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 320, `${what} does not scroll sideways at 320 px`, `scrollWidth ${width}`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function signIn(page, base, email, password) {
  await page.goto(`${base}/app/`);
  await page.waitForSelector('#email');
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
}

// Presses the button (or checkbox) by keyboard, as someone without a mouse would.
async function press(page, selector, key = 'Enter') {
  await page.focus(selector);
  await page.keyboard.press(key);
}

const { server, base, password } = await startServer(charter, tmp);
const browser = await launch();
try {
  const admin = spawnSync(absolute(charter), ['admin', 'token', '--email', 'admin@charter.local',
    '--db', join(tmp, 'charter.db')], { encoding: 'utf8' }).stdout.trim();
  const made = await fetch(`${base}/api/v1/users`, {
    method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'sam@sendiass.example', name: 'Sam Adviser', role: 'officer',
      password: 'sam first password', services: ['sendiass/enquiries'] }),
  });
  check(made.status === 201, 'an officer is added for the test', `status ${made.status}`);
  const sam = (await made.json()).id;

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, base, 'admin@charter.local', password);

  // The officer signs in in a browser of their own.
  const samContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const samPage = await samContext.newPage();
  await signIn(samPage, base, 'sam@sendiass.example', 'sam first password');
  check(await samPage.isVisible('header >> text=Sign out'), 'the header offers "Sign out"');
  await samPage.click('header >> text=Your account');
  await samPage.waitForSelector('h1:has-text("Your account")');
  check(!(await samPage.isVisible('header >> text=Staff')), 'an officer has no Staff page, but has Your account');

  // Edit Sam's services with the checkboxes.
  await page.click('header >> text=Staff');
  await page.waitForSelector('td:has-text("sam@sendiass.example")');
  await press(page, 'tr:has-text("sam@sendiass.example") button:has-text("Edit")');
  await page.waitForSelector('#edit-person');
  check(await page.evaluate(() => document.activeElement?.id === 'edit-person'),
    'opening the editor moves the focus to it');
  check(await page.isChecked('[id="e-svc-sendiass/enquiries"]'), "the person's service is ticked");
  check(await page.locator('fieldset input[type=checkbox]').count() >= 6, 'every loaded service is offered');
  await press(page, '[id="e-svc-cognus/enquiries"]', 'Space');
  await press(page, '[id="e-svc-sendiass/enquiries"]', 'Space');
  await axe(page, 'the staff page with a person being edited');
  await narrow(page, 'the staff page with the editor');
  await shoot(page, 'staff-edit');
  await press(page, '#edit-person ~ form button[type=submit]');
  await page.waitForSelector('.notice:has-text("Saved Sam Adviser.")');
  const row = await page.textContent('tr:has-text("sam@sendiass.example")');
  check(/cognus\/enquiries/.test(row) && !/sendiass\/enquiries/.test(row), "the person's services are changed", row);

  // Deactivate Sam: their own browser is signed out at once.
  await press(page, 'tr:has-text("sam@sendiass.example") button:has-text("Edit")');
  await page.waitForSelector('button:has-text("Deactivate Sam Adviser")');
  await press(page, 'button:has-text("Deactivate Sam Adviser")');
  await page.waitForSelector('.notice:has-text("deactivated")');
  check((await page.textContent('tr:has-text("sam@sendiass.example") td.state-breached')) === 'deactivated',
    'the staff list shows the person deactivated');
  await samPage.reload();
  await samPage.waitForSelector('#email');
  check(true, "the deactivated person's next page is the sign-in page");
  const back = await fetch(`${base}/api/v1/users/${sam}`, {
    method: 'PATCH', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ active: true }),
  });
  check(back.status === 200, 'and can be reactivated', `status ${back.status}`);

  // An administrator resets Sam's password.
  await page.reload();
  await page.waitForSelector('td:has-text("sam@sendiass.example")');
  await press(page, 'tr:has-text("sam@sendiass.example") button:has-text("Edit")');
  await page.waitForSelector('button:has-text("Reactivate Sam Adviser"), button:has-text("Deactivate Sam Adviser")');
  await page.fill('#e-password', 'sam second password');
  await press(page, 'button:has-text("Reset the password")');
  await page.waitForSelector('.notice:has-text("password is reset")');
  await signIn(samPage, base, 'sam@sendiass.example', 'sam second password');
  check(true, 'the reset password signs in');
  await axe(page, 'the staff page');
  await shoot(page, 'staff-list');

  // A manager moves an officer in and out of the manager's own service.
  const meg = await fetch(`${base}/api/v1/users`, {
    method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'meg@cognus.example', name: 'Meg Manager', role: 'manager',
      password: 'meg first password', services: ['cognus/enquiries'] }),
  });
  check(meg.status === 201, 'a manager is added for the test', `status ${meg.status}`);
  const megContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const megPage = await megContext.newPage();
  await signIn(megPage, base, 'meg@cognus.example', 'meg first password');
  await megPage.click('header >> text=Staff');
  await megPage.waitForSelector('td:has-text("sam@sendiass.example")');
  check(!(await megPage.isVisible('tr:has-text("admin@charter.local") button')), 'a manager cannot change an administrator');
  await press(megPage, 'tr:has-text("sam@sendiass.example") button:has-text("Change services of")');
  await megPage.waitForSelector('#edit-person');
  check(await megPage.locator('fieldset input[type=checkbox]').count() === 1, "a manager is offered only the manager's own services");
  check(!(await megPage.isVisible('#e-name')) && !(await megPage.isVisible('text=Deactivate')), 'and cannot rename or deactivate');
  await press(megPage, '[id="e-svc-cognus/enquiries"]', 'Space');
  await press(megPage, '#edit-person ~ form button[type=submit]');
  await megPage.waitForSelector('.notice:has-text("Saved")');
  check(/none/.test(await megPage.textContent('tr:has-text("sam@sendiass.example")')), 'the officer leaves the service');
  await press(megPage, 'tr:has-text("sam@sendiass.example") button:has-text("Change services of")');
  await megPage.waitForSelector('#edit-person');
  await press(megPage, '[id="e-svc-cognus/enquiries"]', 'Space');
  await axe(megPage, "the staff page as a manager changes an officer's services");
  await press(megPage, '#edit-person ~ form button[type=submit]');
  await megPage.waitForSelector('.notice:has-text("Saved")');
  check(/cognus\/enquiries/.test(await megPage.textContent('tr:has-text("sam@sendiass.example")')), 'and comes back');
  await megContext.close();

  // Your account: make a token, see it listed, revoke it.
  await page.click('header >> text=Your account');
  await page.waitForSelector('#t-label');
  await page.fill('#t-label', 'e2e laptop');
  await page.fill('#t-days', '7');
  await press(page, 'button:has-text("Make a token")');
  await page.waitForSelector('.notice:has-text("shown once")');
  const token = (await page.textContent('.notice')).match(/: ([A-Za-z0-9_-]{43})$/)?.[1];
  check(!!token, 'a new token is shown once');
  await page.waitForSelector('td:has-text("e2e laptop")');
  check(/never/.test(await page.textContent('tr:has-text("e2e laptop")')), 'listed as never used');
  const before = await fetch(`${base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
  check(before.status === 200, 'the token works', `status ${before.status}`);
  await axe(page, 'the account page');
  await narrow(page, 'the account page');
  await shoot(page, 'account');
  await press(page, 'tr:has-text("e2e laptop") button:has-text("Revoke")');
  await page.waitForSelector('.notice:has-text("Revoked e2e laptop.")');
  check(!(await page.isVisible('td:has-text("e2e laptop")')), 'a revoked token leaves the list');
  const after = await fetch(`${base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
  check(after.status === 401, 'and stops working', `status ${after.status}`);
  await page.fill('#t-days', '400');
  await press(page, 'button:has-text("Make a token")');
  await page.waitForSelector('.error');
  const refused = await page.textContent('.error');
  check(/expires_in_days must be a whole number from 1 to 365/i.test(refused), 'a token for longer than a year is refused with a sentence', refused);
  await axe(page, 'the account page with a problem');

  // Sam changes their own password; the current one is needed.
  await samPage.click('header >> text=Your account');
  await samPage.waitForSelector('#a-current');
  await samPage.fill('#a-current', 'not my password');
  await samPage.fill('#a-new', 'sam third password');
  await press(samPage, 'button:has-text("Change the password")');
  await samPage.waitForSelector('.error:has-text("Current password is not right")');
  check(true, 'a wrong current password is refused');
  await samPage.fill('#a-current', 'sam second password');
  await press(samPage, 'button:has-text("Change the password")');
  await samPage.waitForSelector('.notice:has-text("Your password is changed")');
  check(true, 'the password is changed');

  // Sign out through the header: the cookie stops working on the server.
  const cookie = (await context.cookies()).find((c) => c.name === 'charter_session')?.value;
  await press(page, 'header button:has-text("Sign out")');
  await page.waitForSelector('#email');
  check(await page.isVisible('h1:has-text("Sign in to the desk")'), 'signing out lands on the sign-in page');
  const old = await fetch(`${base}/api/v1/session`, { headers: { Cookie: `charter_session=${cookie}` } });
  check(old.status === 401, 'the signed-out cookie no longer works anywhere', `status ${old.status}`);
  check(!(await context.cookies()).some((c) => c.name === 'charter_session' && c.value), 'and the browser has dropped it');
  await axe(page, 'the sign-in page after signing out');
  await narrow(page, 'the sign-in page');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
