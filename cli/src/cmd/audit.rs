//! `baraza audit`: the audit report of one object — from a node
//! (`baraza audit ID`, the node's `GET /v1/audit/{id}`) or offline from an
//! audit bundle (`baraza audit --bundle FILE`).
//!
//! Exit codes (as issue 3 specifies for audits): 0 when the policy is met,
//! 1 when it is not or anomalies were found (or the node could not be
//! asked), 2 when the input is invalid or incomplete.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_protocol::audit::{self, AuditOptions, AuditReport, Verdict};
use baraza_protocol::ObjectId;
use clap::Args;

use super::{read_bounded, Bounded, Globals, Input};
use crate::client::NodeClient;
use crate::time::{iso8601_utc, now_ms};

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
            Some(report) => write_summary(&mut stdout, report),
            None => {
                let reasons = value["reasons"].as_array().cloned().unwrap_or_default();
                writeln!(stdout, "verdict     {}", verdict.as_str()).and_then(|()| {
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
/// Kept apart from the node path on purpose: issue 3 builds the full offline
/// auditor (`baraza bundle`, a richer report with the chain as a tree); this
/// minimal version uses the same protocol API and can be replaced whole.
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
        write_summary(&mut stdout, &report)
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

/// A short human summary: what was audited, the verdict and why, and counts.
fn write_summary(out: &mut impl Write, report: &AuditReport) -> std::io::Result<()> {
    let target = &report.target;
    let kind = target.kind.map_or("missing object", |k| k.as_str());
    let mut about = String::new();
    if let Some(label) = &target.label {
        about.push_str(&format!(" {label:?}"));
    }
    if let Some(section) = &target.section {
        about.push_str(&format!(" section {section}"));
    }
    if let Some(version) = target.version {
        about.push_str(&format!(" v{version}"));
    }
    writeln!(out, "target      {kind} {}{about}", target.id)?;
    writeln!(out, "verdict     {}", report.verdict.as_str())?;
    for reason in &report.reasons {
        writeln!(out, "            - {reason}")?;
    }
    if let Some(charter) = &report.charter {
        let force = match charter.in_force_at {
            Some(at) => format!("in force since {}", iso8601_utc(at)),
            None => "not in force".to_owned(),
        };
        writeln!(
            out,
            "charter     {:?} {} ({force}; {} of {} ratifications)",
            charter.title,
            charter.id.short(),
            charter.ratifications.len(),
            charter.threshold
        )?;
    }
    let by_kind: Vec<String> = report
        .objects
        .by_kind
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    writeln!(
        out,
        "objects     {} ({})",
        report.objects.total,
        by_kind.join(", ")
    )?;
    let trust = &report.trust;
    writeln!(
        out,
        "trust       {} of {} signed objects held a chain to a steward ({} signers)",
        trust.held, trust.evaluated, trust.signers
    )?;
    if let Some(endorsements) = &report.endorsements {
        writeln!(
            out,
            "endorsed    {} support, {} objection, {} not counted",
            endorsements.support.total,
            endorsements.objection.total,
            endorsements.not_counted.len()
        )?;
    }
    if let Some(policy) = &report.policy {
        for clause in &policy.clauses {
            writeln!(
                out,
                "policy      {} {}: {}",
                if clause.met { "met    " } else { "NOT met" },
                clause.clause.as_str(),
                clause.detail
            )?;
        }
    }
    let mut anomalies: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for finding in &report.anomalies {
        let entry = anomalies.entry(finding.anomaly.code()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(finding.blocking);
    }
    if anomalies.is_empty() {
        writeln!(out, "anomalies   none")?;
    } else {
        let blocking: u64 = anomalies.values().map(|(_, b)| b).sum();
        writeln!(
            out,
            "anomalies   {} ({blocking} blocking)",
            report.anomalies.len()
        )?;
        for (code, (count, blocking)) in anomalies {
            writeln!(out, "            {code}: {count} ({blocking} blocking)")?;
        }
    }
    if !report.missing.is_empty() {
        let shown: Vec<String> = report
            .missing
            .iter()
            .take(10)
            .map(ObjectId::short)
            .collect();
        writeln!(
            out,
            "missing     {} object(s): {}",
            report.missing.len(),
            shown.join(", ")
        )?;
    }
    Ok(())
}
