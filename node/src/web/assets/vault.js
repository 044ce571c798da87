// Where the page keeps its identity: IndexedDB, one record per origin.
// The record holds the did, the public key, the non-extractable private
// CryptoKey (IndexedDB stores CryptoKeys without exposing their bytes) and
// the passphrase-sealed key file for export. Nothing here leaves the browser.

const DB = 'baraza';
const STORE = 'identity';
const CURRENT = 'current';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact(mode, act) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The stored identity `{did, publicKey, privateKey, keyFile, savedAt}`, or undefined. */
export function loadIdentity() {
  return transact('readonly', (store) => store.get(CURRENT));
}

/** Stores `identity` with its sealed `keyFile`, replacing any other. */
export function saveIdentity(identity, keyFile) {
  const record = { ...identity, keyFile, savedAt: Date.now() };
  return transact('readwrite', (store) => store.put(record, CURRENT));
}

/** Removes the stored identity. */
export function forgetIdentity() {
  return transact('readwrite', (store) => store.delete(CURRENT));
}
