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
use baraza_api_types as types;
use baraza_api_types::{Dialling, IndexStatus, PeerRequest};
use baraza_protocol::sync::SyncStore;
use libp2p::Multiaddr;

use crate::http::{ApiError, ApiState};
use crate::p2p::{self, P2pError, P2pHandle};

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
    Ok(Json(status_body(status, index)).into_response())
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

/// The peer protocol's state in its API shape.
fn status_body(status: p2p::P2pStatus, index: IndexStatus) -> types::P2pStatus {
    let p2p::P2pStatus {
        peer_id,
        network,
        listen,
        peers,
        sessions,
        blocked,
    } = status;
    types::P2pStatus {
        peer_id,
        network,
        listen,
        peers: peers
            .into_iter()
            .map(|p| types::PeerStatus {
                peer: p.peer,
                address: p.address,
                confirmed: p.confirmed,
                agent: p.agent,
                score: p.score,
            })
            .collect(),
        sessions: sessions
            .into_iter()
            .map(|s| types::SessionStatus {
                peer: s.peer,
                phase: s.phase.to_owned(),
                report: s.report,
                queued: s.queued,
            })
            .collect(),
        blocked,
        index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API shape serialises exactly as the peer protocol's own report
    /// did, with the index added.
    #[test]
    fn the_status_keeps_the_peer_protocols_fields() {
        let report = p2p::SyncReport {
            peer: "12D3".into(),
            rounds: 2,
            needed: 5,
            error: Some("gone".into()),
            ..p2p::SyncReport::default()
        };
        let status = p2p::P2pStatus {
            peer_id: "me".into(),
            network: "net".into(),
            listen: vec!["/ip4/127.0.0.1/tcp/1/p2p/me".into()],
            peers: vec![p2p::PeerStatus {
                peer: "12D3".into(),
                address: "/ip4/127.0.0.1/tcp/2".into(),
                confirmed: true,
                agent: None,
                score: Some(1.5),
            }],
            sessions: vec![p2p::SessionStatus {
                peer: "12D3".into(),
                phase: "fetching",
                report: report.clone(),
                queued: 3,
            }],
            blocked: vec!["bad".into()],
        };
        let mut expected = serde_json::to_value(&status).expect("serialises");
        expected["index"] = serde_json::json!({ "loading": true });
        let body = status_body(status, IndexStatus::Loading { loading: true });
        assert_eq!(serde_json::to_value(&body).expect("serialises"), expected);
    }
}
