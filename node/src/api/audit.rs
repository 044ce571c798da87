//! `GET /v1/audit/{id}` (the JSON audit report) and
//! `GET /v1/audit/{id}/bundle` (the offline bundle, an RFC 8742 CBOR
//! sequence), both evaluated by `baraza_protocol::audit` over the store.
//!
//! Audits read many objects and can take a while on a big consultation, so
//! they run on blocking threads, at most `ApiLimits::audit_concurrency` at
//! once (a bundle may be up to 256 MiB in memory). `?as_of=MS` passes the
//! auditor's clock (only future-dating depends on it); without it the report
//! is the same on every node holding the same objects.
//!
//! A store error during an audit fails the request (503) rather than
//! yielding a report that silently calls the unreadable objects missing.

use std::cell::RefCell;
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use baraza_protocol::audit::{self, AuditOptions, AuditSource, BundleError};
use baraza_protocol::{ObjectId, PublicKey, SignedObject};
use serde::Deserialize;

use super::error::ApiError;
use super::objects::absent;
use super::{params, ApiState};
use crate::store::{ObjectStore, StoreError};

/// The store as an audit source. Store errors are logged and read as
/// "absent" (the trait has no error channel); the API uses `Checked`
/// instead, which turns them into a failed request.
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

    fn finish(self) -> Result<(), ApiError> {
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
}

/// `?as_of=MS`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AuditQuery {
    as_of: Option<u64>,
}

/// `GET /v1/audit/{id}`.
pub(crate) async fn report(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = params::object_id(&params::path(path)?)?;
    let options = AuditOptions {
        as_of: params::query(query)?.as_of,
    };
    let json = run(&state, id, move |store| {
        let source = Checked::new(store);
        let report = audit::audit(&source, &id, &options);
        source.finish()?;
        serde_json::to_vec(&report)
            .map_err(|e| ApiError::internal(format!("could not serialise the report: {e}")))
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// The audit report of `id`, under the same limits as
/// `GET /v1/audit/{id}` (for the web pages).
pub(crate) async fn report_of(
    state: &ApiState,
    id: ObjectId,
    options: AuditOptions,
) -> Result<audit::AuditReport, ApiError> {
    run(state, id, move |store| {
        let source = Checked::new(store);
        let report = audit::audit(&source, &id, &options);
        source.finish()?;
        Ok(report)
    })
    .await
}

/// `GET /v1/audit/{id}/bundle`.
pub(crate) async fn bundle(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = params::object_id(&params::path(path)?)?;
    let bytes = run(&state, id, move |store| {
        let source = Checked::new(store);
        let bundle = audit::build_bundle(&source, &id);
        source.finish()?;
        bundle.map_err(|e| bundle_error(&e))
    })
    .await?;
    let disposition = format!("attachment; filename=\"audit-{}.cbor-seq\"", id.short());
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/cbor-seq"),
        )],
        bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Runs `work` on a blocking thread under the audit concurrency limit,
/// after checking that the target is stored (404 otherwise).
async fn run<T, F>(state: &ApiState, id: ObjectId, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn ObjectStore) -> Result<T, ApiError> + Send + 'static,
{
    if !state.store.contains(&id)? {
        return Err(absent(&state.store, &id));
    }
    // The permit moves into the blocking task: a request that times out
    // stops waiting, but its audit still counts until it really ends.
    let permit = Arc::clone(&state.shared.audits)
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal("the audit limiter is closed"))?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&store)
    })
    .await?
}

fn bundle_error(error: &BundleError) -> ApiError {
    match error {
        BundleError::TargetMissing(id) => ApiError::not_found(format!("object {id}")),
        BundleError::TooLarge { .. } | BundleError::TooManyObjects { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bundle_too_large",
            format!("{error}; the audit report (GET /v1/audit/{{id}}) is still available"),
        ),
        _ => ApiError::internal(error.to_string()),
    }
}
