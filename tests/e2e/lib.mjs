// Shared by the browser tests: a counted check, the real charter server in
// a folder of its own, Debian's chromium, axe-core under the pages' real
// Content-Security-Policy, and screenshots at 320 and 1440 px.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve as absolute } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const repo = absolute(new URL('../..', import.meta.url).pathname);
export const counts = { passed: 0, failed: 0 };

export function check(ok, what, detail) {
  if (ok) { counts.passed++; return; }
  counts.failed++;
  console.log(`FAIL: ${what}${detail ? `\n  ${detail}` : ''}`);
}

// A temporary folder holding a copy of the policies, for the server to run in.
export function workdir(shots) {
  mkdirSync(shots, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'charter-e2e-'));
  cpSync(join(repo, 'policies'), join(tmp, 'policies'), { recursive: true });
  return tmp;
}

// extra: more arguments for charter serve (such as --smtp URL); env: more
// of the server's environment (such as a preloaded fault library).
export function startServer(charter, tmp, extra = [], env = {}) {
  return new Promise((resolve, reject) => {
    const server = spawn(absolute(charter), ['serve', '--db', join(tmp, 'charter.db'), '--listen', '127.0.0.1:0',
      '--web', join(repo, 'web', 'dist'), ...extra],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[^\s]+)\//);
      const pw = out.match(/with password (\S+)/);
      if (m && pw) resolve({ server, base: m[1], password: pw[1] });
    });
    server.on('exit', (code) => reject(new Error(`charter serve exited with ${code}`)));
  });
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function axe(page, what) {
  // Evaluated through the DevTools protocol, which the page's CSP does not
  // govern, so the pages are tested under their real policy.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  check(result.violations.length === 0, `${what} has no WCAG 2.2 AA violation`,
    result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`).join('; '));
}

// CHARTER_E2E_SHOTS=0 skips them: full-page captures are much of a browser
// test's cost, and make check's sanitized run has no one to look at them.
export async function shoot(page, shots, name) {
  if (process.env.CHARTER_E2E_SHOTS === '0') return;
  for (const width of [320, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

// WCAG 1.4.10 (reflow), which axe cannot see: at 320 px wide the page must
// not scroll sideways. On failure, names the elements that stick out.
export async function noSidewaysScroll(page, what) {
  const before = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.setViewportSize({ width: 320, height: 800 });
  const { width, wide } = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 321)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${e.className}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`),
  }));
  check(width <= 320, `${what} does not scroll sideways at 320 px`, `scrollWidth ${width}: ${wide.join(', ')}`);
  await page.setViewportSize(before);
}
