//! Audits (reports and bundles) evaluated by `baraza_protocol::audit` over
//! the store, on blocking threads, at most `audit_concurrency` at once (a
//! bundle may be up to 256 MiB in memory).
//!
//! A store error during an audit fails it ([`ServiceError::Store`]) rather
//! than yielding a report that silently calls the unreadable objects missing.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use baraza_protocol::audit::{self, AuditOptions, AuditReport, AuditSource, BundleError};
use baraza_protocol::tlog::LogProof;
use baraza_protocol::{ObjectId, PublicKey, SignedObject};

use super::objects::absent;
use super::{Service, ServiceError};
use crate::store::{ObjectStore, StoreError};

/// The store as an audit source. Store errors are logged and read as
/// "absent" (the trait has no error channel); the service uses `Checked`
/// instead, which turns them into a failed audit.
impl AuditSource for dyn ObjectStore {
    fn object(&self, id: &ObjectId) -> Option<SignedObject> {
        ObjectStore::get(self, id).unwrap_or_else(|error| {
            tracing::warn!(%error, id = %id.short(), "audit: object unreadable");
            None
        })
    }

    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject> {
        ObjectStore::referrers(self, id).unwrap_or_else(|error| {
            tracing::warn!(%error, id = %id.short(), "audit: referrers unreadable");
            Vec::new()
        })
    }

    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject> {
        ObjectStore::revocations_of(self, key).unwrap_or_else(|error| {
            tracing::warn!(%error, key = %key.short(), "audit: revocations unreadable");
            Vec::new()
        })
    }

    fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Vec<LogProof> {
        <dyn ObjectStore>::log_proofs(self, ids).unwrap_or_else(|error| {
            tracing::warn!(%error, "audit: log proofs unreadable");
            Vec::new()
        })
    }
}

/// The store as an audit source that remembers the first store error.
struct Checked<'a> {
    store: &'a dyn ObjectStore,
    failure: RefCell<Option<StoreError>>,
}

impl<'a> Checked<'a> {
    fn new(store: &'a dyn ObjectStore) -> Self {
        Checked {
            store,
            failure: RefCell::new(None),
        }
    }

    fn keep<T: Default>(&self, result: Result<T, StoreError>) -> T {
        result.unwrap_or_else(|error| {
            self.failure.borrow_mut().get_or_insert(error);
            T::default()
        })
    }

    fn finish(self) -> Result<(), ServiceError> {
        match self.failure.into_inner() {
            Some(error) => Err(error.into()),
            None => Ok(()),
        }
    }
}

impl AuditSource for Checked<'_> {
    fn object(&self, id: &ObjectId) -> Option<SignedObject> {
        self.keep(self.store.get(id))
    }
    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject> {
        self.keep(self.store.referrers(id))
    }
    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject> {
        self.keep(self.store.revocations_of(key))
    }
    fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Vec<LogProof> {
        self.keep(self.store.log_proofs(ids))
    }
}

/// The report of one audit over the store.
fn report(
    store: &dyn ObjectStore,
    id: &ObjectId,
    options: &AuditOptions,
) -> Result<AuditReport, ServiceError> {
    let source = Checked::new(store);
    let report = audit::audit(&source, id, options);
    source.finish()?;
    Ok(report)
}

impl Service {
    /// The audit report of `id`.
    pub async fn audit_report(
        &self,
        id: ObjectId,
        options: AuditOptions,
    ) -> Result<AuditReport, ServiceError> {
        self.run_audit(id, move |store| report(store, &id, &options))
            .await
    }

    /// The audit report of `id` as JSON (serialised on the blocking thread).
    pub async fn audit_report_json(
        &self,
        id: ObjectId,
        options: AuditOptions,
    ) -> Result<Vec<u8>, ServiceError> {
        self.run_audit(id, move |store| {
            let report = report(store, &id, &options)?;
            serde_json::to_vec(&report)
                .map_err(|e| ServiceError::Internal(format!("could not serialise the report: {e}")))
        })
        .await
    }

    /// The offline audit bundle of `id` (an RFC 8742 CBOR sequence).
    pub async fn audit_bundle(&self, id: ObjectId) -> Result<Vec<u8>, ServiceError> {
        self.run_audit(id, move |store| {
            let source = Checked::new(store);
            let bundle = audit::build_bundle(&source, &id);
            source.finish()?;
            bundle.map_err(|e| match e {
                BundleError::TargetMissing(id) => ServiceError::NotFound(id),
                other => ServiceError::Bundle(other),
            })
        })
        .await
    }

    /// Runs `work` on a blocking thread under the audit concurrency limit,
    /// after checking that the target is stored.
    async fn run_audit<T, F>(&self, id: ObjectId, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn ObjectStore) -> Result<T, ServiceError> + Send + 'static,
    {
        let store = self.store.clone();
        let check = store.clone();
        super::blocking(move || match check.contains(&id)? {
            true => Ok(()),
            false => Err(absent(&check, &id)),
        })
        .await?;
        // The permit moves into the blocking task: a request that times out
        // stops waiting, but its audit still counts until it really ends.
        let permit = Arc::clone(&self.audits)
            .acquire_owned()
            .await
            .map_err(|_| ServiceError::Internal("the audit limiter is closed".into()))?;
        super::blocking(move || {
            let _permit = permit;
            work(&store)
        })
        .await
    }
}
