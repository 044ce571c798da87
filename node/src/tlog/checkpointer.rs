//! The checkpointer: whenever the log has grown since the last checkpoint,
//! every interval, the node signs the tree head and keeps it in the store
//! (durably) before anyone is shown it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::metrics::TlogMetrics;
use crate::store::ObjectStore;

use super::{Cosigning, Notary};

/// Signs and keeps a checkpoint of the whole log if it has grown since the
/// latest one kept (or none is kept yet and the log is not empty). Returns
/// the size checkpointed, if it signed one.
pub async fn checkpoint_now(
    store: &Arc<dyn ObjectStore>,
    notary: &Notary,
    metrics: &TlogMetrics,
) -> Result<Option<u64>, String> {
    let size = store.log_size();
    let latest = store
        .checkpoint(None)
        .map_err(|e| e.to_string())?
        .map(|(size, _)| size);
    if size == 0 || latest.is_some_and(|latest| latest >= size) {
        return Ok(None);
    }
    let reader = store.clone();
    let root = tokio::task::spawn_blocking(move || reader.log_root(size))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let signed = notary.checkpoint(size, root);
    store
        .put_checkpoint(size, &signed.to_note())
        .await
        .map_err(|e| e.to_string())?;
    metrics.checkpointed(size);
    tracing::debug!(size, "signed a checkpoint of the transparency log");
    Ok(Some(size))
}

/// Runs until the store is dropped: a checkpoint every `interval` while the
/// log grows, then cosignatures for the latest from the witnesses that
/// have not given one yet (so a witness that connects later still cosigns).
pub async fn run(
    store: Weak<dyn ObjectStore>,
    notary: Arc<Notary>,
    metrics: Arc<TlogMetrics>,
    interval: Duration,
    cosigning: Option<Arc<Cosigning>>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(store) = store.upgrade() else {
            return;
        };
        if let Err(error) = checkpoint_now(&store, &notary, &metrics).await {
            tracing::warn!(%error, "could not sign a checkpoint of the transparency log; trying again");
        }
        drop(store);
        if let Some(cosigning) = &cosigning {
            if let Err(error) = cosigning.collect().await {
                tracing::warn!(%error, "could not collect cosignatures; trying again");
            }
        }
    }
}
