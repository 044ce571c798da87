//! The task that owns the swarm: every libp2p event, every command from a
//! [`P2pHandle`], every finished verification comes through its one loop.
//! Verification, storing and reading fetch answers run in spawned tasks that
//! report back over a bounded channel; only reconciliation (over the
//! in-memory sync index) and "is this id held?" lookups run here.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baraza_protocol::limits::{MAX_OBJECT_BYTES, MAX_SYNC_FRAME_BYTES};
use baraza_protocol::sync::wire::{
    RefusalCode, SyncRequest, SyncResponse, OBJECTS_HEADER_BYTES, OBJECT_ENTRY_OVERHEAD,
};
use baraza_protocol::sync::Reconciler;
use baraza_protocol::{Keypair, ObjectId};
use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageId};
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::SwarmEvent;
use libp2p::{identify, kad, mdns, Multiaddr, PeerId, Swarm};
use tokio::sync::{broadcast, mpsc, Semaphore};
use tokio::task::JoinHandle;

use super::awaiting::AwaitingParents;
use super::behaviour::{self, Behaviour, BehaviourEvent, BehaviourSettings};
use super::ingest::{self, Applied};
use super::limits::{InboundByIp, RequestBuckets, MAX_INBOUND_PER_IP, SYNC_PER_SECOND};
use super::metrics::{GossipResult, P2pMetrics};
use super::peers::{Penalties, Verdict, BAN_DURATION};
use super::recent::RecentIds;
use super::session::{Phase, Session, Waiter};
use super::{
    peer_of, Command, P2pError, P2pHandle, P2pSettings, P2pStatus, PeerStatus, SyncReport,
    COMMAND_QUEUE,
};
use crate::store::{ObjectStore, SharedStore, StoredEvent};

/// Gossip messages being verified at once; more are ignored (sync covers them).
const GOSSIP_SLOTS: usize = 256;
/// Fetch requests answered at once, across all peers (each reads up to
/// 4 MiB off the store); more are answered busy.
const FETCH_SLOTS: usize = 16;
/// Refused object ids remembered, so they are not fetched again.
const REFUSED_MEMORY: usize = 100_000;
/// Ids recently received from peers, not to be re-published.
const FROM_PEERS_MEMORY: usize = 100_000;
/// How long `sync --peer` waits for the peer to connect and confirm.
const DIAL_WAIT: Duration = Duration::from_secs(30);
/// How often lost bootstrap peers are re-dialled.
const REDIAL_EVERY: Duration = Duration::from_secs(30);
/// Peers below which Kademlia-discovered peers are dialled.
const TARGET_PEERS: usize = 16;
/// Shortest time between two sessions with the same peer started on
/// connect or confirmation (periodic and on-demand ones are not held back).
const RESYNC_GAP: Duration = Duration::from_secs(5);

enum Internal {
    Gossip {
        id: MessageId,
        source: PeerId,
        /// The object the message carries (its content hash).
        object: ObjectId,
        applied: Applied,
    },
    Fetched {
        peer: PeerId,
        asked: Vec<ObjectId>,
        applied: Applied,
    },
    /// A fetch answer read from the store off the swarm task.
    Answer {
        channel: ResponseChannel<SyncResponse>,
        response: SyncResponse,
    },
}

enum Outbound {
    Reconcile,
    Fetch(Vec<ObjectId>),
}

struct PeerInfo {
    address: Multiaddr,
    confirmed: bool,
    agent: Option<String>,
    last_sync: Option<Instant>,
}

struct PendingSync {
    since: Instant,
    waiters: Vec<Waiter>,
}

struct Node {
    swarm: Swarm<Behaviour>,
    store: SharedStore,
    settings: P2pSettings,
    topic: IdentTopic,
    version: String,
    reconciler: Reconciler,
    metrics: Arc<P2pMetrics>,
    peers: HashMap<PeerId, PeerInfo>,
    sessions: HashMap<PeerId, Session>,
    outbound: HashMap<OutboundRequestId, (PeerId, Outbound)>,
    pending_syncs: HashMap<PeerId, PendingSync>,
    penalties: Penalties,
    refused: RecentIds,
    from_peers: RecentIds,
    /// Gossip messages whose objects wait for a parent, not yet validated.
    awaiting: AwaitingParents,
    /// Ids some session is fetching, so two peers are not asked for the same.
    claimed: HashSet<ObjectId>,
    gossip_slots: Arc<Semaphore>,
    fetch_slots: Arc<Semaphore>,
    sync_buckets: RequestBuckets,
    inbound: InboundByIp,
    internal: mpsc::Sender<Internal>,
    bootstrap: Vec<(PeerId, Multiaddr)>,
    last_redial: Instant,
    /// Something could not be gossiped: sync with every peer on the next tick.
    resync_soon: bool,
}

/// Starts the peer protocol: builds the swarm on the node key, binds the
/// listen addresses, dials the bootstrap peers, and spawns the task.
pub async fn start(
    settings: P2pSettings,
    key: &Keypair,
    store: SharedStore,
    metrics: Arc<P2pMetrics>,
) -> Result<(P2pHandle, JoinHandle<()>), P2pError> {
    let mut seed = *key.secret_seed();
    let identity = libp2p::identity::Keypair::ed25519_from_bytes(&mut seed)
        .map_err(|e| P2pError::Setup(format!("node key: {e}")))?;
    let behaviour_settings = BehaviourSettings {
        network: settings.network.clone(),
        discovery: settings.discovery,
        mdns: settings.mdns,
        max_connections: settings.max_connections,
    };
    // The swarm's own series (bandwidth, gossipsub's mesh and scores) go
    // into the node's metrics registry; the guard is dropped before any await.
    let mut registry = metrics.swarm_registry();
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(identity)
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default().nodelay(true),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| P2pError::Setup(format!("transport: {e}")))?
        .with_dns()
        .map_err(|e| P2pError::Setup(format!("dns: {e}")))?
        .with_bandwidth_metrics(&mut registry)
        .with_behaviour(|key| {
            Behaviour::new_with_metrics(key, &behaviour_settings, &mut registry)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
        .map_err(|e| P2pError::Setup(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
        .build();
    drop(registry);
    let peer_id = *swarm.local_peer_id();

    let mut listeners = 0;
    for addr in &settings.listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| P2pError::Listen {
                addr: addr.to_string(),
                message: transport_error(&e),
            })?;
        listeners += 1;
    }
    // Wait until every listener has an address, so `status` can report
    // real ports when the config asked for port 0.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut bound = 0;
    while bound < listeners {
        match tokio::time::timeout_at(deadline, swarm.select_next_some()).await {
            Ok(SwarmEvent::NewListenAddr { address, .. }) => {
                tracing::info!(address = %address.with_p2p(peer_id).unwrap_or_else(|a| a), "listening for peers");
                bound += 1;
            }
            Ok(SwarmEvent::ListenerError { error, .. }) => {
                return Err(P2pError::Listen {
                    addr: format!("{:?}", settings.listen),
                    message: transport_error(&error),
                })
            }
            Ok(SwarmEvent::ListenerClosed {
                addresses, reason, ..
            }) => {
                return Err(P2pError::Listen {
                    addr: format!("{addresses:?}"),
                    message: format!("{reason:?}"),
                })
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }

    let mut bootstrap = Vec::new();
    for addr in &settings.bootstrap {
        let peer = peer_of(addr).ok_or_else(|| {
            P2pError::Address(format!(
                "bootstrap address {addr} must end in /p2p/<peer id>"
            ))
        })?;
        if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
            kad.add_address(&peer, addr.clone());
        }
        bootstrap.push((peer, addr.clone()));
    }

    let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
    let (internal, internal_rx) = mpsc::channel(GOSSIP_SLOTS + 64);
    let events = store.subscribe();
    let version = behaviour::protocol_version(&settings.network);
    let mut node = Node {
        topic: behaviour::objects_topic(&settings.network),
        swarm,
        store,
        version,
        reconciler: Reconciler::new(),
        metrics: metrics.clone(),
        peers: HashMap::new(),
        sessions: HashMap::new(),
        outbound: HashMap::new(),
        pending_syncs: HashMap::new(),
        penalties: Penalties::default(),
        refused: RecentIds::new(REFUSED_MEMORY),
        from_peers: RecentIds::new(FROM_PEERS_MEMORY),
        awaiting: AwaitingParents::default(),
        claimed: HashSet::new(),
        gossip_slots: Arc::new(Semaphore::new(GOSSIP_SLOTS)),
        fetch_slots: Arc::new(Semaphore::new(FETCH_SLOTS)),
        sync_buckets: RequestBuckets::default(),
        inbound: InboundByIp::default(),
        internal,
        bootstrap,
        last_redial: Instant::now(),
        resync_soon: false,
        settings,
    };
    node.redial_bootstrap();
    let task = tokio::spawn(async move { node.run(command_rx, internal_rx, events).await });
    Ok((P2pHandle { commands, peer_id }, task))
}

impl Node {
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut internal: mpsc::Receiver<Internal>,
        mut events: broadcast::Receiver<StoredEvent>,
    ) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut events_open = true;
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = commands.recv() => match command {
                    Some(Command::Shutdown(reply)) => {
                        self.stop();
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => self.on_command(command),
                    None => {
                        self.stop();
                        return;
                    }
                },
                Some(done) = internal.recv() => self.on_internal(done),
                event = events.recv(), if events_open => match event {
                    Ok(event) => self.publish(&event),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        // Sync delivers what gossip missed.
                        for _ in 0..n {
                            self.metrics.count_publish_dropped();
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => events_open = false,
                },
                _ = tick.tick() => self.on_tick(),
            }
        }
    }

    fn stop(&mut self) {
        for (_, session) in self.sessions.drain() {
            session.finish(Some("the node is shutting down".into()));
        }
        for (_, pending) in self.pending_syncs.drain() {
            for waiter in pending.waiters {
                let _ = waiter.send(Err(P2pError::Stopped));
            }
        }
    }

    fn publish(&mut self, event: &StoredEvent) {
        let id = event.object.id();
        if let Some(parked) = self.awaiting.take(&id) {
            // Released from pending: now it is valid to forward.
            self.report_gossip(&parked.message, &parked.source, GossipResult::Accepted);
            return;
        }
        if self.from_peers.contains(&id) {
            return;
        }
        let topic = self.topic.clone();
        match self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(topic, event.object.bytes().to_vec())
        {
            Ok(_) => self.metrics.count_published(),
            Err(gossipsub::PublishError::Duplicate) => {}
            // No peer on the topic yet (a mesh forms a heartbeat after a
            // connection): offer it by sync on the next tick instead of
            // waiting for the periodic one.
            Err(
                gossipsub::PublishError::NoPeersSubscribedToTopic
                | gossipsub::PublishError::AllQueuesFull(_),
            ) => self.resync_soon = true,
            Err(e) => tracing::debug!(%id, error = %e, "not published on gossip"),
        }
    }

    // ----- libp2p events -------------------------------------------------

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        self.metrics.record(&event);
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => self.on_gossip(event),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync(event),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => self.on_identified(peer_id, info),
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() {
                        kad.add_address(&peer, addr.clone());
                    }
                    if !self.peers.contains_key(&peer) {
                        let _ = self.swarm.dial(addr);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, ..
            })) if self.peers.len() < TARGET_PEERS
                && !self.peers.contains_key(&peer)
                && !self.penalties.is_banned(&peer, Instant::now()) =>
            {
                let _ = self.swarm.dial(peer);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                connection_id,
                ..
            } => {
                if !self.inbound.opened(connection_id, &endpoint) {
                    tracing::warn!(peer = %peer_id, address = %endpoint.get_remote_address(), "too many connections from one address (most {MAX_INBOUND_PER_IP}); closing this one");
                    self.metrics.count_refused_connection();
                    self.swarm.close_connection(connection_id);
                    return;
                }
                if self.penalties.is_banned(&peer_id, Instant::now()) {
                    let _ = self.swarm.disconnect_peer_id(peer_id);
                    return;
                }
                self.peers.entry(peer_id).or_insert_with(|| PeerInfo {
                    address: endpoint.get_remote_address().clone(),
                    confirmed: false,
                    agent: None,
                    last_sync: None,
                });
                self.metrics.set_peers(self.peers.len());
                tracing::debug!(peer = %peer_id, address = %endpoint.get_remote_address(), "peer connected");
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                self.inbound.closed(connection_id);
                if num_established > 0 {
                    return;
                }
                self.sync_buckets.forget(&peer_id);
                self.peers.remove(&peer_id);
                self.metrics.set_peers(self.peers.len());
                if let Some(session) = self.sessions.remove(&peer_id) {
                    self.end_session(peer_id, session, Some("the connection closed".into()));
                }
                tracing::debug!(peer = %peer_id, "peer disconnected");
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                let me = *self.swarm.local_peer_id();
                tracing::info!(address = %address.with_p2p(me).unwrap_or_else(|a| a), "listening for peers");
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id: Some(peer),
                error,
                ..
            } => {
                if self.bootstrap.iter().any(|(p, _)| *p == peer) {
                    tracing::warn!(peer = %peer, error = %transport_error(&error), "cannot reach bootstrap peer; retrying every {} s", REDIAL_EVERY.as_secs());
                }
                self.fail_pending(peer, format!("cannot connect: {error}"));
                tracing::debug!(peer = %peer, error = %error, "dial failed");
            }
            _ => {}
        }
    }

    fn on_identified(&mut self, peer: PeerId, info: identify::Info) {
        // Identify may report twice (on connect and on push) before the
        // disconnect of a banned peer is through.
        if self.penalties.is_banned(&peer, Instant::now()) {
            return;
        }
        if info.protocol_version != self.version {
            tracing::warn!(
                peer = %peer,
                theirs = %info.protocol_version,
                ours = %self.version,
                "peer is on another baraza network (or version); disconnecting and keeping it out for {} s",
                BAN_DURATION.as_secs()
            );
            self.metrics.count_wrong_network();
            self.ban(peer);
            self.fail_pending(
                peer,
                format!(
                    "peer is on network {:?}, this node on {:?}",
                    info.protocol_version, self.version
                ),
            );
            return;
        }
        if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() {
            for addr in &info.listen_addrs {
                kad.add_address(&peer, addr.clone());
            }
        }
        let Some(known) = self.peers.get_mut(&peer) else {
            return;
        };
        let first = !known.confirmed;
        known.confirmed = true;
        known.agent = Some(info.agent_version);
        let recent = known.last_sync.is_some_and(|t| t.elapsed() < RESYNC_GAP);
        let waiters = self
            .pending_syncs
            .remove(&peer)
            .map(|p| p.waiters)
            .unwrap_or_default();
        if first {
            tracing::info!(peer = %peer, "peer confirmed on this network");
        }
        if !waiters.is_empty() || (first && !recent) {
            self.start_session(peer, waiters);
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        let (source, id, message) = match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => (propagation_source, message_id, message),
            // Objects stored between the connection's first sync and the
            // peer's subscription reached it by neither: sync again.
            gossipsub::Event::Subscribed { topic, .. } if topic == self.topic.hash() => {
                self.resync_soon = true;
                return;
            }
            _ => return,
        };
        let object_id = ingest::content_id(&message.data);
        if self.refused.contains(&object_id) || message.data.len() > MAX_OBJECT_BYTES {
            self.metrics
                .count_gossip_rejection(if message.data.len() > MAX_OBJECT_BYTES {
                    "too_large"
                } else {
                    "refused_before"
                });
            self.report_gossip(&id, &source, GossipResult::Rejected);
            self.offend(source, "sent an invalid object on gossip");
            return;
        }
        if self.store.contains(&object_id).unwrap_or(false) {
            self.report_gossip(&id, &source, GossipResult::Accepted);
            return;
        }
        let Ok(permit) = self.gossip_slots.clone().try_acquire_owned() else {
            self.report_gossip(&id, &source, GossipResult::Ignored);
            return;
        };
        self.from_peers.insert(object_id);
        let store = self.store.clone();
        let done = self.internal.clone();
        tokio::spawn(async move {
            let applied = ingest::apply(&store, vec![message.data]).await;
            drop(permit);
            let _ = done
                .send(Internal::Gossip {
                    id,
                    source,
                    object: object_id,
                    applied,
                })
                .await;
        });
    }

    fn report_gossip(&mut self, id: &MessageId, source: &PeerId, result: GossipResult) {
        let acceptance = match result {
            GossipResult::Accepted => MessageAcceptance::Accept,
            GossipResult::Ignored => MessageAcceptance::Ignore,
            GossipResult::Rejected => MessageAcceptance::Reject,
        };
        self.metrics.count_gossip(result);
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(id, source, acceptance);
    }

    // ----- sync: answering ------------------------------------------------

    fn on_sync(&mut self, event: request_response::Event<SyncRequest, SyncResponse>) {
        use request_response::{Event, Message};
        match event {
            Event::Message {
                peer,
                message:
                    Message::Request {
                        request, channel, ..
                    },
                ..
            } => self.answer(peer, request, channel),
            Event::Message {
                peer,
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => self.on_response(peer, request_id, response),
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                if let request_response::OutboundFailure::Io(e) = &error {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        self.offend(peer, "answered with a malformed sync frame");
                    }
                }
                if self.outbound.remove(&request_id).is_some() {
                    if let Some(session) = self.sessions.remove(&peer) {
                        self.end_session(peer, session, Some(format!("request failed: {error}")));
                    }
                }
            }
            Event::InboundFailure { peer, error, .. } => {
                if let request_response::InboundFailure::Io(e) = &error {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        self.offend(peer, "sent a malformed sync frame");
                        return;
                    }
                }
                tracing::debug!(peer = %peer, error = %error, "inbound sync request failed");
            }
            Event::ResponseSent { .. } => {}
        }
    }

    fn answer(
        &mut self,
        peer: PeerId,
        request: SyncRequest,
        channel: ResponseChannel<SyncResponse>,
    ) {
        if request.network() != self.settings.network {
            tracing::warn!(peer = %peer, theirs = request.network(), ours = %self.settings.network, "refused a sync request from another network");
            let response = SyncResponse::Refused {
                code: RefusalCode::WrongNetwork,
                reason: format!("this node is on network {}", self.settings.network),
            };
            self.respond(channel, response);
            return;
        }
        if !self.sync_buckets.allow(peer, Instant::now()) {
            self.metrics.count_sync_refusal();
            let response = SyncResponse::Refused {
                code: RefusalCode::Busy,
                reason: format!(
                    "too many sync requests from this peer (at most {SYNC_PER_SECOND}/s); slow down"
                ),
            };
            self.respond(channel, response);
            return;
        }
        let response = match request {
            SyncRequest::Reconcile { message, .. } => {
                self.metrics
                    .count_sync_bytes(message.encoded_len() as u64, 0);
                let reconciled = self
                    .store
                    .with_sync_index(|index| self.reconciler.reconcile(index, &message));
                match reconciled {
                    None => SyncResponse::Refused {
                        code: RefusalCode::Busy,
                        reason: "the sync index is still loading; try again shortly".into(),
                    },
                    Some(Ok(outcome)) => {
                        // The peer holds objects we lack: fetch them too
                        // (joining a session with it if one is under way).
                        if !outcome.need.is_empty() {
                            self.fetch_from(peer, outcome.need);
                        }
                        outcome
                            .reply
                            .map(SyncResponse::Reconcile)
                            .unwrap_or(SyncResponse::Done)
                    }
                    Some(Err(e)) => {
                        self.offend(peer, "sent an invalid sync message");
                        SyncResponse::Refused {
                            code: RefusalCode::Malformed,
                            reason: e.to_string(),
                        }
                    }
                }
            }
            SyncRequest::Fetch { ids, .. } => {
                let Ok(permit) = self.fetch_slots.clone().try_acquire_owned() else {
                    self.metrics.count_sync_refusal();
                    let response = SyncResponse::Refused {
                        code: RefusalCode::Busy,
                        reason: "answering too many fetches; try again shortly".into(),
                    };
                    self.respond(channel, response);
                    return;
                };
                // Up to 4 MiB of reads: off the swarm task.
                let store = self.store.clone();
                let done = self.internal.clone();
                tokio::task::spawn_blocking(move || {
                    let response = objects_for(&store, &ids);
                    drop(permit);
                    let _ = done.blocking_send(Internal::Answer { channel, response });
                });
                return;
            }
        };
        self.respond(channel, response);
    }

    fn respond(&mut self, channel: ResponseChannel<SyncResponse>, response: SyncResponse) {
        self.metrics.count_sync_bytes(0, response_len(&response));
        // An error means the peer is gone; nothing to do.
        let _ = self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, response);
    }

    // ----- sync: asking ---------------------------------------------------

    /// Starts a reconciliation with `peer` (or joins the one under way).
    /// While the sync index is still loading nothing starts: the waiters
    /// are told, and the next tick tries again.
    fn start_session(&mut self, peer: PeerId, waiters: Vec<Waiter>) {
        if let Some(session) = self.sessions.get_mut(&peer) {
            session.waiters.extend(waiters);
            return;
        }
        let Some(message) = self
            .store
            .with_sync_index(|index| self.reconciler.initiate(index))
        else {
            fail_waiters(
                peer,
                waiters,
                "this node is still loading its sync index; try again in a few seconds",
            );
            return;
        };
        let mut session = Session::new(peer, Phase::Reconciling);
        session.waiters = waiters;
        self.sessions.insert(peer, session);
        if let Some(info) = self.peers.get_mut(&peer) {
            info.last_sync = Some(Instant::now());
        }
        self.send(peer, Outbound::Reconcile, |network| {
            SyncRequest::Reconcile { network, message }
        });
    }

    fn send(&mut self, peer: PeerId, kind: Outbound, request: impl FnOnce(String) -> SyncRequest) {
        let request = request(self.settings.network.clone());
        let bytes = request_len(&request);
        self.metrics.count_sync_bytes(0, bytes);
        if let Some(session) = self.sessions.get_mut(&peer) {
            session.report.bytes_out += bytes;
        }
        let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
        self.outbound.insert(id, (peer, kind));
    }

    fn on_response(&mut self, peer: PeerId, request_id: OutboundRequestId, response: SyncResponse) {
        let Some((_, kind)) = self.outbound.remove(&request_id) else {
            return;
        };
        let bytes = response_len(&response);
        self.metrics.count_sync_bytes(bytes, 0);
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        session.report.bytes_in += bytes;
        match (kind, response) {
            (Outbound::Reconcile, SyncResponse::Reconcile(message)) => {
                let reconciled = self
                    .store
                    .with_sync_index(|index| self.reconciler.reconcile(index, &message));
                let Some(session) = self.sessions.get_mut(&peer) else {
                    return;
                };
                session.report.rounds += 1;
                match reconciled {
                    // Once loaded, the index stays loaded.
                    None => self.fail_session(peer, "the sync index is not loaded".into()),
                    Some(Ok(outcome)) => {
                        self.want(peer, outcome.need);
                        let Some(session) = self.sessions.get_mut(&peer) else {
                            return;
                        };
                        match outcome.reply {
                            Some(message) => self.send(peer, Outbound::Reconcile, |network| {
                                SyncRequest::Reconcile { network, message }
                            }),
                            None => {
                                session.phase = Phase::Fetching;
                                self.pump(peer);
                            }
                        }
                    }
                    Some(Err(e)) => {
                        self.offend(peer, "answered with an invalid sync message");
                        self.fail_session(peer, format!("invalid sync message: {e}"));
                    }
                }
            }
            (Outbound::Reconcile, SyncResponse::Done) => {
                if let Some(session) = self.sessions.get_mut(&peer) {
                    session.report.rounds += 1;
                    session.phase = Phase::Fetching;
                }
                self.pump(peer);
            }
            (Outbound::Fetch(asked), SyncResponse::Objects { objects, truncated }) => {
                self.on_objects(peer, asked, objects, truncated)
            }
            (
                Outbound::Fetch(asked),
                SyncResponse::Refused {
                    code: RefusalCode::Busy,
                    reason,
                },
            ) => {
                let Some(session) = self.sessions.get_mut(&peer) else {
                    return;
                };
                if session.busy(&asked, Instant::now()) {
                    tracing::debug!(peer = %peer, %reason, "peer is busy; fetching again shortly");
                } else {
                    self.fail_session(peer, format!("the peer stayed busy: {reason}"));
                }
            }
            (Outbound::Fetch(_), other) | (Outbound::Reconcile, other) => {
                if let Some(session) = self.sessions.get_mut(&peer) {
                    session.in_flight = session.in_flight.saturating_sub(1);
                }
                let why = match other {
                    SyncResponse::Refused { code, reason } => {
                        tracing::info!(peer = %peer, ?code, %reason, "peer refused a sync request");
                        format!("refused ({code:?}): {reason}")
                    }
                    _ => {
                        self.offend(peer, "answered a sync request out of turn");
                        "answer of the wrong type".to_owned()
                    }
                };
                self.fail_session(peer, why);
            }
        }
    }

    fn on_objects(
        &mut self,
        peer: PeerId,
        asked: Vec<ObjectId>,
        objects: Vec<Vec<u8>>,
        truncated: bool,
    ) {
        // Every object must be one we asked for, in the order asked.
        let mut position = 0;
        let mut unasked = false;
        for bytes in &objects {
            let id = ingest::content_id(bytes);
            match asked[position..].iter().position(|a| *a == id) {
                Some(p) => position += p + 1,
                None => {
                    unasked = true;
                    break;
                }
            }
        }
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        if unasked {
            session.in_flight = session.in_flight.saturating_sub(1);
            self.offend(peer, "sent objects it was not asked for");
            self.fail_session(peer, "the peer sent objects it was not asked for".into());
            return;
        }
        let answered_up_to = if truncated && !objects.is_empty() {
            position
        } else {
            asked.len()
        };
        session.answered(&asked[..answered_up_to]);
        session.retry(&asked[answered_up_to..]);
        let mut asked = asked;
        asked.truncate(answered_up_to);
        session.report.fetched += objects.len() as u64;
        self.metrics.count_fetched(objects.len() as u64);
        let store = self.store.clone();
        let done = self.internal.clone();
        tokio::spawn(async move {
            let applied = ingest::apply(&store, objects).await;
            let _ = done
                .send(Internal::Fetched {
                    peer,
                    asked,
                    applied,
                })
                .await;
        });
        self.pump(peer);
    }

    fn on_internal(&mut self, done: Internal) {
        match done {
            Internal::Gossip {
                id,
                source,
                object,
                applied,
            } => {
                if let Some(bad) = applied.invalid.first() {
                    tracing::info!(peer = %source, id = %bad.id, reason = %bad.message, "refused an invalid object from gossip");
                    self.refused.insert(bad.id);
                    self.metrics.count_gossip_rejection(bad.code);
                    self.report_gossip(&id, &source, GossipResult::Rejected);
                    self.offend(source, "sent an invalid object on gossip");
                } else if !applied.stored.is_empty() || applied.known > 0 {
                    self.report_gossip(&id, &source, GossipResult::Accepted);
                } else {
                    // Waiting for its parent (often a message of the same
                    // burst, verified a moment later): leave the message
                    // unvalidated, so gossipsub forwards it once the store
                    // releases it. An ignored message is never forwarded,
                    // and gossipsub refuses to publish what it has seen, so
                    // the next hop would get it only by the minute's sync.
                    let parked = !applied.missing.is_empty()
                        && self
                            .awaiting
                            .park(object, id.clone(), source, Instant::now());
                    if !parked {
                        self.report_gossip(&id, &source, GossipResult::Ignored);
                    }
                    if !applied.missing.is_empty() && self.peers.contains_key(&source) {
                        self.fetch_from(source, applied.missing);
                    }
                }
            }
            Internal::Answer { channel, response } => self.respond(channel, response),
            Internal::Fetched {
                peer,
                asked,
                applied,
            } => {
                for id in &asked {
                    self.claimed.remove(id);
                }
                let invalid = applied.invalid.len();
                for bad in &applied.invalid {
                    tracing::info!(peer = %peer, id = %bad.id, reason = %bad.message, "refused an invalid object from sync");
                    self.refused.insert(bad.id);
                }
                if let Some(session) = self.sessions.get_mut(&peer) {
                    session.in_flight = session.in_flight.saturating_sub(1);
                    session.report.stored += applied.stored.len() as u64;
                    session.report.pending += applied.pending;
                    session.report.invalid += invalid as u64;
                }
                self.want(peer, applied.missing);
                if invalid > 0 {
                    self.offend(peer, "sent invalid objects in a sync fetch");
                }
                self.pump(peer);
            }
        }
    }

    /// Fetches `ids` from `peer`: objects that wait for references (ask the
    /// peer that sent them), or objects a peer's reconciliation showed we
    /// lack. Joins the session with that peer, or starts one.
    fn fetch_from(&mut self, peer: PeerId, ids: Vec<ObjectId>) {
        self.sessions
            .entry(peer)
            .or_insert_with(|| Session::new(peer, Phase::Fetching));
        self.want(peer, ids);
        self.pump(peer);
    }

    /// Queues in `peer`'s session the ids not held, not refused and not
    /// being fetched from another peer.
    fn want(&mut self, peer: PeerId, ids: impl IntoIterator<Item = ObjectId>) {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        let (store, refused, claimed) = (&self.store, &self.refused, &self.claimed);
        let added = session.enqueue(ids, |id| {
            !refused.contains(id) && !claimed.contains(id) && !store.holds(id).unwrap_or(false)
        });
        self.claimed.extend(added);
    }

    /// Sends fetches while the session's pipeline has room; ends it when done.
    fn pump(&mut self, peer: PeerId) {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        let mut batches = Vec::new();
        while let Some(batch) = session.next_batch() {
            batches.push(batch);
        }
        let finished = session.is_finished();
        for ids in batches {
            for id in &ids {
                self.from_peers.insert(*id);
            }
            let request_ids = ids.clone();
            self.send(peer, Outbound::Fetch(ids), |network| SyncRequest::Fetch {
                network,
                ids: request_ids,
            });
        }
        if finished {
            if let Some(session) = self.sessions.remove(&peer) {
                self.end_session(peer, session, None);
            }
        }
    }

    fn fail_session(&mut self, peer: PeerId, why: String) {
        if let Some(session) = self.sessions.remove(&peer) {
            self.end_session(peer, session, Some(why));
        }
    }

    fn end_session(&mut self, peer: PeerId, session: Session, error: Option<String>) {
        for id in session.unanswered() {
            self.claimed.remove(id);
        }
        let ok = error.is_none();
        let report: SyncReport = session.finish(error);
        self.metrics.count_session(ok);
        if let Some(info) = self.peers.get_mut(&peer) {
            info.last_sync = Some(Instant::now());
        }
        if let Some(why) = &report.error {
            tracing::info!(peer = %peer, stored = report.stored, error = %why, "sync session ended early");
        } else if report.stored > 0 || report.invalid > 0 {
            tracing::info!(
                peer = %peer,
                rounds = report.rounds,
                stored = report.stored,
                pending = report.pending,
                invalid = report.invalid,
                millis = report.millis,
                "synced with peer"
            );
        }
    }

    // ----- penalties ------------------------------------------------------

    fn offend(&mut self, peer: PeerId, what: &str) {
        let now = Instant::now();
        if self.penalties.is_banned(&peer, now) {
            return;
        }
        match self.penalties.offend(peer, now) {
            Verdict::Warned(n) => tracing::info!(peer = %peer, offences = n, "peer {what}"),
            Verdict::Ban => {
                tracing::warn!(peer = %peer, "peer {what} once too often; disconnecting and keeping it out for {} s", BAN_DURATION.as_secs());
                self.metrics.count_ban();
                self.ban(peer);
                return;
            }
        }
        // Once graylisted, a peer's gossip never reaches the application,
        // so its offences would stop being counted: ban it on its score,
        // now, whether or not it is still connected.
        if self.graylisted(&peer, now) {
            self.ban_graylisted(peer);
        }
    }

    /// Whether gossipsub's score for `peer` is below the graylist threshold
    /// (and the peer is not banned already).
    fn graylisted(&self, peer: &PeerId, now: Instant) -> bool {
        !self.penalties.is_banned(peer, now)
            && self
                .swarm
                .behaviour()
                .gossipsub
                .peer_score(peer)
                .is_some_and(|score| score < behaviour::GRAYLIST_THRESHOLD)
    }

    fn ban_graylisted(&mut self, peer: PeerId) {
        tracing::warn!(peer = %peer, "peer's gossip score fell below the graylist threshold; disconnecting and keeping it out for {} s", BAN_DURATION.as_secs());
        self.metrics.count_ban();
        self.ban(peer);
    }

    fn ban(&mut self, peer: PeerId) {
        self.penalties.ban(peer, Instant::now());
        self.swarm.behaviour_mut().blocked.block_peer(peer);
        self.swarm.behaviour_mut().gossipsub.blacklist_peer(&peer);
        let _ = self.swarm.disconnect_peer_id(peer);
        if let Some(session) = self.sessions.remove(&peer) {
            self.end_session(peer, session, Some("the peer was banned".into()));
        }
    }

    // ----- commands and timers --------------------------------------------

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Sync { addr, reply } => {
                let Some(peer) = peer_of(&addr) else {
                    let _ = reply.send(Err(P2pError::Address(format!(
                        "{addr} must end in /p2p/<peer id> (the peer's start-up log and `baraza peers` show it)"
                    ))));
                    return;
                };
                if self.peers.get(&peer).is_some_and(|p| p.confirmed) {
                    self.start_session(peer, vec![reply]);
                    return;
                }
                if self.penalties.is_banned(&peer, Instant::now()) {
                    let _ = reply.send(Err(P2pError::Peer {
                        peer: peer.to_string(),
                        message: "the peer is blocked for a while (it misbehaved, or is on another network; see the log)".into(),
                    }));
                    return;
                }
                if !self.peers.contains_key(&peer) {
                    if let Err(e) = self.swarm.dial(addr) {
                        let _ = reply.send(Err(P2pError::Peer {
                            peer: peer.to_string(),
                            message: format!("cannot dial: {e}"),
                        }));
                        return;
                    }
                }
                self.pending_syncs
                    .entry(peer)
                    .or_insert_with(|| PendingSync {
                        since: Instant::now(),
                        waiters: Vec::new(),
                    })
                    .waiters
                    .push(reply);
            }
            Command::Dial { addr, reply } => {
                let result = self.swarm.dial(addr.clone()).map_err(|e| P2pError::Peer {
                    peer: addr.to_string(),
                    message: format!("cannot dial: {e}"),
                });
                let _ = reply.send(result);
            }
            Command::Status(reply) => {
                let _ = reply.send(self.status());
            }
            Command::Shutdown(_) => {}
        }
    }

    fn status(&self) -> P2pStatus {
        let me = *self.swarm.local_peer_id();
        let gossipsub = &self.swarm.behaviour().gossipsub;
        let mut peers: Vec<PeerStatus> = self
            .peers
            .iter()
            .map(|(peer, info)| PeerStatus {
                peer: peer.to_string(),
                address: info.address.to_string(),
                confirmed: info.confirmed,
                agent: info.agent.clone(),
                score: gossipsub.peer_score(peer),
            })
            .collect();
        peers.sort_by(|a, b| a.peer.cmp(&b.peer));
        P2pStatus {
            peer_id: me.to_string(),
            network: self.settings.network.clone(),
            listen: self
                .swarm
                .listeners()
                .map(|a| a.clone().with_p2p(me).unwrap_or_else(|a| a).to_string())
                .collect(),
            peers,
            sessions: self.sessions.values().map(Session::status).collect(),
            blocked: self.penalties.banned().map(|p| p.to_string()).collect(),
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        for parked in self.awaiting.expired(now) {
            self.report_gossip(&parked.message, &parked.source, GossipResult::Ignored);
        }
        let resumed: Vec<PeerId> = self
            .sessions
            .iter_mut()
            .filter_map(|(peer, session)| session.resume(now).then_some(*peer))
            .collect();
        for peer in resumed {
            self.pump(peer);
        }
        let graylisted: Vec<PeerId> = self
            .peers
            .keys()
            .filter(|peer| self.graylisted(peer, now))
            .copied()
            .collect();
        for peer in graylisted {
            self.ban_graylisted(peer);
        }
        for peer in self.penalties.expired_bans(now) {
            self.swarm.behaviour_mut().blocked.unblock_peer(peer);
            self.swarm
                .behaviour_mut()
                .gossipsub
                .remove_blacklisted_peer(&peer);
            tracing::info!(peer = %peer, "ban ended");
        }
        let interval = self.settings.sync_interval;
        // Something could not be gossiped, or a peer has only now joined the
        // topic: sync with every peer now rather than at the minute. A peer
        // busy in a session gets its turn on a later tick.
        let prompt = std::mem::take(&mut self.resync_soon);
        let mut due = Vec::new();
        for (peer, info) in &self.peers {
            let wanted = prompt
                || info
                    .last_sync
                    .is_none_or(|t| now.duration_since(t) >= interval);
            if !info.confirmed || !wanted {
                continue;
            }
            if self.sessions.contains_key(peer) {
                self.resync_soon |= prompt;
            } else {
                due.push(*peer);
            }
        }
        for peer in due {
            self.start_session(peer, Vec::new());
        }
        let expired: Vec<PeerId> = self
            .pending_syncs
            .iter()
            .filter(|(_, p)| now.duration_since(p.since) >= DIAL_WAIT)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in expired {
            self.fail_pending(
                peer,
                format!(
                    "not connected and confirmed within {} s",
                    DIAL_WAIT.as_secs()
                ),
            );
        }
        if now.duration_since(self.last_redial) >= REDIAL_EVERY {
            self.last_redial = now;
            self.redial_bootstrap();
        }
    }

    /// Answers everyone waiting for `peer` to connect with an error.
    fn fail_pending(&mut self, peer: PeerId, message: String) {
        if let Some(pending) = self.pending_syncs.remove(&peer) {
            fail_waiters(peer, pending.waiters, &message);
        }
    }

    fn redial_bootstrap(&mut self) {
        let lost: Vec<Multiaddr> = self
            .bootstrap
            .iter()
            .filter(|(peer, _)| !self.peers.contains_key(peer))
            .map(|(_, addr)| addr.clone())
            .collect();
        for addr in lost {
            if let Err(e) = self.swarm.dial(addr.clone()) {
                tracing::warn!(address = %addr, error = %e, "cannot dial bootstrap peer");
            }
        }
        if self.settings.discovery && !self.bootstrap.is_empty() {
            if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() {
                let _ = kad.bootstrap();
            }
        }
    }
}

/// An error's message with its causes; libp2p's transport errors often
/// have an empty message of their own.
fn transport_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        next = err.source();
    }
    if parts.is_empty() {
        format!("{e:?}")
    } else {
        parts.join(": ")
    }
}

/// Answers every waiter with an error about `peer`.
fn fail_waiters(peer: PeerId, waiters: Vec<Waiter>, message: &str) {
    for waiter in waiters {
        let _ = waiter.send(Err(P2pError::Peer {
            peer: peer.to_string(),
            message: message.to_owned(),
        }));
    }
}

/// The answer to a fetch: the objects held, in the order asked, until the
/// frame is full.
fn objects_for(store: &dyn ObjectStore, ids: &[ObjectId]) -> SyncResponse {
    let mut budget = MAX_SYNC_FRAME_BYTES - OBJECTS_HEADER_BYTES;
    let mut objects = Vec::new();
    let mut truncated = false;
    for id in ids {
        match store.get_bytes(id) {
            Ok(Some(bytes)) => {
                let cost = bytes.len() + OBJECT_ENTRY_OVERHEAD;
                if cost > budget {
                    truncated = true;
                    break;
                }
                budget -= cost;
                objects.push(bytes);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(%id, error = %e, "cannot read an object a peer asked for");
            }
        }
    }
    SyncResponse::Objects { objects, truncated }
}

fn request_len(request: &SyncRequest) -> u64 {
    match request {
        SyncRequest::Reconcile { network, message } => {
            (4 + 2 + network.len() + message.encoded_len()) as u64
        }
        SyncRequest::Fetch { network, ids } => (4 + 4 + network.len() + 32 * ids.len()) as u64,
    }
}

fn response_len(response: &SyncResponse) -> u64 {
    match response {
        SyncResponse::Reconcile(message) => (5 + message.encoded_len()) as u64,
        SyncResponse::Objects { objects, .. } => {
            (4 + OBJECTS_HEADER_BYTES
                + objects
                    .iter()
                    .map(|o| o.len() + OBJECT_ENTRY_OVERHEAD)
                    .sum::<usize>()) as u64
        }
        SyncResponse::Done | SyncResponse::Refused { .. } => 8,
    }
}
