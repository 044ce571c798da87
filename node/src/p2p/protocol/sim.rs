//! A seeded, virtual-time simulation of many [`PeerProtocol`]s: an
//! in-memory store per node (toy objects whose only reference is a parent),
//! a network that floods accepted gossip to linked peers and carries sync
//! frames with a seeded latency, and no real clock, tokio or sockets.
//! Scenarios: children parked before parents, busy back-off, bans,
//! de-duplication of claimed ids, partitions and heal.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::{Duration, Instant};

use baraza_protocol::sync::wire::{RefusalCode, SyncRequest, SyncResponse};
use baraza_protocol::ObjectId;
use libp2p::gossipsub::MessageId;
use libp2p::swarm::ConnectionId;
use libp2p::PeerId;

use super::testkit::{endpoint, invalid_object, object, peer, protocol, MemStore, NETWORK};
use super::{
    AnswerTag, Count, GossipVerdict, InEvent, OutEvent, PeerProtocol, RequestTag, StoreView, Timer,
};

/// A tiny seeded generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// One simulated node.
struct Node {
    id: PeerId,
    proto: PeerProtocol,
    store: MemStore,
    /// Gossip message ids seen (gossipsub's duplicate cache).
    seen: HashSet<MessageId>,
    /// How long reading a fetch answer takes.
    read_delay: Duration,
}

/// What the simulation observed, for the scenarios' assertions.
#[derive(Default)]
pub(super) struct Trace {
    /// Every gossip verdict: node, object, verdict.
    pub(super) verdicts: Vec<(usize, ObjectId, GossipVerdict)>,
    /// Every fetch request: from, to, ids.
    pub(super) fetches: Vec<(usize, usize, Vec<ObjectId>)>,
    /// Busy answers sent, by node.
    pub(super) busy: BTreeMap<usize, u64>,
    /// Bans: node, peer index.
    pub(super) bans: Vec<(usize, usize)>,
    /// Resume timers asked for.
    pub(super) resumes: u64,
    /// Events handled.
    pub(super) events: u64,
}

/// The simulated network.
pub(super) struct Sim {
    start: Instant,
    now: Instant,
    nodes: Vec<Node>,
    links: BTreeSet<(usize, usize)>,
    queue: BTreeMap<(Instant, u64), (usize, InEvent)>,
    seq: u64,
    rng: Rng,
    /// Peers' requests in flight: (answering node, its tag) to (asker, its tag).
    answers: BTreeMap<(usize, AnswerTag), (usize, RequestTag)>,
    next_answer: u64,
    next_connection: usize,
    pub(super) trace: Trace,
}

impl Sim {
    /// `n` unconnected nodes, latencies drawn from `seed`.
    pub(super) fn new(n: usize, seed: u64) -> Sim {
        let start = Instant::now();
        let mut sim = Sim {
            start,
            now: start,
            nodes: (0..n)
                .map(|i| Node {
                    id: peer(i as u8),
                    proto: protocol(start),
                    store: MemStore::default(),
                    seen: HashSet::new(),
                    read_delay: Duration::from_millis(1),
                })
                .collect(),
            links: BTreeSet::new(),
            queue: BTreeMap::new(),
            seq: 0,
            rng: Rng(seed | 1),
            answers: BTreeMap::new(),
            next_answer: 0,
            next_connection: 0,
            trace: Trace::default(),
        };
        for i in 0..n {
            sim.at(start, i, InEvent::Start);
        }
        sim
    }

    /// Makes reading fetch answers at `node` slow.
    pub(super) fn set_read_delay(&mut self, node: usize, delay: Duration) {
        self.nodes[node].read_delay = delay;
    }

    /// The node's store.
    pub(super) fn store(&self, node: usize) -> &MemStore {
        &self.nodes[node].store
    }

    /// The index of a peer id.
    fn index_of(&self, peer: &PeerId) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == *peer)
    }

    fn at(&mut self, when: Instant, node: usize, event: InEvent) {
        self.seq += 1;
        self.queue.insert((when, self.seq), (node, event));
    }

    fn latency(&mut self) -> Duration {
        Duration::from_millis(5 + self.rng.below(25))
    }

    fn linked(&self, a: usize, b: usize) -> bool {
        self.links.contains(&(a.min(b), a.max(b)))
    }

    /// Connects `a` (dialling) and `b`; both identify at once.
    pub(super) fn connect(&mut self, a: usize, b: usize) {
        if !self.links.insert((a.min(b), a.max(b))) {
            return;
        }
        self.next_connection += 1;
        let connection = ConnectionId::new_unchecked(self.next_connection);
        let now = self.now;
        for (me, other, dialer) in [(a, b, true), (b, a, false)] {
            let peer = self.nodes[other].id;
            self.at(
                now,
                me,
                InEvent::Connected {
                    peer,
                    connection,
                    endpoint: endpoint(dialer),
                },
            );
            self.at(
                now + Duration::from_millis(2),
                me,
                InEvent::Identified {
                    peer,
                    protocol_version: format!("/baraza/{NETWORK}/1"),
                    agent: "sim".into(),
                    listen_addrs: Vec::new(),
                },
            );
        }
    }

    /// Cuts the link between `a` and `b`.
    pub(super) fn disconnect(&mut self, a: usize, b: usize) {
        if !self.links.remove(&(a.min(b), a.max(b))) {
            return;
        }
        let now = self.now;
        for (me, other) in [(a, b), (b, a)] {
            let peer = self.nodes[other].id;
            self.at(
                now,
                me,
                InEvent::Disconnected {
                    peer,
                    connection: ConnectionId::new_unchecked(0),
                    remaining: 0,
                },
            );
        }
    }

    /// Stores objects at `node` as a local submission would; the store's
    /// events follow in `order` (the protocol publishes them).
    pub(super) fn submit(&mut self, node: usize, objects: Vec<Vec<u8>>, order: &[usize]) {
        let (_, stored) = self.nodes[node].store.put(objects);
        let now = self.now;
        for &i in order {
            let (id, bytes) = stored[i].clone();
            self.at(now, node, InEvent::Stored { id, bytes });
        }
    }

    /// `from` sends raw gossip of `bytes` to every linked peer (a hostile
    /// node, bypassing its protocol).
    pub(super) fn inject_gossip(&mut self, from: usize, bytes: Vec<u8>) {
        let message = MessageId::new(&ObjectId::of_bytes(&bytes).0);
        self.nodes[from].seen.insert(message.clone());
        self.flood(from, None, message, bytes);
    }

    fn flood(&mut self, from: usize, except: Option<usize>, message: MessageId, data: Vec<u8>) {
        let source = self.nodes[from].id;
        let neighbours: Vec<usize> = (0..self.nodes.len())
            .filter(|&j| j != from && Some(j) != except && self.linked(from, j))
            .collect();
        for j in neighbours {
            let when = self.now + self.latency();
            self.at(
                when,
                j,
                InEvent::Gossip {
                    message: message.clone(),
                    source,
                    data: data.clone(),
                },
            );
        }
    }

    /// Runs until virtual time `until` (from the start) or nothing is left.
    pub(super) fn run_until(&mut self, until: Duration) {
        let end = self.start + until;
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > end {
                break;
            }
            let ((when, _), (node, event)) = entry.remove_entry();
            self.now = when;
            self.deliver(node, event);
        }
        self.now = end;
    }

    fn deliver(&mut self, i: usize, event: InEvent) {
        if let InEvent::Gossip {
            message, source, ..
        } = &event
        {
            let from = self.index_of(source).expect("a simulated peer");
            if !self.linked(i, from) || !self.nodes[i].seen.insert(message.clone()) {
                return;
            }
        }
        self.trace.events += 1;
        let now = self.now;
        let node = &mut self.nodes[i];
        let out: Vec<OutEvent> = node.proto.handle(event, now, &node.store).collect();
        for out in out {
            self.effect(i, out);
        }
    }

    fn effect(&mut self, i: usize, out: OutEvent) {
        let now = self.now;
        match out {
            OutEvent::ScheduleTimer { at, timer } => {
                if matches!(timer, Timer::Resume(_)) {
                    self.trace.resumes += 1;
                }
                self.at(at, i, InEvent::TimerExpired(timer));
            }
            OutEvent::Ban(peer) | OutEvent::Disconnect(peer) => {
                let j = self.index_of(&peer).expect("a simulated peer");
                if matches!(out, OutEvent::Ban(_)) {
                    self.trace.bans.push((i, j));
                }
                self.disconnect(i, j);
            }
            OutEvent::ReportGossip {
                message,
                source,
                verdict,
            } => {
                let object = ObjectId(message.0.as_slice().try_into().expect("32-byte ids"));
                self.trace.verdicts.push((i, object, verdict));
                if verdict == GossipVerdict::Accept {
                    if let Some(bytes) = self.nodes[i].store.objects.get(&object).cloned() {
                        let from = self.index_of(&source);
                        self.flood(i, from, message, bytes);
                    }
                }
            }
            OutEvent::Publish { id, bytes } => {
                let message = MessageId::new(&id.0);
                let linked = (0..self.nodes.len()).any(|j| j != i && self.linked(i, j));
                if !linked {
                    self.at(now, i, InEvent::PublishFailed);
                } else if self.nodes[i].seen.insert(message.clone()) {
                    self.flood(i, None, message, bytes);
                }
            }
            OutEvent::Ingest { job, encodings } => {
                let (applied, stored) = self.nodes[i].store.put(encodings);
                let when = now + Duration::from_millis(1);
                for (id, bytes) in stored {
                    self.at(when, i, InEvent::Stored { id, bytes });
                }
                self.at(when, i, InEvent::Ingested { job, applied });
            }
            OutEvent::ReadObjects { tag, ids } => {
                let store = &self.nodes[i].store;
                let objects = ids
                    .iter()
                    .filter_map(|id| store.objects.get(id).cloned())
                    .collect();
                let response = SyncResponse::Objects {
                    objects,
                    truncated: false,
                };
                let when = now + self.nodes[i].read_delay;
                self.at(when, i, InEvent::ObjectsRead { tag, response });
            }
            OutEvent::Respond { tag, response } => {
                let Some((asker, their_tag)) = self.answers.remove(&(i, tag)) else {
                    return;
                };
                if let SyncResponse::Refused {
                    code: RefusalCode::Busy,
                    ..
                } = response
                {
                    *self.trace.busy.entry(i).or_default() += 1;
                }
                let event = if self.linked(i, asker) {
                    InEvent::Response {
                        peer: self.nodes[i].id,
                        tag: their_tag,
                        response,
                    }
                } else {
                    InEvent::RequestFailed {
                        peer: self.nodes[i].id,
                        tag: Some(their_tag),
                        error: "connection closed".into(),
                        malformed: false,
                    }
                };
                let when = now + self.latency();
                self.at(when, asker, event);
            }
            OutEvent::SendRequest { peer, tag, request } => {
                let j = self.index_of(&peer).expect("a simulated peer");
                if let SyncRequest::Fetch { ids, .. } = &request {
                    self.trace.fetches.push((i, j, ids.clone()));
                }
                let when = now + self.latency();
                if self.linked(i, j) {
                    self.next_answer += 1;
                    let answer = AnswerTag(self.next_answer);
                    self.answers.insert((j, answer), (i, tag));
                    let peer = self.nodes[i].id;
                    self.at(
                        when,
                        j,
                        InEvent::Request {
                            peer,
                            tag: answer,
                            request,
                        },
                    );
                } else {
                    let event = InEvent::RequestFailed {
                        peer,
                        tag: Some(tag),
                        error: "not connected".into(),
                        malformed: false,
                    };
                    self.at(when, i, event);
                }
            }
            OutEvent::Count(Count::Ban) => {}
            // Dials, Kademlia, unbans, replies and other counts change
            // nothing in a fixed topology.
            _ => {}
        }
    }
}

mod scenarios;
