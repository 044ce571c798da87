//! One test per anomaly kind: each adds one thing to a clean consultation
//! and asserts that exactly that finding appears (and whether it blocks).

use baraza_protocol::audit::{Anomaly, AuditOptions, ReferenceProblem, Verdict};
use baraza_protocol::kinds::{Role, Stance};
use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
use baraza_protocol::ObjectId;
use baraza_testkit::consultation::*;

/// The report's anomalies, asserting they are all of kind `code`.
fn only(report: &baraza_protocol::audit::AuditReport, code: &str) -> Vec<(Anomaly, bool)> {
    assert!(
        !report.anomalies.is_empty(),
        "expected a {code} anomaly, found none"
    );
    for f in &report.anomalies {
        assert_eq!(
            f.anomaly.code(),
            code,
            "unexpected anomaly: {:?}",
            f.anomaly
        );
    }
    report
        .anomalies
        .iter()
        .map(|f| (f.anomaly.clone(), f.blocking))
        .collect()
}

#[test]
fn the_baseline_release_passes_without_anomalies() {
    let report = World::baseline().audit("release");
    assert_eq!(report.anomalies, vec![], "{}", report.to_json());
    assert_eq!(report.verdict, Verdict::PolicyMet, "{:?}", report.reasons);
    assert!(report.complete);
    assert!(report.passed());
}

#[test]
fn unattested_signer_of_a_comment_is_reported_but_does_not_block() {
    let mut w = World::baseline();
    let c = w.comment("c-stranger", "open", T0 + 2 * DAY, &stranger());
    let report = w.audit("release");
    assert_eq!(
        only(&report, "unattested_signer"),
        vec![(
            Anomaly::UnattestedSigner {
                object: c,
                signer: stranger().public()
            },
            false
        )]
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
    let open = &report.participation["open"].comments;
    assert_eq!((open.unattested.objects, open.unattested.authors), (1, 1));
}

#[test]
fn unattested_signer_of_the_target_blocks() {
    let mut w = World::baseline();
    w.comment("c-stranger", "open", T0 + 2 * DAY, &stranger());
    let report = w.audit("c-stranger");
    let found = only(&report, "unattested_signer");
    assert!(found.iter().all(|(_, blocking)| *blocking));
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn expired_attestation() {
    let mut w = World::baseline();
    let a = w.attest_until(
        "stakeholder-4",
        &nri(1),
        stakeholder(4).public(),
        Role::Stakeholder,
        None,
        Some(baraza_protocol::kinds::StakeholderGroup::Academia),
        Some(baraza_protocol::kinds::Region::African),
        T0 + 3 * HOUR,
        T0 + DAY,
    );
    let c = w.comment("c4", "open", T0 + 2 * DAY, &stakeholder(4));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "expired_attestation"),
        vec![(
            Anomaly::ExpiredAttestation {
                object: c,
                attestation: a
            },
            false
        )]
    );
}

#[test]
fn revoked_key() {
    let mut w = World::baseline();
    let r = w.revoke(
        "revoke-3",
        stakeholder(3).public(),
        T0 + 10 * DAY,
        T0 + 10 * DAY,
        &stakeholder(3),
    );
    let c = w.comment("c-after", "safe", T0 + 12 * DAY, &stakeholder(3));
    let report = w.audit("release");
    let found = only(&report, "revoked_key");
    // Both the late comment and stakeholder 3's objection to the release were signed after revocation.
    let e = w.id("e-sh-3");
    assert_eq!(
        found,
        vec![
            (
                Anomaly::RevokedKey {
                    object: c.min(e),
                    key: stakeholder(3).public(),
                    revocation: r
                },
                false
            ),
            (
                Anomaly::RevokedKey {
                    object: c.max(e),
                    key: stakeholder(3).public(),
                    revocation: r
                },
                false
            ),
        ]
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
}

#[test]
fn retracted_object() {
    let mut w = World::baseline();
    let c = w.comment("c4", "open", T0 + 4 * DAY, &stakeholder(2));
    let r = w.retract("r4", c, T0 + 5 * DAY, &stakeholder(2));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "retracted_object"),
        vec![(
            Anomaly::RetractedObject {
                object: c,
                retraction: r
            },
            false
        )]
    );
    let open = &report.coverage.as_ref().expect("coverage").sections["open"];
    let entry = open
        .comments
        .iter()
        .find(|e| e.comment == c)
        .expect("listed");
    assert!(entry.retracted);
    assert_eq!(report.participation["open"].comments.retracted, 1);
}

#[test]
fn retracting_the_target_blocks() {
    let mut w = World::baseline();
    let release = w.id("release");
    w.retract("r", release, T0 + 60 * DAY, &editor());
    let report = w.audit("release");
    let found = only(&report, "retracted_object");
    assert!(found[0].1);
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn dangling_reference_makes_the_report_incomplete() {
    let mut w = World::baseline();
    let nowhere = ObjectId([7; 32]);
    let c = w.comment_on(
        "reply",
        "open",
        T0 + 4 * DAY,
        Some(nowhere),
        &stakeholder(1),
    );
    let report = w.audit("release");
    assert_eq!(
        only(&report, "dangling_reference"),
        vec![(
            Anomaly::DanglingReference {
                object: c,
                missing: nowhere
            },
            false
        )]
    );
    assert!(!report.complete);
    assert_eq!(report.missing, vec![nowhere]);
    assert_eq!(report.verdict, Verdict::Incomplete);
}

#[test]
fn future_dated_against_a_referrer() {
    let mut w = World::baseline();
    let c1 = w.id("c1");
    let reply = w.comment_on("reply", "open", T0 + DAY - HOUR, Some(c1), &stakeholder(2));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "future_dated"),
        vec![(
            Anomaly::FutureDated {
                object: c1,
                created_at: T0 + DAY,
                referrer: Some(reply),
                limit: T0 + DAY - HOUR
            },
            false
        )]
    );
}

#[test]
fn future_dated_against_the_auditors_clock() {
    let w = World::baseline();
    let newest = T0 + 55 * DAY;
    let fine = AuditOptions {
        as_of: Some(newest - MAX_CLOCK_SKEW_MS),
    };
    assert_eq!(w.audit_with("release", &fine).anomalies, vec![]);
    let early = AuditOptions {
        as_of: Some(newest - MAX_CLOCK_SKEW_MS - 1),
    };
    let report = w.audit_with("release", &early);
    let found = only(&report, "future_dated");
    assert_eq!(found.len(), 5, "the five endorsements of the release");
    assert!(found.iter().all(|(a, blocking)| !blocking
        && matches!(a, Anomaly::FutureDated { referrer: None, created_at, .. } if *created_at == newest)));
}

#[test]
fn late_comment() {
    let mut w = World::baseline();
    let c = w.comment("late", "open", T0 + 31 * DAY, &stakeholder(1));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "late_comment"),
        vec![(
            Anomaly::LateComment {
                comment: c,
                created_at: T0 + 31 * DAY,
                witnessed_at: None,
            },
            false
        )]
    );
}

#[test]
fn equivocation_names_both_drafts_and_blocks() {
    let mut w = World::baseline();
    let v1 = w.id("open-v1");
    let v2 = w.id("open-v2");
    let other = w.draft(
        "open-v2-bis",
        "open",
        2,
        Some(v1),
        T0 + 41 * DAY,
        &[],
        &editor(),
    );
    let report = w.audit("release");
    let mut drafts = vec![v2, other];
    drafts.sort();
    assert_eq!(
        only(&report, "equivocation"),
        vec![(
            Anomaly::Equivocation {
                editor: editor().public(),
                section: "open".into(),
                version: 2,
                drafts
            },
            true
        )]
    );
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn charter_not_in_force() {
    let w = World::build(&Config {
        ratifiers: 1,
        ..Config::default()
    });
    let report = w.audit("release");
    assert_eq!(
        only(&report, "charter_not_in_force"),
        vec![(
            Anomaly::CharterNotInForce {
                charter: w.id("charter"),
                ratified: 1,
                threshold: 2
            },
            true
        )]
    );
    let policy = report.policy.as_ref().expect("policy");
    assert!(!policy.met && !policy.charter_in_force);
    assert!(policy.clauses.iter().all(|c| c.met));
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn unauthorised_retraction_is_ignored_and_reported() {
    let mut w = World::baseline();
    let c1 = w.id("c1");
    let r = w.retract("r", c1, T0 + 5 * DAY, &stakeholder(3));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "unauthorised_retraction"),
        vec![(
            Anomaly::UnauthorisedRetraction {
                retraction: r,
                target: c1
            },
            false
        )]
    );
    let open = &report.coverage.as_ref().expect("coverage").sections["open"];
    assert!(open.comments.iter().all(|e| !e.retracted));
}

#[test]
fn unauthorised_revocation_is_ignored_and_reported() {
    let mut w = World::baseline();
    let victim = stakeholder(1).public();
    let r = w.revoke("r", victim, T0, T0 + 5 * DAY, &stakeholder(3));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "unauthorised_revocation"),
        vec![(
            Anomaly::UnauthorisedRevocation {
                revocation: r,
                key: victim
            },
            false
        )]
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
}

#[test]
fn wrong_signer_role_for_a_draft_by_a_stakeholder() {
    let mut w = World::baseline();
    let d = w.draft(
        "rogue",
        "safe",
        5,
        Some(w.id("safe-v1")),
        T0 + 45 * DAY,
        &[],
        &stakeholder(1),
    );
    let report = w.audit("release");
    // Version 5 on version 1 is also a gap: build it on a version 1 instead.
    let codes = codes(&report);
    assert!(codes.contains(&"wrong_signer_role"), "{codes:?}");
    let mut w = World::baseline();
    let d2 = w.draft(
        "rogue",
        "safe",
        1,
        None,
        T0 + 45 * DAY,
        &[],
        &stakeholder(1),
    );
    let report = w.audit("release");
    assert_ne!(d, d2);
    assert_eq!(
        only(&report, "wrong_signer_role"),
        vec![(
            Anomaly::WrongSignerRole {
                object: d2,
                signer: stakeholder(1).public(),
                expected: "editor:safe".into()
            },
            false
        )]
    );
}

#[test]
fn wrong_signer_role_for_an_nri_attested_by_an_nri() {
    let mut w = World::baseline();
    let a = w.attest(
        "nri-4",
        &nri(1),
        &nri(4),
        Role::Nri,
        None,
        None,
        Some(baraza_protocol::kinds::Region::WesternEuropeanOther),
        T0 + 4 * HOUR,
    );
    let release = w.id("release");
    w.endorse("e-nri-4", release, Stance::Support, T0 + 56 * DAY, &nri(4));
    let report = w.audit("release");
    assert_eq!(
        only(&report, "wrong_signer_role"),
        vec![(
            Anomaly::WrongSignerRole {
                object: a,
                signer: nri(1).public(),
                expected: "steward".into()
            },
            false
        )]
    );
    let endorsements = report.endorsements.as_ref().expect("endorsements");
    assert_eq!(
        endorsements.support.total, 4,
        "the fourth NRI's support does not count"
    );
}

#[test]
fn inconsistent_reference_for_a_version_gap() {
    let mut w = World::baseline();
    let v1 = w.id("open-v1");
    let v3 = w.draft(
        "open-v3",
        "open",
        3,
        Some(v1),
        T0 + 45 * DAY,
        &[],
        &editor(),
    );
    let report = w.audit("release");
    assert_eq!(
        only(&report, "inconsistent_reference"),
        vec![(
            Anomaly::InconsistentReference {
                object: v3,
                reference: v1,
                problem: ReferenceProblem::VersionGap
            },
            false
        )]
    );
}

#[test]
fn a_target_outside_any_consultation_has_no_charter() {
    let mut w = World::baseline();
    w.revoke(
        "rev",
        stakeholder(3).public(),
        T0 + 99 * DAY,
        T0 + 99 * DAY,
        &stakeholder(3),
    );
    let report = w.audit("rev");
    assert_eq!(report.verdict, Verdict::NoCharter);
    assert!(report.complete && report.anomalies.is_empty());
}

#[test]
fn a_missing_target_is_incomplete() {
    let w = World::baseline();
    let nowhere = ObjectId([9; 32]);
    let report = baraza_protocol::audit::audit(&w.set(), &nowhere, &AuditOptions::default());
    assert_eq!(report.verdict, Verdict::Incomplete);
    assert_eq!(report.missing, vec![nowhere]);
    assert_eq!(report.target.kind, None);
}
