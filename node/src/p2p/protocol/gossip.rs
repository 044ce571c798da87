//! Gossip decisions: a message's verdict before and after verification,
//! parking children whose parent has not arrived (see
//! [`AwaitingParents`](crate::p2p::awaiting::AwaitingParents)), and what
//! this node publishes.

use baraza_protocol::limits::MAX_OBJECT_BYTES;
use baraza_protocol::ObjectId;
use libp2p::gossipsub::MessageId;
use libp2p::PeerId;

use super::{Count, Env, GossipVerdict, IngestJob, OutEvent, PeerProtocol, Timer, GOSSIP_SLOTS};
use crate::p2p::awaiting::PARK_FOR;
use crate::p2p::ingest::Applied;

impl PeerProtocol {
    /// A message arrived: reject what is known bad or too large, accept
    /// what is held, otherwise hand it to ingest (while there are slots).
    pub(super) fn on_gossip(
        &mut self,
        env: &impl Env,
        message: MessageId,
        source: PeerId,
        data: Vec<u8>,
    ) {
        let object = ObjectId::of_bytes(&data);
        let too_large = data.len() > MAX_OBJECT_BYTES;
        if too_large || self.refused.contains(&object) {
            self.count(Count::GossipRejection(if too_large {
                "too_large"
            } else {
                "refused_before"
            }));
            self.report(message, source, GossipVerdict::Reject);
            self.offend(env, source, "sent an invalid object on gossip");
            return;
        }
        if env.contains(&object) {
            self.report(message, source, GossipVerdict::Accept);
            return;
        }
        if self.gossip_in_flight >= GOSSIP_SLOTS {
            self.report(message, source, GossipVerdict::Ignore);
            return;
        }
        self.gossip_in_flight += 1;
        self.from_peers.insert(object);
        self.emit(OutEvent::Ingest {
            job: IngestJob::Gossip {
                message,
                source,
                object,
            },
            encodings: vec![data],
        });
    }

    /// A message's object was verified and offered to the store.
    pub(super) fn on_gossip_applied(
        &mut self,
        env: &impl Env,
        message: MessageId,
        source: PeerId,
        object: ObjectId,
        applied: Applied,
    ) {
        self.gossip_in_flight = self.gossip_in_flight.saturating_sub(1);
        if let Some(bad) = applied.invalid.first() {
            tracing::info!(peer = %source, id = %bad.id, reason = %bad.message, "refused an invalid object from gossip");
            self.refused.insert(bad.id);
            self.count(Count::GossipRejection(bad.code));
            self.report(message, source, GossipVerdict::Reject);
            self.offend(env, source, "sent an invalid object on gossip");
        } else if !applied.stored.is_empty() || applied.known > 0 {
            self.report(message, source, GossipVerdict::Accept);
        } else {
            // Waiting for its parent (often a message of the same burst,
            // verified a moment later): leave the message unvalidated, so
            // gossipsub forwards it once the store releases it. An ignored
            // message is never forwarded, and gossipsub refuses to publish
            // what it has seen, so the next hop would get it only by the
            // minute's sync.
            let parked = !applied.missing.is_empty()
                && self
                    .awaiting
                    .park(object, message.clone(), source, self.now);
            if parked {
                self.schedule(self.now + PARK_FOR, Timer::Unpark);
            } else {
                self.report(message, source, GossipVerdict::Ignore);
            }
            if !applied.missing.is_empty() && self.peers.contains_key(&source) {
                self.fetch_from(env, source, applied.missing);
            }
        }
    }

    /// The store stored an object: a parked message is now valid to
    /// forward; anything else not from a peer is published.
    pub(super) fn on_stored(&mut self, id: ObjectId, bytes: Vec<u8>) {
        if let Some(parked) = self.awaiting.take(&id) {
            self.report(parked.message, parked.source, GossipVerdict::Accept);
            return;
        }
        if self.from_peers.contains(&id) {
            return;
        }
        self.emit(OutEvent::Publish { id, bytes });
    }

    /// Reports parked messages that waited too long as ignored.
    pub(super) fn expire_parked(&mut self) {
        for parked in self.awaiting.expired(self.now) {
            self.report(parked.message, parked.source, GossipVerdict::Ignore);
        }
    }

    fn report(&mut self, message: MessageId, source: PeerId, verdict: GossipVerdict) {
        self.emit(OutEvent::ReportGossip {
            message,
            source,
            verdict,
        });
    }
}
