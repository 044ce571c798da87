//! What the actor does with each [`OutEvent`]: swarm calls, store work
//! spawned off the actor, metrics and replies. Nothing here decides; an
//! effect whose outcome the protocol must know (a dial or a publish that
//! failed at once) returns it as an [`InEvent`].

use libp2p::gossipsub::{self, MessageAcceptance};
use libp2p::PeerId;

use baraza_protocol::sync::SyncIndex;
use baraza_protocol::ObjectId;

use super::actor::{Actor, Done};
use super::ingest;
use super::metrics::GossipResult;
use super::protocol::{
    Count, DialPurpose, GossipVerdict, InEvent, OutEvent, PeerScores, StoreView,
};
use super::swarm::objects_for;
use super::P2pError;
use crate::store::ObjectStore;

/// The protocol's view of the store and of gossipsub's scores, for one event.
pub(super) struct SwarmEnv<'a> {
    pub(super) store: &'a dyn ObjectStore,
    pub(super) gossipsub: &'a gossipsub::Behaviour,
}

impl StoreView for SwarmEnv<'_> {
    fn contains(&self, id: &ObjectId) -> bool {
        self.store.contains(id).unwrap_or(false)
    }

    fn holds(&self, id: &ObjectId) -> bool {
        self.store.holds(id).unwrap_or(false)
    }

    fn with_sync_index<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R> {
        self.store.with_sync_index(f)
    }
}

impl PeerScores for SwarmEnv<'_> {
    fn score(&self, peer: &PeerId) -> Option<f64> {
        self.gossipsub.peer_score(peer)
    }
}

impl Actor {
    /// Carries out one decision.
    pub(super) fn apply(&mut self, out: OutEvent) -> Option<InEvent> {
        let behaviour = self.swarm.behaviour_mut();
        match out {
            OutEvent::ScheduleTimer { at, timer } => {
                self.timer_seq += 1;
                self.timers.insert((at, self.timer_seq), timer);
            }
            OutEvent::Dial { addr, purpose } => {
                if let Err(e) = self.swarm.dial(addr.clone()) {
                    match purpose {
                        DialPurpose::Bootstrap => {
                            tracing::warn!(address = %addr, error = %e, "cannot dial bootstrap peer");
                        }
                        DialPurpose::Discovered => {}
                        DialPurpose::Sync { peer, waiter } => {
                            return Some(InEvent::SyncDialFailed {
                                peer,
                                waiter,
                                error: format!("cannot dial: {e}"),
                            })
                        }
                    }
                }
            }
            OutEvent::DialPeer(peer) => {
                let _ = self.swarm.dial(peer);
            }
            OutEvent::AddAddresses { peer, addrs } => {
                if let Some(kad) = behaviour.kad.as_mut() {
                    for addr in addrs {
                        kad.add_address(&peer, addr);
                    }
                }
            }
            OutEvent::KadBootstrap => {
                if let Some(kad) = behaviour.kad.as_mut() {
                    let _ = kad.bootstrap();
                }
            }
            OutEvent::CloseConnection(connection) => {
                self.swarm.close_connection(connection);
            }
            OutEvent::Disconnect(peer) => {
                let _ = self.swarm.disconnect_peer_id(peer);
            }
            OutEvent::Ban(peer) => {
                behaviour.blocked.block_peer(peer);
                behaviour.gossipsub.blacklist_peer(&peer);
                let _ = self.swarm.disconnect_peer_id(peer);
            }
            OutEvent::Unban(peer) => {
                behaviour.blocked.unblock_peer(peer);
                behaviour.gossipsub.remove_blacklisted_peer(&peer);
            }
            OutEvent::ReportGossip {
                message,
                source,
                verdict,
            } => {
                let (acceptance, result) = match verdict {
                    GossipVerdict::Accept => (MessageAcceptance::Accept, GossipResult::Accepted),
                    GossipVerdict::Ignore => (MessageAcceptance::Ignore, GossipResult::Ignored),
                    GossipVerdict::Reject => (MessageAcceptance::Reject, GossipResult::Rejected),
                };
                self.metrics.count_gossip(result);
                behaviour
                    .gossipsub
                    .report_message_validation_result(&message, &source, acceptance);
            }
            OutEvent::Publish { id, bytes } => {
                match behaviour.gossipsub.publish(self.topic.clone(), bytes) {
                    Ok(_) => self.metrics.count_published(),
                    Err(gossipsub::PublishError::Duplicate) => {}
                    Err(
                        gossipsub::PublishError::NoPeersSubscribedToTopic
                        | gossipsub::PublishError::AllQueuesFull(_),
                    ) => return Some(InEvent::PublishFailed),
                    Err(e) => tracing::debug!(%id, error = %e, "not published on gossip"),
                }
            }
            OutEvent::Ingest { job, encodings } => {
                let (store, done) = (self.store.clone(), self.done.clone());
                tokio::spawn(async move {
                    let applied = ingest::apply(&store, encodings).await;
                    let _ = done.send(Done::Ingested { job, applied }).await;
                });
            }
            OutEvent::ReadObjects { tag, ids } => {
                // Up to 4 MiB of reads: off the swarm task.
                let (store, done) = (self.store.clone(), self.done.clone());
                tokio::task::spawn_blocking(move || {
                    let response = objects_for(&store, &ids);
                    let _ = done.blocking_send(Done::Read { tag, response });
                });
            }
            OutEvent::Respond { tag, response } => {
                if let Some(channel) = self.answers.remove(&tag) {
                    // An error means the peer is gone; nothing to do.
                    let _ = behaviour.sync.send_response(channel, response);
                }
            }
            OutEvent::SendRequest { peer, tag, request } => {
                let id = behaviour.sync.send_request(&peer, request);
                self.requests.insert(id, tag);
            }
            OutEvent::Reply {
                waiters,
                peer,
                result,
            } => {
                for waiter in waiters {
                    if let Some(reply) = self.waiters.remove(&waiter) {
                        let _ = reply.send(result.clone().map_err(|message| P2pError::Peer {
                            peer: peer.to_string(),
                            message,
                        }));
                    }
                }
            }
            OutEvent::Count(count) => self.count(count),
        }
        None
    }

    fn count(&self, count: Count) {
        let m = &self.metrics;
        match count {
            Count::Peers(n) => m.set_peers(n),
            Count::GossipRejection(reason) => m.count_gossip_rejection(reason),
            Count::Session { ok } => m.count_session(ok),
            Count::Fetched(n) => m.count_fetched(n),
            Count::SyncBytes { received, sent } => m.count_sync_bytes(received, sent),
            Count::Ban => m.count_ban(),
            Count::RefusedConnection => m.count_refused_connection(),
            Count::SyncRefusal => m.count_sync_refusal(),
            Count::WrongNetwork => m.count_wrong_network(),
        }
    }
}
