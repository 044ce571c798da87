//! `baraza example`: writes an example consultation — every signed object,
//! the audit bundle of its release and the expected audit report — from
//! fixed seeds and fixed timestamps, so that every run writes the same
//! bytes. `examples/iww-2024/` in the repository is this command's output
//! and a test regenerates and compares it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use baraza_protocol::audit::Verdict;
use clap::{Args, ValueEnum};

use crate::example::iww2024::{self, Variant};
use crate::example::output;

/// Arguments of `baraza example`.
#[derive(Debug, Args)]
pub(crate) struct ExampleArgs {
    /// Which example to write.
    #[arg(value_enum, value_name = "EXAMPLE")]
    example: ExampleName,
    /// The directory to write to: created if missing; if it holds files it
    /// must be an earlier output of this command, whose object files are
    /// then replaced (nothing else in it is deleted).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write only this variant, straight into DIR. Without it both are
    /// written: policy-met into DIR and policy-not-met into DIR/policy-not-met.
    #[arg(long, value_enum, value_name = "VARIANT")]
    variant: Option<VariantName>,
}

/// The examples there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExampleName {
    /// "The Internet We Want" 2024: five sections, seven NRIs in five
    /// regions, thirteen stakeholders, two draft versions per section, a
    /// release endorsed at IGF 2024 in Riyadh.
    #[value(name = "iww-2024")]
    Iww2024,
}

/// The variants of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VariantName {
    /// The release's endorsements meet the charter's policy.
    PolicyMet,
    /// The same consultation, but only three regions and no youth
    /// stakeholder support the release.
    PolicyNotMet,
}

impl From<VariantName> for Variant {
    fn from(name: VariantName) -> Variant {
        match name {
            VariantName::PolicyMet => Variant::PolicyMet,
            VariantName::PolicyNotMet => Variant::PolicyNotMet,
        }
    }
}

/// Runs `baraza example`.
pub(crate) fn run(args: &ExampleArgs) -> anyhow::Result<ExitCode> {
    let build = match args.example {
        ExampleName::Iww2024 => iww2024::build,
    };
    let jobs: Vec<(Variant, PathBuf)> = match args.variant {
        Some(name) => vec![(name.into(), args.out.clone())],
        None => Variant::ALL
            .into_iter()
            .map(|v| match v {
                Variant::PolicyMet => (v, args.out.clone()),
                Variant::PolicyNotMet => (v, args.out.join(v.name())),
            })
            .collect(),
    };
    // Everything is built and checked before anything is written.
    let mut rendered = Vec::new();
    for (variant, dir) in jobs {
        let (scenario, release) = build(variant)?;
        let files = output::render(&scenario, &release)?;
        let expected = match variant {
            Variant::PolicyMet => Verdict::PolicyMet,
            Variant::PolicyNotMet => Verdict::PolicyNotMet,
        };
        let verdict = files.report().verdict;
        if verdict != expected {
            bail!(
                "the {} variant audits as {}, not {} (reasons: {}); the example is broken",
                variant.name(),
                verdict.as_str(),
                expected.as_str(),
                files.report().reasons.join("; ")
            );
        }
        rendered.push((variant, dir, files));
    }
    for (variant, dir, files) in rendered {
        let written = output::write(&dir, files)?;
        print_summary(variant, &dir, &written);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(variant: Variant, dir: &Path, written: &output::Written) {
    let total: usize = written.by_kind.values().sum();
    let kinds: Vec<String> = written
        .by_kind
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    println!("{}: {}", variant.name(), dir.display());
    println!("  objects   {total} ({})", kinds.join(", "));
    println!("  bundle    release.bundle, {} objects", written.bundled);
    println!(
        "  report    release.report.json, verdict {}",
        written.report.verdict.as_str()
    );
    for reason in &written.report.reasons {
        println!("            - {reason}");
    }
}
