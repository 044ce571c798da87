//! What the signing verbs (`comment`, `endorse`, `profile`, `attest`,
//! `retract`, `revoke`, `draft`, `charter`) share: the `--dry-run` and
//! `--json` and `--receipt` flags, reading a text argument from a file,
//! and validate → unlock → sign → submit → report (and keep the node's
//! receipt).
//!
//! The body is validated before the passphrase is asked for, so a typo in a
//! flag costs no typing; the object is validated again when signed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_api_types::{ItemResult, ItemStatus};
use baraza_protocol::tlog::Receipt;
use baraza_protocol::{Body, ObjectError, ObjectId, SignedObject};
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
    /// Print the outcome as JSON: {"id", "kind", "status", "missing"?, "node"}
    /// (with --receipt also "receipt" and "log_index"). Status is "stored"
    /// (new), "known" (the node had it) or "pending" (held until the
    /// referenced objects in "missing" arrive).
    #[arg(long)]
    pub(crate) json: bool,
    /// Save the node's receipt to FILE: its signed word that the object is
    /// entry N of its transparency log, exactly as received. Check it later
    /// with `baraza receipt verify FILE`. A pending object has no receipt
    /// yet; a node from before transparency logs gives none (a warning,
    /// and FILE is not written).
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub(crate) receipt: Option<PathBuf>,
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
    let receipt = match &flags.receipt {
        Some(path) => save_receipt(path, object.id(), &result)?,
        None => None,
    };
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
        if let Some((note, receipt)) = &receipt {
            value["receipt"] = json!(note);
            value["log_index"] = json!(receipt.index);
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

/// Checks the node's receipt for object `id` and writes it to `path` as
/// received. Returns the note and what it says; `None` (after a warning)
/// when there is none to save.
fn save_receipt(
    path: &Path,
    id: ObjectId,
    result: &ItemResult,
) -> anyhow::Result<Option<(String, Receipt)>> {
    if !matches!(result.status, ItemStatus::Stored | ItemStatus::Known) {
        eprintln!(
            "warning: the object is {}, not stored, so it has no receipt yet; {} was not written",
            result.status,
            path.display()
        );
        return Ok(None);
    }
    let Some(note) = &result.receipt else {
        eprintln!(
            "warning: the node returned no receipt (it may predate transparency logs); \
             {} was not written",
            path.display()
        );
        return Ok(None);
    };
    let receipt = Receipt::verify(note.as_bytes()).map_err(|e| {
        anyhow!(
            "the object was stored, but the node's receipt does not verify: {e} [{}]; \
             {} was not written",
            e.code(),
            path.display()
        )
    })?;
    if receipt.leaf.id != id {
        bail!(
            "the object was stored, but the node's receipt is for another object ({}); \
             {} was not written",
            receipt.leaf.id,
            path.display()
        );
    }
    std::fs::write(path, note).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "receipt: entry {} of the node's log ({}), saved to {}",
        receipt.index,
        crate::logcheck::short_origin(&receipt),
        path.display()
    );
    Ok(Some((note.clone(), receipt)))
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

#[cfg(test)]
mod tests {
    use baraza_protocol::tlog::LogLeaf;
    use baraza_protocol::Keypair;

    use super::*;

    fn signed_receipt(id: ObjectId) -> String {
        let key = Keypair::generate();
        let leaf = LogLeaf {
            id,
            time_ms: 1_700_000_000_000,
        };
        String::from_utf8(Receipt::new(&key.public(), 4, leaf).sign(&key)).expect("notes are text")
    }

    #[test]
    fn a_receipt_is_saved_as_received_only_when_it_verifies_for_the_object() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.receipt");
        let id = ObjectId([7; 32]);
        let mut result = ItemResult::new(Some(id), ItemStatus::Stored);

        // An older node: no receipt, nothing written, no error.
        assert!(save_receipt(&path, id, &result)
            .expect("a warning")
            .is_none());
        assert!(!path.exists());

        // Another object's receipt is refused and not written.
        result.receipt = Some(signed_receipt(ObjectId([8; 32])));
        let err = save_receipt(&path, id, &result).expect_err("another object");
        assert!(err.to_string().contains("another object"), "{err}");
        assert!(!path.exists());

        // A changed receipt is refused.
        let note = signed_receipt(id);
        result.receipt = Some(note.replacen("index 4", "index 5", 1));
        let err = save_receipt(&path, id, &result).expect_err("tampered");
        assert!(err.to_string().contains("does not verify"), "{err}");
        assert!(!path.exists());

        // The object's own receipt is written byte for byte.
        result.receipt = Some(note.clone());
        let (saved, receipt) = save_receipt(&path, id, &result)
            .expect("saved")
            .expect("a receipt");
        assert_eq!(receipt.index, 4);
        assert_eq!(saved, note);
        assert_eq!(std::fs::read_to_string(&path).expect("written"), note);

        // A pending object has none yet.
        let pending = ItemResult::new(Some(id), ItemStatus::Pending);
        std::fs::remove_file(&path).expect("remove");
        assert!(save_receipt(&path, id, &pending)
            .expect("a warning")
            .is_none());
        assert!(!path.exists());
    }
}
