//! Whether the charter is in force: its ratification by stewards.
//!
//! A ratification is a `support` endorsement of the charter by one of its
//! stewards, not retracted, signed while the steward's key was not revoked.
//! Each steward's earliest ratification counts; the charter is in force
//! from the `threshold`-th of those. (A later objection does not undo a
//! ratification; retracting it does.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::trust::{ChainRole, Trust};
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Stance};

/// A steward's ratification that counts towards the charter's threshold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ratification {
    /// When (the endorsement's `created_at`).
    pub created_at: u64,
    /// The endorsement.
    pub endorsement: ObjectId,
    /// The steward.
    pub steward: PublicKey,
}

/// Whether the charter is in force: `threshold` distinct stewards support
/// it with endorsements that are not retracted, signed while their key was
/// not revoked. Each steward's earliest such endorsement counts; the charter
/// is in force from the `threshold`-th of those.
pub(crate) fn ratifications(
    index: &Index,
    trust: &mut Trust<'_>,
) -> (Vec<Ratification>, Option<u64>) {
    let Some((charter_id, charter)) = &index.charter else {
        return (Vec::new(), None);
    };
    let mut earliest: BTreeMap<PublicKey, Ratification> = BTreeMap::new();
    for object in index.endorsements_of(charter_id) {
        let id = &object.id();
        let Body::Endorsement(e) = object.body() else {
            continue;
        };
        let steward = object.author();
        if e.stance != Stance::Support || !trust.is_steward(&steward) || index.is_retracted(id) {
            continue;
        }
        if !trust
            .of_object(object)
            .is_some_and(|s| s.held() && s.role == Some(ChainRole::Steward))
        {
            continue;
        }
        let candidate = Ratification {
            created_at: e.created_at,
            endorsement: *id,
            steward,
        };
        let slot = earliest.entry(steward).or_insert_with(|| candidate.clone());
        if candidate < *slot {
            *slot = candidate;
        }
    }
    let mut list: Vec<Ratification> = earliest.into_values().collect();
    list.sort();
    let in_force_at = usize::try_from(charter.threshold)
        .ok()
        .and_then(|t| t.checked_sub(1))
        .and_then(|i| list.get(i))
        .map(|r| r.created_at);
    (list, in_force_at)
}
