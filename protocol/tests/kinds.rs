//! Structural rules of each kind: one valid sample per kind signs and
//! decodes, and each rule rejects what it should, with its own error.

mod common;

use baraza_protocol::kinds::*;
use baraza_protocol::{Body, ObjectError, SignedObject};
use common::*;

/// Signs `body` with the stakeholder key and returns the validation error code.
fn rejection(body: Body) -> String {
    match SignedObject::sign(body, &stakeholder()) {
        Ok(_) => "accepted".into(),
        Err(ObjectError::Invalid { source, .. }) => source.code().into(),
        Err(other) => format!("unexpected: {other}"),
    }
}

#[test]
fn every_sample_signs_decodes_and_keeps_its_kind() {
    let samples = sample_bodies();
    let kinds: std::collections::BTreeSet<Kind> =
        samples.iter().map(|(_, b, _)| b.kind()).collect();
    assert_eq!(kinds.len(), baraza_protocol::KINDS.len());
    for (name, body, key) in samples {
        let object =
            SignedObject::sign(body.clone(), &key).unwrap_or_else(|e| panic!("{name}: {e}"));
        let decoded =
            SignedObject::decode(object.bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.kind(), body.kind(), "{name}");
        assert_eq!(decoded.body(), &body, "{name}");
        assert_eq!(decoded.author(), key.public(), "{name}");
    }
}

#[test]
fn charter_rules() {
    let base = charter_body();
    let with = |f: &dyn Fn(&mut Charter)| {
        let mut c = base.clone();
        f(&mut c);
        rejection(Body::Charter(c))
    };
    assert_eq!(with(&|_| {}), "accepted");
    assert_eq!(with(&|c| c.sections.clear()), "bad_count");
    assert_eq!(
        with(&|c| c.sections[1].slug = c.sections[0].slug.clone()),
        "duplicate_item"
    );
    assert_eq!(
        with(&|c| c.sections[0].slug = "Whole_Open".into()),
        "bad_slug"
    );
    assert_eq!(
        with(&|c| c.phases[0].closes = c.phases[0].opens),
        "out_of_order"
    );
    assert_eq!(with(&|c| c.phases.swap(0, 1)), "out_of_order");
    assert_eq!(
        with(&|c| c.phases[0].accepts = vec![Kind::Comment, Kind::Comment]),
        "duplicate_item"
    );
    assert_eq!(with(&|c| c.threshold = 0), "inconsistent_fields");
    assert_eq!(with(&|c| c.threshold = 2), "inconsistent_fields");
    assert_eq!(with(&|c| c.stewards.push(c.stewards[0])), "duplicate_item");
    assert_eq!(with(&|c| c.policy.min_regions = 6), "inconsistent_fields");
    assert_eq!(with(&|c| c.witness_quorum = Some(0)), "inconsistent_fields");
    assert_eq!(
        with(&|c| c.witness_quorum = Some(65)),
        "inconsistent_fields"
    );
    assert_eq!(with(&|c| c.witness_quorum = Some(64)), "accepted");
    assert_eq!(
        with(&|c| c.languages = vec!["English".into()]),
        "bad_language"
    );
    assert_eq!(with(&|c| c.title = "a\nb".into()), "control_character");
    assert_eq!(with(&|c| c.title = "x".repeat(257)), "text_too_long");
}

#[test]
fn profile_and_attestation_rules() {
    let profile = || Profile {
        created_at: FEB_2024,
        name: "Ana".into(),
        group: StakeholderGroup::Other("faith communities".into()),
        organisation: None,
        country: Some("BR".into()),
        languages: vec!["pt-BR".into()],
    };
    assert_eq!(rejection(Body::Profile(profile())), "accepted");
    assert_eq!(
        rejection(Body::Profile(Profile {
            country: Some("Brazil".into()),
            ..profile()
        })),
        "bad_country"
    );
    assert_eq!(
        rejection(Body::Profile(Profile {
            name: String::new(),
            ..profile()
        })),
        "empty_text"
    );

    let att = || Attestation {
        created_at: FEB_2024,
        charter: charter().id(),
        subject: editor().public(),
        role: Role::Editor,
        section: Some("whole-and-open".into()),
        group: None,
        organisation: None,
        country: None,
        region: None,
        expires_at: FEB_2024 + DAY,
    };
    assert_eq!(rejection(Body::Attestation(att())), "accepted");
    assert_eq!(
        rejection(Body::Attestation(Attestation {
            section: None,
            ..att()
        })),
        "inconsistent_fields"
    );
    assert_eq!(
        rejection(Body::Attestation(Attestation {
            role: Role::Nri,
            ..att()
        })),
        "inconsistent_fields"
    );
    assert_eq!(
        rejection(Body::Attestation(Attestation {
            role: Role::Stakeholder,
            section: None,
            region: Some(Region::African),
            ..att()
        })),
        "inconsistent_fields",
        "a stakeholder attestation needs a group"
    );
    let witness = || Attestation {
        role: Role::Witness,
        section: None,
        ..att()
    };
    assert_eq!(rejection(Body::Attestation(witness())), "accepted");
    assert_eq!(
        rejection(Body::Attestation(Attestation {
            group: Some(StakeholderGroup::Academia),
            ..witness()
        })),
        "inconsistent_fields",
        "a witness attestation has no group"
    );
    assert_eq!(
        rejection(Body::Attestation(Attestation {
            expires_at: FEB_2024,
            ..att()
        })),
        "out_of_order"
    );
}

#[test]
fn comment_endorsement_retraction_revocation_rules() {
    let c = || comment_body(charter().id());
    assert_eq!(
        rejection(Body::Comment(Comment {
            text: "x".repeat(16 * 1024 + 1),
            ..c()
        })),
        "text_too_long"
    );
    assert_eq!(
        rejection(Body::Comment(Comment {
            text: "a\u{7}b".into(),
            ..c()
        })),
        "control_character"
    );
    assert_eq!(
        rejection(Body::Comment(Comment {
            language: "EN".into(),
            ..c()
        })),
        "bad_language"
    );
    assert_eq!(
        rejection(Body::Comment(Comment {
            created_at: 0,
            ..c()
        })),
        "timestamp_out_of_range"
    );
    assert_eq!(
        rejection(Body::Comment(Comment {
            anchor: Some("p1".into()),
            ..c()
        })),
        "inconsistent_fields"
    );
    let e = || Endorsement {
        created_at: FEB_2024,
        target: charter().id(),
        stance: Stance::Object,
        statement: None,
        on_behalf_of: None,
    };
    assert_eq!(rejection(Body::Endorsement(e())), "accepted");
    assert_eq!(
        rejection(Body::Endorsement(Endorsement {
            statement: Some(String::new()),
            ..e()
        })),
        "empty_text"
    );
    let r = Retraction {
        created_at: FEB_2024,
        target: charter().id(),
        reason: "x".repeat(2049),
    };
    assert_eq!(rejection(Body::Retraction(r)), "text_too_long");
    let v = Revocation {
        created_at: FEB_2024,
        key: stakeholder().public(),
        effective_from: 5,
        reason: "lost".into(),
    };
    assert_eq!(rejection(Body::Revocation(v)), "timestamp_out_of_range");
}

#[test]
fn draft_and_release_rules() {
    let d = || draft_body(charter().id(), comment().id());
    let with = |f: &dyn Fn(&mut Draft)| {
        let mut x = d();
        f(&mut x);
        rejection(Body::Draft(x))
    };
    assert_eq!(with(&|_| {}), "accepted");
    assert_eq!(with(&|x| x.version = 0), "inconsistent_fields");
    assert_eq!(with(&|x| x.version = 2), "inconsistent_fields");
    assert_eq!(with(&|x| x.parent = Some(x.charter)), "inconsistent_fields");
    assert_eq!(
        with(&|x| x.goals.push(x.goals[0].clone())),
        "duplicate_item"
    );
    assert_eq!(
        with(&|x| x.goals[0].targets[0].indicators[0].id = "I 1".into()),
        "bad_slug"
    );
    assert_eq!(
        with(&|x| x.dispositions.push(x.dispositions[0].clone())),
        "duplicate_item"
    );
    assert_eq!(
        with(&|x| x.goals[0].targets = vec![x.goals[0].targets[0].clone(); 33]),
        "bad_count"
    );
    let rel = || Release {
        created_at: FEB_2024,
        charter: charter().id(),
        label: "v1".into(),
        drafts: vec![ReleaseDraft {
            section: "whole-and-open".into(),
            draft: comment().id(),
        }],
    };
    assert_eq!(rejection(Body::Release(rel())), "accepted");
    assert_eq!(
        rejection(Body::Release(Release {
            drafts: vec![],
            ..rel()
        })),
        "bad_count"
    );
    let mut twice = rel();
    twice.drafts.push(twice.drafts[0].clone());
    assert_eq!(rejection(Body::Release(twice)), "duplicate_item");
}

#[test]
fn oversized_objects_are_refused_before_parsing() {
    let huge = vec![0u8; baraza_protocol::limits::MAX_OBJECT_BYTES + 1];
    assert!(matches!(
        SignedObject::decode(&huge),
        Err(ObjectError::TooLarge { .. })
    ));
}

#[test]
fn references_list_every_pointer_once() {
    let charter = charter().id();
    let comment = comment().id();
    let body = Body::Draft(draft_body(charter, comment));
    assert_eq!(body.references(), vec![charter, comment]);
}
