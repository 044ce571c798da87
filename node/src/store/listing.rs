//! Listings, the same for every engine: which index keys a [`Listing`]
//! walks, where a [`Cursor`] starts it, and how a page is cut.
//!
//! Both engines keep the index keys of `keys.rs` in byte order (sled in its
//! tree, the memory engine in a `BTreeSet`), so one walk gives both the same
//! order and the same cursors.

use baraza_protocol::{ObjectId, SignedObject};

use super::{keys, Cursor, Listing, Page, StoreError, MAX_PAGE};

/// The index-key prefix a listing walks.
pub(crate) fn prefix(listing: &Listing) -> Vec<u8> {
    match listing {
        Listing::Kind(kind) => keys::kind_prefix(*kind),
        Listing::Author(author) => keys::author_prefix(author),
        Listing::Section {
            charter,
            section,
            kind,
        } => keys::section_prefix(charter, section, *kind),
        Listing::Referrers { target, kind } => keys::referrer_prefix(target, *kind),
    }
}

/// The first key a page may hold: strictly after the cursor's key, or the
/// prefix itself for the first page.
pub(crate) fn start(prefix: &[u8], after: Option<&Cursor>) -> Vec<u8> {
    let mut start = prefix.to_vec();
    if let Some(cursor) = after {
        start.extend_from_slice(cursor.position());
        start.push(0);
    }
    start
}

/// Cuts one page from `entries` (the index keys from [`start`] on, in
/// order): up to `limit` objects under `prefix`, skipping keys whose object
/// `get` does not find, and the cursor of the last one if more follow.
pub(crate) fn page<K: AsRef<[u8]>>(
    prefix: &[u8],
    entries: impl Iterator<Item = Result<K, StoreError>>,
    limit: usize,
    mut get: impl FnMut(&ObjectId) -> Result<Option<SignedObject>, StoreError>,
) -> Result<Page, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut objects = Vec::with_capacity(limit.min(64));
    let mut next = None;
    let mut last_key: Option<K> = None;
    for key in entries {
        let key = key?;
        if !key.as_ref().starts_with(prefix) {
            break;
        }
        if objects.len() == limit {
            next = last_key.map(|k| Cursor::from_position(&k.as_ref()[prefix.len()..]));
            break;
        }
        if let Some(object) = keys::trailing_id(key.as_ref())
            .map(|id| get(&id))
            .transpose()?
            .flatten()
        {
            objects.push(object);
            last_key = Some(key);
        }
    }
    Ok(Page { objects, next })
}

/// Every object named by `entries` (index keys, each ending in an id).
pub(crate) fn objects<K: AsRef<[u8]>>(
    entries: impl Iterator<Item = Result<K, StoreError>>,
    mut get: impl FnMut(&ObjectId) -> Result<Option<SignedObject>, StoreError>,
) -> Result<Vec<SignedObject>, StoreError> {
    let mut out = Vec::new();
    for key in entries {
        if let Some(object) = keys::trailing_id(key?.as_ref())
            .map(|id| get(&id))
            .transpose()?
            .flatten()
        {
            out.push(object);
        }
    }
    Ok(out)
}
