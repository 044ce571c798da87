//! `release`: a framework version made of one draft per section.

use serde::{Deserialize, Serialize};

use crate::ids::ObjectId;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// A release of the framework: one draft per section, endorsed by NRIs and stewards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The consultation.
    pub charter: ObjectId,
    /// Human label (`IWW 2024 — draft for IGF Riyadh`).
    pub label: String,
    /// The drafts, one per section.
    pub drafts: Vec<ReleaseDraft>,
}

/// One section's draft in a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDraft {
    /// Section slug.
    pub section: String,
    /// The draft.
    pub draft: ObjectId,
}

impl Release {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::label("label", &self.label, MAX_LABEL_BYTES)?;
        v::count("drafts", self.drafts.len(), 1, MAX_RELEASE_DRAFTS)?;
        for (i, d) in self.drafts.iter().enumerate() {
            v::slug(&format!("drafts[{i}].section"), &d.section)?;
        }
        v::distinct(
            "drafts[].section",
            self.drafts.iter().map(|d| d.section.as_str()),
        )?;
        v::distinct("drafts[].draft", self.drafts.iter().map(|d| d.draft))
    }
}
