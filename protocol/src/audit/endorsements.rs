//! Endorsements of the target: which count, and for whom they speak.
//!
//! Per author only the latest endorsement that is not retracted counts
//! (latest by `created_at`, then by id); it counts only when its author's
//! chain held when it was signed. Counted endorsements are tallied by
//! stakeholder group (stewards as `steward`, NRIs as `nri`, editors as
//! `editor`), by region, and by NRI (a stakeholder's attesting NRI; an NRI
//! itself).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::trust::{attribution, Attribution, ChainRole, Trust};
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Region, Stance};

/// The endorsements of the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndorsementReport {
    /// The endorsed object.
    pub target: ObjectId,
    /// Counted support.
    pub support: Tally,
    /// Counted objections.
    pub objection: Tally,
    /// Counted supporters, by (created_at, endorsement).
    pub supporters: Vec<Endorser>,
    /// Counted objectors, by (created_at, endorsement).
    pub objectors: Vec<Endorser>,
    /// Endorsements that do not count, and why, by endorsement id.
    pub not_counted: Vec<NotCounted>,
}

/// Counts by bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Endorsements counted.
    pub total: u64,
    /// By group (`steward`, `nri`, `editor`, or a stakeholder group).
    pub by_group: BTreeMap<String, u64>,
    /// By UN regional group (NRIs and stakeholders).
    pub by_region: BTreeMap<Region, u64>,
    /// By NRI (a stakeholder's attesting NRI, or the NRI itself).
    pub by_nri: BTreeMap<PublicKey, u64>,
}

impl Tally {
    fn add(&mut self, who: &Attribution<'_>) {
        self.total += 1;
        *self.by_group.entry(who.group.to_string()).or_default() += 1;
        if let Some(region) = who.region {
            *self.by_region.entry(region).or_default() += 1;
        }
        if let Some(nri) = who.nri {
            *self.by_nri.entry(nri).or_default() += 1;
        }
    }
}

/// A counted endorsement and whom it speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorser {
    /// The endorsement.
    pub endorsement: ObjectId,
    /// Its author.
    pub author: PublicKey,
    /// Its `created_at`.
    pub created_at: u64,
    /// The author's role when signing.
    pub role: ChainRole,
    /// The author's group (see [`Tally::by_group`]).
    pub group: String,
    /// The author's attested region.
    pub region: Option<Region>,
    /// The author's NRI.
    pub nri: Option<PublicKey>,
    /// Who the author says they speak for (not vouched for).
    pub on_behalf_of: Option<String>,
}

/// Why an endorsement does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCountedReason {
    /// The same author endorsed the target again later.
    Superseded,
    /// Retracted by its author.
    Retracted,
    /// The author's chain did not hold when it was signed.
    ChainNotHeld,
}

/// An endorsement that does not count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotCounted {
    /// The endorsement.
    pub endorsement: ObjectId,
    /// Its author.
    pub author: PublicKey,
    /// Its stance.
    pub stance: Stance,
    /// Why it does not count.
    pub reason: NotCountedReason,
}

/// A counted endorsement, as the policy evaluation sees it.
#[derive(Debug, Clone)]
pub(crate) struct Counted<'i> {
    pub(crate) stance: Stance,
    pub(crate) who: Attribution<'i>,
}

/// The endorsements of `target`, and the counted ones for policy evaluation.
pub(crate) fn endorsements<'i>(
    index: &'i Index,
    trust: &mut Trust<'_>,
    target: ObjectId,
) -> (EndorsementReport, Vec<Counted<'i>>) {
    let mut report = EndorsementReport {
        target,
        support: Tally::default(),
        objection: Tally::default(),
        supporters: Vec::new(),
        objectors: Vec::new(),
        not_counted: Vec::new(),
    };
    let mut counted = Vec::new();
    let mut latest: HashMap<PublicKey, (u64, ObjectId)> = HashMap::new();
    let endorsements = index.endorsements_of(&target);
    for object in endorsements {
        let id = &object.id();
        if index.is_retracted(id) {
            continue;
        }
        let candidate = (object.created_at(), *id);
        let slot = latest.entry(object.author()).or_insert(candidate);
        if candidate > *slot {
            *slot = candidate;
        }
    }
    for object in endorsements {
        let id = &object.id();
        let Body::Endorsement(e) = object.body() else {
            continue;
        };
        let author = object.author();
        let mut not_counted = |reason| {
            report.not_counted.push(NotCounted {
                endorsement: *id,
                author,
                stance: e.stance,
                reason,
            })
        };
        if index.is_retracted(id) {
            not_counted(NotCountedReason::Retracted);
            continue;
        }
        if latest.get(&author).map(|(_, l)| l) != Some(id) {
            not_counted(NotCountedReason::Superseded);
            continue;
        }
        let who = trust
            .of_object(object)
            .and_then(|s| attribution(index, author, &s));
        let Some(who) = who else {
            not_counted(NotCountedReason::ChainNotHeld);
            continue;
        };
        let endorser = Endorser {
            endorsement: *id,
            author,
            created_at: e.created_at,
            role: who.role,
            group: who.group.to_string(),
            region: who.region,
            nri: who.nri,
            on_behalf_of: e.on_behalf_of.clone(),
        };
        match e.stance {
            Stance::Support => {
                report.support.add(&who);
                report.supporters.push(endorser);
            }
            Stance::Object => {
                report.objection.add(&who);
                report.objectors.push(endorser);
            }
        }
        counted.push(Counted {
            stance: e.stance,
            who,
        });
    }
    let by_time = |a: &Endorser, b: &Endorser| {
        (a.created_at, a.endorsement).cmp(&(b.created_at, b.endorsement))
    };
    report.supporters.sort_by(by_time);
    report.objectors.sort_by(by_time);
    report.not_counted.sort();
    (report, counted)
}
