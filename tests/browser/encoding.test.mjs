// The browser's encoder and key file against the Rust reference, byte for
// byte: every case of protocol/tests/vectors/web/signing.json is re-signed
// from its seed and JSON body by the very modules the pages load
// (node/src/web/assets/), and the portable key file vector is opened and
// re-sealed. Run by `node --test` (tests/tests/browser.rs runs it in the
// suite; the same vectors are checked again inside Chromium by
// write_flow.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { prepare, seal, encodeBody, protectedHeader, typOf } from '../../node/src/web/assets/cbor.js';
import { bytesToHex, hexToBytes, didFromKey, keyFromDid, base58, unbase58 } from '../../node/src/web/assets/ids.js';
import { identityFromSeed, sign, createIdentity, importKeyFile } from '../../node/src/web/assets/signer.js';
import { openKeyFile, sealKeyFile, parseKeyFile, WrongPassphrase } from '../../node/src/web/assets/keyfile.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vectors = JSON.parse(readFileSync(join(root, 'protocol/tests/vectors/web/signing.json'), 'utf8'));
const keyDir = join(root, 'protocol/tests/vectors/keystore');

test('the vectors cover every kind', () => {
  const kinds = new Set(vectors.cases.map((c) => c.kind));
  assert.equal(kinds.size, 9);
  assert.ok(vectors.cases.length >= 20, `${vectors.cases.length} cases`);
});

for (const c of vectors.cases) {
  test(`signs ${c.name} byte-identically to the Rust encoder`, async () => {
    const identity = await identityFromSeed(hexToBytes(c.seed, 32));
    assert.equal(identity.did, c.author);
    const prepared = prepare(c.kind, c.body, identity.publicKey);
    assert.equal(bytesToHex(prepared.protected), c.protected, 'protected header');
    assert.equal(bytesToHex(prepared.payload), c.payload, 'payload');
    assert.equal(bytesToHex(prepared.toSign), c.sig_structure, 'Sig_structure');
    const sealed = await seal(prepared, (bytes) => sign(identity, bytes));
    assert.equal(bytesToHex(sealed.bytes), c.object, 'object bytes');
    assert.equal(sealed.id, c.id, 'id');
  });
}

test('map keys sort shorter first, then bytewise; absent fields are omitted', () => {
  const payload = encodeBody({ created_at: 1, text: 'x', section: 's', charter: 'aa'.repeat(32), draft: undefined, anchor: null });
  // a4, then "text", "charter", "section", "created_at".
  const hex = bytesToHex(payload);
  assert.ok(hex.startsWith('a464746578746178'), hex);
  assert.ok(hex.indexOf('67636861727465') < hex.indexOf('6773656374696f6e'));
  assert.ok(hex.endsWith('6a637265617465645f617401'), hex);
});

test('integers take the shortest head in every width', () => {
  const cases = [[0, '00'], [23, '17'], [24, '1818'], [255, '18ff'], [256, '190100'], [65535, '19ffff'],
    [65536, '1a00010000'], [4294967295, '1affffffff'], [4294967296, '1b0000000100000000'],
    [1712016000000, '1b0000018e9c1b0400']];
  for (const [n, want] of cases) {
    assert.equal(bytesToHex(encodeBody({ n })).slice(6), want, `${n}`);
  }
});

test('bad values are refused with the field named', () => {
  assert.throws(() => encodeBody({ created_at: 1.5 }), /created_at: 1.5 is not an integer/);
  assert.throws(() => encodeBody({ created_at: -1 }), /created_at: negative/);
  assert.throws(() => encodeBody({ target: 'zz' }), /target: not lowercase hex/);
  assert.throws(() => encodeBody({ target: 'ab' }), /target: 2 hex digits, expected 64/);
  assert.throws(() => encodeBody({ subject: 'did:web:x' }), /subject: not a did:key/);
  assert.throws(() => encodeBody(null), /a body is a map/);
  assert.throws(() => typOf('poem'), /unknown kind/);
  assert.throws(() => protectedHeader('comment', new Uint8Array(31)), /32 bytes/);
});

test('did:key and base58 round-trip, leading zeros included', () => {
  const key = new Uint8Array(32);
  key[31] = 1;
  assert.deepEqual(keyFromDid(didFromKey(key)), key);
  assert.deepEqual(unbase58(base58(Uint8Array.of(0, 0, 5))), Uint8Array.of(0, 0, 5));
  assert.equal(didFromKey(key).slice(0, 12), 'did:key:z6Mk');
  assert.throws(() => keyFromDid('did:key:z0OIl'), /not a base58 digit/);
});

test('the portable key file vector opens and re-seals to the same file', async () => {
  const meta = JSON.parse(readFileSync(join(keyDir, 'portable.meta.json'), 'utf8'));
  const text = readFileSync(join(keyDir, 'portable.json'), 'utf8');
  const opened = await openKeyFile(text, meta.passphrase);
  assert.equal(bytesToHex(opened.seed), meta.seed);
  assert.equal(opened.did, meta.did);
  const parsed = parseKeyFile(text);
  const again = await sealKeyFile(opened.seed, opened.publicKey, meta.passphrase, {
    salt: parsed.salt, nonce: parsed.nonce, iterations: parsed.iterations,
  });
  assert.deepEqual(JSON.parse(again), JSON.parse(text));
  const { identity } = await importKeyFile(text, meta.passphrase);
  assert.equal(identity.did, meta.did);
  await assert.rejects(openKeyFile(text, meta.passphrase + '!'), WrongPassphrase);
});

test('key files that are not portable, or doctored, are refused by name', async () => {
  const text = readFileSync(join(keyDir, 'portable.json'), 'utf8');
  const file = JSON.parse(text);
  const argon = { ...file, kdf: { algorithm: 'argon2id', m_cost: 19456, t_cost: 2, p_cost: 1, salt: '00'.repeat(16) } };
  assert.throws(() => parseKeyFile(JSON.stringify(argon)), /Argon2id.*baraza key export/);
  const weak = { ...file, kdf: { ...file.kdf, iterations: 1000 } };
  assert.throws(() => parseKeyFile(JSON.stringify(weak)), /iterations 1000 is outside/);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...file, extra: 1 })), /unknown field "extra"/);
  assert.throws(() => parseKeyFile('{'), /not a key file/);
  const other = await identityFromSeed(new Uint8Array(32).fill(8));
  const swapped = JSON.stringify({ ...file, did: other.did });
  await assert.rejects(openKeyFile(swapped, JSON.parse(readFileSync(join(keyDir, 'portable.meta.json'), 'utf8')).passphrase), WrongPassphrase);
});

test('a created identity signs, and its key file imports to the same did', async () => {
  const { identity, keyFile } = await createIdentity('a long passphrase');
  const prepared = prepare('retraction', { created_at: 1712016000000, target: 'ab'.repeat(32), reason: 'test' }, identity.publicKey);
  const sealed = await seal(prepared, (bytes) => sign(identity, bytes));
  assert.equal(sealed.bytes[0], 0xd2);
  const pub = await crypto.subtle.importKey('raw', identity.publicKey, { name: 'Ed25519' }, false, ['verify']);
  assert.ok(await crypto.subtle.verify({ name: 'Ed25519' }, pub, sealed.bytes.slice(-64), prepared.toSign));
  await assert.rejects(crypto.subtle.exportKey('pkcs8', identity.privateKey), /not extractable|InvalidAccessError/);
  const back = await importKeyFile(keyFile, 'a long passphrase');
  assert.equal(back.identity.did, identity.did);
});

test('without WebCrypto Ed25519, the vendored noble-ed25519 signs every vector identically', async () => {
  const { signingBackend } = await import('../../node/src/web/assets/signer.js');
  assert.equal(await signingBackend(), 'webcrypto', 'Node.js has WebCrypto Ed25519');
  try {
    assert.equal(await signingBackend('noble'), 'noble');
    for (const c of vectors.cases) {
      const identity = await identityFromSeed(hexToBytes(c.seed, 32));
      assert.equal(identity.privateKey, undefined, 'no CryptoKey on the fallback');
      assert.equal(identity.did, c.author, c.name);
      const sealed = await seal(prepare(c.kind, c.body, identity.publicKey), (bytes) => sign(identity, bytes));
      assert.equal(bytesToHex(sealed.bytes), c.object, c.name);
    }
    const { identity, keyFile } = await createIdentity('a long passphrase');
    const back = await importKeyFile(keyFile, 'a long passphrase');
    assert.equal(back.identity.did, identity.did);
  } finally {
    await signingBackend('webcrypto');
  }
});
