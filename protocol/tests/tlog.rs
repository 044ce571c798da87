//! The transparency log's formats and proofs (PROTOCOL.md §14): the tree
//! against a direct transcription of RFC 9162 §2.1, every proof of small
//! trees, receipts, checkpoints and cosignatures, hostile inputs, and the
//! known-answer vectors in `tests/vectors/tlog/vectors.json`.
//!
//! Regenerate the vectors after a deliberate format change with
//! `BARAZA_UPDATE_VECTORS=1 cargo test -p baraza-protocol --test tlog`.

use std::path::PathBuf;

use baraza_protocol::tlog::*;
use baraza_protocol::{Keypair, ObjectId};
use proptest::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A log held in memory, appended as an engine would.
type Log = MemoryLog;

fn log_of(n: u64) -> Log {
    let mut log = Log::new();
    (0..n).for_each(|i| log.append(leaf(i)).expect("append"));
    log
}

fn leaf(i: u64) -> LogLeaf {
    LogLeaf {
        id: ObjectId(Sha256::digest(format!("baraza tlog vector {i}")).into()),
        time_ms: 1_709_251_200_000 + i * 1000,
    }
}

/// RFC 9162 §2.1.1 MTH, written out directly.
fn mth(leaves: &[LogLeaf]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaves[0].to_bytes());
            h.finalize().into()
        }
        n => {
            let k = (n - 1).next_power_of_two().max(1);
            let k = if k >= n { k / 2 } else { k };
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(mth(&leaves[..k]));
            h.update(mth(&leaves[k..]));
            h.finalize().into()
        }
    }
}

#[test]
fn tree_hash_is_rfc9162_mth() {
    let log = log_of(70);
    for size in 0..=70u64 {
        let root = tree_hash(size, &log).expect("root");
        assert_eq!(root.0, mth(&log.leaves()[..size as usize]), "size {size}");
    }
}

#[test]
fn every_inclusion_proof_of_small_trees_verifies_and_tampering_fails() {
    let log = log_of(33);
    for size in 1..=33u64 {
        let root = tree_hash(size, &log).expect("root");
        for index in 0..size {
            let proof = inclusion_proof(index, size, &log).expect("proof");
            let hash = log.leaves()[index as usize].hash();
            verify_inclusion(hash, index, size, root, &proof).expect("verifies");
            // Another entry, index, size or root: refused.
            let other = leaf(1000).hash();
            assert!(verify_inclusion(other, index, size, root, &proof).is_err());
            if size > 1 {
                let wrong = (index + 1) % size;
                assert!(verify_inclusion(hash, wrong, size, root, &proof).is_err());
            }
            // (The same hashes can prove the entry in a tree of another
            // size with the same root: the size is bound by the signed
            // checkpoint, not by the proof. RFC 9162 §2.1.3.2 agrees.)
            assert!(
                verify_inclusion(
                    hash,
                    index,
                    size,
                    root,
                    &proof[..proof.len().saturating_sub(1)]
                )
                .is_err()
                    || proof.is_empty()
            );
            if let Some(first) = proof.first() {
                let mut bent = proof.clone();
                bent[0].0[0] ^= 1;
                assert!(verify_inclusion(hash, index, size, root, &bent).is_err());
                assert!(verify_inclusion(hash, index, size, *first, &proof).is_err());
            }
        }
    }
}

#[test]
fn every_consistency_proof_of_small_trees_verifies_and_tampering_fails() {
    let log = log_of(33);
    let roots: Vec<Hash> = (0..=33)
        .map(|n| tree_hash(n, &log).expect("root"))
        .collect();
    for new in 0..=33u64 {
        for old in 0..=new {
            let proof = consistency_proof(old, new, &log).expect("proof");
            let (o, n) = (roots[old as usize], roots[new as usize]);
            verify_consistency(old, o, new, n, &proof).expect("verifies");
            if old > 0 && old < new {
                assert!(
                    verify_consistency(old, n, new, n, &proof).is_err(),
                    "{old}->{new}"
                );
                assert!(
                    verify_consistency(old, o, new, o, &proof).is_err(),
                    "{old}->{new}"
                );
                let mut bent = proof.clone();
                bent[0].0[31] ^= 0x80;
                assert!(verify_consistency(old, o, new, n, &bent).is_err());
            }
        }
    }
    assert!(matches!(
        verify_consistency(5, roots[5], 4, roots[4], &[]),
        Err(LogError::OutOfRange { .. })
    ));
    assert!(matches!(
        verify_consistency(2, roots[2], 4, roots[4], &vec![roots[1]; 129]),
        Err(LogError::ProofTooLong { .. })
    ));
}

#[test]
fn a_proof_over_missing_hashes_is_a_storage_error() {
    let log = log_of(10);
    // A store that lost its hashes past the third.
    struct Short<'a>(&'a Log);
    impl StoredHashes for Short<'_> {
        fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
            match indexes.iter().find(|i| **i >= 3) {
                Some(i) => Err(format!("no hash {i}")),
                None => self.0.read(indexes),
            }
        }
    }
    assert!(matches!(
        tree_hash(10, &Short(&log)),
        Err(LogError::Storage(_))
    ));
    assert!(matches!(log.root(11), Err(LogError::OutOfRange { .. })));
    assert!(inclusion_proof(3, 10, &log).is_ok());
    assert!(matches!(
        inclusion_proof(10, 10, &log),
        Err(LogError::OutOfRange { .. })
    ));
}

fn node() -> Keypair {
    Keypair::from_seed(&[7; 32])
}

#[test]
fn receipts_round_trip_and_refuse_every_change() {
    let key = node();
    let receipt = Receipt::new(&key.public(), 41, leaf(41));
    let note = receipt.sign(&key);
    assert_eq!(Receipt::verify(&note).expect("verifies"), receipt);
    assert_eq!(receipt.node().expect("key"), key.public());

    let text = String::from_utf8(note.clone()).expect("utf-8");
    // Change any one digit of the text: the signature no longer holds.
    for (from, to) in [("index 41", "index 42"), ("time 1709", "time 1708")] {
        let bent = text.replacen(from, to, 1);
        assert_eq!(
            Receipt::verify(bent.as_bytes()).map_err(|e| e.code()),
            Err("bad_signature")
        );
    }
    // Signed by another key than the origin names.
    let other = Keypair::from_seed(&[8; 32]);
    let forged = Receipt::new(&key.public(), 41, leaf(41)).sign(&other);
    assert_eq!(
        Receipt::verify(&forged).map_err(|e| e.code()),
        Err("not_signed")
    );
    // Malformed texts, each refused with a reason.
    for bad in [
        "baraza/receipt/v2\n",
        "baraza/receipt/v1\norigin x\nindex 1\nobject 00\ntime 1\n",
        "baraza/receipt/v1\norigin baraza/log/did:key:z6Mk\nindex 1\nobject 00\ntime 1\n",
    ] {
        let note = [bad.as_bytes(), b"\n\xe2\x80\x94 x AAAAAAA=\n"].concat();
        let err = Receipt::verify(&note).expect_err(bad);
        assert!(
            matches!(
                err.code(),
                "malformed_receipt" | "bad_origin" | "malformed_note"
            ),
            "{bad}: {err}"
        );
    }
    let leading_zero = text.replacen("index 41", "index 041", 1);
    assert!(Receipt::verify(leading_zero.as_bytes()).is_err());
    assert_eq!(
        Receipt::verify(&vec![b'a'; MAX_NOTE_BYTES + 1]).map_err(|e| e.code()),
        Err("note_too_large")
    );
}

#[test]
fn checkpoints_carry_verified_cosignatures() {
    let key = node();
    let log = log_of(13);
    let root = tree_hash(13, &log).expect("root");
    let mut signed = SignedCheckpoint::sign(&key, 13, root);
    let note = signed.to_note();
    let back = SignedCheckpoint::verify(&note).expect("verifies");
    assert_eq!(back, signed);
    assert!(back.cosignatures.is_empty());
    assert_eq!(back.checkpoint.log_key().expect("key"), key.public());

    let (w1, w2) = (Keypair::from_seed(&[8; 32]), Keypair::from_seed(&[9; 32]));
    let c1 = signed.cosign(&w1, 1_709_251_260);
    let c2 = signed.cosign(&w2, 1_709_251_261);
    assert!(c1.verifies(&signed.checkpoint.text()));
    signed.add_cosignature(c1.clone());
    signed.add_cosignature(c2.clone());
    let back = SignedCheckpoint::verify(&signed.to_note()).expect("verifies");
    assert_eq!(back.cosignatures, vec![c1.clone(), c2]);

    // A cosignature of another checkpoint: the note is refused, naming it.
    let other = SignedCheckpoint::sign(&key, 12, tree_hash(12, &log).expect("root"));
    let mut mixed = signed.clone();
    mixed.add_cosignature(other.cosign(&w1, 1_709_251_262));
    let err = SignedCheckpoint::verify(&mixed.to_note()).expect_err("forged");
    assert_eq!(err, LogError::BadSignature(c1.witness.name.clone()));

    // A checkpoint signed by a key its origin does not name.
    let stranger = SignedCheckpoint::sign(&w1, 13, root);
    let text = String::from_utf8(stranger.to_note()).expect("utf-8");
    let renamed = text.replace(&origin_of(&w1.public()), &origin_of(&key.public()));
    assert!(SignedCheckpoint::verify(renamed.as_bytes()).is_err());
}

#[test]
fn checkpoint_texts_are_parsed_strictly() {
    let key = node();
    let origin = origin_of(&key.public());
    let root = EMPTY_HASH.to_string();
    for bad in [
        format!("{origin}\n013\n{root}\n"),
        format!("{origin}\n13\n{root}\nextension\n"),
        format!("{origin}\n13\n{root}"),
        format!("example.com/log\n13\n{root}\n"),
        format!("{origin}\n-1\n{root}\n"),
        format!("{origin}\n13\nAAAA\n"),
    ] {
        assert!(Checkpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    let good = format!("{origin}\n13\n{root}\n");
    assert_eq!(Checkpoint::parse(good.as_bytes()).expect("parses").size, 13);
}

/// A log whose entry `k` (if any) is rewritten: what a fork looks like.
fn forked(n: u64, k: u64) -> Log {
    let mut log = Log::new();
    for i in 0..n {
        let mut l = leaf(i);
        if i == k {
            l.time_ms += 1;
        }
        log.append(l).expect("append");
    }
    log
}

fn request(log: &Log, key: &Keypair, old: u64, size: u64) -> WitnessRequest {
    let signed = SignedCheckpoint::sign(key, size, tree_hash(size, log).expect("root"));
    WitnessRequest {
        checkpoint: String::from_utf8(signed.to_note()).expect("utf-8"),
        old_size: old,
        old_root: (old > 0).then(|| hash_hex(&tree_hash(old, log).expect("root"))),
        proof: consistency_proof(old, size, log)
            .expect("proof")
            .iter()
            .map(hash_hex)
            .collect(),
    }
}

fn cosigned(decision: Decision) -> Witnessed {
    match decision {
        Decision::Cosign { state, .. } => state,
        other => panic!("expected a cosignature, got {other:?}"),
    }
}

#[test]
fn a_witness_cosigns_an_honest_log_and_tracks_its_size() {
    let (key, witness) = (node(), Keypair::from_seed(&[8; 32]));
    let log = log_of(20);
    let first = decide(&request(&log, &key, 0, 10), None, &witness, 1_000);
    let line = match &first {
        Decision::Cosign { line, .. } => line.clone(),
        other => panic!("{other:?}"),
    };
    let signed = SignedCheckpoint::verify(request(&log, &key, 0, 10).checkpoint.as_bytes())
        .expect("verifies");
    let c = check_cosignature(&line, &signed, &witness.public()).expect("the line checks");
    assert_eq!(c.time_secs, 1_000);
    assert!(
        check_cosignature(&line, &signed, &key.public()).is_err(),
        "not the log's key"
    );
    let state = cosigned(first);
    assert_eq!(state.size, 10);
    // The log thinks the witness is at 0: the witness says where it is.
    assert_eq!(
        decide(&request(&log, &key, 0, 20), Some(&state), &witness, 1_001),
        Decision::Conflict { size: 10 }
    );
    let next = cosigned(decide(
        &request(&log, &key, 10, 20),
        Some(&state),
        &witness,
        1_002,
    ));
    assert_eq!(next.size, 20);
    // Again at the same size: a fresh cosignature, same memory.
    assert_eq!(
        cosigned(decide(
            &request(&log, &key, 20, 20),
            Some(&next),
            &witness,
            1_003
        )),
        next
    );
    // Older than what it cosigned.
    let mut older = request(&log, &key, 0, 15);
    older.old_size = 20;
    let stale = decide(&older, Some(&next), &witness, 1_004);
    assert!(
        matches!(stale, Decision::Refuse { error: "stale", .. }),
        "{stale:?}"
    );
    // Not a checkpoint at all.
    let mut bad = request(&log, &key, 0, 5);
    bad.checkpoint = "hello\n".into();
    assert!(matches!(
        decide(&bad, None, &witness, 1),
        Decision::Refuse {
            error: "bad_checkpoint",
            ..
        }
    ));
}

#[test]
fn a_forked_log_hands_its_witness_evidence_anyone_can_check() {
    let (key, witness) = (node(), Keypair::from_seed(&[8; 32]));
    let honest = log_of(10);
    let state = cosigned(decide(&request(&honest, &key, 0, 10), None, &witness, 1));
    // Entry 3 rewritten, then the log grows to 15 and asks again, proving
    // its new tree against its own (forked) tree at 10.
    let fork = forked(15, 3);
    let evidence = match decide(&request(&fork, &key, 10, 15), Some(&state), &witness, 2) {
        Decision::Equivocation { evidence } => evidence,
        other => panic!("expected evidence, got {other:?}"),
    };
    let shown = evidence.verify().expect("the evidence checks on its own");
    assert_eq!((shown.node, shown.sizes), (key.public(), (10, 15)));
    // Claiming the honest root with the forked proof: refused, no evidence.
    let mut lying = request(&fork, &key, 10, 15);
    lying.old_root = Some(state.root.clone());
    assert!(matches!(
        decide(&lying, Some(&state), &witness, 3),
        Decision::Refuse {
            error: "not_consistent",
            ..
        }
    ));
    // Evidence bent to accuse an honest log does not check.
    let mut bent = evidence.clone();
    bent.root = state.root.clone();
    assert!(bent.verify().is_err());
    let mut swapped = evidence.clone();
    swapped.later = request(&honest, &key, 0, 10).checkpoint;
    assert!(swapped.verify().is_err());
    // A checkpoint of the empty tree against any other is no evidence.
    let empty = SignedCheckpoint::sign(&key, 0, EMPTY_HASH);
    let forged = Evidence {
        earlier: String::from_utf8(empty.to_note()).expect("utf-8"),
        later: evidence.later.clone(),
        root: hash_hex(&tree_hash(15, &fork).expect("root")),
        proof: Vec::new(),
    };
    assert!(forged.verify().is_err(), "size-0 evidence must not check");
    // Same size, another root: evidence with an empty proof.
    let other = forked(10, 3);
    let same = match decide(&request(&other, &key, 10, 10), Some(&state), &witness, 4) {
        Decision::Equivocation { evidence } => evidence,
        d => panic!("{d:?}"),
    };
    assert!(same.proof.is_empty());
    assert_eq!(same.verify().expect("checks").sizes, (10, 10));
}

proptest! {
    #[test]
    fn hostile_notes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Receipt::verify(&bytes);
        let _ = SignedCheckpoint::verify(&bytes);
    }

    #[test]
    fn hostile_proofs_never_panic_or_pass(
        index in any::<u64>(), size in any::<u64>(), old in any::<u64>(),
        hashes in proptest::collection::vec(any::<[u8; 32]>(), 0..70),
    ) {
        let proof: Vec<Hash> = hashes.into_iter().map(Hash).collect();
        let leaf = leaf(0).hash();
        prop_assert!(verify_inclusion(leaf, index, size, EMPTY_HASH, &proof).is_err());
        prop_assert!(verify_consistency(old, leaf, size, EMPTY_HASH, &proof).is_err() || old == 0 || old == size);
    }
}

// ---------------------------------------------------------------- vectors --

fn vectors_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/tlog/vectors.json")
}

fn hx(hash: &Hash) -> String {
    hex::encode(hash.0)
}

fn generate() -> Value {
    let log = log_of(13);
    let leaves: Vec<Value> = log
        .leaves()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"index": i, "id": l.id.to_string(), "time_ms": l.time_ms,
                   "bytes": hex::encode(l.to_bytes()), "hash": hx(&l.hash())})
        })
        .collect();
    let roots: Vec<Value> = (0..=13u64)
        .map(|n| json!({"size": n, "root": hx(&tree_hash(n, &log).expect("root"))}))
        .collect();
    let inclusion: Vec<Value> = [(0, 1), (0, 8), (5, 8), (6, 7), (12, 13), (8, 13)]
        .iter()
        .map(|&(i, n)| {
            let proof = inclusion_proof(i, n, &log).expect("proof");
            json!({"index": i, "size": n, "proof": proof.iter().map(hx).collect::<Vec<_>>()})
        })
        .collect();
    let consistency: Vec<Value> = [(1, 1), (1, 8), (3, 7), (4, 8), (6, 8), (7, 13), (12, 13)]
        .iter()
        .map(|&(o, n)| {
            let proof = consistency_proof(o, n, &log).expect("proof");
            json!({"old": o, "new": n, "proof": proof.iter().map(hx).collect::<Vec<_>>()})
        })
        .collect();
    let key = node();
    let receipt = Receipt::new(&key.public(), 12, log.leaves()[12]);
    let root = tree_hash(13, &log).expect("root");
    let mut checkpoint = SignedCheckpoint::sign(&key, 13, root);
    let plain_note = checkpoint.to_note();
    let witnesses = [
        (Keypair::from_seed(&[8; 32]), 1_709_251_260u64),
        (Keypair::from_seed(&[9; 32]), 1_709_251_261),
    ];
    let mut cosigners = Vec::new();
    for (w, t) in &witnesses {
        let c = checkpoint.cosign(w, *t);
        cosigners.push(
            json!({"seed": hex::encode([w.secret_seed()[0]; 32]), "name": c.witness.name,
            "key_id": format!("{:08x}", c.witness.key_id()), "time": t,
            "signature": hex::encode(c.signature)}),
        );
        checkpoint.add_cosignature(c);
    }
    // Witnessing: the honest log of 13 is cosigned at 10 by witness [8; 32];
    // the same log forked at entry 3 then asks from 10 to 13.
    let witness = Keypair::from_seed(&[8; 32]);
    let first = request(&log, &key, 0, 10);
    let state = cosigned(decide(&first, None, &witness, 1_709_251_300));
    let fork = forked(13, 3);
    let asked = request(&fork, &key, 10, 13);
    let evidence = match decide(&asked, Some(&state), &witness, 1_709_251_301) {
        Decision::Equivocation { evidence } => evidence,
        other => panic!("expected evidence, got {other:?}"),
    };
    let first_response = decide(&first, None, &witness, 1_709_251_300).response();
    let log_proof = log_proof_of(&log, &checkpoint, &[8, 12]);
    json!({
        "witness": {
            "seed": hex::encode([8u8; 32]),
            "first_request": serde_json::to_value(&first).expect("json"),
            "first_time": 1_709_251_300u64,
            "first_response": serde_json::to_value(&first_response).expect("json"),
            "remembered": serde_json::to_value(&state).expect("json"),
            "forked_request": serde_json::to_value(&asked).expect("json"),
            "forked_response": serde_json::to_value(decide(&asked, Some(&state), &witness, 1_709_251_301).response()).expect("json"),
            "evidence": serde_json::to_value(&evidence).expect("json"),
        },
        "description": "Known answers for PROTOCOL.md §14 (the transparency log). Leaves are entry bytes id || time_ms (u64 BE); hashes are RFC 9162 (leaf: SHA-256(0x00 || bytes), node: SHA-256(0x01 || left || right)); proofs list hashes as RFC 9162 / tlog orders them. The notes are C2SP signed notes, byte for byte (Ed25519 is deterministic).",
        "leaves": leaves,
        "roots": roots,
        "inclusion": inclusion,
        "consistency": consistency,
        "log": {
            "seed": hex::encode([7u8; 32]),
            "origin": origin_of(&key.public()),
            "verifier_key": log_verifier_key(&origin_of(&key.public()), &key.public()),
        },
        "receipt": {"text": String::from_utf8(receipt.text()).expect("utf-8"),
                    "note": String::from_utf8(receipt.sign(&key)).expect("utf-8")},
        "checkpoint": {"note": String::from_utf8(plain_note).expect("utf-8"),
                       "cosigners": cosigners,
                       "cosigned_note": String::from_utf8(checkpoint.to_note()).expect("utf-8")},
        "log_proof": {"entries": [8, 12], "cbor": hex::encode(log_proof.encode())},
    })
}

/// The log proof of entries `indexes` into `checkpoint` (a tree of `log`).
fn log_proof_of(log: &Log, checkpoint: &SignedCheckpoint, indexes: &[u64]) -> LogProof {
    let size = checkpoint.checkpoint.size;
    let entries = indexes
        .iter()
        .map(|&i| {
            let path = inclusion_proof(i, size, log).expect("proof");
            ProvedEntry::new(i, log.leaves()[i as usize], path)
        })
        .collect();
    LogProof::of_checkpoint(checkpoint.clone(), entries).expect("a valid log proof")
}

#[test]
fn vectors_match_the_code() {
    let generated = generate();
    let path = vectors_file();
    if std::env::var_os("BARAZA_UPDATE_VECTORS").is_some() {
        let text = serde_json::to_string_pretty(&generated).expect("json") + "\n";
        std::fs::write(&path, text).expect("write vectors");
    }
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .expect("tests/vectors/tlog/vectors.json (regenerate with BARAZA_UPDATE_VECTORS=1)"),
    )
    .expect("vectors are JSON");
    assert_eq!(
        stored, generated,
        "regenerate with BARAZA_UPDATE_VECTORS=1 after a deliberate change"
    );

    // And the stored notes verify as an independent reader would take them.
    let note = stored["checkpoint"]["cosigned_note"]
        .as_str()
        .expect("note");
    let signed = SignedCheckpoint::verify(note.as_bytes()).expect("verifies");
    assert_eq!(signed.cosignatures.len(), 2);
    assert_eq!(signed.checkpoint.size, 13);
    let receipt = Receipt::verify(stored["receipt"]["note"].as_str().expect("note").as_bytes())
        .expect("verifies");
    let proof: Vec<Hash> = stored["inclusion"][4]["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(|h| {
            let mut out = [0u8; 32];
            hex::decode_to_slice(h.as_str().expect("hex"), &mut out).expect("hex");
            Hash(out)
        })
        .collect();
    verify_inclusion(
        receipt.leaf.hash(),
        receipt.index,
        13,
        signed.checkpoint.root,
        &proof,
    )
    .expect("the receipt's entry is in the cosigned checkpoint");

    // The log proof decodes, verifies and re-encodes to the same bytes.
    let cbor = hex::decode(stored["log_proof"]["cbor"].as_str().expect("hex")).expect("hex");
    let proof = LogProof::decode(&cbor).expect("the stored log proof verifies");
    assert_eq!(proof.encode(), cbor);
    assert_eq!(proof.checkpoint().cosignatures.len(), 2);
    let indexes: Vec<u64> = proof.entries().iter().map(|e| e.index).collect();
    assert_eq!(indexes, vec![8, 12]);
    assert_eq!(proof.entries()[1].leaf(), receipt.leaf);
}
