//! Who takes part: three stewards, seven NRIs from the five UN regional
//! groups, an editor per section, thirteen stakeholders of every group, and
//! two people nobody attested. Then their attestations and profiles.
//!
//! The NRIs carry the names of real initiatives so the example reads like
//! the process it models; every person and every other organisation is
//! fictional, and nothing here was signed by anyone real.

use anyhow::Context;
use baraza_protocol::kinds::{Attestation, Profile, Region, Role, StakeholderGroup};
use baraza_protocol::Body;

use crate::example::scenario::{utc, Scenario};

/// Every attestation is valid until the end of 2025.
const EXPIRES_AT: u64 = utc(2026, 1, 1, 0, 0);

/// A steward of the charter (the Leadership Panel's liaisons, fictional).
pub(super) struct Steward {
    pub(super) handle: &'static str,
    pub(super) name: &'static str,
    pub(super) country: &'static str,
}

pub(super) const STEWARDS: [Steward; 3] = [
    Steward {
        handle: "steward-amara",
        name: "Amara Diallo",
        country: "SN",
    },
    Steward {
        handle: "steward-henrik",
        name: "Henrik Lund",
        country: "DK",
    },
    Steward {
        handle: "steward-rosa",
        name: "Rosa Quispe",
        country: "PE",
    },
];

/// A National or Regional IGF Initiative, accredited by a steward.
pub(super) struct Nri {
    pub(super) handle: &'static str,
    pub(super) name: &'static str,
    /// Absent for a regional initiative.
    pub(super) country: Option<&'static str>,
    pub(super) region: Region,
    /// Index into [`STEWARDS`] of the steward who accredits it.
    pub(super) steward: usize,
}

pub(super) const NRIS: [Nri; 7] = [
    Nri {
        handle: "kenya-igf",
        name: "Kenya IGF",
        country: Some("KE"),
        region: Region::African,
        steward: 0,
    },
    Nri {
        handle: "nigeria-igf",
        name: "Nigeria IGF",
        country: Some("NG"),
        region: Region::African,
        steward: 0,
    },
    Nri {
        handle: "brazil-igf",
        name: "Brazil IGF",
        country: Some("BR"),
        region: Region::LatinAmericanCaribbean,
        steward: 2,
    },
    Nri {
        handle: "germany-igf",
        name: "Germany IGF",
        country: Some("DE"),
        region: Region::WesternEuropeanOther,
        steward: 1,
    },
    Nri {
        handle: "armenia-igf",
        name: "Armenia IGF",
        country: Some("AM"),
        region: Region::EasternEuropean,
        steward: 1,
    },
    Nri {
        handle: "bangladesh-igf",
        name: "Bangladesh IGF",
        country: Some("BD"),
        region: Region::AsiaPacific,
        steward: 2,
    },
    Nri {
        handle: "aprigf",
        name: "Asia Pacific Regional IGF",
        country: None,
        region: Region::AsiaPacific,
        steward: 0,
    },
];

/// The editor (working-group co-facilitator) of one section.
pub(super) struct Editor {
    /// The section slug; the editor's handle is `editor-<section>`.
    pub(super) section: &'static str,
    pub(super) name: &'static str,
    pub(super) group: &'static str,
    pub(super) country: &'static str,
    /// Index into [`STEWARDS`] of the steward who appoints them.
    pub(super) steward: usize,
}

pub(super) const EDITORS: [Editor; 5] = [
    Editor {
        section: "whole-and-open",
        name: "Tomás Herrera",
        group: "technical_community",
        country: "AR",
        steward: 0,
    },
    Editor {
        section: "universal-and-inclusive",
        name: "Fatima Zahra Benali",
        group: "civil_society",
        country: "MA",
        steward: 1,
    },
    Editor {
        section: "free-flowing-and-trustworthy",
        name: "Kenji Watanabe",
        group: "academia",
        country: "JP",
        steward: 2,
    },
    Editor {
        section: "safe-and-secure",
        name: "Ingrid Solberg",
        group: "government",
        country: "NO",
        steward: 0,
    },
    Editor {
        section: "rights-respecting",
        name: "Nomvula Dlamini",
        group: "civil_society",
        country: "ZA",
        steward: 1,
    },
];

/// A stakeholder, attested by an NRI of their region.
pub(super) struct Stakeholder {
    pub(super) handle: &'static str,
    pub(super) name: &'static str,
    pub(super) group: &'static str,
    pub(super) organisation: &'static str,
    pub(super) country: &'static str,
    /// The handle of the attesting NRI (the region is the NRI's).
    pub(super) nri: &'static str,
    pub(super) languages: &'static [&'static str],
}

pub(super) const STAKEHOLDERS: [Stakeholder; 13] = [
    Stakeholder {
        handle: "gov-ke",
        name: "Daniel Otieno",
        group: "government",
        organisation: "Ministry of ICT and Digital Economy (fictional office)",
        country: "KE",
        nri: "kenya-igf",
        languages: &["en", "sw"],
    },
    Stakeholder {
        handle: "cs-ke",
        name: "Wanjiru Kamau",
        group: "civil_society",
        organisation: "Mtandao Huru Trust",
        country: "KE",
        nri: "kenya-igf",
        languages: &["sw", "en"],
    },
    Stakeholder {
        handle: "ps-ng",
        name: "Chinedu Okafor",
        group: "private_sector",
        organisation: "Lagos Cloud Exchange Ltd",
        country: "NG",
        nri: "nigeria-igf",
        languages: &["en"],
    },
    Stakeholder {
        handle: "tc-br",
        name: "Ana Beatriz Souza",
        group: "technical_community",
        organisation: "Rede Aberta IX",
        country: "BR",
        nri: "brazil-igf",
        languages: &["pt", "en"],
    },
    Stakeholder {
        handle: "youth-br",
        name: "Lucas Ferreira",
        group: "youth",
        organisation: "Juventude Conectada",
        country: "BR",
        nri: "brazil-igf",
        languages: &["pt", "es"],
    },
    Stakeholder {
        handle: "ac-de",
        name: "Jonas Weber",
        group: "academia",
        organisation: "Institut für Netzpolitik (fictional)",
        country: "DE",
        nri: "germany-igf",
        languages: &["de", "en"],
    },
    Stakeholder {
        handle: "igo-de",
        name: "Claire Dubois",
        group: "intergovernmental",
        organisation: "Digital Cooperation Liaison Office (fictional)",
        country: "DE",
        nri: "germany-igf",
        languages: &["fr", "en", "de"],
    },
    Stakeholder {
        handle: "parl-am",
        name: "Armen Petrosyan",
        group: "parliamentarian",
        organisation: "Standing Committee on Digital Affairs (fictional)",
        country: "AM",
        nri: "armenia-igf",
        languages: &["hy", "ru", "en"],
    },
    Stakeholder {
        handle: "cs-am",
        name: "Anna Hakobyan",
        group: "civil_society",
        organisation: "Yerevan Digital Rights Centre",
        country: "AM",
        nri: "armenia-igf",
        languages: &["hy", "ru"],
    },
    Stakeholder {
        handle: "youth-bd",
        name: "Nusrat Jahan",
        group: "youth",
        organisation: "Dhaka Youth Internet Forum",
        country: "BD",
        nri: "bangladesh-igf",
        languages: &["bn", "en"],
    },
    Stakeholder {
        handle: "tc-sg",
        name: "Mei Lin Tan",
        group: "technical_community",
        organisation: "Asia Pacific Network Operators Forum (fictional)",
        country: "SG",
        nri: "aprigf",
        languages: &["zh", "en"],
    },
    Stakeholder {
        handle: "ps-sa",
        name: "Layla Al-Harbi",
        group: "private_sector",
        organisation: "Najd Data Centres",
        country: "SA",
        nri: "aprigf",
        languages: &["ar", "en"],
    },
    Stakeholder {
        handle: "other-ws",
        name: "Sione Fonoti",
        group: "other:libraries",
        organisation: "Pacific Public Libraries Network",
        country: "WS",
        nri: "aprigf",
        languages: &["sm", "en"],
    },
];

/// People who sign without any attestation: their words are recorded and
/// counted apart, never towards the policy.
pub(super) const UNATTESTED: [(&str, &str); 2] = [
    ("guest-pierre", "Pierre Lambert"),
    ("guest-anonymous", "(no profile)"),
];

/// Introduces everyone (derives their keys).
pub(super) fn introduce(s: &mut Scenario) -> anyhow::Result<()> {
    for steward in &STEWARDS {
        s.person(steward.handle, "steward", steward.name)?;
    }
    for nri in &NRIS {
        s.person(nri.handle, "nri", nri.name)?;
    }
    for editor in &EDITORS {
        s.person(&editor_handle(editor.section), "editor", editor.name)?;
    }
    for stakeholder in &STAKEHOLDERS {
        s.person(stakeholder.handle, "stakeholder", stakeholder.name)?;
    }
    for (handle, name) in UNATTESTED {
        s.person(handle, "unattested", name)?;
    }
    Ok(())
}

/// The handle of the editor of `section`.
pub(super) fn editor_handle(section: &str) -> String {
    format!("editor-{section}")
}

/// Stewards accredit the NRIs (16 January) and appoint the section
/// editors (11 March, during the review); NRIs attest their stakeholders
/// (18–19 January).
pub(super) fn attest(s: &mut Scenario) -> anyhow::Result<()> {
    let charter = s.id("charter")?;
    for (i, nri) in NRIS.iter().enumerate() {
        let body = Attestation {
            created_at: utc(2024, 1, 16, 9, i as u64),
            charter,
            subject: s.key(nri.handle)?,
            role: Role::Nri,
            section: None,
            group: None,
            organisation: Some(nri.name.into()),
            country: nri.country.map(str::to_owned),
            region: Some(nri.region),
            expires_at: EXPIRES_AT,
        };
        let steward = STEWARDS[nri.steward].handle;
        s.sign(
            &format!("nri-{}", nri.handle),
            steward,
            Body::Attestation(body),
        )?;
    }
    for (i, stakeholder) in STAKEHOLDERS.iter().enumerate() {
        let nri = NRIS
            .iter()
            .find(|n| n.handle == stakeholder.nri)
            .with_context(|| format!("no NRI {}", stakeholder.nri))?;
        let body = Attestation {
            created_at: utc(2024, 1, 18 + (i as u64 % 2), 10, i as u64),
            charter,
            subject: s.key(stakeholder.handle)?,
            role: Role::Stakeholder,
            section: None,
            group: Some(group(stakeholder.group)?),
            organisation: Some(stakeholder.organisation.into()),
            country: Some(stakeholder.country.into()),
            region: Some(nri.region),
            expires_at: EXPIRES_AT,
        };
        s.sign(
            &format!("stakeholder-{}", stakeholder.handle),
            nri.handle,
            Body::Attestation(body),
        )?;
    }
    for (i, editor) in EDITORS.iter().enumerate() {
        let handle = editor_handle(editor.section);
        let body = Attestation {
            created_at: utc(2024, 3, 11, 9, i as u64),
            charter,
            subject: s.key(&handle)?,
            role: Role::Editor,
            section: Some(editor.section.into()),
            group: None,
            organisation: Some(format!("IWW working group {}", i + 1)),
            country: Some(editor.country.into()),
            region: None,
            expires_at: EXPIRES_AT,
        };
        s.sign(
            &format!("editor-{}", editor.section),
            STEWARDS[editor.steward].handle,
            Body::Attestation(body),
        )?;
    }
    Ok(())
}

/// Everyone but one unattested author says who they are. Profiles are
/// self-declared: the audit never trusts them (the attestations above
/// are what counts), and bundles do not carry them.
pub(super) fn profiles(s: &mut Scenario) -> anyhow::Result<()> {
    let at = |i: usize| utc(2024, 1, 15, 12, i as u64);
    let mut n = 0;
    let mut next = || {
        n += 1;
        at(n)
    };
    for steward in &STEWARDS {
        let body = Profile {
            created_at: next(),
            name: steward.name.into(),
            group: group("other:igf leadership panel")?,
            organisation: Some("IGF Leadership Panel (steward, fictional)".into()),
            country: Some(steward.country.into()),
            languages: vec!["en".into()],
        };
        s.sign(
            &format!("profile-{}", steward.handle),
            steward.handle,
            Body::Profile(body),
        )?;
    }
    for nri in &NRIS {
        let body = Profile {
            created_at: next(),
            name: nri.name.into(),
            group: group("other:national or regional igf initiative")?,
            organisation: Some(nri.name.into()),
            country: nri.country.map(str::to_owned),
            languages: vec!["en".into()],
        };
        s.sign(
            &format!("profile-{}", nri.handle),
            nri.handle,
            Body::Profile(body),
        )?;
    }
    for (i, editor) in EDITORS.iter().enumerate() {
        let handle = editor_handle(editor.section);
        let body = Profile {
            created_at: next(),
            name: editor.name.into(),
            group: group(editor.group)?,
            organisation: Some(format!("IWW working group {} co-facilitator", i + 1)),
            country: Some(editor.country.into()),
            languages: vec!["en".into()],
        };
        s.sign(&format!("profile-{handle}"), &handle, Body::Profile(body))?;
    }
    for stakeholder in &STAKEHOLDERS {
        let body = Profile {
            created_at: next(),
            name: stakeholder.name.into(),
            group: group(stakeholder.group)?,
            organisation: Some(stakeholder.organisation.into()),
            country: Some(stakeholder.country.into()),
            languages: stakeholder
                .languages
                .iter()
                .map(|l| (*l).to_owned())
                .collect(),
        };
        s.sign(
            &format!("profile-{}", stakeholder.handle),
            stakeholder.handle,
            Body::Profile(body),
        )?;
    }
    // A profile claiming a group proves nothing: this author stays unattested.
    let (guest, name) = UNATTESTED[0];
    let body = Profile {
        created_at: utc(2024, 2, 9, 18, 0),
        name: name.into(),
        group: group("government")?,
        organisation: None,
        country: Some("FR".into()),
        languages: vec!["fr".into()],
    };
    s.sign(&format!("profile-{guest}"), guest, Body::Profile(body))?;
    Ok(())
}

/// Parses a stakeholder group of the tables above.
fn group(name: &str) -> anyhow::Result<StakeholderGroup> {
    name.parse()
        .with_context(|| format!("example group {name:?}"))
}
