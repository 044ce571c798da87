//! `baraza audit`: the audit report of one object — from a node
//! (`baraza audit ID`, the node's `GET /v1/audit/{id}`) or offline from an
//! audit bundle (`baraza audit --bundle FILE`).
//!
//! Exit codes (as issue 3 specifies for audits): 0 when the policy is met,
//! 1 when it is not or anomalies were found (or the node could not be
//! asked), 2 when the input is invalid or incomplete.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_protocol::audit::{self, AuditOptions, AuditReport, Verdict};
use baraza_protocol::kinds::Body;
use baraza_protocol::{ObjectId, SignedObject};
use clap::Args;

use super::audit_render::{self, Statements};
use super::{read_bounded, Bounded, Globals, Input};
use crate::client::NodeClient;
use crate::time::now_ms;

/// Objections whose statements the node path fetches; beyond this, the
/// report lists objectors without their statements.
const MAX_STATEMENTS_FETCHED: usize = 20;

/// Shown after `baraza audit --help`.
pub(crate) const AUDIT_EXIT_CODES: &str = "\
Exit codes:
  0  the report's verdict is policy_met
  1  the policy is not met, anomalies were found, the target belongs to no
     consultation, or the node could not be asked
  2  invalid or incomplete input (a missing object, a bad bundle), or a usage error";

/// Arguments of `baraza audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// The audited object's id, fetched from the node (--node).
    #[arg(
        value_name = "ID",
        required_unless_present = "bundle",
        conflicts_with = "bundle"
    )]
    id: Option<ObjectId>,
    /// Audit offline from an audit bundle file instead (`-` for stdin);
    /// no node is contacted.
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// Print the report as JSON, exactly as produced.
    #[arg(long)]
    json: bool,
    /// Also save the node's audit bundle of ID to FILE, for anyone to check
    /// offline with `baraza audit --bundle FILE`.
    #[arg(long, value_name = "FILE", requires = "id")]
    save_bundle: Option<PathBuf>,
}

/// Runs `baraza audit`.
pub(crate) fn run(globals: &Globals, args: &AuditArgs) -> anyhow::Result<ExitCode> {
    match (&args.id, &args.bundle) {
        (_, Some(bundle)) => audit_bundle(bundle, args.json),
        (Some(id), None) => {
            let client = globals.client()?;
            if let Some(path) = &args.save_bundle {
                save_bundle(&client, id, path)?;
            }
            audit_on_node(&client, id, args.json)
        }
        (None, None) => Err(anyhow!("give an object ID or --bundle FILE")),
    }
}

/// The node path: `GET /v1/audit/{id}`.
fn audit_on_node(client: &NodeClient, id: &ObjectId, json: bool) -> anyhow::Result<ExitCode> {
    // The auditor's clock is ours, so future-dated objects are flagged as
    // they would be offline.
    let path = format!("/v1/audit/{id}?as_of={}", now_ms()?);
    let value = match client.get_json(&path) {
        Ok(value) => value,
        Err(e) if e.is_not_found() => {
            eprintln!("error: {} has no object {id} to audit", client.url());
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot get the audit of {id}")),
    };
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{value:#}").context("cannot write to stdout")?;
    }
    // The node may be newer than this CLI: if its report does not parse,
    // still show (and exit by) the verdict.
    let report: Option<AuditReport> = serde_json::from_value(value.clone()).ok();
    let verdict = match &report {
        Some(report) => report.verdict,
        None => serde_json::from_value(value["verdict"].clone())
            .map_err(|_| anyhow!("the node's audit report has no verdict this CLI knows"))?,
    };
    if !json {
        match &report {
            Some(report) => {
                let statements = statements(report, MAX_STATEMENTS_FETCHED, |id| {
                    fetch_verified(client, id)
                });
                audit_render::write_report(&mut stdout, report, &statements)
            }
            None => {
                let reasons = value["reasons"].as_array().cloned().unwrap_or_default();
                writeln!(stdout, "VERDICT: {}", verdict.as_str()).and_then(|()| {
                    reasons.iter().try_for_each(|r| {
                        writeln!(stdout, "            - {}", r.as_str().unwrap_or_default())
                    })
                })
            }
        }
        .context("cannot write to stdout")?;
    }
    Ok(exit_code(verdict))
}

/// Fetches the node's bundle of `id`, checks that it reads as a bundle of
/// `id`, and writes it to `path`.
fn save_bundle(client: &NodeClient, id: &ObjectId, path: &Path) -> anyhow::Result<()> {
    let bytes = client
        .get_raw(&format!("/v1/audit/{id}/bundle"))
        .with_context(|| format!("cannot get the audit bundle of {id}"))?;
    match audit::read_bundle(&bytes) {
        Ok((target, _)) if target == *id => {}
        Ok((target, _)) => bail!("the node sent a bundle of {target}, not of {id}"),
        Err(e) => bail!("the node sent an invalid bundle of {id}: {e}"),
    }
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "saved the audit bundle of {} to {}",
        id.short(),
        path.display()
    );
    Ok(())
}

/// The offline path: read and verify a bundle, audit its target.
///
/// The bundle's objects are at hand, so objection statements come from them.
fn audit_bundle(path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let input = Input::from_arg(path);
    let limit = baraza_protocol::limits::MAX_BUNDLE_BYTES;
    let bytes = match read_bounded(&input, limit)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => {
            eprintln!(
                "error: {} is over the bundle limit of {limit} bytes",
                input.name()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let (target, objects) = match audit::read_bundle(&bytes) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("error: {} is not a valid audit bundle: {e}", input.name());
            return Ok(ExitCode::from(2));
        }
    };
    let options = AuditOptions {
        as_of: Some(now_ms()?),
    };
    let report = audit::audit(&objects, &target, &options);
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{}", report.to_json())
    } else {
        let statements = statements(&report, usize::MAX, |id| objects.get(id).cloned());
        audit_render::write_report(&mut stdout, &report, &statements)
    }
    .context("cannot write to stdout")?;
    Ok(exit_code(report.verdict))
}

fn exit_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::PolicyMet => ExitCode::SUCCESS,
        Verdict::Incomplete => ExitCode::from(2),
        Verdict::PolicyNotMet | Verdict::AnomaliesFound | Verdict::NoCharter => ExitCode::FAILURE,
    }
}

/// The statements of the report's objections, read through `lookup` for at
/// most `max` objectors. The report carries who objected, not what they
/// said; a statement that cannot be read is left out.
fn statements(
    report: &AuditReport,
    max: usize,
    lookup: impl Fn(&ObjectId) -> Option<SignedObject>,
) -> Statements {
    let objectors = report.endorsements.iter().flat_map(|e| &e.objectors);
    objectors
        .take(max)
        .filter_map(|objector| {
            let object = lookup(&objector.endorsement)?;
            match object.body() {
                Body::Endorsement(e) => Some((objector.endorsement, e.statement.clone()?)),
                _ => None,
            }
        })
        .collect()
}

/// Object `id` from the node, when its bytes hash to `id` and verify.
fn fetch_verified(client: &NodeClient, id: &ObjectId) -> Option<SignedObject> {
    let bytes = client.object_bytes(id).ok()?;
    if ObjectId::of_bytes(&bytes) != *id {
        return None;
    }
    SignedObject::decode(&bytes).ok()
}
