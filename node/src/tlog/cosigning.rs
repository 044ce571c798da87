//! [`Cosigning`]: this node's log asking its peers to witness it. For the
//! latest checkpoint, each witness that has not cosigned it yet is sent
//! the checkpoint with a consistency proof from the size it last cosigned
//! (learned from its answers), and its cosignature is checked and added to
//! the kept note.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baraza_protocol::tlog::{
    check_cosignature, hash_hex, Cosignature, SignedCheckpoint, WitnessRequest, WitnessResponse,
};
use libp2p::PeerId;

use crate::metrics::TlogMetrics;
use crate::p2p::witnessing::key_of_peer;
use crate::p2p::P2pHandle;
use crate::store::SharedStore;

/// Most witnesses asked per round.
pub const MAX_WITNESSES: usize = 16;
/// Longest a witness that failed is left alone before it is asked again
/// (the wait doubles from the checkpoint interval up to this).
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Longest one witness is waited for in a round.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// The log's side of witnessing.
pub struct Cosigning {
    store: SharedStore,
    p2p: P2pHandle,
    metrics: Arc<TlogMetrics>,
    /// Peers to ask; empty: every confirmed peer.
    witnesses: Vec<PeerId>,
    /// The size each witness last cosigned, as it told us.
    known: Mutex<HashMap<PeerId, u64>>,
    /// Witnesses that failed (refused, unreachable, no witness protocol):
    /// not asked again before the instant, and the wait after the next failure.
    backoff: Mutex<HashMap<PeerId, (Instant, Duration)>>,
}

impl Cosigning {
    /// Asks `witnesses` (or, if empty, every confirmed peer) through `p2p`.
    pub fn new(
        store: SharedStore,
        p2p: P2pHandle,
        metrics: Arc<TlogMetrics>,
        witnesses: Vec<PeerId>,
    ) -> Cosigning {
        Cosigning {
            store,
            p2p,
            metrics,
            witnesses,
            known: Mutex::new(HashMap::new()),
            backoff: Mutex::new(HashMap::new()),
        }
    }

    async fn candidates(&self) -> Vec<PeerId> {
        if !self.witnesses.is_empty() {
            return self.witnesses.clone();
        }
        match self.p2p.status().await {
            Ok(status) => status
                .peers
                .iter()
                .filter(|p| p.confirmed)
                .filter_map(|p| p.peer.parse().ok())
                .take(MAX_WITNESSES)
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Asks every witness that has not cosigned the latest checkpoint;
    /// returns how many cosignatures it has now.
    pub async fn collect(&self) -> Result<usize, String> {
        let Some((size, note)) = self.store.checkpoint(None).map_err(|e| e.to_string())? else {
            return Ok(0);
        };
        let mut signed = SignedCheckpoint::verify(&note).map_err(|e| e.to_string())?;
        let now = Instant::now();
        let mut asking = Vec::new();
        for peer in self.candidates().await {
            let Some(key) = key_of_peer(&peer) else {
                continue;
            };
            if signed.cosignatures.iter().any(|c| c.witness.key == key) {
                continue;
            }
            let waiting = crate::metrics::lock(&self.backoff).get(&peer).copied();
            if waiting.is_some_and(|(until, _)| until > now) {
                continue;
            }
            asking.push((peer, key, waiting));
        }
        // All at once, each bounded: a witness that hangs delays no other,
        // nor the next checkpoint by more than ASK_TIMEOUT.
        let answers = futures::future::join_all(asking.iter().map(|(peer, key, _)| {
            tokio::time::timeout(ASK_TIMEOUT, self.ask(*peer, key, &signed, size))
        }))
        .await;
        let mut added = 0;
        for ((peer, _, waiting), answer) in asking.into_iter().zip(answers) {
            match answer.unwrap_or_else(|_| Err("no answer in time".into())) {
                Ok(cosignature) => {
                    crate::metrics::lock(&self.backoff).remove(&peer);
                    signed.add_cosignature(cosignature);
                    added += 1;
                }
                Err(error) => {
                    let wait =
                        waiting.map_or(Duration::from_secs(1), |(_, w)| (w * 2).min(MAX_BACKOFF));
                    crate::metrics::lock(&self.backoff).insert(peer, (now + wait, wait));
                    tracing::debug!(%peer, %error, size, retry_in_secs = wait.as_secs(), "no cosignature");
                }
            }
        }
        if added > 0 {
            // The latest may have changed meanwhile; this size's note gains them.
            self.store
                .put_checkpoint(size, &signed.to_note())
                .await
                .map_err(|e| e.to_string())?;
            self.metrics.cosignatures_received(added);
        }
        Ok(signed.cosignatures.len())
    }

    async fn ask(
        &self,
        peer: PeerId,
        key: &baraza_protocol::PublicKey,
        signed: &SignedCheckpoint,
        size: u64,
    ) -> Result<Cosignature, String> {
        let known = |peer: &PeerId| {
            crate::metrics::lock(&self.known)
                .get(peer)
                .copied()
                .unwrap_or(0)
        };
        let mut old = known(&peer).min(size);
        for _ in 0..2 {
            let request = self.request(signed, old, size).await?;
            match self
                .p2p
                .witness(peer, request)
                .await
                .map_err(|e| e.to_string())?
            {
                WitnessResponse::Cosigned { cosignature } => {
                    let c =
                        check_cosignature(&cosignature, signed, key).map_err(|e| e.to_string())?;
                    crate::metrics::lock(&self.known).insert(peer, size);
                    return Ok(c);
                }
                WitnessResponse::Conflict { size: theirs } if theirs <= size => {
                    crate::metrics::lock(&self.known).insert(peer, theirs);
                    old = theirs;
                }
                WitnessResponse::Conflict { size: theirs } => {
                    return Err(format!(
                    "the witness has cosigned {theirs} entries of this log, more than its {size}: \
                         was the data dir restored from an older backup?"
                ))
                }
                WitnessResponse::Refused { error, message } => {
                    return Err(format!("refused ({error}): {message}"))
                }
            }
        }
        Err("the witness's size kept changing".into())
    }

    async fn request(
        &self,
        signed: &SignedCheckpoint,
        old: u64,
        size: u64,
    ) -> Result<WitnessRequest, String> {
        let store = self.store.clone();
        let (old_root, proof) = tokio::task::spawn_blocking(move || {
            let root = (old > 0).then(|| store.log_root(old)).transpose()?;
            let proof = store.log_consistency(old, size)?;
            Ok::<_, crate::store::LogQueryError>((root, proof))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        Ok(WitnessRequest {
            checkpoint: String::from_utf8_lossy(&signed.to_note()).into_owned(),
            old_size: old,
            old_root: old_root.as_ref().map(hash_hex),
            proof: proof.iter().map(hash_hex).collect(),
        })
    }
}
