//! The tree: the hashes an engine stores per entry, tree hashes, and
//! inclusion and consistency proofs (RFC 9162 §2.1), computed by
//! `tlog_tiles` over the engine's stored hashes and checked here with
//! bounds on everything a peer or a file controls.

use std::cell::RefCell;

use tlog_tiles::{Hash, HashReader};

use super::{LogError, LogLeaf};

/// Most hashes any inclusion or consistency proof needs (a tree of 2^64
/// entries needs at most 2 × 64).
pub const MAX_PROOF_HASHES: usize = 128;

/// An engine's stored hashes, by stored-hash index (`tlog_tiles`' layout:
/// the hashes [`stored_hashes`] returned for entry n are stored from
/// index `stored_hash_index(0, n)` on, one after another).
pub trait StoredHashes {
    /// The hashes at `indexes`, in that order; an error if any is missing
    /// or cannot be read.
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String>;
}

/// Adapts [`StoredHashes`] to `tlog_tiles`, keeping the engine's error.
struct Reader<'a, S: ?Sized> {
    store: &'a S,
    error: RefCell<Option<String>>,
}

impl<S: StoredHashes + ?Sized> HashReader for Reader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        match self.store.read(indexes) {
            Ok(hashes) if hashes.len() == indexes.len() => Ok(hashes),
            Ok(hashes) => {
                *self.error.borrow_mut() = Some(format!(
                    "asked for {} hashes, read {}",
                    indexes.len(),
                    hashes.len()
                ));
                Err(tlog_tiles::Error::IndexesNotInTree)
            }
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                Err(tlog_tiles::Error::IndexesNotInTree)
            }
        }
    }
}

fn run<S: StoredHashes + ?Sized, T>(
    store: &S,
    f: impl FnOnce(&Reader<'_, S>) -> Result<T, tlog_tiles::Error>,
) -> Result<T, LogError> {
    let reader = Reader {
        store,
        error: RefCell::new(None),
    };
    f(&reader).map_err(|e| LogError::Storage(reader.error.take().unwrap_or_else(|| e.to_string())))
}

/// The hashes to store when appending `leaf` as entry `index` of a tree
/// that holds entries `0..index`: `(stored-hash index, hash)`, the leaf's
/// record hash first, then each subtree it completes.
pub fn stored_hashes<S: StoredHashes + ?Sized>(
    index: u64,
    leaf: &LogLeaf,
    store: &S,
) -> Result<Vec<(u64, Hash)>, LogError> {
    let first = tlog_tiles::stored_hash_index(0, index);
    let hashes = run(store, |r| {
        tlog_tiles::stored_hashes_for_record_hash(index, leaf.hash(), r)
    })?;
    Ok((first..).zip(hashes).collect())
}

/// The root hash of the tree of the first `size` entries.
pub fn tree_hash<S: StoredHashes + ?Sized>(size: u64, store: &S) -> Result<Hash, LogError> {
    run(store, |r| tlog_tiles::tree_hash(size, r))
}

/// The proof that entry `index` is in the tree of `size` entries.
pub fn inclusion_proof<S: StoredHashes + ?Sized>(
    index: u64,
    size: u64,
    store: &S,
) -> Result<Vec<Hash>, LogError> {
    if index >= size {
        return Err(LogError::OutOfRange {
            what: "index",
            detail: format!("entry {index} is not in a tree of {size}"),
        });
    }
    run(store, |r| tlog_tiles::prove_record(size, index, r))
}

/// The proof that the tree of `old` entries is a prefix of the tree of
/// `new` entries (empty when `old` is 0 or equals `new`).
pub fn consistency_proof<S: StoredHashes + ?Sized>(
    old: u64,
    new: u64,
    store: &S,
) -> Result<Vec<Hash>, LogError> {
    if old > new {
        return Err(LogError::OutOfRange {
            what: "old size",
            detail: format!("{old} is larger than the new size {new}"),
        });
    }
    if old == 0 {
        return Ok(Vec::new());
    }
    run(store, |r| tlog_tiles::prove_tree(new, old, r))
}

fn check_length(proof: &[Hash]) -> Result<(), LogError> {
    if proof.len() > MAX_PROOF_HASHES {
        return Err(LogError::ProofTooLong {
            len: proof.len(),
            limit: MAX_PROOF_HASHES,
        });
    }
    Ok(())
}

/// Checks that `proof` proves the entry with hash `leaf` at `index` in the
/// tree of `size` entries with root `root`.
pub fn verify_inclusion(
    leaf: Hash,
    index: u64,
    size: u64,
    root: Hash,
    proof: &[Hash],
) -> Result<(), LogError> {
    check_length(proof)?;
    if index >= size {
        return Err(LogError::OutOfRange {
            what: "index",
            detail: format!("entry {index} is not in a tree of {size}"),
        });
    }
    tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf)
        .map_err(|_| LogError::ProofInvalid("inclusion"))
}

/// Checks that `proof` proves the tree of `old_size` entries with root
/// `old_root` a prefix of the tree of `new_size` entries with `new_root`.
pub fn verify_consistency(
    old_size: u64,
    old_root: Hash,
    new_size: u64,
    new_root: Hash,
    proof: &[Hash],
) -> Result<(), LogError> {
    check_length(proof)?;
    if old_size > new_size {
        return Err(LogError::OutOfRange {
            what: "old size",
            detail: format!("{old_size} is larger than the new size {new_size}"),
        });
    }
    if old_size == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(LogError::ProofInvalid("consistency"))
        };
    }
    tlog_tiles::check_tree(&proof.to_vec(), new_size, new_root, old_size, old_root)
        .map_err(|_| LogError::ProofInvalid("consistency"))
}
