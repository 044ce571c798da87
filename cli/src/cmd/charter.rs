//! `baraza charter`: sign a consultation's charter from a TOML or JSON file
//! and submit it.
//!
//! The file has the body's shape (`docs/PROTOCOL.md` §6). Timestamps —
//! `created_at` and each phase's `opens` and `closes` — may be written as
//! dates (`2024-02-01`, midnight UTC, as a TOML date or a string) or
//! instants (`2024-02-01T12:00:00Z`) instead of milliseconds; a missing
//! `created_at` is now.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_protocol::{Body, Kind};
use clap::Args;
use serde_json::{Map, Value};

use super::submit::{sign_and_submit, SubmitFlags};
use super::{read_bounded, Bounded, Globals, Input, EXIT_CODES};
use crate::time::{now_ms, parse_instant};

/// Largest charter file read.
const MAX_CHARTER_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Arguments of `baraza charter`.
#[derive(Debug, Args)]
#[command(after_long_help = format!("{EXAMPLE}\n\n{EXIT_CODES}"))]
pub(crate) struct CharterArgs {
    /// The charter as TOML (`.toml`) or JSON (any other name; `-` reads
    /// stdin, JSON or TOML).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    submit: SubmitFlags,
}

const EXAMPLE: &str = "\
Example charter.toml:
  title = \"The Internet We Want\"
  summary = \"A multistakeholder vision\"
  stewards = [\"did:key:z6Mk…\"]
  threshold = 1
  languages = [\"en\", \"fr\"]

  [[sections]]
  slug = \"whole-and-open\"
  title = \"Whole and open\"

  [[phases]]
  name = \"consultation\"
  opens = 2024-02-01
  closes = 2024-03-01
  accepts = [\"comment\", \"endorsement\"]

  [policy]
  min_nris = 3
  min_regions = 2
  groups = [\"government\", \"civil_society\"]";

/// Runs `baraza charter`.
pub(crate) fn run(globals: &Globals, args: &CharterArgs) -> anyhow::Result<ExitCode> {
    let input = Input::from_arg(&args.file);
    let name = input.name();
    let bytes = match read_bounded(&input, MAX_CHARTER_FILE_BYTES)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => {
            bail!("{name} is larger than {MAX_CHARTER_FILE_BYTES} bytes, too large for a charter")
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| anyhow!("{name} is not UTF-8: {e}"))?;
    let mut json = parse_file(&args.file, &text).with_context(|| format!("cannot read {name}"))?;
    complete_timestamps(&mut json, now_ms()?).with_context(|| format!("in {name}"))?;
    let body = Body::from_json(Kind::Charter, json)
        .with_context(|| format!("{name} is not a valid charter"))?;
    sign_and_submit(globals, &args.submit, body, input == Input::Stdin)
}

/// TOML for `.toml` files, JSON for the rest; stdin may be either.
fn parse_file(path: &Path, text: &str) -> anyhow::Result<Value> {
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let is_stdin = path.as_os_str() == "-";
    if !is_toml {
        match serde_json::from_str(text) {
            Ok(value) => return Ok(value),
            Err(e) if !is_stdin => return Err(anyhow!("not valid JSON: {e}")),
            Err(_) => {}
        }
    }
    let table: toml::Table = text.parse().map_err(|e| anyhow!("not valid TOML: {e}"))?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

/// TOML values as JSON; dates and times become their RFC 3339 text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// Fills a missing `created_at` with `now` and turns date strings in
/// `created_at` and `phases[].opens`/`closes` into ms.
fn complete_timestamps(json: &mut Value, now: u64) -> anyhow::Result<()> {
    let Value::Object(fields) = json else {
        bail!("a charter must be a table (TOML) or an object (JSON)");
    };
    fields
        .entry("created_at")
        .or_insert_with(|| Value::from(now));
    date_to_ms(fields, "created_at", "created_at")?;
    if let Some(Value::Array(phases)) = fields.get_mut("phases") {
        for (i, phase) in phases.iter_mut().enumerate() {
            if let Value::Object(phase) = phase {
                date_to_ms(phase, "opens", &format!("phases[{i}].opens"))?;
                date_to_ms(phase, "closes", &format!("phases[{i}].closes"))?;
            }
        }
    }
    Ok(())
}

fn date_to_ms(fields: &mut Map<String, Value>, key: &str, at: &str) -> anyhow::Result<()> {
    if let Some(Value::String(text)) = fields.get(key) {
        let ms = parse_instant(text).map_err(|e| anyhow!("{at}: {e}"))?;
        fields.insert(key.to_owned(), Value::from(ms));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_dates_become_milliseconds() {
        let text = "title = \"T\"\ncreated_at = \"2024-01-31\"\n\
                    [[phases]]\nname = \"c\"\nopens = 2024-02-01\ncloses = 2024-03-01T00:00:00Z\n";
        let mut json = parse_file(Path::new("c.toml"), text).expect("parses");
        complete_timestamps(&mut json, 1).expect("dates");
        assert_eq!(json["created_at"], 1_706_659_200_000u64);
        assert_eq!(json["phases"][0]["opens"], 1_706_745_600_000u64);
        assert_eq!(json["phases"][0]["closes"], 1_709_251_200_000u64);
    }

    #[test]
    fn missing_created_at_is_now_and_bad_dates_are_named() {
        let mut json = serde_json::json!({"phases": [{"opens": "soon"}]});
        let err = complete_timestamps(&mut json, 7).expect_err("bad date");
        assert!(err.to_string().contains("phases[0].opens"), "{err}");
        assert_eq!(json["created_at"], 7);
    }
}
