//! Signing vectors for other encoders, chiefly the browser's (the node's
//! pages build and sign objects in JavaScript, `node/src/web/assets/`).
//!
//! `tests/vectors/web/signing.json` lists cases, each with the signer's seed,
//! the body in its JSON form (PROTOCOL.md §9) and every intermediate the
//! signer produces: the protected header, the payload (the body's
//! deterministic CBOR), the `Sig_structure`, the complete object and its id.
//! Ed25519 signing is deterministic, so an encoder that is right reproduces
//! every byte. The cases cover each kind and the encoding's edges: map keys
//! of every length class, text and byte strings whose lengths need one, two
//! and four extra bytes, multi-byte UTF-8, integers in every width, and
//! optional fields both present and absent.
//!
//! The file is checked against what the code generates; regenerate after a
//! deliberate format change with
//! `BARAZA_UPDATE_VECTORS=1 cargo test -p baraza-protocol --test web_vectors`.

mod common;

use std::fs;
use std::path::PathBuf;

use baraza_protocol::cose::protected_header_bytes;
use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, SignedObject};
use common::{DAY, FEB_2024};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn vectors_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/web/signing.json")
}

/// The cases beyond the one-per-kind samples: what the browser writes, at
/// the encoding's edges.
fn edge_cases() -> Vec<(&'static str, Body, Keypair)> {
    let charter = common::charter().id();
    let comment = common::comment().id();
    let draft = SignedObject::sign(
        Body::Draft(common::draft_body(charter, comment)),
        &common::editor(),
    )
    .expect("sample draft is valid");
    let browser = || Keypair::from_seed(&[9; 32]);
    let comment_with = |text: String, language: &str| Comment {
        text,
        language: language.into(),
        ..common::comment_body(charter)
    };
    vec![
        (
            "web-profile-minimal",
            Body::Profile(Profile {
                created_at: FEB_2024,
                name: "Ama".into(),
                group: StakeholderGroup::Youth,
                organisation: None,
                country: None,
                languages: vec![],
            }),
            browser(),
        ),
        (
            "web-profile-other-group",
            Body::Profile(Profile {
                created_at: FEB_2024 + 1,
                name: "Nguyễn Thị Lan — Hội đồng".into(),
                group: StakeholderGroup::Other("Internet users' association".into()),
                organisation: Some("Hiệp hội Internet Việt Nam".into()),
                country: Some("VN".into()),
                languages: vec!["vi".into(), "en".into(), "zh-Hant".into()],
            }),
            browser(),
        ),
        (
            "web-comment-short-text",
            Body::Comment(comment_with("Yes.".into(), "en")),
            browser(),
        ),
        (
            // 23 bytes: the longest text whose length fits the initial byte.
            "web-comment-23-bytes",
            Body::Comment(comment_with("a".repeat(23), "en")),
            browser(),
        ),
        (
            "web-comment-24-bytes",
            Body::Comment(comment_with("b".repeat(24), "en")),
            browser(),
        ),
        (
            "web-comment-256-bytes-multibyte",
            Body::Comment(comment_with("é".repeat(128), "fr")),
            browser(),
        ),
        (
            "web-comment-16-kb-arabic",
            Body::Comment(comment_with(
                "مرحبا بالإنترنت الذي نريده. ".repeat(16384 / 52),
                "ar",
            )),
            browser(),
        ),
        (
            "web-comment-paragraph-reply",
            Body::Comment(Comment {
                draft: Some(draft.id()),
                anchor: Some("p1".into()),
                in_reply_to: Some(comment),
                text: "Line one.\nLine two,\ttabbed.\r\n\n你好，世界".into(),
                language: "zh-Hans".into(),
                ..common::comment_body(charter)
            }),
            browser(),
        ),
        (
            "web-endorsement-support-full",
            Body::Endorsement(Endorsement {
                created_at: FEB_2024 + 2 * DAY,
                target: draft.id(),
                stance: Stance::Support,
                statement: Some("We support this draft.".into()),
                on_behalf_of: Some("Kenya IGF".into()),
            }),
            browser(),
        ),
        (
            "web-endorsement-object-bare",
            Body::Endorsement(Endorsement {
                created_at: FEB_2024 + 3 * DAY,
                target: comment,
                stance: Stance::Object,
                statement: None,
                on_behalf_of: None,
            }),
            browser(),
        ),
        (
            "web-retraction",
            Body::Retraction(Retraction {
                created_at: FEB_2024 + 4 * DAY,
                target: comment,
                reason: "Posted in the wrong section.".into(),
            }),
            browser(),
        ),
        (
            // Smallest timestamp the protocol allows (2020-01-01).
            "web-retraction-early-timestamp",
            Body::Retraction(Retraction {
                created_at: 1_577_836_800_000,
                target: comment,
                reason: "x".into(),
            }),
            browser(),
        ),
        (
            // A long draft: its text needs a four-byte length.
            "web-draft-long-text",
            Body::Draft(Draft {
                text: "The Internet should remain whole and open. {#p1}\n\n".repeat(1400),
                ..common::draft_body(charter, comment)
            }),
            common::editor(),
        ),
    ]
}

fn case(name: &str, body: Body, key: &Keypair) -> Value {
    let object = SignedObject::sign(body, key).unwrap_or_else(|e| panic!("{name}: {e}"));
    let protected = protected_header_bytes(object.kind(), &object.author());
    let payload = object.body().to_payload();
    let mut sig_structure = vec![0x84, 0x6a];
    sig_structure.extend_from_slice(b"Signature1");
    push_bstr(&mut sig_structure, &protected);
    sig_structure.push(0x40);
    push_bstr(&mut sig_structure, &payload);
    let id = hex::encode(Sha256::digest(object.bytes()));
    assert_eq!(id, object.id().to_string(), "{name}: id is SHA-256");
    json!({
        "name": name,
        "seed": hex::encode(*key.secret_seed()),
        "kind": object.kind().as_str(),
        "author": object.author().to_did(),
        "body": object.to_json()["body"],
        "protected": hex::encode(&protected),
        "payload": hex::encode(&payload),
        "sig_structure": hex::encode(&sig_structure),
        "object": hex::encode(object.bytes()),
        "id": id,
    })
}

/// A byte string's head and bytes (the lengths these cases need).
fn push_bstr(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    match n {
        0..=23 => out.push(0x40 | n as u8),
        24..=0xff => out.extend_from_slice(&[0x58, n as u8]),
        0x100..=0xffff => {
            out.push(0x59);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0x5a);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
}

fn generated() -> Value {
    let cases: Vec<Value> = common::sample_bodies()
        .into_iter()
        .chain(edge_cases())
        .map(|(name, body, key)| case(name, body, &key))
        .collect();
    json!({
        "description": "Signing vectors: seed + JSON body -> protected header, payload, \
            Sig_structure, object and id (docs/PROTOCOL.md §10). Regenerate with \
            BARAZA_UPDATE_VECTORS=1 cargo test -p baraza-protocol --test web_vectors.",
        "cases": cases,
    })
}

#[test]
fn web_signing_vectors_on_disk_equal_the_generated_ones() {
    let path = vectors_file();
    let text = serde_json::to_string_pretty(&generated()).expect("json") + "\n";
    if std::env::var_os("BARAZA_UPDATE_VECTORS").is_some() {
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create dir");
        fs::write(&path, &text).expect("write vectors");
    }
    let on_disk = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with BARAZA_UPDATE_VECTORS=1)",
            path.display()
        )
    });
    assert!(
        on_disk == text,
        "{} differs from what the code generates",
        path.display()
    );
}

#[test]
fn every_web_vector_decodes_to_its_json_and_covers_the_edges() {
    let file: Value =
        serde_json::from_str(&fs::read_to_string(vectors_file()).expect("vectors exist"))
            .expect("vectors parse");
    let cases = file["cases"].as_array().expect("cases");
    let mut kinds = std::collections::BTreeSet::new();
    let mut max_payload = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let bytes = hex::decode(case["object"].as_str().expect("object")).expect("hex");
        let object = SignedObject::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(object.to_json()["body"], case["body"], "{name}");
        assert_eq!(object.id().to_string(), case["id"], "{name}");
        let seed: [u8; 32] = hex::decode(case["seed"].as_str().expect("seed"))
            .expect("hex")
            .try_into()
            .expect("32 bytes");
        assert_eq!(
            Keypair::from_seed(&seed).public(),
            object.author(),
            "{name}"
        );
        kinds.insert(object.kind());
        max_payload = max_payload.max(case["payload"].as_str().expect("payload").len() / 2);
    }
    assert_eq!(kinds.len(), baraza_protocol::KINDS.len(), "every kind");
    assert!(max_payload > 0xffff, "a payload needs a four-byte length");
}
