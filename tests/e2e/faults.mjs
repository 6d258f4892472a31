// A full disk, seen from the browser desk: the server runs with
// tests/fault/inject.c preloaded, and while its control file says ENOSPC an
// officer's note is refused with the desk's sentence (the disk is full,
// nothing was saved, ask the administrator) in the error summary, which
// takes focus; the note stays in the box, and once the disk has room the
// same click saves it. axe-core checks the page with the refusal showing.
// Usage: node faults.mjs CHARTER-BINARY SCREENSHOT-DIR FAULT-LIBRARY
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { axe, check, counts, launch, shoot, startServer, workdir } from './lib.mjs';

const [charter, shots, library] = process.argv.slice(2);
const tmp = workdir(shots);
const db = join(tmp, 'charter.db');
const control = join(tmp, 'fault');

const { server, base } = await startServer(charter, tmp, [],
  { LD_PRELOAD: absolute(library), CHARTER_FAULT_CONTROL: control, CHARTER_FAULT_PREFIX: db });
const browser = await launch();
try {
  spawnSync(absolute(charter), ['admin', 'user', 'add', '--db', db, '--email', 'olu@cognus.example',
    '--name', 'Olu Officer', '--role', 'officer', '--service', 'cognus/enquiries', '--password-stdin'],
  { input: 'a good long password\n', encoding: 'utf8' });
  const token = spawnSync(absolute(charter), ['admin', 'token', '--email', 'olu@cognus.example', '--db', db],
    { encoding: 'utf8' }).stdout.trim();
  const made = await fetch(`${base}/api/v1/cases`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ service: 'cognus/enquiries', channel: 'email',
      received_at: '2026-11-02T10:00', subject: 'Transport for a pupil with a broken leg' }),
  });
  const { id } = await made.json();
  check(made.status === 201, 'a case is logged while the disk is well');

  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#email');
  await page.fill('#email', 'olu@cognus.example');
  await page.fill('#password', 'a good long password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Your desk');
  await page.goto(`${base}/app/#/cases/${id}`);
  await page.waitForSelector('#cp-note');

  writeFileSync(control, 'ENOSPC');
  await page.fill('#cp-note', 'Rang the school; waiting for the taxi firm.');
  await page.click('button:has-text("Add the note")');
  await page.waitForSelector('.error-summary');
  const said = await page.textContent('.error-summary');
  check(/disk that holds the desk's database is full/.test(said) && /nothing was saved/.test(said) &&
    /administrator/.test(said), 'the refusal says the disk is full, nothing was saved, and who can fix it', said);
  check(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')),
    'the refusal takes focus, so a screen reader hears it');
  check(await page.inputValue('#cp-note') === 'Rang the school; waiting for the taxi firm.',
    'the note is still in the box, not lost');
  await axe(page, 'the case page refusing a note on a full disk');
  await shoot(page, shots, 'faults-disk-full');

  rmSync(control);
  await page.click('button:has-text("Add the note")');
  await page.waitForSelector('text=The note is on the timeline.');
  check(await page.isVisible('text=Rang the school; waiting for the taxi firm.'),
    'once the disk has room, the same click saves the note');
  check(errors.length === 0, 'no script errors', errors.join('; '));
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
