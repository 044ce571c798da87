//! Reading one object: its decoded form or its exact signed bytes.

use baraza_protocol::{ObjectId, SignedObject};

use super::{blocking, Service, ServiceError};
use crate::store::ObjectStore;

impl Service {
    /// The object `id`, or [`ServiceError::NotFound`] /
    /// [`ServiceError::Pending`].
    pub async fn object(&self, id: ObjectId) -> Result<SignedObject, ServiceError> {
        let store = self.store.clone();
        blocking(move || store.get(&id)?.ok_or_else(|| absent(&store, &id))).await
    }

    /// The exact signed bytes of the object `id`, or
    /// [`ServiceError::NotFound`] / [`ServiceError::Pending`].
    pub async fn object_bytes(&self, id: ObjectId) -> Result<Vec<u8>, ServiceError> {
        let store = self.store.clone();
        blocking(move || store.get_bytes(&id)?.ok_or_else(|| absent(&store, &id))).await
    }

    /// Whether the object `id` is stored.
    pub async fn contains(&self, id: ObjectId) -> Result<bool, ServiceError> {
        let store = self.store.clone();
        blocking(move || Ok(store.contains(&id)?)).await
    }

    /// Which of `ids` are stored now (a store error reads as "not stored").
    pub async fn stored_of(&self, ids: Vec<ObjectId>) -> Result<Vec<bool>, ServiceError> {
        let store = self.store.clone();
        blocking(move || {
            Ok(ids
                .iter()
                .map(|id| store.contains(id).unwrap_or(false))
                .collect())
        })
        .await
    }
}

/// Why `id` is not readable: pending if it waits for references, not
/// found otherwise.
pub(crate) fn absent(store: &dyn ObjectStore, id: &ObjectId) -> ServiceError {
    if store.is_pending(id).unwrap_or(false) {
        ServiceError::Pending(*id)
    } else {
        ServiceError::NotFound(*id)
    }
}
