//! An object's page (for a comment: its text, replies and the forms to
//! reply, endorse or retract) and an author's page.

use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::{Body, Kind, PublicKey, SignedObject};

use super::html::{date, esc, Page};
use super::i18n::Key;
use super::section::{latest_profile_group, paragraphs};
use super::{
    all, catalogue, forms, parse_id, render_blocking, short_did, Ctx, LangQuery, MAX_LISTED,
};
use crate::http::{ApiError, ApiState};
use crate::store::Listing;

pub(super) async fn object(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/objects/{id}"));
    render_blocking(ctx, move |ctx| object_page(&state, ctx, &id)).await
}

fn object_page(state: &ApiState, ctx: &Ctx, id: &str) -> Result<Page, ApiError> {
    let id = parse_id(id)?;
    let object = state
        .store
        .get(&id)?
        .ok_or_else(|| ApiError::not_found(format!("object {id}")))?;
    let json = object.to_json();
    let referrers = all(
        state,
        &Listing::Referrers {
            target: id,
            kind: None,
        },
        MAX_LISTED,
    )?;
    let mut body = String::new();
    let retracted = retracted_by_author(&object, &referrers);
    if retracted {
        let _ = write!(
            body,
            r#"<p class="notice"><span class="badge">{}</span></p>"#,
            catalogue::s(ctx.lang, "retracted")
        );
    }
    if let Body::Comment(comment) = object.body() {
        let _ = write!(
            body,
            r#"<blockquote class="comment-text" lang="{}" dir="auto">{}</blockquote>"#,
            esc(&comment.language),
            paragraphs(&comment.text)
        );
    }
    let _ = write!(
        body,
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
    body.push_str(&writing_forms(ctx, &object, retracted));
    Ok(ctx.page(format!("{} {}", object.kind().as_str(), id.short()), body))
}

/// Whether `object`'s author has retracted it (a retraction by anyone else
/// is not in effect, PROTOCOL.md §12).
fn retracted_by_author(object: &SignedObject, referrers: &[SignedObject]) -> bool {
    referrers.iter().any(|r| {
        matches!(r.body(), Body::Retraction(x) if x.target == object.id())
            && r.author() == object.author()
    })
}

/// The forms an object page offers: for a comment, reply and retract; for
/// anything, support or object.
fn writing_forms(ctx: &Ctx, object: &SignedObject, retracted: bool) -> String {
    let mut out = forms::writing_notice(ctx.lang);
    if let Body::Comment(comment) = object.body() {
        let target = forms::CommentTarget {
            charter: comment.charter,
            section: &comment.section,
            draft: None,
            in_reply_to: Some(object.id()),
            anchor: None,
        };
        out.push_str(&forms::comment_form(ctx.lang, "reply-form", &target, &[]));
    }
    out.push_str(&forms::endorse_form(ctx.lang, "endorse-form", object.id()));
    let retractable = matches!(
        object.kind(),
        Kind::Comment | Kind::Endorsement | Kind::Draft | Kind::Release
    );
    if retractable && !retracted {
        out.push_str(&forms::retract_form(
            ctx.lang,
            "retract-form",
            object.id(),
            &object.author().to_did(),
        ));
    }
    out
}

// ----- an author ----------------------------------------------------------

pub(super) async fn author(
    State(state): State<ApiState>,
    Path(did): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/authors/{did}"));
    render_blocking(ctx, move |ctx| author_page(&state, ctx, &did)).await
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
