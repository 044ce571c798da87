//! `baraza get`: fetch one object from the node, check it, and show it.
//!
//! The node is not trusted: the bytes it returns must hash to the id asked
//! for and carry a valid signature, or the command fails.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use baraza_protocol::{ObjectId, SignedObject};
use clap::Args;

use super::Globals;

/// Arguments of `baraza get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The object's id (64 hex digits).
    #[arg(value_name = "ID")]
    id: ObjectId,
    /// Print {"id", "author", "kind", "body"} as JSON.
    #[arg(long, conflicts_with = "cbor")]
    json: bool,
    /// Write the signed object itself (binary COSE_Sign1), to --out or to
    /// stdout when it is not a terminal.
    #[arg(long)]
    cbor: bool,
    /// With --cbor: the file to write.
    #[arg(long, value_name = "FILE", requires = "cbor")]
    out: Option<PathBuf>,
}

/// Runs `baraza get`.
pub(crate) fn run(globals: &Globals, args: &GetArgs) -> anyhow::Result<ExitCode> {
    if args.cbor && args.out.is_none() && std::io::stdout().is_terminal() {
        bail!(
            "refusing to write a binary object to the terminal; pass --out FILE or redirect stdout"
        );
    }
    let client = globals.client()?;
    let bytes = match client.object_bytes(&args.id) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => bail!("{} has no object {}", client.url(), args.id),
        Err(e) => return Err(e).with_context(|| format!("cannot fetch {}", args.id)),
    };
    if ObjectId::of_bytes(&bytes) != args.id {
        bail!(
            "{} answered with bytes that are not object {} (they hash to {}); the node is faulty",
            client.url(),
            args.id,
            ObjectId::of_bytes(&bytes)
        );
    }
    let object = SignedObject::decode(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "object {} from {} is invalid: {e} [{}]",
            args.id,
            client.url(),
            e.code()
        )
    })?;
    if args.cbor {
        super::write_object_bytes(args.out.as_deref(), object.bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{:#}", object.to_json())
    } else {
        super::inspect::write_summary(&mut stdout, &object, "id and signature checked")
    }
    .context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
