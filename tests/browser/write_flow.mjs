// A stakeholder's whole journey in headless Chromium, against two real
// nodes on loopback (started by tests/tests/browser.rs, the IWW example
// loaded, peered):
//
//   on node A: create a key in the page → download its key file and import
//   it with the real `baraza key import` (and the reverse: a key made by
//   `baraza key export` imported into a second browser) → sign a profile →
//   comment on a draft paragraph → the node's receipt for it is shown and
//   downloads → the comment appears on node B's section page → support it,
//   by keyboard alone → node B's audit page shows the endorsement → reply
//   and retract the reply → a comment the node refuses shows the node's
//   error. In the page, the browser's encoder re-signs
//   every Rust signing vector byte for byte.
//
// Every page state is checked with axe (no serious or critical violation),
// watched for CSP violations, errors and foreign origins, and kept as a
// screenshot in BARAZA_ARTIFACTS.

import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch, newPage, watch, checkA11y, screenshot, transferred, getJson, nodeUrl, PHONE, ARTIFACTS } from './lib.mjs';

const A = nodeUrl('A');
const B = nodeUrl('B');
const BIN = process.env.BARAZA_BIN;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSPHRASE = 'a passphrase for the browser test';
const MAX_PAGE_BYTES = 200 * 1024;
const stamp = Date.now();

let currentPage;

/** Runs one step; on failure, saves a screenshot and exits 1 with the step named. */
async function step(name, act) {
  const started = Date.now();
  try {
    const result = await act();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
    return result;
  } catch (error) {
    console.error(`FAIL ${name}: ${error?.stack ?? error}`);
    if (currentPage) await screenshot(currentPage, `failed-${name}`).catch(() => {});
    process.exit(1);
  }
}

function expect(ok, message) {
  if (!ok) throw new Error(message);
}

/** Fills a signing form, opens its review, checks it, confirms, and waits for the node's answer. */
async function signForm(page, formSelector, { review } = {}) {
  const form = page.locator(formSelector);
  await form.locator('button[type=submit]').click();
  const box = form.locator('section.review');
  await box.waitFor({ state: 'visible' });
  const shown = JSON.parse(await box.locator('pre.signed-body').textContent());
  if (review) review(shown);
  await box.locator('button.confirm').click();
  const outcome = form.locator('.outcome');
  await page.waitForFunction((sel) => {
    const el = document.querySelector(`${sel} .outcome`);
    return el && (el.classList.contains('error') || (el.classList.contains('ok') && el.querySelector('a')));
  }, formSelector, { timeout: 20_000 });
  return {
    ok: await outcome.evaluate((el) => el.classList.contains('ok')),
    text: await outcome.textContent(),
    id: await form.evaluate((el) => el.dataset.lastId),
    shown,
  };
}

/** Waits until `check()` is truthy, reloading `page` between tries. */
async function eventually(page, url, check, what, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    await page.goto(url);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await page.waitForTimeout(500);
  }
}

/**
 * Checks the receipt shown after signing with `formSelector`: the node's
 * signed note for object `id`, its entry said in words (the same entry the
 * node's log lists), and a download of exactly that note.
 */
async function checkReceipt(page, formSelector, id) {
  const box = page.locator(`${formSelector} section.receipt`);
  await box.waitFor({ state: 'visible' });
  expect((await box.locator('h3').textContent()) === 'Receipt', 'the receipt has its heading');
  const note = await box.locator('pre.receipt-note').textContent();
  const index = /^index (\d+)$/m.exec(note)?.[1];
  expect(note.startsWith('baraza/receipt/v1\n') && note.includes(`\nobject ${id}\n`) && index !== undefined,
    `the receipt names the object: ${note}`);
  const facts = await box.locator('p.receipt-facts').textContent();
  expect(facts.includes(`entry ${index},`) && / UTC\.$/.test(facts), `the receipt says its entry and time: ${facts}`);
  const logged = await getJson(`${A}/v1/log/entries?start=${index}&limit=1`);
  expect(logged.entries[0]?.id === id, `entry ${index} of the node's log is the object: ${JSON.stringify(logged)}`);
  const link = box.getByRole('link', { name: 'Download receipt' });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename() === `receipt-${id.slice(0, 12)}.txt`, `downloaded as ${download.suggestedFilename()}`);
  const file = join(ARTIFACTS, download.suggestedFilename());
  await download.saveAs(file);
  expect((await readFile(file, 'utf8')) === note, 'the download is the receipt as the node signed it');
  await checkA11y(page, 'receipt');
}

function cli(args, env) {
  return execFileSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

/**
 * Re-signs every Rust signing vector with the page's own modules, in the
 * page, with whichever backend the page chose; returns the page's backend
 * and the names of the cases whose object or id differ.
 */
async function signVectorsInPage(page) {
  const vectors = JSON.parse(await readFile(join(ROOT, 'protocol/tests/vectors/web/signing.json'), 'utf8'));
  expect(vectors.cases.length >= 20, 'vectors loaded');
  return page.evaluate(async (cases) => {
    const { prepare, seal } = await import('/assets/cbor.js');
    const { identityFromSeed, sign, signingBackend } = await import('/assets/signer.js');
    const { hexToBytes, bytesToHex } = await import('/assets/ids.js');
    const mismatches = [];
    for (const c of cases) {
      const identity = await identityFromSeed(hexToBytes(c.seed, 32));
      const sealed = await seal(prepare(c.kind, c.body, identity.publicKey), (b) => sign(identity, b));
      if (bytesToHex(sealed.bytes) !== c.object || sealed.id !== c.id) mismatches.push(c.name);
    }
    return { backend: await signingBackend(), mismatches };
  }, vectors.cases);
}

const browser = await launch();
try {
  const page = await newPage(browser);
  currentPage = page;
  const watcher = await watch(page);
  const watchedPaths = [];
  page.on('request', (r) => watchedPaths.push(new URL(r.url()).pathname));
  const charters = await getJson(`${A}/v1/charters`);
  const charter = charters.objects[0];
  const section = charter.body.sections[0].slug;
  const sectionPath = `/charters/${charter.id}/sections/${section}`;

  await step('identity page without a key is accessible', async () => {
    await page.goto(`${A}/identity?lang=en`);
    await page.waitForSelector('html[data-ready=true]');
    expect(await page.locator('#create-key').isVisible(), 'the create form is shown');
    expect(!(await page.locator('#profile-form').isVisible()), 'no profile form without a key');
    await checkA11y(page, 'identity-no-key');
    await screenshot(page, 'identity-no-key');
  });

  const did = await step('create a key in the browser', async () => {
    await page.fill('#create-pass', 'short');
    await page.fill('#create-pass2', 'short');
    await page.click('#create-key button[type=submit]');
    expect((await page.locator('#create-key .outcome').textContent()).includes('10'), 'a short passphrase is refused');
    await page.fill('#create-pass', PASSPHRASE);
    await page.fill('#create-pass2', PASSPHRASE);
    await page.click('#create-key button[type=submit]');
    await page.locator('#current-did').filter({ hasText: 'did:key:z6Mk' }).waitFor({ timeout: 20_000 });
    const shown = (await page.locator('#current-did').textContent()).trim();
    expect(!(await page.locator('#create-key').isVisible()), 'the create form is gone once a key exists');
    expect((await page.locator('#identity-link').textContent()).includes(shown.slice(0, 20)), 'the header names the key');
    const extractable = await page.evaluate(async () => {
      const { loadIdentity } = await import('/assets/vault.js');
      const stored = await loadIdentity();
      return { extractable: stored.privateKey.extractable, type: stored.privateKey.type, did: stored.did };
    });
    expect(extractable.extractable === false && extractable.type === 'private', `stored key is non-extractable: ${JSON.stringify(extractable)}`);
    expect(extractable.did === shown, 'IndexedDB holds the key shown');
    await checkA11y(page, 'identity-with-key');
    await screenshot(page, 'identity-with-key');
    return shown;
  });

  await step('the key survives a reload', async () => {
    await page.reload();
    await page.locator('#current-did').filter({ hasText: did }).waitFor();
  });

  await step('the downloaded key file imports into the CLI as the same did', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-key')]);
    const file = join(ARTIFACTS, 'browser-key.json');
    await download.saveAs(file);
    const text = await readFile(file, 'utf8');
    expect(!text.includes('"d"') && JSON.parse(text).kdf.algorithm === 'pbkdf2-sha256', 'the file is sealed');
    const dir = await mkdtemp(join(tmpdir(), 'baraza-browser-'));
    const env = { BARAZA_KEYSTORE: join(dir, 'key.json'), BARAZA_PASSPHRASE: PASSPHRASE };
    const imported = cli(['key', 'import', file], env);
    expect(imported.includes(did), `baraza key import printed ${imported}`);
    expect(cli(['key', 'show'], env) === did, 'baraza key show gives the browser\'s did');
  });

  await step('a key exported by the CLI imports into another browser', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baraza-cli-'));
    const env = { BARAZA_KEYSTORE: join(dir, 'key.json'), BARAZA_PASSPHRASE: PASSPHRASE };
    const cliDid = cli(['key', 'new'], env);
    const file = join(dir, 'export.json');
    cli(['key', 'export', '--out', file], env);
    const other = await newPage(browser);
    const otherWatch = await watch(other);
    await other.goto(`${A}/identity?lang=fr`);
    await other.waitForSelector('html[data-ready=true]');
    await other.setInputFiles('#import-file', file);
    await other.fill('#import-pass', 'not the passphrase');
    await other.click('#import-key button[type=submit]');
    await other.locator('#import-key .outcome.error').waitFor({ timeout: 20_000 });
    expect((await other.locator('#import-key .outcome').textContent()).includes('Phrase secrète erronée'), 'a wrong passphrase is named, in French');
    await other.fill('#import-pass', PASSPHRASE);
    await other.click('#import-key button[type=submit]');
    await other.locator('#current-did').filter({ hasText: cliDid }).waitFor({ timeout: 20_000 });
    await screenshot(other, 'identity-imported-fr');
    otherWatch.assertClean('second browser');
    await other.context().close();
  });

  await step('sign a profile', async () => {
    await page.fill('#profile-form-name', 'Wanjiru Browser');
    await page.selectOption('#profile-form-group', 'youth');
    await page.fill('#profile-form-org', 'Kenya Youth IGF');
    await page.fill('#profile-form-country', 'KE');
    await page.fill('#profile-form-langs', 'en sw');
    const result = await signForm(page, '#profile-form', {
      review: (body) => {
        expect(body.name === 'Wanjiru Browser' && body.group === 'youth', `review shows the body: ${JSON.stringify(body)}`);
        expect(JSON.stringify(body.languages) === '["en","sw"]', 'languages are a list');
      },
    });
    expect(result.ok, `profile stored: ${result.text}`);
    const stored = await getJson(`${A}/v1/objects/${result.id}`);
    expect(stored.kind === 'profile' && stored.author === did && stored.body.country === 'KE', 'the node holds the profile');
  });

  const commentText = `Keep the Internet whole: one network, not fragments (browser test ${stamp}).`;
  const commentId = await step('comment on a paragraph of the current draft', async () => {
    const weight = await transferred(page, `${A}${sectionPath}?lang=en`);
    expect(weight.bytes <= MAX_PAGE_BYTES, `section page with its scripts is ${weight.bytes} bytes`);
    await page.waitForSelector('html[data-ready=true]');
    const anchorLink = page.locator('a.para').first();
    const hasAnchors = (await anchorLink.count()) > 0;
    if (hasAnchors) {
      await anchorLink.click();
      await page.waitForSelector('html[data-ready=true]');
    }
    expect(await page.locator('#comment-form').isVisible(), 'the comment form is shown with a key');
    await page.fill('#comment-form-text', commentText);
    await page.selectOption('#comment-form-language', 'en');
    await checkA11y(page, 'section-with-forms');
    const result = await signForm(page, '#comment-form', {
      review: (body) => {
        expect(body.text === commentText && body.section === section && body.charter === charter.id, 'review shows the comment');
        if (hasAnchors) expect(typeof body.anchor === 'string' && typeof body.draft === 'string', 'a paragraph comment carries draft and anchor');
      },
    });
    expect(result.ok, `comment stored: ${result.text}`);
    await checkReceipt(page, '#comment-form', result.id);
    await screenshot(page, 'section-commented');
    const stored = await getJson(`${A}/v1/objects/${result.id}`);
    expect(stored.body.text === commentText && stored.author === did, 'node A holds the comment as signed');
    return result.id;
  });

  await step('the comment appears on node B\'s section page', async () => {
    const pageB = await newPage(browser, PHONE);
    const watchB = await watch(pageB);
    await eventually(pageB, `${B}${sectionPath}?lang=en`, async () => (await pageB.content()).includes(`browser test ${stamp}`), 'comment on node B');
    await checkA11y(pageB, 'node-b-section-phone');
    await screenshot(pageB, 'node-b-section-phone');
    watchB.assertClean('node B section');
    await pageB.context().close();
  });

  await step('the browser encoder signs every Rust vector byte for byte, in Chromium', async () => {
    const { backend, mismatches } = await signVectorsInPage(page);
    expect(backend === 'webcrypto', `Chromium signs with WebCrypto, not ${backend}`);
    expect(mismatches.length === 0, `mismatched vectors: ${mismatches.join(', ')}`);
  });

  await step('the page with a WebCrypto key never loads the fallback library', async () => {
    expect(watchedPaths.includes('/assets/signer.js'), 'requests are seen');
    expect(!watchedPaths.includes('/assets/noble-ed25519.js'), 'noble-ed25519.js was not requested');
  });

  const endorsementId = await step('support the comment by keyboard alone', async () => {
    await page.goto(`${A}/objects/${commentId}?lang=en`);
    await page.waitForSelector('html[data-ready=true]');
    await page.locator('#endorse-form-statement').focus();
    await page.keyboard.type('Youth in Kenya support this.');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Kenya Youth IGF');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.matches('#endorse-form button[type=submit]')), 'Tab reaches the submit button');
    await page.keyboard.press('Enter');
    await page.locator('#endorse-form section.review').waitFor();
    expect(await page.evaluate(() => document.activeElement.matches('#endorse-form section.review h3')), 'the review takes the focus');
    await checkA11y(page, 'review-endorsement');
    await screenshot(page, 'review-endorsement');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.matches('button.confirm')), 'Tab reaches "Sign and submit"');
    await page.keyboard.press('Enter');
    await page.locator('#endorse-form .outcome.ok a').waitFor({ timeout: 20_000 });
    const id = await page.locator('#endorse-form').evaluate((el) => el.dataset.lastId);
    const stored = await getJson(`${A}/v1/objects/${id}`);
    expect(stored.kind === 'endorsement' && stored.body.stance === 'support' && stored.body.target === commentId, 'the endorsement targets the comment');
    return id;
  });

  await step('node B\'s audit page shows the endorsement', async () => {
    const pageB = await newPage(browser);
    const watchB = await watch(pageB);
    const endorsementsOnB = () => pageB.locator('#endorsements').textContent().catch(() => '');
    await eventually(pageB, `${B}/audit/${commentId}?lang=en`, async () => (await endorsementsOnB()).includes(endorsementId.slice(0, 12)), 'endorsement in node B\'s audit');
    const shown = await endorsementsOnB();
    // The browser's key is not attested by an NRI: the endorsement is listed, not counted.
    expect(/Not counted/.test(shown) && /chain not held/.test(shown) && shown.includes('support'), `the endorsement is listed as not counted, its chain not held: ${shown}`);
    expect((await pageB.locator('#provenance ul.tree').textContent()).includes(did.slice(0, 20)), 'the provenance tree names the signer');
    const weight = await transferred(pageB, `${B}/audit/${commentId}?lang=en`);
    expect(weight.bytes <= MAX_PAGE_BYTES, `audit page is ${weight.bytes} bytes`);
    await checkA11y(pageB, 'node-b-audit');
    await screenshot(pageB, 'node-b-audit');
    watchB.assertClean('node B audit');
    await pageB.context().close();
  });

  await step('reply, then retract the reply', async () => {
    await page.goto(`${A}/objects/${commentId}?lang=en`);
    await page.waitForSelector('html[data-ready=true]');
    expect(await page.locator('#retract-form').isVisible(), 'the author sees the retract form');
    await page.fill('#reply-form-text', `A reply to myself (${stamp}).`);
    const reply = await signForm(page, '#reply-form', {
      review: (body) => expect(body.in_reply_to === commentId, 'the reply points at the comment'),
    });
    expect(reply.ok, `reply stored: ${reply.text}`);
    await page.goto(`${A}/objects/${reply.id}?lang=en`);
    await page.waitForSelector('html[data-ready=true]');
    await page.fill('#retract-form-reason', 'Said twice.');
    const retraction = await signForm(page, '#retract-form');
    expect(retraction.ok, `retraction stored: ${retraction.text}`);
    await page.goto(`${A}/objects/${reply.id}?lang=en`);
    expect((await page.content()).includes('Retracted by its author'), 'the reply shows as retracted');
    expect(!(await page.locator('#retract-form').count()), 'no second retraction offered');
  });

  await step('a comment the node refuses shows the node\'s error', async () => {
    await page.goto(`${A}${sectionPath}?lang=en`);
    await page.waitForSelector('html[data-ready=true]');
    await page.fill('#comment-form-text', 'é'.repeat(9000));
    const result = await signForm(page, '#comment-form');
    expect(!result.ok, 'refused');
    expect(/400/.test(result.text) && /text/.test(result.text), `the node's error is shown: ${result.text}`);
    await screenshot(page, 'refused-comment');
    watcher.reset(); // the 400 is the point of this step
  });

  await step('a browser without WebCrypto Ed25519 signs with the vendored library, byte for byte', async () => {
    const old = await newPage(browser);
    // What an older browser does: Ed25519 is not a recognised algorithm.
    await old.context().addInitScript(() => {
      const subtle = crypto.subtle;
      const refuse = (method, at) => {
        const original = subtle[method].bind(subtle);
        subtle[method] = (...args) => {
          const alg = args[at];
          const name = typeof alg === 'string' ? alg : alg?.name;
          if (name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
          return original(...args);
        };
      };
      refuse('generateKey', 0);
      refuse('importKey', 2);
      refuse('sign', 0);
    });
    const oldWatch = await watch(old);
    const loaded = [];
    old.on('request', (r) => loaded.push(new URL(r.url()).pathname));
    await old.goto(`${A}/identity?lang=en`);
    await old.waitForSelector('html[data-ready=true]');
    expect(await old.locator('[data-no-crypto]').first().isVisible(), 'the page says it signs with its own library');
    await old.fill('#create-pass', PASSPHRASE);
    await old.fill('#create-pass2', PASSPHRASE);
    await old.click('#create-key button[type=submit]');
    await old.locator('#current-did').filter({ hasText: 'did:key:z6Mk' }).waitFor({ timeout: 20_000 });
    expect(loaded.includes('/assets/noble-ed25519.js'), 'the library is loaded on demand');
    await old.fill('#profile-form-name', 'Old Browser');
    const result = await signForm(old, '#profile-form');
    expect(result.ok, `profile from the fallback stored: ${result.text}`);
    const { backend, mismatches } = await signVectorsInPage(old);
    expect(backend === 'noble', `the page fell back to noble-ed25519, not ${backend}`);
    expect(mismatches.length === 0, `fallback mismatches: ${mismatches.join(', ')}`);
    await screenshot(old, 'identity-fallback');
    oldWatch.assertClean('fallback browser');
    await old.context().close();
  });

  await step('other browser of a stranger sees no write forms for others\' words', async () => {
    const stranger = await newPage(browser);
    await stranger.goto(`${A}/objects/${commentId}?lang=en`);
    await stranger.waitForSelector('html[data-ready=true]');
    expect(!(await stranger.locator('#retract-form').isVisible()), 'no retract form without the author\'s key');
    expect(await stranger.locator('[data-no-key]').first().isVisible(), 'the page says how to get a key');
    await stranger.context().close();
  });

  watcher.assertClean('the stakeholder\'s page');
  await writeFile(join(ARTIFACTS, 'summary.txt'), `did ${did}\ncomment ${commentId}\nendorsement ${endorsementId}\n`);
  console.log(`write flow passed: ${did} commented ${commentId.slice(0, 12)}, endorsed ${endorsementId.slice(0, 12)}`);
} finally {
  await browser.close();
}
