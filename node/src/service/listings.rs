//! Cursor-paged listings of the store's indexes.

use baraza_protocol::SignedObject;

use super::{blocking, Service, ServiceError};
use crate::store::{Cursor, Listing, ObjectStore, Page};

impl Service {
    /// One page of `listing` after the cursor `after` (a page decodes up
    /// to 1000 objects, so it is read on a blocking thread).
    pub async fn page(
        &self,
        listing: Listing,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Page, ServiceError> {
        let store = self.store.clone();
        blocking(move || Ok(store.list(&listing, after.as_ref(), limit)?)).await
    }
}

/// Every object of a listing (up to `most`), across pages. Blocking: call
/// it inside [`blocking`](super::blocking).
pub(crate) fn all(
    store: &dyn ObjectStore,
    listing: &Listing,
    most: usize,
) -> Result<Vec<SignedObject>, ServiceError> {
    let mut out = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let Page { objects, next } = store.list(
            listing,
            after.as_ref(),
            most.saturating_sub(out.len()).max(1),
        )?;
        out.extend(objects);
        match next {
            Some(cursor) if out.len() < most => after = Some(cursor),
            _ => return Ok(out),
        }
    }
}
