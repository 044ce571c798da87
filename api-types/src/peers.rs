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

/// `GET /v1/p2p`: the peer protocol's state (`status`, whatever the peer
/// protocol reports: peer id, network, listen addresses, peers, sessions,
/// blocked peers) plus the store's sync `index`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct P2pStatus<S = serde_json::Map<String, serde_json::Value>> {
    /// The peer protocol's own report.
    #[serde(flatten)]
    pub status: S,
    /// The store's sync index.
    pub index: IndexStatus,
}
