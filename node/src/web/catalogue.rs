//! The writing side's strings (identity, forms, and what the page script
//! says), by id, in every page language: the lookup over the per-language
//! tables in `i18n` (one file per language), and the JSON block of the
//! strings the page script uses ([`script_strings`]), so that a message
//! such as "the node refused it" follows the page's language like the rest.
//!
//! Placeholders are `{name}`; the page script fills them. The strings go
//! into the page as they are (they are the node's own, not a signer's), so
//! a test keeps markup characters out of them.

use maud::{Markup, PreEscaped, Render};

use super::i18n::Lang;

/// The string `id` in `lang`: English when the language lacks it, and
/// empty if no language has it (tests rule out both for the ids the pages
/// and the script use).
pub(crate) fn s(lang: Lang, id: &str) -> &'static str {
    find(lang, id).or_else(|| find(Lang::En, id)).unwrap_or("")
}

/// A stakeholder group for display: a standard group in `lang`, an
/// `other:<label>` group as its label (signer's words, to be escaped).
pub(crate) fn group_label(lang: Lang, group: &str) -> String {
    if baraza_protocol::kinds::STAKEHOLDER_GROUPS.contains(&group) {
        return s(lang, group).to_owned();
    }
    group.strip_prefix("other:").unwrap_or(group).to_owned()
}

/// A UN regional group in `lang`.
pub(crate) fn region_label(lang: Lang, region: baraza_protocol::kinds::Region) -> &'static str {
    match s(lang, region.as_str()) {
        "" => region.as_str(),
        text => text,
    }
}

/// The string `id` in `lang` with its `{name}` placeholders filled by
/// markup (a number, a `<time>`): the text around them is escaped like any
/// interpolation, so the placeholders may sit wherever a language puts
/// them. A placeholder without a value is left as it is.
pub(crate) fn fill(lang: Lang, id: &str, values: &[(&str, Markup)]) -> Markup {
    let mut out = String::new();
    let mut rest = s(lang, id);
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|end| open + end) else {
            break;
        };
        let name = &rest[open + 1..close];
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                rest[..open].render_to(&mut out);
                out.push_str(&value.0);
            }
            None => rest[..=close].render_to(&mut out),
        }
        rest = &rest[close + 1..];
    }
    rest.render_to(&mut out);
    PreEscaped(out)
}

/// The string `id` in `lang`'s own table.
fn find(lang: Lang, id: &str) -> Option<&'static str> {
    lang.writing()
        .iter()
        .find(|(key, _)| *key == id)
        .map(|(_, text)| *text)
}

/// The strings the page script says, as a JSON object, safe inside a
/// `<script type="application/json">` element (`<` is escaped, so no text
/// can close the element).
pub(crate) fn script_strings(lang: Lang) -> String {
    let map: serde_json::Map<String, serde_json::Value> = SCRIPT_IDS
        .iter()
        .map(|id| ((*id).to_owned(), s(lang, id).into()))
        .collect();
    serde_json::Value::Object(map)
        .to_string()
        .replace('<', "\\u003c")
}

/// The ids app.js looks up (a test checks this list against the script).
const SCRIPT_IDS: &[&str] = &[
    "your_key",
    "your_key_short",
    "stored",
    "known",
    "pending",
    "held",
    "refused",
    "review_title",
    "review_intro",
    "sign_submit",
    "edit",
    "need_key",
    "cannot_build",
    "signing",
    "network_error",
    "passphrase_short",
    "passphrase_mismatch",
    "working",
    "key_ready",
    "wrong_passphrase",
    "key_failed",
    "choose_file",
    "file_too_big",
    "forget_confirm",
    "receipt_title",
    "receipt_intro",
    "receipt_download",
];

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_protocol::kinds::common::REGIONS;
    use baraza_protocol::kinds::STAKEHOLDER_GROUPS;
    use std::collections::BTreeSet;

    /// The `{name}` placeholders of `text`, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .match_indices('{')
            .filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..=at + end]))
            .collect();
        found.sort_unstable();
        found
    }

    /// Calls `name("id"` in `source` not preceded by an identifier
    /// character (so `t("` does not match `split("`): the ids.
    fn ids_called<'a>(source: &'a str, call: &str) -> Vec<&'a str> {
        source
            .match_indices(call)
            .filter(|(at, _)| {
                !source[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            })
            .filter_map(|(at, _)| source[at + call.len()..].split('"').next())
            .collect()
    }

    #[test]
    fn every_language_has_every_id_once_and_nothing_else() {
        let english: BTreeSet<&str> = Lang::En.writing().iter().map(|(id, _)| *id).collect();
        assert_eq!(
            english.len(),
            Lang::En.writing().len(),
            "an id twice in English"
        );
        for lang in Lang::ALL {
            let mut ids = BTreeSet::new();
            for (id, text) in lang.writing() {
                assert!(ids.insert(*id), "{lang:?}: {id} twice");
                assert!(!text.trim().is_empty(), "{lang:?}: {id} is empty");
            }
            let missing: Vec<_> = english.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&english).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{lang:?} has ids English lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn every_language_keeps_the_placeholders_of_english() {
        for (id, english) in Lang::En.writing() {
            for lang in Lang::ALL {
                let text = s(lang, id);
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{lang:?} {id}: {text:?}"
                );
            }
        }
        assert_eq!(placeholders("a {b} c {a}"), ["{a}", "{b}"]);
    }

    #[test]
    fn no_string_carries_markup_or_breaks_an_attribute() {
        for lang in Lang::ALL {
            for (id, text) in lang.writing() {
                assert!(
                    !text.contains(['<', '>', '&', '"']),
                    "{lang:?} {id}: {text:?} would need escaping"
                );
            }
        }
    }

    #[test]
    fn the_new_languages_translate_every_sentence() {
        for lang in [Lang::Es, Lang::Ar, Lang::Ru, Lang::Zh] {
            for (id, english) in Lang::En.writing() {
                // A sentence (not a short label that may be a shared word).
                if english.split_whitespace().count() >= 3 {
                    assert_ne!(s(lang, id), *english, "{lang:?} {id} is English");
                }
            }
        }
        assert_eq!(s(Lang::Es, "your_key"), "Su clave");
        assert_eq!(s(Lang::Ar, "your_key"), "مفتاحك");
        assert_eq!(s(Lang::Ru, "your_key"), "Ваш ключ");
        assert_eq!(s(Lang::Zh, "your_key"), "您的密钥");
    }

    #[test]
    fn the_pages_ask_only_for_ids_every_language_has() {
        let sources = [
            ("forms.rs", include_str!("forms.rs")),
            ("identity.rs", include_str!("identity.rs")),
            ("audit_tree.rs", include_str!("audit_tree.rs")),
            ("audit_page.rs", include_str!("audit_page.rs")),
            ("section.rs", include_str!("section.rs")),
            ("object.rs", include_str!("object.rs")),
            ("transparency.rs", include_str!("transparency.rs")),
            ("html.rs", include_str!("html.rs")),
        ];
        let mut used = BTreeSet::new();
        for (file, source) in sources {
            for call in ["s(lang, \"", "s(ctx.lang, \"", "t(\"", "fill(lang, \""] {
                for id in ids_called(source, call) {
                    used.insert((file, id));
                }
            }
        }
        assert!(used.len() > 40, "found the pages' lookups: {used:?}");
        let groups = STAKEHOLDER_GROUPS.iter().map(|g| ("a group", *g));
        let regions = REGIONS.iter().map(|r| ("a region", r.as_str()));
        for (file, id) in used.into_iter().chain(groups).chain(regions) {
            for lang in Lang::ALL {
                assert!(
                    find(lang, id).is_some(),
                    "{file} asks for {id:?}, which {lang:?} lacks"
                );
            }
        }
    }

    #[test]
    fn the_script_asks_only_for_strings_it_is_given() {
        let script = include_str!("assets/app.js");
        // Calls of `t('id')`: "t('" not preceded by an identifier character.
        let used: BTreeSet<&str> = script
            .match_indices("t('")
            .filter(|(at, _)| {
                !script[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            })
            .filter_map(|(at, _)| script[at + 3..].split('\'').next())
            .collect();
        assert!(used.len() > 10, "found the script's t('…') calls");
        for id in &used {
            assert!(
                SCRIPT_IDS.contains(id),
                "app.js asks for {id:?}, not in SCRIPT_IDS"
            );
        }
        for id in SCRIPT_IDS {
            assert!(
                script.contains(&format!("'{id}'")),
                "{id} is not used by app.js"
            );
            for lang in Lang::ALL {
                assert!(find(lang, id).is_some(), "{id} is in {lang:?}'s table");
            }
        }
    }

    #[test]
    fn fill_puts_markup_in_place_of_its_placeholders() {
        let index = maud::html! { strong { "4" } };
        let filled = fill(Lang::En, "log_entry", &[("index", index.clone())]).into_string();
        assert_eq!(
            filled, "Logged by this node as entry <strong>4</strong> at {time}.",
            "a value it lacks stays a placeholder"
        );
        let zh = fill(
            Lang::Zh,
            "log_entry",
            &[("index", index), ("time", maud::html! { "T" })],
        )
        .into_string();
        assert_eq!(
            zh,
            "本节点已于 T 将其记入日志，条目编号 <strong>4</strong>。"
        );
        let text = maud::html! { (fill(Lang::En, "no_such_id", &[])) }.into_string();
        assert_eq!(text, "", "an unknown id is empty");
    }

    #[test]
    fn script_strings_cannot_close_their_element() {
        let json = script_strings(Lang::Fr);
        assert!(!json.contains('<'));
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(parsed["edit"], "Modifier");
        for lang in Lang::ALL {
            let json = script_strings(lang);
            assert!(!json.contains('<') && !json.contains("</"), "{lang:?}");
            let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
            for id in SCRIPT_IDS {
                assert_eq!(parsed[id], s(lang, id), "{lang:?} {id}");
            }
        }
        let arabic: serde_json::Value =
            serde_json::from_str(&script_strings(Lang::Ar)).expect("json");
        assert_eq!(arabic["edit"], "تعديل");
    }
}
