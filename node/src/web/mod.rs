//! Pages for stakeholders and auditors, served by the node itself on its
//! HTTP port: the consultations, a section (its current draft, comments
//! threaded, endorsements by stakeholder group), any object, an author,
//! and an audit of any object. Server-rendered, readable without
//! JavaScript, no assets from other origins (a strict CSP on every page).
//!
//! Reading only, for now: signing in the browser is still to come.

mod html;
mod i18n;

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use baraza_protocol::audit::AuditOptions;
use baraza_protocol::kinds::{Charter, Draft, Stance};
use baraza_protocol::{Body, Kind, ObjectId, PublicKey, SignedObject};
use serde::Deserialize;

use crate::api::error::ApiError;
use crate::api::ApiState;
use crate::store::{now_ms, Listing, Page as StorePage};
use html::{bar_chart, date, esc, Page};
use i18n::{Key, Lang};

/// Most comments a section page shows (each page stays well under 200 KB).
const MAX_COMMENTS: usize = 200;
/// Most objects an author page lists.
const MAX_LISTED: usize = 200;

/// The pages' routes.
pub(crate) fn router() -> Router<ApiState> {
    Router::new()
        .route("/", get(overview))
        .route("/charters/{id}/sections/{slug}", get(section))
        .route("/objects/{id}", get(object))
        .route("/authors/{did}", get(author))
        .route("/audit/{id}", get(audit))
        .route("/assets/site.css", get(stylesheet))
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// What every page handler starts from.
struct Ctx {
    lang: Lang,
    path: String,
}

impl Ctx {
    fn new(query: &LangQuery, headers: &HeaderMap, path: String) -> Ctx {
        Ctx {
            lang: Lang::negotiate(query.lang.as_deref(), headers),
            path,
        }
    }

    fn t(&self, key: Key) -> &'static str {
        self.lang.t(key)
    }

    /// A link to `path` keeping the page language.
    fn href(&self, path: &str) -> String {
        esc(&format!("{path}?lang={}", self.lang.tag()))
    }

    fn page(&self, title: impl Into<String>, body: String) -> Page {
        Page {
            lang: self.lang,
            title: title.into(),
            body,
            status: StatusCode::OK,
            path: self.path.clone(),
        }
    }

    /// The page, or the page for its error.
    fn render(&self, page: Result<Page, ApiError>) -> Page {
        page.unwrap_or_else(|e| self.error(e))
    }

    /// The page for an error: its status, its message.
    fn error(&self, error: ApiError) -> Page {
        let title = if error.status == StatusCode::NOT_FOUND {
            self.t(Key::NotFound).to_owned()
        } else {
            error.status.to_string()
        };
        Page {
            status: error.status,
            ..self.page(title, format!("<p>{}</p>", esc(&error.message)))
        }
    }

    fn object_link(&self, object: &SignedObject, text: &str) -> String {
        format!(
            r#"<a href="{}">{}</a>"#,
            self.href(&format!("/objects/{}", object.id())),
            esc(text)
        )
    }

    fn author_link(&self, key: &PublicKey) -> String {
        let did = key.to_did();
        format!(
            r#"<a class="id" href="{}">{}</a>"#,
            self.href(&format!("/authors/{did}")),
            esc(&short_did(&did))
        )
    }
}

fn short_did(did: &str) -> String {
    match did.get(..20) {
        Some(head) if did.len() > 24 => format!("{head}…{}", &did[did.len() - 4..]),
        _ => did.to_owned(),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        html::STYLESHEET,
    )
        .into_response()
}

/// Every object of a listing (up to `most`), across pages.
fn all(state: &ApiState, listing: &Listing, most: usize) -> Result<Vec<SignedObject>, ApiError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let StorePage { objects, next } = state.store.list(
            listing,
            after.as_deref(),
            most.saturating_sub(out.len()).max(1),
        )?;
        out.extend(objects);
        match next {
            Some(cursor) if out.len() < most => after = Some(cursor),
            _ => return Ok(out),
        }
    }
}

fn parse_id(text: &str) -> Result<ObjectId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_request("bad_id", format!("{text:?} is not an object id")))
}

// ----- the overview -------------------------------------------------------

async fn overview(
    State(state): State<ApiState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, "/".into());
    ctx.render(overview_body(&state, &ctx).map(|body| ctx.page(ctx.t(Key::Consultations), body)))
}

fn overview_body(state: &ApiState, ctx: &Ctx) -> Result<String, ApiError> {
    let charters = all(state, &Listing::Kind(Kind::Charter), MAX_LISTED)?;
    if charters.is_empty() {
        return Ok(format!("<p>{}</p>", ctx.t(Key::NoConsultations)));
    }
    let now = now_ms();
    let mut body = String::new();
    for object in &charters {
        let Body::Charter(charter) = object.body() else {
            continue;
        };
        let _ = write!(
            body,
            "<section><h2>{}</h2>{}<p class=\"meta\">{} {}</p>",
            ctx.object_link(object, &charter.title),
            charter
                .summary
                .as_deref()
                .map(|s| format!("<p>{}</p>", esc(s)))
                .unwrap_or_default(),
            ctx.t(Key::Created),
            date(charter.created_at),
        );
        body.push_str(&phases(ctx, charter, now));
        let _ = write!(body, "<h3>{}</h3><ol>", ctx.t(Key::Sections));
        for s in &charter.sections {
            let _ = write!(
                body,
                r#"<li><a href="{}">{}</a>{}</li>"#,
                ctx.href(&format!("/charters/{}/sections/{}", object.id(), s.slug)),
                esc(&s.title),
                s.summary
                    .as_deref()
                    .map(|x| format!(" — <span class=\"muted\">{}</span>", esc(x)))
                    .unwrap_or_default()
            );
        }
        body.push_str("</ol></section>");
    }
    Ok(body)
}

fn phases(ctx: &Ctx, charter: &Charter, now: u64) -> String {
    let mut out = format!("<h3>{}</h3><ul>", ctx.t(Key::Phases));
    for phase in &charter.phases {
        let (class, state) = if now < phase.opens {
            ("badge", ctx.t(Key::Upcoming))
        } else if now < phase.closes {
            ("badge open", ctx.t(Key::OpenNow))
        } else {
            ("badge", ctx.t(Key::Closed))
        };
        let accepts: Vec<&str> = phase.accepts.iter().map(|k| k.as_str()).collect();
        let _ = write!(
            out,
            "<li><strong>{}</strong> {} – {} <span class=\"{class}\">{state}</span> <span class=\"muted\">({} {})</span></li>",
            esc(&phase.name),
            date(phase.opens),
            date(phase.closes),
            ctx.t(Key::Accepts),
            esc(&accepts.join(", ")),
        );
    }
    out.push_str("</ul>");
    out
}

// ----- a section ----------------------------------------------------------

async fn section(
    State(state): State<ApiState>,
    Path((id, slug)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/charters/{id}/sections/{slug}"));
    ctx.render(section_page(&state, &ctx, &id, &slug))
}

fn section_page(state: &ApiState, ctx: &Ctx, id: &str, slug: &str) -> Result<Page, ApiError> {
    let charter_id = parse_id(id)?;
    let charter_object = state
        .store
        .get(&charter_id)?
        .ok_or_else(|| ApiError::not_found(format!("charter {charter_id}")))?;
    let Body::Charter(charter) = charter_object.body() else {
        return Err(ApiError::not_found(format!("charter {charter_id}")));
    };
    let Some(section) = charter.sections.iter().find(|s| s.slug == slug) else {
        return Err(ApiError::not_found(format!(
            "section {slug:?} of {}",
            charter.title
        )));
    };
    let mut body = format!(
        "<p class=\"meta\">{}</p>",
        ctx.object_link(&charter_object, &charter.title)
    );
    if let Some(summary) = &section.summary {
        let _ = write!(body, "<p>{}</p>", esc(summary));
    }

    let drafts = all(
        state,
        &Listing::Section {
            charter: charter_id,
            section: slug.to_owned(),
            kind: Kind::Draft,
        },
        MAX_LISTED,
    )?;
    let current = drafts.iter().max_by_key(|d| match d.body() {
        Body::Draft(draft) => (draft.version, d.created_at()),
        _ => (0, 0),
    });
    let _ = write!(body, "<h2>{}</h2>", ctx.t(Key::CurrentDraft));
    match current {
        Some(object) => {
            if let Body::Draft(draft) = object.body() {
                body.push_str(&draft_html(ctx, object, draft));
                body.push_str(&endorsements_html(state, ctx, object)?);
            }
        }
        None => {
            let _ = write!(body, "<p>{}</p>", ctx.t(Key::NoDraft));
        }
    }

    let comments = all(
        state,
        &Listing::Section {
            charter: charter_id,
            section: slug.to_owned(),
            kind: Kind::Comment,
        },
        MAX_COMMENTS,
    )?;
    let _ = write!(
        body,
        "<h2>{} ({})</h2>",
        ctx.t(Key::Comments),
        comments.len()
    );
    if comments.is_empty() {
        let _ = write!(body, "<p>{}</p>", ctx.t(Key::NoComments));
    } else {
        body.push_str(&thread(ctx, &comments));
    }
    Ok(ctx.page(section.title.clone(), body))
}

fn draft_html(ctx: &Ctx, object: &SignedObject, draft: &Draft) -> String {
    let mut out = format!(
        "<p class=\"meta\">{} {} · {} · {} {}</p><div class=\"draft\">{}</div>",
        ctx.t(Key::Version),
        draft.version,
        date(draft.created_at),
        ctx.t(Key::Author),
        ctx.author_link(&object.author()),
        paragraphs(&draft.text),
    );
    if !draft.goals.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ol>", ctx.t(Key::Goals));
        for goal in &draft.goals {
            let _ = write!(out, "<li><strong>{}</strong>", esc(&goal.title));
            if !goal.targets.is_empty() {
                let _ = write!(out, "<p class=\"muted\">{}</p><ol>", ctx.t(Key::Targets));
                for target in &goal.targets {
                    let _ = write!(out, "<li>{}", esc(&target.text));
                    if !target.indicators.is_empty() {
                        let _ =
                            write!(out, "<p class=\"muted\">{}</p><ul>", ctx.t(Key::Indicators));
                        for indicator in &target.indicators {
                            let unit = indicator
                                .unit
                                .as_deref()
                                .map(|u| format!(" ({})", esc(u)))
                                .unwrap_or_default();
                            let _ = write!(out, "<li>{}{unit}</li>", esc(&indicator.text));
                        }
                        out.push_str("</ul>");
                    }
                    out.push_str("</li>");
                }
                out.push_str("</ol>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ol>");
    }
    let _ = write!(
        out,
        r#"<p><a href="{}">{}</a></p>"#,
        ctx.href(&format!("/audit/{}", object.id())),
        ctx.t(Key::ShowAudit)
    );
    out
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", esc(p.trim())))
        .collect()
}

/// Endorsement counts of `target` by stance and by the endorser's
/// self-declared stakeholder group (profiles; the audit page counts only
/// attested endorsers).
fn endorsements_html(
    state: &ApiState,
    ctx: &Ctx,
    target: &SignedObject,
) -> Result<String, ApiError> {
    let endorsements = all(
        state,
        &Listing::Referrers {
            target: target.id(),
            kind: Some(Kind::Endorsement),
        },
        MAX_LISTED,
    )?;
    let (mut support, mut object) = (0u64, 0u64);
    let mut by_group: BTreeMap<String, u64> = BTreeMap::new();
    for e in &endorsements {
        let Body::Endorsement(endorsement) = e.body() else {
            continue;
        };
        match endorsement.stance {
            Stance::Support => support += 1,
            Stance::Object => object += 1,
        }
        let group = latest_profile_group(state, &e.author())?
            .unwrap_or_else(|| ctx.t(Key::Unattested).to_owned());
        *by_group.entry(group).or_default() += 1;
    }
    let mut out = format!(
        "<h3>{}</h3><p>{support} {} · {object} {}</p>",
        ctx.t(Key::Endorsements),
        ctx.t(Key::Support),
        ctx.t(Key::Objections)
    );
    if !by_group.is_empty() {
        let rows: Vec<(String, u64)> = by_group.into_iter().collect();
        out.push_str(&bar_chart(
            &format!("{} {}", ctx.t(Key::Endorsements), ctx.t(Key::ByGroup)),
            &rows,
        ));
    }
    Ok(out)
}

/// The stakeholder group of `key`'s latest profile, if it has one.
fn latest_profile_group(state: &ApiState, key: &PublicKey) -> Result<Option<String>, ApiError> {
    let objects = all(state, &Listing::Author(*key), MAX_LISTED)?;
    Ok(objects.iter().rev().find_map(|o| match o.body() {
        Body::Profile(p) => Some(p.group.as_str().into_owned()),
        _ => None,
    }))
}

/// Comments threaded by `in_reply_to`, oldest first.
fn thread(ctx: &Ctx, comments: &[SignedObject]) -> String {
    let ids: std::collections::HashSet<ObjectId> = comments.iter().map(|c| c.id()).collect();
    let mut children: BTreeMap<Option<ObjectId>, Vec<&SignedObject>> = BTreeMap::new();
    for c in comments {
        let Body::Comment(comment) = c.body() else {
            continue;
        };
        // A reply to a comment not shown here is shown at the top level.
        let parent = comment.in_reply_to.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(c);
    }
    let mut out = String::new();
    render_level(ctx, &children, None, 0, &mut out);
    out
}

fn render_level(
    ctx: &Ctx,
    children: &BTreeMap<Option<ObjectId>, Vec<&SignedObject>>,
    parent: Option<ObjectId>,
    depth: usize,
    out: &mut String,
) {
    let Some(list) = children.get(&parent) else {
        return;
    };
    for c in list {
        let Body::Comment(comment) = c.body() else {
            continue;
        };
        let _ = write!(
            out,
            r#"<article class="comment" lang="{lang}"><p class="meta">{author} · {when} · <span class="badge">{lang}</span> · {link}</p>{text}"#,
            lang = esc(&comment.language),
            author = ctx.author_link(&c.author()),
            when = date(comment.created_at),
            link = ctx.object_link(c, &c.id().short()),
            text = paragraphs(&comment.text),
        );
        // Deep threads are flattened past a few levels, to stay readable.
        if depth < 6 {
            render_level(ctx, children, Some(c.id()), depth + 1, out);
        }
        out.push_str("</article>");
    }
}

// ----- an object ----------------------------------------------------------

async fn object(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/objects/{id}"));
    ctx.render(object_page(&state, &ctx, &id))
}

fn object_page(state: &ApiState, ctx: &Ctx, id: &str) -> Result<Page, ApiError> {
    let id = parse_id(id)?;
    let object = state
        .store
        .get(&id)?
        .ok_or_else(|| ApiError::not_found(format!("object {id}")))?;
    let json = object.to_json();
    let mut body = format!(
        "<dl class=\"fields\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>id</dt><dd class=\"id\">{}</dd></dl>",
        ctx.t(Key::Kind),
        object.kind().as_str(),
        ctx.t(Key::Author),
        ctx.author_link(&object.author()),
        ctx.t(Key::Created),
        date(object.created_at()),
        id,
    );
    let _ = write!(body, "<h2>{}</h2><dl class=\"fields\">", ctx.t(Key::Fields));
    if let Some(fields) = json["body"].as_object() {
        for (name, value) in fields {
            let shown = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(body, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(&shown));
        }
    }
    body.push_str("</dl>");
    let referrers = all(
        state,
        &Listing::Referrers {
            target: id,
            kind: None,
        },
        MAX_LISTED,
    )?;
    if !referrers.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ul>", ctx.t(Key::Referrers));
        for r in &referrers {
            let _ = write!(
                body,
                "<li>{} {} · {} · {}</li>",
                r.kind().as_str(),
                ctx.object_link(r, &r.id().short()),
                ctx.author_link(&r.author()),
                date(r.created_at()),
            );
        }
        body.push_str("</ul>");
    }
    let _ = write!(
        body,
        r#"<p><a href="{}">{}</a></p>"#,
        ctx.href(&format!("/audit/{id}")),
        ctx.t(Key::ShowAudit)
    );
    Ok(ctx.page(format!("{} {}", object.kind().as_str(), id.short()), body))
}

// ----- an author ----------------------------------------------------------

async fn author(
    State(state): State<ApiState>,
    Path(did): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/authors/{did}"));
    ctx.render(author_page(&state, &ctx, &did))
}

fn author_page(state: &ApiState, ctx: &Ctx, did: &str) -> Result<Page, ApiError> {
    let key: PublicKey = did.parse().map_err(|e| {
        ApiError::bad_request(
            "bad_author",
            format!("{did:?} is not an Ed25519 did:key: {e}"),
        )
    })?;
    let objects = all(state, &Listing::Author(key), MAX_LISTED)?;
    let mut body = format!("<p class=\"id\"><code>{}</code></p>", esc(did));
    if let Some(group) = latest_profile_group(state, &key)? {
        let _ = write!(body, "<p><span class=\"badge\">{}</span></p>", esc(&group));
    }
    let _ = write!(
        body,
        "<h2>{} ({})</h2><ul>",
        ctx.t(Key::ObjectsBy),
        objects.len()
    );
    for o in &objects {
        let _ = write!(
            body,
            "<li>{} {} · {}</li>",
            o.kind().as_str(),
            ctx.object_link(o, &o.id().short()),
            date(o.created_at())
        );
    }
    body.push_str("</ul>");
    Ok(ctx.page(short_did(did), body))
}

// ----- an audit -----------------------------------------------------------

async fn audit(
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
    match crate::api::audit::report_of(&state, id, options).await {
        Ok(report) => audit_page(&ctx, id, &report),
        Err(e) => ctx.error(e),
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
                .map(|(group, count)| (group.clone(), count.objects))
                .collect();
            rows.push((
                ctx.t(Key::Unattested).to_owned(),
                balance.unattested.objects,
            ));
            body.push_str(&bar_chart(
                &format!("{label} {}", ctx.t(Key::ByGroup)),
                &rows,
            ));
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
