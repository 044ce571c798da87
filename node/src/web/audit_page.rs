//! The audit page of any object: the verdict, the endorsement policy clause
//! by clause, the provenance tree and the endorsements (`audit_tree`),
//! participation by stakeholder group and by region as charts, the full
//! report.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::audit::{AuditOptions, AuditReport, Balance};
use baraza_protocol::ObjectId;
use maud::{html, Markup};

use super::html::{bar_chart, Page, Words};
use super::i18n::Key;
use super::{audit_tree, catalogue, parse_id, Ctx, LangQuery};
use crate::http::ApiState;
use crate::store::now_ms;

pub(super) async fn audit(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/audit/{id}"));
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return ctx.error(e),
    };
    let options = AuditOptions {
        as_of: Some(now_ms()),
    };
    match state.service.audit_report(id, options).await {
        Ok(report) => audit_page(&ctx, id, &report),
        Err(e) => ctx.error(e.into()),
    }
}

fn audit_page(ctx: &Ctx, id: ObjectId, report: &AuditReport) -> Page {
    ctx.page(
        format!("{} {}", ctx.t(Key::Audit), id.short()),
        render_audit(ctx, id, report),
    )
}

/// The audit page's body for the report on `id`.
fn render_audit(ctx: &Ctx, id: ObjectId, report: &AuditReport) -> Markup {
    let verdict = serde_json::to_value(report.verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let json = serde_json::to_string_pretty(report).unwrap_or_default();
    let met = |held: bool| {
        if held {
            ("met", ctx.t(Key::Met))
        } else {
            ("notmet", ctx.t(Key::NotMet))
        }
    };
    html! {
        p { a class="id" href=(ctx.href(&format!("/objects/{id}"))) { (id) } }
        h2 { (ctx.t(Key::Verdict)) }
        p { strong { (verdict.replace('_', " ")) } }
        ul {
            @for reason in &report.reasons {
                li { (Words(reason)) }
            }
        }
        @if let Some(policy) = &report.policy {
            @let (class, text) = met(policy.met);
            h2 { (ctx.t(Key::Policy)) }
            p class=(class) { (text) }
            table class="data" {
                tbody {
                    @for clause in &policy.clauses {
                        @let (class, text) = met(clause.met);
                        tr {
                            th scope="row" { (Words(&clause.detail)) }
                            td { (clause.actual) " / " (clause.required) }
                            td class=(class) { (text) }
                        }
                    }
                }
            }
        }
        (audit_tree::provenance(ctx, report))
        @if let Some(endorsements) = &report.endorsements {
            (audit_tree::endorsements(ctx, endorsements))
        }
        @for (section, participation) in &report.participation {
            h2 { (ctx.t(Key::Participation)) " — " (Words(section)) }
            (balance_charts(ctx, ctx.t(Key::Comments), &participation.comments))
            (balance_charts(ctx, ctx.t(Key::Endorsements), &participation.endorsements))
        }
        details {
            summary { (ctx.t(Key::FullReport)) }
            pre { (Words(&json)) }
        }
    }
}

/// The charts of one participation balance (`label`: what it counts): by
/// stakeholder group, unattested included, and by region when any is known.
fn balance_charts(ctx: &Ctx, label: &str, balance: &Balance) -> Markup {
    let mut rows: Vec<(String, u64)> = balance
        .by_group
        .iter()
        .map(|(group, count)| (catalogue::group_label(ctx.lang, group), count.objects))
        .collect();
    rows.push((
        ctx.t(Key::Unattested).to_owned(),
        balance.unattested.objects,
    ));
    let by_region: Vec<(String, u64)> = balance
        .by_region
        .iter()
        .map(|(region, count)| {
            (
                catalogue::region_label(ctx.lang, *region).to_owned(),
                count.objects,
            )
        })
        .collect();
    html! {
        (bar_chart(&format!("{label} {}", ctx.t(Key::ByGroup)), &rows))
        @if !by_region.is_empty() {
            (bar_chart(&format!("{label} {}", catalogue::s(ctx.lang, "by_region")), &by_region))
        }
    }
}
