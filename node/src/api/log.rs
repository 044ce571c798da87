//! `GET /v1/log…`: the node's transparency log (PROTOCOL.md §14).
//!
//! | endpoint | answer |
//! |---|---|
//! | `GET /v1/log` | origin, verifier key, size, latest checkpoint (JSON) |
//! | `GET /v1/log/checkpoint[?size=N]` | the signed checkpoint note (`text/plain`) |
//! | `GET /v1/log/entries?start=&limit=` | entries in log order |
//! | `GET /v1/log/inclusion?id=&size=` | an object's inclusion proof (default: into the latest checkpoint; `first=true`: the first kept checkpoint that includes it) |
//! | `GET /v1/log/consistency?old=&new=` | a consistency proof |
//! | `GET /v1/log/evidence` | logs this node holds equivocation evidence against |

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::{
    ConsistencyProof, CosignatureInfo, EquivocationInfo, Equivocations, InclusionProof, LogEntries,
    LogInfo,
};
use baraza_protocol::tlog::SignedCheckpoint;
use baraza_protocol::ObjectId;
use serde::Deserialize;

use crate::http::extract::ApiQuery;
use crate::http::{ApiError, ApiState, DEFAULT_PAGE};

/// The media type of signed notes (C2SP serves them as text).
const NOTE_TYPE: &str = "text/plain; charset=utf-8";

/// `GET /v1/log`.
pub(crate) async fn info(State(state): State<ApiState>) -> Result<Json<LogInfo>, ApiError> {
    let latest = state.service.log_checkpoint(None).await?;
    let cosignatures = latest
        .as_ref()
        .and_then(|(_, note)| SignedCheckpoint::verify(note).ok())
        .map(|signed| {
            signed
                .cosignatures
                .iter()
                .map(|c| CosignatureInfo {
                    witness: c.witness.key,
                    time: c.time_secs,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(LogInfo {
        cosignatures,
        origin: state.notary.origin().to_owned(),
        verifier_key: state.notary.verifier_key(),
        size: state.store.log_size(),
        checkpoint_size: latest.as_ref().map(|(size, _)| *size),
        checkpoint: latest.map(|(_, note)| String::from_utf8_lossy(&note).into_owned()),
        checkpoint_interval_secs: state.notary.checkpoint_interval_secs(),
    }))
}

/// `GET /v1/log/evidence`.
pub(crate) async fn evidence(
    State(state): State<ApiState>,
) -> Result<Json<Equivocations>, ApiError> {
    let store = state.store.clone();
    let found = tokio::task::spawn_blocking(move || crate::tlog::equivocations(&*store))
        .await?
        .map_err(|e| ApiError::from(&e))?;
    Ok(Json(Equivocations {
        equivocations: found
            .into_iter()
            .map(|(shown, evidence)| EquivocationInfo {
                node: shown.node,
                origin: shown.origin,
                sizes: [shown.sizes.0, shown.sizes.1],
                evidence,
            })
            .collect(),
    }))
}

/// `?size=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SizeQuery {
    size: Option<u64>,
}

/// `GET /v1/log/checkpoint`.
pub(crate) async fn checkpoint(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<SizeQuery>,
) -> Result<Response, ApiError> {
    let Some((_, note)) = state.service.log_checkpoint(query.size).await? else {
        return Err(ApiError::not_found(match query.size {
            Some(size) => format!("a checkpoint of the tree of {size} entries"),
            None => "a checkpoint (the log is empty, or the first is not signed yet)".into(),
        }));
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(NOTE_TYPE))],
        note,
    )
        .into_response())
}

/// `?start=&limit=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntriesQuery {
    #[serde(default)]
    start: u64,
    limit: Option<usize>,
}

/// `GET /v1/log/entries`.
pub(crate) async fn entries(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<EntriesQuery>,
) -> Result<Json<LogEntries>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    Ok(Json(state.service.log_entries(query.start, limit).await?))
}

/// `?id=&size=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InclusionQuery {
    id: ObjectId,
    size: Option<u64>,
    /// Into the first kept checkpoint that includes the entry, not the latest.
    #[serde(default)]
    first: bool,
}

/// `GET /v1/log/inclusion`.
pub(crate) async fn inclusion(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    if query.first && query.size.is_some() {
        return Err(ApiError::bad_request(
            "bad_query",
            "give size= or first=true, not both",
        ));
    }
    Ok(Json(
        state
            .service
            .log_inclusion(query.id, query.size, query.first)
            .await?,
    ))
}

/// `?old=&new=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyQuery {
    old: u64,
    new: u64,
}

/// `GET /v1/log/consistency`.
pub(crate) async fn consistency(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    Ok(Json(
        state.service.log_consistency(query.old, query.new).await?,
    ))
}
