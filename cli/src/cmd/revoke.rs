//! `baraza revoke`: declare a key compromised or retired, and submit it.
//! Signatures by that key dated at or after `--effective-from` are no
//! longer trusted by audits.

use std::process::ExitCode;

use anyhow::anyhow;
use baraza_protocol::kinds::Revocation;
use baraza_protocol::{Body, PublicKey};
use clap::Args;

use super::submit::{sign_and_submit, SubmitFlags};
use super::Globals;
use crate::keystore::Keystore;
use crate::time::{now_ms, parse_instant};

/// Arguments of `baraza revoke`.
#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The key revoked (did:key). Default: your own key. Another key's
    /// revocation counts only if you attested that key.
    #[arg(value_name = "DID")]
    key: Option<PublicKey>,
    /// Why (at most 2048 bytes).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// From when the key's signatures are distrusted: YYYY-MM-DD (midnight
    /// UTC) or YYYY-MM-DDTHH:MM:SSZ [default: now].
    #[arg(long, value_name = "DATE", value_parser = parse_instant)]
    effective_from: Option<u64>,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// Runs `baraza revoke`.
pub(crate) fn run(globals: &Globals, args: &RevokeArgs) -> anyhow::Result<ExitCode> {
    let now = now_ms()?;
    let key = match args.key {
        Some(key) => key,
        // The public half needs no passphrase.
        None => Keystore::load(&globals.keystore_path()?)
            .map_err(|e| anyhow!("{e}; or name the key to revoke"))?
            .public(),
    };
    let body = Body::Revocation(Revocation {
        created_at: now,
        key,
        effective_from: args.effective_from.unwrap_or(now),
        reason: args.reason.clone(),
    });
    sign_and_submit(globals, &args.submit, body, false)
}
