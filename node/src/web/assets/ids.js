// Identifiers (docs/PROTOCOL.md §5): hex object ids and did:key authors
// (multicodec ed25519-pub 0xed 0x01 + key, base58btc, "did:key:z").
// Pure: runs in the pages and in Node.js.

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DID_PREFIX = 'did:key:z';
const ED25519_PUB = [0xed, 0x01];

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/** One array of all `chunks`. */
export function concatBytes(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Lowercase hex. */
export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of a hex string of exactly `length` bytes; `what` names it in errors. */
export function hexToBytes(hex, length, what = 'value') {
  if (typeof hex !== 'string' || !/^[0-9a-f]*$/.test(hex) || hex.length % 2) {
    throw new TypeError(`${what}: not lowercase hex`);
  }
  if (length !== undefined && hex.length !== 2 * length) {
    throw new TypeError(`${what}: ${hex.length} hex digits, expected ${2 * length}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** base58btc (Bitcoin alphabet), leading zero bytes as '1'. */
export function base58(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/** Bytes of a base58btc string. */
export function unbase58(text, what = 'value') {
  let n = 0n;
  for (const c of text) {
    const d = B58.indexOf(c);
    if (d < 0) throw new TypeError(`${what}: ${JSON.stringify(c)} is not a base58 digit`);
    n = n * 58n + BigInt(d);
  }
  const digits = [];
  while (n > 0n) {
    digits.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  return Uint8Array.from([...new Array(zeros).fill(0), ...digits]);
}

/** The did:key of a 32-byte Ed25519 public key. */
export function didFromKey(key) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('a public key is 32 bytes');
  return DID_PREFIX + base58(Uint8Array.from([...ED25519_PUB, ...key]));
}

/** The 32-byte public key of an Ed25519 did:key. */
export function keyFromDid(did, what = 'did') {
  if (typeof did !== 'string' || !did.startsWith(DID_PREFIX)) {
    throw new TypeError(`${what}: not a did:key (expected "${DID_PREFIX}…")`);
  }
  const bytes = unbase58(did.slice(DID_PREFIX.length), what);
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) {
    throw new TypeError(`${what}: not an Ed25519 did:key`);
  }
  return bytes.slice(2);
}

/** `did:key:z6Mkabcd…wxyz`, for display. */
export function shortDid(did) {
  return did.length > 24 ? `${did.slice(0, 20)}…${did.slice(-4)}` : did;
}
