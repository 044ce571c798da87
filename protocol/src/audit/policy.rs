//! The charter's endorsement policy, evaluated over the counted support of
//! the target. Every clause is reported with what it requires, what it
//! found and what is missing; the policy is met when every clause is met
//! and the charter is in force.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::endorsements::Counted;
use super::trust::ChainRole;
use crate::kinds::common::REGIONS;
use crate::kinds::{EndorsementPolicy, Stance};

/// The policy's verdict for the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEvaluation {
    /// Every clause met and the charter in force.
    pub met: bool,
    /// Whether the charter is in force.
    pub charter_in_force: bool,
    /// The clauses, in the order `min_nris`, `min_regions`, `groups`.
    pub clauses: Vec<Clause>,
}

/// Which clause of [`EndorsementPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseKind {
    /// Distinct accredited NRIs supporting.
    MinNris,
    /// Distinct regions among supporting NRIs and stakeholders.
    MinRegions,
    /// Every listed group with at least one supporting attested stakeholder.
    Groups,
}

impl ClauseKind {
    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ClauseKind::MinNris => "min_nris",
            ClauseKind::MinRegions => "min_regions",
            ClauseKind::Groups => "groups",
        }
    }
}

/// One clause's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// The clause.
    pub clause: ClauseKind,
    /// Whether it holds.
    pub met: bool,
    /// What it requires (NRIs, regions, or listed groups).
    pub required: u64,
    /// What was found (supporting NRIs, regions, or listed groups with support).
    pub actual: u64,
    /// What is missing: absent regions or groups (empty when met, and for `min_nris`).
    pub missing: Vec<String>,
    /// One human line, such as `needs 2 more NRIs`.
    pub detail: String,
}

/// Evaluates `policy` over the counted endorsements.
pub(crate) fn evaluate(
    policy: &EndorsementPolicy,
    counted: &[Counted<'_>],
    charter_in_force: bool,
) -> PolicyEvaluation {
    let supporters = counted.iter().filter(|c| c.stance == Stance::Support);
    let mut nris = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut groups = BTreeSet::new();
    for c in supporters {
        match c.who.role {
            ChainRole::Nri => {
                nris.extend(c.who.nri);
                regions.extend(c.who.region);
            }
            ChainRole::Stakeholder => {
                regions.extend(c.who.region);
                groups.insert(c.who.group.as_ref());
            }
            ChainRole::Steward | ChainRole::Editor | ChainRole::Witness => {}
        }
    }

    let required = u64::from(policy.min_nris);
    let actual = nris.len() as u64;
    let short = required.saturating_sub(actual);
    let min_nris = Clause {
        clause: ClauseKind::MinNris,
        met: short == 0,
        required,
        actual,
        missing: Vec::new(),
        detail: if short == 0 {
            format!("{actual} NRIs support (at least {required} required)")
        } else {
            format!("needs {short} more NRI{}", plural(short))
        },
    };

    let required = u64::from(policy.min_regions);
    let actual = regions.len() as u64;
    let short = required.saturating_sub(actual);
    let absent: Vec<String> = REGIONS
        .iter()
        .filter(|r| !regions.contains(*r))
        .map(|r| r.as_str().to_owned())
        .collect();
    let min_regions = Clause {
        clause: ClauseKind::MinRegions,
        met: short == 0,
        required,
        actual,
        missing: if short == 0 {
            Vec::new()
        } else {
            absent.clone()
        },
        detail: if short == 0 {
            format!("{actual} regions support (at least {required} required)")
        } else {
            format!(
                "needs {short} more region{} (none yet from {})",
                plural(short),
                absent.join(", ")
            )
        },
    };

    let missing: Vec<String> = policy
        .groups
        .iter()
        .map(|g| g.to_string())
        .filter(|g| !groups.contains(g.as_str()))
        .collect();
    let required = policy.groups.len() as u64;
    let actual = required - missing.len() as u64;
    let groups = Clause {
        clause: ClauseKind::Groups,
        met: missing.is_empty(),
        required,
        actual,
        detail: if missing.is_empty() {
            format!("all {required} listed groups support")
        } else {
            format!("no supporting stakeholder from {}", missing.join(", "))
        },
        missing,
    };

    let clauses = vec![min_nris, min_regions, groups];
    PolicyEvaluation {
        met: charter_in_force && clauses.iter().all(|c| c.met),
        charter_in_force,
        clauses,
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
