//! `baraza endorse`: sign support for (or, with `--object`, an objection
//! to) any object — a charter, a draft, a release, a comment — and submit it.

use std::process::ExitCode;

use baraza_protocol::kinds::{Endorsement, Stance};
use baraza_protocol::{Body, ObjectId};
use clap::Args;

use super::submit::{sign_and_submit, SubmitFlags};
use super::Globals;
use crate::time::now_ms;

/// Arguments of `baraza endorse`.
#[derive(Debug, Args)]
pub(crate) struct EndorseArgs {
    /// The object endorsed (64 hex digits).
    #[arg(value_name = "ID")]
    target: ObjectId,
    /// Object to the target instead of supporting it.
    #[arg(long)]
    object: bool,
    /// A statement to go with the endorsement (at most 4096 bytes).
    #[arg(long, value_name = "TEXT")]
    statement: Option<String>,
    /// The organisation or constituency you speak for.
    #[arg(long, value_name = "ORG")]
    on_behalf_of: Option<String>,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// Runs `baraza endorse`.
pub(crate) fn run(globals: &Globals, args: &EndorseArgs) -> anyhow::Result<ExitCode> {
    let body = Body::Endorsement(Endorsement {
        created_at: now_ms()?,
        target: args.target,
        stance: if args.object {
            Stance::Object
        } else {
            Stance::Support
        },
        statement: args.statement.clone(),
        on_behalf_of: args.on_behalf_of.clone(),
    });
    sign_and_submit(globals, &args.submit, body, false)
}
