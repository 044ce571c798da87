//! Per-peer and per-address bounds on what peers may ask of this node:
//! a token bucket per peer for inbound sync requests, and a count of
//! inbound connections per IP address.
//!
//! Both are plain data the swarm task consults; no clocks or sockets of
//! their own, so they are tested directly.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

use libp2p::core::ConnectedPoint;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::ConnectionId;
use libp2p::PeerId;

/// Inbound sync requests a peer may make at once.
pub(crate) const SYNC_BURST: f64 = 64.0;
/// Inbound sync requests a peer may make per second on average. A
/// catch-up session needs about one reconcile round and one fetch of 256
/// objects per round trip; 32/s lets an honest peer fetch 8,000 objects/s.
pub(crate) const SYNC_PER_SECOND: f64 = 32.0;
/// Inbound connections from one IP address (loopback exempt: test
/// networks and devnets run every node on one host).
pub(crate) const MAX_INBOUND_PER_IP: usize = 16;

/// One token bucket per connected peer for inbound sync requests.
#[derive(Debug, Default)]
pub(crate) struct RequestBuckets {
    buckets: HashMap<PeerId, (f64, Instant)>,
}

impl RequestBuckets {
    /// Takes a token for `peer`; `false` when it has none left.
    pub(crate) fn allow(&mut self, peer: PeerId, now: Instant) -> bool {
        let (tokens, last) = self.buckets.entry(peer).or_insert((SYNC_BURST, now));
        let refill = now.saturating_duration_since(*last).as_secs_f64() * SYNC_PER_SECOND;
        *tokens = (*tokens + refill).min(SYNC_BURST);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets a disconnected peer.
    pub(crate) fn forget(&mut self, peer: &PeerId) {
        self.buckets.remove(peer);
    }
}

/// Inbound connections by remote IP address.
#[derive(Debug, Default)]
pub(crate) struct InboundByIp {
    by_connection: HashMap<ConnectionId, IpAddr>,
    by_ip: HashMap<IpAddr, usize>,
}

impl InboundByIp {
    /// Counts a new connection; `false` if it takes its address over
    /// [`MAX_INBOUND_PER_IP`] (the caller closes it; it stays counted
    /// until [`InboundByIp::closed`]).
    pub(crate) fn opened(&mut self, connection: ConnectionId, endpoint: &ConnectedPoint) -> bool {
        let ConnectedPoint::Listener { send_back_addr, .. } = endpoint else {
            return true;
        };
        let Some(ip) = send_back_addr.iter().find_map(|p| match p {
            Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
            Protocol::Ip6(ip) => Some(IpAddr::V6(ip)),
            _ => None,
        }) else {
            return true;
        };
        self.by_connection.insert(connection, ip);
        let count = self.by_ip.entry(ip).or_default();
        *count += 1;
        ip.is_loopback() || *count <= MAX_INBOUND_PER_IP
    }

    /// Uncounts a closed connection.
    pub(crate) fn closed(&mut self, connection: ConnectionId) {
        let Some(ip) = self.by_connection.remove(&connection) else {
            return;
        };
        if let Some(count) = self.by_ip.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                self.by_ip.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::Multiaddr;
    use std::time::Duration;

    #[test]
    fn a_peer_gets_its_burst_then_its_rate() {
        let mut buckets = RequestBuckets::default();
        let (peer, other, t0) = (PeerId::random(), PeerId::random(), Instant::now());
        let burst = (0..1000).take_while(|_| buckets.allow(peer, t0)).count();
        assert_eq!(burst, SYNC_BURST as usize);
        assert!(buckets.allow(other, t0), "buckets are per peer");
        let later = t0 + Duration::from_secs(1);
        let refilled = (0..1000).take_while(|_| buckets.allow(peer, later)).count();
        assert_eq!(refilled, SYNC_PER_SECOND as usize);
        buckets.forget(&peer);
        assert!(buckets.allow(peer, later), "a forgotten peer starts afresh");
    }

    fn inbound(addr: &str) -> ConnectedPoint {
        ConnectedPoint::Listener {
            local_addr: "/ip4/0.0.0.0/tcp/7071".parse::<Multiaddr>().expect("addr"),
            send_back_addr: addr.parse().expect("addr"),
        }
    }

    #[test]
    fn one_address_may_hold_only_so_many_inbound_connections() {
        let mut counts = InboundByIp::default();
        let from = inbound("/ip4/203.0.113.7/tcp/40000");
        let ids: Vec<ConnectionId> = (0..=MAX_INBOUND_PER_IP)
            .map(|_| ConnectionId::new_unchecked(next_id()))
            .collect();
        for id in &ids[..MAX_INBOUND_PER_IP] {
            assert!(counts.opened(*id, &from));
        }
        assert!(
            !counts.opened(ids[MAX_INBOUND_PER_IP], &from),
            "one too many"
        );
        assert!(
            counts.opened(new_connection(), &inbound("/ip4/198.51.100.1/tcp/1")),
            "another address is not affected"
        );
        counts.closed(ids[MAX_INBOUND_PER_IP]);
        counts.closed(ids[0]);
        assert!(
            counts.opened(new_connection(), &from),
            "room again once closed"
        );
        for _ in 0..(2 * MAX_INBOUND_PER_IP) {
            assert!(counts.opened(new_connection(), &inbound("/ip4/127.0.0.1/tcp/1")));
        }
        let outbound = ConnectedPoint::Dialer {
            address: "/ip4/203.0.113.7/tcp/7071".parse().expect("addr"),
            role_override: libp2p::core::Endpoint::Dialer,
            port_use: libp2p::core::transport::PortUse::Reuse,
        };
        assert!(
            counts.opened(new_connection(), &outbound),
            "dials are not counted"
        );
    }

    fn next_id() -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    fn new_connection() -> ConnectionId {
        ConnectionId::new_unchecked(next_id())
    }
}
