//! The peer protocol through the API, for operators and the CLI (the API
//! listens on loopback by default; these routes let whoever can reach it
//! make the node dial out):
//!
//! - `GET /v1/p2p`: this node's peer id, listen addresses, connected peers,
//!   sync sessions under way, banned peers, and the full-range sync
//!   fingerprint of its store (two nodes holding the same objects show the
//!   same `keys` and `fingerprint`; `{"loading": true}` while the index
//!   loads after start-up).
//! - `POST /v1/p2p/sync` `{"peer": MULTIADDR}`: dial the peer if needed,
//!   run one sync session, answer with its report.
//! - `POST /v1/p2p/dial` `{"peer": MULTIADDR}`: dial and keep the peer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::{Dialling, IndexStatus, P2pStatus, PeerRequest};
use baraza_protocol::sync::SyncStore;
use libp2p::Multiaddr;

use crate::http::{ApiError, ApiState};
use crate::p2p::{P2pError, P2pHandle};

fn handle(state: &ApiState) -> Result<&P2pHandle, ApiError> {
    state.p2p.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "p2p_disabled",
            "this node runs without the peer protocol",
        )
    })
}

fn addr(body: &PeerRequest) -> Result<Multiaddr, ApiError> {
    body.peer.parse().map_err(|e| {
        ApiError::bad_request(
            "invalid_multiaddr",
            format!("{:?} is not a multiaddr: {e}", body.peer),
        )
    })
}

fn p2p_error(e: P2pError) -> ApiError {
    match e {
        P2pError::Address(m) => ApiError::bad_request("invalid_multiaddr", m),
        P2pError::Peer { .. } => {
            ApiError::new(StatusCode::BAD_GATEWAY, "peer_failed", e.to_string())
        }
        other => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "p2p_unavailable",
            other.to_string(),
        ),
    }
}

/// `GET /v1/p2p`.
pub(crate) async fn status(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let status = handle(&state)?.status().await.map_err(p2p_error)?;
    let index = state
        .store
        .with_sync_index(|index| (index.len(), index.fingerprint(0..index.len())));
    let index = match index {
        Some((keys, fingerprint)) => IndexStatus::Ready {
            keys,
            fingerprint: hex::encode(fingerprint.0),
        },
        None => IndexStatus::Loading { loading: true },
    };
    Ok(Json(P2pStatus { status, index }).into_response())
}

/// `POST /v1/p2p/sync`.
pub(crate) async fn sync(
    State(state): State<ApiState>,
    Json(body): Json<PeerRequest>,
) -> Result<Response, ApiError> {
    let report = handle(&state)?
        .sync_with(addr(&body)?)
        .await
        .map_err(p2p_error)?;
    Ok(Json(report).into_response())
}

/// `POST /v1/p2p/dial`.
pub(crate) async fn dial(
    State(state): State<ApiState>,
    Json(body): Json<PeerRequest>,
) -> Result<Response, ApiError> {
    handle(&state)?
        .dial(addr(&body)?)
        .await
        .map_err(p2p_error)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Dialling {
            dialling: body.peer,
        }),
    )
        .into_response())
}
