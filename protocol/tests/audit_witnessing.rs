//! Witnessed time (PROTOCOL.md §14, Witnessed time): log proofs with
//! cosignatures of NRI witnesses decide when an object was first seen,
//! and the audit uses it — late comments, backdating, objects first
//! witnessed after their signer's revocation — and bundles carry it.

use baraza_protocol::audit::{
    audit, build_bundle, read_bundle, Anomaly, AuditOptions, AuditReport, BundleError, ObjectSet,
    Verdict,
};
use baraza_protocol::kinds::Role;
use baraza_protocol::tlog::{
    inclusion_proof, LogLeaf, LogProof, MemoryLog, ProvedEntry, SignedCheckpoint,
};
use baraza_protocol::{Keypair, ObjectId};
use baraza_testkit::consultation::*;

/// The node key of NRI `i`'s node.
fn node(i: u8) -> Keypair {
    key(40 + i)
}

/// The baseline, with each NRI's node attested as its witness.
fn witnessed_world(config: &Config) -> World {
    let mut w = World::build(config);
    for i in 1..=3 {
        attest_witness(&mut w, &format!("witness-{i}"), i, &node(i));
    }
    w
}

/// NRI `i` attests `node` as its witness.
fn attest_witness(w: &mut World, name: &str, i: u8, node: &Keypair) {
    w.attest(
        name,
        &nri(i),
        node,
        Role::Witness,
        None,
        None,
        None,
        T0 + 3 * HOUR,
    );
}

/// A log signed by `log` holding `ids` (in that order), its checkpoint of
/// all of them cosigned by each `(witness, time in ms)`, with proofs of
/// every entry.
fn proof(log: &Keypair, ids: &[ObjectId], cosigners: &[(Keypair, u64)]) -> LogProof {
    let mut tree = MemoryLog::new();
    for (i, id) in ids.iter().enumerate() {
        tree.append(LogLeaf {
            id: *id,
            time_ms: T0 + i as u64,
        })
        .expect("append");
    }
    let size = tree.size();
    let mut signed = SignedCheckpoint::sign(log, size, tree.root(size).expect("root"));
    for (witness, at) in cosigners {
        let c = signed.cosign(witness, at / 1000);
        signed.add_cosignature(c);
    }
    let entries = (0..size)
        .map(|i| {
            let path = inclusion_proof(i, size, &tree).expect("proof");
            ProvedEntry::new(i, tree.leaves()[i as usize], path)
        })
        .collect();
    LogProof::of_checkpoint(signed, entries).expect("a valid proof")
}

fn audit_with_proofs(w: &World, target: &str, proofs: Vec<LogProof>) -> AuditReport {
    let mut set = w.set();
    for p in proofs {
        set.insert_proof(p);
    }
    audit(&set, &w.id(target), &AuditOptions::default())
}

fn findings(report: &AuditReport, code: &str) -> Vec<Anomaly> {
    report
        .anomalies
        .iter()
        .filter(|f| f.anomaly.code() == code)
        .map(|f| f.anomaly.clone())
        .collect()
}

#[test]
fn without_proofs_everything_is_unwitnessed_and_nothing_fails() {
    let w = witnessed_world(&Config::default());
    let plain = w.audit("release");
    assert_eq!(plain.verdict, Verdict::PolicyMet);
    let witnessing = plain
        .witnessing
        .as_ref()
        .expect("a charter: a witnessing part");
    assert_eq!(witnessing.quorum, 1);
    assert!(witnessing.witnessed.is_empty());
    assert!(witnessing.unwitnessed.contains(&w.id("c1")));
    assert!(witnessing.logs.is_empty());
}

#[test]
fn witnessed_time_is_the_earliest_cosignature_of_another_nri() {
    let w = witnessed_world(&Config::default());
    let (c1, c2) = (w.id("c1"), w.id("c2"));
    // c1 and c2 in node 1's log, cosigned by node 2 and node 3.
    let p = proof(
        &node(1),
        &[c1, c2],
        &[(node(3), T0 + 3 * DAY), (node(2), T0 + 2 * DAY + 60_000)],
    );
    let report = audit_with_proofs(&w, "release", vec![p]);
    let witnessing = report.witnessing.as_ref().expect("witnessing");
    let at = witnessing.witnessed[&c1];
    assert_eq!(at.at, T0 + 2 * DAY + 60_000);
    assert_eq!(at.nris, 2);
    assert!(!witnessing.unwitnessed.contains(&c1));
    assert_eq!(witnessing.logs.len(), 1);
    assert_eq!(witnessing.logs[0].entries, 2);
    let counted: Vec<u32> = witnessing.witnesses.iter().map(|k| k.counted).collect();
    assert_eq!(counted, vec![1, 1]);
    // On time. c2 (dated T0 + 2 days) was seen within a day of its date;
    // c1 (dated T0 + 1 day) a day and a minute after: backdated, which
    // never blocks.
    assert!(findings(&report, "late_comment").is_empty());
    assert_eq!(
        findings(&report, "backdated"),
        vec![Anomaly::Backdated {
            object: c1,
            created_at: T0 + DAY,
            witnessed_at: T0 + 2 * DAY + 60_000,
        }]
    );
    assert_eq!(report.verdict, Verdict::PolicyMet);
}

#[test]
fn a_quorum_needs_that_many_distinct_nris() {
    let w = witnessed_world(&Config {
        witness_quorum: Some(2),
        ..Config::default()
    });
    let c1 = w.id("c1");
    let one = proof(&node(1), &[c1], &[(node(2), T0 + DAY + 1000)]);
    let report = audit_with_proofs(&w, "release", vec![one.clone()]);
    let witnessing = report.witnessing.as_ref().expect("witnessing");
    assert_eq!(witnessing.quorum, 2);
    assert!(witnessing.unwitnessed.contains(&c1));
    // A second log, cosigned later by the third NRI: the second-earliest NRI time.
    let two = proof(&node(2), &[c1], &[(node(3), T0 + DAY + 5000)]);
    let report = audit_with_proofs(&w, "release", vec![one, two]);
    let at = report.witnessing.as_ref().expect("witnessing").witnessed[&c1];
    assert_eq!((at.at, at.nris), (T0 + DAY + 5000, 2));
}

#[test]
fn a_log_does_not_witness_for_its_own_nri_nor_do_unattested_keys() {
    let mut w = witnessed_world(&Config::default());
    // A second node of NRI 1, and a key nobody attested as a witness.
    attest_witness(&mut w, "witness-1b", 1, &node(9));
    let c1 = w.id("c1");
    let p = proof(
        &node(1),
        &[c1],
        &[(node(9), T0 + DAY + 1000), (stranger(), T0 + DAY + 1000)],
    );
    let report = audit_with_proofs(&w, "release", vec![p]);
    let witnessing = report.witnessing.as_ref().expect("witnessing");
    assert!(witnessing.unwitnessed.contains(&c1));
    assert_eq!(witnessing.witnesses.len(), 2);
    assert!(witnessing
        .witnesses
        .iter()
        .all(|k| k.cosignatures == 1 && k.counted == 0 && k.nri.is_none()));
}

#[test]
fn a_comment_witnessed_after_the_phase_closed_is_late_and_backdated() {
    let mut w = witnessed_world(&Config::default());
    // Dated inside the consultation phase (which closes at T0 + 30 days),
    // first seen a week after it closed.
    let late = w.comment("backdated", "open", T0 + 20 * DAY, &stakeholder(1));
    let seen = T0 + 37 * DAY;
    let p = proof(&node(1), &[late], &[(node(2), seen)]);
    let report = audit_with_proofs(&w, "release", vec![p.clone()]);
    assert_eq!(
        findings(&report, "late_comment"),
        vec![Anomaly::LateComment {
            comment: late,
            created_at: T0 + 20 * DAY,
            witnessed_at: Some(seen),
        }]
    );
    assert_eq!(
        findings(&report, "backdated"),
        vec![Anomaly::Backdated {
            object: late,
            created_at: T0 + 20 * DAY,
            witnessed_at: seen,
        }]
    );
    // Backdated never blocks.
    assert!(report
        .anomalies
        .iter()
        .filter(|f| f.anomaly.code() == "backdated")
        .all(|f| !f.blocking));
    // Without the proof the same comment is on time: the log is what tells.
    assert!(findings(&w.audit("release"), "late_comment").is_empty());
}

#[test]
fn the_grace_after_closing_covers_witnesses_that_are_a_little_behind() {
    let mut w = witnessed_world(&Config::default());
    let close = T0 + 30 * DAY;
    let just = w.comment("just", "open", close - 1000, &stakeholder(1));
    let p = proof(&node(1), &[just], &[(node(2), close + 5 * 60_000)]);
    let report = audit_with_proofs(&w, "release", vec![p]);
    assert!(findings(&report, "late_comment").is_empty());
    let p = proof(&node(1), &[just], &[(node(2), close + 11 * 60_000)]);
    let report = audit_with_proofs(&w, "release", vec![p]);
    assert_eq!(findings(&report, "late_comment").len(), 1);
}

#[test]
fn an_object_first_witnessed_after_its_signers_revocation_is_flagged() {
    let mut w = witnessed_world(&Config::default());
    let revocation = w.revoke(
        "rev",
        stakeholder(1).public(),
        T0 + 10 * DAY,
        T0 + 10 * DAY,
        &stakeholder(1),
    );
    // Dated before the revocation took effect, first seen well after it.
    let stolen = w.comment("stolen", "open", T0 + 9 * DAY, &stakeholder(1));
    let seen = T0 + 12 * DAY;
    let p = proof(&node(2), &[stolen], &[(node(3), seen)]);
    let report = audit_with_proofs(&w, "release", vec![p]);
    assert_eq!(
        findings(&report, "witnessed_after_revocation"),
        vec![Anomaly::WitnessedAfterRevocation {
            object: stolen,
            key: stakeholder(1).public(),
            revocation,
            witnessed_at: seen,
        }]
    );
    // Witnessed before the revocation: nothing.
    let p = proof(&node(2), &[stolen], &[(node(3), T0 + 9 * DAY + 1000)]);
    let report = audit_with_proofs(&w, "release", vec![p]);
    assert!(findings(&report, "witnessed_after_revocation").is_empty());
}

#[test]
fn a_witness_attestation_counts_only_while_it_holds() {
    let mut w = witnessed_world(&Config::default());
    let c1 = w.id("c1");
    // Node 2's attestation is retracted by its NRI before it cosigns.
    let attestation = w.id("witness-2");
    w.retract("unwitness", attestation, T0 + DAY, &nri(2));
    let p = proof(&node(1), &[c1], &[(node(2), T0 + 2 * DAY)]);
    let report = audit_with_proofs(&w, "release", vec![p]);
    assert!(report
        .witnessing
        .as_ref()
        .expect("witnessing")
        .unwitnessed
        .contains(&c1));
}

#[test]
fn bundles_carry_log_proofs_and_the_offline_audit_agrees() {
    let mut w = witnessed_world(&Config::default());
    let late = w.comment("backdated", "open", T0 + 20 * DAY, &stakeholder(1));
    let (c1, c2) = (w.id("c1"), w.id("c2"));
    let proofs = vec![
        proof(&node(1), &[c1, c2, late], &[(node(2), T0 + 37 * DAY)]),
        proof(&node(2), &[c2, c1], &[(node(3), T0 + 3 * DAY)]),
    ];
    let mut set = w.set();
    for p in &proofs {
        set.insert_proof(p.clone());
    }
    let target = w.id("release");
    let online = audit(&set, &target, &AuditOptions::default());
    let bytes = build_bundle(&set, &target).expect("bundle");
    let (read_target, read) = read_bundle(&bytes).expect("reads back");
    assert_eq!(read_target, target);
    assert_eq!(read.proofs().len(), 2);
    let offline = audit(&read, &target, &AuditOptions::default());
    assert_eq!(online, offline);
    assert_eq!(findings(&offline, "late_comment").len(), 1);
    // One set, one bundle: building from what was read gives the same bytes.
    assert_eq!(build_bundle(&read, &target).expect("again"), bytes);
}

/// The bundle's object part and its proofs' encodings.
fn parts(w: &World, proofs: &[LogProof]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let set: ObjectSet = w.set();
    let objects = build_bundle(&set, &w.id("release")).expect("bundle");
    (objects, proofs.iter().map(LogProof::encode).collect())
}

#[test]
fn hostile_proofs_in_a_bundle_are_refused_by_name() {
    let w = witnessed_world(&Config::default());
    let (c1, c2) = (w.id("c1"), w.id("c2"));
    let a = proof(&node(1), &[c1], &[(node(2), T0 + 2 * DAY)]);
    let b = proof(&node(2), &[c2], &[(node(3), T0 + 3 * DAY)]);
    let (objects, encoded) = parts(&w, &[a.clone(), b.clone()]);
    let count = read_bundle(&objects).expect("plain").1.len();

    // Out of (origin, size) order.
    let (lo, hi) = if a.sort_key() < b.sort_key() {
        (&encoded[0], &encoded[1])
    } else {
        (&encoded[1], &encoded[0])
    };
    let bytes = [objects.clone(), lo.clone(), hi.clone()].concat();
    assert_eq!(read_bundle(&bytes).expect("in order").1.proofs().len(), 2);
    let bytes = [objects.clone(), hi.clone(), lo.clone()].concat();
    assert!(matches!(
        read_bundle(&bytes),
        Err(BundleError::InvalidProof { index, .. }) if index == count + 1
    ));

    // A proof of an object the bundle lacks.
    let lacking = proof(&node(1), &[w.id("c3"), c1], &[(node(2), T0)]);
    let mut w2 = w.clone();
    w2.remove("c3");
    let objects2 = build_bundle(&w2.set(), &w2.id("release")).expect("bundle");
    let count2 = read_bundle(&objects2).expect("plain").1.len();
    let bytes = [objects2, lacking.encode()].concat();
    match read_bundle(&bytes) {
        Err(BundleError::InvalidProof { index, source }) => {
            assert_eq!(index, count2);
            assert!(source.to_string().contains("not in the bundle"), "{source}");
        }
        other => panic!("expected an invalid proof, got {other:?}"),
    }

    // A tampered proof: one byte of the last entry's time_ms (its last
    // field) flipped, so its leaf no longer hashes into the root.
    let mut tampered = encoded[0].clone();
    let at = tampered.len() - 3;
    tampered[at] ^= 1;
    let bytes = [objects.clone(), tampered].concat();
    assert!(matches!(
        read_bundle(&bytes),
        Err(BundleError::InvalidProof { .. })
    ));

    // An object after a proof.
    let object = w.get("c1");
    let bytes = [objects.clone(), encoded[0].clone(), object.bytes().to_vec()].concat();
    assert!(matches!(
        read_bundle(&bytes),
        Err(BundleError::ObjectAfterProof { index }) if index == count + 1
    ));

    // A proof alone is not a bundle.
    assert!(matches!(read_bundle(&encoded[0]), Err(BundleError::Empty)));
}

#[test]
fn log_proofs_round_trip_and_refuse_bad_entries() {
    let w = witnessed_world(&Config::default());
    let (c1, c2) = (w.id("c1"), w.id("c2"));
    let p = proof(&node(1), &[c1, c2], &[(node(2), T0)]);
    let back = LogProof::decode(&p.encode()).expect("decodes");
    assert_eq!(back, p);
    // Entries out of order.
    let mut entries = p.entries().to_vec();
    entries.reverse();
    let error = LogProof::new(p.note().to_owned(), entries).expect_err("out of order");
    assert!(
        error.to_string().contains("increasing index order"),
        "{error}"
    );
    // An entry claiming another id.
    let mut entries = p.entries().to_vec();
    entries[0].id = w.id("c3");
    assert!(LogProof::new(p.note().to_owned(), entries).is_err());
    // No entries.
    assert!(LogProof::new(p.note().to_owned(), Vec::new()).is_err());
    // Not a log proof at all.
    let error = LogProof::decode(&[0xa0]).expect_err("an empty map");
    assert_eq!(error.code(), "malformed_proof");
}
