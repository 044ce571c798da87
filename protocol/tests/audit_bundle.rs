//! Determinism of the report (any order, any duplicates), and audit
//! bundles: round trip, equivalence with the full store, missing objects,
//! tampering, strict reading.

use baraza_protocol::audit::{
    audit, build_bundle, read_bundle, AuditOptions, AuditSource, BundleError, Verdict,
};
use baraza_protocol::kinds::{Body, Outcome, Role, StakeholderGroup, Stance};
use baraza_protocol::{ObjectError, ObjectId, PublicKey, SignedObject};
use baraza_testkit::consultation::*;
use proptest::prelude::*;

/// The baseline plus one of most things an audit reports on.
fn rich() -> World {
    let mut w = World::baseline();
    let (c1, v1, release) = (w.id("c1"), w.id("open-v1"), w.id("release"));
    w.comment("anon", "open", T0 + 2 * DAY, &stranger());
    w.comment_on("reply", "open", T0 + 3 * DAY, Some(c1), &stakeholder(2));
    let c5 = w.comment("c5", "safe", T0 + 6 * DAY, &stakeholder(1));
    w.retract("r5", c5, T0 + 7 * DAY, &stakeholder(1));
    w.comment("late", "safe", T0 + 33 * DAY, &stakeholder(3));
    w.endorse("e-c1", c1, Stance::Support, T0 + 4 * DAY, &nri(3));
    w.endorse("e-v1", v1, Stance::Object, T0 + 36 * DAY, &stakeholder(3));
    w.revoke(
        "rev",
        stakeholder(3).public(),
        T0 + 54 * DAY,
        T0 + 54 * DAY,
        &nri(3),
    );
    w.draft(
        "open-v2-bis",
        "open",
        2,
        Some(v1),
        T0 + 41 * DAY,
        &[(c1, Outcome::Partly)],
        &editor(),
    );
    w.attest(
        "stakeholder-7",
        &nri(2),
        &stakeholder(7),
        Role::Stakeholder,
        None,
        Some(StakeholderGroup::Youth),
        Some(baraza_protocol::kinds::Region::AsiaPacific),
        T0 + 5 * DAY,
    );
    w.endorse(
        "e-sh-7",
        release,
        Stance::Support,
        T0 + 56 * DAY,
        &stakeholder(7),
    );
    w.endorse(
        "e-sh-7-old",
        release,
        Stance::Object,
        T0 + 55 * DAY,
        &stakeholder(7),
    );
    w
}

/// A source that answers by linear scans, in its own order, repeats included.
struct VecSource(Vec<SignedObject>);

impl AuditSource for VecSource {
    fn object(&self, id: &ObjectId) -> Option<SignedObject> {
        self.0.iter().find(|o| o.id() == *id).cloned()
    }
    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject> {
        self.0
            .iter()
            .filter(|o| o.body().references().contains(id))
            .cloned()
            .collect()
    }
    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject> {
        self.0
            .iter()
            .filter(|o| matches!(o.body(), Body::Revocation(r) if r.key == *key))
            .cloned()
            .collect()
    }
}

fn json(source: &impl AuditSource, target: ObjectId) -> String {
    audit(
        source,
        &target,
        &AuditOptions {
            as_of: Some(T0 + 60 * DAY),
        },
    )
    .to_json()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shuffling_and_duplicating_never_changes_the_report(
        order in Just((0..rich().objects.len()).collect::<Vec<_>>()).prop_shuffle(),
        repeats in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        target in any::<prop::sample::Index>(),
    ) {
        let w = rich();
        let target = w.objects[target.index(w.objects.len())].id();
        let expected = json(&w.set(), target);
        let mut shuffled: Vec<SignedObject> = order.iter().map(|&i| w.objects[i].clone()).collect();
        for r in &repeats {
            let copy = shuffled[r.index(shuffled.len())].clone();
            shuffled.insert(r.index(shuffled.len() + 1), copy);
        }
        prop_assert_eq!(&json(&VecSource(shuffled.clone()), target), &expected);
        let set: baraza_protocol::audit::ObjectSet = shuffled.into_iter().collect();
        prop_assert_eq!(&json(&set, target), &expected);
    }
}

#[test]
fn a_bundle_round_trips_and_gives_the_stores_report_for_every_target() {
    let w = rich();
    let store = w.set();
    for object in &w.objects {
        let target = object.id();
        let bytes = build_bundle(&store, &target).expect("bundle");
        let (read_target, bundle) = read_bundle(&bytes).expect("valid bundle");
        assert_eq!(read_target, target);
        assert_eq!(
            json(&bundle, target),
            json(&store, target),
            "target {}",
            target.short()
        );
        assert_eq!(
            build_bundle(&bundle, &target).expect("again"),
            bytes,
            "one set, one bundle"
        );
    }
}

#[test]
fn a_release_bundle_holds_what_the_report_rests_on_and_no_more() {
    let w = rich();
    let release = w.id("release");
    let bytes = build_bundle(&w.set(), &release).expect("bundle");
    let (_, bundle) = read_bundle(&bytes).expect("valid");
    let report = audit(&bundle, &release, &AuditOptions::default());
    assert_eq!(bundle.len() as u64, report.objects.total);
    let first = bundle.iter().find(|o| o.id() == release).expect("target");
    assert_eq!(
        &bytes[..first.bytes().len()],
        first.bytes(),
        "the target comes first"
    );
    // The stranger's comment on `open` is in (participation); a profile never is.
    assert!(bundle.contains(&w.id("anon")));
}

/// The items of a bundle, re-split by object lengths.
fn items(bytes: &[u8]) -> Vec<Vec<u8>> {
    let (target, set) = read_bundle(bytes).expect("valid");
    let mut objects: Vec<SignedObject> = set.iter().cloned().collect();
    objects.sort_by_key(|o| (o.id() != target, o.created_at(), o.id()));
    objects.into_iter().map(|o| o.bytes().to_vec()).collect()
}

#[test]
fn removing_any_object_makes_the_report_incomplete_or_different_never_the_same() {
    let w = World::baseline();
    let release = w.id("release");
    let bytes = build_bundle(&w.set(), &release).expect("bundle");
    let original = json(&read_bundle(&bytes).expect("valid").1, release);
    let all = items(&bytes);
    for skip in 1..all.len() {
        let removed = SignedObject::decode(&all[skip]).expect("valid").id();
        let fewer: Vec<u8> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .flat_map(|(_, b)| b.clone())
            .collect();
        let (_, set) = read_bundle(&fewer).expect("still a valid bundle");
        let report = audit(
            &set,
            &release,
            &AuditOptions {
                as_of: Some(T0 + 60 * DAY),
            },
        );
        let referenced = set.iter().any(|o| o.body().references().contains(&removed));
        if referenced {
            assert_eq!(
                report.verdict,
                Verdict::Incomplete,
                "removed {}",
                removed.short()
            );
            assert!(report.missing.contains(&removed));
        }
        assert_ne!(
            report.to_json(),
            original,
            "removing {} went unnoticed",
            removed.short()
        );
    }
}

#[test]
fn flipping_any_byte_is_detected() {
    let w = World::baseline();
    let release = w.id("release");
    let bytes = build_bundle(&w.set(), &release).expect("bundle");
    let original = json(&read_bundle(&bytes).expect("valid").1, release);
    // Every byte of the first two objects, then a stride through the rest
    // (each flip costs a full verification of the bundle).
    let head: usize = items(&bytes).iter().take(2).map(Vec::len).sum();
    let positions = (0..head)
        .chain((head..bytes.len()).step_by(7))
        .chain([bytes.len() - 1]);
    let mut rejected = 0;
    for position in positions {
        let mut tampered = bytes.clone();
        tampered[position] ^= 0x01;
        match read_bundle(&tampered) {
            Err(_) => rejected += 1,
            Ok((target, set)) => {
                assert_ne!(
                    json(&set, target),
                    original,
                    "flip at byte {position} went unnoticed"
                )
            }
        }
    }
    assert!(rejected > 0);
}

#[test]
fn read_bundle_names_the_first_invalid_object() {
    let w = World::baseline();
    let bytes = build_bundle(&w.set(), &w.id("release")).expect("bundle");
    let all = items(&bytes);
    // A bad signature in object 3: the last byte of an object is in its signature.
    let mut tampered = all.clone();
    let last = tampered[3].len() - 1;
    tampered[3][last] ^= 0x80;
    let tampered: Vec<u8> = tampered.concat();
    assert!(matches!(
        read_bundle(&tampered),
        Err(BundleError::InvalidObject {
            index: 3,
            source: ObjectError::BadSignature | ObjectError::NonCanonicalSignature
        })
    ));
    // Truncated: the last object cannot be delimited.
    let truncated = &bytes[..bytes.len() - 1];
    assert!(matches!(
        read_bundle(truncated),
        Err(BundleError::Malformed { index, .. }) if index == all.len() - 1
    ));
    assert!(matches!(read_bundle(&[]), Err(BundleError::Empty)));
    // Not an object at all.
    assert!(matches!(
        read_bundle(&[0x01]),
        Err(BundleError::InvalidObject { index: 0, .. })
    ));
}

#[test]
fn read_bundle_rejects_repeats_and_disorder() {
    let w = World::baseline();
    let bytes = build_bundle(&w.set(), &w.id("release")).expect("bundle");
    let all = items(&bytes);
    let mut repeated = all.clone();
    repeated.insert(3, all[2].clone());
    assert!(matches!(
        read_bundle(&repeated.concat()),
        Err(BundleError::Duplicate { index: 3, .. })
    ));
    let mut target_again = all.clone();
    target_again.push(all[0].clone());
    assert!(matches!(
        read_bundle(&target_again.concat()),
        Err(BundleError::Duplicate { .. })
    ));
    let mut swapped = all.clone();
    swapped.swap(1, all.len() - 1);
    assert!(matches!(
        read_bundle(&swapped.concat()),
        Err(BundleError::OutOfOrder { .. })
    ));
}

#[test]
fn bundling_a_missing_target_fails() {
    let w = World::baseline();
    assert_eq!(
        build_bundle(&w.set(), &ObjectId([3; 32])),
        Err(BundleError::TargetMissing(ObjectId([3; 32])))
    );
}

#[test]
fn a_bundle_without_the_charter_is_incomplete_never_a_pass() {
    let w = World::baseline();
    let release = w.id("release");
    let bytes = build_bundle(&w.set(), &release).expect("bundle");
    let charter = w.get("charter");
    let without: Vec<u8> = items(&bytes)
        .into_iter()
        .filter(|b| b != charter.bytes())
        .flatten()
        .collect();
    let (_, set) = read_bundle(&without).expect("valid");
    let report = audit(&set, &release, &AuditOptions::default());
    assert_eq!(report.verdict, Verdict::Incomplete);
    assert_eq!(report.missing, vec![charter.id()]);
    assert!(!report.passed());
}
