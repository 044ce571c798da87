//! The audit page of any object: the verdict, the endorsement policy clause
//! by clause, the provenance tree and the endorsements (`audit_tree`),
//! participation by stakeholder group and by region as charts, the full
//! report.

use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::audit::AuditOptions;
use baraza_protocol::ObjectId;

use super::html::{bar_chart, esc, Page};
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

fn audit_page(ctx: &Ctx, id: ObjectId, report: &baraza_protocol::audit::AuditReport) -> Page {
    let verdict = serde_json::to_value(report.verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut body = format!(
        "<p><a class=\"id\" href=\"{}\">{}</a></p><h2>{}</h2><p><strong>{}</strong></p><ul>",
        ctx.href(&format!("/objects/{id}")),
        id,
        ctx.t(Key::Verdict),
        esc(&verdict.replace('_', " ")),
    );
    for reason in &report.reasons {
        let _ = write!(body, "<li>{}</li>", esc(reason));
    }
    body.push_str("</ul>");
    if let Some(policy) = &report.policy {
        let (class, met) = if policy.met {
            ("met", ctx.t(Key::Met))
        } else {
            ("notmet", ctx.t(Key::NotMet))
        };
        let _ = write!(
            body,
            "<h2>{}</h2><p class=\"{class}\">{met}</p><table class=\"data\"><tbody>",
            ctx.t(Key::Policy)
        );
        for clause in &policy.clauses {
            let (class, met) = if clause.met {
                ("met", ctx.t(Key::Met))
            } else {
                ("notmet", ctx.t(Key::NotMet))
            };
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{} / {}</td><td class=\"{class}\">{met}</td></tr>",
                esc(&clause.detail),
                clause.actual,
                clause.required,
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str(&audit_tree::provenance(ctx, report));
    if let Some(endorsements) = &report.endorsements {
        body.push_str(&audit_tree::endorsements(ctx, endorsements));
    }
    for (section, participation) in &report.participation {
        let _ = write!(
            body,
            "<h2>{} — {}</h2>",
            ctx.t(Key::Participation),
            esc(section)
        );
        for (label, balance) in [
            (ctx.t(Key::Comments), &participation.comments),
            (ctx.t(Key::Endorsements), &participation.endorsements),
        ] {
            let mut rows: Vec<(String, u64)> = balance
                .by_group
                .iter()
                .map(|(group, count)| (catalogue::group_label(ctx.lang, group), count.objects))
                .collect();
            rows.push((
                ctx.t(Key::Unattested).to_owned(),
                balance.unattested.objects,
            ));
            body.push_str(&bar_chart(
                &format!("{label} {}", ctx.t(Key::ByGroup)),
                &rows,
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
            if !by_region.is_empty() {
                body.push_str(&bar_chart(
                    &format!("{label} {}", catalogue::s(ctx.lang, "by_region")),
                    &by_region,
                ));
            }
        }
    }
    let json = serde_json::to_string_pretty(report).unwrap_or_default();
    let _ = write!(
        body,
        "<details><summary>{}</summary><pre>{}</pre></details>",
        ctx.t(Key::FullReport),
        esc(&json)
    );
    ctx.page(format!("{} {}", ctx.t(Key::Audit), id.short()), body)
}
