//! A section's page: the current draft (paragraphs with their anchors,
//! goals, targets, indicators), its endorsements by stakeholder group, the
//! comments threaded by reply, and the forms to comment and endorse.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::kinds::{Draft, Stance};
use baraza_protocol::{Body, Kind, ObjectId, PublicKey, SignedObject};

use super::html::{bar_chart, date, esc, Page};
use super::i18n::Key;
use super::{
    all, catalogue, forms, parse_id, render_blocking, Ctx, LangQuery, MAX_COMMENTS, MAX_LISTED,
};
use crate::http::{ApiError, ApiState};
use crate::store::Listing;

pub(super) async fn section(
    State(state): State<ApiState>,
    Path((id, slug)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, format!("/charters/{id}/sections/{slug}"));
    render_blocking(ctx, move |ctx| {
        section_page(&state, ctx, &id, &slug, query.anchor.as_deref())
    })
    .await
}

fn section_page(
    state: &ApiState,
    ctx: &Ctx,
    id: &str,
    slug: &str,
    anchor: Option<&str>,
) -> Result<Page, ApiError> {
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
    body.push_str(&forms::writing_notice(ctx.lang));
    let mut commented_draft = None;
    match current {
        Some(object) => {
            if let Body::Draft(draft) = object.body() {
                body.push_str(&draft_html(ctx, object, draft, slug));
                body.push_str(&endorsements_html(state, ctx, object)?);
                body.push_str(&forms::endorse_form(ctx.lang, "endorse-draft", object.id()));
                commented_draft = Some((object.id(), anchors(&draft.text)));
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
    let target = forms::CommentTarget {
        charter: charter_id,
        section: slug,
        draft: commented_draft,
        in_reply_to: None,
        anchor,
    };
    body.push_str(&forms::comment_form(
        ctx.lang,
        "comment-form",
        &target,
        &charter.languages,
    ));
    Ok(ctx.page(section.title.clone(), body))
}

fn draft_html(ctx: &Ctx, object: &SignedObject, draft: &Draft, slug: &str) -> String {
    let mut out = format!(
        "<p class=\"meta\">{} {} · {} · {} {}</p><div class=\"draft\">{}</div>",
        ctx.t(Key::Version),
        draft.version,
        date(draft.created_at),
        ctx.t(Key::Author),
        ctx.author_link(&object.author()),
        draft_paragraphs(
            ctx,
            &draft.text,
            &format!("/charters/{}/sections/{slug}", draft.charter)
        ),
    );
    if !draft.goals.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ol>", ctx.t(Key::Goals));
        for goal in &draft.goals {
            let _ = write!(
                out,
                "<li><strong dir=\"auto\">{}</strong>",
                esc(&goal.title)
            );
            if !goal.targets.is_empty() {
                let _ = write!(out, "<p class=\"muted\">{}</p><ol>", ctx.t(Key::Targets));
                for target in &goal.targets {
                    let _ = write!(out, "<li><span dir=\"auto\">{}</span>", esc(&target.text));
                    if !target.indicators.is_empty() {
                        let _ =
                            write!(out, "<p class=\"muted\">{}</p><ul>", ctx.t(Key::Indicators));
                        for indicator in &target.indicators {
                            let unit = indicator
                                .unit
                                .as_deref()
                                .map(|u| format!(" ({})", esc(u)))
                                .unwrap_or_default();
                            let _ = write!(
                                out,
                                "<li><span dir=\"auto\">{}{unit}</span></li>",
                                esc(&indicator.text)
                            );
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

/// A paragraph's text and its `{#anchor}`, when it ends with one.
fn split_anchor(paragraph: &str) -> (&str, Option<&str>) {
    let trimmed = paragraph.trim();
    if let Some(open) = trimmed.rfind("{#") {
        let tail = &trimmed[open + 2..];
        if let Some(anchor) = tail.strip_suffix('}') {
            let valid = !anchor.is_empty()
                && anchor.len() <= 64
                && anchor
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if valid {
                return (trimmed[..open].trim_end(), Some(anchor));
            }
        }
    }
    (trimmed, None)
}

/// The draft's paragraph anchors with each paragraph's first words.
fn anchors(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter_map(|p| {
            let (text, anchor) = split_anchor(p);
            let words: String = text
                .trim_start_matches('#')
                .split_whitespace()
                .take(8)
                .collect::<Vec<_>>()
                .join(" ");
            anchor.map(|a| (a.to_owned(), words))
        })
        .collect()
}

/// A draft's paragraphs; those with an anchor get an id and a link that
/// opens the comment form on them.
fn draft_paragraphs(ctx: &Ctx, text: &str, section_path: &str) -> String {
    let mut out = String::new();
    for p in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let (text, anchor) = split_anchor(p);
        // A Markdown heading (`#`, `##`, …) sits below the page's h1 and
        // the "Current draft" h2.
        let hashes = text.bytes().take_while(|b| *b == b'#').count();
        let (tag, text) = match text.get(hashes..) {
            Some(rest) if hashes > 0 && rest.starts_with(' ') => {
                (format!("h{}", (hashes + 2).min(6)), rest.trim())
            }
            _ => ("p".to_owned(), text),
        };
        match anchor {
            Some(anchor) => {
                let _ = write!(
                    out,
                    r##"<{tag} id="para-{a}">{} <a class="para" href="{}#comment-form" aria-label="{} {a}">¶ {a}</a></{tag}>"##,
                    esc(text),
                    esc(&format!(
                        "{section_path}?lang={}&anchor={anchor}",
                        ctx.lang.tag()
                    )),
                    catalogue::s(ctx.lang, "comment_on_paragraph"),
                    a = esc(anchor),
                );
            }
            None => {
                let _ = write!(out, "<{tag}>{}</{tag}>", esc(text));
            }
        }
    }
    out
}

pub(super) fn paragraphs(text: &str) -> String {
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
        let rows: Vec<(String, u64)> = by_group
            .into_iter()
            .map(|(group, n)| (catalogue::group_label(ctx.lang, &group), n))
            .collect();
        out.push_str(&bar_chart(
            &format!("{} {}", ctx.t(Key::Endorsements), ctx.t(Key::ByGroup)),
            &rows,
        ));
    }
    Ok(out)
}

/// The stakeholder group of `key`'s latest profile, if it has one.
pub(super) fn latest_profile_group(
    state: &ApiState,
    key: &PublicKey,
) -> Result<Option<String>, ApiError> {
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
        let _ = write!(
            out,
            r#"<p class="actions"><a href="{}">{}</a></p>"#,
            ctx.href(&format!("/objects/{}", c.id())),
            catalogue::s(ctx.lang, "reply_endorse")
        );
        // Deep threads are flattened past a few levels, to stay readable.
        if depth < 6 {
            render_level(ctx, children, Some(c.id()), depth + 1, out);
        }
        out.push_str("</article>");
    }
}
