//! What the signing verbs (`comment`, `endorse`, `profile`, `attest`,
//! `retract`, `revoke`, `draft`, `charter`) share: the `--dry-run` and
//! `--json` flags, reading a text argument from a file, and
//! validate → unlock → sign → submit → report.
//!
//! The body is validated before the passphrase is asked for, so a typo in a
//! flag costs no typing; the object is validated again when signed.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_api_types::ItemStatus;
use baraza_protocol::{Body, ObjectError, SignedObject};
use clap::Args;
use serde_json::json;

use super::{read_bounded, Bounded, Globals, Input};

/// Flags of every command that signs and submits one object.
#[derive(Debug, Args)]
pub(crate) struct SubmitFlags {
    /// Sign, then print the signed object as JSON instead of submitting it
    /// (the node is not contacted).
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the outcome as JSON: {"id", "kind", "status", "missing"?, "node"}.
    /// Status is "stored" (new), "known" (the node had it) or "pending"
    /// (held until the referenced objects in "missing" arrive).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Validates `body`, signs it with the keystore's key and submits it to the
/// node (or prints it, with `--dry-run`). `stdin_busy`: stdin was read for
/// input, so the passphrase cannot come from it.
pub(crate) fn sign_and_submit(
    globals: &Globals,
    flags: &SubmitFlags,
    body: Body,
    stdin_busy: bool,
) -> anyhow::Result<ExitCode> {
    let kind = body.kind();
    body.validate().map_err(|source| {
        let err = ObjectError::Invalid { kind, source };
        anyhow!("{err} [{}]", err.code())
    })?;
    // Check the node URL before the passphrase, too.
    let client = if flags.dry_run {
        None
    } else {
        Some(globals.client()?)
    };
    let key = globals.unlock_key(stdin_busy)?;
    let object =
        SignedObject::sign(body, &key).map_err(|e| anyhow!("cannot sign: {e} [{}]", e.code()))?;
    let mut stdout = std::io::stdout().lock();
    let Some(client) = client else {
        writeln!(stdout, "{:#}", object.to_json()).context("cannot write to stdout")?;
        return Ok(ExitCode::SUCCESS);
    };
    let result = client
        .submit_one(object.bytes())
        .with_context(|| format!("cannot submit the {kind}"))?;
    if flags.json {
        let mut value = json!({
            "id": object.id().to_string(),
            "kind": kind.as_str(),
            "status": result.status,
            "node": client.url(),
        });
        if !result.missing().is_empty() {
            value["missing"] = json!(result.missing());
        }
        writeln!(stdout, "{value:#}")
    } else {
        writeln!(stdout, "{}", object.id())
    }
    .context("cannot write to stdout")?;
    if !flags.json {
        match result.status {
            ItemStatus::Stored => {
                eprintln!("{kind} {} stored by {}", object.id().short(), client.url())
            }
            ItemStatus::Known => eprintln!(
                "{kind} {} was already stored by {}",
                object.id().short(),
                client.url()
            ),
            ItemStatus::Pending => eprintln!(
                "{kind} {} is held by {} until it has {}: {}",
                object.id().short(),
                client.url(),
                if result.missing().len() == 1 {
                    "this referenced object"
                } else {
                    "these referenced objects"
                },
                result
                    .missing()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => eprintln!("{kind} {}: {other}", object.id().short()),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a text argument from `path` (`-` for stdin), at most `limit` bytes
/// once trailing line breaks are dropped (an editor's final newline is not
/// part of a comment). Returns the text and whether stdin was read.
pub(crate) fn read_text(path: &Path, limit: usize, what: &str) -> anyhow::Result<(String, bool)> {
    let input = Input::from_arg(path);
    // Room for the line breaks that are trimmed; validation reports the
    // exact size of anything longer.
    let bytes = match read_bounded(&input, limit + 2)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => bail!(
            "{} is too large for {what}: the limit is {limit} bytes",
            input.name()
        ),
    };
    let text =
        String::from_utf8(bytes).map_err(|e| anyhow!("{} is not UTF-8 text: {e}", input.name()))?;
    let trimmed = text.trim_end_matches(['\n', '\r']).to_owned();
    Ok((trimmed, input == Input::Stdin))
}

/// Reads a JSON file (at most `limit` bytes) into `T`.
pub(crate) fn read_json_file<T: serde::de::DeserializeOwned>(
    path: &Path,
    limit: usize,
    what: &str,
) -> anyhow::Result<(T, bool)> {
    let input = Input::from_arg(path);
    let bytes = match read_bounded(&input, limit)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => bail!(
            "{} is too large for {what}: the limit is {limit} bytes",
            input.name()
        ),
    };
    let value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not valid {what}", input.name()))?;
    Ok((value, input == Input::Stdin))
}
