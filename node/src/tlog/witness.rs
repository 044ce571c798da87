//! [`Witness`]: this node as a witness of its peers' logs. It keeps, per
//! log, the last checkpoint it cosigned (durably, before answering), and
//! every piece of equivocation evidence it found or was sent.

use std::sync::Arc;

use async_trait::async_trait;
use baraza_protocol::tlog::{
    decide, decide_verified, Decision, Equivocation, Evidence, SignedCheckpoint, WitnessRequest,
    WitnessResponse, Witnessed,
};
use baraza_protocol::Keypair;
use libp2p::PeerId;
use tokio::sync::Mutex;

use crate::metrics::TlogMetrics;
use crate::p2p::witnessing::{key_of_peer, WitnessService};
use crate::store::{now_ms, SharedStore, StoreError};

/// Record names of a witness's memory of a log: this, then the origin.
const STATE: &str = "witness/";
/// Record names of evidence: this, then the origin.
const EVIDENCE: &str = "evidence/";
/// Most logs a witness remembers: a peer that makes up keys cannot make
/// the witness's memory grow without bound.
pub const MAX_WITNESSED_LOGS: usize = 1000;
/// Most logs evidence is kept against (one piece each): evidence from
/// gossip about made-up logs cannot grow the store without bound.
pub const MAX_EVIDENCE_LOGS: usize = 1000;

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

    async fn decide(
        &self,
        peer: &PeerId,
        request: &WitnessRequest,
    ) -> Result<Decision, StoreError> {
        let signed = match SignedCheckpoint::verify(request.checkpoint.as_bytes()) {
            Ok(signed) => signed,
            // `decide` names what is wrong with it.
            Err(_) => return Ok(decide(request, None, &self.key, now_ms() / 1000)),
        };
        let origin = signed.checkpoint.origin.clone();
        // A log asks for itself: its node key is the peer's identity.
        if signed.checkpoint.log_key().ok() != key_of_peer(peer) {
            return Ok(Decision::Refuse {
                error: "not_your_log",
                message: format!("{origin} is not the log of the peer that asked ({peer})"),
            });
        }
        if signed.checkpoint.log_key().ok() == Some(self.key.public()) {
            return Ok(Decision::Refuse {
                error: "not_your_log",
                message: "a witness does not cosign its own log".into(),
            });
        }
        let _one = self.deciding.lock().await;
        let state = self.remembered(&origin)?;
        if state.is_none()
            && self.store.records_under(STATE, MAX_WITNESSED_LOGS)?.len() >= MAX_WITNESSED_LOGS
        {
            return Ok(Decision::Refuse {
                error: "too_many_logs",
                message: format!("this witness remembers {MAX_WITNESSED_LOGS} logs, its most"),
            });
        }
        let decision =
            decide_verified(request, &signed, state.as_ref(), &self.key, now_ms() / 1000);
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
        // One piece of evidence per log is enough to name it.
        let name = format!("{EVIDENCE}{}", shown.origin);
        if self.store.record(&name)?.is_some() {
            return Ok(false);
        }
        if self.store.records_under(EVIDENCE, MAX_EVIDENCE_LOGS)?.len() >= MAX_EVIDENCE_LOGS {
            tracing::warn!(node = %shown.node, "evidence not kept: this node already holds evidence against {MAX_EVIDENCE_LOGS} logs");
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
        let decision = match self.decide(&peer, &request).await {
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
                // Published once, when first kept: the forked log asking
                // again (it backs off) does not flood the topic.
                Ok(shown) => match self.keep(&evidence, &shown).await {
                    Ok(true) => (response, Some(evidence)),
                    Ok(false) => (response, None),
                    Err(error) => {
                        tracing::warn!(%error, "could not keep equivocation evidence");
                        (response, Some(evidence))
                    }
                },
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

#[cfg(test)]
mod tests {
    use baraza_protocol::tlog::{hash_hex, LogLeaf};
    use baraza_protocol::ObjectId;

    use super::*;
    use crate::store::{MemoryStore, ObjectStore};

    fn peer_of(key: &Keypair) -> PeerId {
        let secret =
            libp2p::identity::ed25519::SecretKey::try_from_bytes(*key.secret_seed()).expect("seed");
        libp2p::identity::Keypair::from(libp2p::identity::ed25519::Keypair::from(secret))
            .public()
            .to_peer_id()
    }

    /// The log of `key` with one entry `n`, signed: (note, root).
    fn checkpoint(key: &Keypair, n: u8) -> (String, String) {
        let leaf = LogLeaf {
            id: ObjectId([n; 32]),
            time_ms: 1,
        };
        let signed = SignedCheckpoint::sign(key, 1, leaf.hash());
        (
            String::from_utf8(signed.to_note()).expect("utf-8"),
            hash_hex(&leaf.hash()),
        )
    }

    fn request(note: String) -> WitnessRequest {
        WitnessRequest {
            checkpoint: note,
            old_size: 0,
            old_root: None,
            proof: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_witness_cosigns_only_a_log_asking_for_itself_and_keeps_evidence() {
        let store: SharedStore = Arc::new(MemoryStore::new());
        let me = Keypair::from_seed(&[1; 32]);
        let witness = Witness::new(store.clone(), &me, Arc::new(TlogMetrics::default()));
        let log = Keypair::from_seed(&[2; 32]);
        let (note, _) = checkpoint(&log, 7);

        // Relayed by someone else: refused.
        let stranger = Keypair::from_seed(&[3; 32]);
        let (answer, _) = witness
            .witness(peer_of(&stranger), request(note.clone()))
            .await;
        assert!(
            matches!(answer, WitnessResponse::Refused { ref error, .. } if error == "not_your_log")
        );
        // Its own log: refused too.
        let (mine, _) = checkpoint(&me, 7);
        let (answer, _) = witness.witness(peer_of(&me), request(mine)).await;
        assert!(
            matches!(answer, WitnessResponse::Refused { ref error, .. } if error == "not_your_log")
        );
        // The log itself: cosigned, and remembered durably.
        let (answer, evidence) = witness.witness(peer_of(&log), request(note.clone())).await;
        assert!(
            matches!(answer, WitnessResponse::Cosigned { .. }),
            "{answer:?}"
        );
        assert!(evidence.is_none());
        let origin = baraza_protocol::tlog::origin_of(&log.public());
        assert!(store
            .record(&format!("witness/{origin}"))
            .expect("read")
            .is_some());

        // The same size with another root: evidence, kept, and listed.
        let (other, other_root) = checkpoint(&log, 8);
        let mut again = request(other);
        again.old_size = 1;
        let (answer, evidence) = witness.witness(peer_of(&log), again).await;
        assert!(
            matches!(answer, WitnessResponse::Refused { ref error, .. } if error == "equivocation")
        );
        let evidence = evidence.expect("evidence to publish");
        // Asked again, the same: refused, but not published a second time.
        let mut again = request(checkpoint(&log, 8).0);
        again.old_size = 1;
        let (answer2, twice) = witness.witness(peer_of(&log), again).await;
        assert!(
            matches!(answer2, WitnessResponse::Refused { ref error, .. } if error == "equivocation")
        );
        assert!(twice.is_none(), "kept evidence is published once");
        assert_eq!(evidence.root, other_root);
        let found = equivocations(&*store).expect("read");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.node, log.public());

        // Gossiped evidence: checked before it is kept.
        let mut forged = evidence.clone();
        forged.root = "00".repeat(32);
        assert!(!witness.evidence(forged).await);
        assert!(witness.evidence(evidence).await);
        assert_eq!(equivocations(&*store).expect("read").len(), 1, "kept once");
    }
}
