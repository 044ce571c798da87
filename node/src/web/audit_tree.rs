//! The readable parts of the audit page: the provenance tree (the target,
//! who vouched for its signer up to a steward, the draft versions behind
//! it) and the endorsements of the target (who supports, who objects, who
//! is not counted and why, by stakeholder group and by region).

use baraza_protocol::audit::{AuditReport, Chain, EndorsementReport, Endorser};
use maud::{html, Markup};
use serde::Serialize;

use super::catalogue::{group_label, region_label, s};
use super::html::{bar_chart, date, Words};
use super::Ctx;

/// A value's serde name (`snake_case` enums), for display.
fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// ✓ or ✗ with a text alternative.
fn mark(ctx: &Ctx, held: bool) -> Markup {
    let (class, symbol, text) = if held {
        ("met", "✓", s(ctx.lang, "chain_held"))
    } else {
        ("notmet", "✗", s(ctx.lang, "chain_not_held"))
    };
    html! {
        span class=(class) title=(text) {
            span aria-hidden="true" { (symbol) }
            span class="sr-only" { (text) }
        }
    }
}

/// One link of a trust chain and, nested, the chain of whoever attested it.
fn chain_item(ctx: &Ctx, chain: &Chain) -> Markup {
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
    html! {
        li {
            (mark(ctx, chain.held)) " " (ctx.author_link(&chain.signer)) " "
            strong { (role) }
            @if !facts.is_empty() {
                " · " (Words(&facts.join(", ")))
            }
            @if let Some(attestation) = &chain.attestation {
                " · " (s(ctx.lang, "attested_by")) " " (ctx.id_link(attestation))
            }
            @if let Some(reason) = &chain.reason {
                " · " span class="notmet" { (name_of(reason).replace('_', " ")) }
            }
            @if let Some(issuer) = &chain.issuer {
                ul { (chain_item(ctx, issuer)) }
            }
        }
    }
}

/// The provenance tree of the report's target.
pub(super) fn provenance(ctx: &Ctx, report: &AuditReport) -> Markup {
    let target = &report.target;
    let kind = target.kind.map(|k| k.as_str()).unwrap_or_default();
    html! {
        section id="provenance" aria-labelledby="provenance-title" {
            h2 id="provenance-title" { (s(ctx.lang, "provenance")) }
            p class="muted" { (s(ctx.lang, "provenance_help")) }
            ul class="tree" {
                li {
                    strong { (kind) } " " (ctx.id_link(&target.id))
                    @if let Some(created) = target.created_at {
                        " · " (date(created))
                    }
                    @if let Some(chain) = report.trust.chains.get(&target.id) {
                        ul { li { (s(ctx.lang, "signed_by")) ul { (chain_item(ctx, chain)) } } }
                    } @else if let Some(author) = &target.author {
                        ul { li { (s(ctx.lang, "signed_by")) " " (ctx.author_link(author)) } }
                    }
                    @if !report.drafts.is_empty() {
                        ul {
                            li {
                                (s(ctx.lang, "drafts_behind"))
                                ul {
                                    @for chain in &report.drafts {
                                        li {
                                            strong { (Words(&chain.section)) }
                                            @if !chain.complete {
                                                " " span class="notmet" { (s(ctx.lang, "incomplete_chain")) }
                                            }
                                            ol {
                                                @for step in chain.versions.iter().rev() {
                                                    li {
                                                        "v" (step.version) " " (ctx.id_link(&step.draft)) " · "
                                                        (date(step.created_at)) " · "
                                                        (s(ctx.lang, "editor")) " " (ctx.author_link(&step.editor)) " "
                                                        (mark(ctx, step.editor_held)) " · "
                                                        (step.dispositions) " " (s(ctx.lang, "dispositions"))
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn endorser_rows(ctx: &Ctx, stance: &str, endorsers: &[Endorser]) -> Markup {
    html! {
        @for e in endorsers {
            tr {
                td { (ctx.id_link(&e.endorsement)) }
                td { (stance) }
                td { (ctx.author_link(&e.author)) }
                td { (name_of(&e.role)) }
                td { (Words(&group_label(ctx.lang, &e.group))) }
                td { (e.region.map(|r| region_label(ctx.lang, r)).unwrap_or("—")) }
                td { (Words(e.on_behalf_of.as_deref().unwrap_or("—"))) }
            }
        }
    }
}

/// Who endorsed the target, who objected, and who is not counted.
pub(super) fn endorsements(ctx: &Ctx, report: &EndorsementReport) -> Markup {
    let t = |id| s(ctx.lang, id);
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
    html! {
        section id="endorsements" aria-labelledby="endorsements-title" {
            h2 id="endorsements-title" { (t("endorsements_of_target")) }
            p {
                (report.support.total) " " (t("supporters")) " · "
                (report.objection.total) " " (t("objectors"))
            }
            @if !report.supporters.is_empty() || !report.objectors.is_empty() {
                div class="scroll" {
                    table class="data" {
                        caption { (t("counted_endorsements")) }
                        thead {
                            tr {
                                th scope="col" { (t("endorsement")) }
                                th scope="col" { (t("stance")) }
                                th scope="col" { (t("signer")) }
                                th scope="col" { (t("role")) }
                                th scope="col" { (t("group_short")) }
                                th scope="col" { (t("region")) }
                                th scope="col" { (t("on_behalf_short")) }
                            }
                        }
                        tbody {
                            (endorser_rows(ctx, t("support_it"), &report.supporters))
                            (endorser_rows(ctx, t("object_it"), &report.objectors))
                        }
                    }
                }
            }
            @if !report.not_counted.is_empty() {
                h3 { (t("not_counted")) }
                ul {
                    @for n in &report.not_counted {
                        li {
                            (ctx.id_link(&n.endorsement)) " · " (name_of(&n.stance)) " · "
                            (ctx.author_link(&n.author)) " · " (name_of(&n.reason).replace('_', " "))
                        }
                    }
                }
            }
            @if report.support.total > 0 {
                (bar_chart(&format!("{} — {}", t("supporters"), t("by_group")), &by_group))
                @if !by_region.is_empty() {
                    (bar_chart(&format!("{} — {}", t("supporters"), t("by_region")), &by_region))
                }
            }
        }
    }
}
