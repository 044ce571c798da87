//! An object's page (for a comment: its text, replies and the forms to
//! reply, endorse or retract) and an author's page.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::{Body, Kind, PublicKey, SignedObject};
use maud::{html, Markup};

use super::html::{date, Page, Words};
use super::i18n::Key;
use super::links::short_did;
use super::section::{latest_profile_group, paragraphs};
use super::{
    all, catalogue, forms, parse_id, render_blocking, transparency, Ctx, LangQuery, MAX_LISTED,
};
use crate::http::{ApiError, ApiState};
use crate::service::log::first_checkpoint_from;
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
    let referrers = all(
        state,
        &Listing::Referrers {
            target: id,
            kind: None,
        },
        MAX_LISTED,
    )?;
    let entry = state.store.log_entry(&id)?;
    // The first checkpoint holding the entry: its cosignatures say when
    // the entry was first witnessed.
    let covering = match &entry {
        Some(entry) => first_checkpoint_from(&*state.store, entry.index + 1)?,
        None => None,
    };
    let log = transparency::entry_block(
        ctx,
        entry.as_ref(),
        covering.as_ref(),
        state.notary.checkpoint_interval_secs(),
    );
    let body = render_object(ctx, &object, &referrers, log);
    Ok(ctx.page(format!("{} {}", object.kind().as_str(), id.short()), body))
}

/// An object's page body: its text (for a comment), its fields, what
/// refers to it, its place in the node's log (`log`), and the forms to
/// answer it.
fn render_object(
    ctx: &Ctx,
    object: &SignedObject,
    referrers: &[SignedObject],
    log: Markup,
) -> Markup {
    let id = object.id();
    let json = object.to_json();
    let retracted = retracted_by_author(object, referrers);
    let fields: Vec<(&String, String)> = json["body"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(name, value)| {
                    let shown = match value {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (name, shown)
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        @if retracted {
            p class="notice" { span class="badge" { (catalogue::s(ctx.lang, "retracted")) } }
        }
        @if let Body::Comment(comment) = object.body() {
            blockquote class="comment-text" lang=(comment.language) dir="auto" {
                (paragraphs(&comment.text))
            }
        }
        dl class="fields" {
            dt { (ctx.t(Key::Kind)) } dd { (object.kind().as_str()) }
            dt { (ctx.t(Key::Author)) } dd { (ctx.author_link(&object.author())) }
            dt { (ctx.t(Key::Created)) } dd { (date(object.created_at())) }
            dt { "id" } dd class="id" { (id) }
        }
        h2 { (ctx.t(Key::Fields)) }
        dl class="fields" {
            @for (name, shown) in &fields {
                dt { (name) } dd { (Words(shown)) }
            }
        }
        @if !referrers.is_empty() {
            h2 { (ctx.t(Key::Referrers)) }
            ul {
                @for r in referrers {
                    li {
                        (r.kind().as_str()) " " (ctx.object_link(r, &r.id().short())) " · "
                        (ctx.author_link(&r.author())) " · " (date(r.created_at()))
                    }
                }
            }
        }
        p { a href=(ctx.href(&format!("/audit/{id}"))) { (ctx.t(Key::ShowAudit)) } }
        (log)
        (writing_forms(ctx, object, retracted))
    }
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
fn writing_forms(ctx: &Ctx, object: &SignedObject, retracted: bool) -> Markup {
    let retractable = matches!(
        object.kind(),
        Kind::Comment | Kind::Endorsement | Kind::Draft | Kind::Release
    );
    html! {
        (forms::writing_notice(ctx.lang))
        @if let Body::Comment(comment) = object.body() {
            (forms::comment_form(ctx.lang, "reply-form", &forms::CommentTarget {
                charter: comment.charter,
                section: &comment.section,
                draft: None,
                in_reply_to: Some(object.id()),
                anchor: None,
            }, &[]))
        }
        (forms::endorse_form(ctx.lang, "endorse-form", object.id()))
        @if retractable && !retracted {
            (forms::retract_form(ctx.lang, "retract-form", object.id(), &object.author().to_did()))
        }
    }
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
    let group = latest_profile_group(state, &key)?;
    let body = render_author(ctx, did, group.as_deref(), &objects);
    Ok(ctx.page(short_did(did), body))
}

/// An author's page body: the did:key, the latest profile's group, and
/// the objects signed with it.
fn render_author(ctx: &Ctx, did: &str, group: Option<&str>, objects: &[SignedObject]) -> Markup {
    html! {
        p class="id" { code { (did) } }
        @if let Some(group) = group {
            p { span class="badge" { (Words(group)) } }
        }
        h2 { (ctx.t(Key::ObjectsBy)) " (" (objects.len()) ")" }
        ul {
            @for o in objects {
                li {
                    (o.kind().as_str()) " " (ctx.object_link(o, &o.id().short())) " · "
                    (date(o.created_at()))
                }
            }
        }
    }
}
