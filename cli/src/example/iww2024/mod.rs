//! "The Internet We Want", 2024: the IGF Leadership Panel's consultation
//! on the five sections of its vision paper, the review of comments, the
//! working groups' goals and targets, and the framework's endorsement at
//! IGF 2024 in Riyadh — as signed baraza objects.
//!
//! The words, names and dates are data, in `examples/source/iww-2024/`
//! (see `data`); the modules here turn them into signed objects. The
//! story, in order of signing:
//!
//! 1. `charter`: the charter and its ratification by three stewards;
//! 2. `people`: profiles; stewards accredit seven NRIs from all five UN
//!    regional groups and appoint an editor per section; NRIs attest
//!    thirteen stakeholders of every group;
//! 3. `comments`: comments in ten languages, endorsements of some of
//!    them, one retraction;
//! 4. `drafts`: version 1 of each section; mid-evaluation comments on it;
//!    version 2; the release;
//! 5. `endorsements`: the release's endorsements, which differ by [`Variant`].
//!
//! Everything else is identical between the variants, byte for byte.

mod charter;
mod comments;
mod data;
mod drafts;
mod endorsements;
mod people;

use baraza_protocol::ObjectId;

use super::Scenario;
use data::Data;

/// Which ending the consultation gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// The release's endorsements meet the charter's policy.
    PolicyMet,
    /// Too few regions support the release, and no youth stakeholder does.
    PolicyNotMet,
}

impl Variant {
    /// Both variants, the main one first.
    pub(crate) const ALL: [Variant; 2] = [Variant::PolicyMet, Variant::PolicyNotMet];

    /// The variant's name, as `--variant` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Variant::PolicyMet => "policy-met",
            Variant::PolicyNotMet => "policy-not-met",
        }
    }
}

/// The example's name, part of every key's seed.
pub(crate) const NAME: &str = "iww-2024";

/// Builds the consultation; returns it and the release's id (the audited target).
pub(crate) fn build(variant: Variant) -> anyhow::Result<(Scenario, ObjectId)> {
    let data = Data::load()?;
    let mut s = Scenario::new(NAME);
    people::introduce(&mut s, &data.people)?;
    charter::charter(&mut s, &data)?;
    people::profiles(&mut s, &data.people)?;
    people::attest(&mut s, &data.people)?;
    comments::comments(&mut s, &data.comments, false)?;
    comments::reactions(&mut s, &data.comments)?;
    drafts::drafts(&mut s, &data.drafts[0], 1)?;
    comments::comments(&mut s, &data.comments, true)?;
    drafts::drafts(&mut s, &data.drafts[1], 2)?;
    drafts::release(&mut s, &data)?;
    endorsements::endorse_release(&mut s, &data, variant)?;
    let release = s.id("release")?;
    Ok((s, release))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use baraza_protocol::audit::{audit, AuditOptions, ClauseKind, ObjectSet, Verdict};

    use super::*;

    fn report(variant: Variant) -> (Scenario, baraza_protocol::audit::AuditReport) {
        let (s, release) = build(variant).expect("the example builds");
        let set: ObjectSet = s.entries.iter().map(|e| e.object.clone()).collect();
        let report = audit(&set, &release, &AuditOptions::default());
        (s, report)
    }

    fn name_of(s: &Scenario, id: &ObjectId) -> String {
        s.entries
            .iter()
            .find(|e| e.object.id() == *id)
            .map_or_else(|| id.short(), |e| e.name.clone())
    }

    #[test]
    fn policy_met_with_the_planted_findings() {
        let (s, report) = report(Variant::PolicyMet);
        assert_eq!(report.verdict, Verdict::PolicyMet, "{:#?}", report.reasons);
        assert!(report.blocking().next().is_none());
        let mut late = BTreeSet::new();
        let mut unattested = BTreeSet::new();
        let mut retracted = BTreeSet::new();
        for finding in &report.anomalies {
            use baraza_protocol::audit::Anomaly::*;
            match &finding.anomaly {
                LateComment { comment, .. } => late.insert(name_of(&s, comment)),
                UnattestedSigner { object, .. } => unattested.insert(name_of(&s, object)),
                RetractedObject { object, .. } => retracted.insert(name_of(&s, object)),
                other => panic!("unexpected anomaly {other:?}"),
            };
        }
        let expected: BTreeSet<String> = comments::LATE
            .iter()
            .map(|n| format!("comment-{n}"))
            .collect();
        assert_eq!(late, expected);
        assert_eq!(
            retracted,
            BTreeSet::from([format!("comment-{}", comments::RETRACTED)])
        );
        assert_eq!(
            unattested,
            BTreeSet::from([
                "comment-ui-guest-pierre".to_owned(),
                "comment-rr-guest-anonymous".to_owned(),
                "endorse-ui-other-ws-guest-pierre".to_owned(),
                "endorse-release-guest-pierre".to_owned(),
            ])
        );
    }

    #[test]
    fn policy_not_met_on_regions_and_youth() {
        let (_, report) = report(Variant::PolicyNotMet);
        assert_eq!(
            report.verdict,
            Verdict::PolicyNotMet,
            "{:#?}",
            report.reasons
        );
        let policy = report.policy.expect("a policy");
        let failing: Vec<ClauseKind> = policy
            .clauses
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.clause)
            .collect();
        assert_eq!(failing, [ClauseKind::MinRegions, ClauseKind::Groups]);
        let groups = &policy.clauses[2];
        assert_eq!(groups.missing, ["youth"]);
    }
}
