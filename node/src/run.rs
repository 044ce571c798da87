//! Starting and stopping a node: store, peer protocol, HTTP API.
//!
//! [`start`] returns once the API is listening; [`RunningNode::shutdown`]
//! stops accepting, lets in-flight requests finish, flushes the store and
//! releases the data dir.

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use baraza_protocol::PublicKey;
use libp2p::Multiaddr;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::http::{ApiLimits, ApiState};
use crate::metrics::Metrics;
use crate::node_key::{self, NodeKeyError};
use crate::p2p::{P2pError, P2pHandle, P2pSettings};
use crate::server;
use crate::store::{ObjectStore, SharedStore, SledStore, StoreError, StoreOptions};
use crate::tlog::{checkpointer, Cosigning, Notary, Witness};

/// Why a node could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The node key could not be loaded.
    #[error(transparent)]
    NodeKey(#[from] NodeKeyError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data dir could not be created.
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The API could not listen.
    #[error(
        "cannot listen for HTTP on {addr} (is another node running? change http.listen or --http)"
    )]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The peer protocol could not start.
    #[error(transparent)]
    P2p(#[from] crate::p2p::P2pError),
    /// The HTTP server failed.
    #[error("HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// A started node.
pub struct RunningNode {
    /// Where the API actually listens (useful with port 0).
    pub http_addr: SocketAddr,
    /// The node's identity.
    pub node_id: PublicKey,
    /// The store, for in-process use.
    pub store: SharedStore,
    /// The peer protocol.
    pub p2p: P2pHandle,
    p2p_task: JoinHandle<()>,
    release_task: JoinHandle<()>,
    checkpoint_task: JoinHandle<()>,
    stop: watch::Sender<bool>,
    server: JoinHandle<Result<(), std::io::Error>>,
}

/// Starts a node with `config`.
pub async fn start(config: Config) -> Result<RunningNode, NodeError> {
    config.validate()?;
    std::fs::create_dir_all(&config.data_dir).map_err(|source| NodeError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let (node_key, created) = node_key::load_or_create(&config.node_key_path())?;
    if created {
        tracing::info!(path = %config.node_key_path().display(), "created a new node key");
    }
    let metrics = Arc::new(Metrics::new());
    let on_flush = {
        let metrics = metrics.clone();
        Arc::new(move |secs: f64, waiters: usize| metrics.observe_flush(secs, waiters))
    };
    let store: SharedStore = Arc::new(SledStore::open(
        &config.store_dir(),
        StoreOptions {
            max_pending: config.store.max_pending,
            min_free_bytes: config.store.min_free_mb << 20,
            on_flush: Some(on_flush),
        },
    )?);
    let witness = Arc::new(Witness::new(store.clone(), &node_key, metrics.tlog.clone()));
    let (p2p, p2p_task) = crate::p2p::start(
        p2p_settings(&config)?,
        &node_key,
        store.clone(),
        metrics.p2p.clone(),
        witness,
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .map_err(|source| NodeError::Listen {
            addr: config.http.listen,
            source,
        })?;
    let http_addr = listener.local_addr().map_err(|source| NodeError::Listen {
        addr: config.http.listen,
        source,
    })?;
    if let Ok(Some((size, _))) = store.checkpoint(None) {
        metrics.tlog.seed_checkpoint_size(size);
    }
    if let Ok(found) = crate::tlog::equivocations(&*store) {
        metrics.tlog.set_equivocating(found.len());
    }
    let notary = Arc::new(Notary::new(&node_key, config.tlog.checkpoint_interval_secs));
    let witnesses = config
        .tlog
        .witnesses
        .iter()
        .filter_map(|w| w.parse().ok())
        .collect();
    let cosigning = Cosigning::new(store.clone(), p2p.clone(), metrics.tlog.clone(), witnesses);
    let checkpoint_task = tokio::spawn(checkpointer::run(
        Arc::downgrade(&store),
        notary.clone(),
        metrics.tlog.clone(),
        Duration::from_secs(config.tlog.checkpoint_interval_secs),
        Some(Arc::new(cosigning)),
    ));
    let state = ApiState::new(
        store.clone(),
        metrics,
        ApiLimits::from_config(&config.http),
        notary,
    )
    .with_p2p(p2p.clone());
    let release_task = tokio::spawn(release_held(Arc::downgrade(&store)));
    let (stop, mut stopped) = watch::channel(false);
    let server = tokio::spawn(server::serve(listener, state, async move {
        let _ = stopped.wait_for(|s| *s).await;
    }));
    tracing::info!(
        http = %http_addr,
        data_dir = %config.data_dir.display(),
        node = %node_key.public(),
        peer_id = %p2p.peer_id(),
        network = %config.network_id,
        objects = store.len(),
        "baraza node started"
    );
    Ok(RunningNode {
        http_addr,
        node_id: node_key.public(),
        store,
        p2p,
        p2p_task,
        release_task,
        checkpoint_task,
        stop,
        server,
    })
}

/// Every second, while objects are held for their time to come, offers
/// those whose time has come. Holds the store only while it works.
async fn release_held(store: std::sync::Weak<dyn ObjectStore>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(store) = store.upgrade() else {
            return;
        };
        if store.held_len() > 0 {
            if let Err(e) = store.release_due().await {
                tracing::warn!(error = %e, "could not release held objects; trying again");
            }
        }
    }
}

fn p2p_settings(config: &Config) -> Result<P2pSettings, NodeError> {
    let parse = |list: &[String]| -> Result<Vec<Multiaddr>, NodeError> {
        list.iter()
            .map(|a| {
                a.parse::<Multiaddr>().map_err(|e| {
                    NodeError::P2p(P2pError::Address(format!("{a:?} is not a multiaddr: {e}")))
                })
            })
            .collect()
    };
    Ok(P2pSettings {
        network: config.network_id.clone(),
        listen: parse(&config.p2p.listen)?,
        bootstrap: parse(&config.p2p.bootstrap)?,
        discovery: config.p2p.discovery,
        mdns: config.p2p.mdns,
        sync_interval: Duration::from_secs(config.p2p.sync_interval_secs),
        max_connections: config.p2p.max_connections,
    })
}

impl RunningNode {
    /// Stops accepting, finishes in-flight requests, flushes the store.
    pub async fn shutdown(self) -> Result<(), NodeError> {
        self.p2p.shutdown().await;
        let _ = self.p2p_task.await;
        self.release_task.abort();
        let _ = self.release_task.await;
        self.checkpoint_task.abort();
        let _ = self.checkpoint_task.await;
        let _ = self.stop.send(true);
        let served = self.server.await;
        // Requests still holding the store are done once the server returns.
        if Arc::strong_count(&self.store) == 1 {
            self.store.close().await?;
        } else {
            // Someone in-process still holds the store: flush, and the data
            // dir is released when the last holder drops it.
            self.store.flush().await?;
        }
        drop(self.store);
        tracing::info!("baraza node stopped");
        match served {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(NodeError::Serve(e)),
            Err(join) => Err(NodeError::Serve(std::io::Error::other(join.to_string()))),
        }
    }
}
