//! Key layout of the store's single sled tree.
//!
//! Everything lives in one tree so that storing an object and all its index
//! entries is one atomic `apply_batch`. Each key starts with a one-byte
//! prefix naming its index; integers are big-endian so byte order is
//! numeric order.
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `o` | id | object bytes |
//! | `s` | seq | id (local arrival order: the event log) |
//! | `t` | created_at, id | — (sync order) |
//! | `k` | kind, created_at, id | — |
//! | `a` | author, created_at, id | — |
//! | `c` | charter, section, 0x00, kind, created_at, id | — (comments and drafts by section) |
//! | `r` | referenced id, kind, created_at, id | — (endorsements, retractions, replies, dispositions, …) |
//! | `v` | revoked key, id | — (revocations by key) |
//! | `p` | id | pending object bytes (references not yet known) |
//! | `w` | missing id, waiting id | — |
//! | `h` | created_at, id | — (pending objects held until their time comes) |
//! | `g` | first stored-hash index of a run | 32-byte hashes, concatenated (the log's tree, `sled_log.rs`) |
//! | `e` | id | log index, log time (the object's log entry) |
//! | `n` | first log index of a run | 40-byte entries (id, log time), concatenated |
//! | `q` | tree size | signed checkpoint note |
//! | `x` | name | a named record (witness memory, evidence) |
//! | `m` | name | meta (counters, schema version, log size) |

use baraza_protocol::sync::SyncKey;
use baraza_protocol::{Body, Kind, ObjectId, PublicKey, SignedObject, KINDS};

pub(crate) const OBJECT: u8 = b'o';
pub(crate) const SEQ: u8 = b's';
pub(crate) const TIME: u8 = b't';
pub(crate) const KIND: u8 = b'k';
pub(crate) const AUTHOR: u8 = b'a';
pub(crate) const SECTION: u8 = b'c';
pub(crate) const REFERRER: u8 = b'r';
pub(crate) const REVOKED: u8 = b'v';
pub(crate) const PENDING: u8 = b'p';
pub(crate) const WAITING: u8 = b'w';
pub(crate) const HELD: u8 = b'h';
pub(crate) const META: u8 = b'm';
pub(crate) const LOG_HASH: u8 = b'g';
pub(crate) const LOG_ENTRY: u8 = b'e';
pub(crate) const LOG_LEAF: u8 = b'n';
pub(crate) const CHECKPOINT: u8 = b'q';
pub(crate) const RECORD: u8 = b'x';

/// One byte per kind, stable on disk.
pub(crate) fn kind_byte(kind: Kind) -> u8 {
    KINDS
        .iter()
        .position(|k| *k == kind)
        .map_or(0xff, |i| i as u8)
}

/// The kind of a [`kind_byte`].
#[cfg(test)]
fn kind_of_byte(b: u8) -> Option<Kind> {
    KINDS.get(usize::from(b)).copied()
}

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    out.push(prefix);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

pub(crate) fn object(id: &ObjectId) -> Vec<u8> {
    key(OBJECT, &[id.as_bytes()])
}
pub(crate) fn pending(id: &ObjectId) -> Vec<u8> {
    key(PENDING, &[id.as_bytes()])
}
/// A future-dated pending object, in order of its `created_at`.
pub(crate) fn held(created_at: u64, id: &ObjectId) -> Vec<u8> {
    key(HELD, &[&created_at.to_be_bytes(), id.as_bytes()])
}
/// The `created_at` of a [`held`] key.
pub(crate) fn held_time(key: &[u8]) -> Option<u64> {
    if key.len() != 1 + 8 + 32 || key[0] != HELD {
        return None;
    }
    Some(u64::from_be_bytes(key[1..9].try_into().ok()?))
}
pub(crate) fn seq(seq: u64) -> Vec<u8> {
    key(SEQ, &[&seq.to_be_bytes()])
}
pub(crate) fn time(created_at: u64, id: &ObjectId) -> Vec<u8> {
    key(TIME, &[&created_at.to_be_bytes(), id.as_bytes()])
}
pub(crate) fn kind_prefix(kind: Kind) -> Vec<u8> {
    key(KIND, &[&[kind_byte(kind)]])
}
/// The sync key a `t` index key holds.
pub(crate) fn sync_key(key: &[u8]) -> Option<SyncKey> {
    if key.len() != 1 + 8 + 32 || key[0] != TIME {
        return None;
    }
    let created_at = u64::from_be_bytes(key[1..9].try_into().ok()?);
    let id: [u8; 32] = key[9..].try_into().ok()?;
    Some(SyncKey::new(created_at, ObjectId(id)))
}

pub(crate) fn kind(kind: Kind, created_at: u64, id: &ObjectId) -> Vec<u8> {
    key(
        KIND,
        &[&[kind_byte(kind)], &created_at.to_be_bytes(), id.as_bytes()],
    )
}
pub(crate) fn author_prefix(author: &PublicKey) -> Vec<u8> {
    key(AUTHOR, &[author.as_bytes()])
}
pub(crate) fn author(author: &PublicKey, created_at: u64, id: &ObjectId) -> Vec<u8> {
    key(
        AUTHOR,
        &[author.as_bytes(), &created_at.to_be_bytes(), id.as_bytes()],
    )
}
pub(crate) fn section_prefix(charter: &ObjectId, section: &str, kind: Kind) -> Vec<u8> {
    key(
        SECTION,
        &[
            charter.as_bytes(),
            section.as_bytes(),
            &[0, kind_byte(kind)],
        ],
    )
}
pub(crate) fn section(
    charter: &ObjectId,
    section: &str,
    kind: Kind,
    created_at: u64,
    id: &ObjectId,
) -> Vec<u8> {
    let mut k = section_prefix(charter, section, kind);
    k.extend_from_slice(&created_at.to_be_bytes());
    k.extend_from_slice(id.as_bytes());
    k
}
pub(crate) fn referrer_prefix(target: &ObjectId, kind: Option<Kind>) -> Vec<u8> {
    match kind {
        Some(kind) => key(REFERRER, &[target.as_bytes(), &[kind_byte(kind)]]),
        None => key(REFERRER, &[target.as_bytes()]),
    }
}
pub(crate) fn referrer(target: &ObjectId, kind: Kind, created_at: u64, id: &ObjectId) -> Vec<u8> {
    key(
        REFERRER,
        &[
            target.as_bytes(),
            &[kind_byte(kind)],
            &created_at.to_be_bytes(),
            id.as_bytes(),
        ],
    )
}
pub(crate) fn revoked_prefix(revoked: &PublicKey) -> Vec<u8> {
    key(REVOKED, &[revoked.as_bytes()])
}
pub(crate) fn revoked(revoked: &PublicKey, id: &ObjectId) -> Vec<u8> {
    key(REVOKED, &[revoked.as_bytes(), id.as_bytes()])
}
pub(crate) fn waiting_prefix(missing: &ObjectId) -> Vec<u8> {
    key(WAITING, &[missing.as_bytes()])
}
pub(crate) fn waiting(missing: &ObjectId, waiter: &ObjectId) -> Vec<u8> {
    key(WAITING, &[missing.as_bytes(), waiter.as_bytes()])
}
/// One of the log tree's stored hashes.
pub(crate) fn log_hash(index: u64) -> Vec<u8> {
    key(LOG_HASH, &[&index.to_be_bytes()])
}
/// An object's log entry.
pub(crate) fn log_entry(id: &ObjectId) -> Vec<u8> {
    key(LOG_ENTRY, &[id.as_bytes()])
}
/// The log's entry at `index`.
pub(crate) fn log_leaf(index: u64) -> Vec<u8> {
    key(LOG_LEAF, &[&index.to_be_bytes()])
}
/// The checkpoint of the tree of `size` entries.
pub(crate) fn checkpoint(size: u64) -> Vec<u8> {
    key(CHECKPOINT, &[&size.to_be_bytes()])
}
/// A named record.
pub(crate) fn record(name: &str) -> Vec<u8> {
    key(RECORD, &[name.as_bytes()])
}
pub(crate) fn meta(name: &str) -> Vec<u8> {
    key(META, &[name.as_bytes()])
}

/// The value-less index keys of a stored object (`t`, `k`, `a`, `r`, and
/// `c` or `v` for its kind): every engine keeps exactly these, so every
/// engine lists in the same order.
pub(crate) fn index_keys(object: &SignedObject) -> Vec<Vec<u8>> {
    let id = object.id();
    let at = object.created_at();
    let kind = object.kind();
    let references = object.body().references();
    let mut out = Vec::with_capacity(4 + references.len());
    out.push(time(at, &id));
    out.push(self::kind(kind, at, &id));
    out.push(author(&object.author(), at, &id));
    for r in &references {
        out.push(referrer(r, kind, at, &id));
    }
    match object.body() {
        Body::Comment(c) => out.push(section(&c.charter, &c.section, kind, at, &id)),
        Body::Draft(d) => out.push(section(&d.charter, &d.section, kind, at, &id)),
        Body::Revocation(r) => out.push(revoked(&r.key, &id)),
        _ => {}
    }
    out
}

/// The object id that ends every index key (the last 32 bytes).
pub(crate) fn trailing_id(key: &[u8]) -> Option<ObjectId> {
    let tail = key.len().checked_sub(32).map(|start| &key[start..])?;
    Some(ObjectId(tail.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_bytes_round_trip() {
        for k in KINDS {
            assert_eq!(kind_of_byte(kind_byte(k)), Some(k));
        }
    }

    #[test]
    fn time_keys_sort_by_time_then_id() {
        let a = ObjectId([9; 32]);
        let b = ObjectId([1; 32]);
        assert!(time(1, &a) < time(2, &b));
        assert!(time(2, &b) < time(2, &a));
        assert_eq!(trailing_id(&time(5, &a)), Some(a));
    }

    #[test]
    fn section_prefixes_do_not_collide_across_slugs() {
        // "a" + 0x00 must never be a prefix of "a-b"'s keys.
        let c = ObjectId([0; 32]);
        let short = section_prefix(&c, "a", Kind::Comment);
        let long = section(&c, "a-b", Kind::Comment, 1, &c);
        assert!(!long.starts_with(&short));
    }
}
