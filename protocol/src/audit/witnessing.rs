//! Witnessed time: when a quorum of independent NRI witnesses had seen each
//! object (PROTOCOL.md §14, Witnessed time).
//!
//! The evidence is log proofs: a checkpoint, cosigned by witnesses at times
//! of their own clocks, and inclusion proofs of the objects it holds. A
//! cosignature by witness key `W` at time `T` counts for NRI `N` when `W`
//! holds a `witness` attestation issued by `N` at `T` (the usual chain
//! rules: not expired, retracted or revoked; `N` accredited when it
//! issued it), and `N` is not the NRI whose witness key signs the log
//! itself (a node does not witness for itself). For each object and each
//! NRI the earliest such time over every proof holding the object is kept;
//! the object's *witnessed time* is the `q`-th smallest of those, `q` being
//! the charter's `witness_quorum`. An object with fewer than `q` NRIs is
//! *unwitnessed*: that is reported, never a failure.
//!
//! Witnessed time bounds from above when an object existed: a node that
//! joined late (or logged old data when it was upgraded) witnesses late, so
//! the findings built on it — `late_comment` by witnessed time, `backdated`,
//! `witnessed_after_revocation` — come from the proofs the audit was given,
//! and a bundle with proofs from more logs gives the earlier time.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::trust::{Trust, Want};
use crate::ids::{ObjectId, PublicKey};
use crate::tlog::LogProof;

/// The witnessed-time part of an audit report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witnessing {
    /// Distinct NRIs needed (the charter's `witness_quorum`, or the default).
    pub quorum: u32,
    /// The logs whose proofs the audit was given, by origin.
    pub logs: Vec<WitnessLog>,
    /// Every key that cosigned one of those checkpoints.
    pub witnesses: Vec<WitnessKey>,
    /// Objects first witnessed by a quorum, with that time.
    pub witnessed: BTreeMap<ObjectId, WitnessedAt>,
    /// Objects of the report without a quorum of witnesses (no proof, or
    /// too few independent NRIs), in id order.
    pub unwitnessed: Vec<ObjectId>,
}

/// One log the proofs come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessLog {
    /// Its origin, `baraza/log/<did:key>`.
    pub origin: String,
    /// Checkpoints of it in the proofs.
    pub checkpoints: u32,
    /// Entries proved into them.
    pub entries: u64,
}

/// One cosigning key and whom it counted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessKey {
    /// The witness key.
    pub key: PublicKey,
    /// The NRI it witnessed for (its earliest counted cosignature's), if any
    /// cosignature counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nri: Option<PublicKey>,
    /// Cosignatures by it in the proofs.
    pub cosignatures: u32,
    /// Of those, the ones that counted.
    pub counted: u32,
}

/// When an object was first witnessed by a quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessedAt {
    /// The witnessed time, ms since the epoch (cosignature times are whole seconds).
    pub at: u64,
    /// Distinct NRIs that witnessed it, at any time.
    pub nris: u32,
}

impl Witnessing {
    /// The witnessed time of `id`, if a quorum witnessed it.
    pub fn at(&self, id: &ObjectId) -> Option<u64> {
        self.witnessed.get(id).map(|w| w.at)
    }
}

/// Computes the witnessed times of the gathered objects from `proofs`.
pub(crate) fn witnessing(index: &Index, trust: &mut Trust<'_>, proofs: &[LogProof]) -> Witnessing {
    let quorum = index
        .charter
        .as_ref()
        .map_or(crate::limits::DEFAULT_WITNESS_QUORUM, |(_, c)| {
            c.witness_quorum()
        });
    let mut logs: BTreeMap<String, WitnessLog> = BTreeMap::new();
    let mut keys: BTreeMap<PublicKey, WitnessKey> = BTreeMap::new();
    let mut earliest: HashMap<ObjectId, BTreeMap<PublicKey, u64>> = HashMap::new();
    for proof in proofs {
        let signed = proof.checkpoint();
        let origin = &signed.checkpoint.origin;
        let log = logs.entry(origin.clone()).or_insert_with(|| WitnessLog {
            origin: origin.clone(),
            checkpoints: 0,
            entries: 0,
        });
        log.checkpoints += 1;
        log.entries += proof.entries().len() as u64;
        let log_key = signed.checkpoint.log_key().ok();
        let gathered: Vec<ObjectId> = proof
            .entries()
            .iter()
            .map(|e| e.id)
            .filter(|id| index.object(id).is_some())
            .collect();
        for cosignature in &signed.cosignatures {
            let key = cosignature.witness.key;
            let at = cosignature.time_secs.saturating_mul(1000);
            let seen = keys.entry(key).or_insert_with(|| WitnessKey {
                key,
                nri: None,
                cosignatures: 0,
                counted: 0,
            });
            seen.cosignatures += 1;
            let Some(nri) = nri_of(index, trust, key, at) else {
                continue;
            };
            if log_key.and_then(|k| nri_of(index, trust, k, at)) == Some(nri) {
                continue;
            }
            seen.counted += 1;
            seen.nri.get_or_insert(nri);
            for id in &gathered {
                let time = earliest.entry(*id).or_default().entry(nri).or_insert(at);
                *time = (*time).min(at);
            }
        }
    }
    let mut witnessed = BTreeMap::new();
    let mut unwitnessed = Vec::new();
    for id in index.gathered.objects.keys() {
        let mut times: Vec<u64> = earliest
            .get(id)
            .map(|by_nri| by_nri.values().copied().collect())
            .unwrap_or_default();
        times.sort_unstable();
        match times.get(quorum.max(1) as usize - 1) {
            Some(&at) => {
                witnessed.insert(
                    *id,
                    WitnessedAt {
                        at,
                        nris: times.len() as u32,
                    },
                );
            }
            None => unwitnessed.push(*id),
        }
    }
    unwitnessed.sort_unstable();
    Witnessing {
        quorum,
        logs: logs.into_values().collect(),
        witnesses: keys.into_values().collect(),
        witnessed,
        unwitnessed,
    }
}

/// The NRI a witness key counts for at `at`: the issuer of the `witness`
/// attestation that holds for it then.
fn nri_of(index: &Index, trust: &mut Trust<'_>, key: PublicKey, at: u64) -> Option<PublicKey> {
    let standing = trust.standing(key, at, &Want::Witness);
    if !standing.held() {
        return None;
    }
    Some(index.object(&standing.attestation?)?.author())
}
