//! `attestation`: one key vouching for another's role in a consultation.

use serde::{Deserialize, Serialize};

use super::common::{Region, StakeholderGroup};
use crate::ids::{ObjectId, PublicKey};
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// The role an attestation grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A National or Regional IGF Initiative (attested by a steward).
    Nri,
    /// An editor of one section (attested by a steward).
    Editor,
    /// A stakeholder (attested by an accredited NRI).
    Stakeholder,
    /// A node key that witnesses logs on behalf of the NRI that attests it
    /// (attested by an accredited NRI; PROTOCOL.md §14, Witnessed time).
    Witness,
}

/// `issuer` vouches that `subject` holds `role` in `charter` until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The consultation this accreditation is for.
    pub charter: ObjectId,
    /// The key vouched for.
    pub subject: PublicKey,
    /// The role granted.
    pub role: Role,
    /// For `editor`: the section slug. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Stakeholder group (required for `stakeholder`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<StakeholderGroup>,
    /// Organisation (for an NRI: its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// UN regional group (required for `nri` and `stakeholder`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// End of validity, ms since the epoch (exclusive).
    pub expires_at: u64,
}

impl Attestation {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::timestamp("expires_at", self.expires_at)?;
        if self.expires_at <= self.created_at {
            return Err(v::ValidationError::Order {
                field: "expires_at".into(),
                detail: "an attestation must expire after it is created".into(),
            });
        }
        match (self.role, &self.section) {
            (Role::Editor, Some(s)) => v::slug("section", s)?,
            (Role::Editor, None) => {
                return Err(v::inconsistent("section", "required for role editor"))
            }
            (_, Some(_)) => return Err(v::inconsistent("section", "only allowed for role editor")),
            _ => {}
        }
        if self.role == Role::Witness && self.group.is_some() {
            return Err(v::inconsistent("group", "not allowed for role witness"));
        }
        if self.role == Role::Stakeholder && self.group.is_none() {
            return Err(v::inconsistent("group", "required for role stakeholder"));
        }
        if matches!(self.role, Role::Nri | Role::Stakeholder) && self.region.is_none() {
            return Err(v::inconsistent(
                "region",
                "required for roles nri and stakeholder",
            ));
        }
        v::optional(self.organisation.as_deref(), |o| {
            v::label("organisation", o, MAX_LABEL_BYTES)
        })?;
        v::optional(self.country.as_deref(), |c| v::country("country", c))
    }
}
