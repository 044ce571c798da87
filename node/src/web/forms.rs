//! The writing forms the pages carry: comment (on a section or one of the
//! current draft's paragraphs), reply, endorse or object, retract, and a
//! profile. Each is a `form[data-sign=<kind>]` whose named fields are the
//! body's fields (PROTOCOL.md §6); the page script (assets/app.js) builds
//! the object from them, shows it, signs it in the browser and submits it.
//! Forms start `hidden` and the script shows them once the browser holds a
//! key, so a page without script stays a clean reading page.

use std::fmt::Write;

use baraza_protocol::kinds::STAKEHOLDER_GROUPS;
use baraza_protocol::ObjectId;

use super::catalogue::s;
use super::html::esc;
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
pub(crate) fn writing_notice(lang: Lang) -> String {
    format!(
        r#"<p class="notice" data-no-key hidden>{} <a href="/identity?lang={}">{}</a></p>{}"#,
        s(lang, "need_key_html"),
        lang.tag(),
        s(lang, "your_key"),
        browser_notice(lang),
    )
}

/// What a page shows when this browser cannot sign as it should: no
/// script, no Ed25519 in its WebCrypto (the vendored library signs), or no
/// WebCrypto at all (not a secure context).
pub(crate) fn browser_notice(lang: Lang) -> String {
    format!(
        r#"<p class="notice" data-no-crypto hidden>{}</p><p class="notice" data-insecure hidden>{}</p><noscript><p class="notice">{}</p></noscript>"#,
        s(lang, "no_crypto"),
        s(lang, "insecure"),
        s(lang, "noscript"),
    )
}

/// The end of every form: the submit button and the status line the
/// script writes to (announced by screen readers).
fn form_end(out: &mut String, label: &str) {
    let _ = write!(
        out,
        r#"<button type="submit">{}</button><p class="outcome" role="status" aria-live="polite"></p></form>"#,
        esc(label)
    );
}

fn hidden(out: &mut String, name: &str, value: &str) {
    let _ = write!(
        out,
        r#"<input type="hidden" name="{name}" value="{}">"#,
        esc(value)
    );
}

/// A form for a comment, or a reply when `target.in_reply_to` is set.
pub(crate) fn comment_form(
    lang: Lang,
    id: &str,
    target: &CommentTarget<'_>,
    languages: &[String],
) -> String {
    let reply = target.in_reply_to.is_some();
    let title = s(lang, if reply { "reply" } else { "write_comment" });
    let mut out = format!(
        r#"<form id="{id}" class="write" data-sign="comment" data-needs-key hidden aria-labelledby="{id}-title"><h3 id="{id}-title">{title}</h3>"#
    );
    hidden(&mut out, "charter", &target.charter.to_string());
    hidden(&mut out, "section", target.section);
    if let Some(parent) = target.in_reply_to {
        hidden(&mut out, "in_reply_to", &parent.to_string());
    }
    if let Some((draft, anchors)) = &target.draft {
        hidden(&mut out, "draft", &draft.to_string());
        if !anchors.is_empty() {
            let _ = write!(
                out,
                r#"<label for="{id}-anchor">{}</label><select id="{id}-anchor" name="anchor"><option value="">{}</option>"#,
                s(lang, "paragraph"),
                s(lang, "whole_section")
            );
            for (anchor, words) in anchors {
                let selected = if target.anchor == Some(anchor.as_str()) {
                    " selected"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    r#"<option value="{a}"{selected}>{a} — {}</option>"#,
                    esc(words),
                    a = esc(anchor)
                );
            }
            out.push_str("</select>");
        }
    }
    let _ = write!(
        out,
        r#"<label for="{id}-language">{}</label><select id="{id}-language" name="language">"#,
        s(lang, "comment_language")
    );
    let mut offered: Vec<&str> = languages.iter().map(String::as_str).collect();
    if !offered.contains(&lang.tag()) {
        offered.insert(0, lang.tag());
    }
    for tag in offered {
        let selected = if tag == lang.tag() { " selected" } else { "" };
        let _ = write!(
            out,
            r#"<option value="{t}"{selected}>{t}</option>"#,
            t = esc(tag)
        );
    }
    let _ = write!(
        out,
        r#"</select><label for="{id}-text">{}</label><textarea id="{id}-text" name="text" rows="5" required maxlength="16384" data-keep-whitespace></textarea>"#,
        s(lang, if reply { "your_reply" } else { "comment_text" })
    );
    form_end(&mut out, s(lang, "review_sign"));
    out
}

/// A form to support or object to `target`.
pub(crate) fn endorse_form(lang: Lang, id: &str, target: ObjectId) -> String {
    let mut out = format!(
        r#"<form id="{id}" class="write" data-sign="endorsement" data-needs-key hidden aria-labelledby="{id}-title"><h3 id="{id}-title">{}</h3>"#,
        s(lang, "endorse_title")
    );
    hidden(&mut out, "target", &target.to_string());
    let _ = write!(
        out,
        r#"<fieldset><legend>{}</legend><label class="inline"><input type="radio" name="stance" value="support" checked> {}</label> <label class="inline"><input type="radio" name="stance" value="object"> {}</label></fieldset><label for="{id}-statement">{}</label><textarea id="{id}-statement" name="statement" rows="3" maxlength="4096" data-keep-whitespace></textarea><label for="{id}-behalf">{}</label><input id="{id}-behalf" name="on_behalf_of" maxlength="256">"#,
        s(lang, "stance"),
        s(lang, "support_it"),
        s(lang, "object_it"),
        s(lang, "statement"),
        s(lang, "on_behalf_of"),
    );
    form_end(&mut out, s(lang, "review_sign"));
    out
}

/// A form to retract `target`, shown only to its author.
pub(crate) fn retract_form(lang: Lang, id: &str, target: ObjectId, author_did: &str) -> String {
    let mut out = format!(
        r#"<form id="{id}" class="write" data-sign="retraction" data-author-only="{}" hidden aria-labelledby="{id}-title"><h3 id="{id}-title">{}</h3><p class="muted">{}</p>"#,
        esc(author_did),
        s(lang, "retract_title"),
        s(lang, "retract_help"),
    );
    hidden(&mut out, "target", &target.to_string());
    let _ = write!(
        out,
        r#"<label for="{id}-reason">{}</label><textarea id="{id}-reason" name="reason" rows="2" required maxlength="2048" data-keep-whitespace></textarea>"#,
        s(lang, "reason")
    );
    form_end(&mut out, s(lang, "retract_button"));
    out
}

/// A form for the key's profile.
pub(crate) fn profile_form(lang: Lang) -> String {
    let id = "profile-form";
    let mut out = format!(
        r#"<form id="{id}" class="write" data-sign="profile" data-needs-key hidden aria-labelledby="{id}-title"><h2 id="{id}-title">{}</h2><p class="muted">{}</p><label for="{id}-name">{}</label><input id="{id}-name" name="name" required maxlength="256" autocomplete="name"><label for="{id}-group">{}</label><select id="{id}-group" name="group">"#,
        s(lang, "profile_title"),
        s(lang, "profile_help"),
        s(lang, "name"),
        s(lang, "group"),
    );
    for group in STAKEHOLDER_GROUPS {
        let _ = write!(
            out,
            r#"<option value="{group}">{}</option>"#,
            s(lang, group)
        );
    }
    let _ = write!(
        out,
        r#"</select><label for="{id}-org">{}</label><input id="{id}-org" name="organisation" maxlength="256" autocomplete="organization"><label for="{id}-country">{}</label><input id="{id}-country" name="country" maxlength="2" pattern="[A-Z]{{2}}" autocapitalize="characters"><label for="{id}-langs">{}</label><input id="{id}-langs" name="languages" data-list value="{}">"#,
        s(lang, "organisation"),
        s(lang, "country"),
        s(lang, "languages"),
        lang.tag(),
    );
    form_end(&mut out, s(lang, "publish_profile"));
    out
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
        let html = comment_form(Lang::Fr, "reply-form", &target, &["en".into()]);
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
        let html = retract_form(Lang::En, "retract", id, "did:key:z6Mk\"x");
        assert!(html.contains(r#"data-author-only="did:key:z6Mk&quot;x""#));
        assert!(html.contains(r#"name="reason""#) && html.contains("required"));
    }
}
