// Helpers for the browser tests in this folder: headless Chromium through
// playwright-core, driven against real baraza nodes on loopback. The Rust
// test tests/tests/browser.rs starts the nodes and runs one script here
// with `node`, passing:
//
//   BARAZA_NODE_A, BARAZA_NODE_B  base URLs of two peered nodes (http://127.0.0.1:PORT)
//   BARAZA_ARTIFACTS              where screenshots and axe results go
//   BARAZA_BIN                    the baraza binary (for scripts that sign with the CLI)
//   BARAZA_CHROMIUM               optional: the Chromium to drive (default /usr/bin/chromium)
//
// A script calls `launch()`, opens pages, and for each one checks what it
// needs with `watch`, `checkA11y`, `transferred`, `screenshot` and
// `keyboardReach`. Each check throws an Error whose message says what was
// wrong; `Failures` collects them so one run reports every broken page.
// Nothing here weakens the pages' Content-Security-Policy (no `bypassCSP`,
// no injected <script> elements): what runs in a test runs under the CSP a
// visitor gets.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Where screenshots and axe results are written. */
export const ARTIFACTS = process.env.BARAZA_ARTIFACTS || 'target/browser-artifacts';

/** Axe impacts that fail a page. ("moderate" and "minor" are reported, not failed.) */
export const FAILING_IMPACTS = ['serious', 'critical'];

/** The phone viewport of the tests (an iPhone 12–15 in CSS pixels). */
export const PHONE = { width: 390, height: 844 };
/** The desktop viewport of the tests. */
export const DESKTOP = { width: 1280, height: 800 };

/**
 * Starts headless Chromium with a fresh, throwaway profile.
 *
 * The executable is `BARAZA_CHROMIUM` or Debian's `/usr/bin/chromium`;
 * playwright-core never downloads one. The flags keep Chromium off the
 * network: without them it keeps trying Google services (QUIC, component
 * updates, sync, safe browsing lists), which on a machine that reaches only
 * package registries means a flood of failed connections and slow starts.
 *
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.BARAZA_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens a page in a new browser context of its own (no cache or cookies
 * shared with other pages) at `viewport`.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {{width: number, height: number}} viewport
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function newPage(browser, viewport = DESKTOP) {
  const phone = viewport.width < 600;
  const context = await browser.newContext({
    viewport,
    isMobile: phone,
    hasTouch: phone,
    deviceScaleFactor: 1,
  });
  return context.newPage();
}

/**
 * Records, from now on, everything on `page` that a clean page never does:
 * console errors, uncaught page errors, failed requests, HTTP error
 * responses, Content-Security-Policy violations, and requests to any origin
 * but the node's.
 *
 * CSP violations are caught twice over: Chromium logs each one to the
 * console ("Refused to … because it violates the following Content
 * Security Policy directive"), and a listener for `securitypolicyviolation`
 * events reports each one through a CDP binding. The listener is added by
 * `addInitScript` (CDP `Page.addScriptToEvaluateOnNewDocument`), which is
 * not subject to the page's CSP and so does not loosen it. Call `watch`
 * before the page's first navigation: the listener is installed in every
 * document loaded after it.
 *
 * @param {import('playwright-core').Page} page
 * @param {{origins?: string[], allowHttpErrors?: boolean}} [options]
 *   `origins`: the origins the page may load from (default: the origin of
 *   the first document the page loads); `allowHttpErrors`: do not report
 *   responses with status >= 400 (for a test of an error page).
 * @returns {Promise<{problems: string[], reset(): void, assertClean(label?: string): void}>}
 *   `problems` so far; `reset()` forgets them; `assertClean()` throws an
 *   Error listing them, if any.
 */
export async function watch(page, options = {}) {
  const problems = [];
  let origins = options.origins ? options.origins.map((o) => new URL(o).origin) : null;
  const local = (url) => /^(data|about|blob):/.test(url);

  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content.Security.Policy/i.test(text)) {
      problems.push(`console ${message.type()}: ${text}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (local(url)) return;
    const origin = new URL(url).origin;
    if (!origins && request.isNavigationRequest()) origins = [origin];
    if (origins && !origins.includes(origin)) {
      problems.push(`request to another origin: ${request.method()} ${url}`);
    }
  });
  page.on('response', (response) => {
    if (!options.allowHttpErrors && response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  await page.exposeBinding('__barazaCspViolation', (_source, v) => {
    problems.push(
      `CSP violation: ${v.directive} blocked ${v.blocked || '(inline)'} in ${v.source}:${v.line}`,
    );
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__barazaCspViolation({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile || e.documentURI,
        line: e.lineNumber,
      });
    });
  });

  return {
    problems,
    reset() {
      problems.length = 0;
    },
    assertClean(label = page.url()) {
      if (problems.length > 0) {
        throw new Error(`${label}: not clean:\n  ${problems.join('\n  ')}`);
      }
    },
  };
}

/** axe-core's source, read once. */
let axeSource;

/**
 * Runs axe-core on the page as it is now and fails on any violation of
 * impact "serious" or "critical"; the full results go to
 * `<ARTIFACTS>/<label>.axe.json`.
 *
 * How axe gets in under the page's CSP (`default-src 'none'; script-src
 * 'self'`, no 'unsafe-inline', no 'unsafe-eval'): its source is passed as
 * a string to `page.evaluate(source)`. playwright-core runs that string
 * with `eval` inside a CDP `Runtime.callFunctionOn` call, and Chromium does
 * not apply the page's CSP to code that DevTools runs synchronously, eval
 * included, so axe loads (with any `new Function` it runs while loading)
 * and the policy stays untouched. What works less well: an inline
 * <script> (`page.addScriptTag({content})`) is blocked and reported as a
 * violation; `addScriptTag({url})` would need axe served by the node;
 * `bypassCSP` would switch the policy off for the whole page and so hide
 * real violations. Code that runs later, in a timer or after an `await`,
 * is under the CSP again (an eval there is blocked, and `watch` reports
 * it): `axe.run` with its default rules evals nothing, as read_pages.mjs
 * checks on every page.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} label names the results file and starts the error message
 * @returns {Promise<{violations: object[], failing: object[], incomplete: object[]}>}
 *   every violation, those that fail the page, and the checks axe could
 *   not decide (for a person to review); when some fail the page it
 *   throws instead, an Error with the same three fields
 */
export async function checkA11y(page, label) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) {
    await page.evaluate(axeSource);
  }
  // axe's default rule set: WCAG 2.x A and AA, and its best practices.
  const results = await page.evaluate(() => window.axe.run(document));
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, `${fileName(label)}.axe.json`), JSON.stringify(results, null, 2));
  const violations = results.violations;
  const failing = violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
  if (failing.length > 0) {
    const lines = failing.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n      ${v.helpUrl}\n` +
        v.nodes
          .map((n) => `      at ${n.target.join(' ')}${n.failureSummary ? `: ${oneLine(n.failureSummary)}` : ''}`)
          .join('\n'),
    );
    const error = new Error(`${label}: axe found ${failing.length} serious or critical violation(s):\n    ${lines.join('\n    ')}`);
    Object.assign(error, { violations, failing, incomplete: results.incomplete });
    throw error;
  }
  return { violations, failing, incomplete: results.incomplete };
}

/**
 * Saves a full-page PNG of `page` as `<ARTIFACTS>/<name>.png`.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name (anything unsafe in a file name becomes `_`)
 * @returns {Promise<string>} the file's path
 */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${fileName(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Navigates `page` to `url` with the browser cache off and returns the
 * bytes that crossed the network for that load: the document and every
 * subresource, as CDP `Network.loadingFinished.encodedDataLength` counts
 * them (compressed bodies plus response headers, what DevTools shows as
 * "transferred"). The load counts as finished when the `load` event has
 * fired and every request seen has finished or failed.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @returns {Promise<{bytes: number, requests: number, status: number}>}
 *   the total, how many requests made it, and the document's HTTP status
 */
export async function transferred(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const open = new Set();
  let bytes = 0;
  let requests = 0;
  let settled = () => {};
  const settle = (id) => {
    open.delete(id);
    if (open.size === 0) settled();
  };
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.startsWith('data:')) open.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
    settle(e.requestId);
  });
  cdp.on('Network.loadingFailed', (e) => settle(e.requestId));
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    if (open.size > 0) {
      await Promise.race([
        new Promise((resolve) => (settled = resolve)),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`${url}: ${open.size} request(s) still open 10 s after load`)), 10_000),
        ),
      ]);
    }
    return { bytes, requests, status: response?.status() ?? 0 };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Tabs through the page from the top and reports whether the first element
 * matching `selector` takes the keyboard focus, after how many presses of
 * Tab, and whether it then shows a focus indicator (a computed outline that
 * is not `none` and wider than 0, or a box-shadow other than `none`).
 *
 * @param {import('playwright-core').Page} page
 * @param {string} selector a CSS selector
 * @param {{maxTabs?: number}} [options] give up after this many presses (default 200)
 * @returns {Promise<{reached: boolean, presses: number, indicator: boolean, outline?: string, boxShadow?: string}>}
 */
export async function keyboardReach(page, selector, { maxTabs = 200 } = {}) {
  if (!(await page.$(selector))) {
    throw new Error(`${page.url()}: nothing matches ${selector}`);
  }
  // Start from the top: blur() alone leaves Chromium's sequential focus
  // navigation starting point where the focus was, so the body is
  // focused for a moment (tabindex -1, removed at once) to move it there.
  await page.evaluate(() => {
    window.getSelection()?.removeAllRanges();
    const body = document.body;
    const had = body.getAttribute('tabindex');
    body.setAttribute('tabindex', '-1');
    body.focus({ preventScroll: true });
    if (had === null) body.removeAttribute('tabindex');
    else body.setAttribute('tabindex', had);
  });
  for (let presses = 1; presses <= maxTabs; presses++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate((sel) => {
      const target = document.querySelector(sel);
      const active = document.activeElement;
      if (active !== target) return { atTarget: false, atBody: active === document.body || active === null };
      const style = getComputedStyle(active);
      return {
        atTarget: true,
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
        outlineShown: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        boxShadow: style.boxShadow,
      };
    }, selector);
    if (focus.atTarget) {
      return {
        reached: true,
        presses,
        indicator: focus.outlineShown || focus.boxShadow !== 'none',
        outline: focus.outline,
        boxShadow: focus.boxShadow,
      };
    }
    // Focus left the document's last element and went back to the browser.
    if (focus.atBody && presses > 1) break;
  }
  return { reached: false, presses: maxTabs, indicator: false };
}

/**
 * Collects failed checks so a script can go on to the next page and
 * report all of them at the end.
 */
export class Failures {
  constructor() {
    /** @type {string[]} */
    this.messages = [];
  }

  /**
   * Runs `check`; if it throws, records its message and returns undefined.
   * @template T
   * @param {() => Promise<T>} check
   * @returns {Promise<T | undefined>}
   */
  async record(check) {
    try {
      return await check();
    } catch (error) {
      this.messages.push(error?.message ?? String(error));
      return undefined;
    }
  }

  /** Records `message` unless `ok`. */
  expect(ok, message) {
    if (!ok) this.messages.push(message);
  }

  /**
   * Prints every failure to stderr and exits 1, or prints `summary` and
   * exits 0.
   */
  finish(summary) {
    if (this.messages.length > 0) {
      console.error(`\nFAILED: ${this.messages.length} check(s):\n`);
      for (const m of this.messages) console.error(`- ${m}\n`);
      process.exit(1);
    }
    console.log(summary);
    process.exit(0);
  }
}

/**
 * The base URL of node `name` ("A" or "B") from `BARAZA_NODE_<name>`;
 * exits with a message when it is not set.
 */
export function nodeUrl(name) {
  const url = process.env[`BARAZA_NODE_${name}`];
  if (!url) {
    console.error(`BARAZA_NODE_${name} is not set: run this script through tests/tests/browser.rs`);
    process.exit(2);
  }
  return url.replace(/\/+$/, '');
}

/** `url` without its query, with `?lang=<lang>`. */
export function withLang(url, lang) {
  const u = new URL(url);
  u.search = '';
  u.searchParams.set('lang', lang);
  return u.toString();
}

/** Fetches JSON from a node's API; throws on a status other than 2xx. */
export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`GET ${url}: ${error.cause?.message ?? error.message}`);
  }
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

function fileName(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function oneLine(text) {
  return text.replace(/\s*\n\s*/g, ' ');
}
