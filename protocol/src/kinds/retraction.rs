//! `retraction` and `revocation`: taking words back, and retiring keys.

use serde::{Deserialize, Serialize};

use crate::ids::{ObjectId, PublicKey};
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// Withdraws `target`. Valid (in evaluation) only from the target's author,
/// or from the issuer of a target attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The withdrawn object.
    pub target: ObjectId,
    /// Why.
    pub reason: String,
}

impl Retraction {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::text("reason", &self.reason, MAX_REASON_BYTES)
    }
}

/// Declares `key` compromised or retired from `effective_from` on. Valid (in
/// evaluation) from the key itself or from a key that attested it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The revoked key.
    pub key: PublicKey,
    /// Signatures by `key` made at or after this time are not trusted.
    pub effective_from: u64,
    /// Why.
    pub reason: String,
}

impl Revocation {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::timestamp("effective_from", self.effective_from)?;
        v::text("reason", &self.reason, MAX_REASON_BYTES)
    }
}
