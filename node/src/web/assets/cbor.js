// baraza objects in the browser: deterministic CBOR (docs/PROTOCOL.md §2),
// the COSE_Sign1 envelope (§3) and its signature input (§4).
//
// Pure: no DOM, no storage. The same module runs in the node's pages and
// in Node.js for the vector tests (tests/browser/encoding.test.mjs), which
// check every byte against the Rust encoder's vectors
// (protocol/tests/vectors/web/signing.json).

import { bytesToHex, hexToBytes, keyFromDid, concatBytes, utf8 } from './ids.js';

/** Body fields (at any depth) holding an object id: hex in JSON, a 32-byte bstr in CBOR. */
export const ID_FIELDS = new Set(['charter', 'draft', 'in_reply_to', 'target', 'parent', 'comment']);
/** Body fields holding Ed25519 keys (or a list of them): did:key in JSON, a 32-byte bstr in CBOR. */
export const KEY_FIELDS = new Set(['subject', 'key', 'stewards']);
/** The kinds (§6). */
export const KINDS = ['charter', 'profile', 'attestation', 'comment', 'endorsement', 'draft', 'release', 'retraction', 'revocation'];

const MAJOR = { uint: 0, nint: 1, bytes: 2, text: 3, array: 4, map: 5, tag: 6 };
const TAG_COSE_SIGN1 = 18;
const ALG_EDDSA = -8;

/** Accumulates encoded bytes. */
class Writer {
  constructor() {
    this.chunks = [];
  }

  push(bytes) {
    this.chunks.push(bytes);
  }

  /** A head: major type and argument in the shortest form (rule 1). */
  head(major, n) {
    const m = major << 5;
    if (typeof n === 'number') {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cannot encode ${n} as a CBOR argument`);
      if (n < 24) return this.push(Uint8Array.of(m | n));
      if (n < 0x100) return this.push(Uint8Array.of(m | 24, n));
      if (n < 0x10000) return this.push(Uint8Array.of(m | 25, n >> 8, n & 0xff));
      if (n < 0x100000000) return this.push(Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
      n = BigInt(n);
    }
    const out = new Uint8Array(9);
    out[0] = m | 27;
    new DataView(out.buffer).setBigUint64(1, n);
    return this.push(out);
  }

  bytes(b) {
    this.head(MAJOR.bytes, b.length);
    this.push(b);
  }

  text(s) {
    const b = utf8(s);
    this.head(MAJOR.text, b.length);
    this.push(b);
  }

  int(n) {
    if (n >= 0) this.head(MAJOR.uint, n);
    else this.head(MAJOR.nint, -1 - n);
  }

  finish() {
    return concatBytes(this.chunks);
  }
}

/** Bytewise order of encodings, which for text keys is "shorter first, then bytewise" (rule 6). */
function compareBytes(a, b) {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Encodes a value of a body in its JSON form (§9). `field` is the name of
 * the map entry the value sits in (array items inherit it), which decides
 * whether a string is an id, a key or text. Absent optional fields are
 * `undefined` or `null` and are omitted (rule 5).
 */
function encodeValue(w, value, field, path) {
  if (typeof value === 'string') {
    if (ID_FIELDS.has(field)) return w.bytes(hexToBytes(value, 32, path));
    if (KEY_FIELDS.has(field)) return w.bytes(keyFromDid(value, path));
    return w.text(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new TypeError(`${path}: ${value} is not an integer (floats are not allowed)`);
    }
    if (value < 0) throw new TypeError(`${path}: negative integers are not allowed in a body`);
    return w.head(MAJOR.uint, value);
  }
  if (typeof value === 'boolean') return w.push(Uint8Array.of(value ? 0xf5 : 0xf4));
  if (value instanceof Uint8Array) return w.bytes(value);
  if (Array.isArray(value)) {
    w.head(MAJOR.array, value.length);
    value.forEach((item, i) => encodeValue(w, item, field, `${path}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      const k = new Writer();
      k.text(key);
      const e = new Writer();
      encodeValue(e, v, key, path ? `${path}.${key}` : key);
      entries.push([k.finish(), e.finish()]);
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    w.head(MAJOR.map, entries.length);
    for (const [k, v] of entries) {
      w.push(k);
      w.push(v);
    }
    return;
  }
  throw new TypeError(`${path || 'body'}: cannot encode ${value === null ? 'null' : typeof value}`);
}

/** The payload: a body (JSON form, §9) as deterministic CBOR. */
export function encodeBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TypeError('a body is a map of fields');
  }
  const w = new Writer();
  encodeValue(w, body, '', '');
  return w.finish();
}

/** The `typ` header value of a kind: `application/baraza.<kind>+cose`. */
export function typOf(kind) {
  if (!KINDS.includes(kind)) throw new TypeError(`unknown kind ${JSON.stringify(kind)}`);
  return `application/baraza.${kind}+cose`;
}

/** The protected header `{1: -8, 4: kid, 16: typ}` (§3), encoded. */
export function protectedHeader(kind, publicKey) {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new TypeError('a public key is 32 bytes');
  }
  const w = new Writer();
  w.head(MAJOR.map, 3);
  w.int(1);
  w.int(ALG_EDDSA);
  w.int(4);
  w.bytes(publicKey);
  w.int(16);
  w.text(typOf(kind));
  return w.finish();
}

/** The bytes an author signs: `["Signature1", protected, h'', payload]` (§4). */
export function sigStructure(protectedBytes, payload) {
  const w = new Writer();
  w.head(MAJOR.array, 4);
  w.text('Signature1');
  w.bytes(protectedBytes);
  w.bytes(new Uint8Array(0));
  w.bytes(payload);
  return w.finish();
}

/** The complete object: `18([protected, {}, payload, signature])` (§3). */
export function envelope(protectedBytes, payload, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new TypeError('an Ed25519 signature is 64 bytes');
  }
  const w = new Writer();
  w.head(MAJOR.tag, TAG_COSE_SIGN1);
  w.head(MAJOR.array, 4);
  w.bytes(protectedBytes);
  w.head(MAJOR.map, 0);
  w.bytes(payload);
  w.bytes(signature);
  return w.finish();
}

/**
 * Prepares an object for signing: everything but the signature. `author`
 * is the 32-byte public key.
 */
export function prepare(kind, body, author) {
  const payload = encodeBody(body);
  const protectedBytes = protectedHeader(kind, author);
  return { kind, body, payload, protected: protectedBytes, toSign: sigStructure(protectedBytes, payload) };
}

/**
 * Signs a prepared object with `sign(bytes) -> Promise<Uint8Array(64)>`
 * and returns `{bytes, id}` (id = SHA-256 of the bytes, lowercase hex, §5).
 */
export async function seal(prepared, sign) {
  const signature = new Uint8Array(await sign(prepared.toSign));
  const bytes = envelope(prepared.protected, prepared.payload, signature);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { bytes, id: bytesToHex(digest) };
}
