// The pages' writing side: an identity kept in this browser, and forms
// that build, show, sign and submit objects. The pages work without it
// (reading needs no script); with it, elements marked for it come alive:
//
//   [data-needs-key]            shown once this browser holds a key
//   [data-no-key]               shown while it holds none
//   [data-author-only="did"]    shown when the held key is that author
//   [data-no-crypto]            shown when WebCrypto lacks Ed25519 (the
//                               vendored library signs instead)
//   [data-insecure]             shown when the page is not a secure
//                               context (no WebCrypto at all: use https)
//   [data-did]                  filled with the held key's did:key
//   form[data-sign="<kind>"]    builds a body of that kind from its named
//                               fields, shows it, signs it, submits it, and
//                               shows the node's receipt (its signed word
//                               that it logged the object) with a download
//
// Strings come from the page (<script type="application/json"
// id="baraza-strings">), so they follow the page's language.

import { prepare, seal } from './cbor.js';
import { shortDid } from './ids.js';
import { signingBackend, sign, createIdentity, importKeyFile } from './signer.js';
import { loadIdentity, saveIdentity, forgetIdentity } from './vault.js';
import { MAX_FILE_BYTES } from './keyfile.js';

const strings = JSON.parse(document.getElementById('baraza-strings')?.textContent || '{}');
const t = (key, values = {}) =>
  (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));

let identity;

/** Shows or hides every marked element for the current identity. */
function refresh() {
  for (const el of document.querySelectorAll('[data-needs-key]')) el.hidden = !identity;
  for (const el of document.querySelectorAll('[data-no-key]')) el.hidden = !!identity;
  for (const el of document.querySelectorAll('[data-author-only]')) {
    el.hidden = !identity || el.dataset.authorOnly !== identity.did;
  }
  for (const el of document.querySelectorAll('[data-did]')) el.textContent = identity ? identity.did : '';
  const link = document.getElementById('identity-link');
  if (link) link.textContent = identity ? t('your_key_short', { did: shortDid(identity.did) }) : t('your_key');
}

/** Writes `message` into the form's status line; `ok` styles it. */
function say(form, message, ok, link) {
  const out = form.querySelector('.outcome');
  out.classList.toggle('ok', !!ok);
  out.classList.toggle('error', !ok);
  out.textContent = message;
  if (link) {
    out.append(' ');
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    out.append(a);
  }
}

/** The body a signing form describes: its named, non-empty fields. */
function bodyOf(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') continue;
    if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
    const value = el.value.trim();
    if (el.dataset.list !== undefined) {
      body[el.name] = value.split(/[\s,]+/).filter(Boolean);
    } else if (value !== '') {
      body[el.name] = el.dataset.keepWhitespace !== undefined ? el.value : value;
    }
  }
  body.created_at = Date.now();
  return body;
}

/** What a node's answer to a submission means, in words. */
async function outcomeOf(response) {
  let json = {};
  try {
    json = await response.json();
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  if (response.ok) {
    const result = (json.results || [])[0] || {};
    const key = { stored: 'stored', known: 'known', pending: 'pending', held: 'held' }[result.status] || 'stored';
    return { ok: true, message: t(key), receipt: typeof result.receipt === 'string' ? result.receipt : undefined };
  }
  const code = json.error ? ` ${json.error}` : '';
  return {
    ok: false,
    message: t('refused', { status: response.status, code, message: json.message || response.statusText }),
  };
}

/** The entry and time (ms) a receipt's text states (baraza/receipt/v1), or undefined. */
function receiptFacts(note) {
  const index = /^index (\d+)$/m.exec(note);
  const time = Number(/^time (\d+)$/m.exec(note)?.[1]);
  if (!index || !Number.isSafeInteger(time) || time > 8.64e15) return undefined;
  return { index: index[1], time };
}

/** `ms` since the epoch as the pages write dates: `YYYY-MM-DD HH:MM UTC`. */
function dateText(ms) {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Removes a form's receipt, and frees its download. */
function dropReceipt(form) {
  const old = form.querySelector('section.receipt');
  if (!old) return;
  const link = old.querySelector('a[download]');
  if (link) URL.revokeObjectURL(link.href);
  old.remove();
}

/**
 * Shows the node's receipt for object `id` after the form's status: what
 * it states in words, its text as signed, and a link to download it.
 */
function showReceipt(form, note, id) {
  dropReceipt(form);
  const box = document.createElement('section');
  box.className = 'receipt';
  box.setAttribute('aria-labelledby', `${form.id}-receipt`);
  const h = document.createElement('h3');
  h.id = `${form.id}-receipt`;
  h.textContent = t('receipt_title');
  box.append(h);
  const facts = receiptFacts(note);
  if (facts) {
    const p = document.createElement('p');
    p.className = 'receipt-facts';
    p.textContent = t('receipt_intro', { index: facts.index, time: dateText(facts.time) });
    box.append(p);
  }
  const pre = document.createElement('pre');
  pre.className = 'receipt-note';
  pre.textContent = note;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([note], { type: 'text/plain' }));
  link.download = `receipt-${id.slice(0, 12)}.txt`;
  link.textContent = t('receipt_download');
  const p = document.createElement('p');
  p.append(link);
  box.append(pre, p);
  form.querySelector('.outcome').after(box);
}

/** Shows the review of a prepared object beside its form; resolves true to sign. */
function review(form, prepared) {
  form.querySelector('.review')?.remove();
  const box = document.createElement('section');
  box.className = 'review';
  box.setAttribute('aria-labelledby', `${form.id}-review`);
  const h = document.createElement('h3');
  h.id = `${form.id}-review`;
  h.tabIndex = -1;
  h.textContent = t('review_title');
  const p = document.createElement('p');
  p.textContent = t('review_intro', { kind: prepared.kind, did: identity.did, bytes: prepared.payload.length });
  const pre = document.createElement('pre');
  pre.className = 'signed-body';
  pre.textContent = JSON.stringify(prepared.body, null, 2);
  const confirm = document.createElement('button');
  confirm.type = 'button';
  confirm.className = 'confirm';
  confirm.textContent = t('sign_submit');
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = t('edit');
  box.append(h, p, pre, confirm, cancel);
  form.querySelector('.outcome').before(box);
  h.focus();
  return new Promise((resolve) => {
    confirm.addEventListener('click', () => resolve(true), { once: true });
    cancel.addEventListener('click', () => resolve(false), { once: true });
  }).finally(() => box.remove());
}

async function submitSigned(form) {
  dropReceipt(form);
  if (!identity) return say(form, t('need_key'), false);
  let prepared;
  try {
    prepared = prepare(form.dataset.sign, bodyOf(form), identity.publicKey);
  } catch (e) {
    return say(form, t('cannot_build', { message: e.message }), false);
  }
  if (!(await review(form, prepared))) {
    say(form, '', true);
    form.querySelector('textarea, input:not([type=hidden]), select')?.focus();
    return;
  }
  say(form, t('signing'), true);
  try {
    const sealed = await seal(prepared, (bytes) => sign(identity, bytes));
    const response = await fetch('/v1/objects', {
      method: 'POST',
      headers: { 'content-type': 'application/cbor', accept: 'application/json' },
      body: sealed.bytes,
    });
    const outcome = await outcomeOf(response);
    const lang = document.documentElement.lang;
    say(form, outcome.message, outcome.ok,
      outcome.ok ? { href: `/objects/${sealed.id}?lang=${lang}`, text: sealed.id.slice(0, 12) } : undefined);
    if (outcome.ok) {
      form.dataset.lastId = sealed.id;
      if (outcome.receipt) showReceipt(form, outcome.receipt, sealed.id);
      const text = form.querySelector('textarea');
      if (text) text.value = '';
    }
  } catch (e) {
    say(form, t('network_error', { message: e.message }), false);
  }
}

// ----- the identity page ---------------------------------------------------

function passphraseProblem(a, b) {
  if (a.length < 10) return t('passphrase_short');
  if (b !== undefined && a !== b) return t('passphrase_mismatch');
  return undefined;
}

async function adopt(form, make) {
  say(form, t('working'), true);
  try {
    const { identity: made, keyFile } = await make();
    await saveIdentity(made, keyFile);
    identity = await loadIdentity();
    refresh();
    say(form, t('key_ready', { did: identity.did }), true);
    form.reset();
  } catch (e) {
    say(form, e.name === 'WrongPassphrase' ? t('wrong_passphrase') : t('key_failed', { message: e.message }), false);
  }
}

function wireIdentityPage() {
  const create = document.getElementById('create-key');
  create?.addEventListener('submit', (event) => {
    event.preventDefault();
    const [a, b] = [create.elements.passphrase.value, create.elements.passphrase2.value];
    const problem = passphraseProblem(a, b);
    if (problem) return say(create, problem, false);
    adopt(create, () => createIdentity(a));
  });
  const imp = document.getElementById('import-key');
  imp?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = imp.elements.file.files[0];
    if (!file) return say(imp, t('choose_file'), false);
    if (file.size > MAX_FILE_BYTES) return say(imp, t('file_too_big', { bytes: MAX_FILE_BYTES }), false);
    const text = await file.text();
    adopt(imp, () => importKeyFile(text, imp.elements.passphrase.value));
  });
  document.getElementById('export-key')?.addEventListener('click', () => {
    if (!identity) return;
    const blob = new Blob([identity.keyFile], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `baraza-key-${identity.did.slice(-8)}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
  const forget = document.getElementById('forget-key');
  forget?.addEventListener('click', async () => {
    if (!identity || !window.confirm(t('forget_confirm'))) return;
    await forgetIdentity();
    identity = undefined;
    refresh();
  });
}

async function main() {
  if (!globalThis.crypto?.subtle) {
    // WebCrypto exists only in secure contexts: https, or localhost.
    for (const el of document.querySelectorAll('[data-insecure]')) el.hidden = false;
    return;
  }
  if ((await signingBackend()) !== 'webcrypto') {
    for (const el of document.querySelectorAll('[data-no-crypto]')) el.hidden = false;
  }
  try {
    identity = await loadIdentity();
  } catch {
    identity = undefined; // IndexedDB refused (private mode): the page still signs nothing.
  }
  for (const form of document.querySelectorAll('form[data-sign]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitSigned(form);
    });
  }
  wireIdentityPage();
  refresh();
  document.documentElement.dataset.ready = 'true';
}

main();
