//! `baraza retract`: sign the withdrawal of one of your objects (or of an
//! attestation you issued) and submit it.

use std::process::ExitCode;

use baraza_protocol::kinds::Retraction;
use baraza_protocol::{Body, ObjectId};
use clap::Args;

use super::submit::{sign_and_submit, SubmitFlags};
use super::Globals;
use crate::time::now_ms;

/// Arguments of `baraza retract`.
#[derive(Debug, Args)]
pub(crate) struct RetractArgs {
    /// The object withdrawn (64 hex digits). Only its author's retraction
    /// counts (for an attestation: its issuer's).
    #[arg(value_name = "ID")]
    target: ObjectId,
    /// Why (at most 2048 bytes).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// Runs `baraza retract`.
pub(crate) fn run(globals: &Globals, args: &RetractArgs) -> anyhow::Result<ExitCode> {
    let body = Body::Retraction(Retraction {
        created_at: now_ms()?,
        target: args.target,
        reason: args.reason.clone(),
    });
    sign_and_submit(globals, &args.submit, body, false)
}
