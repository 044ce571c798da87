//! Shared fixtures for the protocol's integration tests: fixed keys, fixed
//! times, one sample body per kind, and a tiny CBOR writer for building
//! deliberately broken encodings.

#![allow(dead_code, unreachable_pub)]

use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, SignedObject};

/// 2024-02-01T00:00:00Z in ms.
pub const FEB_2024: u64 = 1_706_745_600_000;
pub const DAY: u64 = 86_400_000;

pub fn steward() -> Keypair {
    Keypair::from_seed(&[1; 32])
}
pub fn nri() -> Keypair {
    Keypair::from_seed(&[2; 32])
}
pub fn stakeholder() -> Keypair {
    Keypair::from_seed(&[3; 32])
}
pub fn editor() -> Keypair {
    Keypair::from_seed(&[4; 32])
}

pub fn charter_body() -> Charter {
    Charter {
        created_at: FEB_2024 - 30 * DAY,
        title: "The Internet We Want".into(),
        summary: Some("A multistakeholder framework for the Internet we want.".into()),
        sections: vec![
            Section {
                slug: "whole-and-open".into(),
                title: "Whole and open".into(),
                summary: None,
            },
            Section {
                slug: "safe-and-secure".into(),
                title: "Safe and secure".into(),
                summary: None,
            },
        ],
        phases: vec![
            Phase {
                name: "consultation".into(),
                opens: FEB_2024 - 30 * DAY,
                closes: FEB_2024 + 29 * DAY,
                accepts: vec![Kind::Comment],
            },
            Phase {
                name: "presentation".into(),
                opens: FEB_2024 + 300 * DAY,
                closes: FEB_2024 + 320 * DAY,
                accepts: vec![Kind::Endorsement],
            },
        ],
        stewards: vec![steward().public()],
        threshold: 1,
        policy: EndorsementPolicy {
            min_nris: 1,
            min_regions: 1,
            groups: vec![StakeholderGroup::CivilSociety],
        },
        languages: vec!["en".into(), "fr".into()],
    }
}

pub fn charter() -> SignedObject {
    SignedObject::sign(Body::Charter(charter_body()), &steward()).expect("sample charter is valid")
}

pub fn comment_body(charter: ObjectId) -> Comment {
    Comment {
        created_at: FEB_2024,
        charter,
        section: "whole-and-open".into(),
        draft: None,
        anchor: None,
        in_reply_to: None,
        language: "en".into(),
        text: "Keep the Internet whole: one global network, not fragments.".into(),
    }
}

pub fn comment() -> SignedObject {
    SignedObject::sign(Body::Comment(comment_body(charter().id())), &stakeholder())
        .expect("sample comment is valid")
}

pub fn draft_body(charter: ObjectId, comment: ObjectId) -> Draft {
    Draft {
        created_at: FEB_2024 + 60 * DAY,
        charter,
        section: "whole-and-open".into(),
        version: 1,
        parent: None,
        text: "The Internet should remain whole and open. {#p1}".into(),
        goals: vec![Goal {
            id: "g1".into(),
            title: "Universal, unfragmented connectivity".into(),
            targets: vec![Target {
                id: "t1".into(),
                text: "By 2030, no state-mandated network shutdowns.".into(),
                indicators: vec![Indicator {
                    id: "i1".into(),
                    text: "Number of documented shutdowns per year".into(),
                    unit: Some("count".into()),
                }],
            }],
        }],
        dispositions: vec![Disposition {
            comment,
            outcome: Outcome::Incorporated,
            rationale: "Reflected in goal g1.".into(),
        }],
    }
}

/// One valid body per kind, each with its signer.
pub fn sample_bodies() -> Vec<(&'static str, Body, Keypair)> {
    let charter = charter();
    let comment = comment();
    let draft1 = SignedObject::sign(
        Body::Draft(draft_body(charter.id(), comment.id())),
        &editor(),
    )
    .expect("draft v1 is valid");
    let mut draft2 = draft_body(charter.id(), comment.id());
    draft2.version = 2;
    draft2.parent = Some(draft1.id());
    draft2.created_at += 30 * DAY;
    draft2.dispositions.clear();
    vec![
        ("charter", Body::Charter(charter_body()), steward()),
        (
            "profile",
            Body::Profile(Profile {
                created_at: FEB_2024 - DAY,
                name: "Amina Wanjiru".into(),
                group: StakeholderGroup::CivilSociety,
                organisation: Some("Open Net Kenya".into()),
                country: Some("KE".into()),
                languages: vec!["en".into(), "sw".into()],
            }),
            stakeholder(),
        ),
        (
            "attestation-nri",
            Body::Attestation(Attestation {
                created_at: FEB_2024 - 20 * DAY,
                charter: charter.id(),
                subject: nri().public(),
                role: Role::Nri,
                section: None,
                group: None,
                organisation: Some("Kenya IGF".into()),
                country: Some("KE".into()),
                region: Some(Region::African),
                expires_at: FEB_2024 + 365 * DAY,
            }),
            steward(),
        ),
        (
            "attestation-stakeholder",
            Body::Attestation(Attestation {
                created_at: FEB_2024 - 10 * DAY,
                charter: charter.id(),
                subject: stakeholder().public(),
                role: Role::Stakeholder,
                section: None,
                group: Some(StakeholderGroup::CivilSociety),
                organisation: Some("Open Net Kenya".into()),
                country: Some("KE".into()),
                region: Some(Region::African),
                expires_at: FEB_2024 + 365 * DAY,
            }),
            nri(),
        ),
        (
            "attestation-editor",
            Body::Attestation(Attestation {
                created_at: FEB_2024 - 10 * DAY,
                charter: charter.id(),
                subject: editor().public(),
                role: Role::Editor,
                section: Some("whole-and-open".into()),
                group: None,
                organisation: None,
                country: None,
                region: None,
                expires_at: FEB_2024 + 365 * DAY,
            }),
            steward(),
        ),
        (
            "comment",
            Body::Comment(comment_body(charter.id())),
            stakeholder(),
        ),
        (
            "comment-on-draft-reply",
            Body::Comment(Comment {
                created_at: FEB_2024 + 61 * DAY,
                draft: Some(draft1.id()),
                anchor: Some("p1".into()),
                in_reply_to: Some(comment.id()),
                language: "fr".into(),
                text: "D'accord, mais il faut aussi parler de l'interopérabilité.".into(),
                ..comment_body(charter.id())
            }),
            stakeholder(),
        ),
        (
            "endorsement",
            Body::Endorsement(Endorsement {
                created_at: FEB_2024 + 2 * DAY,
                target: comment.id(),
                stance: Stance::Support,
                statement: Some("We support this comment.".into()),
                on_behalf_of: Some("Kenya IGF".into()),
            }),
            nri(),
        ),
        (
            "draft-v1",
            Body::Draft(draft_body(charter.id(), comment.id())),
            editor(),
        ),
        ("draft-v2", Body::Draft(draft2), editor()),
        (
            "release",
            Body::Release(Release {
                created_at: FEB_2024 + 120 * DAY,
                charter: charter.id(),
                label: "IWW 2024 draft framework".into(),
                drafts: vec![ReleaseDraft {
                    section: "whole-and-open".into(),
                    draft: draft1.id(),
                }],
            }),
            steward(),
        ),
        (
            "retraction",
            Body::Retraction(Retraction {
                created_at: FEB_2024 + 3 * DAY,
                target: comment.id(),
                reason: "Posted to the wrong section.".into(),
            }),
            stakeholder(),
        ),
        (
            "revocation",
            Body::Revocation(Revocation {
                created_at: FEB_2024 + 5 * DAY,
                key: stakeholder().public(),
                effective_from: FEB_2024 + 4 * DAY,
                reason: "Laptop stolen.".into(),
            }),
            stakeholder(),
        ),
    ]
}

/// A minimal CBOR writer that writes exactly what it is told, canonical or not.
pub mod raw {
    pub fn head(major: u8, arg: u64) -> Vec<u8> {
        let m = major << 5;
        match arg {
            0..=23 => vec![m | arg as u8],
            24..=0xff => vec![m | 24, arg as u8],
            0x100..=0xffff => {
                let mut v = vec![m | 25];
                v.extend_from_slice(&(arg as u16).to_be_bytes());
                v
            }
            0x1_0000..=0xffff_ffff => {
                let mut v = vec![m | 26];
                v.extend_from_slice(&(arg as u32).to_be_bytes());
                v
            }
            _ => {
                let mut v = vec![m | 27];
                v.extend_from_slice(&arg.to_be_bytes());
                v
            }
        }
    }
    pub fn uint(n: u64) -> Vec<u8> {
        head(0, n)
    }
    pub fn nint(n: i64) -> Vec<u8> {
        head(1, (-1 - n) as u64)
    }
    pub fn text(s: &str) -> Vec<u8> {
        let mut v = head(3, s.len() as u64);
        v.extend_from_slice(s.as_bytes());
        v
    }
    pub fn bytes(b: &[u8]) -> Vec<u8> {
        let mut v = head(2, b.len() as u64);
        v.extend_from_slice(b);
        v
    }
    /// A map with entries written in the given order.
    pub fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
        let mut v = head(5, entries.len() as u64);
        for (k, val) in entries {
            v.extend_from_slice(k);
            v.extend_from_slice(val);
        }
        v
    }
    pub fn array(items: &[Vec<u8>]) -> Vec<u8> {
        let mut v = head(4, items.len() as u64);
        for i in items {
            v.extend_from_slice(i);
        }
        v
    }
}
