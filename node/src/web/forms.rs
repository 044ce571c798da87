//! The writing forms the pages carry: comment (on a section or one of the
//! current draft's paragraphs), reply, endorse or object, retract, and a
//! profile. Each is a `form[data-sign=<kind>]` whose named fields are the
//! body's fields (PROTOCOL.md §6); the page script (assets/app.js) builds
//! the object from them, shows it, signs it in the browser and submits it.
//! Forms start `hidden` and the script shows them once the browser holds a
//! key, so a page without script stays a clean reading page.

use baraza_protocol::kinds::STAKEHOLDER_GROUPS;
use baraza_protocol::ObjectId;
use maud::{html, Markup};

use super::catalogue::s;
use super::html::Words;
use super::i18n::Lang;

/// Where a comment form points.
pub(crate) struct CommentTarget<'a> {
    /// The consultation.
    pub(crate) charter: ObjectId,
    /// The section's slug.
    pub(crate) section: &'a str,
    /// The draft commented on, with its paragraph anchors and their first words.
    pub(crate) draft: Option<(ObjectId, Vec<(String, String)>)>,
    /// The comment replied to.
    pub(crate) in_reply_to: Option<ObjectId>,
    /// The anchor to preselect (`?anchor=`).
    pub(crate) anchor: Option<&'a str>,
}

/// What a page shows about writing when it cannot yet: no key, no script,
/// no Ed25519 in this browser.
pub(crate) fn writing_notice(lang: Lang) -> Markup {
    html! {
        p class="notice" data-no-key hidden {
            (s(lang, "need_key_html")) " "
            a href={ "/identity?lang=" (lang.tag()) } { (s(lang, "your_key")) }
        }
        (browser_notice(lang))
    }
}

/// What a page shows when this browser cannot sign as it should: no
/// script, no Ed25519 in its WebCrypto (the vendored library signs), or no
/// WebCrypto at all (not a secure context).
pub(crate) fn browser_notice(lang: Lang) -> Markup {
    html! {
        p class="notice" data-no-crypto hidden { (s(lang, "no_crypto")) }
        p class="notice" data-insecure hidden { (s(lang, "insecure")) }
        noscript { p class="notice" { (s(lang, "noscript")) } }
    }
}

/// A writing form: `id`, signing a `kind`, headed by `title` (an `h2` on a
/// page of its own, else an `h3`), `fields` and then the submit button
/// (`submit`) and the status line the script writes to (announced by
/// screen readers). `shown` is the attribute that reveals it
/// (`data-needs-key`, or the author's did for `data-author-only`).
struct WriteForm<'a> {
    id: &'a str,
    kind: &'a str,
    shown: Shown<'a>,
    heading: Heading,
    title: &'a str,
    submit: &'a str,
}

/// Which browsers a form is shown in, by the page script.
enum Shown<'a> {
    /// Any that holds a key.
    WithKey,
    /// One holding the key of this did:key.
    ToAuthor(&'a str),
}

/// The level of a form's heading.
enum Heading {
    H2,
    H3,
}

impl WriteForm<'_> {
    fn render(&self, fields: Markup) -> Markup {
        let id = self.id;
        let (needs_key, author_only) = match self.shown {
            Shown::WithKey => (true, None),
            Shown::ToAuthor(did) => (false, Some(did)),
        };
        let title_id = format!("{id}-title");
        html! {
            form id=(id) class="write" data-sign=(self.kind) data-needs-key[needs_key]
                data-author-only=[author_only] hidden aria-labelledby=(title_id) {
                @match self.heading {
                    Heading::H2 => { h2 id=(title_id) { (self.title) } }
                    Heading::H3 => { h3 id=(title_id) { (self.title) } }
                }
                (fields)
                button type="submit" { (self.submit) }
                p class="outcome" role="status" aria-live="polite" {}
            }
        }
    }
}

fn hidden(name: &str, value: &str) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

/// A form for a comment, or a reply when `target.in_reply_to` is set.
pub(crate) fn comment_form(
    lang: Lang,
    id: &str,
    target: &CommentTarget<'_>,
    languages: &[String],
) -> Markup {
    let reply = target.in_reply_to.is_some();
    let mut offered: Vec<&str> = languages.iter().map(String::as_str).collect();
    if !offered.contains(&lang.tag()) {
        offered.insert(0, lang.tag());
    }
    let fields = html! {
        (hidden("charter", &target.charter.to_string()))
        (hidden("section", target.section))
        @if let Some(parent) = target.in_reply_to {
            (hidden("in_reply_to", &parent.to_string()))
        }
        @if let Some((draft, anchors)) = &target.draft {
            (hidden("draft", &draft.to_string()))
            @if !anchors.is_empty() {
                label for={ (id) "-anchor" } { (s(lang, "paragraph")) }
                select id={ (id) "-anchor" } name="anchor" {
                    option value="" { (s(lang, "whole_section")) }
                    @for (anchor, words) in anchors {
                        option value=(anchor) selected[target.anchor == Some(anchor.as_str())] {
                            (anchor) " — " (Words(words))
                        }
                    }
                }
            }
        }
        label for={ (id) "-language" } { (s(lang, "comment_language")) }
        select id={ (id) "-language" } name="language" {
            @for tag in offered {
                option value=(tag) selected[tag == lang.tag()] { (tag) }
            }
        }
        label for={ (id) "-text" } { (s(lang, if reply { "your_reply" } else { "comment_text" })) }
        textarea id={ (id) "-text" } name="text" rows="5" required maxlength="16384"
            data-keep-whitespace {}
    };
    WriteForm {
        id,
        kind: "comment",
        shown: Shown::WithKey,
        heading: Heading::H3,
        title: s(lang, if reply { "reply" } else { "write_comment" }),
        submit: s(lang, "review_sign"),
    }
    .render(fields)
}

/// A form to support or object to `target`.
pub(crate) fn endorse_form(lang: Lang, id: &str, target: ObjectId) -> Markup {
    let fields = html! {
        (hidden("target", &target.to_string()))
        fieldset {
            legend { (s(lang, "stance")) }
            label class="inline" {
                input type="radio" name="stance" value="support" checked;
                " " (s(lang, "support_it"))
            }
            " "
            label class="inline" {
                input type="radio" name="stance" value="object";
                " " (s(lang, "object_it"))
            }
        }
        label for={ (id) "-statement" } { (s(lang, "statement")) }
        textarea id={ (id) "-statement" } name="statement" rows="3" maxlength="4096"
            data-keep-whitespace {}
        label for={ (id) "-behalf" } { (s(lang, "on_behalf_of")) }
        input id={ (id) "-behalf" } name="on_behalf_of" maxlength="256";
    };
    WriteForm {
        id,
        kind: "endorsement",
        shown: Shown::WithKey,
        heading: Heading::H3,
        title: s(lang, "endorse_title"),
        submit: s(lang, "review_sign"),
    }
    .render(fields)
}

/// A form to retract `target`, shown only to its author.
pub(crate) fn retract_form(lang: Lang, id: &str, target: ObjectId, author_did: &str) -> Markup {
    let fields = html! {
        p class="muted" { (s(lang, "retract_help")) }
        (hidden("target", &target.to_string()))
        label for={ (id) "-reason" } { (s(lang, "reason")) }
        textarea id={ (id) "-reason" } name="reason" rows="2" required maxlength="2048"
            data-keep-whitespace {}
    };
    WriteForm {
        id,
        kind: "retraction",
        shown: Shown::ToAuthor(author_did),
        heading: Heading::H3,
        title: s(lang, "retract_title"),
        submit: s(lang, "retract_button"),
    }
    .render(fields)
}

/// A form for the key's profile.
pub(crate) fn profile_form(lang: Lang) -> Markup {
    let id = "profile-form";
    let fields = html! {
        p class="muted" { (s(lang, "profile_help")) }
        label for={ (id) "-name" } { (s(lang, "name")) }
        input id={ (id) "-name" } name="name" required maxlength="256" autocomplete="name";
        label for={ (id) "-group" } { (s(lang, "group")) }
        select id={ (id) "-group" } name="group" {
            @for group in STAKEHOLDER_GROUPS {
                option value=(group) { (s(lang, group)) }
            }
        }
        label for={ (id) "-org" } { (s(lang, "organisation")) }
        input id={ (id) "-org" } name="organisation" maxlength="256" autocomplete="organization";
        label for={ (id) "-country" } { (s(lang, "country")) }
        input id={ (id) "-country" } name="country" maxlength="2" pattern="[A-Z]{2}"
            autocapitalize="characters";
        label for={ (id) "-langs" } { (s(lang, "languages")) }
        input id={ (id) "-langs" } name="languages" data-list value=(lang.tag());
    };
    WriteForm {
        id,
        kind: "profile",
        shown: Shown::WithKey,
        heading: Heading::H2,
        title: s(lang, "profile_title"),
        submit: s(lang, "publish_profile"),
    }
    .render(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_form_carries_its_parent_and_escapes_anchor_words() {
        let id: ObjectId = "ab".repeat(32).parse().expect("id");
        let target = CommentTarget {
            charter: id,
            section: "whole-and-open",
            draft: Some((id, vec![("p1".into(), "<b>Keep</b>".into())])),
            in_reply_to: Some(id),
            anchor: Some("p1"),
        };
        let html = comment_form(Lang::Fr, "reply-form", &target, &["en".into()]).into_string();
        assert!(html.contains(r#"name="in_reply_to" value="abab"#));
        assert!(html.contains(r#"<option value="p1" selected>"#));
        assert!(html.contains("&lt;b&gt;Keep"));
        assert!(html.contains(r#"<option value="fr" selected>"#), "{html}");
        assert!(html.contains("Répondre"));
        assert!(html.contains(r#"data-sign="comment""#) && html.contains("hidden"));
    }

    #[test]
    fn a_retraction_form_is_only_for_its_author() {
        let id: ObjectId = "cd".repeat(32).parse().expect("id");
        let html = retract_form(Lang::En, "retract", id, "did:key:z6Mk\"x").into_string();
        assert!(html.contains(r#"data-author-only="did:key:z6Mk&quot;x""#));
        assert!(html.contains(r#"name="reason""#) && html.contains("required"));
    }
}
