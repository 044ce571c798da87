//! Building the swarm: transport, behaviours, listeners; and what the
//! actor needs that touches libp2p or the store directly (answers to
//! fetches, transport errors as text).

use std::time::Duration;

use baraza_protocol::limits::MAX_SYNC_FRAME_BYTES;
use baraza_protocol::sync::wire::{SyncResponse, OBJECTS_HEADER_BYTES, OBJECT_ENTRY_OVERHEAD};
use baraza_protocol::{Keypair, ObjectId};
use futures::StreamExt;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm};

use super::behaviour::{Behaviour, BehaviourSettings};
use super::metrics::P2pMetrics;
use super::{peer_of, P2pError, P2pSettings};
use crate::store::ObjectStore;

/// Builds the swarm on the node key and binds the listen addresses
/// (waiting until each has its address); returns it with the bootstrap
/// peers, already given to Kademlia.
pub(super) async fn build(
    settings: &P2pSettings,
    key: &Keypair,
    metrics: &P2pMetrics,
) -> Result<(Swarm<Behaviour>, Vec<(PeerId, Multiaddr)>), P2pError> {
    let mut seed = *key.secret_seed();
    let identity = libp2p::identity::Keypair::ed25519_from_bytes(&mut seed)
        .map_err(|e| P2pError::Setup(format!("node key: {e}")))?;
    let behaviour_settings = BehaviourSettings {
        network: settings.network.clone(),
        discovery: settings.discovery,
        mdns: settings.mdns,
        max_connections: settings.max_connections,
    };
    // The swarm's own series (bandwidth, gossipsub's mesh and scores) go
    // into the node's metrics registry; the guard is dropped before any await.
    let mut registry = metrics.swarm_registry();
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(identity)
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default().nodelay(true),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| P2pError::Setup(format!("transport: {e}")))?
        .with_dns()
        .map_err(|e| P2pError::Setup(format!("dns: {e}")))?
        .with_bandwidth_metrics(&mut registry)
        .with_behaviour(|key| {
            Behaviour::new_with_metrics(key, &behaviour_settings, &mut registry)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
        .map_err(|e| P2pError::Setup(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
        .build();
    drop(registry);
    let peer_id = *swarm.local_peer_id();

    let mut listeners = 0;
    for addr in &settings.listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| P2pError::Listen {
                addr: addr.to_string(),
                message: transport_error(&e),
            })?;
        listeners += 1;
    }
    // Wait until every listener has an address, so `status` can report
    // real ports when the config asked for port 0.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut bound = 0;
    while bound < listeners {
        let event = tokio::time::timeout_at(deadline, swarm.select_next_some()).await;
        if let Ok(event) = &event {
            metrics.record(event);
        }
        match event {
            Ok(SwarmEvent::NewListenAddr { address, .. }) => {
                tracing::info!(address = %address.with_p2p(peer_id).unwrap_or_else(|a| a), "listening for peers");
                bound += 1;
            }
            Ok(SwarmEvent::ListenerError { error, .. }) => {
                return Err(P2pError::Listen {
                    addr: format!("{:?}", settings.listen),
                    message: transport_error(&error),
                })
            }
            Ok(SwarmEvent::ListenerClosed {
                addresses, reason, ..
            }) => {
                return Err(P2pError::Listen {
                    addr: format!("{addresses:?}"),
                    message: format!("{reason:?}"),
                })
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }

    let mut bootstrap = Vec::new();
    for addr in &settings.bootstrap {
        let peer = peer_of(addr).ok_or_else(|| {
            P2pError::Address(format!(
                "bootstrap address {addr} must end in /p2p/<peer id>"
            ))
        })?;
        if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
            kad.add_address(&peer, addr.clone());
        }
        bootstrap.push((peer, addr.clone()));
    }
    Ok((swarm, bootstrap))
}

/// An error's message with its causes; libp2p's transport errors often
/// have an empty message of their own.
pub(super) fn transport_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        next = err.source();
    }
    if parts.is_empty() {
        format!("{e:?}")
    } else {
        parts.join(": ")
    }
}

/// The answer to a fetch: the objects held, in the order asked, until the
/// frame is full.
pub(super) fn objects_for(store: &dyn ObjectStore, ids: &[ObjectId]) -> SyncResponse {
    let mut budget = MAX_SYNC_FRAME_BYTES - OBJECTS_HEADER_BYTES;
    let mut objects = Vec::new();
    let mut truncated = false;
    for id in ids {
        match store.get_bytes(id) {
            Ok(Some(bytes)) => {
                let cost = bytes.len() + OBJECT_ENTRY_OVERHEAD;
                if cost > budget {
                    truncated = true;
                    break;
                }
                budget -= cost;
                objects.push(bytes);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(%id, error = %e, "cannot read an object a peer asked for");
            }
        }
    }
    SyncResponse::Objects { objects, truncated }
}
