//! `profile`: how a key presents itself. Self-declared; the latest wins.

use serde::{Deserialize, Serialize};

use super::common::StakeholderGroup;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// A key's self-description. Claims here are not vouched for: the audit
/// trusts only attestations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// Display name.
    pub name: String,
    /// Self-declared stakeholder group.
    pub group: StakeholderGroup,
    /// Organisation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Languages the author reads and writes (BCP 47).
    pub languages: Vec<String>,
}

impl Profile {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::label("name", &self.name, MAX_LABEL_BYTES)?;
        v::optional(self.organisation.as_deref(), |o| {
            v::label("organisation", o, MAX_LABEL_BYTES)
        })?;
        v::optional(self.country.as_deref(), |c| v::country("country", c))?;
        v::count("languages", self.languages.len(), 0, MAX_LANGUAGES)?;
        for (i, l) in self.languages.iter().enumerate() {
            v::language(&format!("languages[{i}]"), l)?;
        }
        v::distinct("languages", self.languages.iter())
    }
}
