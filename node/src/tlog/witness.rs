//! [`Witness`]: this node as a witness of its peers' logs. It keeps, per
//! log, the last checkpoint it cosigned (durably, before answering), and
//! every piece of equivocation evidence it found or was sent.

use std::sync::Arc;

use async_trait::async_trait;
use baraza_protocol::tlog::{
    decide, Decision, Equivocation, Evidence, SignedCheckpoint, WitnessRequest, WitnessResponse,
    Witnessed,
};
use baraza_protocol::Keypair;
use libp2p::PeerId;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::metrics::TlogMetrics;
use crate::p2p::witnessing::WitnessService;
use crate::store::{now_ms, SharedStore, StoreError};

/// Record names of a witness's memory of a log: this, then the origin.
const STATE: &str = "witness/";
/// Record names of evidence: this, then the origin, `/`, a hash.
const EVIDENCE: &str = "evidence/";

/// This node as a witness.
pub struct Witness {
    store: SharedStore,
    key: Keypair,
    metrics: Arc<TlogMetrics>,
    /// One decision at a time: a log's memory is read, decided on and
    /// written back as one step.
    deciding: Mutex<()>,
}

impl Witness {
    /// The witness with the node key `key`, keeping its memory in `store`.
    pub fn new(store: SharedStore, key: &Keypair, metrics: Arc<TlogMetrics>) -> Witness {
        Witness {
            store,
            key: Keypair::from_seed(&key.secret_seed()),
            metrics,
            deciding: Mutex::new(()),
        }
    }

    fn remembered(&self, origin: &str) -> Result<Option<Witnessed>, StoreError> {
        let Some(bytes) = self.store.record(&format!("{STATE}{origin}"))? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                id: format!("witness memory of {origin}"),
                detail: e.to_string(),
            })
    }

    async fn decide(&self, request: &WitnessRequest) -> Result<Decision, StoreError> {
        let origin = match SignedCheckpoint::verify(request.checkpoint.as_bytes()) {
            Ok(signed) => signed.checkpoint.origin,
            // `decide` names what is wrong with it.
            Err(_) => return Ok(decide(request, None, &self.key, now_ms() / 1000)),
        };
        let _one = self.deciding.lock().await;
        let state = self.remembered(&origin)?;
        let decision = decide(request, state.as_ref(), &self.key, now_ms() / 1000);
        if let Decision::Cosign { state, .. } = &decision {
            let bytes = serde_json::to_vec(state).map_err(|e| StoreError::Engine {
                detail: e.to_string(),
            })?;
            self.store
                .put_record(&format!("{STATE}{origin}"), &bytes)
                .await?;
        }
        Ok(decision)
    }

    /// Keeps checked evidence; whether it was new.
    async fn keep(&self, evidence: &Evidence, shown: &Equivocation) -> Result<bool, StoreError> {
        let digest = Sha256::digest(format!("{}\n{}", evidence.earlier, evidence.later));
        let name = format!("{EVIDENCE}{}/{}", shown.origin, hex::encode(&digest[..16]));
        if self.store.record(&name)?.is_some() {
            return Ok(false);
        }
        let bytes = serde_json::to_vec(evidence).map_err(|e| StoreError::Engine {
            detail: e.to_string(),
        })?;
        self.store.put_record(&name, &bytes).await?;
        tracing::warn!(
            node = %shown.node,
            sizes = ?shown.sizes,
            "equivocation: this node's transparency log signed two checkpoints that cannot both be true"
        );
        self.metrics
            .set_equivocating(equivocations(&*self.store).map(|e| e.len()).unwrap_or(0));
        Ok(true)
    }
}

#[async_trait]
impl WitnessService for Witness {
    async fn witness(
        &self,
        peer: PeerId,
        request: WitnessRequest,
    ) -> (WitnessResponse, Option<Evidence>) {
        let decision = match self.decide(&request).await {
            Ok(decision) => decision,
            Err(error) => {
                tracing::warn!(%peer, %error, "could not witness a checkpoint");
                let response = WitnessResponse::Refused {
                    error: "witness_unavailable".into(),
                    message: format!("the witness could not keep its memory: {error}"),
                };
                return (response, None);
            }
        };
        let response = decision.response();
        match decision {
            Decision::Cosign { .. } => {
                self.metrics.cosigned();
                (response, None)
            }
            Decision::Equivocation { evidence } => match evidence.verify() {
                Ok(shown) => {
                    if let Err(error) = self.keep(&evidence, &shown).await {
                        tracing::warn!(%error, "could not keep equivocation evidence");
                    }
                    (response, Some(evidence))
                }
                Err(error) => {
                    tracing::error!(%error, "the witness made evidence that does not check");
                    (response, None)
                }
            },
            Decision::Conflict { .. } | Decision::Refuse { .. } => (response, None),
        }
    }

    async fn evidence(&self, evidence: Evidence) -> bool {
        match evidence.verify() {
            Ok(shown) => {
                if let Err(error) = self.keep(&evidence, &shown).await {
                    tracing::warn!(%error, "could not keep equivocation evidence");
                }
                true
            }
            Err(error) => {
                tracing::debug!(%error, "gossiped evidence does not check");
                false
            }
        }
    }
}

/// Every log this node holds evidence against, with one piece of
/// evidence each (checked again as read).
pub fn equivocations(
    store: &dyn crate::store::ObjectStore,
) -> Result<Vec<(Equivocation, Evidence)>, StoreError> {
    let mut out: Vec<(Equivocation, Evidence)> = Vec::new();
    for (_, bytes) in store.records_under(EVIDENCE, crate::store::MAX_PAGE)? {
        let Ok(evidence) = serde_json::from_slice::<Evidence>(&bytes) else {
            continue;
        };
        let Ok(shown) = evidence.verify() else {
            continue;
        };
        if !out.iter().any(|(e, _)| e.origin == shown.origin) {
            out.push((shown, evidence));
        }
    }
    Ok(out)
}
