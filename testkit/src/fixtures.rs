//! Fixed times, sample bodies of every kind, and a builder for charters —
//! the fixtures the protocol, node and network tests share.

use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, PublicKey, SignedObject};

use crate::keys::{editor, nri, stakeholder, steward};

/// 2024-02-01T00:00:00Z in ms.
pub const FEB_2024: u64 = 1_706_745_600_000;
/// An hour in ms.
pub const HOUR: u64 = 3_600_000;
/// A day in ms.
pub const DAY: u64 = 86_400_000;

/// Signs a fixture body (which must be valid).
pub fn sign(body: Body, key: &Keypair) -> SignedObject {
    SignedObject::sign(body, key).expect("fixture body is valid")
}

/// A section without summary.
pub fn section(slug: &str, title: &str) -> Section {
    Section {
        slug: slug.into(),
        title: title.into(),
        summary: None,
    }
}

/// A phase accepting `accepts` in `[opens, closes)`.
pub fn phase(name: &str, opens: u64, closes: u64, accepts: &[Kind]) -> Phase {
    Phase {
        name: name.into(),
        opens,
        closes,
        accepts: accepts.to_vec(),
    }
}

/// Builds a charter: title "The Internet We Want", no summary, no sections,
/// no phases, no stewards, threshold 1, a policy of one NRI in one region
/// and no groups, English only — each changed by a method.
#[derive(Debug, Clone)]
pub struct CharterBuilder {
    body: Charter,
}

impl CharterBuilder {
    /// A charter created at `created_at`.
    pub fn new(created_at: u64) -> CharterBuilder {
        CharterBuilder {
            body: Charter {
                created_at,
                title: "The Internet We Want".into(),
                summary: None,
                sections: Vec::new(),
                phases: Vec::new(),
                stewards: Vec::new(),
                threshold: 1,
                policy: EndorsementPolicy {
                    min_nris: 1,
                    min_regions: 1,
                    groups: Vec::new(),
                },
                languages: vec!["en".into()],
                witness_quorum: None,
            },
        }
    }

    /// Sets the title.
    pub fn title(mut self, title: &str) -> Self {
        self.body.title = title.into();
        self
    }

    /// Sets the summary.
    pub fn summary(mut self, summary: &str) -> Self {
        self.body.summary = Some(summary.into());
        self
    }

    /// Adds a section (no summary).
    pub fn section(mut self, slug: &str, title: &str) -> Self {
        self.body.sections.push(section(slug, title));
        self
    }

    /// Adds a phase.
    pub fn phase(mut self, name: &str, opens: u64, closes: u64, accepts: &[Kind]) -> Self {
        self.body.phases.push(phase(name, opens, closes, accepts));
        self
    }

    /// Adds a steward.
    pub fn steward(mut self, key: PublicKey) -> Self {
        self.body.stewards.push(key);
        self
    }

    /// Sets the ratification threshold.
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.body.threshold = threshold;
        self
    }

    /// Sets the endorsement policy.
    pub fn policy(mut self, min_nris: u32, min_regions: u32, groups: &[StakeholderGroup]) -> Self {
        self.body.policy = EndorsementPolicy {
            min_nris,
            min_regions,
            groups: groups.to_vec(),
        };
        self
    }

    /// Sets the languages.
    pub fn languages(mut self, languages: &[&str]) -> Self {
        self.body.languages = languages.iter().map(|l| (*l).to_owned()).collect();
        self
    }

    /// The body.
    pub fn body(self) -> Charter {
        self.body
    }

    /// The body, signed by `key`.
    pub fn sign(self, key: &Keypair) -> SignedObject {
        sign(Body::Charter(self.body), key)
    }
}

/// The sample charter: two sections, a consultation and a presentation
/// phase, one steward ([`steward`]), threshold 1, English and French.
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
        witness_quorum: None,
    }
}

/// [`charter_body`], signed by [`steward`].
pub fn charter() -> SignedObject {
    SignedObject::sign(Body::Charter(charter_body()), &steward()).expect("sample charter is valid")
}

/// A comment on `whole-and-open`, in English, at [`FEB_2024`].
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

/// [`comment_body`] on [`charter`], signed by [`stakeholder`].
pub fn comment() -> SignedObject {
    SignedObject::sign(Body::Comment(comment_body(charter().id())), &stakeholder())
        .expect("sample comment is valid")
}

/// Version 1 of `whole-and-open`, with a goal and one disposition of `comment`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_makes_the_sample_charter() {
        let built = CharterBuilder::new(FEB_2024 - 30 * DAY)
            .summary("A multistakeholder framework for the Internet we want.")
            .section("whole-and-open", "Whole and open")
            .section("safe-and-secure", "Safe and secure")
            .phase(
                "consultation",
                FEB_2024 - 30 * DAY,
                FEB_2024 + 29 * DAY,
                &[Kind::Comment],
            )
            .phase(
                "presentation",
                FEB_2024 + 300 * DAY,
                FEB_2024 + 320 * DAY,
                &[Kind::Endorsement],
            )
            .steward(steward().public())
            .policy(1, 1, &[StakeholderGroup::CivilSociety])
            .languages(&["en", "fr"])
            .body();
        assert_eq!(built, charter_body());
    }

    #[test]
    fn every_sample_body_signs() {
        let bodies = sample_bodies();
        assert_eq!(bodies.len(), 13);
        for (name, body, key) in bodies {
            assert!(SignedObject::sign(body, &key).is_ok(), "{name}");
        }
    }
}
