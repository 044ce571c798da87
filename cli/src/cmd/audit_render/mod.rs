//! The human form of an audit report, what `baraza audit` prints without
//! `--json`: a header, the provenance and the signers' trust chains as
//! trees, tables of comment coverage, endorsements, policy clauses and
//! participation, the anomalies, and one verdict line.
//!
//! One function per section, each reading only the typed [`AuditReport`]
//! (plus objection statements, which the report does not carry), so a
//! node's report and an offline bundle's render alike. Plain text without
//! colour: it reads the same in a terminal, a file and a CI log. Ids and
//! dids are shortened; `--json` has them in full. Sections are numbered
//! `§n` in the charter's order so that tables keep to about 100 columns.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use baraza_protocol::audit::{AuditReport, ClauseKind, CoverageStatus, Verdict};
use baraza_protocol::ObjectId;

use crate::time::date_utc;

mod layout;
mod tables;
mod tree;

use layout::*;
use tables::*;
use tree::*;

/// Lines are kept to this width where the content allows.
pub(super) const WIDTH: usize = 100;
/// A tree node shows at most this many children, then a count of the rest.
pub(super) const MAX_CHILDREN: usize = 25;
/// Ids listed per anomaly code before "… and N more".
pub(super) const MAX_ANOMALY_IDS: usize = 12;
/// Objections and uncounted endorsements listed before "… and N more".
pub(super) const MAX_LISTED: usize = 25;
/// Missing ids listed in the header.
pub(super) const MAX_MISSING_IDS: usize = 10;
/// Coverage statuses in table order, with their report names.
pub(super) const STATUSES: [(CoverageStatus, &str); 5] = [
    (CoverageStatus::Incorporated, "incorporated"),
    (CoverageStatus::Partly, "partly"),
    (CoverageStatus::NotIncorporated, "not_incorporated"),
    (CoverageStatus::OutOfScope, "out_of_scope"),
    (CoverageStatus::NotAddressed, "not_addressed"),
];

/// Objection statements by endorsement id, where the caller could read them.
pub(crate) type Statements = BTreeMap<ObjectId, String>;

/// Writes the whole human report.
pub(crate) fn write_report(
    out: &mut impl Write,
    report: &AuditReport,
    statements: &Statements,
) -> io::Result<()> {
    let sections = Sections::of(report);
    write_header(out, report, &sections)?;
    write_provenance(out, report, &sections)?;
    write_signers(out, report, &sections)?;
    write_coverage(out, report, &sections)?;
    write_endorsements(out, report, statements)?;
    write_policy(out, report)?;
    write_participation(out, report, &sections)?;
    write_witnessing(out, report)?;
    write_anomalies(out, report)?;
    writeln!(out)?;
    writeln!(out, "{}", verdict_line(report))
}

// ---- 1. header -------------------------------------------------------------

pub(super) fn write_header(
    out: &mut impl Write,
    report: &AuditReport,
    sections: &Sections,
) -> io::Result<()> {
    let target = &report.target;
    writeln!(out, "AUDIT  {}", describe_target(report))?;
    if let Some(label) = &target.label {
        field(out, "title", &format!("\"{}\"", clean(label, 80)))?;
    }
    field(out, "id", &target.id.to_string())?;
    if let (Some(author), Some(at)) = (target.author, target.created_at) {
        field(
            out,
            "signed",
            &format!("{} by {}", date_utc(at), did(&author)),
        )?;
    }
    if let Some(charter) = &report.charter {
        let title = format!("\"{}\" {}", clean(&charter.title, 60), charter.id.short());
        field(out, "charter", &title)?;
        let ratified = format!(
            "ratified by {} (threshold {})",
            plural(charter.ratifications.len(), "steward"),
            charter.threshold
        );
        let force = match (charter.in_force, charter.in_force_at) {
            (true, Some(at)) => format!("in force since {}, {ratified}", minute_utc(at)),
            (true, None) => format!("in force, {ratified}"),
            (false, _) => format!("NOT in force: {ratified}"),
        };
        field(out, "", &force)?;
    } else if let Some(id) = target.charter {
        field(out, "charter", &format!("{} (not present)", id.short()))?;
    }
    if !sections.numbers.is_empty() {
        let legend: Vec<String> = sections.legend();
        write_wrapped(out, "sections", "", &legend, "  ")?;
    }
    let kinds: Vec<String> = report
        .objects
        .by_kind
        .iter()
        .map(|(kind, n)| format!("{} {n}", kind.as_str()))
        .collect();
    let examined = format!("{} examined: ", report.objects.total);
    write_wrapped(out, "objects", &examined, &kinds, ", ")?;
    if report.complete {
        field(out, "complete", "yes, every referenced object is present")?;
    } else {
        let lead = format!(
            "NO, {} missing: ",
            plural(report.missing.len(), "referenced object")
        );
        let missing = short_ids(&report.missing, MAX_MISSING_IDS);
        write_wrapped(out, "complete", &lead, &missing, ", ")?;
    }
    if let Some(as_of) = report.as_of {
        field(out, "as of", &minute_utc(as_of))?;
    }
    Ok(())
}

/// `release 6e07bba2b14f`, with a draft's or comment's section and version.
pub(super) fn describe_target(report: &AuditReport) -> String {
    let target = &report.target;
    let kind = target.kind.map_or("missing object", |k| k.as_str());
    let mut text = format!("{kind} {}", target.id.short());
    if let Some(section) = &target.section {
        text.push_str(&format!(" section {}", clean(section, 60)));
    }
    if let Some(version) = target.version {
        text.push_str(&format!(" v{version}"));
    }
    text
}

// ---- 2. trees ---------------------------------------------------------------

/// The one line that sums the report up.
pub(super) fn verdict_line(report: &AuditReport) -> String {
    let target = describe_target(report);
    let why = match report.verdict {
        Verdict::PolicyMet => format!(
            "policy met — {target} is endorsed by {}",
            support_summary(report)
        ),
        Verdict::PolicyNotMet => format!("policy NOT met — {}", unmet_summary(report)),
        Verdict::AnomaliesFound => {
            let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
            for finding in report.blocking() {
                *codes.entry(finding.anomaly.code()).or_default() += 1;
            }
            let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} ({n})")).collect();
            format!(
                "anomalies found — {} of {target} stand on: {}",
                plural(codes.len(), "kind"),
                codes.join(", ")
            )
        }
        Verdict::Incomplete => {
            let ids = short_ids(&report.missing, 3).join(", ");
            format!(
                "incomplete — {} missing ({ids}); nothing is vouched for",
                plural(report.missing.len(), "referenced object")
            )
        }
        Verdict::NoCharter => {
            format!("no charter — {target} belongs to no consultation; no policy applies")
        }
    };
    format!("VERDICT: {why}")
}

/// `7 NRIs from 5 regions and all 7 listed groups`.
pub(super) fn support_summary(report: &AuditReport) -> String {
    let Some(policy) = &report.policy else {
        return "its charter's stewards".to_owned();
    };
    let actual = |kind: ClauseKind| policy.clauses.iter().find(|c| c.clause == kind);
    let mut parts = Vec::new();
    if let Some(c) = actual(ClauseKind::MinNris) {
        parts.push(plural(
            usize::try_from(c.actual).unwrap_or(usize::MAX),
            "NRI",
        ));
    }
    if let Some(c) = actual(ClauseKind::MinRegions) {
        let regions = plural(usize::try_from(c.actual).unwrap_or(usize::MAX), "region");
        match parts.pop() {
            Some(nris) => parts.push(format!("{nris} from {regions}")),
            None => parts.push(regions),
        }
    }
    if let Some(c) = actual(ClauseKind::Groups).filter(|c| c.required > 0) {
        parts.push(if c.actual == c.required {
            format!("all {} listed groups", c.required)
        } else {
            format!("{} of {} listed groups", c.actual, c.required)
        });
    }
    if parts.is_empty() {
        "its charter's policy".to_owned()
    } else {
        parts.join(" and ")
    }
}

/// `min_regions 3/5 (missing …); groups missing youth`.
pub(super) fn unmet_summary(report: &AuditReport) -> String {
    let mut parts = Vec::new();
    if let Some(charter) = report.charter.as_ref().filter(|c| !c.in_force) {
        parts.push(format!(
            "charter not in force (ratified by {}, threshold {})",
            plural(charter.ratifications.len(), "steward"),
            charter.threshold
        ));
    }
    for clause in report
        .policy
        .iter()
        .flat_map(|p| &p.clauses)
        .filter(|c| !c.met)
    {
        // At most three names each, to keep the verdict to one line.
        let mut missing: Vec<String> = clause
            .missing
            .iter()
            .take(3)
            .map(|m| clean(m, 40))
            .collect();
        if clause.missing.len() > 3 {
            missing.push(format!("{} more", clause.missing.len() - 3));
        }
        parts.push(match clause.clause {
            ClauseKind::Groups => format!("groups missing {}", missing.join(", ")),
            kind => {
                let mut text = format!("{} {}/{}", kind.as_str(), clause.actual, clause.required);
                if !missing.is_empty() {
                    text.push_str(&format!(" (missing {})", missing.join(", ")));
                }
                text
            }
        });
    }
    if parts.is_empty() {
        parts = report.reasons.iter().map(|r| clean(r, 100)).collect();
    }
    parts.join("; ")
}

// ---- shared -------------------------------------------------------------------

/// Section numbers (`§n`, 1-based in the charter's order) and slugs.
pub(super) struct Sections {
    numbers: BTreeMap<String, usize>,
}

impl Sections {
    fn of(report: &AuditReport) -> Sections {
        let mut slugs: Vec<String> = report
            .charter
            .iter()
            .flat_map(|c| c.sections.clone())
            .collect();
        let mut extra: BTreeSet<&String> = report.participation.keys().collect();
        extra.extend(report.coverage.iter().flat_map(|c| c.sections.keys()));
        extra.extend(report.drafts.iter().map(|d| &d.section));
        for slug in extra {
            if !slugs.contains(slug) {
                slugs.push(slug.clone());
            }
        }
        let numbers = slugs
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i + 1))
            .collect();
        Sections { numbers }
    }

    fn order(&self, slug: &str) -> usize {
        self.numbers.get(slug).copied().unwrap_or(usize::MAX)
    }

    fn number(&self, slug: &str) -> String {
        match self.numbers.get(slug) {
            Some(n) => format!("§{n}"),
            None => clean(slug, 30),
        }
    }

    fn name(&self, slug: &str) -> String {
        match self.numbers.get(slug) {
            Some(n) => format!("§{n} {}", clean(slug, 40)),
            None => clean(slug, 40),
        }
    }

    fn legend(&self) -> Vec<String> {
        let mut by_number: Vec<(&usize, &String)> =
            self.numbers.iter().map(|(s, n)| (n, s)).collect();
        by_number.sort();
        by_number
            .into_iter()
            .map(|(n, s)| format!("§{n} {}", clean(s, 40)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use baraza_protocol::audit::ChainReason;
    use baraza_protocol::PublicKey;

    fn example(variant: &str) -> AuditReport {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/iww-2024")
            .join(variant)
            .join("release.report.json");
        let text = std::fs::read_to_string(&path).expect("the checked-in example report");
        serde_json::from_str(&text).expect("the example report reads as an AuditReport")
    }

    fn render_with(report: &AuditReport, statements: &Statements) -> String {
        let mut out = Vec::new();
        write_report(&mut out, report, statements).expect("writing to a Vec does not fail");
        String::from_utf8(out).expect("the report is UTF-8")
    }

    fn render(report: &AuditReport) -> String {
        render_with(report, &Statements::new())
    }

    /// The block of lines from the heading `title` to the next blank line.
    fn block<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
        text.lines()
            .skip_while(|l| !l.starts_with(title))
            .take_while(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn the_verdict_is_the_last_line_of_both_examples() {
        let met = render(&example(""));
        assert_eq!(
            met.lines().last(),
            Some(
                "VERDICT: policy met — release 6e07bba2b14f is endorsed by 7 NRIs from 5 regions \
                 and all 7 listed groups"
            )
        );
        let not_met = render(&example("policy-not-met"));
        assert_eq!(
            not_met.lines().last(),
            Some(
                "VERDICT: policy NOT met — min_regions 3/5 (missing eastern_european, \
                 latin_american_caribbean); groups missing youth"
            )
        );
        assert_eq!(not_met.matches("VERDICT").count(), 1, "{not_met}");
    }

    #[test]
    fn the_header_names_the_target_and_the_charters_ratifications() {
        let text = render(&example("policy-not-met"));
        assert!(text.starts_with("AUDIT  release 6e07bba2b14f\n"), "{text}");
        assert!(
            text.contains(
                "in force since 2024-01-15 10:00 UTC, ratified by 3 stewards (threshold 2)"
            ),
            "{text}"
        );
        assert!(text.contains("  objects   94 examined: "), "{text}");
        assert!(text.contains("  complete  yes"), "{text}");
    }

    #[test]
    fn an_unmet_clause_is_marked_with_what_is_missing() {
        let text = render(&example("policy-not-met"));
        let policy = block(&text, "POLICY");
        assert!(policy[0].starts_with("POLICY  NOT met"), "{policy:?}");
        let clause = |name: &str| -> Vec<&str> {
            policy
                .iter()
                .find(|l| l.split_whitespace().nth(1) == Some(name))
                .map(|l| l.split_whitespace().collect())
                .unwrap_or_default()
        };
        assert_eq!(clause("min_nris"), ["✓", "min_nris", "5", "5"]);
        assert_eq!(
            clause("min_regions"),
            [
                "✗",
                "min_regions",
                "5",
                "3",
                "eastern_european,",
                "latin_american_caribbean"
            ]
        );
        assert_eq!(clause("groups"), ["✗", "groups", "7", "6", "youth"]);
    }

    #[test]
    fn the_coverage_totals_are_the_reports() {
        for variant in ["", "policy-not-met"] {
            let report = example(variant);
            let coverage = report.coverage.as_ref().expect("a release has coverage");
            let text = render(&report);
            let table = block(&text, "COMMENT COVERAGE");
            let total = table
                .iter()
                .find(|l| l.trim_start().starts_with("total "))
                .expect("a totals row");
            let mut expected = vec![
                "total".to_owned(),
                coverage.totals.values().sum::<u64>().to_string(),
            ];
            for (status, _) in STATUSES {
                expected.push(
                    coverage
                        .totals
                        .get(&status)
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                );
            }
            expected.push(coverage.retracted.to_string());
            let cells: Vec<&str> = total.split_whitespace().collect();
            assert_eq!(cells, expected, "{table:#?}");
            // One row per section, each numbered in the charter's order.
            assert_eq!(table.len(), 2 + 1 + coverage.sections.len(), "{table:#?}");
        }
    }

    #[test]
    fn the_signers_tree_is_rooted_at_the_stewards() {
        let report = example("policy-not-met");
        let text = render(&report);
        let tree = block(&text, "SIGNERS");
        let roots: Vec<&&str> = tree[1..]
            .iter()
            .filter(|l| !l.starts_with(['│', '├', '└']))
            .collect();
        let charter = report.charter.as_ref().expect("a charter");
        for steward in &charter.stewards {
            let root = format!("steward {} ✓", did(steward));
            assert!(
                roots.iter().any(|l| l.starts_with(&root)),
                "{root} in {tree:#?}"
            );
        }
        let author = report.target.author.expect("an author");
        let signer = roots
            .iter()
            .find(|l| l.contains("signed this release"))
            .expect("the release's signer is a root");
        assert!(signer.starts_with(&format!("steward {} ✓", did(&author))));
        // A stakeholder hangs under its NRI, under its steward.
        let youth = tree
            .iter()
            .position(|l| {
                l.contains("stakeholder did:key:…1Z82hq (youth, asia_pacific) ✓  · objection")
            })
            .expect("the objector's link");
        assert!(
            tree[youth - 1].contains("NRI did:key:…yRXXzw (asia_pacific) ✓"),
            "{tree:#?}"
        );
        // A signer without a chain is a root of its own, with the reason.
        assert!(
            roots.iter().any(|l| l.starts_with(
                "did:key:…SwSg3V ✗ (no attestation of the needed role)  · support, not counted"
            )),
            "{tree:#?}"
        );
    }

    #[test]
    fn a_broken_link_is_marked_with_its_reason() {
        let mut report = example("policy-not-met");
        let objector = report
            .endorsements
            .as_ref()
            .expect("endorsements")
            .objectors[0]
            .endorsement;
        let chain = report
            .trust
            .chains
            .get_mut(&objector)
            .expect("the objector's chain");
        chain.held = false;
        let nri = chain.issuer.as_mut().expect("an NRI link");
        nri.held = false;
        nri.reason = Some(ChainReason::Expired);
        nri.expires_at = Some(1_704_067_200_000);
        let text = render(&report);
        assert!(
            text.contains("NRI did:key:…yRXXzw (asia_pacific) ✗ (attestation expired 2024-01-01)"),
            "{text}"
        );
        assert!(text.contains("stakeholder did:key:…1Z82hq (youth, asia_pacific) ✗  · objection"));
    }

    #[test]
    fn objections_show_their_statements_cleaned() {
        let report = example("policy-not-met");
        let objector = report
            .endorsements
            .as_ref()
            .expect("endorsements")
            .objectors[0]
            .endorsement;
        let statements = Statements::from([(objector, "Too weak\n\u{1b}[31mon youth".to_owned())]);
        let text = render_with(&report, &statements);
        let objections = block(&text, "ENDORSEMENTS");
        assert!(
            objections.contains(&"      \"Too weak  [31mon youth\""),
            "{objections:#?}"
        );
    }

    #[test]
    fn an_incomplete_report_lists_what_is_missing() {
        let mut report = example("");
        let missing = report.target.charter.expect("a charter id");
        report.verdict = Verdict::Incomplete;
        report.complete = false;
        report.missing = vec![missing];
        let text = render(&report);
        let short = missing.short();
        assert!(
            text.contains(&format!(
                "  complete  NO, 1 referenced object missing: {short}\n"
            )),
            "{text}"
        );
        assert_eq!(
            text.lines().last(),
            Some(format!("VERDICT: incomplete — 1 referenced object missing ({short}); nothing is vouched for").as_str())
        );
    }

    #[test]
    fn tables_keep_to_the_width() {
        for variant in ["", "policy-not-met"] {
            let text = render(&example(variant));
            for title in [
                "COMMENT COVERAGE",
                "ENDORSEMENTS",
                "POLICY",
                "PARTICIPATION",
                "ANOMALIES",
            ] {
                for line in block(&text, title) {
                    assert!(line.chars().count() <= WIDTH, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn dids_and_text_are_shortened_for_people() {
        let key = PublicKey([7; 32]);
        let full = key.to_did();
        assert_eq!(did(&key), format!("did:key:…{}", &full[full.len() - 6..]));
        assert_eq!(clean("a\u{202e}b\tc", 10), "a b c");
        assert_eq!(clean("abcdef", 4), "abc…");
    }
}
