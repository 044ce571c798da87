//! A section's page: the current draft (paragraphs with their anchors,
//! goals, targets, indicators), its endorsements by stakeholder group, the
//! comments threaded by reply, and the forms to comment and endorse.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use baraza_protocol::audit::Roster;
use baraza_protocol::kinds::{Charter, Draft, Section, Stance};
use baraza_protocol::{Body, Kind, ObjectId, PublicKey, SignedObject};
use maud::{html, Markup};

use super::html::{bar_chart, date, Page, Words};
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

/// What a section page shows, as gathered from the store.
struct SectionView<'a> {
    /// The consultation, signed.
    charter_object: &'a SignedObject,
    /// Its body.
    charter: &'a Charter,
    /// The section shown.
    section: &'a Section,
    /// The current draft (the highest version) and its endorsements.
    current: Option<CurrentDraft<'a>>,
    /// The section's comments, oldest first.
    comments: &'a [SignedObject],
    /// The paragraph to preselect in the comment form (`?anchor=`).
    anchor: Option<&'a str>,
}

/// A section's current draft.
struct CurrentDraft<'a> {
    object: &'a SignedObject,
    draft: &'a Draft,
    endorsements: Endorsements,
}

/// Endorsement counts of a draft.
struct Endorsements {
    support: u64,
    object: u64,
    /// By the endorser's stakeholder group (or "unattested").
    by_group: BTreeMap<String, u64>,
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
    let drafts = all(
        state,
        &Listing::Section {
            charter: charter_id,
            section: slug.to_owned(),
            kind: Kind::Draft,
        },
        MAX_LISTED,
    )?;
    let current = drafts
        .iter()
        .filter_map(|d| match d.body() {
            Body::Draft(draft) => Some((d, draft)),
            _ => None,
        })
        .max_by_key(|(d, draft)| (draft.version, d.created_at()));
    let current = match current {
        Some((object, draft)) => Some(CurrentDraft {
            object,
            draft,
            endorsements: endorsement_counts(state, ctx, object)?,
        }),
        None => None,
    };
    let comments = all(
        state,
        &Listing::Section {
            charter: charter_id,
            section: slug.to_owned(),
            kind: Kind::Comment,
        },
        MAX_COMMENTS,
    )?;
    let view = SectionView {
        charter_object: &charter_object,
        charter,
        section,
        current,
        comments: &comments,
        anchor,
    };
    Ok(ctx.page(section.title.clone(), render_section(ctx, &view)))
}

/// The section page's body.
fn render_section(ctx: &Ctx, view: &SectionView<'_>) -> Markup {
    let slug = view.section.slug.as_str();
    let target = forms::CommentTarget {
        charter: view.charter_object.id(),
        section: slug,
        draft: view
            .current
            .as_ref()
            .map(|c| (c.object.id(), anchors(&c.draft.text))),
        in_reply_to: None,
        anchor: view.anchor,
    };
    html! {
        p class="meta" { (ctx.object_link(view.charter_object, &view.charter.title)) }
        @if let Some(summary) = &view.section.summary {
            p { (Words(summary)) }
        }
        h2 { (ctx.t(Key::CurrentDraft)) }
        (forms::writing_notice(ctx.lang))
        @match &view.current {
            Some(current) => {
                (draft_html(ctx, current.object, current.draft, slug))
                (endorsements_html(ctx, &current.endorsements))
                (forms::endorse_form(ctx.lang, "endorse-draft", current.object.id()))
            }
            None => {
                p { (ctx.t(Key::NoDraft)) }
            }
        }
        h2 { (ctx.t(Key::Comments)) " (" (view.comments.len()) ")" }
        @if view.comments.is_empty() {
            p { (ctx.t(Key::NoComments)) }
        } @else {
            (thread(ctx, view.comments))
        }
        (forms::comment_form(ctx.lang, "comment-form", &target, &view.charter.languages))
    }
}

fn draft_html(ctx: &Ctx, object: &SignedObject, draft: &Draft, slug: &str) -> Markup {
    let section_path = format!("/charters/{}/sections/{slug}", draft.charter);
    html! {
        p class="meta" {
            (ctx.t(Key::Version)) " " (draft.version) " · " (date(draft.created_at)) " · "
            (ctx.t(Key::Author)) " " (ctx.author_link(&object.author()))
        }
        div class="draft" { (draft_paragraphs(ctx, &draft.text, &section_path)) }
        @if !draft.goals.is_empty() {
            h3 { (ctx.t(Key::Goals)) }
            ol {
                @for goal in &draft.goals {
                    li {
                        strong dir="auto" { (Words(&goal.title)) }
                        @if !goal.targets.is_empty() {
                            p class="muted" { (ctx.t(Key::Targets)) }
                            ol {
                                @for target in &goal.targets {
                                    li {
                                        span dir="auto" { (Words(&target.text)) }
                                        @if !target.indicators.is_empty() {
                                            p class="muted" { (ctx.t(Key::Indicators)) }
                                            ul {
                                                @for indicator in &target.indicators {
                                                    li {
                                                        span dir="auto" {
                                                            (Words(&indicator.text))
                                                            @if let Some(unit) = &indicator.unit {
                                                                " (" (Words(unit)) ")"
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
        p { a href=(ctx.href(&format!("/audit/{}", object.id()))) { (ctx.t(Key::ShowAudit)) } }
    }
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
fn draft_paragraphs(ctx: &Ctx, text: &str, section_path: &str) -> Markup {
    html! {
        @for p in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            @let (text, anchor) = split_anchor(p);
            // A Markdown heading (`#`, `##`, …) sits below the page's h1 and
            // the "Current draft" h2.
            @let hashes = text.bytes().take_while(|b| *b == b'#').count();
            @let (level, text) = match text.get(hashes..) {
                Some(rest) if hashes > 0 && rest.starts_with(' ') => ((hashes + 2).min(6), rest.trim()),
                _ => (0, text),
            };
            @let content = html! {
                (Words(text))
                @if let Some(a) = anchor {
                    " "
                    a class="para"
                        href={ (section_path) "?lang=" (ctx.lang.tag()) "&anchor=" (a) "#comment-form" }
                        aria-label={ (catalogue::s(ctx.lang, "comment_on_paragraph")) " " (a) } {
                        "¶ " (a)
                    }
                }
            };
            (block(level, anchor.map(|a| format!("para-{a}")), content))
        }
    }
}

/// `content` as a heading of `level` (3 to 6) or else a paragraph.
fn block(level: usize, id: Option<String>, content: Markup) -> Markup {
    html! {
        @match level {
            3 => { h3 id=[id] { (content) } }
            4 => { h4 id=[id] { (content) } }
            5 => { h5 id=[id] { (content) } }
            6 => { h6 id=[id] { (content) } }
            _ => { p id=[id] { (content) } }
        }
    }
}

/// A signer's text as paragraphs (split at blank lines).
pub(super) fn paragraphs(text: &str) -> Markup {
    html! {
        @for p in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            p { (Words(p.trim())) }
        }
    }
}

/// Most attestations read to label endorsers (far more than a page shows:
/// one missing would show its holder as unattested).
const MAX_ATTESTATIONS: usize = 10_000;

/// Endorsement counts of `target` by stance and by the group the audit
/// counts the endorser in when it endorsed ([`Roster`]; unattested otherwise).
fn endorsement_counts(
    state: &ApiState,
    ctx: &Ctx,
    target: &SignedObject,
) -> Result<Endorsements, ApiError> {
    let endorsements = all(
        state,
        &Listing::Referrers {
            target: target.id(),
            kind: Some(Kind::Endorsement),
        },
        MAX_LISTED,
    )?;
    let roster = match target.body() {
        Body::Draft(d) => {
            let kind = Some(Kind::Attestation);
            let listing = Listing::Referrers {
                target: d.charter,
                kind,
            };
            let attestations = all(state, &listing, MAX_ATTESTATIONS)?;
            Some(Roster::from_attestations(
                &*state.store,
                &d.charter,
                attestations,
            ))
        }
        _ => None,
    };
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
        let group = (roster.as_ref())
            .and_then(|r| r.standing_of(&e.author(), e.created_at()).counted_as)
            .unwrap_or_else(|| ctx.t(Key::Unattested).to_owned());
        *by_group.entry(group).or_default() += 1;
    }
    Ok(Endorsements {
        support,
        object,
        by_group,
    })
}

/// The endorsement counts, and a chart by group.
fn endorsements_html(ctx: &Ctx, counts: &Endorsements) -> Markup {
    let rows: Vec<(String, u64)> = counts
        .by_group
        .iter()
        .map(|(group, n)| (catalogue::group_label(ctx.lang, group), *n))
        .collect();
    html! {
        h3 { (ctx.t(Key::Endorsements)) }
        p {
            (counts.support) " " (ctx.t(Key::Support)) " · "
            (counts.object) " " (ctx.t(Key::Objections))
        }
        @if !rows.is_empty() {
            (bar_chart(&format!("{} {}", ctx.t(Key::Endorsements), ctx.t(Key::ByGroup)), &rows))
        }
    }
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
fn thread(ctx: &Ctx, comments: &[SignedObject]) -> Markup {
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
    render_level(ctx, &children, None, 0)
}

fn render_level(
    ctx: &Ctx,
    children: &BTreeMap<Option<ObjectId>, Vec<&SignedObject>>,
    parent: Option<ObjectId>,
    depth: usize,
) -> Markup {
    let Some(list) = children.get(&parent) else {
        return html! {};
    };
    html! {
        @for c in list {
            @if let Body::Comment(comment) = c.body() {
                article class="comment" lang=(comment.language) {
                    p class="meta" {
                        (ctx.author_link(&c.author())) " · " (date(comment.created_at)) " · "
                        span class="badge" { (comment.language) } " · "
                        (ctx.object_link(c, &c.id().short()))
                    }
                    (paragraphs(&comment.text))
                    p class="actions" {
                        a href=(ctx.href(&format!("/objects/{}", c.id()))) {
                            (catalogue::s(ctx.lang, "reply_endorse"))
                        }
                    }
                    // Deep threads are flattened past a few levels, to stay readable.
                    @if depth < 6 {
                        (render_level(ctx, children, Some(c.id()), depth + 1))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn ctx() -> Ctx {
        Ctx {
            lang: Lang::Fr,
            path: "/x".into(),
        }
    }

    #[test]
    fn a_draft_keeps_its_headings_and_anchors_and_escapes_its_words() {
        let text = "# Title\n\n#### Deep <i>\n\nKeep it 'open' {#keep-open}\n\n#no heading";
        let html = draft_paragraphs(&ctx(), text, "/charters/c/sections/s").into_string();
        assert!(
            html.starts_with("<h3>Title</h3><h6>Deep &lt;i&gt;</h6>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<p id="para-keep-open">Keep it &#39;open&#39; <a class="para" href="/charters/c/sections/s?lang=fr&amp;anchor=keep-open#comment-form""#),
            "{html}"
        );
        assert!(html.contains("¶ keep-open</a></p>"), "{html}");
        assert!(html.ends_with("<p>#no heading</p>"), "{html}");
        assert_eq!(
            anchors(text),
            [("keep-open".to_owned(), "Keep it 'open'".to_owned())]
        );
    }

    #[test]
    fn a_comment_text_is_paragraphs_of_escaped_words() {
        let html = paragraphs("<b>one</b>\n\n\n\n two \n\n").into_string();
        assert_eq!(html, "<p>&lt;b&gt;one&lt;/b&gt;</p><p>two</p>");
    }
}
