//! `/v1/p2p…`: the peer protocol through the API.

use serde::{Deserialize, Serialize};

/// The body of `POST /v1/p2p/sync` and `POST /v1/p2p/dial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerRequest {
    /// A multiaddr ending in `/p2p/<peer id>`.
    pub peer: String,
}

/// The 202 answer of `POST /v1/p2p/dial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialling {
    /// The multiaddr being dialled.
    pub dialling: String,
}

/// The full-range sync fingerprint of the store, in `GET /v1/p2p`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IndexStatus {
    /// The index is loaded.
    Ready {
        /// Ids in the index.
        keys: usize,
        /// Its fingerprint, hex.
        fingerprint: String,
    },
    /// The index is still loading after start-up (`{"loading": true}`).
    Loading {
        /// Always `true`.
        loading: bool,
    },
}

impl IndexStatus {
    /// Ids in the index, once loaded.
    pub fn keys(&self) -> Option<usize> {
        match self {
            IndexStatus::Ready { keys, .. } => Some(*keys),
            IndexStatus::Loading { .. } => None,
        }
    }

    /// The index's fingerprint (hex), once loaded.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            IndexStatus::Ready { fingerprint, .. } => Some(fingerprint),
            IndexStatus::Loading { .. } => None,
        }
    }
}

/// `GET /v1/p2p`: the peer protocol's state and the store's sync index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct P2pStatus {
    /// This node's peer id.
    pub peer_id: String,
    /// The network id.
    pub network: String,
    /// Addresses this node listens on, with `/p2p/<peer id>`.
    pub listen: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerStatus>,
    /// Sync sessions under way.
    pub sessions: Vec<SessionStatus>,
    /// Peers blocked for misbehaving.
    pub blocked: Vec<String>,
    /// The store's sync index.
    pub index: IndexStatus,
}

/// One connected peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerStatus {
    /// Peer id.
    pub peer: String,
    /// Address of the first connection.
    pub address: String,
    /// Whether identify confirmed the same network.
    pub confirmed: bool,
    /// The peer's agent string, once known.
    pub agent: Option<String>,
    /// Gossipsub score.
    pub score: Option<f64>,
}

/// A sync session under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStatus {
    /// The peer.
    pub peer: String,
    /// `reconciling` or `fetching`.
    pub phase: String,
    /// Progress so far.
    pub report: SyncReport,
    /// Ids still to fetch.
    pub queued: u64,
}

/// What one sync session with a peer did (the answer of `POST /v1/p2p/sync`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The peer.
    pub peer: String,
    /// Reconciliation round trips.
    pub rounds: u32,
    /// Ids the peer held that this node lacked.
    pub needed: u64,
    /// Objects received.
    pub fetched: u64,
    /// Newly stored.
    pub stored: u64,
    /// Held for missing references.
    pub pending: u64,
    /// Refused as invalid (the peer is penalised).
    pub invalid: u64,
    /// Bytes of frames received.
    pub bytes_in: u64,
    /// Bytes of frames sent.
    pub bytes_out: u64,
    /// Wall time, in milliseconds.
    pub millis: u64,
    /// Why the session ended early, if it did.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_ready_or_loading() {
        let ready: IndexStatus =
            serde_json::from_str(r#"{"keys": 3, "fingerprint": "00ff"}"#).expect("parses");
        assert_eq!((ready.keys(), ready.fingerprint()), (Some(3), Some("00ff")));
        let loading: IndexStatus = serde_json::from_str(r#"{"loading": true}"#).expect("parses");
        assert_eq!((loading.keys(), loading.fingerprint()), (None, None));
        assert_eq!(
            serde_json::to_string(&loading).expect("serialises"),
            r#"{"loading":true}"#
        );
    }
}
