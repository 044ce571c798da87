//! Pages for stakeholders and auditors, served by the node itself on its
//! HTTP port: the consultations, a section (its current draft, comments
//! threaded, endorsements by stakeholder group), any object (with its place
//! in the node's transparency log), an author, an audit of any object, and
//! the transparency log itself (`/log`). Server-rendered, readable without
//! JavaScript, no assets from other origins (a strict CSP on every page).
//!
//! Writing happens in the browser: the page script (`assets/`) keeps the
//! stakeholder's key in the browser, builds each object from a form, shows
//! it, signs it and submits it to `POST /v1/objects` like any other client.
//! The node never sees a private key.

mod assets;
mod audit_page;
mod audit_tree;
mod catalogue;
mod forms;
mod html;
mod i18n;
mod identity;
mod links;
mod object;
mod section;
mod transparency;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use baraza_protocol::kinds::Charter;
use baraza_protocol::{Body, Kind, ObjectId, SignedObject};
use maud::{html, Markup};
use serde::Deserialize;

use crate::http::{extract, ApiError, ApiState};
use crate::service::{self, listings};
use crate::store::{now_ms, Listing};
use html::{date, Page, Words};
use i18n::{Key, Lang};

/// Most comments a section page shows (each page stays well under 200 KB).
const MAX_COMMENTS: usize = 200;
/// Most objects an author page lists.
const MAX_LISTED: usize = 200;

/// The pages' routes.
pub(crate) fn routes() -> Router<ApiState> {
    Router::new()
        .route("/", get(overview))
        .route("/charters/{id}/sections/{slug}", get(section::section))
        .route("/objects/{id}", get(object::object))
        .route("/authors/{did}", get(object::author))
        .route("/audit/{id}", get(audit_page::audit))
        .route("/identity", get(identity_page))
        .route("/log", get(transparency::log_page))
        .route("/assets/{name}", get(assets::asset))
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
    /// A paragraph of the current draft to preselect in the comment form.
    anchor: Option<String>,
}

/// What every page handler starts from.
#[derive(Clone)]
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

    fn page(&self, title: impl Into<String>, body: Markup) -> Page {
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
            ..self.page(title, html! { p { (error.message) } })
        }
    }
}

/// Every object of a listing (up to `most`), across pages. Blocking:
/// pages are built inside [`render_blocking`].
fn all(state: &ApiState, listing: &Listing, most: usize) -> Result<Vec<SignedObject>, ApiError> {
    Ok(listings::all(&state.store, listing, most)?)
}

/// Builds a page on a blocking thread (pages read the store), or the
/// page for its error.
async fn render_blocking<F>(ctx: Ctx, build: F) -> Page
where
    F: FnOnce(&Ctx) -> Result<Page, ApiError> + Send + 'static,
{
    let shown = ctx.clone();
    let built = service::blocking(move || Ok(ctx.render(build(&ctx)))).await;
    built.unwrap_or_else(|e| shown.error(e.into()))
}

async fn identity_page(Query(query): Query<LangQuery>, headers: HeaderMap) -> Page {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    identity::page(lang, "/identity".into())
}

/// An object id from a page's path: the API's rule and error (400 `bad_id`).
fn parse_id(text: &str) -> Result<ObjectId, ApiError> {
    extract::object_id(text)
}

// ----- the overview -------------------------------------------------------

async fn overview(
    State(state): State<ApiState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, "/".into());
    render_blocking(ctx, move |ctx| {
        overview_body(&state, ctx).map(|body| ctx.page(ctx.t(Key::Consultations), body))
    })
    .await
}

fn overview_body(state: &ApiState, ctx: &Ctx) -> Result<Markup, ApiError> {
    let charters = all(state, &Listing::Kind(Kind::Charter), MAX_LISTED)?;
    Ok(render_overview(ctx, &charters, now_ms()))
}

/// The overview of `charters` at `now`: each with its phases and sections.
fn render_overview(ctx: &Ctx, charters: &[SignedObject], now: u64) -> Markup {
    if charters.is_empty() {
        return html! { p { (ctx.t(Key::NoConsultations)) } };
    }
    html! {
        @for object in charters {
            @if let Body::Charter(charter) = object.body() {
                section {
                    h2 { (ctx.object_link(object, &charter.title)) }
                    @if let Some(summary) = &charter.summary {
                        p { (Words(summary)) }
                    }
                    p class="meta" { (ctx.t(Key::Created)) " " (date(charter.created_at)) }
                    (phases(ctx, charter, now))
                    h3 { (ctx.t(Key::Sections)) }
                    ol {
                        @for s in &charter.sections {
                            li {
                                a href=(ctx.href(&format!("/charters/{}/sections/{}", object.id(), s.slug))) {
                                    (Words(&s.title))
                                }
                                @if let Some(summary) = &s.summary {
                                    " — " span class="muted" { (Words(summary)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn phases(ctx: &Ctx, charter: &Charter, now: u64) -> Markup {
    html! {
        h3 { (ctx.t(Key::Phases)) }
        ul {
            @for phase in &charter.phases {
                @let (class, state) = if now < phase.opens {
                    ("badge", ctx.t(Key::Upcoming))
                } else if now < phase.closes {
                    ("badge open", ctx.t(Key::OpenNow))
                } else {
                    ("badge", ctx.t(Key::Closed))
                };
                @let accepts: Vec<&str> = phase.accepts.iter().map(|k| k.as_str()).collect();
                li {
                    strong { (Words(&phase.name)) } " " (date(phase.opens)) " – " (date(phase.closes)) " "
                    span class=(class) { (state) } " "
                    span class="muted" { "(" (ctx.t(Key::Accepts)) " " (accepts.join(", ")) ")" }
                }
            }
        }
    }
}
