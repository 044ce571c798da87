//! The readable parts of the audit page: the provenance tree (the target,
//! who vouched for its signer up to a steward, the draft versions behind
//! it) and the endorsements of the target (who supports, who objects, who
//! is not counted and why, by stakeholder group and by region).

use std::fmt::Write;

use baraza_protocol::audit::{AuditReport, Chain, EndorsementReport, Endorser};
use serde::Serialize;

use super::catalogue::{group_label, region_label, s};
use super::html::{bar_chart, date, esc};
use super::Ctx;

/// A value's serde name (`snake_case` enums), for display.
fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// ✓ or ✗ with a text alternative.
fn mark(ctx: &Ctx, held: bool) -> String {
    if held {
        format!(
            r#"<span class="met" title="{0}"><span aria-hidden="true">✓</span><span class="sr-only">{0}</span></span>"#,
            s(ctx.lang, "chain_held")
        )
    } else {
        format!(
            r#"<span class="notmet" title="{0}"><span aria-hidden="true">✗</span><span class="sr-only">{0}</span></span>"#,
            s(ctx.lang, "chain_not_held")
        )
    }
}

/// One link of a trust chain and, nested, the chain of whoever attested it.
fn chain_item(ctx: &Ctx, chain: &Chain, out: &mut String) {
    let role = chain
        .role
        .map(|r| name_of(&r))
        .unwrap_or_else(|| s(ctx.lang, "no_role").to_owned());
    let mut facts = Vec::new();
    if let Some(group) = &chain.group {
        facts.push(group_label(ctx.lang, &group.as_str()));
    }
    if let Some(region) = chain.region {
        facts.push(region_label(ctx.lang, region).to_owned());
    }
    if let Some(section) = &chain.section {
        facts.push(section.clone());
    }
    let _ = write!(
        out,
        "<li>{} {} <strong>{}</strong>{}",
        mark(ctx, chain.held),
        ctx.author_link(&chain.signer),
        esc(&role),
        if facts.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&facts.join(", ")))
        },
    );
    if let Some(attestation) = &chain.attestation {
        let _ = write!(
            out,
            " · {} {}",
            s(ctx.lang, "attested_by"),
            ctx.id_link(attestation)
        );
    }
    if let Some(reason) = &chain.reason {
        let _ = write!(
            out,
            r#" · <span class="notmet">{}</span>"#,
            esc(&name_of(reason).replace('_', " "))
        );
    }
    if let Some(issuer) = &chain.issuer {
        out.push_str("<ul>");
        chain_item(ctx, issuer, out);
        out.push_str("</ul>");
    }
    out.push_str("</li>");
}

/// The provenance tree of the report's target.
pub(super) fn provenance(ctx: &Ctx, report: &AuditReport) -> String {
    let target = &report.target;
    let mut out = format!(
        r#"<section id="provenance" aria-labelledby="provenance-title"><h2 id="provenance-title">{}</h2><p class="muted">{}</p><ul class="tree"><li><strong>{}</strong> {}"#,
        s(ctx.lang, "provenance"),
        s(ctx.lang, "provenance_help"),
        esc(&target
            .kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default()),
        ctx.id_link(&target.id),
    );
    if let Some(created) = target.created_at {
        let _ = write!(out, " · {}", date(created));
    }
    if let Some(chain) = report.trust.chains.get(&target.id) {
        let _ = write!(out, "<ul><li>{}<ul>", s(ctx.lang, "signed_by"));
        chain_item(ctx, chain, &mut out);
        out.push_str("</ul></li></ul>");
    } else if let Some(author) = &target.author {
        let _ = write!(
            out,
            "<ul><li>{} {}</li></ul>",
            s(ctx.lang, "signed_by"),
            ctx.author_link(author)
        );
    }
    if !report.drafts.is_empty() {
        let _ = write!(out, "<ul><li>{}<ul>", s(ctx.lang, "drafts_behind"));
        for chain in &report.drafts {
            let _ = write!(out, "<li><strong>{}</strong>", esc(&chain.section));
            if !chain.complete {
                let _ = write!(
                    out,
                    r#" <span class="notmet">{}</span>"#,
                    s(ctx.lang, "incomplete_chain")
                );
            }
            out.push_str("<ol>");
            for step in chain.versions.iter().rev() {
                let _ = write!(
                    out,
                    "<li>v{} {} · {} · {} {} {} · {} {}</li>",
                    step.version,
                    ctx.id_link(&step.draft),
                    date(step.created_at),
                    s(ctx.lang, "editor"),
                    ctx.author_link(&step.editor),
                    mark(ctx, step.editor_held),
                    step.dispositions,
                    s(ctx.lang, "dispositions"),
                );
            }
            out.push_str("</ol></li>");
        }
        out.push_str("</ul></li></ul>");
    }
    out.push_str("</li></ul></section>");
    out
}

fn endorser_rows(ctx: &Ctx, stance: &str, endorsers: &[Endorser], out: &mut String) {
    for e in endorsers {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ctx.id_link(&e.endorsement),
            esc(stance),
            ctx.author_link(&e.author),
            esc(&name_of(&e.role)),
            esc(&group_label(ctx.lang, &e.group)),
            esc(e.region.map(|r| region_label(ctx.lang, r)).unwrap_or("—")),
            esc(e.on_behalf_of.as_deref().unwrap_or("—")),
        );
    }
}

/// Who endorsed the target, who objected, and who is not counted.
pub(super) fn endorsements(ctx: &Ctx, report: &EndorsementReport) -> String {
    let t = |id| s(ctx.lang, id);
    let mut out = format!(
        r#"<section id="endorsements" aria-labelledby="endorsements-title"><h2 id="endorsements-title">{}</h2><p>{} {} · {} {}</p>"#,
        t("endorsements_of_target"),
        report.support.total,
        t("supporters"),
        report.objection.total,
        t("objectors"),
    );
    if !report.supporters.is_empty() || !report.objectors.is_empty() {
        let _ = write!(
            out,
            r#"<div class="scroll"><table class="data"><caption>{}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
            t("counted_endorsements"),
            t("endorsement"),
            t("stance"),
            t("signer"),
            t("role"),
            t("group_short"),
            t("region"),
            t("on_behalf_short"),
        );
        endorser_rows(ctx, t("support_it"), &report.supporters, &mut out);
        endorser_rows(ctx, t("object_it"), &report.objectors, &mut out);
        out.push_str("</tbody></table></div>");
    }
    if !report.not_counted.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ul>", t("not_counted"));
        for n in &report.not_counted {
            let _ = write!(
                out,
                "<li>{} · {} · {} · {}</li>",
                ctx.id_link(&n.endorsement),
                esc(&name_of(&n.stance)),
                ctx.author_link(&n.author),
                esc(&name_of(&n.reason).replace('_', " ")),
            );
        }
        out.push_str("</ul>");
    }
    if report.support.total > 0 {
        let by_group: Vec<(String, u64)> = report
            .support
            .by_group
            .iter()
            .map(|(g, n)| (group_label(ctx.lang, g), *n))
            .collect();
        let by_region: Vec<(String, u64)> = report
            .support
            .by_region
            .iter()
            .map(|(r, n)| (region_label(ctx.lang, *r).to_owned(), *n))
            .collect();
        out.push_str(&bar_chart(
            &format!("{} — {}", t("supporters"), t("by_group")),
            &by_group,
        ));
        if !by_region.is_empty() {
            out.push_str(&bar_chart(
                &format!("{} — {}", t("supporters"), t("by_region")),
                &by_region,
            ));
        }
    }
    out.push_str("</section>");
    out
}
