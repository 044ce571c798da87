//! Counters of the peer protocol, and libp2p's own metrics, in the node's
//! registry.
//!
//! The `baraza_*` series are the protocol's decisions (gossip verdicts,
//! sync sessions, bans). libp2p's series come from `libp2p-metrics`: the
//! swarm's connections, identify, ping and Kademlia through
//! [`P2pMetrics::record`], called with every swarm event, plus what the
//! swarm registers itself when built on [`P2pMetrics::swarm_registry`]:
//! transport bandwidth and gossipsub's mesh sizes and peer scores.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use libp2p::metrics::Recorder;
use libp2p::swarm::SwarmEvent;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::behaviour::BehaviourEvent;
use crate::metrics::{lock, ReasonLabel};

/// Peer-protocol counters and gauges, and libp2p's recorder.
pub struct P2pMetrics {
    peers: Gauge,
    gossip: Family<GossipLabel, Counter>,
    published: Counter,
    publish_dropped: Counter,
    sessions: Family<SessionLabel, Counter>,
    fetched: Counter,
    sync_bytes: Family<DirectionLabel, Counter>,
    bans: Counter,
    refused_network: Counter,
    refused_connections: Counter,
    sync_refusals: Counter,
    /// Rejected gossip by reason (error codes: a fixed, small set).
    rejections: Family<ReasonLabel, Counter>,
    /// libp2p's swarm, identify, ping, Kademlia and gossipsub-message series.
    libp2p: libp2p::metrics::Metrics,
    /// The registry everything above is in, for the swarm's own series.
    registry: Arc<Mutex<Registry>>,
    /// Whether a swarm has registered its series already.
    swarm_registered: AtomicBool,
}

/// What became of one gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GossipResult {
    /// Verified and stored (or already held): forwarded.
    Accepted,
    /// Not forwarded, no penalty (waiting for references, or overloaded).
    Ignored,
    /// Invalid: not forwarded, the sender penalised.
    Rejected,
}

impl GossipResult {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            GossipResult::Accepted => "accepted",
            GossipResult::Ignored => "ignored",
            GossipResult::Rejected => "rejected",
        }
    }
}

/// `{result}` of `baraza_gossip_messages_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct GossipLabel {
    result: &'static str,
}

/// `{result}` of `baraza_sync_sessions_total`: `ok` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SessionLabel {
    result: &'static str,
}

/// `{direction}` of `baraza_sync_bytes_total`: `in` or `out`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct DirectionLabel {
    direction: &'static str,
}

impl std::fmt::Debug for P2pMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P2pMetrics")
            .field("peers", &self.peers.get())
            .field("bans", &self.bans.get())
            .finish_non_exhaustive()
    }
}

impl Default for P2pMetrics {
    /// Metrics in a registry of their own (nothing renders it).
    fn default() -> Self {
        P2pMetrics::in_registry(Arc::new(Mutex::new(Registry::default())))
    }
}

impl P2pMetrics {
    /// Registers every peer-protocol series, and libp2p's, in `registry`.
    pub fn in_registry(registry: Arc<Mutex<Registry>>) -> P2pMetrics {
        let gossip = Family::<GossipLabel, Counter>::default();
        for result in [
            GossipResult::Accepted,
            GossipResult::Ignored,
            GossipResult::Rejected,
        ] {
            let _ = gossip.get_or_create(&GossipLabel {
                result: result.as_str(),
            });
        }
        let sessions = Family::<SessionLabel, Counter>::default();
        for result in ["ok", "failed"] {
            let _ = sessions.get_or_create(&SessionLabel { result });
        }
        let sync_bytes = Family::<DirectionLabel, Counter>::default();
        for direction in ["in", "out"] {
            let _ = sync_bytes.get_or_create(&DirectionLabel { direction });
        }
        let (peers, published, publish_dropped, fetched) = Default::default();
        let (bans, refused_network, refused_connections, sync_refusals) = Default::default();
        let rejections = Family::<ReasonLabel, Counter>::default();
        let libp2p = {
            let mut r = lock(&registry);
            r.register("baraza_p2p_peers", "Connected peers", Gauge::clone(&peers));
            r.register(
                "baraza_gossip_messages",
                "Gossip messages received, by validation result",
                gossip.clone(),
            );
            r.register(
                "baraza_gossip_rejections",
                "Rejected gossip messages by reason (error code)",
                rejections.clone(),
            );
            r.register(
                "baraza_gossip_published",
                "Objects published on gossip",
                Counter::clone(&published),
            );
            r.register(
                "baraza_gossip_publish_dropped",
                "Objects not published because the queue was full (sync delivers them)",
                Counter::clone(&publish_dropped),
            );
            r.register(
                "baraza_sync_sessions",
                "Finished sync sessions, by result",
                sessions.clone(),
            );
            r.register(
                "baraza_sync_objects_fetched",
                "Objects received by sync fetches",
                Counter::clone(&fetched),
            );
            r.register(
                "baraza_sync_bytes",
                "Sync frame bytes, by direction",
                sync_bytes.clone(),
            );
            r.register(
                "baraza_peer_bans",
                "Peers banned for misbehaving",
                Counter::clone(&bans),
            );
            r.register(
                "baraza_peers_wrong_network",
                "Peers refused for announcing another network id",
                Counter::clone(&refused_network),
            );
            r.register(
                "baraza_connections_refused",
                "Inbound connections closed: too many from one address",
                Counter::clone(&refused_connections),
            );
            r.register(
                "baraza_sync_requests_refused",
                "Inbound sync requests answered busy: over the peer's rate, or too many fetches at once",
                Counter::clone(&sync_refusals),
            );
            libp2p::metrics::Metrics::new(&mut r)
        };
        P2pMetrics {
            peers,
            gossip,
            published,
            publish_dropped,
            sessions,
            fetched,
            sync_bytes,
            bans,
            refused_network,
            refused_connections,
            sync_refusals,
            rejections,
            libp2p,
            registry,
            swarm_registered: AtomicBool::new(false),
        }
    }

    /// The registry to build a swarm on (`with_bandwidth_metrics`, and
    /// gossipsub's `with_metrics`). The first swarm gets the node's
    /// registry; any later one a throwaway, since its series would repeat
    /// the first's names. Drop it before the next `.await`.
    pub fn swarm_registry(&self) -> SwarmRegistry<'_> {
        if self.swarm_registered.swap(true, Ordering::AcqRel) {
            SwarmRegistry(Slot::Unrendered(Box::default()))
        } else {
            SwarmRegistry(Slot::Node(lock(&self.registry)))
        }
    }

    /// Feeds one swarm event to libp2p's recorders: connections for every
    /// event, and the identify, ping, Kademlia and gossipsub series for
    /// their behaviours' events.
    pub fn record(&self, event: &SwarmEvent<BehaviourEvent>) {
        self.libp2p.record(event);
        if let SwarmEvent::Behaviour(event) = event {
            match event {
                BehaviourEvent::Gossipsub(e) => self.libp2p.record(e),
                BehaviourEvent::Identify(e) => self.libp2p.record(e),
                BehaviourEvent::Ping(e) => self.libp2p.record(e),
                BehaviourEvent::Kad(e) => self.libp2p.record(e),
                _ => {}
            }
        }
    }

    /// Sets the connected-peer gauge.
    pub fn set_peers(&self, n: usize) {
        self.peers.set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    /// Counts one gossip message's outcome.
    pub fn count_gossip(&self, result: GossipResult) {
        self.gossip
            .get_or_create(&GossipLabel {
                result: result.as_str(),
            })
            .inc();
    }
    /// Counts one rejected gossip message's reason (a stable error code,
    /// `too_large` or `refused_before`).
    pub fn count_gossip_rejection(&self, reason: &'static str) {
        self.rejections.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// Counts one object published.
    pub fn count_published(&self) {
        self.published.inc();
    }
    /// Counts one object not published because the queue was full.
    pub fn count_publish_dropped(&self) {
        self.publish_dropped.inc();
    }
    /// Counts one finished session.
    pub fn count_session(&self, ok: bool) {
        let result = if ok { "ok" } else { "failed" };
        self.sessions.get_or_create(&SessionLabel { result }).inc();
    }
    /// Counts objects received by fetch.
    pub fn count_fetched(&self, n: u64) {
        self.fetched.inc_by(n);
    }
    /// Counts sync frame bytes.
    pub fn count_sync_bytes(&self, received: u64, sent: u64) {
        for (direction, n) in [("in", received), ("out", sent)] {
            if n > 0 {
                self.sync_bytes
                    .get_or_create(&DirectionLabel { direction })
                    .inc_by(n);
            }
        }
    }
    /// Counts one ban.
    pub fn count_ban(&self) {
        self.bans.inc();
    }
    /// Counts one inbound connection closed for its address's limit.
    pub fn count_refused_connection(&self) {
        self.refused_connections.inc();
    }
    /// Counts one inbound sync request answered busy (over the peer's
    /// rate, or too many fetches at once).
    pub fn count_sync_refusal(&self) {
        self.sync_refusals.inc();
    }
    /// Counts one peer refused for being on another network.
    pub fn count_wrong_network(&self) {
        self.refused_network.inc();
    }
}

/// The registry a swarm registers its own series in; see
/// [`P2pMetrics::swarm_registry`].
pub struct SwarmRegistry<'a>(Slot<'a>);

enum Slot<'a> {
    Node(MutexGuard<'a, Registry>),
    Unrendered(Box<Registry>),
}

impl Deref for SwarmRegistry<'_> {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        match &self.0 {
            Slot::Node(guard) => guard,
            Slot::Unrendered(registry) => registry,
        }
    }
}

impl DerefMut for SwarmRegistry<'_> {
    fn deref_mut(&mut self) -> &mut Registry {
        match &mut self.0 {
            Slot::Node(guard) => guard,
            Slot::Unrendered(registry) => registry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2p::behaviour::{Behaviour, BehaviourSettings};

    fn encoded(metrics: &P2pMetrics) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &lock(&metrics.registry))
            .expect("encodes");
        out
    }

    #[test]
    fn protocol_counters_keep_their_names() {
        let m = P2pMetrics::default();
        m.set_peers(3);
        m.count_gossip(GossipResult::Rejected);
        m.count_gossip_rejection("too_large");
        m.count_session(true);
        m.count_fetched(10);
        m.count_sync_bytes(5, 0);
        m.count_ban();
        let out = encoded(&m);
        for line in [
            "baraza_p2p_peers 3",
            "baraza_gossip_messages_total{result=\"rejected\"} 1",
            "baraza_gossip_messages_total{result=\"accepted\"} 0",
            "baraza_gossip_rejections_total{reason=\"too_large\"} 1",
            "baraza_sync_sessions_total{result=\"ok\"} 1",
            "baraza_sync_sessions_total{result=\"failed\"} 0",
            "baraza_sync_objects_fetched_total 10",
            "baraza_sync_bytes_total{direction=\"in\"} 5",
            "baraza_sync_bytes_total{direction=\"out\"} 0",
            "baraza_peer_bans_total 1",
            "baraza_gossip_published_total 0",
            "baraza_gossip_publish_dropped_total 0",
            "baraza_peers_wrong_network_total 0",
            "baraza_connections_refused_total 0",
        ] {
            assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
        }
        // libp2p's recorder is registered from the start.
        assert!(
            out.contains("# TYPE libp2p_swarm_connections_established counter"),
            "{out}"
        );
    }

    #[test]
    fn help_texts_end_in_one_full_stop() {
        let out = encoded(&P2pMetrics::default());
        assert!(
            out.contains("# HELP baraza_p2p_peers Connected peers.\n"),
            "{out}"
        );
        for help in out.lines().filter(|l| l.starts_with("# HELP baraza_")) {
            assert!(!help.ends_with(".."), "{help}");
        }
    }

    #[test]
    fn gossipsub_series_are_under_libp2p_gossipsub() {
        let key = libp2p::identity::Keypair::ed25519_from_bytes([7u8; 32]).expect("a key");
        let settings = BehaviourSettings {
            network: "test".into(),
            discovery: false,
            mdns: false,
            max_connections: 8,
        };
        let mut registry = Registry::default();
        Behaviour::new_with_metrics(&key, &settings, &mut registry).expect("behaviours");
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).expect("encodes");
        let families: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .collect();
        assert!(
            families.contains(&"libp2p_gossipsub_mesh_peer_counts gauge"),
            "{out}"
        );
        assert!(
            families.contains(&"libp2p_gossipsub_score_per_mesh histogram"),
            "{out}"
        );
        for family in families {
            assert!(family.starts_with("libp2p_gossipsub_"), "{family}");
        }
    }

    #[test]
    fn only_the_first_swarm_registers_in_the_node_registry() {
        let m = P2pMetrics::default();
        {
            let mut first = m.swarm_registry();
            first.register("first_swarm", "x", Counter::<u64>::default());
        }
        {
            let mut second = m.swarm_registry();
            second.register("second_swarm", "x", Counter::<u64>::default());
        }
        let out = encoded(&m);
        assert!(out.contains("first_swarm_total 0"), "{out}");
        assert!(!out.contains("second_swarm"), "{out}");
    }
}
