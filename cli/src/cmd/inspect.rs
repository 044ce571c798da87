//! `baraza inspect`: decode and verify one signed object and show it.
//!
//! An invalid object is an answer, not a failure of the tool: the verdict
//! goes to stderr (and, with `--json`, to stdout as data) and the exit code
//! is 1.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use baraza_protocol::limits::MAX_OBJECT_BYTES;
use baraza_protocol::{ObjectError, SignedObject};
use clap::Args;

use super::{read_bounded, Bounded, Input};

/// Arguments of `baraza inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The signed object (binary COSE_Sign1, as written by `baraza sign`).
    /// `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print {"id", "author", "kind", "body"} as JSON; an invalid object
    /// prints {"valid": false, "error": CODE, "message": ...} instead.
    #[arg(long)]
    json: bool,
}

/// Why the input is not a valid object: a stable code and a message.
struct Invalid {
    /// [`ObjectError::code`] or `too_large`.
    code: &'static str,
    /// Human explanation.
    message: String,
}

impl From<ObjectError> for Invalid {
    fn from(err: ObjectError) -> Invalid {
        Invalid {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

/// Runs `baraza inspect`.
pub(crate) fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let verdict = match read_bounded(&Input::from_arg(&args.file), MAX_OBJECT_BYTES)? {
        Bounded::Complete(bytes) => SignedObject::decode(&bytes).map_err(Invalid::from),
        Bounded::TooLarge {
            size: Some(size), ..
        } => Err(ObjectError::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit: MAX_OBJECT_BYTES,
        }
        .into()),
        Bounded::TooLarge { size: None } => Err(Invalid {
            code: "too_large",
            message: format!("input is over the object limit of {MAX_OBJECT_BYTES} bytes"),
        }),
    };
    let mut stdout = std::io::stdout().lock();
    match verdict {
        Ok(object) => {
            if args.json {
                writeln!(stdout, "{:#}", object.to_json())
            } else {
                write_summary(&mut stdout, &object, "signature verified")
            }
            .context("cannot write to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(invalid) => {
            eprintln!("invalid object: {} [{}]", invalid.message, invalid.code);
            if args.json {
                let value = serde_json::json!({
                    "valid": false,
                    "error": invalid.code,
                    "message": invalid.message,
                });
                writeln!(stdout, "{value:#}").context("cannot write to stdout")?;
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The human-readable form.
///
/// `checked` says what was verified (`get` also checks the id it asked for).
pub(crate) fn write_summary(
    out: &mut impl Write,
    object: &SignedObject,
    checked: &str,
) -> std::io::Result<()> {
    writeln!(out, "valid       {checked}")?;
    writeln!(out, "id          {}", object.id())?;
    writeln!(out, "author      {}", object.author())?;
    writeln!(out, "kind        {}", object.kind())?;
    writeln!(
        out,
        "created_at  {} ({} ms)",
        crate::time::iso8601_utc(object.created_at()),
        object.created_at()
    )?;
    writeln!(out, "size        {} bytes", object.bytes().len())?;
    writeln!(out, "body        {:#}", object.body().to_json())
}
