//! The libp2p behaviours a node runs, and how each is configured.
//!
//! Gossipsub is the fast path: `validate_messages` is on, so nothing is
//! forwarded before the application has decoded and verified it, and the
//! message id is the SHA-256 of the message bytes — which, for an object,
//! is its object id — so the same object is one message whoever publishes
//! it. Peer scoring penalises invalid messages heavily and ignores what
//! would punish honest NRIs: low traffic (no mesh-delivery quota) and
//! sharing an IP address (several nodes behind one NAT, or on loopback).

use std::time::Duration;

use baraza_protocol::limits::MAX_OBJECT_BYTES;
use libp2p::gossipsub::{
    self, IdentTopic, MessageAuthenticity, MessageId, PeerScoreParams, PeerScoreThresholds,
    TopicScoreParams, ValidationMode,
};
use libp2p::identity::Keypair;
use libp2p::kad::{self, store::MemoryStore};
use libp2p::metrics::Registry;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{
    allow_block_list, connection_limits, identify, mdns, ping, request_response, StreamProtocol,
};
use sha2::{Digest, Sha256};

use super::codec::{SyncCodec, SYNC_PROTOCOL};
use super::witnessing::{evidence_topic, WitnessCodec, MAX_EVIDENCE_BYTES, WITNESS_PROTOCOL};
use super::P2pError;

/// Score below which a peer's gossip is ignored.
pub const GOSSIP_THRESHOLD: f64 = -10.0;
/// Score below which we do not publish to a peer.
pub const PUBLISH_THRESHOLD: f64 = -50.0;
/// Score below which every message from a peer is dropped.
pub const GRAYLIST_THRESHOLD: f64 = -80.0;
/// Score added per invalid message (times the topic weight), before decay.
pub const INVALID_MESSAGE_WEIGHT: f64 = -100.0;

/// Every behaviour, driven by the one task that owns the swarm.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// Peers kept out for a while after misbehaving.
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    /// Caps on connections.
    pub limits: connection_limits::Behaviour,
    /// Announces our network, version and addresses; learns the peer's.
    pub identify: identify::Behaviour,
    /// Keeps connections alive and measures round trips.
    pub ping: ping::Behaviour,
    /// Object gossip.
    pub gossipsub: gossipsub::Behaviour,
    /// Set reconciliation and object fetches.
    pub sync: request_response::Behaviour<SyncCodec>,
    /// Cosigning of transparency-log checkpoints (PROTOCOL.md §14).
    pub witness: request_response::Behaviour<WitnessCodec>,
    /// Peer discovery beyond the bootstrap list (off in a fixed topology).
    pub kad: Toggle<kad::Behaviour<MemoryStore>>,
    /// Local-network discovery, only when enabled.
    pub mdns: Toggle<mdns::tokio::Behaviour>,
}

/// What shapes the behaviours.
#[derive(Debug, Clone)]
pub struct BehaviourSettings {
    /// The network id (part of the identify version and the topic).
    pub network: String,
    /// Whether Kademlia discovery runs.
    pub discovery: bool,
    /// Whether mDNS runs.
    pub mdns: bool,
    /// Most established connections in total.
    pub max_connections: u32,
}

/// The identify protocol version of a network: peers announcing another are refused.
pub fn protocol_version(network: &str) -> String {
    format!("/baraza/{network}/1")
}

/// The gossipsub topic objects are published on.
pub fn objects_topic(network: &str) -> IdentTopic {
    IdentTopic::new(format!("/baraza/{network}/objects/1"))
}

fn message_id(message: &gossipsub::Message) -> MessageId {
    MessageId::from(Sha256::digest(&message.data).to_vec())
}

/// Scoring of both topics (objects and evidence): the same rules, so a
/// peer that gossips forged evidence is penalised as one that gossips
/// invalid objects.
fn score_params(topics: &[IdentTopic]) -> PeerScoreParams {
    let mut params = PeerScoreParams {
        // Several NRI nodes may share an address (NAT, one host): no penalty.
        ip_colocation_factor_weight: 0.0,
        ..PeerScoreParams::default()
    };
    let topic_params = TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.01,
        first_message_deliveries_weight: 1.0,
        first_message_deliveries_cap: 100.0,
        // Consultations are quiet for hours: never punish a peer for
        // delivering few messages.
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: INVALID_MESSAGE_WEIGHT,
        // Per decay interval (1 s): an invalid message weighs ~1/e after 5 minutes.
        invalid_message_deliveries_decay: 0.9967,
        ..TopicScoreParams::default()
    };
    for topic in topics {
        params.topics.insert(topic.hash(), topic_params.clone());
    }
    params
}

fn score_thresholds() -> PeerScoreThresholds {
    PeerScoreThresholds {
        gossip_threshold: GOSSIP_THRESHOLD,
        publish_threshold: PUBLISH_THRESHOLD,
        graylist_threshold: GRAYLIST_THRESHOLD,
        accept_px_threshold: 10.0,
        opportunistic_graft_threshold: 5.0,
    }
}

impl Behaviour {
    /// Builds every behaviour for `key`.
    pub fn new(key: &Keypair, settings: &BehaviourSettings) -> Result<Behaviour, P2pError> {
        Behaviour::build(key, settings, None)
    }

    /// [`Behaviour::new`], with gossipsub's own series (mesh sizes, peer
    /// scores, validation results per topic) registered in `registry`.
    pub fn new_with_metrics(
        key: &Keypair,
        settings: &BehaviourSettings,
        registry: &mut Registry,
    ) -> Result<Behaviour, P2pError> {
        Behaviour::build(key, settings, Some(registry))
    }

    fn build(
        key: &Keypair,
        settings: &BehaviourSettings,
        registry: Option<&mut Registry>,
    ) -> Result<Behaviour, P2pError> {
        let peer_id = key.public().to_peer_id();
        let topic = objects_topic(&settings.network);
        let config = gossipsub::ConfigBuilder::default()
            .validation_mode(ValidationMode::Strict)
            .validate_messages()
            .message_id_fn(message_id)
            .max_transmit_size((MAX_OBJECT_BYTES + 4096).max(MAX_EVIDENCE_BYTES))
            .heartbeat_interval(Duration::from_millis(500))
            .duplicate_cache_time(Duration::from_secs(300))
            .build()
            .map_err(|e| P2pError::Setup(format!("gossipsub config: {e}")))?;
        let mut gossipsub =
            gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), config)
                .map_err(|e| P2pError::Setup(format!("gossipsub: {e}")))?;
        if let Some(registry) = registry {
            let mut metrics = gossipsub::MetricsConfig::default();
            metrics.buckets_using_scoring_thresholds(&score_thresholds());
            let registry = registry
                .sub_registry_with_prefix("libp2p")
                .sub_registry_with_prefix("gossipsub");
            gossipsub = gossipsub.with_metrics(registry, metrics);
        }
        gossipsub
            .with_peer_score(
                score_params(&[topic.clone(), evidence_topic(&settings.network)]),
                score_thresholds(),
            )
            .map_err(|e| P2pError::Setup(format!("gossipsub scoring: {e}")))?;
        for topic in [topic, evidence_topic(&settings.network)] {
            gossipsub
                .subscribe(&topic)
                .map_err(|e| P2pError::Setup(format!("gossipsub subscribe: {e}")))?;
        }
        let witness = request_response::Behaviour::with_codec(
            WitnessCodec,
            [(WITNESS_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(Duration::from_secs(30))
                .with_max_concurrent_streams(16),
        );

        let sync = request_response::Behaviour::with_codec(
            SyncCodec,
            [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(Duration::from_secs(60))
                .with_max_concurrent_streams(64),
        );

        let kad = if settings.discovery {
            let protocol =
                StreamProtocol::try_from_owned(format!("/baraza/{}/kad/1", settings.network))
                    .map_err(|e| P2pError::Setup(format!("kademlia protocol name: {e}")))?;
            let mut config = kad::Config::new(protocol);
            // The node re-bootstraps itself when it has bootstrap peers;
            // Kademlia's own timer would only log "no known peers" otherwise.
            config.set_periodic_bootstrap_interval(None);
            let mut kad = kad::Behaviour::with_config(peer_id, MemoryStore::new(peer_id), config);
            kad.set_mode(Some(kad::Mode::Server));
            Some(kad)
        } else {
            None
        };
        let mdns = if settings.mdns {
            Some(
                mdns::tokio::Behaviour::new(mdns::Config::default(), peer_id)
                    .map_err(|e| P2pError::Setup(format!("mdns: {e}")))?,
            )
        } else {
            None
        };
        let limits = connection_limits::ConnectionLimits::default()
            .with_max_established(Some(settings.max_connections))
            .with_max_established_per_peer(Some(2))
            .with_max_pending_incoming(Some(64))
            .with_max_pending_outgoing(Some(64));
        Ok(Behaviour {
            blocked: allow_block_list::Behaviour::default(),
            limits: connection_limits::Behaviour::new(limits),
            identify: identify::Behaviour::new(
                identify::Config::new(protocol_version(&settings.network), key.public())
                    .with_agent_version(format!("baraza/{}", env!("CARGO_PKG_VERSION"))),
            ),
            ping: ping::Behaviour::new(ping::Config::new()),
            gossipsub,
            sync,
            witness,
            kad: kad.into(),
            mdns: mdns.into(),
        })
    }
}
