//! The peer protocol: its decisions are an IO-free state machine
//! (`protocol`), driven by one task that owns the libp2p [`Swarm`](libp2p::Swarm)
//! (`actor`);
//! the rest of the node talks to it through a cloneable [`P2pHandle`]
//! (bounded command channel, oneshot replies).
//!
//! - **Transport**: TCP + Noise + Yamux; the node key is the libp2p identity.
//! - **Identify** carries the network id as its protocol version
//!   (`/baraza/<network>/1`): a peer of another network is disconnected and
//!   kept out, with a log line naming both networks.
//! - **Gossip** ([`behaviour`]): every object this node stores is published;
//!   incoming messages are decoded, verified and stored before gossipsub
//!   may forward them.
//! - **Sync** (`/baraza/sync/1`, [`codec`]): range-based reconciliation over
//!   the store's in-memory [`SyncIndex`](baraza_protocol::sync::SyncIndex),
//!   then batched fetches verified with batch verification. Runs when a peer
//!   is confirmed, every `p2p.sync_interval_secs`, and on demand.
//! - **Penalties** ([`peers`]): a peer that sends invalid objects or frames
//!   is disconnected and blocked for a while after a few offences.

mod actor;
mod awaiting;
pub mod behaviour;
pub mod codec;
mod effects;
mod ingest;
mod limits;
pub mod metrics;
pub mod peers;
mod protocol;
mod recent;
mod session;
mod status;
mod swarm;
mod witness_edge;
pub mod witnessing;

use std::time::Duration;

use libp2p::{Multiaddr, PeerId};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

pub use actor::start;

/// Commands the handle can queue before senders wait.
pub const COMMAND_QUEUE: usize = 1024;

/// Why the peer protocol could not start or answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum P2pError {
    /// A behaviour or the transport could not be built.
    #[error("cannot set up the peer protocol: {0}")]
    Setup(String),
    /// A listen address could not be bound.
    #[error("cannot listen for peers on {addr}: {message} (is another node running? change p2p.listen or --listen)")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        message: String,
    },
    /// An address is not a usable multiaddr.
    #[error("{0}")]
    Address(String),
    /// Dialling or syncing with a peer failed.
    #[error("peer {peer}: {message}")]
    Peer {
        /// The peer, as given.
        peer: String,
        /// What went wrong.
        message: String,
    },
    /// The peer-protocol task has stopped.
    #[error("the peer-protocol task has stopped")]
    Stopped,
}

/// Settings of the peer protocol, from the node config.
#[derive(Debug, Clone)]
pub struct P2pSettings {
    /// Network id.
    pub network: String,
    /// Listen addresses.
    pub listen: Vec<Multiaddr>,
    /// Peers to dial at start and re-dial when lost.
    pub bootstrap: Vec<Multiaddr>,
    /// Kademlia discovery.
    pub discovery: bool,
    /// mDNS discovery.
    pub mdns: bool,
    /// Time between periodic syncs with each peer.
    pub sync_interval: Duration,
    /// Most established connections.
    pub max_connections: u32,
}

/// What one sync session with a peer did: the API's own type
/// (`POST /v1/p2p/sync` answers it as it is).
pub use baraza_api_types::SyncReport;

/// One connected peer, as `status` reports it.
#[derive(Debug, Clone, Serialize)]
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

/// A running sync session, as `status` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionStatus {
    /// The peer.
    pub peer: String,
    /// `reconciling` or `fetching`.
    pub phase: &'static str,
    /// Progress so far.
    pub report: SyncReport,
    /// Ids still to fetch.
    pub queued: u64,
}

/// The peer protocol's state.
#[derive(Debug, Clone, Serialize)]
pub struct P2pStatus {
    /// This node's peer id.
    pub peer_id: String,
    /// Network id.
    pub network: String,
    /// Addresses this node listens on, with `/p2p/<peer id>`.
    pub listen: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerStatus>,
    /// Sync sessions under way.
    pub sessions: Vec<SessionStatus>,
    /// Peers blocked for misbehaving.
    pub blocked: Vec<String>,
}

pub(crate) enum Command {
    Sync {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<SyncReport, P2pError>>,
    },
    Dial {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<(), P2pError>>,
    },
    Status(oneshot::Sender<P2pStatus>),
    Shutdown(oneshot::Sender<()>),
    /// Ask `peer` to cosign a checkpoint.
    Witness {
        peer: PeerId,
        request: baraza_protocol::tlog::WitnessRequest,
        reply: oneshot::Sender<Result<baraza_protocol::tlog::WitnessResponse, P2pError>>,
    },
    /// Publish equivocation evidence on gossip.
    PublishEvidence(Vec<u8>),
}

/// A cloneable handle to the peer-protocol task.
#[derive(Clone)]
pub struct P2pHandle {
    commands: mpsc::Sender<Command>,
    peer_id: PeerId,
}

impl P2pHandle {
    /// This node's peer id.
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    /// Dials `addr` (which must end in `/p2p/<peer id>`), runs one sync
    /// session with that peer, and returns what it did.
    pub async fn sync_with(&self, addr: Multiaddr) -> Result<SyncReport, P2pError> {
        self.ask(|reply| Command::Sync { addr, reply }).await?
    }

    /// Dials `addr` and keeps the connection (a peer joins the gossip mesh
    /// and syncs as any other).
    pub async fn dial(&self, addr: Multiaddr) -> Result<(), P2pError> {
        self.ask(|reply| Command::Dial { addr, reply }).await?
    }

    /// Asks `peer` to cosign a checkpoint of this node's log.
    pub async fn witness(
        &self,
        peer: PeerId,
        request: baraza_protocol::tlog::WitnessRequest,
    ) -> Result<baraza_protocol::tlog::WitnessResponse, P2pError> {
        self.ask(|reply| Command::Witness {
            peer,
            request,
            reply,
        })
        .await?
    }

    /// Publishes equivocation evidence (JSON) on gossip.
    pub async fn publish_evidence(&self, evidence: Vec<u8>) -> Result<(), P2pError> {
        self.commands
            .send(Command::PublishEvidence(evidence))
            .await
            .map_err(|_| P2pError::Stopped)
    }

    /// The peer protocol's state.
    pub async fn status(&self) -> Result<P2pStatus, P2pError> {
        self.ask(Command::Status).await
    }

    /// Stops the task; returns once the swarm is dropped.
    pub async fn shutdown(&self) {
        let _ = self.ask(Command::Shutdown).await;
    }

    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, P2pError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(command(reply))
            .await
            .map_err(|_| P2pError::Stopped)?;
        answer.await.map_err(|_| P2pError::Stopped)
    }
}

/// Splits `/…/p2p/<peer id>` into the peer id and the address.
pub fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(peer) => Some(peer),
        _ => None,
    })
}
