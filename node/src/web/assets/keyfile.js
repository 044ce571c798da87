// The portable key file (docs/KEYS.md): an Ed25519 seed sealed under a
// passphrase with PBKDF2-HMAC-SHA256 and AES-256-GCM, both in WebCrypto.
// `baraza key import` reads what this writes; `baraza key export` writes
// what this reads. Pure WebCrypto: runs in the pages and in Node.js.

import { bytesToHex, hexToBytes, didFromKey, keyFromDid, concatBytes, utf8 } from './ids.js';

/** Iterations for new files (OWASP's figure for PBKDF2-HMAC-SHA256). */
export const ITERATIONS = 600000;
/** Iterations accepted when reading: neither trivially weak nor endless. */
export const MIN_ITERATIONS = 100000;
export const MAX_ITERATIONS = 10000000;
/** The largest key file read (they are a few hundred bytes). */
export const MAX_FILE_BYTES = 64 * 1024;
const AAD_PREFIX = 'baraza-keystore/1';

/** Thrown when the passphrase does not open the file (or a byte of it changed). */
export class WrongPassphrase extends Error {
  constructor() {
    super('wrong passphrase or corrupted key file');
    this.name = 'WrongPassphrase';
  }
}

async function deriveKey(passphrase, salt, iterations, usage) {
  const base = await crypto.subtle.importKey('raw', utf8(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

function aad(publicKey) {
  return concatBytes([utf8(AAD_PREFIX), publicKey]);
}

/**
 * Seals `seed` (32 bytes) of `publicKey` under `passphrase` and returns the
 * file's text. `salt` (16 bytes), `nonce` (12 bytes) and `iterations` may
 * be given for known-answer tests; otherwise they are fresh and the default.
 */
export async function sealKeyFile(seed, publicKey, passphrase, options = {}) {
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const nonce = options.nonce ?? crypto.getRandomValues(new Uint8Array(12));
  const iterations = options.iterations ?? ITERATIONS;
  const key = await deriveKey(passphrase, salt, iterations, 'encrypt');
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad(publicKey), tagLength: 128 }, key, seed),
  );
  const file = {
    version: 1,
    did: didFromKey(publicKey),
    kdf: { algorithm: 'pbkdf2-sha256', iterations, salt: bytesToHex(salt) },
    cipher: { algorithm: 'aes-256-gcm', nonce: bytesToHex(nonce), ciphertext: bytesToHex(sealed) },
  };
  return JSON.stringify(file, null, 2) + '\n';
}

function exactKeys(value, keys, what) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object`);
  }
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) throw new TypeError(`${what} has an unknown field ${JSON.stringify(k)}`);
  }
  for (const k of keys) {
    if (!(k in value)) throw new TypeError(`${what} lacks the field ${JSON.stringify(k)}`);
  }
}

/**
 * Parses a key file's text without opening it: `{did, publicKey, ...}`.
 * Throws a TypeError naming what is wrong, including files of the CLI's
 * own (Argon2id) variant, which a browser cannot open.
 */
export function parseKeyFile(text) {
  if (text.length > MAX_FILE_BYTES) throw new TypeError(`a key file is at most ${MAX_FILE_BYTES} bytes`);
  let file;
  try {
    file = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`not a key file: ${e.message}`);
  }
  exactKeys(file, ['version', 'did', 'kdf', 'cipher'], 'the key file');
  if (file.version !== 1) throw new TypeError(`key file version ${file.version} is not supported (this page reads version 1)`);
  if (file.kdf?.algorithm === 'argon2id') {
    throw new TypeError('this key file uses Argon2id, which browsers cannot open: run `baraza key export --out FILE` and import that file');
  }
  exactKeys(file.kdf, ['algorithm', 'iterations', 'salt'], 'kdf');
  exactKeys(file.cipher, ['algorithm', 'nonce', 'ciphertext'], 'cipher');
  if (file.kdf.algorithm !== 'pbkdf2-sha256') throw new TypeError(`kdf.algorithm ${JSON.stringify(file.kdf.algorithm)} is not "pbkdf2-sha256"`);
  if (file.cipher.algorithm !== 'aes-256-gcm') throw new TypeError(`cipher.algorithm ${JSON.stringify(file.cipher.algorithm)} is not "aes-256-gcm"`);
  const { iterations } = file.kdf;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new TypeError(`kdf.iterations ${iterations} is outside ${MIN_ITERATIONS}..=${MAX_ITERATIONS}`);
  }
  return {
    did: file.did,
    publicKey: keyFromDid(file.did, 'did'),
    iterations,
    salt: hexToBytes(file.kdf.salt, 16, 'kdf.salt'),
    nonce: hexToBytes(file.cipher.nonce, 12, 'cipher.nonce'),
    ciphertext: hexToBytes(file.cipher.ciphertext, 48, 'cipher.ciphertext'),
  };
}

/** Opens a key file: `{did, publicKey, seed}`; WrongPassphrase when it does not open. */
export async function openKeyFile(text, passphrase) {
  const file = parseKeyFile(text);
  const key = await deriveKey(passphrase, file.salt, file.iterations, 'decrypt');
  let seed;
  try {
    seed = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: file.nonce, additionalData: aad(file.publicKey), tagLength: 128 },
        key,
        file.ciphertext,
      ),
    );
  } catch {
    throw new WrongPassphrase();
  }
  return { did: file.did, publicKey: file.publicKey, seed };
}
