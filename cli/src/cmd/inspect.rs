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
                write_summary(&mut stdout, &object)
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
fn write_summary(out: &mut impl Write, object: &SignedObject) -> std::io::Result<()> {
    writeln!(out, "valid       signature verified")?;
    writeln!(out, "id          {}", object.id())?;
    writeln!(out, "author      {}", object.author())?;
    writeln!(out, "kind        {}", object.kind())?;
    writeln!(
        out,
        "created_at  {} ({} ms)",
        iso8601_utc(object.created_at()),
        object.created_at()
    )?;
    writeln!(out, "size        {} bytes", object.bytes().len())?;
    writeln!(out, "body        {:#}", object.body().to_json())
}

/// `ms` since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn iso8601_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let sod = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        ms % 1000
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, restricted to non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_of_known_instants() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        // protocol::limits::MIN_TIMESTAMP_MS and MAX_TIMESTAMP_MS.
        assert_eq!(iso8601_utc(1_577_836_800_000), "2020-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(32_503_680_000_000), "3000-01-01T00:00:00.000Z");
        // A leap day, with milliseconds.
        assert_eq!(iso8601_utc(1_709_208_296_789), "2024-02-29T12:04:56.789Z");
        // The last millisecond of a year.
        assert_eq!(iso8601_utc(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
        // 2100 is not a leap year.
        assert_eq!(iso8601_utc(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn civil_from_days_is_monotonic_over_four_centuries() {
        let mut previous = civil_from_days(0);
        for days in 1..146_097 {
            let date = civil_from_days(days);
            assert!(date > previous, "day {days}: {date:?} after {previous:?}");
            assert!((1..=12).contains(&date.1) && (1..=31).contains(&date.2));
            previous = date;
        }
    }
}
