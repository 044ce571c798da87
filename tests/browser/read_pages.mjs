// The read-only pages in headless Chromium: on node B (which holds the
// IWW 2024 example only because it synced it from node A), the overview, a
// section, an object, an author and two audits (the section's current
// draft and the release), in English and French, on a desktop and a phone;
// then some of them in Arabic (right to left) and Chinese (CJK text),
// mostly on the phone, where a layout that does not mirror or does not wrap
// breaks first. Each page must load cleanly under its CSP with nothing from
// another origin, pass axe-core (no serious or critical violation), weigh at
// most 200 KB, say its language and direction in <html lang dir>, fit its
// viewport's width, keep every chart label clear of its bar, and let the
// keyboard reach its first link with a visible focus indicator.
//
// Run by tests/tests/browser.rs; by hand:
//   BARAZA_NODE_A=http://127.0.0.1:PORT BARAZA_NODE_B=http://127.0.0.1:PORT node tests/browser/read_pages.mjs

import {
  DESKTOP,
  Failures,
  PHONE,
  checkA11y,
  getJson,
  keyboardReach,
  launch,
  newPage,
  nodeUrl,
  screenshot,
  transferred,
  watch,
  withLang,
} from './lib.mjs';

/** The most a page may weigh, everything included. */
const MAX_PAGE_BYTES = 200 * 1024;
const LANGS = ['en', 'fr'];
const VIEWPORTS = { desktop: DESKTOP, phone: PHONE };
/**
 * Right to left and CJK, on fewer pages (the run stays short on 2 cores):
 * the phone, where mirroring and wrapping fail first, and the Arabic pages
 * with the most structure (threads, trees, tables, charts) on a desktop.
 */
const MORE = [
  { lang: 'ar', viewportName: 'phone', names: ['overview', 'section', 'object', 'audit-draft', 'log'] },
  { lang: 'zh', viewportName: 'phone', names: ['overview', 'section', 'audit-draft'] },
  { lang: 'ar', viewportName: 'desktop', names: ['section', 'audit-release'] },
];
/** The languages written right to left; any other is left to right. */
const RTL = ['ar'];

const A = nodeUrl('A');
const B = nodeUrl('B');
const failures = new Failures();
let visited = 0;
const browser = await launch();

try {
  const pages = await discover(browser);
  console.log(`pages on node B (${B}):`);
  for (const [name, url] of Object.entries(pages)) console.log(`  ${name.padEnd(14)} ${url}`);
  console.log('');
  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    for (const lang of LANGS) {
      for (const [name, url] of Object.entries(pages)) {
        await visit(browser, { name, url: withLang(url, lang), lang, viewportName, viewport });
      }
    }
  }
  for (const { lang, viewportName, names } of MORE) {
    for (const name of names) {
      const url = withLang(pages[name], lang);
      await visit(browser, { name, url, lang, viewportName, viewport: VIEWPORTS[viewportName] });
    }
  }
} catch (error) {
  failures.expect(false, `the run stopped: ${error?.stack ?? error}`);
} finally {
  await browser.close();
}
failures.finish(`all ${visited} page visits passed`);

/**
 * Finds the pages to test by following links from B's overview (the log
 * from its header), and the release through the JSON API (no page links
 * to it by kind).
 * @returns {Promise<Record<string, string>>} name → URL
 */
async function discover(browser) {
  const charters = await getJson(`${B}/v1/charters`);
  const onA = await getJson(`${A}/v1/charters`);
  if (charters.objects.length === 0) throw new Error(`node B lists no charter (node A lists ${onA.objects.length})`);
  const charter = charters.objects[0];
  if (!onA.objects.some((c) => c.id === charter.id)) {
    throw new Error(`node B's charter ${charter.id} is not on node A`);
  }
  const page = await newPage(browser, DESKTOP);
  const link = async (selector) => {
    const href = await page.getAttribute(selector, 'href');
    if (!href) throw new Error(`${page.url()}: no link matches ${selector}`);
    return new URL(href, page.url()).toString();
  };
  try {
    await page.goto(`${B}/`);
    const log = await link('header a.log');
    const section = await link('main a[href*="/sections/"]');
    const object = await link(`main a[href^="/objects/${charter.id}"]`);
    await page.goto(section);
    const author = await link('main a[href^="/authors/"]');
    const draftAudit = await link('main a[href^="/audit/"]');
    const releases = await getJson(`${B}/v1/objects/${charter.id}/referrers?kind=release`);
    if (releases.objects.length === 0) throw new Error(`node B lists no release of ${charter.id}`);
    const release = releases.objects[releases.objects.length - 1].id;
    return {
      overview: `${B}/`,
      section,
      object,
      author,
      'audit-draft': draftAudit,
      'audit-release': `${B}/audit/${release}`,
      log,
    };
  } finally {
    await page.context().close();
  }
}

/** Every check of one page at one language and viewport. */
async function visit(browser, { name, url, lang, viewportName, viewport }) {
  const label = `${name}-${lang}-${viewportName}`;
  const failedBefore = failures.messages.length;
  visited += 1;
  const page = await newPage(browser, viewport);
  try {
    const watcher = await watch(page, { origins: [B] });
    const load = await failures.record(() => transferred(page, url));
    if (!load) return;
    failures.expect(load.status === 200, `${label}: ${url} answered HTTP ${load.status}`);
    failures.expect(
      load.bytes <= MAX_PAGE_BYTES,
      `${label}: ${url} weighs ${kb(load.bytes)} (${load.requests} requests), more than ${kb(MAX_PAGE_BYTES)}`,
    );
    const htmlLang = await page.getAttribute('html', 'lang');
    failures.expect(htmlLang === lang, `${label}: <html lang="${htmlLang}">, expected "${lang}"`);
    const dir = RTL.includes(lang) ? 'rtl' : 'ltr';
    const htmlDir = await page.getAttribute('html', 'dir');
    failures.expect(htmlDir === dir, `${label}: <html dir="${htmlDir}">, expected "${dir}"`);
    const layout = await page.evaluate(layoutFaults);
    failures.expect(
      layout.overflow <= 1,
      `${label}: the page is ${layout.overflow}px wider than its ${viewport.width}px viewport; past its edge: ${layout.outside.join(', ')}`,
    );
    for (const fault of layout.labels) failures.expect(false, `${label}: a chart label runs into its bar: ${fault}`);
    let axe;
    try {
      axe = await checkA11y(page, label);
    } catch (error) {
      failures.expect(false, error.message);
      if (error.violations) axe = error;
    }
    await failures.record(() => screenshot(page, label));
    const focus = await failures.record(() => keyboardReach(page, 'a[href]'));
    if (focus) {
      failures.expect(focus.reached, `${label}: the first link is not reached by Tab`);
      failures.expect(
        !focus.reached || focus.indicator,
        `${label}: the first link shows no focus indicator (outline ${focus.outline}, box-shadow ${focus.boxShadow})`,
      );
    }
    await failures.record(async () => watcher.assertClean(label));
    const axeSummary = axe
      ? `${axe.violations.length} violation(s), ${axe.failing.length} serious/critical, ${axe.incomplete.length} to review`
      : 'did not run';
    const verdict = failures.messages.length === failedBefore ? 'ok  ' : 'FAIL';
    console.log(
      `${verdict} ${label.padEnd(28)} ${kb(load.bytes).padStart(9)} ${String(load.requests).padStart(2)} req  axe: ${axeSummary}  ${url}`,
    );
  } finally {
    await page.context().close();
  }
}

/**
 * Runs in the page: how far the document is wider than the viewport, and
 * which chart labels reach past the start of their bar.
 * @returns {{overflow: number, outside: string[], labels: string[]}}
 */
function layoutFaults() {
  const width = document.documentElement.clientWidth;
  const overflow = document.documentElement.scrollWidth - width;
  // The outermost elements past either edge that no scrolling box holds.
  const outside = [];
  const scrolls = (e) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX);
  const past = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 1 || r.left < -1);
  };
  for (const e of document.body.querySelectorAll('*')) {
    if (outside.length >= 5 || !past(e)) continue;
    let held = false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a) || past(a)) held = true;
    }
    if (held) continue;
    const r = e.getBoundingClientRect();
    const name = e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + [...e.classList].map((c) => `.${c}`).join('');
    outside.push(`${name} (${r.left.toFixed(0)}..${r.right.toFixed(0)}: "${e.textContent.trim().slice(0, 40)}")`);
  }
  const labels = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    for (const text of svg.querySelectorAll('text.label')) {
      let bar = text.nextElementSibling;
      while (bar && bar.tagName.toLowerCase() !== 'rect') bar = bar.nextElementSibling;
      if (!bar) continue;
      const box = text.getBBox();
      const start = bar.x.baseVal.value;
      // A glyph may overhang its origin by a pixel or two (side bearings).
      if (box.x < -2 || box.x + box.width > start + 0.5) {
        labels.push(`"${text.textContent}" spans ${box.x.toFixed(0)}..${(box.x + box.width).toFixed(0)}, its bar starts at ${start}`);
      }
    }
  }
  return { overflow, outside, labels };
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
