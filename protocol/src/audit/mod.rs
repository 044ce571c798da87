//! The audit evaluator and audit bundles.
//!
//! [`audit`] takes one object — a release, a draft, a comment, an
//! endorsement, a charter — and reports its whole history: who signed each
//! object and whether their chain of attestations back to the charter's
//! stewards held at that moment, the version chain of the drafts, what
//! happened to every comment, who endorsed the target and whether the
//! charter's endorsement policy is met, participation by stakeholder group
//! and region, and every anomaly. Evaluation is pure: it reads objects
//! through [`AuditSource`] and never a clock (`as_of` is passed in).
//!
//! It runs in two steps. *Gathering* collects exactly the objects the report
//! depends on (see the rules in `gather.rs`); *evaluation* reads only those.
//! A [`bundle`] is the gathered set, so the report from a bundle is the
//! report from the store, byte for byte, and the same objects in any order
//! and with any duplicates give the same JSON.
//!
//! Decisions beyond the design notes, each argued where it is implemented:
//!
//! - Blocking and informational anomalies: an anomaly blocks the verdict
//!   only when it concerns an object the target stands on (`anomalies.rs`).
//!   An unattested commenter is reported and counted apart; it does not
//!   make a release fail.
//! - A holding attestation is preferred over a failing one before "latest
//!   wins" (`trust.rs`).
//! - Stakeholders are attested by NRIs only, NRIs and editors by stewards
//!   only; anything else is `wrong_signer_role`.
//! - Revocations count when signed by the key or by an issuer of one of its
//!   attestations *under the audited charter* (so that a bundle, which
//!   holds only that charter's attestations, decides the same way).
//! - A charter's ratifications are support endorsements by stewards that
//!   are not retracted; the earliest per steward counts.
//! - Per author, only the latest endorsement *that is not retracted* counts.
//! - Two anomaly kinds beyond the list in the design: `unauthorised_revocation`
//!   and `inconsistent_reference` (a version gap, a parent of another
//!   section, a release naming a draft of the wrong section, …).
//! - Retractions apply to every kind but profiles, retractions and revocations.
//!
//! [`Roster`] answers "who was this key in this consultation at time t"
//! with the same evaluator, for everything outside the report that labels
//! a signer (the CLI's export, the node's pages).

mod anomalies;
pub mod bundle;
mod coverage;
mod drafts;
mod endorsements;
mod gather;
mod index;
mod participation;
mod policy;
mod ratification;
mod references;
mod report;
mod roster;
mod source;
mod trust;
mod witnessing;

use std::collections::{BTreeMap, BTreeSet};

pub use anomalies::{Anomaly, Finding, ReferenceProblem};
pub use bundle::{build_bundle, read_bundle, BundleError};
pub use coverage::{
    CommentCoverage, Coverage, CoverageEntry, CoverageStatus, DispositionRef, SectionCoverage,
};
pub use drafts::{VersionChain, VersionStep};
pub use endorsements::{EndorsementReport, Endorser, NotCounted, NotCountedReason, Tally};
pub use participation::{Balance, Count, Participation};
pub use policy::{Clause, ClauseKind, PolicyEvaluation};
pub use ratification::Ratification;
pub use report::{
    AuditReport, CharterStatus, ObjectCounts, TargetSummary, TrustReport, Verdict, REPORT_FORMAT,
};
pub use roster::{Roster, Standing};
pub use source::{AuditSource, ObjectSet};
pub use trust::{Chain, ChainReason, ChainRole};
pub use witnessing::{WitnessKey, WitnessLog, WitnessedAt, Witnessing};

use crate::ids::ObjectId;
use crate::kinds::Body;
use crate::object::SignedObject;
use crate::tlog::LogProof;
use index::Index;
use trust::Trust;

/// What the caller tells the evaluator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditOptions {
    /// The auditor's clock (ms since the epoch). When given, objects dated
    /// after `as_of + MAX_CLOCK_SKEW_MS` are reported as future-dated.
    /// Nothing else depends on it.
    pub as_of: Option<u64>,
}

/// Audits `target` over the objects of `source`.
pub fn audit<S: AuditSource + ?Sized>(
    source: &S,
    target: &ObjectId,
    options: &AuditOptions,
) -> AuditReport {
    let gathered = gather::gather(source, target);
    let ids: BTreeSet<ObjectId> = gathered.objects.keys().copied().collect();
    let proofs = source.log_proofs(&ids);
    evaluate(&Index::new(gathered), &proofs, options)
}

fn evaluate(index: &Index, proofs: &[LogProof], options: &AuditOptions) -> AuditReport {
    let gathered = &index.gathered;
    let mut trust = Trust::new(index);
    let mut anomalies = BTreeSet::new();
    let witnessing = witnessing::witnessing(index, &mut trust, proofs);

    // Every signer, at the moment it signed.
    let mut summary = TrustReport::default();
    let mut failing: BTreeMap<ObjectId, Vec<ObjectId>> = BTreeMap::new();
    if index.charter.is_some() {
        let mut signers = BTreeSet::new();
        for object in gathered.objects.values() {
            if matches!(object.body(), Body::Attestation(_)) {
                continue;
            }
            let Some(standing) = trust.of_object(object) else {
                continue;
            };
            signers.insert(object.author());
            summary.evaluated += 1;
            if standing.held() {
                summary.held += 1;
            } else {
                summary.not_held += 1;
                let path = trust.explain(object, &standing, &mut anomalies);
                failing.insert(object.id(), path);
            }
        }
        summary.signers = signers.len() as u64;
    }

    let (ratifications, in_force_at) = ratification::ratifications(index, &mut trust);
    if let Some((id, charter)) = &index.charter {
        if in_force_at.is_none() {
            anomalies.insert(Anomaly::CharterNotInForce {
                charter: *id,
                ratified: ratifications.len() as u32,
                threshold: charter.threshold,
            });
        }
    }
    if let (Some(named), None, Some(subject)) =
        (gathered.charter, &index.charter, gathered.path.last())
    {
        if gathered.objects.contains_key(&named) {
            anomalies.insert(Anomaly::InconsistentReference {
                object: *subject,
                reference: named,
                problem: ReferenceProblem::WrongKind,
            });
        }
    }
    references::dangling(index, &mut anomalies);
    references::future_dated(index, options.as_of, &mut anomalies);
    references::consistency(index, &mut anomalies);
    anomalies::retractions_and_revocations(index, &mut anomalies);
    anomalies::late_comments(index, &witnessing, &mut anomalies);
    anomalies::witnessed_times(index, &witnessing, &mut anomalies);
    drafts::equivocations(index, &mut anomalies);

    let mut chains: Vec<VersionChain> = drafts::heads(index)
        .into_iter()
        .filter_map(|head| drafts::version_chain(index, &mut trust, head))
        .collect();
    chains.sort_by(|a, b| (&a.section, a.head).cmp(&(&b.section, b.head)));

    let coverage = index
        .charter
        .as_ref()
        .and_then(|_| coverage::coverage(index));
    let (endorsements, policy) = match &index.charter {
        Some((_, charter)) => {
            let (report, counted) = endorsements::endorsements(index, &mut trust, gathered.target);
            let policy = policy::evaluate(&charter.policy, &counted, in_force_at.is_some());
            (Some(report), Some(policy))
        }
        None => (None, None),
    };
    let participation = participation::participation(index, &mut trust);

    // What the target stands on, and the chains worth showing.
    let mut spine: BTreeSet<ObjectId> = gathered.path.iter().copied().collect();
    spine.extend(index.charter.as_ref().map(|(id, _)| *id));
    spine.extend(
        chains
            .iter()
            .flat_map(|c| c.versions.iter().map(|v| v.draft)),
    );
    let mut shown = spine.clone();
    for id in spine.clone() {
        spine.extend(failing.get(&id).into_iter().flatten());
    }
    shown.extend(ratifications.iter().map(|r| r.endorsement));
    shown.extend(
        index
            .endorsements_of(&gathered.target)
            .iter()
            .map(SignedObject::id),
    );
    if index.charter.is_some() {
        for id in shown {
            let Some(object) = index.object(&id) else {
                continue;
            };
            if let Some(standing) = trust.of_object(object) {
                let chain = trust.chain(object.author(), object.created_at(), &standing);
                summary.chains.insert(id, chain);
            }
        }
    }

    let findings: Vec<Finding> = anomalies
        .into_iter()
        .map(|anomaly| Finding {
            blocking: anomaly.may_block() && anomaly.subjects().iter().any(|id| spine.contains(id)),
            anomaly,
        })
        .collect();

    let missing: Vec<ObjectId> = gathered.missing.keys().copied().collect();
    let charter = index.charter.as_ref().and_then(|(id, c)| {
        let object = index.object(id)?;
        let mut stewards = c.stewards.clone();
        stewards.sort_unstable();
        Some(CharterStatus {
            id: *id,
            title: c.title.clone(),
            author: object.author(),
            created_at: c.created_at,
            stewards,
            threshold: c.threshold,
            in_force: in_force_at.is_some(),
            in_force_at,
            ratifications,
            sections: c.sections.iter().map(|s| s.slug.clone()).collect(),
            policy: c.policy.clone(),
        })
    });
    let mut objects = ObjectCounts::default();
    for object in gathered.objects.values() {
        objects.total += 1;
        *objects.by_kind.entry(object.kind()).or_default() += 1;
    }
    let (verdict, reasons) = verdict(
        index,
        &missing,
        &findings,
        charter.as_ref(),
        policy.as_ref(),
    );
    AuditReport {
        format: REPORT_FORMAT.to_owned(),
        target: TargetSummary::new(
            gathered.target,
            index.object(&gathered.target),
            gathered.charter,
            gathered.path.clone(),
        ),
        as_of: options.as_of,
        verdict,
        reasons,
        complete: missing.is_empty(),
        missing,
        objects,
        charter,
        trust: summary,
        drafts: chains,
        coverage,
        endorsements,
        policy,
        participation,
        witnessing: index.charter.as_ref().map(|_| witnessing),
        anomalies: findings,
    }
}

/// The verdict, and the lines that explain it.
fn verdict(
    index: &Index,
    missing: &[ObjectId],
    findings: &[Finding],
    charter: Option<&CharterStatus>,
    policy: Option<&PolicyEvaluation>,
) -> (Verdict, Vec<String>) {
    let mut reasons = Vec::new();
    if !missing.is_empty() {
        if !index.gathered.objects.contains_key(&index.gathered.target) {
            reasons.push("the target itself is missing".to_owned());
        }
        let shown: Vec<String> = missing.iter().take(5).map(ObjectId::short).collect();
        reasons.push(format!(
            "{} referenced object{} missing: {}{}",
            missing.len(),
            if missing.len() == 1 { " is" } else { "s are" },
            shown.join(", "),
            if missing.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    if index.gathered.charter.is_none() && missing.is_empty() {
        reasons.push("the target belongs to no consultation".to_owned());
    }
    let blocking: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.blocking)
        .map(|f| f.anomaly.code())
        .collect();
    let blocking_count = findings.iter().filter(|f| f.blocking).count();
    if blocking_count > 0 {
        reasons.push(format!(
            "{blocking_count} blocking anomal{}: {}",
            if blocking_count == 1 { "y" } else { "ies" },
            blocking.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if let (Some(charter), Some(policy)) = (charter, policy) {
        if !charter.in_force {
            reasons.push(format!(
                "charter not in force: {} of {} required steward ratifications",
                charter.ratifications.len(),
                charter.threshold
            ));
        }
        for clause in policy.clauses.iter().filter(|c| !c.met) {
            reasons.push(format!("{}: {}", clause.clause.as_str(), clause.detail));
        }
        if policy.met {
            reasons.push("endorsement policy met".to_owned());
        }
    }
    let verdict = if !missing.is_empty() {
        Verdict::Incomplete
    } else if index.gathered.charter.is_none() {
        Verdict::NoCharter
    } else if blocking_count > 0 || index.charter.is_none() {
        Verdict::AnomaliesFound
    } else if policy.is_some_and(|p| p.met) {
        Verdict::PolicyMet
    } else {
        Verdict::PolicyNotMet
    };
    (verdict, reasons)
}
