//! Gossip messages held unvalidated while their objects wait for a parent.
//!
//! Objects of one burst (a charter and its comments, say) arrive together
//! and are verified in parallel, so a child is often checked a moment
//! before its parent is stored and goes pending. Reporting such a message
//! *ignored* would end its gossip at this hop — gossipsub never forwards an
//! ignored message, nor lets the node publish one it has seen — and the
//! next hop would wait for the minute's sync. Instead the message is parked
//! here, unvalidated, and accepted (so forwarded) when the store releases
//! the object; if that does not happen within [`PARK_FOR`], it is reported
//! ignored, as before. Gossipsub itself forgets unvalidated messages after
//! a few heartbeats, which is why the wait is short.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use baraza_protocol::ObjectId;
use libp2p::gossipsub::MessageId;
use libp2p::PeerId;

/// How long a message stays parked (gossipsub keeps it for its history
/// length, 5 heartbeats of 500 ms).
pub(crate) const PARK_FOR: Duration = Duration::from_secs(2);
/// Most messages parked at once; beyond, they are ignored at once.
pub(crate) const MAX_PARKED: usize = 1024;

/// A parked message: what to report, to whom, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parked {
    /// The gossipsub message id.
    pub(crate) message: MessageId,
    /// The peer it came from (the validation report names it).
    pub(crate) source: PeerId,
    since: Instant,
}

/// The parked messages, by the object they carry.
#[derive(Debug, Default)]
pub(crate) struct AwaitingParents {
    parked: HashMap<ObjectId, Parked>,
}

impl AwaitingParents {
    /// Parks `message` for `object`; false (park nothing) when full or
    /// when the object is parked already.
    pub(crate) fn park(
        &mut self,
        object: ObjectId,
        message: MessageId,
        source: PeerId,
        now: Instant,
    ) -> bool {
        if self.parked.len() >= MAX_PARKED || self.parked.contains_key(&object) {
            return false;
        }
        self.parked.insert(
            object,
            Parked {
                message,
                source,
                since: now,
            },
        );
        true
    }

    /// The parked message of `object`, now released.
    pub(crate) fn take(&mut self, object: &ObjectId) -> Option<Parked> {
        self.parked.remove(object)
    }

    /// Removes and returns the messages parked longer than [`PARK_FOR`].
    pub(crate) fn expired(&mut self, now: Instant) -> Vec<Parked> {
        let old: Vec<ObjectId> = self
            .parked
            .iter()
            .filter(|(_, p)| now.duration_since(p.since) >= PARK_FOR)
            .map(|(id, _)| *id)
            .collect();
        old.iter().filter_map(|id| self.parked.remove(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u8) -> MessageId {
        MessageId::new(&[n])
    }

    #[test]
    fn a_released_object_gives_back_its_message_once() {
        let mut a = AwaitingParents::default();
        let (peer, now) = (PeerId::random(), Instant::now());
        assert!(a.park(ObjectId([1; 32]), message(1), peer, now));
        assert!(
            !a.park(ObjectId([1; 32]), message(2), peer, now),
            "parked already"
        );
        let parked = a.take(&ObjectId([1; 32])).expect("parked");
        assert_eq!((parked.message, parked.source), (message(1), peer));
        assert_eq!(a.take(&ObjectId([1; 32])), None);
    }

    #[test]
    fn messages_expire_after_the_wait_and_the_set_is_bounded() {
        let mut a = AwaitingParents::default();
        let (peer, start) = (PeerId::random(), Instant::now());
        for i in 0..MAX_PARKED {
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&(i as u64).to_be_bytes());
            assert!(a.park(ObjectId(id), message(0), peer, start));
        }
        assert!(
            !a.park(ObjectId([0xff; 32]), message(0), peer, start),
            "full"
        );
        assert!(a.expired(start + PARK_FOR / 2).is_empty());
        assert_eq!(a.expired(start + PARK_FOR).len(), MAX_PARKED);
        assert!(
            a.park(ObjectId([0xff; 32]), message(0), peer, start),
            "room again"
        );
    }
}
