//! What the protocol's tests drive it with: deterministic peer ids, toy
//! objects (whose only reference is a parent), and an in-memory store view
//! that holds, parks and releases them as the node's store would.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use baraza_protocol::sync::{SyncIndex, SyncKey};
use baraza_protocol::ObjectId;
use libp2p::core::{ConnectedPoint, Endpoint};
use libp2p::{Multiaddr, PeerId};

use super::{PeerProtocol, PeerScores, ProtocolConfig, StoreView};
use crate::p2p::ingest::{Applied, Invalid};

/// The network id every simulated node runs.
pub(super) const NETWORK: &str = "sim";

/// A deterministic peer id.
pub(super) fn peer(n: u8) -> PeerId {
    let key = libp2p::identity::Keypair::ed25519_from_bytes([n.wrapping_add(1); 32])
        .expect("32 bytes are an ed25519 seed");
    key.public().to_peer_id()
}

/// A toy object: `O`, a parent flag, the parent id, the creation time.
/// An encoding starting with `X` is invalid.
pub(super) fn object(created_at: u64, parent: Option<ObjectId>) -> Vec<u8> {
    let mut bytes = vec![b'O', u8::from(parent.is_some())];
    bytes.extend_from_slice(&parent.map_or([0; 32], |p| p.0));
    bytes.extend_from_slice(&created_at.to_be_bytes());
    bytes
}

/// An invalid object (its signature, say, does not verify).
pub(super) fn invalid_object(n: u64) -> Vec<u8> {
    let mut bytes = vec![b'X'];
    bytes.extend_from_slice(&n.to_be_bytes());
    bytes
}

fn parse(bytes: &[u8]) -> Option<(u64, Option<ObjectId>)> {
    if bytes.len() != 42 || bytes[0] != b'O' {
        return None;
    }
    let mut parent = [0; 32];
    parent.copy_from_slice(&bytes[2..34]);
    let mut at = [0; 8];
    at.copy_from_slice(&bytes[34..42]);
    Some((
        u64::from_be_bytes(at),
        (bytes[1] == 1).then_some(ObjectId(parent)),
    ))
}

/// A node's store: objects, the pending set (waiting for a parent), the
/// sync index, and gossipsub scores.
#[derive(Default)]
pub(super) struct MemStore {
    pub(super) objects: BTreeMap<ObjectId, Vec<u8>>,
    pending: BTreeMap<ObjectId, (Vec<u8>, ObjectId)>,
    index: SyncIndex,
    pub(super) scores: HashMap<PeerId, f64>,
    /// While false the sync index reads as still loading.
    pub(super) unloaded: bool,
}

impl MemStore {
    /// Offers encodings as the node's ingest would: invalid ones refused,
    /// children of missing parents pending, parents releasing children.
    /// Returns what it came to and the objects stored, in order.
    pub(super) fn put(&mut self, encodings: Vec<Vec<u8>>) -> (Applied, Vec<(ObjectId, Vec<u8>)>) {
        let mut applied = Applied::default();
        let mut stored = Vec::new();
        for bytes in encodings {
            let id = ObjectId::of_bytes(&bytes);
            let Some((_, parent)) = parse(&bytes) else {
                applied.invalid.push(Invalid {
                    id,
                    code: "bad_signature",
                    message: "the signature does not verify".into(),
                });
                continue;
            };
            if self.objects.contains_key(&id) {
                applied.known += 1;
                continue;
            }
            match parent {
                Some(p) if !self.objects.contains_key(&p) => {
                    applied.pending += 1;
                    applied.missing.push(p);
                    self.pending.insert(id, (bytes, p));
                }
                _ => {
                    applied.stored.push(id);
                    self.store(id, bytes, &mut stored);
                }
            }
        }
        (applied, stored)
    }

    fn store(&mut self, id: ObjectId, bytes: Vec<u8>, stored: &mut Vec<(ObjectId, Vec<u8>)>) {
        let (at, _) = parse(&bytes).expect("only valid objects are stored");
        self.index.insert(SyncKey::new(at, id));
        self.objects.insert(id, bytes.clone());
        stored.push((id, bytes));
        let children: Vec<ObjectId> = self
            .pending
            .iter()
            .filter(|(_, (_, p))| *p == id)
            .map(|(c, _)| *c)
            .collect();
        for child in children {
            if let Some((bytes, _)) = self.pending.remove(&child) {
                self.store(child, bytes, stored);
            }
        }
    }
}

impl StoreView for MemStore {
    fn contains(&self, id: &ObjectId) -> bool {
        self.objects.contains_key(id)
    }

    fn holds(&self, id: &ObjectId) -> bool {
        self.objects.contains_key(id) || self.pending.contains_key(id)
    }

    fn with_sync_index<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R> {
        (!self.unloaded).then(|| f(&self.index))
    }
}

impl PeerScores for MemStore {
    fn score(&self, peer: &PeerId) -> Option<f64> {
        self.scores.get(peer).copied()
    }
}

/// A protocol configured for the simulation.
pub(super) fn protocol(now: Instant) -> PeerProtocol {
    PeerProtocol::new(
        ProtocolConfig {
            network: NETWORK.into(),
            version: format!("/baraza/{NETWORK}/1"),
            sync_interval: Duration::from_secs(60),
            discovery: false,
            bootstrap: Vec::new(),
        },
        now,
    )
}

/// An endpoint of a loopback connection.
pub(super) fn endpoint(dialer: bool) -> ConnectedPoint {
    let addr: Multiaddr = "/ip4/127.0.0.1/tcp/7071".parse().expect("an address");
    if dialer {
        ConnectedPoint::Dialer {
            address: addr,
            role_override: Endpoint::Dialer,
            port_use: libp2p::core::transport::PortUse::Reuse,
        }
    } else {
        ConnectedPoint::Listener {
            local_addr: addr.clone(),
            send_back_addr: addr,
        }
    }
}
