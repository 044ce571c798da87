//! `baraza profile`: sign how your key presents itself (name, stakeholder
//! group, organisation, country, languages) and submit it. Self-declared:
//! the latest profile wins, and audits trust only attestations.

use std::process::ExitCode;

use baraza_protocol::kinds::{Profile, StakeholderGroup};
use baraza_protocol::Body;
use clap::Args;

use super::submit::{sign_and_submit, SubmitFlags};
use super::Globals;
use crate::time::now_ms;

/// Arguments of `baraza profile`.
#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    /// Your display name.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Your stakeholder group: government, private_sector, civil_society,
    /// technical_community, academia, intergovernmental, youth,
    /// parliamentarian, or other:<label>.
    #[arg(long, value_name = "GROUP")]
    group: StakeholderGroup,
    /// Your organisation.
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// Your country (ISO 3166-1 alpha-2, e.g. KE).
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// A language you read and write (BCP 47); repeat for several.
    #[arg(long = "lang", value_name = "TAG")]
    languages: Vec<String>,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// Runs `baraza profile`.
pub(crate) fn run(globals: &Globals, args: &ProfileArgs) -> anyhow::Result<ExitCode> {
    let body = Body::Profile(Profile {
        created_at: now_ms()?,
        name: args.name.clone(),
        group: args.group.clone(),
        organisation: args.org.clone(),
        country: args.country.clone(),
        languages: args.languages.clone(),
    });
    sign_and_submit(globals, &args.submit, body, false)
}
