//! `charter`: a consultation, its sections, phases, stewards and endorsement policy.

use serde::{Deserialize, Serialize};

use super::common::StakeholderGroup;
use super::Kind;
use crate::ids::PublicKey;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// A consultation's founding document. In force once `threshold` of its
/// `stewards` have endorsed it (see the audit evaluator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charter {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// Consultation title.
    pub title: String,
    /// What the consultation is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The sections stakeholders comment on and editors draft.
    pub sections: Vec<Section>,
    /// Phases, ordered by opening time.
    pub phases: Vec<Phase>,
    /// Keys that ratify the charter and accredit NRIs and editors.
    pub stewards: Vec<PublicKey>,
    /// How many stewards must endorse the charter for it to be in force.
    pub threshold: u32,
    /// What a release needs from its endorsers.
    pub policy: EndorsementPolicy,
    /// Working languages (BCP 47).
    pub languages: Vec<String>,
    /// How many independent NRI witnesses must have cosigned a checkpoint
    /// holding an object for the audit to take its witnessed time
    /// (PROTOCOL.md §14); absent means [`DEFAULT_WITNESS_QUORUM`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness_quorum: Option<u32>,
}

/// One section of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable identifier used by comments and drafts.
    pub slug: String,
    /// Human title.
    pub title: String,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// A period of the consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Slug naming the phase (`consultation`, `review`, …).
    pub name: String,
    /// Opening time, ms since the epoch (inclusive).
    pub opens: u64,
    /// Closing time, ms since the epoch (exclusive).
    pub closes: u64,
    /// Kinds this phase takes submissions of (`comment`, `endorsement`, `draft`, `release`).
    pub accepts: Vec<Kind>,
}

/// The endorsement a release needs. Every clause must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndorsementPolicy {
    /// Distinct accredited NRIs that must support.
    pub min_nris: u32,
    /// Distinct UN regional groups among supporting NRIs and stakeholders.
    pub min_regions: u32,
    /// Stakeholder groups each of which must have at least one supporter.
    pub groups: Vec<StakeholderGroup>,
}

impl Charter {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::label("title", &self.title, MAX_LABEL_BYTES)?;
        v::optional(self.summary.as_deref(), |s| {
            v::text("summary", s, MAX_SUMMARY_BYTES)
        })?;
        v::count("sections", self.sections.len(), 1, MAX_SECTIONS)?;
        for (i, s) in self.sections.iter().enumerate() {
            v::slug(&format!("sections[{i}].slug"), &s.slug)?;
            v::label(&format!("sections[{i}].title"), &s.title, MAX_LABEL_BYTES)?;
            v::optional(s.summary.as_deref(), |t| {
                v::text(&format!("sections[{i}].summary"), t, MAX_SUMMARY_BYTES)
            })?;
        }
        v::distinct(
            "sections[].slug",
            self.sections.iter().map(|s| s.slug.as_str()),
        )?;
        v::count("phases", self.phases.len(), 1, MAX_PHASES)?;
        for (i, p) in self.phases.iter().enumerate() {
            v::slug(&format!("phases[{i}].name"), &p.name)?;
            v::timestamp(&format!("phases[{i}].opens"), p.opens)?;
            v::timestamp(&format!("phases[{i}].closes"), p.closes)?;
            if p.opens >= p.closes {
                return Err(v::ValidationError::Order {
                    field: format!("phases[{i}]"),
                    detail: format!(
                        "phase {:?} closes ({}) before it opens ({})",
                        p.name, p.closes, p.opens
                    ),
                });
            }
            v::count(
                &format!("phases[{i}].accepts"),
                p.accepts.len(),
                0,
                MAX_PHASE_ACCEPTS,
            )?;
            v::distinct(&format!("phases[{i}].accepts"), p.accepts.iter())?;
        }
        if let Some(i) = self.phases.windows(2).position(|w| w[0].opens > w[1].opens) {
            return Err(v::ValidationError::Order {
                field: format!("phases[{}]", i + 1),
                detail: "phases must be listed in order of opening time".into(),
            });
        }
        v::distinct("phases[].name", self.phases.iter().map(|p| p.name.as_str()))?;
        v::count("stewards", self.stewards.len(), 1, MAX_STEWARDS)?;
        v::distinct("stewards", self.stewards.iter())?;
        if self.threshold == 0 || self.threshold as usize > self.stewards.len() {
            return Err(v::inconsistent(
                "threshold",
                format!(
                    "must be between 1 and the {} stewards, got {}",
                    self.stewards.len(),
                    self.threshold
                ),
            ));
        }
        v::count(
            "policy.groups",
            self.policy.groups.len(),
            0,
            MAX_POLICY_GROUPS,
        )?;
        v::distinct("policy.groups", self.policy.groups.iter())?;
        if self.policy.min_regions > 5 {
            return Err(v::inconsistent(
                "policy.min_regions",
                format!(
                    "there are 5 UN regional groups, got {}",
                    self.policy.min_regions
                ),
            ));
        }
        v::count("languages", self.languages.len(), 1, MAX_LANGUAGES)?;
        for (i, l) in self.languages.iter().enumerate() {
            v::language(&format!("languages[{i}]"), l)?;
        }
        v::distinct("languages", self.languages.iter())?;
        match self.witness_quorum {
            Some(q) if q == 0 || q > MAX_WITNESS_QUORUM => Err(v::inconsistent(
                "witness_quorum",
                format!("must be between 1 and {MAX_WITNESS_QUORUM}, got {q}"),
            )),
            _ => Ok(()),
        }
    }

    /// The witness quorum the audit applies: the charter's, or
    /// [`DEFAULT_WITNESS_QUORUM`].
    pub fn witness_quorum(&self) -> u32 {
        self.witness_quorum.unwrap_or(DEFAULT_WITNESS_QUORUM)
    }

    /// The section with this slug.
    pub fn section(&self, slug: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.slug == slug)
    }
}
