//! Property tests: encoding round trips, and hostile bytes never panic.

mod common;

use baraza_protocol::kinds::{Comment, Endorsement, Stance};
use baraza_protocol::{verify_batch, Body, Keypair, ObjectId, SignedObject, UnverifiedObject};
use proptest::prelude::*;

fn slug() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}"
}

fn free_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_filter("no controls", |c| !c.is_control()),
            Just('\n')
        ],
        1..max,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>())
    .prop_filter("not blank", |s| !s.is_empty())
}

fn timestamp() -> impl Strategy<Value = u64> {
    baraza_protocol::limits::MIN_TIMESTAMP_MS..baraza_protocol::limits::MAX_TIMESTAMP_MS
}

fn id() -> impl Strategy<Value = ObjectId> {
    any::<[u8; 32]>().prop_map(ObjectId)
}

fn comment() -> impl Strategy<Value = Body> {
    (
        timestamp(),
        id(),
        slug(),
        proptest::option::of(id()),
        proptest::option::of(id()),
        prop_oneof![Just("en"), Just("fr"), Just("es-419"), Just("ar")],
        free_text(400),
    )
        .prop_map(
            |(created_at, charter, section, draft, in_reply_to, language, text)| {
                Body::Comment(Comment {
                    created_at,
                    charter,
                    section,
                    anchor: draft.map(|_| "p1".to_owned()),
                    draft,
                    in_reply_to,
                    language: language.into(),
                    text,
                })
            },
        )
}

fn endorsement() -> impl Strategy<Value = Body> {
    (
        timestamp(),
        id(),
        any::<bool>(),
        proptest::option::of(free_text(200)),
        proptest::option::of("[A-Za-z ]{1,40}"),
    )
        .prop_map(|(created_at, target, support, statement, on_behalf_of)| {
            Body::Endorsement(Endorsement {
                created_at,
                target,
                stance: if support {
                    Stance::Support
                } else {
                    Stance::Object
                },
                statement,
                on_behalf_of: on_behalf_of.filter(|s| !s.is_empty()),
            })
        })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![comment(), endorsement()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_decode_is_identity(body in body(), seed in any::<[u8; 32]>()) {
        let key = Keypair::from_seed(&seed);
        let object = SignedObject::sign(body.clone(), &key).expect("generated bodies are valid");
        let decoded = SignedObject::decode(object.bytes()).expect("own encoding decodes");
        prop_assert_eq!(decoded.body(), &body);
        prop_assert_eq!(decoded.bytes(), object.bytes());
        prop_assert_eq!(decoded.id(), object.id());
        prop_assert_eq!(decoded.author(), key.public());
        // JSON form round-trips to the same body, hence the same bytes.
        let again = Body::from_json(body.kind(), body.to_json()).expect("JSON form parses");
        prop_assert_eq!(again, body);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = SignedObject::decode(&bytes);
    }

    #[test]
    fn random_bytes_behind_a_valid_prefix_never_panic(cut in 0usize..400, tail in proptest::collection::vec(any::<u8>(), 0..256)) {
        let object = common::comment();
        let cut = cut.min(object.bytes().len());
        let bytes = [&object.bytes()[..cut], &tail[..]].concat();
        if let Ok(decoded) = SignedObject::decode(&bytes) {
            prop_assert_eq!(decoded.bytes(), object.bytes(), "only the original bytes may decode");
        }
    }

    #[test]
    fn any_single_byte_change_is_rejected_or_changes_the_id(index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let object = common::comment();
        let mut bytes = object.bytes().to_vec();
        let at = index.index(bytes.len());
        bytes[at] ^= xor;
        match SignedObject::decode(&bytes) {
            Err(_) => {}
            Ok(decoded) => prop_assert_ne!(decoded.id(), object.id()),
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn batch_and_single_verification_agree(flips in proptest::collection::vec(any::<bool>(), 1..40)) {
        // Objects whose signatures are broken (by re-labelling the signature
        // of a neighbour) where `flips` says so; batch must give each the
        // same verdict as single verification.
        let key = common::stakeholder();
        let charter = common::charter().id();
        let good: Vec<SignedObject> = (0..flips.len())
            .map(|i| {
                let mut body = common::comment_body(charter);
                body.text = format!("comment number {i}");
                SignedObject::sign(Body::Comment(body), &key).expect("valid")
            })
            .collect();
        let inputs: Vec<Vec<u8>> = good
            .iter()
            .zip(&flips)
            .enumerate()
            .map(|(i, (o, flip))| {
                let mut bytes = o.bytes().to_vec();
                if *flip {
                    let other = &good[(i + 1) % good.len()];
                    let n = bytes.len();
                    if other.id() != o.id() {
                        bytes[n - 64..].copy_from_slice(&other.bytes()[other.bytes().len() - 64..]);
                    }
                }
                bytes
            })
            .collect();
        let single: Vec<bool> = inputs.iter().map(|b| SignedObject::decode(b).is_ok()).collect();
        let parsed: Vec<UnverifiedObject> = inputs.iter().map(|b| UnverifiedObject::parse(b).expect("parses")).collect();
        let batch: Vec<bool> = verify_batch(parsed).iter().map(Result::is_ok).collect();
        prop_assert_eq!(&batch, &single);
        for (ok, flip) in single.iter().zip(&flips) {
            prop_assert_eq!(*ok, !*flip || flips.len() == 1);
        }
    }
}
