//! A small, complete consultation for the audit tests, built from fixed
//! seeds: two stewards, three NRIs in three regions, one editor of both
//! sections, three stakeholders, comments, two draft versions of `open`, one
//! of `safe`, a release and endorsements that meet the policy.
//!
//! Tests add one object (or change one setting) to trigger exactly one finding.
//! Keys come from [`crate::keys::key`] seeds: stewards 1–9, NRIs 11–19, the
//! editor 21, stakeholders 31–39, a stranger 99.

use std::collections::BTreeMap;

use baraza_protocol::audit::{audit, AuditOptions, AuditReport, ObjectSet};
use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, PublicKey, SignedObject};

/// 2024-02-01T00:00:00Z in ms.
pub const T0: u64 = 1_706_745_600_000;
/// An hour in ms.
pub const HOUR: u64 = 3_600_000;
/// A day in ms.
pub const DAY: u64 = 24 * HOUR;

pub use crate::keys::key;

/// Steward number `i`.
pub fn steward(i: u8) -> Keypair {
    key(i)
}
/// NRI number `i`.
pub fn nri(i: u8) -> Keypair {
    key(10 + i)
}
/// The editor of both sections.
pub fn editor() -> Keypair {
    key(21)
}
/// Stakeholder number `i`.
pub fn stakeholder(i: u8) -> Keypair {
    key(30 + i)
}
/// A key nobody attested.
pub fn stranger() -> Keypair {
    key(99)
}

/// What varies between consultations.
#[derive(Debug, Clone)]
pub struct Config {
    /// The charter's endorsement policy.
    pub policy: EndorsementPolicy,
    /// How many of the two stewards ratify the charter (threshold is 2).
    pub ratifiers: usize,
    /// The charter's `witness_quorum` (absent: the default).
    pub witness_quorum: Option<u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            policy: EndorsementPolicy {
                min_nris: 2,
                min_regions: 2,
                groups: vec![StakeholderGroup::CivilSociety, StakeholderGroup::Government],
            },
            ratifiers: 2,
            witness_quorum: None,
        }
    }
}

/// The objects of a consultation, with names for the interesting ones.
#[derive(Debug, Clone)]
pub struct World {
    /// Every object, in the order signed.
    pub objects: Vec<SignedObject>,
    /// Name → id of the named ones.
    pub names: BTreeMap<String, ObjectId>,
}

impl World {
    /// The consultation of [`Config::default`]: the release meets the policy.
    pub fn baseline() -> World {
        World::build(&Config::default())
    }

    /// The consultation of `config`.
    pub fn build(config: &Config) -> World {
        let mut w = World {
            objects: Vec::new(),
            names: BTreeMap::new(),
        };
        let charter = w.add(
            "charter",
            Body::Charter(Charter {
                created_at: T0,
                title: "The Internet We Want".into(),
                summary: None,
                sections: vec![section("open"), section("safe")],
                phases: vec![
                    phase(
                        "consultation",
                        T0,
                        T0 + 30 * DAY,
                        &[Kind::Comment, Kind::Endorsement],
                    ),
                    phase(
                        "drafting",
                        T0 + 30 * DAY,
                        T0 + 90 * DAY,
                        &[Kind::Draft, Kind::Release, Kind::Endorsement],
                    ),
                ],
                stewards: vec![steward(1).public(), steward(2).public()],
                threshold: 2,
                policy: config.policy.clone(),
                languages: vec!["en".into()],
                witness_quorum: config.witness_quorum,
            }),
            &steward(1),
        );
        for i in 1..=config.ratifiers as u8 {
            w.endorse(
                &format!("ratify-{i}"),
                charter,
                Stance::Support,
                T0 + HOUR,
                &steward(i),
            );
        }
        let regions = [
            Region::African,
            Region::AsiaPacific,
            Region::LatinAmericanCaribbean,
        ];
        for (i, region) in (1..=3).zip(regions) {
            w.attest(
                &format!("nri-{i}"),
                &steward(1),
                &nri(i),
                Role::Nri,
                None,
                None,
                Some(region),
                T0 + 2 * HOUR,
            );
        }
        w.attest(
            "editor-open",
            &steward(1),
            &editor(),
            Role::Editor,
            Some("open"),
            None,
            None,
            T0 + 2 * HOUR,
        );
        w.attest(
            "editor-safe",
            &steward(2),
            &editor(),
            Role::Editor,
            Some("safe"),
            None,
            None,
            T0 + 2 * HOUR,
        );
        let groups = [
            StakeholderGroup::CivilSociety,
            StakeholderGroup::Government,
            StakeholderGroup::PrivateSector,
        ];
        for (i, (group, region)) in (1..=3).zip(groups.into_iter().zip(regions)) {
            w.attest(
                &format!("stakeholder-{i}"),
                &nri(i),
                &stakeholder(i),
                Role::Stakeholder,
                None,
                Some(group),
                Some(region),
                T0 + 3 * HOUR,
            );
        }
        let c1 = w.comment("c1", "open", T0 + DAY, &stakeholder(1));
        let c2 = w.comment("c2", "open", T0 + 2 * DAY, &stakeholder(2));
        let c3 = w.comment("c3", "safe", T0 + 3 * DAY, &stakeholder(3));
        let v1 = w.draft(
            "open-v1",
            "open",
            1,
            None,
            T0 + 35 * DAY,
            &[(c1, Outcome::Incorporated)],
            &editor(),
        );
        let v2 = w.draft(
            "open-v2",
            "open",
            2,
            Some(v1),
            T0 + 40 * DAY,
            &[(c2, Outcome::Partly)],
            &editor(),
        );
        let s1 = w.draft(
            "safe-v1",
            "safe",
            1,
            None,
            T0 + 36 * DAY,
            &[(c3, Outcome::OutOfScope)],
            &editor(),
        );
        let release = w.add(
            "release",
            Body::Release(Release {
                created_at: T0 + 50 * DAY,
                charter,
                label: "IWW test release".into(),
                drafts: vec![
                    ReleaseDraft {
                        section: "open".into(),
                        draft: v2,
                    },
                    ReleaseDraft {
                        section: "safe".into(),
                        draft: s1,
                    },
                ],
            }),
            &editor(),
        );
        w.endorse("e-nri-1", release, Stance::Support, T0 + 55 * DAY, &nri(1));
        w.endorse("e-nri-2", release, Stance::Support, T0 + 55 * DAY, &nri(2));
        w.endorse(
            "e-sh-1",
            release,
            Stance::Support,
            T0 + 55 * DAY,
            &stakeholder(1),
        );
        w.endorse(
            "e-sh-2",
            release,
            Stance::Support,
            T0 + 55 * DAY,
            &stakeholder(2),
        );
        w.endorse(
            "e-sh-3",
            release,
            Stance::Object,
            T0 + 55 * DAY,
            &stakeholder(3),
        );
        w
    }

    /// The id of the object named `name`.
    pub fn id(&self, name: &str) -> ObjectId {
        *self
            .names
            .get(name)
            .unwrap_or_else(|| panic!("no object named {name}"))
    }

    /// The object named `name`.
    pub fn get(&self, name: &str) -> SignedObject {
        let id = self.id(name);
        self.objects
            .iter()
            .find(|o| o.id() == id)
            .cloned()
            .expect("named objects exist")
    }

    /// Signs and adds an object under `name` (empty: unnamed).
    pub fn add(&mut self, name: &str, body: Body, key: &Keypair) -> ObjectId {
        let object = SignedObject::sign(body, key).expect("test bodies are valid");
        let id = object.id();
        self.objects.push(object);
        if !name.is_empty() {
            self.names.insert(name.to_owned(), id);
        }
        id
    }

    /// Removes the object named `name`.
    pub fn remove(&mut self, name: &str) {
        let id = self.id(name);
        self.objects.retain(|o| o.id() != id);
        self.names.remove(name);
    }

    /// Every object, as an audit source.
    pub fn set(&self) -> ObjectSet {
        self.objects.iter().cloned().collect()
    }

    /// The audit report of the object named `target`.
    pub fn audit(&self, target: &str) -> AuditReport {
        self.audit_with(target, &AuditOptions::default())
    }

    /// The audit report of `target` with `options`.
    pub fn audit_with(&self, target: &str, options: &AuditOptions) -> AuditReport {
        audit(&self.set(), &self.id(target), options)
    }

    /// Adds an endorsement of `target`.
    pub fn endorse(
        &mut self,
        name: &str,
        target: ObjectId,
        stance: Stance,
        at: u64,
        key: &Keypair,
    ) -> ObjectId {
        self.add(
            name,
            Body::Endorsement(Endorsement {
                created_at: at,
                target,
                stance,
                statement: None,
                on_behalf_of: None,
            }),
            key,
        )
    }

    /// Adds an attestation, valid for a year from [`T0`].
    #[allow(clippy::too_many_arguments)]
    pub fn attest(
        &mut self,
        name: &str,
        issuer: &Keypair,
        subject: &Keypair,
        role: Role,
        section: Option<&str>,
        group: Option<StakeholderGroup>,
        region: Option<Region>,
        at: u64,
    ) -> ObjectId {
        self.attest_until(
            name,
            issuer,
            subject.public(),
            role,
            section,
            group,
            region,
            at,
            T0 + 365 * DAY,
        )
    }

    /// Adds an attestation expiring at `expires_at`.
    #[allow(clippy::too_many_arguments)]
    pub fn attest_until(
        &mut self,
        name: &str,
        issuer: &Keypair,
        subject: PublicKey,
        role: Role,
        section: Option<&str>,
        group: Option<StakeholderGroup>,
        region: Option<Region>,
        at: u64,
        expires_at: u64,
    ) -> ObjectId {
        let charter = self.id("charter");
        self.add(
            name,
            Body::Attestation(Attestation {
                created_at: at,
                charter,
                subject,
                role,
                section: section.map(str::to_owned),
                group,
                organisation: None,
                country: None,
                region,
                expires_at,
            }),
            issuer,
        )
    }

    /// Adds a top-level comment on `section`.
    pub fn comment(&mut self, name: &str, section: &str, at: u64, key: &Keypair) -> ObjectId {
        self.comment_on(name, section, at, None, key)
    }

    /// Adds a comment on `section`, replying to `in_reply_to`.
    pub fn comment_on(
        &mut self,
        name: &str,
        section: &str,
        at: u64,
        in_reply_to: Option<ObjectId>,
        key: &Keypair,
    ) -> ObjectId {
        let charter = self.id("charter");
        self.add(
            name,
            Body::Comment(Comment {
                created_at: at,
                charter,
                section: section.into(),
                draft: None,
                anchor: None,
                in_reply_to,
                language: "en".into(),
                text: format!("{name}: a comment on {section}"),
            }),
            key,
        )
    }

    /// Adds a draft of `section`.
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        &mut self,
        name: &str,
        section: &str,
        version: u32,
        parent: Option<ObjectId>,
        at: u64,
        dispositions: &[(ObjectId, Outcome)],
        key: &Keypair,
    ) -> ObjectId {
        let charter = self.id("charter");
        self.add(
            name,
            Body::Draft(Draft {
                created_at: at,
                charter,
                section: section.into(),
                version,
                parent,
                text: format!("{name}: the text of {section}, version {version}"),
                goals: Vec::new(),
                dispositions: dispositions
                    .iter()
                    .map(|(comment, outcome)| Disposition {
                        comment: *comment,
                        outcome: *outcome,
                        rationale: "considered by the working group".into(),
                    })
                    .collect(),
            }),
            key,
        )
    }

    /// Adds a retraction of `target`.
    pub fn retract(&mut self, name: &str, target: ObjectId, at: u64, key: &Keypair) -> ObjectId {
        self.add(
            name,
            Body::Retraction(Retraction {
                created_at: at,
                target,
                reason: "withdrawn".into(),
            }),
            key,
        )
    }

    /// Adds a revocation of `revoked` from `effective_from`.
    pub fn revoke(
        &mut self,
        name: &str,
        revoked: PublicKey,
        effective_from: u64,
        at: u64,
        key: &Keypair,
    ) -> ObjectId {
        self.add(
            name,
            Body::Revocation(Revocation {
                created_at: at,
                key: revoked,
                effective_from,
                reason: "key retired".into(),
            }),
            key,
        )
    }
}

fn section(slug: &str) -> Section {
    crate::fixtures::section(slug, &format!("Section {slug}"))
}

use crate::fixtures::phase;

/// The anomaly codes of a report, sorted, with repeats.
pub fn codes(report: &AuditReport) -> Vec<&'static str> {
    report.anomalies.iter().map(|f| f.anomaly.code()).collect()
}
