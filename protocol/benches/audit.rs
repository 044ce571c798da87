//! Auditing a release backed by 100,000 comments and 10,000 endorsements.
//!
//! The consultation: 5 sections, 3 stewards, 50 NRIs (10 per region),
//! 10,000 attested stakeholders, 100,000 comments (every tenth a reply),
//! two draft versions per section disposing 2,048 comments each, one
//! release, and 10,000 endorsements of it (50 NRIs and 9,950 stakeholders).
//! About 120,000 signed objects, generated once before anything is timed.
//!
//! - `audit/release_100k`: [`audit`] over an [`ObjectSet`] of everything.
//! - `audit/release_100k_json`: the same plus [`AuditReport::to_json`].
//! - `audit/build_bundle`: gathering and writing the release's bundle.
//!
//! Before the timed runs the bench prints, once, the auditor's whole path
//! (read the bundle — every signature verified — then audit and render
//! JSON) with wall times and the process's peak resident memory (`VmHWM`),
//! which is what `BENCHMARKS.md` records against the 2 s / 500 MB targets.

use std::hint::black_box;
use std::time::{Duration, Instant};

use baraza_protocol::audit::{audit, build_bundle, read_bundle, AuditOptions, ObjectSet};
use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, SignedObject};
use criterion::{criterion_group, criterion_main, Criterion};

const COMMENTS: usize = 100_000;
const STAKEHOLDERS: usize = 10_000;
const NRIS: usize = 50;
const STEWARDS: usize = 3;
const SECTIONS: [&str; 5] = [
    "whole-open",
    "universal",
    "free-flowing",
    "safe-secure",
    "rights",
];
/// Dispositions per draft: the protocol's maximum.
const DISPOSITIONS: usize = 2048;
/// 2024-01-01T00:00:00Z in ms.
const T0: u64 = 1_704_067_200_000;
const DAY: u64 = 86_400_000;

/// Deterministic key number `i` of class `class`.
fn key(class: u8, i: usize) -> Keypair {
    let mut seed = [0u8; 32];
    seed[0] = class;
    seed[1..9].copy_from_slice(&(i as u64).to_le_bytes());
    Keypair::from_seed(&seed)
}

fn sign(body: Body, key: &Keypair) -> SignedObject {
    SignedObject::sign(body, key).expect("generated bodies are valid")
}

/// The consultation's objects and the release's id.
fn consultation() -> (Vec<SignedObject>, ObjectId) {
    let stewards: Vec<Keypair> = (0..STEWARDS).map(|i| key(1, i)).collect();
    let nris: Vec<Keypair> = (0..NRIS).map(|i| key(2, i)).collect();
    let editor = key(3, 0);
    let mut out = Vec::with_capacity(COMMENTS + 2 * STAKEHOLDERS + 1000);
    let charter = sign(
        Body::Charter(Charter {
            created_at: T0,
            title: "The Internet We Want (benchmark)".into(),
            summary: None,
            sections: SECTIONS
                .iter()
                .map(|s| Section {
                    slug: (*s).into(),
                    title: format!("Section {s}"),
                    summary: None,
                })
                .collect(),
            phases: vec![
                Phase {
                    name: "consultation".into(),
                    opens: T0,
                    closes: T0 + 60 * DAY,
                    accepts: vec![Kind::Comment, Kind::Endorsement],
                },
                Phase {
                    name: "drafting".into(),
                    opens: T0 + 60 * DAY,
                    closes: T0 + 200 * DAY,
                    accepts: vec![Kind::Draft, Kind::Release, Kind::Endorsement],
                },
            ],
            stewards: stewards.iter().map(Keypair::public).collect(),
            threshold: 2,
            policy: EndorsementPolicy {
                min_nris: 25,
                min_regions: 5,
                groups: vec![
                    StakeholderGroup::Government,
                    StakeholderGroup::CivilSociety,
                    StakeholderGroup::PrivateSector,
                    StakeholderGroup::TechnicalCommunity,
                ],
            },
            languages: vec!["en".into()],
            witness_quorum: None,
        }),
        &stewards[0],
    );
    let charter_id = charter.id();
    out.push(charter);
    for s in &stewards {
        out.push(endorse(charter_id, T0 + 1000, s));
    }
    let regions = baraza_protocol::kinds::common::REGIONS;
    let attest = |issuer: &Keypair, subject: &Keypair, role, section: Option<&str>, i: usize| {
        sign(
            Body::Attestation(Attestation {
                created_at: T0 + 2000 + i as u64,
                charter: charter_id,
                subject: subject.public(),
                role,
                section: section.map(str::to_owned),
                group: (role == Role::Stakeholder).then(|| group(i)),
                organisation: None,
                country: None,
                region: (role != Role::Editor).then(|| regions[(i % NRIS) % regions.len()]),
                expires_at: T0 + 400 * DAY,
            }),
            issuer,
        )
    };
    for (i, nri) in nris.iter().enumerate() {
        out.push(attest(&stewards[i % STEWARDS], nri, Role::Nri, None, i));
    }
    for section in SECTIONS {
        out.push(attest(
            &stewards[0],
            &editor,
            Role::Editor,
            Some(section),
            0,
        ));
    }
    let stakeholders: Vec<Keypair> = (0..STAKEHOLDERS).map(|i| key(4, i)).collect();
    for (i, s) in stakeholders.iter().enumerate() {
        out.push(attest(&nris[i % NRIS], s, Role::Stakeholder, None, i));
    }
    let mut by_section: Vec<Vec<ObjectId>> = vec![Vec::new(); SECTIONS.len()];
    for i in 0..COMMENTS {
        let s = i % SECTIONS.len();
        let in_reply_to = (i % 10 == 9)
            .then(|| by_section[s].last().copied())
            .flatten();
        let comment = sign(
            Body::Comment(Comment {
                created_at: T0 + DAY + i as u64 * 20_000,
                charter: charter_id,
                section: SECTIONS[s].into(),
                draft: None,
                anchor: None,
                in_reply_to,
                language: "en".into(),
                text: format!(
                    "Comment {i}: the target on affordable access should name a baseline year \
                     and report progress disaggregated by region, gender and age."
                ),
            }),
            &stakeholders[i % STAKEHOLDERS],
        );
        by_section[s].push(comment.id());
        out.push(comment);
    }
    let outcomes = [
        Outcome::Incorporated,
        Outcome::Partly,
        Outcome::NotIncorporated,
        Outcome::OutOfScope,
    ];
    let mut release_drafts = Vec::new();
    for (s, section) in SECTIONS.iter().enumerate() {
        let mut parent = None;
        for version in 1..=2u32 {
            let start = (version as usize - 1) * DISPOSITIONS;
            let draft = sign(
                Body::Draft(Draft {
                    created_at: T0 + (60 + 10 * version as u64) * DAY + s as u64,
                    charter: charter_id,
                    section: (*section).into(),
                    version,
                    parent,
                    text: format!("Section {section}, version {version}."),
                    goals: Vec::new(),
                    dispositions: by_section[s][start..start + DISPOSITIONS]
                        .iter()
                        .enumerate()
                        .map(|(j, c)| Disposition {
                            comment: *c,
                            outcome: outcomes[j % outcomes.len()],
                            rationale: "Considered by the working group.".into(),
                        })
                        .collect(),
                }),
                &editor,
            );
            parent = Some(draft.id());
            out.push(draft);
        }
        release_drafts.push(ReleaseDraft {
            section: (*section).into(),
            draft: parent.expect("two versions were signed"),
        });
    }
    let release = sign(
        Body::Release(Release {
            created_at: T0 + 100 * DAY,
            charter: charter_id,
            label: "IWW benchmark release".into(),
            drafts: release_drafts,
        }),
        &editor,
    );
    let release_id = release.id();
    out.push(release);
    for (i, nri) in nris.iter().enumerate() {
        out.push(endorse(release_id, T0 + 110 * DAY + i as u64, nri));
    }
    for (i, s) in stakeholders.iter().take(10_000 - NRIS).enumerate() {
        out.push(endorse(release_id, T0 + 111 * DAY + i as u64, s));
    }
    (out, release_id)
}

fn group(i: usize) -> StakeholderGroup {
    let groups = baraza_protocol::kinds::common::STAKEHOLDER_GROUPS;
    groups[i % groups.len()]
        .parse()
        .expect("fixed group names parse")
}

fn endorse(target: ObjectId, at: u64, key: &Keypair) -> SignedObject {
    sign(
        Body::Endorsement(Endorsement {
            created_at: at,
            target,
            stance: Stance::Support,
            statement: None,
            on_behalf_of: None,
        }),
        key,
    )
}

/// Peak resident set size of this process so far, in MiB (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The auditor's path once, untimed by criterion: bundle → read → audit → JSON.
fn auditor_path(bundle: Vec<u8>, release: ObjectId) {
    let started = Instant::now();
    let (target, set) = read_bundle(&bundle).expect("the generated bundle is valid");
    let read = started.elapsed();
    drop(bundle);
    let started = Instant::now();
    let report = audit(&set, &target, &AuditOptions::default());
    let audited = started.elapsed();
    let started = Instant::now();
    let json = report.to_json();
    let rendered = started.elapsed();
    assert_eq!(target, release);
    eprintln!(
        "auditor path: read_bundle {read:.2?} ({} objects), audit {audited:.2?}, to_json {rendered:.2?} \
         ({:.1} MiB), verdict {}, peak RSS {:.0} MiB",
        set.len(),
        json.len() as f64 / 1_048_576.0,
        report.verdict.as_str(),
        peak_rss_mib().unwrap_or(f64::NAN),
    );
}

fn bench_audit(c: &mut Criterion) {
    let started = Instant::now();
    let (objects, release) = consultation();
    let bundle = {
        let set: ObjectSet = objects.iter().cloned().collect();
        build_bundle(&set, &release).expect("bundle")
    };
    eprintln!(
        "generated {} objects in {:.1?}; bundle {:.1} MiB; peak RSS {:.0} MiB",
        objects.len(),
        started.elapsed(),
        bundle.len() as f64 / 1_048_576.0,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    if std::env::var_os("BARAZA_BENCH_AUDITOR_ONLY").is_some() {
        // For peak-memory measurement of the auditor alone: drop the generator's objects first.
        drop(objects);
        auditor_path(bundle, release);
        return;
    }
    let set: ObjectSet = objects.into_iter().collect();
    auditor_path(bundle, release);

    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let options = AuditOptions::default();
    group.bench_function("release_100k", |b| {
        b.iter(|| black_box(audit(&set, &release, &options)))
    });
    group.bench_function("release_100k_json", |b| {
        b.iter(|| black_box(audit(&set, &release, &options).to_json()))
    });
    group.bench_function("build_bundle", |b| {
        b.iter(|| black_box(build_bundle(&set, &release).expect("bundle")))
    });
    group.finish();
}

criterion_group!(benches, bench_audit);
criterion_main!(benches);
