//! The audit report: a typed value with one canonical JSON form.
//!
//! Every map is a `BTreeMap` and every list is sorted (or, for chains and
//! paths, in an order fixed by the objects themselves), so the same
//! objects give the same bytes whatever order they arrived in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::anomalies::Finding;
use super::coverage::Coverage;
use super::drafts::VersionChain;
use super::endorsements::EndorsementReport;
use super::participation::Participation;
use super::policy::PolicyEvaluation;
use super::ratification::Ratification;
use super::trust::Chain;
use super::witnessing::Witnessing;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, EndorsementPolicy, Kind};
use crate::object::SignedObject;

/// The value of [`AuditReport::format`].
pub const REPORT_FORMAT: &str = "baraza-audit/1";

/// The one-word outcome of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Complete, no blocking anomaly, charter in force, every policy clause met.
    PolicyMet,
    /// Complete, no blocking anomaly, but the charter is not in force or a
    /// policy clause is not met.
    PolicyNotMet,
    /// Complete, but an object the target stands on has a blocking anomaly.
    AnomaliesFound,
    /// The target or an object it depends on is missing: nothing is vouched for.
    Incomplete,
    /// The target belongs to no consultation (a profile or a revocation, or
    /// something resting on one): there is no policy to evaluate.
    NoCharter,
}

impl Verdict {
    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::PolicyMet => "policy_met",
            Verdict::PolicyNotMet => "policy_not_met",
            Verdict::AnomaliesFound => "anomalies_found",
            Verdict::Incomplete => "incomplete",
            Verdict::NoCharter => "no_charter",
        }
    }
}

/// Everything the audit found about one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// [`REPORT_FORMAT`]: the shape of this JSON.
    pub format: String,
    /// What was audited.
    pub target: TargetSummary,
    /// The auditor's clock, if one was given (only future-dating uses it).
    pub as_of: Option<u64>,
    /// The outcome.
    pub verdict: Verdict,
    /// Human lines explaining the verdict, most important first.
    pub reasons: Vec<String>,
    /// Whether every referenced object was available.
    pub complete: bool,
    /// Referenced ids that were not available (the target's own id when it is missing).
    pub missing: Vec<ObjectId>,
    /// The objects the report rests on.
    pub objects: ObjectCounts,
    /// The consultation, when the target resolves to a present charter.
    pub charter: Option<CharterStatus>,
    /// Signers' chains.
    pub trust: TrustReport,
    /// Version chains of the drafts the target stands on, by (section, head).
    pub drafts: Vec<VersionChain>,
    /// Comment coverage (release, draft and comment targets).
    pub coverage: Option<Coverage>,
    /// Endorsements of the target.
    pub endorsements: Option<EndorsementReport>,
    /// The charter's endorsement policy, applied to the target.
    pub policy: Option<PolicyEvaluation>,
    /// Participation by section of interest.
    pub participation: BTreeMap<String, Participation>,
    /// When the objects were first witnessed (when the charter is present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessing: Option<Witnessing>,
    /// Every anomaly, sorted.
    pub anomalies: Vec<Finding>,
}

impl AuditReport {
    /// The canonical JSON form (pretty-printed, keys in field order, maps sorted).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("audit reports serialize to JSON: every map key is a string")
    }

    /// Whether the verdict is [`Verdict::PolicyMet`].
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::PolicyMet
    }

    /// The blocking anomalies.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.anomalies.iter().filter(|f| f.blocking)
    }
}

/// What the target is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// Its id.
    pub id: ObjectId,
    /// Its kind (absent when it is missing).
    pub kind: Option<Kind>,
    /// Its author.
    pub author: Option<PublicKey>,
    /// Its `created_at`.
    pub created_at: Option<u64>,
    /// The charter it resolves to.
    pub charter: Option<ObjectId>,
    /// From the target through endorsement and retraction targets to the
    /// object that names the charter (just the target for most kinds).
    pub path: Vec<ObjectId>,
    /// A charter's title or a release's label.
    pub label: Option<String>,
    /// A draft's or comment's section.
    pub section: Option<String>,
    /// A draft's version.
    pub version: Option<u32>,
}

impl TargetSummary {
    pub(crate) fn new(
        id: ObjectId,
        object: Option<&SignedObject>,
        charter: Option<ObjectId>,
        path: Vec<ObjectId>,
    ) -> TargetSummary {
        let (label, section, version) = match object.map(SignedObject::body) {
            Some(Body::Charter(c)) => (Some(c.title.clone()), None, None),
            Some(Body::Release(r)) => (Some(r.label.clone()), None, None),
            Some(Body::Draft(d)) => (None, Some(d.section.clone()), Some(d.version)),
            Some(Body::Comment(c)) => (None, Some(c.section.clone()), None),
            _ => (None, None, None),
        };
        TargetSummary {
            id,
            kind: object.map(SignedObject::kind),
            author: object.map(SignedObject::author),
            created_at: object.map(SignedObject::created_at),
            charter,
            path,
            label,
            section,
            version,
        }
    }
}

/// How many objects the report rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCounts {
    /// All of them.
    pub total: u64,
    /// By kind.
    pub by_kind: BTreeMap<Kind, u64>,
}

/// The consultation and whether it is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharterStatus {
    /// The charter.
    pub id: ObjectId,
    /// Its title.
    pub title: String,
    /// Who signed it.
    pub author: PublicKey,
    /// Its `created_at`.
    pub created_at: u64,
    /// Its stewards, sorted.
    pub stewards: Vec<PublicKey>,
    /// Ratifications needed.
    pub threshold: u32,
    /// Whether `threshold` stewards ratified it.
    pub in_force: bool,
    /// From when (the `threshold`-th ratification's `created_at`).
    pub in_force_at: Option<u64>,
    /// Ratifications that count, one per steward, by (created_at, endorsement).
    pub ratifications: Vec<Ratification>,
    /// Its section slugs, in the charter's order.
    pub sections: Vec<String>,
    /// Its endorsement policy.
    pub policy: EndorsementPolicy,
}

/// Chains of the signers the verdict depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReport {
    /// Chains of the target, the objects between it and the charter, the
    /// charter, the drafts of its version chains, the counted ratifications
    /// and the endorsements of the target, by object.
    pub chains: BTreeMap<ObjectId, Chain>,
    /// Distinct signers of the objects evaluated.
    pub signers: u64,
    /// Objects whose signer's chain was evaluated (all but attestations,
    /// retractions, revocations and profiles, which are judged otherwise).
    pub evaluated: u64,
    /// Of those, how many were signed while the chain held.
    pub held: u64,
    /// And how many not.
    pub not_held: u64,
}
