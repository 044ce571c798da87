//! The peer protocol as an IO-free state machine, in the way of
//! iroh-gossip: [`PeerProtocol::handle`] takes one [`InEvent`] and the
//! current time and returns the [`OutEvent`]s it decided on. It makes every
//! decision — gossip verdicts and parking, sync sessions, offences and bans,
//! rate limits, re-dials — and does nothing itself: no swarm, no store
//! writes, no clock, no channels. Timers are data ([`OutEvent::ScheduleTimer`],
//! [`InEvent::TimerExpired`]); the few store reads a decision needs go
//! through [`StoreView`], gossipsub's score through [`PeerScores`].
//!
//! The swarm actor ([`super::actor`]) drives it over libp2p and the store;
//! the simulation test (`sim`) drives many of them over an in-memory
//! network in virtual time.

mod answer;
mod events;
mod gossip;
mod peering;
mod sessions;

#[cfg(test)]
mod sim;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use baraza_protocol::sync::{Reconciler, SyncIndex};
use baraza_protocol::ObjectId;
use libp2p::{Multiaddr, PeerId};

pub(crate) use events::{
    AnswerTag, Count, DialPurpose, GossipVerdict, InEvent, IngestJob, OutEvent, RequestTag, Timer,
    WaiterId,
};

use super::awaiting::AwaitingParents;
use super::limits::{InboundByIp, RequestBuckets};
use super::peers::Penalties;
use super::recent::RecentIds;
use super::session::Session;
use super::SessionStatus;

/// Gossip messages being verified at once; more are ignored (sync covers them).
pub(crate) const GOSSIP_SLOTS: usize = 256;
/// Fetch requests answered at once, across all peers (each reads up to
/// 4 MiB off the store); more are answered busy.
pub(crate) const FETCH_SLOTS: usize = 16;
/// Refused object ids remembered, so they are not fetched again.
const REFUSED_MEMORY: usize = 100_000;
/// Ids recently received from peers, not to be re-published.
const FROM_PEERS_MEMORY: usize = 100_000;
/// How long `sync --peer` waits for the peer to connect and confirm.
pub(crate) const DIAL_WAIT: Duration = Duration::from_secs(30);
/// How often lost bootstrap peers are re-dialled.
pub(crate) const REDIAL_EVERY: Duration = Duration::from_secs(30);
/// Peers below which Kademlia-discovered peers are dialled.
pub(crate) const TARGET_PEERS: usize = 16;
/// Shortest time between two sessions with the same peer started on
/// connect or confirmation (periodic and on-demand ones are not held back).
pub(crate) const RESYNC_GAP: Duration = Duration::from_secs(5);
/// The housekeeping period.
pub(crate) const TICK: Duration = Duration::from_secs(1);

/// The store reads protocol decisions need (the sled store in the node, a
/// map in the simulation). Errors read as "no".
pub(crate) trait StoreView {
    /// Whether the object is stored.
    fn contains(&self, id: &ObjectId) -> bool;
    /// Whether the object is stored or pending (its bytes are here).
    fn holds(&self, id: &ObjectId) -> bool;
    /// Runs `f` over the sync index; `None` while it is still loading.
    fn with_sync_index<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R>;
}

/// Gossipsub's score of a peer, if it has one.
pub(crate) trait PeerScores {
    /// The score.
    fn score(&self, peer: &PeerId) -> Option<f64>;
}

/// What the driver knows about its surroundings, for one event.
pub(crate) trait Env: StoreView + PeerScores {}
impl<T: StoreView + PeerScores> Env for T {}

/// What the protocol is configured with.
#[derive(Debug, Clone)]
pub(crate) struct ProtocolConfig {
    /// The network id sync frames carry.
    pub(crate) network: String,
    /// The identify protocol version peers must announce.
    pub(crate) version: String,
    /// Time between periodic syncs with each peer.
    pub(crate) sync_interval: Duration,
    /// Whether Kademlia discovery runs.
    pub(crate) discovery: bool,
    /// Peers to keep dialled.
    pub(crate) bootstrap: Vec<(PeerId, Multiaddr)>,
}

/// A connected peer.
#[derive(Debug, Clone)]
pub(crate) struct PeerInfo {
    /// Address of its first connection.
    pub(crate) address: Multiaddr,
    /// Whether identify confirmed the same network.
    pub(crate) confirmed: bool,
    /// Its agent string, once known.
    pub(crate) agent: Option<String>,
    /// When a session with it last started or ended.
    last_sync: Option<Instant>,
}

/// What an outbound request was.
#[derive(Debug)]
enum Outbound {
    Reconcile,
    Fetch(Vec<ObjectId>),
}

/// `sync --peer` callers waiting for the peer to connect and confirm.
#[derive(Debug)]
struct PendingSync {
    since: Instant,
    waiters: Vec<WaiterId>,
}

/// The peer protocol's state. See the module doc.
pub(crate) struct PeerProtocol {
    config: ProtocolConfig,
    reconciler: Reconciler,
    /// The time of the event being handled.
    now: Instant,
    // Ordered maps, so the order of what a tick decides does not depend
    // on a hasher's seed (the simulation replays exactly).
    peers: BTreeMap<PeerId, PeerInfo>,
    sessions: BTreeMap<PeerId, Session>,
    outbound: HashMap<RequestTag, (PeerId, Outbound)>,
    next_tag: u64,
    pending_syncs: BTreeMap<PeerId, PendingSync>,
    penalties: Penalties,
    /// Ids of objects refused as invalid, not to be fetched again.
    refused: RecentIds,
    /// Ids recently received from peers, not to be re-published.
    from_peers: RecentIds,
    /// Gossip messages whose objects wait for a parent, not yet validated.
    awaiting: AwaitingParents,
    /// Ids some session is fetching, so two peers are not asked for the same.
    claimed: HashSet<ObjectId>,
    /// Gossip messages handed to ingest and not yet back.
    gossip_in_flight: usize,
    /// Fetch answers being read.
    answering: usize,
    sync_buckets: RequestBuckets,
    inbound: InboundByIp,
    last_redial: Instant,
    /// Something could not be gossiped: sync with every peer on the next tick.
    resync_soon: bool,
    out: Vec<OutEvent>,
}

impl PeerProtocol {
    /// A protocol with no peers yet, at `now`.
    pub(crate) fn new(config: ProtocolConfig, now: Instant) -> PeerProtocol {
        PeerProtocol {
            config,
            reconciler: Reconciler::new(),
            now,
            peers: BTreeMap::new(),
            sessions: BTreeMap::new(),
            outbound: HashMap::new(),
            next_tag: 0,
            pending_syncs: BTreeMap::new(),
            penalties: Penalties::default(),
            refused: RecentIds::new(REFUSED_MEMORY),
            from_peers: RecentIds::new(FROM_PEERS_MEMORY),
            awaiting: AwaitingParents::default(),
            claimed: HashSet::new(),
            gossip_in_flight: 0,
            answering: 0,
            sync_buckets: RequestBuckets::default(),
            inbound: InboundByIp::default(),
            last_redial: now,
            resync_soon: false,
            out: Vec::new(),
        }
    }

    /// Handles one event at `now`; returns what to do, in order.
    pub(crate) fn handle(
        &mut self,
        event: InEvent,
        now: Instant,
        env: &impl Env,
    ) -> impl Iterator<Item = OutEvent> {
        self.now = now;
        match event {
            InEvent::Start => {
                self.redial_bootstrap();
                self.schedule(now + TICK, Timer::Tick);
            }
            InEvent::Connected {
                peer,
                connection,
                endpoint,
            } => self.on_connected(peer, connection, &endpoint),
            InEvent::Disconnected {
                peer,
                connection,
                remaining,
            } => self.on_disconnected(peer, connection, remaining),
            InEvent::Identified {
                peer,
                protocol_version,
                agent,
                listen_addrs,
            } => self.on_identified(env, peer, protocol_version, agent, listen_addrs),
            InEvent::Discovered { peer, addr } => {
                if !self.peers.contains_key(&peer) {
                    self.emit(OutEvent::Dial {
                        addr,
                        purpose: DialPurpose::Discovered,
                    });
                }
            }
            InEvent::Routable(peer) => {
                if self.peers.len() < TARGET_PEERS
                    && !self.peers.contains_key(&peer)
                    && !self.penalties.is_banned(&peer, now)
                {
                    self.emit(OutEvent::DialPeer(peer));
                }
            }
            InEvent::DialFailed {
                peer,
                error,
                detail,
            } => self.on_dial_failed(peer, error, detail),
            InEvent::Gossip {
                message,
                source,
                data,
            } => self.on_gossip(env, message, source, data),
            // Objects stored between the connection's first sync and the
            // peer's subscription reached it by neither: sync again.
            InEvent::PeerSubscribed => self.resync_soon = true,
            InEvent::Stored { id, bytes } => self.on_stored(id, bytes),
            // No peer on the topic yet (a mesh forms a heartbeat after a
            // connection): offer it by sync on the next tick instead of
            // waiting for the periodic one.
            InEvent::PublishFailed => self.resync_soon = true,
            InEvent::Ingested { job, applied } => match job {
                IngestJob::Gossip {
                    message,
                    source,
                    object,
                } => self.on_gossip_applied(env, message, source, object, applied),
                IngestJob::Fetch { peer, asked } => {
                    self.on_fetch_applied(env, peer, asked, applied)
                }
            },
            InEvent::Request { peer, tag, request } => self.on_request(env, peer, tag, request),
            InEvent::ObjectsRead { tag, response } => {
                self.answering = self.answering.saturating_sub(1);
                self.respond(tag, response);
            }
            InEvent::Response {
                peer,
                tag,
                response,
            } => self.on_response(env, peer, tag, response),
            InEvent::RequestFailed {
                peer,
                tag,
                error,
                malformed,
            } => self.on_request_failed(env, peer, tag, error, malformed),
            InEvent::InboundFailed {
                peer,
                error,
                malformed,
            } => {
                if malformed {
                    self.offend(env, peer, "sent a malformed sync frame");
                } else {
                    tracing::debug!(peer = %peer, %error, "inbound sync request failed");
                }
            }
            InEvent::SyncWanted { peer, addr, waiter } => {
                self.on_sync_wanted(env, peer, addr, waiter)
            }
            InEvent::SyncDialFailed {
                peer,
                waiter,
                error,
            } => self.on_sync_dial_failed(peer, waiter, error),
            InEvent::TimerExpired(Timer::Tick) => {
                self.on_tick(env);
                self.schedule(now + TICK, Timer::Tick);
            }
            InEvent::TimerExpired(Timer::Unpark) => self.expire_parked(),
            InEvent::TimerExpired(Timer::Resume(peer)) => {
                if self.sessions.get_mut(&peer).is_some_and(|s| s.resume(now)) {
                    self.pump(peer);
                }
            }
            InEvent::Shutdown => self.stop(),
        }
        std::mem::take(&mut self.out).into_iter()
    }

    /// Connected peers.
    pub(crate) fn peers(&self) -> impl Iterator<Item = (&PeerId, &PeerInfo)> {
        self.peers.iter()
    }

    /// Sessions under way, at `now`.
    pub(crate) fn sessions(&self, now: Instant) -> Vec<SessionStatus> {
        self.sessions.values().map(|s| s.status(now)).collect()
    }

    /// Peers banned now.
    pub(crate) fn banned(&self) -> impl Iterator<Item = &PeerId> {
        self.penalties.banned()
    }

    fn emit(&mut self, event: OutEvent) {
        self.out.push(event);
    }

    fn count(&mut self, count: Count) {
        self.out.push(OutEvent::Count(count));
    }

    fn schedule(&mut self, at: Instant, timer: Timer) {
        self.out.push(OutEvent::ScheduleTimer { at, timer });
    }

    fn next_tag(&mut self) -> RequestTag {
        self.next_tag += 1;
        RequestTag(self.next_tag)
    }
}
