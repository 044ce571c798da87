//! `baraza attest`: vouch for another key's role in a consultation — a
//! steward accrediting an NRI or an editor, an NRI accrediting a
//! stakeholder — and submit the attestation.

use std::process::ExitCode;

use baraza_protocol::kinds::{Attestation, Region, Role, StakeholderGroup};
use baraza_protocol::{Body, ObjectId, PublicKey};
use clap::{Args, ValueEnum};

use super::submit::{sign_and_submit, SubmitFlags};
use super::Globals;
use crate::time::{now_ms, parse_instant, DAY_MS};

/// The role granted, as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// A National or Regional IGF Initiative (attested by a steward).
    Nri,
    /// An editor of one section (attested by a steward; needs --section).
    Editor,
    /// A stakeholder (attested by an accredited NRI; needs --group and --region).
    Stakeholder,
    /// A node key that witnesses other nodes' logs for the issuing NRI
    /// (attested by an accredited NRI; the subject is the node's key, the
    /// did:key in its log origin: `baraza log show` or GET /v1/log).
    Witness,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Nri => Role::Nri,
            RoleArg::Editor => Role::Editor,
            RoleArg::Stakeholder => Role::Stakeholder,
            RoleArg::Witness => Role::Witness,
        }
    }
}

/// Arguments of `baraza attest`.
#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    /// The key vouched for (did:key:z6Mk…).
    #[arg(value_name = "DID")]
    subject: PublicKey,
    /// The consultation: its charter's id.
    #[arg(long, value_name = "ID")]
    charter: ObjectId,
    /// The role granted.
    #[arg(long, value_enum)]
    role: RoleArg,
    /// For editors: the section slug they edit.
    #[arg(long, value_name = "SLUG")]
    section: Option<String>,
    /// Stakeholder group (required for stakeholders): government,
    /// private_sector, civil_society, technical_community, academia,
    /// intergovernmental, youth, parliamentarian, or other:<label>.
    #[arg(long, value_name = "GROUP")]
    group: Option<StakeholderGroup>,
    /// Organisation (for an NRI: its name).
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// Country (ISO 3166-1 alpha-2).
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// UN regional group (required for NRIs and stakeholders): african,
    /// asia_pacific, eastern_european, latin_american_caribbean,
    /// western_european_other.
    #[arg(long, value_name = "REGION")]
    region: Option<Region>,
    /// Last day of validity, YYYY-MM-DD (valid through the end of that day,
    /// UTC), or an exact end YYYY-MM-DDTHH:MM:SSZ.
    #[arg(long, value_name = "DATE", value_parser = parse_expiry)]
    expires: u64,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// A date means "through the end of that day"; an instant is taken as is.
fn parse_expiry(text: &str) -> Result<u64, String> {
    let at = parse_instant(text)?;
    Ok(if text.contains('T') { at } else { at + DAY_MS })
}

/// Runs `baraza attest`.
pub(crate) fn run(globals: &Globals, args: &AttestArgs) -> anyhow::Result<ExitCode> {
    let body = Body::Attestation(Attestation {
        created_at: now_ms()?,
        charter: args.charter,
        subject: args.subject,
        role: args.role.into(),
        section: args.section.clone(),
        group: args.group.clone(),
        organisation: args.org.clone(),
        country: args.country.clone(),
        region: args.region,
        expires_at: args.expires,
    });
    sign_and_submit(globals, &args.submit, body, false)
}
