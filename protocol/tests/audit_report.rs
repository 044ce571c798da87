//! Policy clauses, endorsement counting, coverage and participation.

use baraza_protocol::audit::{
    ClauseKind, CoverageStatus, NotCountedReason, PolicyEvaluation, Verdict,
};
use baraza_protocol::kinds::{EndorsementPolicy, Outcome, Region, StakeholderGroup, Stance};
use baraza_testkit::consultation::*;

/// Asserts that exactly `kind` fails, and returns its clause.
fn only_failing(policy: &PolicyEvaluation, kind: ClauseKind) -> baraza_protocol::audit::Clause {
    let failing: Vec<_> = policy.clauses.iter().filter(|c| !c.met).collect();
    assert_eq!(failing.len(), 1, "{:?}", policy.clauses);
    assert_eq!(failing[0].clause, kind);
    assert!(!policy.met && policy.charter_in_force);
    failing[0].clone()
}

#[test]
fn min_nris_clause_says_how_many_more_are_needed() {
    let mut w = World::baseline();
    w.remove("e-nri-2");
    let report = w.audit("release");
    let clause = only_failing(report.policy.as_ref().expect("policy"), ClauseKind::MinNris);
    assert_eq!((clause.required, clause.actual), (2, 1));
    assert_eq!(clause.detail, "needs 1 more NRI");
    assert_eq!(report.verdict, Verdict::PolicyNotMet);
    assert!(report.anomalies.is_empty());
    assert!(
        report
            .reasons
            .iter()
            .any(|r| r == "min_nris: needs 1 more NRI"),
        "{:?}",
        report.reasons
    );
}

#[test]
fn min_regions_clause_lists_the_absent_regions() {
    let w = World::build(&Config {
        policy: EndorsementPolicy {
            min_nris: 2,
            min_regions: 4,
            groups: vec![StakeholderGroup::CivilSociety],
        },
        ..Config::default()
    });
    let report = w.audit("release");
    let clause = only_failing(
        report.policy.as_ref().expect("policy"),
        ClauseKind::MinRegions,
    );
    assert_eq!((clause.required, clause.actual), (4, 2));
    assert_eq!(
        clause.missing,
        vec![
            "eastern_european",
            "latin_american_caribbean",
            "western_european_other"
        ]
    );
    assert!(
        clause.detail.starts_with("needs 2 more regions"),
        "{}",
        clause.detail
    );
    assert_eq!(report.verdict, Verdict::PolicyNotMet);
}

#[test]
fn groups_clause_names_the_missing_groups() {
    let w = World::build(&Config {
        policy: EndorsementPolicy {
            min_nris: 1,
            min_regions: 1,
            groups: vec![
                StakeholderGroup::Academia,
                StakeholderGroup::CivilSociety,
                StakeholderGroup::PrivateSector,
            ],
        },
        ..Config::default()
    });
    let report = w.audit("release");
    let clause = only_failing(report.policy.as_ref().expect("policy"), ClauseKind::Groups);
    // Private sector only objects: objections do not satisfy a group.
    assert_eq!(clause.missing, vec!["academia", "private_sector"]);
    assert_eq!((clause.required, clause.actual), (3, 1));
}

#[test]
fn only_each_authors_latest_unretracted_endorsement_counts() {
    let mut w = World::baseline();
    let release = w.id("release");
    // NRI 1 changes its mind, then takes the objection back: its support stands.
    let objection = w.endorse("n1-object", release, Stance::Object, T0 + 56 * DAY, &nri(1));
    w.retract("n1-unobject", objection, T0 + 57 * DAY, &nri(1));
    // NRI 2 changes its mind for good.
    let switched = w.endorse("n2-object", release, Stance::Object, T0 + 56 * DAY, &nri(2));
    let report = w.audit("release");
    let e = report.endorsements.as_ref().expect("endorsements");
    assert_eq!(e.support.by_group.get("nri"), Some(&1));
    assert_eq!(e.objection.by_group.get("nri"), Some(&1));
    assert!(e.objectors.iter().any(|x| x.endorsement == switched));
    let reasons: Vec<_> = e
        .not_counted
        .iter()
        .map(|n| (n.endorsement, n.reason))
        .collect();
    assert!(reasons.contains(&(objection, NotCountedReason::Retracted)));
    assert!(reasons.contains(&(w.id("e-nri-2"), NotCountedReason::Superseded)));
    let clause = only_failing(report.policy.as_ref().expect("policy"), ClauseKind::MinNris);
    assert_eq!(clause.actual, 1);
}

#[test]
fn endorsements_are_grouped_by_group_region_and_nri() {
    let w = World::baseline();
    let report = w.audit("release");
    let e = report.endorsements.as_ref().expect("endorsements");
    assert_eq!(e.support.total, 4);
    assert_eq!(e.support.by_group.get("civil_society"), Some(&1));
    assert_eq!(e.support.by_region.get(&Region::African), Some(&2));
    assert_eq!(
        e.support.by_nri.get(&nri(1).public()),
        Some(&2),
        "NRI 1 and its stakeholder"
    );
    assert_eq!(e.objectors.len(), 1);
    assert_eq!(e.objectors[0].group, "private_sector");
}

#[test]
fn unattested_endorsements_do_not_count() {
    let mut w = World::baseline();
    let release = w.id("release");
    let e = w.endorse(
        "e-stranger",
        release,
        Stance::Support,
        T0 + 56 * DAY,
        &stranger(),
    );
    let report = w.audit("release");
    let endorsements = report.endorsements.as_ref().expect("endorsements");
    assert_eq!(endorsements.support.total, 4);
    assert!(endorsements
        .not_counted
        .iter()
        .any(|n| n.endorsement == e && n.reason == NotCountedReason::ChainNotHeld));
    assert_eq!(
        report.verdict,
        Verdict::PolicyMet,
        "an unattested endorser is not blocking"
    );
}

#[test]
fn coverage_of_a_release_has_every_status_and_totals() {
    let mut w = World::baseline();
    let c4 = w.comment("c4", "open", T0 + 5 * DAY, &stakeholder(3));
    let c5 = w.comment("c5", "open", T0 + 6 * DAY, &stakeholder(1));
    w.retract("r5", c5, T0 + 7 * DAY, &stakeholder(1));
    // After the head draft: not part of its coverage.
    w.comment("c-after", "open", T0 + 41 * DAY, &stakeholder(1));
    let report = w.audit("release");
    let coverage = report.coverage.as_ref().expect("coverage");
    let open = &coverage.sections["open"];
    assert_eq!(open.draft, w.id("open-v2"));
    let statuses: Vec<_> = open
        .comments
        .iter()
        .map(|e| (e.comment, e.status, e.version, e.retracted))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (w.id("c1"), CoverageStatus::Incorporated, Some(1), false),
            (w.id("c2"), CoverageStatus::Partly, Some(2), false),
            (c4, CoverageStatus::NotAddressed, None, false),
            (c5, CoverageStatus::NotAddressed, None, true),
        ]
    );
    assert_eq!(coverage.totals.get(&CoverageStatus::NotAddressed), Some(&2));
    assert_eq!(coverage.totals.get(&CoverageStatus::OutOfScope), Some(&1));
    assert_eq!(coverage.totals.values().sum::<u64>(), 5);
    assert_eq!(coverage.retracted, 1);
}

#[test]
fn the_nearest_disposition_wins() {
    let mut w = World::baseline();
    let c1 = w.id("c1");
    let v2 = w.id("open-v2");
    let v3 = w.draft(
        "open-v3",
        "open",
        3,
        Some(v2),
        T0 + 45 * DAY,
        &[(c1, Outcome::NotIncorporated)],
        &editor(),
    );
    let report = w.audit("open-v3");
    let open = &report.coverage.as_ref().expect("coverage").sections["open"];
    let entry = open.comments.iter().find(|e| e.comment == c1).expect("c1");
    assert_eq!(
        (entry.status, entry.disposed_in),
        (CoverageStatus::NotIncorporated, Some(v3))
    );
    assert_eq!(report.drafts[0].versions.len(), 3);
    assert!(report.drafts[0].complete);
}

#[test]
fn a_comment_target_reports_its_own_status() {
    let w = World::baseline();
    let report = w.audit("c2");
    let own = report
        .coverage
        .as_ref()
        .and_then(|c| c.comment.as_ref())
        .expect("own status");
    assert_eq!(
        (own.status, own.disposed_in, own.version),
        (CoverageStatus::Partly, Some(w.id("open-v2")), Some(2))
    );
    assert!(!own.retracted);
    assert_eq!(own.dispositions.len(), 1);
}

#[test]
fn participation_counts_groups_regions_and_unattested_authors_apart() {
    let mut w = World::baseline();
    let c1 = w.id("c1");
    w.comment("c-more", "open", T0 + 4 * DAY, &stakeholder(1));
    w.comment("c-anon", "open", T0 + 4 * DAY, &stranger());
    w.endorse("e-c1-nri", c1, Stance::Support, T0 + 5 * DAY, &nri(2));
    w.endorse(
        "e-c1-old",
        c1,
        Stance::Object,
        T0 + 5 * DAY,
        &stakeholder(2),
    );
    w.endorse(
        "e-c1-new",
        c1,
        Stance::Support,
        T0 + 6 * DAY,
        &stakeholder(2),
    );
    let report = w.audit("release");
    let open = &report.participation["open"];
    assert_eq!(
        (
            open.comments.attested.objects,
            open.comments.attested.authors
        ),
        (3, 2)
    );
    let civil = open.comments.by_group["civil_society"];
    assert_eq!((civil.objects, civil.authors), (2, 1));
    assert_eq!(open.comments.unattested.objects, 1);
    assert_eq!(
        open.endorsements.attested.objects, 2,
        "latest per author and object"
    );
    assert_eq!(open.endorsements.by_group["nri"].objects, 1);
    assert_eq!(open.endorsements.by_region[&Region::AsiaPacific].authors, 2);
    assert!(report.participation["safe"].endorsements.attested.objects == 0);
}
