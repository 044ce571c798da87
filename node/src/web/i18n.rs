//! The pages' strings, by language. English is complete; every other
//! language falls back to English for a string it lacks.
//!
//! The language is `?lang=` when it names a supported one, else the first
//! supported language in `Accept-Language`, else English.

use axum::http::{header, HeaderMap};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Fr,
}

impl Lang {
    /// Every supported language, in the order the language switch shows.
    pub(crate) const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// Picks the page language from `?lang=` and `Accept-Language`.
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
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map_or(Lang::En, |(_, l)| *l)
    }

    /// The string `key` in this language.
    pub(crate) fn t(self, key: Key) -> &'static str {
        let fr = match self {
            Lang::En => None,
            Lang::Fr => french(key),
        };
        fr.unwrap_or_else(|| english(key))
    }
}

/// Every string the pages show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
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

fn english(key: Key) -> &'static str {
    use Key::*;
    match key {
        SiteTitle => "baraza — multistakeholder consultations",
        Consultations => "Consultations",
        NoConsultations => "This node holds no consultation yet.",
        Sections => "Sections",
        Phases => "Phases",
        OpenNow => "open now",
        Closed => "closed",
        Upcoming => "upcoming",
        Accepts => "accepts",
        CurrentDraft => "Current draft",
        NoDraft => "No draft of this section yet.",
        Version => "version",
        Goals => "Goals",
        Targets => "Targets",
        Indicators => "Indicators",
        Comments => "Comments",
        NoComments => "No comments yet.",
        Endorsements => "Endorsements",
        Support => "support",
        Objections => "objections",
        ByGroup => "by stakeholder group",
        Author => "Author",
        Kind => "Kind",
        Created => "Created",
        Language => "Language",
        Fields => "Content",
        Referrers => "Objects referring to this one",
        Audit => "Audit",
        Verdict => "Verdict",
        Policy => "Endorsement policy",
        Met => "met",
        NotMet => "not met",
        Participation => "Participation",
        ObjectsBy => "Objects signed by this key",
        NotFound => "Not found on this node.",
        ShowAudit => "Audit its provenance",
        Unattested => "unattested",
        FullReport => "The full report (JSON)",
    }
}

fn french(key: Key) -> Option<&'static str> {
    use Key::*;
    Some(match key {
        SiteTitle => "baraza — consultations multipartites",
        Consultations => "Consultations",
        NoConsultations => "Ce nœud ne contient encore aucune consultation.",
        Sections => "Sections",
        Phases => "Phases",
        OpenNow => "ouverte",
        Closed => "close",
        Upcoming => "à venir",
        Accepts => "accepte",
        CurrentDraft => "Projet actuel",
        NoDraft => "Aucun projet pour cette section.",
        Version => "version",
        Goals => "Objectifs",
        Targets => "Cibles",
        Indicators => "Indicateurs",
        Comments => "Commentaires",
        NoComments => "Aucun commentaire pour l’instant.",
        Endorsements => "Soutiens",
        Support => "soutiens",
        Objections => "objections",
        ByGroup => "par groupe de parties prenantes",
        Author => "Auteur",
        Kind => "Type",
        Created => "Créé le",
        Language => "Langue",
        Fields => "Contenu",
        Referrers => "Objets qui y font référence",
        Audit => "Audit",
        Verdict => "Verdict",
        Policy => "Règle de soutien",
        Met => "satisfaite",
        NotMet => "non satisfaite",
        Participation => "Participation",
        ObjectsBy => "Objets signés par cette clé",
        NotFound => "Introuvable sur ce nœud.",
        ShowAudit => "Vérifier sa provenance",
        Unattested => "non attesté",
        FullReport => "Le rapport complet (JSON)",
    })
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
        assert_eq!(Lang::negotiate(Some("xx"), &accept("fr-CA")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(None, &accept("de, en;q=0.5, fr;q=0.8")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, &accept("de, es")), Lang::En);
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::En);
    }

    #[test]
    fn french_differs_from_english_where_translated() {
        assert_ne!(Lang::Fr.t(Key::Comments), Lang::En.t(Key::NoComments));
        assert_eq!(Lang::Fr.t(Key::CurrentDraft), "Projet actuel");
        assert_eq!(Lang::En.t(Key::CurrentDraft), "Current draft");
    }
}
