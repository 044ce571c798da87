//! `baraza sign`: turn a JSON body into a signed object.
//!
//! Every check that needs no key runs before the passphrase is asked for, so
//! a typo in the body costs no typing.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context};
use baraza_protocol::{Body, Kind, ObjectError, SignedObject, KINDS};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use serde_json::Value;

use super::{read_bounded, Bounded, Globals, Input};

/// Largest JSON body accepted, in bytes. Generous next to the 256 KiB object
/// limit because JSON escapes (`\u00e9`) can take six bytes per character;
/// the object limit itself is enforced when signing.
const MAX_BODY_JSON_BYTES: usize = 2 * 1024 * 1024;

/// Arguments of `baraza sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The kind of object to sign.
    #[arg(value_parser = kind_parser())]
    kind: Kind,
    /// The body as JSON, in the shape `baraza inspect --json` prints under
    /// "body" (ids as 64 hex digits, keys as did:key). `-` reads stdin. A
    /// missing "created_at" is set to the current time in ms.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    /// Write the signed object (binary COSE_Sign1) to FILE. Without it the
    /// object goes to stdout, which must then not be a terminal.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Parses a kind name; `--help` and errors list the possible values.
fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    PossibleValuesParser::new(KINDS.map(|kind| kind.as_str())).try_map(|name| name.parse::<Kind>())
}

/// Runs `baraza sign`.
pub(crate) fn run(globals: &Globals, args: &SignArgs) -> anyhow::Result<ExitCode> {
    if args.out.is_none() && std::io::stdout().is_terminal() {
        bail!(
            "refusing to write a binary object to the terminal; pass --out FILE or redirect stdout"
        );
    }
    let input = Input::from_arg(&args.body);
    let body = read_body(&input, args.kind, now_ms()?)?;

    let key = globals.unlock_key(input == Input::Stdin)?;
    let object =
        SignedObject::sign(body, &key).map_err(|e| anyhow!("cannot sign: {e} [{}]", e.code()))?;

    super::write_object_bytes(args.out.as_deref(), object.bytes())?;
    eprintln!("signed {} {}", object.kind(), object.id());
    Ok(ExitCode::SUCCESS)
}

/// Reads, completes and validates the body of `kind` from `input`.
fn read_body(input: &Input, kind: Kind, now_ms: u64) -> anyhow::Result<Body> {
    let name = input.name();
    let bytes = match read_bounded(input, MAX_BODY_JSON_BYTES)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => {
            bail!("{name} is larger than {MAX_BODY_JSON_BYTES} bytes, too large for a body")
        }
    };
    let mut json: Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{name} is not valid JSON"))?;
    let Value::Object(fields) = &mut json else {
        bail!(
            "{name}: a {kind} body must be a JSON object, found {}",
            json_type(&json)
        );
    };
    fields
        .entry("created_at")
        .or_insert_with(|| Value::from(now_ms));
    let body = Body::from_json(kind, json)
        .with_context(|| format!("{name} is not a valid {kind} body"))?;
    body.validate().map_err(|source| {
        let err = ObjectError::Invalid { kind, source };
        anyhow!("{name}: {err} [{}]", err.code())
    })?;
    Ok(body)
}

/// The current time in ms since the Unix epoch.
fn now_ms() -> anyhow::Result<u64> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    u64::try_from(since_epoch.as_millis()).context("the system clock is past the year 500 million")
}

/// A JSON value's type, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
