// Ed25519 keys: create, import from a seed, sign. With WebCrypto Ed25519
// (current browsers, Node.js) the private key the pages keep is a
// non-extractable CryptoKey: script on the page can sign with it but never
// read it, and its only readable form is the passphrase-sealed key file
// made when the key is created or imported. A browser without WebCrypto
// Ed25519 signs with the vendored noble-ed25519 (VENDORED.md),
// loaded only then; its identity keeps the seed itself (`seed`), which is
// the best such a browser allows. Both give the same signatures: Ed25519
// is deterministic, and the tests check every vector on both.

import { concatBytes, didFromKey, hexToBytes } from './ids.js';
import { sealKeyFile, openKeyFile } from './keyfile.js';

const ED25519 = { name: 'Ed25519' };
/** PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410): this prefix, then the seed. */
const PKCS8_PREFIX = hexToBytes('302e020100300506032b657004220420');

/** Whether this browser's WebCrypto has Ed25519. */
export async function ed25519Supported() {
  try {
    await crypto.subtle.generateKey(ED25519, false, ['sign', 'verify']);
    return true;
  } catch {
    return false;
  }
}

let backend;

/**
 * Which implementation signs: `'webcrypto'` when WebCrypto has Ed25519,
 * else `'noble'`. Decided once; `force` (for tests) overrides it.
 */
export async function signingBackend(force) {
  if (force) backend = force;
  backend ??= (await ed25519Supported()) ? 'webcrypto' : 'noble';
  return backend;
}

let noble;
async function nobleEd25519() {
  noble ??= await import('./noble-ed25519.js');
  return noble;
}

function base64urlToBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * An identity from a seed: `{did, publicKey, privateKey}` with a
 * non-extractable private key. The public key is computed by WebCrypto
 * (via a short-lived extractable copy), so a seed can never be paired with
 * a public key that is not its own.
 */
export async function identityFromSeed(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  if ((await signingBackend()) === 'noble') {
    const publicKey = await (await nobleEd25519()).getPublicKeyAsync(seed);
    return { did: didFromKey(publicKey), publicKey, seed: seed.slice() };
  }
  const pkcs8 = concatBytes([PKCS8_PREFIX, seed]);
  try {
    const temporary = await crypto.subtle.importKey('pkcs8', pkcs8, ED25519, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', temporary);
    const publicKey = base64urlToBytes(jwk.x);
    const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
    return { did: didFromKey(publicKey), publicKey, privateKey };
  } finally {
    pkcs8.fill(0);
  }
}

/** Signs `bytes` with an identity: the 64-byte Ed25519 signature. */
export async function sign(identity, bytes) {
  if (identity.privateKey) {
    return new Uint8Array(await crypto.subtle.sign(ED25519, identity.privateKey, bytes));
  }
  return (await nobleEd25519()).signAsync(bytes, identity.seed);
}

/**
 * A new identity and its key file sealed under `passphrase`:
 * `{identity, keyFile}`. The seed exists only inside this call.
 */
export async function createIdentity(passphrase) {
  if ((await signingBackend()) === 'noble') {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    try {
      const identity = await identityFromSeed(seed);
      return { identity, keyFile: await sealKeyFile(seed, identity.publicKey, passphrase) };
    } finally {
      seed.fill(0);
    }
  }
  const pair = await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify']);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const seed = pkcs8.slice(PKCS8_PREFIX.length);
  pkcs8.fill(0);
  try {
    const identity = await identityFromSeed(seed);
    const keyFile = await sealKeyFile(seed, identity.publicKey, passphrase);
    return { identity, keyFile };
  } finally {
    seed.fill(0);
  }
}

/**
 * The identity in a key file (from `baraza key export` or this page):
 * `{identity, keyFile}`. Throws WrongPassphrase, or a TypeError naming
 * what is wrong with the file, or an Error when the file's did is not its
 * seed's.
 */
export async function importKeyFile(text, passphrase) {
  const opened = await openKeyFile(text, passphrase);
  try {
    const identity = await identityFromSeed(opened.seed);
    if (identity.did !== opened.did) {
      throw new Error(`the key file says ${opened.did} but holds the key of ${identity.did}`);
    }
    return { identity, keyFile: text };
  } finally {
    opened.seed.fill(0);
  }
}
