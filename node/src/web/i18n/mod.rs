//! The pages' strings, in the six official languages of the United
//! Nations: which language a page speaks ([`Lang::negotiate`]), which way
//! it is written ([`Lang::dir`]), and its strings ([`Lang::t`] for the
//! reading pages' [`Key`]s, [`Lang::writing`] for the writing side's
//! strings by id, looked up by `catalogue`).
//!
//! One file per language holds both kinds of string. English is complete
//! by construction (an exhaustive `match`); any other language falls back
//! to English for a string it lacks, and a test checks that none lacks any
//! today.
//!
//! The language is `?lang=` when it names a supported one, else the most
//! preferred supported language in `Accept-Language`, else English. Only
//! the primary subtag counts: `zh-CN`, `zh-Hans` and `zh-TW` all get the
//! Chinese pages (written in Simplified characters), `es-419` the Spanish.

mod ar;
mod en;
mod es;
mod fr;
mod ru;
mod zh;

use axum::http::{header, HeaderMap};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Ar,
    Zh,
    En,
    Fr,
    Ru,
    Es,
}

/// The writing side's strings of one language: `(id, text)`.
pub(crate) type Strings = &'static [(&'static str, &'static str)];

impl Lang {
    /// Every supported language, in the order the language switch shows:
    /// the United Nations' (by English name: Arabic, Chinese, English,
    /// French, Russian, Spanish).
    pub(crate) const ALL: [Lang; 6] = [Lang::Ar, Lang::Zh, Lang::En, Lang::Fr, Lang::Ru, Lang::Es];

    /// The BCP 47 tag: `?lang=`, `<html lang>`, `Content-Language`.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Zh => "zh",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::Es => "es",
        }
    }

    /// The language's own name, as the language switch shows it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::Ar => "العربية",
            Lang::Zh => "中文",
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ru => "Русский",
            Lang::Es => "Español",
        }
    }

    /// The writing direction, for `<html dir>`: `rtl` for Arabic.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language of a BCP 47 tag, by its primary subtag (any case).
    fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// Picks the page language from `?lang=` and `Accept-Language`: the
    /// query when it names a supported language, else the supported
    /// language of highest weight (the first of equal weights; `q=0`
    /// means "not this one"), else English.
    pub(crate) fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_tag) {
            return lang;
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut ranked: Vec<(f32, Lang)> = accept
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let lang = Lang::from_tag(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // Stable: of equal weights, the first listed wins.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map_or(Lang::En, |(_, l)| *l)
    }

    /// The string `key` in this language (English if it lacks it).
    pub(crate) fn t(self, key: Key) -> &'static str {
        self.page(key).unwrap_or_else(|| en::page(key))
    }

    /// The string `key` in this language only.
    fn page(self, key: Key) -> Option<&'static str> {
        match self {
            Lang::Ar => ar::page(key),
            Lang::Zh => zh::page(key),
            Lang::En => Some(en::page(key)),
            Lang::Fr => fr::page(key),
            Lang::Ru => ru::page(key),
            Lang::Es => es::page(key),
        }
    }

    /// The writing side's strings in this language, by id (English's
    /// list is the complete one; `catalogue` falls back to it).
    pub(crate) fn writing(self) -> Strings {
        match self {
            Lang::Ar => ar::WRITING,
            Lang::Zh => zh::WRITING,
            Lang::En => en::WRITING,
            Lang::Fr => fr::WRITING,
            Lang::Ru => ru::WRITING,
            Lang::Es => es::WRITING,
        }
    }
}

/// Declares [`Key`] and [`Key::ALL`] from one list, so that the list the
/// tests walk cannot miss a key.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// Every string the reading pages show.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Key {
            $($key,)*
        }

        impl Key {
            /// Every key, in declaration order.
            #[cfg(test)]
            pub(crate) const ALL: &'static [Key] = &[$(Key::$key,)*];
        }
    };
}

keys! {
    SiteTitle,
    Consultations,
    NoConsultations,
    Sections,
    Phases,
    OpenNow,
    Closed,
    Upcoming,
    Accepts,
    CurrentDraft,
    NoDraft,
    Version,
    Goals,
    Targets,
    Indicators,
    Comments,
    NoComments,
    Endorsements,
    Support,
    Objections,
    ByGroup,
    Author,
    Kind,
    Created,
    Language,
    Fields,
    Referrers,
    Audit,
    Verdict,
    Policy,
    Met,
    NotMet,
    Participation,
    ObjectsBy,
    NotFound,
    ShowAudit,
    Unattested,
    FullReport,
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn the_query_wins_then_accept_language_by_weight_then_english() {
        assert_eq!(Lang::negotiate(Some("fr"), &accept("en")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("ar"), &accept("zh-CN")), Lang::Ar);
        assert_eq!(Lang::negotiate(Some("xx"), &accept("fr-CA")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(None, &accept("de, en;q=0.5, fr;q=0.8")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, &accept("de, it")), Lang::En);
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::En);
    }

    #[test]
    fn regional_and_script_subtags_map_to_their_language() {
        for (header, lang) in [
            ("zh-CN", Lang::Zh),
            ("zh-Hans", Lang::Zh),
            ("zh-Hans-CN", Lang::Zh),
            ("zh-TW", Lang::Zh),
            ("ZH_hk", Lang::Zh),
            ("es-419", Lang::Es),
            ("es-ES", Lang::Es),
            ("ar-EG", Lang::Ar),
            ("ru-RU", Lang::Ru),
            ("fr-CH", Lang::Fr),
        ] {
            assert_eq!(Lang::negotiate(None, &accept(header)), lang, "{header}");
            assert_eq!(
                Lang::negotiate(Some(header), &accept("en")),
                lang,
                "{header}"
            );
        }
        assert_eq!(
            Lang::negotiate(None, &accept("zh-CN,zh;q=0.9,en;q=0.8")),
            Lang::Zh
        );
    }

    #[test]
    fn equal_weights_keep_their_order_and_q_zero_refuses() {
        assert_eq!(Lang::negotiate(None, &accept("ru, es")), Lang::Ru);
        assert_eq!(
            Lang::negotiate(None, &accept("es;q=0.7, ru;q=0.7")),
            Lang::Es
        );
        assert_eq!(Lang::negotiate(None, &accept("ar;q=0, ru;q=0.1")), Lang::Ru);
        assert_eq!(Lang::negotiate(None, &accept("ar;q=0")), Lang::En);
        assert_eq!(Lang::negotiate(None, &accept("*, es;q=0.5")), Lang::Es);
    }

    #[test]
    fn tags_names_and_directions() {
        let tags: Vec<&str> = Lang::ALL.iter().map(|l| l.tag()).collect();
        assert_eq!(tags, ["ar", "zh", "en", "fr", "ru", "es"]);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.dir(), if lang == Lang::Ar { "rtl" } else { "ltr" });
        }
        assert_eq!(Lang::Es.name(), "Español");
        assert_eq!(Lang::Ar.name(), "العربية");
        assert_eq!(Lang::Ru.name(), "Русский");
        assert_eq!(Lang::Zh.name(), "中文");
    }

    #[test]
    fn every_language_has_every_key_without_falling_back() {
        for lang in Lang::ALL {
            for key in Key::ALL {
                let text = lang.page(*key);
                assert!(
                    text.is_some_and(|t| !t.trim().is_empty()),
                    "{lang:?} lacks {key:?}"
                );
            }
        }
    }

    #[test]
    fn no_page_string_carries_markup_or_breaks_an_attribute() {
        // The pages put these strings into elements and attributes as
        // they are.
        for lang in Lang::ALL {
            for key in Key::ALL {
                let text = lang.t(*key);
                assert!(
                    !text.contains(['<', '>', '&', '"']),
                    "{lang:?} {key:?}: {text:?}"
                );
            }
        }
    }

    #[test]
    fn the_new_languages_translate_the_site_title_and_headings() {
        for lang in [Lang::Fr, Lang::Es, Lang::Ar, Lang::Ru, Lang::Zh] {
            for key in [
                Key::SiteTitle,
                Key::CurrentDraft,
                Key::NoComments,
                Key::NotFound,
            ] {
                assert_ne!(lang.t(key), Lang::En.t(key), "{lang:?} {key:?}");
            }
        }
        assert_eq!(Lang::Fr.t(Key::CurrentDraft), "Projet actuel");
        assert_eq!(Lang::Es.t(Key::CurrentDraft), "Proyecto actual");
        assert_eq!(Lang::Zh.t(Key::CurrentDraft), "当前草案");
        assert_eq!(Lang::En.t(Key::CurrentDraft), "Current draft");
    }

    #[test]
    fn chinese_is_written_in_simplified_characters() {
        // Characters whose Traditional form differs, in their Traditional
        // form: none may appear in the Chinese strings.
        const TRADITIONAL: &str =
            "體國際議論證書簽鑰們個這對於與來時應點頁節區網絡連開關錄發審計參與";
        let mut texts: Vec<&str> = Key::ALL.iter().map(|k| Lang::Zh.t(*k)).collect();
        texts.extend(Lang::Zh.writing().iter().map(|(_, t)| *t));
        for text in texts {
            if let Some(c) = text.chars().find(|c| TRADITIONAL.contains(*c)) {
                panic!("{text:?} has the Traditional character {c}");
            }
        }
    }
}
