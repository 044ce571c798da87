//! What goes into the peer protocol ([`InEvent`]) and what comes out of it
//! ([`OutEvent`]): plain data, so the state machine can be driven by the
//! swarm actor or by a simulated network alike.

use std::time::Instant;

use baraza_protocol::sync::wire::{SyncRequest, SyncResponse};
use baraza_protocol::ObjectId;
use libp2p::core::ConnectedPoint;
use libp2p::gossipsub::MessageId;
use libp2p::swarm::ConnectionId;
use libp2p::{Multiaddr, PeerId};

use crate::p2p::ingest::Applied;
use crate::p2p::SyncReport;

/// Someone waiting for a sync session's report (`sync --peer`). The actor
/// parks the reply channel under this id; the protocol only passes ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct WaiterId(pub(crate) u64);

/// An outbound sync request, numbered by the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RequestTag(pub(crate) u64);

/// An inbound sync request, numbered by the driver (which parks the
/// response channel under it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AnswerTag(pub(crate) u64);

/// What a batch handed to ingest was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IngestJob {
    /// One gossip message, not yet validated.
    Gossip {
        /// The gossipsub message id.
        message: MessageId,
        /// The peer it came from.
        source: PeerId,
        /// The object it carries (its content hash).
        object: ObjectId,
    },
    /// One fetch answer of a sync session.
    Fetch {
        /// The peer that answered.
        peer: PeerId,
        /// The ids the answer covered.
        asked: Vec<ObjectId>,
    },
}

/// A timer the protocol asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Timer {
    /// Housekeeping once a second: parked messages, bans, periodic sync,
    /// dial waits, re-dials.
    Tick,
    /// The session with this peer may fetch again after a busy answer.
    Resume(PeerId),
    /// A gossip message parked [`PARK_FOR`](crate::p2p::awaiting::PARK_FOR) ago may be due.
    Unpark,
}

/// How a gossip message is reported to gossipsub (and counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GossipVerdict {
    /// Valid and stored or held: forward it.
    Accept,
    /// Do not forward; no penalty.
    Ignore,
    /// Invalid: do not forward, penalise the sender.
    Reject,
}

/// Why a dial was asked for (the driver logs and answers accordingly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialPurpose {
    /// A bootstrap peer that is not connected.
    Bootstrap,
    /// A peer found by mDNS.
    Discovered,
    /// `sync --peer` for a peer not connected yet.
    Sync {
        /// The peer.
        peer: PeerId,
        /// Who waits.
        waiter: WaiterId,
    },
}

/// A metric to count (the driver maps each onto [`P2pMetrics`](crate::p2p::metrics::P2pMetrics)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    /// Connected peers now.
    Peers(usize),
    /// A gossip message rejected before verification, or as invalid.
    GossipRejection(&'static str),
    /// A sync session ended (well or not).
    Session {
        /// Whether it ended without an error.
        ok: bool,
    },
    /// Objects received in fetch answers.
    Fetched(u64),
    /// Sync frame bytes.
    SyncBytes {
        /// Received.
        received: u64,
        /// Sent.
        sent: u64,
    },
    /// A peer banned.
    Ban,
    /// An inbound connection closed for its address's count.
    RefusedConnection,
    /// An inbound sync request answered busy.
    SyncRefusal,
    /// A peer of another network.
    WrongNetwork,
}

/// Everything that happens to the peer protocol.
#[derive(Debug)]
pub(crate) enum InEvent {
    /// The node starts: dial the bootstrap peers, start the tick.
    Start,
    /// A connection to `peer` is established.
    Connected {
        /// The peer.
        peer: PeerId,
        /// The connection.
        connection: ConnectionId,
        /// Who dialled whom, and the addresses.
        endpoint: ConnectedPoint,
    },
    /// A connection to `peer` closed.
    Disconnected {
        /// The peer.
        peer: PeerId,
        /// The connection.
        connection: ConnectionId,
        /// Connections to the peer still open.
        remaining: u32,
    },
    /// Identify told us about the peer.
    Identified {
        /// The peer.
        peer: PeerId,
        /// Its protocol version (which names its network).
        protocol_version: String,
        /// Its agent string.
        agent: String,
        /// Its listen addresses.
        listen_addrs: Vec<Multiaddr>,
    },
    /// mDNS found a peer.
    Discovered {
        /// The peer.
        peer: PeerId,
        /// Where.
        addr: Multiaddr,
    },
    /// Kademlia can route to a peer.
    Routable(PeerId),
    /// A dial to `peer` failed.
    DialFailed {
        /// The peer.
        peer: PeerId,
        /// The error, short.
        error: String,
        /// The error with its causes.
        detail: String,
    },
    /// A gossip message arrived (not yet validated).
    Gossip {
        /// The gossipsub message id.
        message: MessageId,
        /// The peer that sent it to us.
        source: PeerId,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// A peer subscribed to our topic.
    PeerSubscribed,
    /// The store stored an object (from any source).
    Stored {
        /// Its id.
        id: ObjectId,
        /// Its bytes, to publish.
        bytes: Vec<u8>,
    },
    /// Publishing found no peer to send to (or full queues).
    PublishFailed,
    /// A batch handed to ingest was applied.
    Ingested {
        /// What it was for.
        job: IngestJob,
        /// What the store made of it.
        applied: Applied,
    },
    /// A peer asks us something.
    Request {
        /// The peer.
        peer: PeerId,
        /// Where the answer goes.
        tag: AnswerTag,
        /// The request.
        request: SyncRequest,
    },
    /// Objects asked for by [`OutEvent::ReadObjects`] were read.
    ObjectsRead {
        /// The request they answer.
        tag: AnswerTag,
        /// The answer.
        response: SyncResponse,
    },
    /// A peer answered one of our requests.
    Response {
        /// The peer.
        peer: PeerId,
        /// Our request.
        tag: RequestTag,
        /// Its answer.
        response: SyncResponse,
    },
    /// One of our requests failed.
    RequestFailed {
        /// The peer.
        peer: PeerId,
        /// Our request, if the driver knew it.
        tag: Option<RequestTag>,
        /// Why.
        error: String,
        /// Whether the peer's answer was malformed (an offence).
        malformed: bool,
    },
    /// A peer's request failed on our side.
    InboundFailed {
        /// The peer.
        peer: PeerId,
        /// Why.
        error: String,
        /// Whether the request was malformed (an offence).
        malformed: bool,
    },
    /// `sync --peer`: a session with this peer is wanted.
    SyncWanted {
        /// The peer.
        peer: PeerId,
        /// Its address (dialled if it is not connected).
        addr: Multiaddr,
        /// Who waits for the report.
        waiter: WaiterId,
    },
    /// The dial for a wanted sync could not start.
    SyncDialFailed {
        /// The peer.
        peer: PeerId,
        /// Who waits.
        waiter: WaiterId,
        /// Why.
        error: String,
    },
    /// A timer asked for by [`OutEvent::ScheduleTimer`] is due.
    TimerExpired(Timer),
    /// The node stops: sessions end.
    Shutdown,
}

/// Everything the peer protocol asks its driver to do.
#[derive(Debug)]
pub(crate) enum OutEvent {
    /// Deliver [`InEvent::TimerExpired`] at `at`.
    ScheduleTimer {
        /// When.
        at: Instant,
        /// Which.
        timer: Timer,
    },
    /// Dial an address.
    Dial {
        /// The address.
        addr: Multiaddr,
        /// Why.
        purpose: DialPurpose,
    },
    /// Dial a peer by id (Kademlia knows its addresses).
    DialPeer(PeerId),
    /// Tell Kademlia where a peer listens.
    AddAddresses {
        /// The peer.
        peer: PeerId,
        /// Its addresses.
        addrs: Vec<Multiaddr>,
    },
    /// Run a Kademlia bootstrap.
    KadBootstrap,
    /// Close one connection.
    CloseConnection(ConnectionId),
    /// Disconnect a peer.
    Disconnect(PeerId),
    /// Block and disconnect a peer, and blacklist it on gossip.
    Ban(PeerId),
    /// Lift a ban.
    Unban(PeerId),
    /// Report a gossip message's validation.
    ReportGossip {
        /// The message.
        message: MessageId,
        /// The peer it came from.
        source: PeerId,
        /// The verdict.
        verdict: GossipVerdict,
    },
    /// Publish a stored object on gossip.
    Publish {
        /// Its id.
        id: ObjectId,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// Decode, verify and store these encodings; answer with [`InEvent::Ingested`].
    Ingest {
        /// What they are for.
        job: IngestJob,
        /// The encodings.
        encodings: Vec<Vec<u8>>,
    },
    /// Read these objects for a fetch answer; answer with [`InEvent::ObjectsRead`].
    ReadObjects {
        /// The request.
        tag: AnswerTag,
        /// The ids asked for.
        ids: Vec<ObjectId>,
    },
    /// Answer a peer's request.
    Respond {
        /// The request.
        tag: AnswerTag,
        /// The answer.
        response: SyncResponse,
    },
    /// Send a request to a peer.
    SendRequest {
        /// The peer.
        peer: PeerId,
        /// Our number for it.
        tag: RequestTag,
        /// The request.
        request: SyncRequest,
    },
    /// Answer everyone waiting for a sync with `peer`.
    Reply {
        /// Who.
        waiters: Vec<WaiterId>,
        /// The peer.
        peer: PeerId,
        /// The session's report, or why there was none.
        result: Result<SyncReport, String>,
    },
    /// Count a metric.
    Count(Count),
}
