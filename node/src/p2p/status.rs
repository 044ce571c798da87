//! The peer protocol's state as `status` reports it: peers and sessions
//! from the protocol, scores and listen addresses from the swarm.

use std::time::Instant;

use super::actor::Actor;
use super::{P2pStatus, PeerStatus};

impl Actor {
    /// The state, now.
    pub(super) fn status(&self) -> P2pStatus {
        let me = *self.swarm.local_peer_id();
        let gossipsub = &self.swarm.behaviour().gossipsub;
        let mut peers: Vec<PeerStatus> = self
            .protocol
            .peers()
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
            network: self.network.clone(),
            listen: self
                .swarm
                .listeners()
                .map(|a| a.clone().with_p2p(me).unwrap_or_else(|a| a).to_string())
                .collect(),
            peers,
            sessions: self.protocol.sessions(Instant::now()),
            blocked: self.protocol.banned().map(|p| p.to_string()).collect(),
        }
    }
}
