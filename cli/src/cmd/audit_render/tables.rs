//! The audit report's tables: coverage, endorsements, policy, participation, anomalies.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use baraza_protocol::audit::{
    Anomaly, AuditReport, Balance, Count, CoverageStatus, EndorsementReport,
};
use baraza_protocol::kinds::common::REGIONS;
use baraza_protocol::{ObjectId, PublicKey};

use crate::time::date_utc;

use super::layout::*;
use super::*;

pub(super) fn write_coverage(
    out: &mut impl Write,
    report: &AuditReport,
    sections: &Sections,
) -> io::Result<()> {
    let Some(coverage) = &report.coverage else {
        heading(out, "COMMENT COVERAGE", "not applicable to this target")?;
        return Ok(());
    };
    heading(
        out,
        "COMMENT COVERAGE",
        "what each section's draft did with its comments",
    )?;
    let mut header = vec!["section".to_owned(), "comments".to_owned()];
    header.extend(STATUSES.iter().map(|(_, name)| (*name).to_owned()));
    header.push("retracted".to_owned());
    let counts = |totals: &BTreeMap<CoverageStatus, u64>, retracted: u64| {
        let mut cells = vec![totals.values().sum::<u64>().to_string()];
        cells.extend(
            STATUSES
                .iter()
                .map(|(s, _)| totals.get(s).copied().unwrap_or(0).to_string()),
        );
        cells.push(retracted.to_string());
        cells
    };
    let mut ordered: Vec<_> = coverage.sections.iter().collect();
    ordered.sort_by_key(|(slug, _)| sections.order(slug));
    let rows_with = |long: bool| {
        let mut rows: Vec<Vec<String>> = ordered
            .iter()
            .map(|(slug, s)| {
                let label = if long {
                    sections.name(slug)
                } else {
                    sections.number(slug)
                };
                let mut row = vec![label];
                row.extend(counts(&s.totals, s.retracted));
                row
            })
            .collect();
        let mut total = vec!["total".to_owned()];
        total.extend(counts(&coverage.totals, coverage.retracted));
        rows.push(total);
        rows
    };
    // A comment target's coverage is its own status, below.
    if !coverage.sections.is_empty() || coverage.comment.is_none() {
        let long = rows_with(true);
        let fits = table_width(&header, &long) <= WIDTH;
        let rows = if fits { long } else { rows_with(false) };
        write_table(out, &header, &rows, &[0])?;
    }
    if let Some(comment) = &coverage.comment {
        let disposed = match (comment.version, comment.disposed_in) {
            (Some(v), Some(draft)) => format!(" in v{v} {}", draft.short()),
            _ => String::new(),
        };
        let retracted = if comment.retracted {
            ", retracted by its author"
        } else {
            ""
        };
        let status = STATUSES
            .iter()
            .find(|(s, _)| *s == comment.status)
            .map_or("?", |(_, name)| name);
        writeln!(out, "  this comment: {status}{disposed}{retracted}")?;
    }
    Ok(())
}

// ---- 4. endorsements --------------------------------------------------------

pub(super) fn write_endorsements(
    out: &mut impl Write,
    report: &AuditReport,
    statements: &Statements,
) -> io::Result<()> {
    let Some(e) = &report.endorsements else {
        return heading(out, "ENDORSEMENTS", "none evaluated for this target");
    };
    if e.support.total + e.objection.total == 0 && e.not_counted.is_empty() {
        return heading(out, "ENDORSEMENTS", "none");
    }
    heading(
        out,
        "ENDORSEMENTS",
        &format!(
            "{} support, {} counted; {} not counted",
            e.support.total,
            plural(
                usize::try_from(e.objection.total).unwrap_or(usize::MAX),
                "objection"
            ),
            e.not_counted.len()
        ),
    )?;
    if e.support.total + e.objection.total > 0 {
        write_tallies(out, report, e)?;
    }
    write_objections(out, e, statements)?;
    write_not_counted(out, e)
}

/// Support and objections by group, by region and by NRI, in one table.
pub(super) fn write_tallies(
    out: &mut impl Write,
    report: &AuditReport,
    e: &EndorsementReport,
) -> io::Result<()> {
    let header = ["", "support", "objection"].map(String::from).to_vec();
    let row = |label: String, s: Option<&u64>, o: Option<&u64>| {
        let n = |c: Option<&u64>| dash(c.copied().unwrap_or(0));
        vec![format!("  {label}"), n(s), n(o)]
    };
    let mut rows = vec![vec!["by group".to_owned()]];
    let seen = e.support.by_group.keys().chain(e.objection.by_group.keys());
    for group in ordered_groups(report, seen) {
        let (s, o) = (
            e.support.by_group.get(&group),
            e.objection.by_group.get(&group),
        );
        rows.push(row(clean(&group, 40), s, o));
    }
    rows.push(vec!["by region".to_owned()]);
    for region in REGIONS {
        let (s, o) = (
            e.support.by_region.get(&region),
            e.objection.by_region.get(&region),
        );
        rows.push(row(region.as_str().to_owned(), s, o));
    }
    let nris: BTreeSet<&PublicKey> = e
        .support
        .by_nri
        .keys()
        .chain(e.objection.by_nri.keys())
        .collect();
    if !nris.is_empty() {
        rows.push(vec!["by NRI".to_owned()]);
    }
    for nri in nris {
        let (s, o) = (e.support.by_nri.get(nri), e.objection.by_nri.get(nri));
        rows.push(row(did(nri), s, o));
    }
    write_table(out, &header, &rows, &[0])
}

/// Who objected, as whom, and what they said when the statement is known.
pub(super) fn write_objections(
    out: &mut impl Write,
    e: &EndorsementReport,
    statements: &Statements,
) -> io::Result<()> {
    if !e.objectors.is_empty() {
        writeln!(out, "  objections:")?;
    }
    for objector in e.objectors.iter().take(MAX_LISTED) {
        let mut about = vec![clean(&objector.group, 40)];
        about.extend(objector.region.map(|r| r.as_str().to_owned()));
        writeln!(
            out,
            "    {}  {} ({})  {}  {}",
            did(&objector.author),
            role_name(objector.role),
            about.join(", "),
            date_utc(objector.created_at),
            objector.endorsement.short()
        )?;
        if let Some(who) = &objector.on_behalf_of {
            writeln!(out, "      on behalf of {}", clean(who, 80))?;
        }
        if let Some(statement) = statements.get(&objector.endorsement) {
            writeln!(out, "      \"{}\"", clean(statement, 90))?;
        }
    }
    more(out, e.objectors.len())
}

pub(super) fn write_not_counted(out: &mut impl Write, e: &EndorsementReport) -> io::Result<()> {
    if !e.not_counted.is_empty() {
        writeln!(out, "  not counted:")?;
    }
    for n in e.not_counted.iter().take(MAX_LISTED) {
        writeln!(
            out,
            "    {}  {}  {}  {}",
            did(&n.author),
            stance(n.stance),
            not_counted(n.reason),
            n.endorsement.short()
        )?;
    }
    more(out, e.not_counted.len())
}

/// `… and N more` after a list cut at [`MAX_LISTED`].
pub(super) fn more(out: &mut impl Write, total: usize) -> io::Result<()> {
    if total > MAX_LISTED {
        writeln!(out, "    … and {} more", total - MAX_LISTED)?;
    }
    Ok(())
}

/// The groups to show: the roles seen, then the policy's groups in its
/// order (shown even when absent), then any other group seen, sorted.
pub(super) fn ordered_groups<'a>(
    report: &AuditReport,
    seen: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let seen: BTreeSet<&String> = seen.into_iter().collect();
    let mut rows: Vec<String> = Vec::new();
    let mut push = |g: String| {
        if !rows.contains(&g) {
            rows.push(g);
        }
    };
    for role in ["steward", "nri", "editor"] {
        if seen.iter().any(|g| g.as_str() == role) {
            push(role.to_owned());
        }
    }
    if let Some(charter) = &report.charter {
        for group in &charter.policy.groups {
            push(group.as_str().into_owned());
        }
    }
    for group in seen {
        push(group.clone());
    }
    rows
}

// ---- 5. policy --------------------------------------------------------------

pub(super) fn write_policy(out: &mut impl Write, report: &AuditReport) -> io::Result<()> {
    let Some(policy) = &report.policy else {
        return heading(
            out,
            "POLICY",
            "not evaluated (the target belongs to no consultation)",
        );
    };
    let met = if policy.met { "met" } else { "NOT met" };
    let force = if policy.charter_in_force {
        "charter in force ✓"
    } else {
        "charter NOT in force ✗"
    };
    heading(out, "POLICY", &format!("{met}; {force}"))?;
    let header = ["clause", "required", "actual", "missing"]
        .map(String::from)
        .to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for c in &policy.clauses {
        let missing: Vec<String> = if !c.missing.is_empty() {
            c.missing.iter().map(|m| clean(m, 40)).collect()
        } else if c.met {
            vec![String::new()]
        } else {
            vec![clean(&c.detail, 60)]
        };
        let lead = [
            format!("{} {}", mark(c.met), c.clause.as_str()),
            c.required.to_string(),
            c.actual.to_string(),
        ];
        rows.extend(continued(&lead, pack(&missing, ", ", 60)));
    }
    write_table(out, &header, &rows, &[0, 3])?;
    if let Some(charter) = &report.charter {
        let groups: Vec<String> = charter
            .policy
            .groups
            .iter()
            .map(|g| clean(&g.as_str(), 40))
            .collect();
        if !groups.is_empty() {
            write_lines(out, "  listed groups: ".into(), 4, &groups, ", ")?;
        }
    }
    Ok(())
}

// ---- 6. participation --------------------------------------------------------

pub(super) fn write_participation(
    out: &mut impl Write,
    report: &AuditReport,
    sections: &Sections,
) -> io::Result<()> {
    if report.participation.is_empty() {
        return heading(out, "PARTICIPATION", "no section to report on");
    }
    heading(
        out,
        "PARTICIPATION",
        "per section; a cell n/m is n objects by m distinct authors",
    )?;
    let mut ordered: Vec<_> = report.participation.iter().collect();
    ordered.sort_by_key(|(slug, _)| sections.order(slug));
    let comments: Vec<&Balance> = ordered.iter().map(|(_, p)| &p.comments).collect();
    let endorsements: Vec<&Balance> = ordered.iter().map(|(_, p)| &p.endorsements).collect();
    let columns: Vec<String> = ordered
        .iter()
        .map(|(slug, _)| sections.number(slug))
        .collect();
    write_balances(out, "comments", &columns, &comments, report)?;
    if endorsements
        .iter()
        .all(|b| b.attested.objects + b.unattested.objects + b.retracted == 0)
    {
        writeln!(
            out,
            "  endorsements of the sections' comments and drafts: none"
        )
    } else {
        write_balances(out, "endorsements", &columns, &endorsements, report)
    }
}

/// One table: groups, then regions, then attested/unattested/retracted.
pub(super) fn write_balances(
    out: &mut impl Write,
    what: &str,
    columns: &[String],
    balances: &[&Balance],
    report: &AuditReport,
) -> io::Result<()> {
    let mut header = vec![what.to_owned()];
    header.extend(columns.iter().cloned());
    let row = |label: String, cell: &dyn Fn(&Balance) -> Count| {
        let mut row = vec![label];
        row.extend(balances.iter().map(|b| count_cell(cell(b))));
        row
    };
    let seen: Vec<&String> = balances.iter().flat_map(|b| b.by_group.keys()).collect();
    let groups = ordered_groups(report, seen);
    let mut rows = vec![vec!["  by group".to_owned()]];
    for group in &groups {
        let cell = |b: &Balance| b.by_group.get(group).copied().unwrap_or_default();
        rows.push(row(format!("  {}", clean(group, 40)), &cell));
    }
    rows.push(vec!["  by region".to_owned()]);
    for region in REGIONS {
        let cell = |b: &Balance| b.by_region.get(&region).copied().unwrap_or_default();
        rows.push(row(format!("  {}", region.as_str()), &cell));
    }
    rows.push(row("attested".into(), &|b| b.attested));
    rows.push(row("unattested (apart)".into(), &|b| b.unattested));
    let retracted = |b: &Balance| Count {
        objects: b.retracted,
        authors: b.retracted,
    };
    rows.push(row("retracted".into(), &retracted));
    write_table(out, &header, &rows, &[0])
}

/// `-`, `n`, or `n/m` when some authors wrote several.
pub(super) fn count_cell(count: Count) -> String {
    match count {
        Count { objects: 0, .. } => "-".to_owned(),
        Count { objects, authors } if objects == authors => objects.to_string(),
        Count { objects, authors } => format!("{objects}/{authors}"),
    }
}

// ---- 6b. witnessing ------------------------------------------------------------

pub(super) fn write_witnessing(out: &mut impl Write, report: &AuditReport) -> io::Result<()> {
    let Some(w) = &report.witnessing else {
        return Ok(());
    };
    let total = w.witnessed.len() + w.unwitnessed.len();
    heading(
        out,
        "WITNESSING",
        &format!(
            "{} of {total} objects witnessed by {} NRI{} (the quorum); {} unwitnessed (no proof, or too few NRIs: reported, not failed)",
            w.witnessed.len(),
            w.quorum,
            if w.quorum == 1 { "" } else { "s" },
            w.unwitnessed.len()
        ),
    )?;
    if w.logs.is_empty() {
        return writeln!(out, "  no log proofs were given");
    }
    let header = ["log", "checkpoints", "entries"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = w
        .logs
        .iter()
        .map(|l| {
            vec![
                clean(&l.origin, 80),
                l.checkpoints.to_string(),
                l.entries.to_string(),
            ]
        })
        .collect();
    write_table(out, &header, &rows, &[0])?;
    let header = ["witness", "for NRI", "cosignatures", "counted"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = w
        .witnesses
        .iter()
        .map(|k| {
            vec![
                did(&k.key),
                k.nri.as_ref().map_or_else(|| "-".to_owned(), did),
                k.cosignatures.to_string(),
                k.counted.to_string(),
            ]
        })
        .collect();
    write_table(out, &header, &rows, &[0, 1])
}

// ---- 7. anomalies -------------------------------------------------------------

pub(super) fn write_anomalies(out: &mut impl Write, report: &AuditReport) -> io::Result<()> {
    let blocking = report.blocking().count();
    if report.anomalies.is_empty() {
        return heading(out, "ANOMALIES", "none");
    }
    heading(
        out,
        "ANOMALIES",
        &format!(
            "{} found, {}; ids marked ! block the verdict",
            report.anomalies.len(),
            if blocking == 0 {
                "none blocking".to_owned()
            } else {
                format!("{blocking} blocking")
            }
        ),
    )?;
    let mut by_code: BTreeMap<&str, (u64, u64, Vec<String>)> = BTreeMap::new();
    for finding in &report.anomalies {
        let entry = by_code.entry(finding.anomaly.code()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(finding.blocking);
        let bang = if finding.blocking { "!" } else { "" };
        entry
            .2
            .push(format!("{}{bang}", anomaly_ids(&finding.anomaly)));
    }
    let header = ["code", "count", "blocking", "objects"]
        .map(String::from)
        .to_vec();
    let mut rows = Vec::new();
    for (code, (count, blocking, mut ids)) in by_code {
        if ids.len() > MAX_ANOMALY_IDS {
            let more = ids.len() - MAX_ANOMALY_IDS;
            ids.truncate(MAX_ANOMALY_IDS);
            ids.push(format!("… and {more} more"));
        }
        let lead = [code.to_owned(), count.to_string(), dash(blocking)];
        rows.extend(continued(&lead, pack(&ids, " ", 52)));
    }
    write_table(out, &header, &rows, &[0, 3])
}

/// The ids an anomaly is about, short.
pub(super) fn anomaly_ids(anomaly: &Anomaly) -> String {
    match anomaly {
        Anomaly::UnattestedSigner { object, .. }
        | Anomaly::ExpiredAttestation { object, .. }
        | Anomaly::RevokedKey { object, .. }
        | Anomaly::RetractedObject { object, .. }
        | Anomaly::WrongSignerRole { object, .. }
        | Anomaly::InconsistentReference { object, .. }
        | Anomaly::FutureDated { object, .. }
        | Anomaly::Backdated { object, .. }
        | Anomaly::WitnessedAfterRevocation { object, .. } => object.short(),
        Anomaly::DanglingReference { object, missing } => {
            format!("{}→{}", object.short(), missing.short())
        }
        Anomaly::LateComment { comment, .. } => comment.short(),
        Anomaly::Equivocation { drafts, .. } => drafts
            .iter()
            .map(ObjectId::short)
            .collect::<Vec<_>>()
            .join("≠"),
        Anomaly::CharterNotInForce { charter, .. } => charter.short(),
        Anomaly::UnauthorisedRetraction { retraction, .. } => retraction.short(),
        Anomaly::UnauthorisedRevocation { revocation, .. } => revocation.short(),
        _ => "?".to_owned(),
    }
}

// ---- 8. verdict -------------------------------------------------------------
