//! The task that owns the swarm: a thin actor around [`PeerProtocol`].
//! Every libp2p event, every command from a [`P2pHandle`], every stored
//! object and every finished verification or read becomes an [`InEvent`];
//! every [`OutEvent`] becomes a swarm call, a spawned store task, a metric
//! or a reply ([`super::effects`]). The actor decides nothing itself.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use baraza_protocol::sync::wire::SyncResponse;
use baraza_protocol::Keypair;
use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::SwarmEvent;
use libp2p::{identify, kad, mdns, Swarm};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::behaviour::{self, Behaviour, BehaviourEvent};
use super::ingest::Applied;
use super::metrics::P2pMetrics;
use super::protocol::{
    AnswerTag, InEvent, IngestJob, PeerProtocol, ProtocolConfig, RequestTag, Timer, WaiterId,
    GOSSIP_SLOTS,
};
use super::swarm::{self, transport_error};
use super::{peer_of, Command, P2pError, P2pHandle, P2pSettings, SyncReport, COMMAND_QUEUE};
use crate::store::{SharedStore, StoredEvent};

/// Where a `sync --peer` caller waits for its report.
pub(super) type Waiter = oneshot::Sender<Result<SyncReport, P2pError>>;

/// Work spawned off the actor, reporting back.
pub(super) enum Done {
    /// A batch was verified and offered to the store.
    Ingested { job: IngestJob, applied: Applied },
    /// A fetch answer was read from the store.
    Read {
        tag: AnswerTag,
        response: SyncResponse,
    },
    /// The witness answered a peer's request (`witness_edge.rs`).
    Witnessed(super::witness_edge::Answered),
    /// Gossiped evidence was checked (`witness_edge.rs`).
    EvidenceChecked(super::witness_edge::Checked),
}

/// The actor's state: the swarm, the protocol, and what is parked while
/// the protocol works with plain ids.
pub(super) struct Actor {
    pub(super) swarm: Swarm<Behaviour>,
    pub(super) store: SharedStore,
    pub(super) metrics: Arc<P2pMetrics>,
    pub(super) protocol: PeerProtocol,
    pub(super) topic: IdentTopic,
    pub(super) network: String,
    /// Timers the protocol asked for, by when (and a tiebreak).
    pub(super) timers: BTreeMap<(Instant, u64), Timer>,
    pub(super) timer_seq: u64,
    /// `sync --peer` callers, by the id the protocol knows them by.
    pub(super) waiters: HashMap<WaiterId, Waiter>,
    next_waiter: u64,
    /// Our requests in flight, by libp2p's id.
    pub(super) requests: HashMap<OutboundRequestId, RequestTag>,
    /// Peers' requests waiting for an answer, by tag.
    pub(super) answers: HashMap<AnswerTag, ResponseChannel<SyncResponse>>,
    next_answer: u64,
    /// Where spawned work reports back.
    pub(super) done: mpsc::Sender<Done>,
    /// The witness protocol's side (`witness_edge.rs`).
    pub(super) witnessing: super::witness_edge::WitnessEdge,
}

/// Starts the peer protocol: builds the swarm on the node key, binds the
/// listen addresses, dials the bootstrap peers, and spawns the task.
pub async fn start(
    settings: P2pSettings,
    key: &Keypair,
    store: SharedStore,
    metrics: Arc<P2pMetrics>,
    witness: Arc<dyn super::witnessing::WitnessService>,
) -> Result<(P2pHandle, JoinHandle<()>), P2pError> {
    let (swarm, bootstrap) = swarm::build(&settings, key, &metrics).await?;
    let peer_id = *swarm.local_peer_id();
    let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
    let (done, done_rx) = mpsc::channel(GOSSIP_SLOTS + 64);
    let events = store.subscribe();
    let config = ProtocolConfig {
        network: settings.network.clone(),
        version: behaviour::protocol_version(&settings.network),
        sync_interval: settings.sync_interval,
        discovery: settings.discovery,
        bootstrap,
    };
    let mut actor = Actor {
        topic: behaviour::objects_topic(&settings.network),
        swarm,
        store,
        metrics,
        protocol: PeerProtocol::new(config, Instant::now()),
        network: settings.network.clone(),
        timers: BTreeMap::new(),
        timer_seq: 0,
        waiters: HashMap::new(),
        next_waiter: 0,
        requests: HashMap::new(),
        answers: HashMap::new(),
        next_answer: 0,
        done,
        witnessing: super::witness_edge::WitnessEdge::new(witness, &settings.network),
    };
    actor.drive(InEvent::Start);
    let task = tokio::spawn(async move { actor.run(command_rx, done_rx, events).await });
    Ok((P2pHandle { commands, peer_id }, task))
}

impl Actor {
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut done: mpsc::Receiver<Done>,
        mut events: broadcast::Receiver<StoredEvent>,
    ) {
        let mut events_open = true;
        loop {
            let next_timer = self.timers.keys().next().map(|(at, _)| *at);
            let timer = async move {
                match next_timer {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
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
                Some(done) = done.recv() => match done {
                    Done::Ingested { job, applied } => self.drive(InEvent::Ingested { job, applied }),
                    Done::Read { tag, response } => self.drive(InEvent::ObjectsRead { tag, response }),
                    Done::Witnessed(answered) => self.answer_witness(answered),
                    Done::EvidenceChecked(checked) => self.report_evidence(checked),
                },
                event = events.recv(), if events_open => match event {
                    Ok(event) => self.drive(InEvent::Stored {
                        id: event.object.id(),
                        bytes: event.object.bytes().to_vec(),
                    }),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        // Sync delivers what gossip missed.
                        for _ in 0..n {
                            self.metrics.count_publish_dropped();
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => events_open = false,
                },
                () = timer => self.fire_timers(),
            }
        }
    }

    /// Delivers every timer that is due.
    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let timer = entry.remove();
            self.drive(InEvent::TimerExpired(timer));
        }
    }

    fn stop(&mut self) {
        self.drive(InEvent::Shutdown);
        for (_, waiter) in self.waiters.drain() {
            let _ = waiter.send(Err(P2pError::Stopped));
        }
    }

    /// The one place every swarm event passes: libp2p-metrics records it
    /// (its connection and identify maps need every event), then it is
    /// translated into an [`InEvent`].
    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        self.metrics.record(&event);
        let event = match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => match event {
                gossipsub::Event::Message {
                    propagation_source,
                    message_id,
                    message,
                } if self.witnessing.is_evidence(&message.topic) => {
                    return self.on_evidence(propagation_source, message_id, message.data)
                }
                gossipsub::Event::Message {
                    propagation_source,
                    message_id,
                    message,
                } => InEvent::Gossip {
                    message: message_id,
                    source: propagation_source,
                    data: message.data,
                },
                gossipsub::Event::Subscribed { topic, .. } if topic == self.topic.hash() => {
                    InEvent::PeerSubscribed
                }
                _ => return,
            },
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => match self.on_sync(event) {
                Some(event) => event,
                None => return,
            },
            SwarmEvent::Behaviour(BehaviourEvent::Witness(event)) => return self.on_witness(event),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => InEvent::Identified {
                peer: peer_id,
                protocol_version: info.protocol_version,
                agent: info.agent_version,
                listen_addrs: info.listen_addrs,
            },
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() {
                        kad.add_address(&peer, addr.clone());
                    }
                    self.drive(InEvent::Discovered { peer, addr });
                }
                return;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, ..
            })) => InEvent::Routable(peer),
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                connection_id,
                ..
            } => InEvent::Connected {
                peer: peer_id,
                connection: connection_id,
                endpoint,
            },
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => InEvent::Disconnected {
                peer: peer_id,
                connection: connection_id,
                remaining: num_established,
            },
            SwarmEvent::NewListenAddr { address, .. } => {
                let me = *self.swarm.local_peer_id();
                tracing::info!(address = %address.with_p2p(me).unwrap_or_else(|a| a), "listening for peers");
                return;
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id: Some(peer),
                error,
                ..
            } => InEvent::DialFailed {
                peer,
                error: error.to_string(),
                detail: transport_error(&error),
            },
            _ => return,
        };
        self.drive(event);
    }

    /// Translates a sync event, parking response channels and mapping
    /// libp2p's request ids to the protocol's.
    fn on_sync(
        &mut self,
        event: request_response::Event<baraza_protocol::sync::wire::SyncRequest, SyncResponse>,
    ) -> Option<InEvent> {
        use request_response::{Event, InboundFailure, Message, OutboundFailure};
        let malformed = |e: &std::io::Error| e.kind() == std::io::ErrorKind::InvalidData;
        Some(match event {
            Event::Message {
                peer,
                message:
                    Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                self.next_answer += 1;
                let tag = AnswerTag(self.next_answer);
                self.answers.insert(tag, channel);
                InEvent::Request { peer, tag, request }
            }
            Event::Message {
                peer,
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => InEvent::Response {
                peer,
                tag: self.requests.remove(&request_id)?,
                response,
            },
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => InEvent::RequestFailed {
                peer,
                tag: self.requests.remove(&request_id),
                malformed: matches!(&error, OutboundFailure::Io(e) if malformed(e)),
                error: error.to_string(),
            },
            Event::InboundFailure { peer, error, .. } => InEvent::InboundFailed {
                peer,
                malformed: matches!(&error, InboundFailure::Io(e) if malformed(e)),
                error: error.to_string(),
            },
            Event::ResponseSent { .. } => return None,
        })
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Sync { addr, reply } => {
                let Some(peer) = peer_of(&addr) else {
                    let _ = reply.send(Err(P2pError::Address(format!(
                        "{addr} must end in /p2p/<peer id> (the peer's start-up log and `baraza peers` show it)"
                    ))));
                    return;
                };
                self.next_waiter += 1;
                let waiter = WaiterId(self.next_waiter);
                self.waiters.insert(waiter, reply);
                self.drive(InEvent::SyncWanted { peer, addr, waiter });
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
            Command::Witness {
                peer,
                request,
                reply,
            } => self.ask_witness(peer, request, reply),
            Command::PublishEvidence(bytes) => self.publish_evidence(bytes),
            Command::Shutdown(_) => {}
        }
    }

    /// Hands `event` to the protocol and carries out what it decides,
    /// feeding back what an effect reports at once (a failed dial or
    /// publish) until nothing is left.
    pub(super) fn drive(&mut self, event: InEvent) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let env = super::effects::SwarmEnv {
                store: &self.store,
                gossipsub: &self.swarm.behaviour().gossipsub,
            };
            let out: Vec<_> = self.protocol.handle(event, Instant::now(), &env).collect();
            for out in out {
                queue.extend(self.apply(out));
            }
        }
    }
}
