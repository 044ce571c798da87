//! Counters of the peer protocol, rendered with the node's other metrics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::metrics::header;

/// Peer-protocol counters and gauges (relaxed atomics).
#[derive(Debug, Default)]
pub struct P2pMetrics {
    peers: AtomicU64,
    gossip_accepted: AtomicU64,
    gossip_ignored: AtomicU64,
    gossip_rejected: AtomicU64,
    published: AtomicU64,
    publish_dropped: AtomicU64,
    sessions_ok: AtomicU64,
    sessions_failed: AtomicU64,
    fetched: AtomicU64,
    sync_bytes_in: AtomicU64,
    sync_bytes_out: AtomicU64,
    bans: AtomicU64,
    refused_network: AtomicU64,
    refused_connections: AtomicU64,
    sync_refusals: AtomicU64,
    /// Rejected gossip by reason (error codes: a fixed, small set).
    rejections: Mutex<BTreeMap<&'static str, u64>>,
}

/// What became of one gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GossipResult {
    /// Verified and stored (or already held): forwarded.
    Accepted,
    /// Not forwarded, no penalty (waiting for references, or overloaded).
    Ignored,
    /// Invalid: not forwarded, the sender penalised.
    Rejected,
}

impl P2pMetrics {
    /// Sets the connected-peer gauge.
    pub fn set_peers(&self, n: usize) {
        self.peers.store(n as u64, Ordering::Relaxed);
    }
    /// Counts one gossip message's outcome.
    pub fn count_gossip(&self, result: GossipResult) {
        let c = match result {
            GossipResult::Accepted => &self.gossip_accepted,
            GossipResult::Ignored => &self.gossip_ignored,
            GossipResult::Rejected => &self.gossip_rejected,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one rejected gossip message's reason (a stable error code,
    /// `too_large` or `refused_before`).
    pub fn count_gossip_rejection(&self, reason: &'static str) {
        let mut map = self.rejections.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry(reason).or_default() += 1;
    }

    /// Counts one object published.
    pub fn count_published(&self) {
        self.published.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one object not published because the queue was full.
    pub fn count_publish_dropped(&self) {
        self.publish_dropped.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one finished session.
    pub fn count_session(&self, ok: bool) {
        let c = if ok {
            &self.sessions_ok
        } else {
            &self.sessions_failed
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts objects received by fetch.
    pub fn count_fetched(&self, n: u64) {
        self.fetched.fetch_add(n, Ordering::Relaxed);
    }
    /// Counts sync frame bytes.
    pub fn count_sync_bytes(&self, received: u64, sent: u64) {
        self.sync_bytes_in.fetch_add(received, Ordering::Relaxed);
        self.sync_bytes_out.fetch_add(sent, Ordering::Relaxed);
    }
    /// Counts one ban.
    pub fn count_ban(&self) {
        self.bans.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one inbound connection closed for its address's limit.
    pub fn count_refused_connection(&self) {
        self.refused_connections.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one inbound sync request answered busy (over the peer's
    /// rate, or too many fetches at once).
    pub fn count_sync_refusal(&self) {
        self.sync_refusals.fetch_add(1, Ordering::Relaxed);
    }
    /// Counts one peer refused for being on another network.
    pub fn count_wrong_network(&self) {
        self.refused_network.fetch_add(1, Ordering::Relaxed);
    }

    /// Appends the Prometheus text.
    pub fn render(&self, out: &mut String) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        header(out, "baraza_p2p_peers", "gauge", "Connected peers.");
        let _ = writeln!(out, "baraza_p2p_peers {}", get(&self.peers));
        header(
            out,
            "baraza_gossip_messages_total",
            "counter",
            "Gossip messages received, by validation result.",
        );
        for (label, c) in [
            ("accepted", &self.gossip_accepted),
            ("ignored", &self.gossip_ignored),
            ("rejected", &self.gossip_rejected),
        ] {
            let _ = writeln!(
                out,
                "baraza_gossip_messages_total{{result=\"{label}\"}} {}",
                get(c)
            );
        }
        header(
            out,
            "baraza_gossip_published_total",
            "counter",
            "Objects published on gossip.",
        );
        let _ = writeln!(
            out,
            "baraza_gossip_published_total {}",
            get(&self.published)
        );
        header(
            out,
            "baraza_gossip_publish_dropped_total",
            "counter",
            "Objects not published because the queue was full (sync delivers them).",
        );
        let _ = writeln!(
            out,
            "baraza_gossip_publish_dropped_total {}",
            get(&self.publish_dropped)
        );
        header(
            out,
            "baraza_sync_sessions_total",
            "counter",
            "Finished sync sessions, by result.",
        );
        let _ = writeln!(
            out,
            "baraza_sync_sessions_total{{result=\"ok\"}} {}",
            get(&self.sessions_ok)
        );
        let _ = writeln!(
            out,
            "baraza_sync_sessions_total{{result=\"failed\"}} {}",
            get(&self.sessions_failed)
        );
        header(
            out,
            "baraza_sync_objects_fetched_total",
            "counter",
            "Objects received by sync fetches.",
        );
        let _ = writeln!(
            out,
            "baraza_sync_objects_fetched_total {}",
            get(&self.fetched)
        );
        header(
            out,
            "baraza_sync_bytes_total",
            "counter",
            "Sync frame bytes, by direction.",
        );
        let _ = writeln!(
            out,
            "baraza_sync_bytes_total{{direction=\"in\"}} {}",
            get(&self.sync_bytes_in)
        );
        let _ = writeln!(
            out,
            "baraza_sync_bytes_total{{direction=\"out\"}} {}",
            get(&self.sync_bytes_out)
        );
        header(
            out,
            "baraza_peer_bans_total",
            "counter",
            "Peers banned for misbehaving.",
        );
        let _ = writeln!(out, "baraza_peer_bans_total {}", get(&self.bans));
        header(
            out,
            "baraza_peers_wrong_network_total",
            "counter",
            "Peers refused for announcing another network id.",
        );
        let _ = writeln!(
            out,
            "baraza_peers_wrong_network_total {}",
            get(&self.refused_network)
        );
        header(
            out,
            "baraza_connections_refused_total",
            "counter",
            "Inbound connections closed: too many from one address.",
        );
        let _ = writeln!(
            out,
            "baraza_connections_refused_total {}",
            get(&self.refused_connections)
        );
        header(
            out,
            "baraza_sync_requests_refused_total",
            "counter",
            "Inbound sync requests answered busy: over the peer's rate, or too many fetches at once.",
        );
        let _ = writeln!(
            out,
            "baraza_sync_requests_refused_total {}",
            get(&self.sync_refusals)
        );
    }
}
