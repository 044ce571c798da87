//! Who takes part (`people.toml`): three stewards, seven NRIs from the
//! five UN regional groups, an editor per section, thirteen stakeholders of
//! every group, and two people nobody attested. Then their attestations and
//! profiles.
//!
//! The NRIs carry the names of real initiatives so the example reads like
//! the process it models; every person and every other organisation is
//! fictional, and nothing here was signed by anyone real.

use anyhow::Context;
use baraza_protocol::kinds::{Attestation, Profile, Role};
use baraza_protocol::Body;

use super::data::{ms, People};
use crate::example::scenario::{utc, Scenario};

/// Introduces everyone (derives their keys).
pub(super) fn introduce(s: &mut Scenario, people: &People) -> anyhow::Result<()> {
    for steward in &people.stewards {
        s.person(&steward.handle, "steward", &steward.name)?;
    }
    for nri in &people.nris {
        s.person(&nri.handle, "nri", &nri.name)?;
    }
    for editor in &people.editors {
        s.person(&editor_handle(&editor.section), "editor", &editor.name)?;
    }
    for stakeholder in &people.stakeholders {
        s.person(&stakeholder.handle, "stakeholder", &stakeholder.name)?;
    }
    for guest in &people.unattested {
        s.person(&guest.handle, "unattested", &guest.name)?;
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
pub(super) fn attest(s: &mut Scenario, people: &People) -> anyhow::Result<()> {
    let charter = s.id("charter")?;
    let expires_at = ms(&people.attestations_expire)?;
    for (i, nri) in people.nris.iter().enumerate() {
        let body = Attestation {
            created_at: utc(2024, 1, 16, 9, i as u64),
            charter,
            subject: s.key(&nri.handle)?,
            role: Role::Nri,
            section: None,
            group: None,
            organisation: Some(nri.name.clone()),
            country: nri.country.clone(),
            region: Some(nri.region),
            expires_at,
        };
        s.sign(
            &format!("nri-{}", nri.handle),
            &nri.steward,
            Body::Attestation(body),
        )?;
    }
    for (i, stakeholder) in people.stakeholders.iter().enumerate() {
        let nri = people
            .nris
            .iter()
            .find(|n| n.handle == stakeholder.nri)
            .with_context(|| format!("no NRI {}", stakeholder.nri))?;
        let body = Attestation {
            created_at: utc(2024, 1, 18 + (i as u64 % 2), 10, i as u64),
            charter,
            subject: s.key(&stakeholder.handle)?,
            role: Role::Stakeholder,
            section: None,
            group: Some(stakeholder.group.clone()),
            organisation: Some(stakeholder.organisation.clone()),
            country: Some(stakeholder.country.clone()),
            region: Some(nri.region),
            expires_at,
        };
        s.sign(
            &format!("stakeholder-{}", stakeholder.handle),
            &nri.handle,
            Body::Attestation(body),
        )?;
    }
    for (i, editor) in people.editors.iter().enumerate() {
        let handle = editor_handle(&editor.section);
        let body = Attestation {
            created_at: utc(2024, 3, 11, 9, i as u64),
            charter,
            subject: s.key(&handle)?,
            role: Role::Editor,
            section: Some(editor.section.clone()),
            group: None,
            organisation: Some(format!("IWW working group {}", i + 1)),
            country: Some(editor.country.clone()),
            region: None,
            expires_at,
        };
        s.sign(
            &format!("editor-{}", editor.section),
            &editor.steward,
            Body::Attestation(body),
        )?;
    }
    Ok(())
}

/// Everyone but one unattested author says who they are. Profiles are
/// self-declared: the audit never trusts them (the attestations above
/// are what counts), and bundles do not carry them.
pub(super) fn profiles(s: &mut Scenario, people: &People) -> anyhow::Result<()> {
    let at = |i: usize| utc(2024, 1, 15, 12, i as u64);
    let mut n = 0;
    let mut next = || {
        n += 1;
        at(n)
    };
    for steward in &people.stewards {
        let body = Profile {
            created_at: next(),
            name: steward.name.clone(),
            group: people.profiles.steward_group.clone(),
            organisation: Some(people.profiles.steward_organisation.clone()),
            country: Some(steward.country.clone()),
            languages: vec!["en".into()],
        };
        s.sign(
            &format!("profile-{}", steward.handle),
            &steward.handle,
            Body::Profile(body),
        )?;
    }
    for nri in &people.nris {
        let body = Profile {
            created_at: next(),
            name: nri.name.clone(),
            group: people.profiles.nri_group.clone(),
            organisation: Some(nri.name.clone()),
            country: nri.country.clone(),
            languages: vec!["en".into()],
        };
        s.sign(
            &format!("profile-{}", nri.handle),
            &nri.handle,
            Body::Profile(body),
        )?;
    }
    for (i, editor) in people.editors.iter().enumerate() {
        let handle = editor_handle(&editor.section);
        let body = Profile {
            created_at: next(),
            name: editor.name.clone(),
            group: editor.group.clone(),
            organisation: Some(format!("IWW working group {} co-facilitator", i + 1)),
            country: Some(editor.country.clone()),
            languages: vec!["en".into()],
        };
        s.sign(&format!("profile-{handle}"), &handle, Body::Profile(body))?;
    }
    for stakeholder in &people.stakeholders {
        let body = Profile {
            created_at: next(),
            name: stakeholder.name.clone(),
            group: stakeholder.group.clone(),
            organisation: Some(stakeholder.organisation.clone()),
            country: Some(stakeholder.country.clone()),
            languages: stakeholder.languages.clone(),
        };
        s.sign(
            &format!("profile-{}", stakeholder.handle),
            &stakeholder.handle,
            Body::Profile(body),
        )?;
    }
    // A profile claiming a group proves nothing: this author stays unattested.
    let guest = people.unattested.first().context("an unattested guest")?;
    let claim = &people.guest_profile;
    let body = Profile {
        created_at: ms(&claim.at)?,
        name: guest.name.clone(),
        group: claim.group.clone(),
        organisation: None,
        country: Some(claim.country.clone()),
        languages: claim.languages.clone(),
    };
    s.sign(
        &format!("profile-{}", guest.handle),
        &guest.handle,
        Body::Profile(body),
    )?;
    Ok(())
}
