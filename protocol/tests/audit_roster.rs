//! The roster query (`protocol::audit::Roster`): a key's standing at a
//! moment — attested, expired, revoked before and after, attested by a key
//! that is no NRI, the chain up to a steward — and its agreement with the
//! chains the audit report shows.

use baraza_protocol::audit::{AuditSource, ChainReason, ChainRole, ObjectSet, Roster};
use baraza_protocol::kinds::{Region, Role, StakeholderGroup};
use baraza_testkit::consultation::*;

fn roster(w: &World) -> Roster {
    Roster::new(w.id("charter"), w.objects.iter().cloned())
}

#[test]
fn an_attested_stakeholder_chains_to_a_steward() {
    let w = World::baseline();
    let s = roster(&w).standing_of(&stakeholder(1).public(), T0 + DAY);
    assert!(s.held(), "{s:#?}");
    assert_eq!(s.role(), Some(ChainRole::Stakeholder));
    assert_eq!(s.group(), Some(&StakeholderGroup::CivilSociety));
    assert_eq!(s.region(), Some(Region::African));
    assert_eq!(s.counted_as.as_deref(), Some("civil_society"));
    assert_eq!(s.nri, Some(nri(1).public()));
    assert_eq!(s.chain.attestation, Some(w.id("stakeholder-1")));
    assert_eq!(s.reason(), None);
    let issuer = s.attested_by().expect("an NRI attested the stakeholder");
    assert_eq!(issuer.signer, nri(1).public());
    assert_eq!(issuer.role, Some(ChainRole::Nri));
    assert_eq!(issuer.at, T0 + 3 * HOUR, "judged when it attested");
    assert!(issuer.held);
    let steward = issuer
        .issuer
        .as_deref()
        .expect("a steward attested the NRI");
    assert_eq!(steward.signer, steward_key());
    assert_eq!(steward.role, Some(ChainRole::Steward));
    assert!(steward.issuer.is_none(), "stewards are roots");
}

fn steward_key() -> baraza_protocol::PublicKey {
    steward(1).public()
}

#[test]
fn stewards_nris_and_strangers() {
    let w = World::baseline();
    let r = roster(&w);
    let s = r.standing_of(&steward(2).public(), T0 + DAY);
    assert!(s.held());
    assert_eq!(s.role(), Some(ChainRole::Steward));
    assert_eq!(s.counted_as.as_deref(), Some("steward"));
    assert_eq!(s.nri, None);
    let n = r.standing_of(&nri(2).public(), T0 + DAY);
    assert_eq!(n.role(), Some(ChainRole::Nri));
    assert_eq!(n.counted_as.as_deref(), Some("nri"));
    assert_eq!(n.nri, Some(nri(2).public()));
    assert_eq!(n.region(), Some(Region::AsiaPacific));
    let x = r.standing_of(&stranger().public(), T0 + DAY);
    assert!(!x.held());
    assert_eq!(x.reason(), Some(ChainReason::NoAttestation));
    assert_eq!((x.counted_as, x.nri), (None, None));
    // Before its attestation the stakeholder was nobody yet.
    let early = r.standing_of(&stakeholder(1).public(), T0 + HOUR);
    assert_eq!(early.reason(), Some(ChainReason::NoAttestation));
}

#[test]
fn organisation_and_country_come_from_the_attestation() {
    let mut w = World::baseline();
    let charter = w.id("charter");
    w.add(
        "nri-4",
        baraza_protocol::Body::Attestation(baraza_protocol::kinds::Attestation {
            created_at: T0 + 4 * HOUR,
            charter,
            subject: nri(4).public(),
            role: Role::Nri,
            section: None,
            group: None,
            organisation: Some("Nepal IGF".into()),
            country: Some("NP".into()),
            region: Some(Region::AsiaPacific),
            expires_at: T0 + 365 * DAY,
        }),
        &steward(1),
    );
    let s = roster(&w).standing_of(&nri(4).public(), T0 + DAY);
    assert!(s.held());
    assert_eq!(s.organisation.as_deref(), Some("Nepal IGF"));
    assert_eq!(s.country.as_deref(), Some("NP"));
}

#[test]
fn an_expired_attestation_no_longer_holds() {
    let mut w = World::baseline();
    let late = stakeholder(7);
    w.attest_until(
        "short",
        &nri(1),
        late.public(),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Youth),
        Some(Region::African),
        T0 + 4 * HOUR,
        T0 + 10 * DAY,
    );
    let r = roster(&w);
    assert!(r.standing_of(&late.public(), T0 + 9 * DAY).held());
    let s = r.standing_of(&late.public(), T0 + 10 * DAY);
    assert!(!s.held());
    assert_eq!(s.reason(), Some(ChainReason::Expired));
    assert_eq!(
        s.group(),
        Some(&StakeholderGroup::Youth),
        "the lost group is still named"
    );
    assert_eq!(s.counted_as, None, "but nobody counts it");
}

#[test]
fn a_revocation_counts_from_its_effective_time() {
    let mut w = World::baseline();
    let revocation = w.revoke(
        "revoke-sh-1",
        stakeholder(1).public(),
        T0 + 10 * DAY,
        T0 + 12 * DAY,
        &nri(1),
    );
    let r = roster(&w);
    let before = r.standing_of(&stakeholder(1).public(), T0 + 10 * DAY - 1);
    assert!(before.held(), "revoked only from effective_from on");
    let after = r.standing_of(&stakeholder(1).public(), T0 + 10 * DAY);
    assert!(!after.held());
    assert_eq!(after.reason(), Some(ChainReason::SignerRevoked));
    assert_eq!(after.chain.evidence, Some(revocation));
    assert_eq!(after.counted_as, None);
}

#[test]
fn a_revoked_issuer_takes_its_stakeholders_with_it() {
    let mut w = World::baseline();
    w.revoke(
        "revoke-nri-2",
        nri(2).public(),
        T0 + 20 * DAY,
        T0 + 20 * DAY,
        &steward(1),
    );
    let r = roster(&w);
    assert!(r
        .standing_of(&stakeholder(2).public(), T0 + 19 * DAY)
        .held());
    let s = r.standing_of(&stakeholder(2).public(), T0 + 20 * DAY);
    assert_eq!(s.reason(), Some(ChainReason::IssuerRevoked));
}

#[test]
fn an_unauthorised_revocation_is_ignored() {
    let mut w = World::baseline();
    w.revoke("rogue", stakeholder(1).public(), T0, T0 + DAY, &stranger());
    let s = roster(&w).standing_of(&stakeholder(1).public(), T0 + 2 * DAY);
    assert!(s.held(), "{s:#?}");
}

#[test]
fn an_attestation_by_a_key_that_is_no_nri_does_not_hold() {
    let mut w = World::baseline();
    let subject = stakeholder(8);
    // A stakeholder and a stranger try to attest stakeholders.
    w.attest(
        "by-stakeholder",
        &stakeholder(2),
        &subject,
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Academia),
        Some(Region::AsiaPacific),
        T0 + 4 * HOUR,
    );
    let r = roster(&w);
    let s = r.standing_of(&subject.public(), T0 + DAY);
    assert!(!s.held());
    assert_eq!(s.reason(), Some(ChainReason::IssuerNotAccredited));
    let issuer = s.attested_by().expect("the issuer's chain is shown");
    assert_eq!(issuer.reason, Some(ChainReason::WrongRole));
    // An NRI attested by a non-steward does not hold either.
    let mut w = World::baseline();
    w.attest(
        "nri-by-stranger",
        &stranger(),
        &nri(5),
        Role::Nri,
        None,
        None,
        Some(Region::African),
        T0 + 4 * HOUR,
    );
    let s = roster(&w).standing_of(&nri(5).public(), T0 + DAY);
    assert_eq!(s.reason(), Some(ChainReason::IssuerNotAccredited));
}

#[test]
fn a_retracted_attestation_no_longer_holds() {
    let mut w = World::baseline();
    let a = w.id("stakeholder-3");
    w.retract("retract-sh-3", a, T0 + 5 * DAY, &nri(3));
    let r = roster(&w);
    assert!(r.standing_of(&stakeholder(3).public(), T0 + 4 * DAY).held());
    let s = r.standing_of(&stakeholder(3).public(), T0 + 5 * DAY);
    assert_eq!(s.reason(), Some(ChainReason::Retracted));
}

#[test]
fn editors_of_a_section() {
    let w = World::baseline();
    let r = roster(&w);
    assert!(r.is_editor(&editor().public(), "open", T0 + 35 * DAY));
    assert!(r.is_editor(&editor().public(), "safe", T0 + 35 * DAY));
    assert!(!r.is_editor(&editor().public(), "other", T0 + 35 * DAY));
    assert!(!r.is_editor(&stakeholder(1).public(), "open", T0 + 35 * DAY));
}

#[test]
fn from_a_source_it_reads_what_it_needs() {
    let mut w = World::baseline();
    w.revoke(
        "revoke-sh-1",
        stakeholder(1).public(),
        T0 + 10 * DAY,
        T0 + 12 * DAY,
        &nri(1),
    );
    let a = w.id("stakeholder-3");
    w.retract("retract-sh-3", a, T0 + 5 * DAY, &nri(3));
    let set: ObjectSet = w.objects.iter().cloned().collect();
    let from_source = Roster::from_source(&set, &w.id("charter"));
    let direct = roster(&w);
    assert!(from_source.charter().is_some());
    for key in [
        stakeholder(1),
        stakeholder(2),
        stakeholder(3),
        nri(1),
        editor(),
        steward(1),
    ] {
        for at in [T0 + DAY, T0 + 11 * DAY] {
            assert_eq!(
                from_source.standing_of(&key.public(), at),
                direct.standing_of(&key.public(), at)
            );
        }
    }
    assert!(!from_source
        .standing_of(&stakeholder(1).public(), T0 + 11 * DAY)
        .held());
    // Given the attestations alone, it reads the rest from the source.
    let attestations = w
        .objects
        .iter()
        .filter(|o| o.kind() == baraza_protocol::Kind::Attestation)
        .cloned();
    let given = Roster::from_attestations(&set, &w.id("charter"), attestations);
    for key in [stakeholder(1), stakeholder(3), nri(1)] {
        for at in [T0 + DAY, T0 + 11 * DAY] {
            assert_eq!(
                given.standing_of(&key.public(), at),
                direct.standing_of(&key.public(), at)
            );
        }
    }
    // A source without the charter: nobody stands.
    let empty = ObjectSet::new();
    assert!(empty.object(&w.id("charter")).is_none());
    let none = Roster::from_source(&empty, &w.id("charter"));
    assert!(none.charter().is_none());
    assert!(!none.standing_of(&steward(1).public(), T0 + DAY).held());
}

#[test]
fn the_audit_report_shows_the_roster_chains() {
    let w = World::baseline();
    let report = w.audit("release");
    let r = roster(&w);
    for (name, key) in [
        ("e-nri-1", nri(1)),
        ("e-sh-1", stakeholder(1)),
        ("e-sh-3", stakeholder(3)),
    ] {
        let chain = &report.trust.chains[&w.id(name)];
        assert_eq!(
            *chain,
            r.standing_of(&key.public(), T0 + 55 * DAY).chain,
            "{name}"
        );
    }
}
