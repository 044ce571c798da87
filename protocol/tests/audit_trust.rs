//! Chains of trust evaluated at signing time: expiry, revocation before and
//! after `effective_from`, retracted attestations, issuers that lost their
//! role, and the choice among several attestations.

use baraza_protocol::audit::{Anomaly, AuditReport, ChainReason, ChainRole, Verdict};
use baraza_protocol::kinds::{Region, Role, StakeholderGroup};
use baraza_protocol::ObjectId;
use baraza_testkit::consultation::*;

/// The chain the report shows for `id` (a comment target shows its own).
fn chain(report: &AuditReport, id: ObjectId) -> &baraza_protocol::audit::Chain {
    report
        .trust
        .chains
        .get(&id)
        .expect("chain shown for the object")
}

#[test]
fn a_stakeholder_chain_runs_through_its_nri_to_a_steward() {
    let w = World::baseline();
    let report = w.audit("c1");
    let c = chain(&report, w.id("c1"));
    assert!(c.held);
    assert_eq!(c.role, Some(ChainRole::Stakeholder));
    assert_eq!(c.group, Some(StakeholderGroup::CivilSociety));
    assert_eq!(c.attestation, Some(w.id("stakeholder-1")));
    let nri_link = c.issuer.as_deref().expect("issuer");
    assert_eq!(
        (nri_link.signer, nri_link.role),
        (nri(1).public(), Some(ChainRole::Nri))
    );
    assert_eq!(
        nri_link.at,
        T0 + 3 * HOUR,
        "evaluated when the NRI attested"
    );
    let root = nri_link.issuer.as_deref().expect("steward");
    assert_eq!(
        (root.signer, root.role, root.held),
        (steward(1).public(), Some(ChainRole::Steward), true)
    );
    assert!(root.issuer.is_none());
}

#[test]
fn revocation_counts_only_from_effective_from() {
    let mut w = World::baseline();
    let r = w.revoke(
        "revoke-1",
        stakeholder(1).public(),
        T0 + 10 * DAY,
        T0 + 20 * DAY,
        &stakeholder(1),
    );
    let before = w.comment("before", "open", T0 + 9 * DAY, &stakeholder(1));
    let after = w.comment("after", "open", T0 + 10 * DAY, &stakeholder(1));
    let report = w.audit("before");
    assert!(chain(&report, before).held);
    let report = w.audit("after");
    let c = chain(&report, after);
    assert!(!c.held);
    assert_eq!(
        (c.reason, c.evidence),
        (Some(ChainReason::SignerRevoked), Some(r))
    );
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn revocation_by_the_attesting_nri_counts() {
    let mut w = World::baseline();
    w.revoke(
        "revoke-1",
        stakeholder(1).public(),
        T0 + 10 * DAY,
        T0 + 10 * DAY,
        &nri(1),
    );
    let after = w.comment("after", "open", T0 + 11 * DAY, &stakeholder(1));
    let report = w.audit("after");
    assert_eq!(
        chain(&report, after).reason,
        Some(ChainReason::SignerRevoked)
    );
}

#[test]
fn a_revoked_issuer_breaks_later_signatures_of_its_stakeholders() {
    let mut w = World::baseline();
    let r = w.revoke(
        "revoke-nri",
        nri(1).public(),
        T0 + 10 * DAY,
        T0 + 10 * DAY,
        &nri(1),
    );
    let early = w.comment("early", "open", T0 + 9 * DAY, &stakeholder(1));
    let late = w.comment("late", "open", T0 + 11 * DAY, &stakeholder(1));
    assert!(chain(&w.audit("early"), early).held);
    let report = w.audit("late");
    let c = chain(&report, late);
    assert_eq!(
        (c.held, c.reason, c.evidence),
        (false, Some(ChainReason::IssuerRevoked), Some(r))
    );
    assert!(report.anomalies.iter().any(|f| f.anomaly
        == Anomaly::RevokedKey {
            object: late,
            key: nri(1).public(),
            revocation: r
        }));
}

#[test]
fn an_expired_attestation_fails_and_names_the_attestation() {
    let mut w = World::baseline();
    let a = w.attest_until(
        "short",
        &nri(2),
        stakeholder(5).public(),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Youth),
        Some(Region::AsiaPacific),
        T0 + 4 * HOUR,
        T0 + 5 * DAY,
    );
    let inside = w.comment("inside", "open", T0 + 5 * DAY - 1, &stakeholder(5));
    let at_expiry = w.comment("at-expiry", "open", T0 + 5 * DAY, &stakeholder(5));
    assert!(chain(&w.audit("inside"), inside).held);
    let report = w.audit("at-expiry");
    let c = chain(&report, at_expiry);
    assert_eq!(
        (c.held, c.reason, c.attestation),
        (false, Some(ChainReason::Expired), Some(a))
    );
}

#[test]
fn a_retracted_attestation_fails_from_the_retraction_on() {
    let mut w = World::baseline();
    let a = w.id("stakeholder-1");
    let r = w.retract("unattest", a, T0 + 10 * DAY, &nri(1));
    let before = w.comment("before", "open", T0 + 9 * DAY, &stakeholder(1));
    let after = w.comment("after", "open", T0 + 10 * DAY, &stakeholder(1));
    assert!(chain(&w.audit("before"), before).held);
    let report = w.audit("after");
    let c = chain(&report, after);
    assert_eq!(
        (c.held, c.reason, c.evidence),
        (false, Some(ChainReason::Retracted), Some(r))
    );
    assert!(report.anomalies.iter().any(|f| f.blocking
        && f.anomaly
            == Anomaly::RetractedObject {
                object: a,
                retraction: r
            }));
    // Stakeholder 1's support for the release no longer counts: civil society is missing.
    let release = w.audit("release");
    let groups = &release.policy.as_ref().expect("policy").clauses[2];
    assert_eq!(groups.missing, vec!["civil_society".to_owned()]);
    assert_eq!(release.verdict, Verdict::PolicyNotMet);
}

#[test]
fn a_retraction_of_an_attestation_by_its_subject_does_not_count() {
    let mut w = World::baseline();
    let a = w.id("stakeholder-1");
    let r = w.retract("self-unattest", a, T0 + 10 * DAY, &stakeholder(1));
    let report = w.audit("release");
    assert_eq!(
        report
            .anomalies
            .iter()
            .map(|f| f.anomaly.clone())
            .collect::<Vec<_>>(),
        vec![Anomaly::UnauthorisedRetraction {
            retraction: r,
            target: a
        }]
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
}

#[test]
fn an_nri_that_was_not_accredited_when_attesting_breaks_the_chain_at_that_link() {
    let mut w = World::baseline();
    // NRI 4 is accredited only from day 2, but attests stakeholder 6 on day 1.
    let late_nri = w.attest(
        "nri-4",
        &steward(2),
        &nri(4),
        Role::Nri,
        None,
        None,
        Some(Region::EasternEuropean),
        T0 + 2 * DAY,
    );
    let early = w.attest(
        "stakeholder-6",
        &nri(4),
        &stakeholder(6),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Academia),
        Some(Region::EasternEuropean),
        T0 + DAY,
    );
    let c = w.comment("c6", "open", T0 + 3 * DAY, &stakeholder(6));
    let report = w.audit("c6");
    let link = chain(&report, c);
    assert_eq!(
        (link.held, link.reason),
        (false, Some(ChainReason::IssuerNotAccredited))
    );
    let issuer = link.issuer.as_deref().expect("issuer chain");
    assert_eq!(
        (issuer.held, issuer.reason, issuer.at),
        (false, Some(ChainReason::NoAttestation), T0 + DAY)
    );
    let anomalies: Vec<_> = report
        .anomalies
        .iter()
        .map(|f| (f.anomaly.clone(), f.blocking))
        .collect();
    assert_eq!(
        anomalies,
        vec![(
            Anomaly::UnattestedSigner {
                object: early,
                signer: nri(4).public()
            },
            true
        )]
    );
    assert_ne!(late_nri, early);
}

#[test]
fn a_holding_attestation_is_preferred_over_a_later_failing_one() {
    let mut w = World::baseline();
    // Stakeholder 2 is attested again later by an NRI whose key was revoked before.
    w.revoke(
        "revoke-3",
        nri(3).public(),
        T0 + 4 * DAY,
        T0 + 4 * DAY,
        &nri(3),
    );
    w.attest(
        "again",
        &nri(3),
        &stakeholder(2),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Government),
        Some(Region::LatinAmericanCaribbean),
        T0 + 5 * DAY,
    );
    let c = w.comment("c", "open", T0 + 6 * DAY, &stakeholder(2));
    let report = w.audit("c");
    let link = chain(&report, c);
    assert!(link.held);
    assert_eq!(link.attestation, Some(w.id("stakeholder-2")));
    assert_eq!(link.region, Some(Region::AsiaPacific));
}

#[test]
fn among_holding_attestations_the_latest_wins() {
    let mut w = World::baseline();
    let newer = w.attest(
        "moved",
        &nri(3),
        &stakeholder(2),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Academia),
        Some(Region::LatinAmericanCaribbean),
        T0 + 5 * DAY,
    );
    let before = w.comment("before", "open", T0 + 4 * DAY, &stakeholder(2));
    let after = w.comment("after", "open", T0 + 6 * DAY, &stakeholder(2));
    assert_eq!(
        chain(&w.audit("before"), before).attestation,
        Some(w.id("stakeholder-2"))
    );
    let report = w.audit("after");
    let link = chain(&report, after);
    assert_eq!(
        (link.attestation, link.group.clone()),
        (Some(newer), Some(StakeholderGroup::Academia))
    );
}

#[test]
fn a_revoked_steward_cannot_ratify() {
    let mut w = World::baseline();
    w.revoke(
        "revoke-s2",
        steward(2).public(),
        T0,
        T0 + 5 * DAY,
        &steward(2),
    );
    let report = w.audit("release");
    let charter = report.charter.as_ref().expect("charter");
    assert!(!charter.in_force);
    assert_eq!(charter.ratifications.len(), 1);
    assert_eq!(report.verdict, Verdict::AnomaliesFound);
}

#[test]
fn the_charter_is_in_force_from_the_threshold_th_ratification() {
    let mut w = World::build(&Config {
        ratifiers: 1,
        ..Config::default()
    });
    let charter = w.id("charter");
    w.endorse(
        "late-ratify",
        charter,
        baraza_protocol::kinds::Stance::Support,
        T0 + 2 * DAY,
        &steward(2),
    );
    let report = w.audit("release");
    let status = report.charter.as_ref().expect("charter");
    assert_eq!(
        (status.in_force, status.in_force_at),
        (true, Some(T0 + 2 * DAY))
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
}
