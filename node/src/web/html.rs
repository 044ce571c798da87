//! Building pages: escaping, the layout every page shares, dates, and
//! inline SVG bar charts. Everything a peer or a signer wrote goes through
//! [`esc`]; nothing is loaded from another origin.

use std::fmt::Write;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::catalogue;
use super::i18n::{Key, Lang};

/// The pages' Content-Security-Policy: same-origin styles and scripts (no
/// inline script, no eval), fetches to this node only, no frames, no other
/// origins. A key made in the page can therefore only ever be used by the
/// node's own script, and what it signs only goes to this node.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content
/// and in quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn date(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = baraza_protocol::time::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// A page: the shared layout around `body`, with its headers.
pub(crate) struct Page {
    pub(crate) lang: Lang,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) status: StatusCode,
    /// The path of this page, for the language switch (no query).
    pub(crate) path: String,
}

impl Page {
    /// A 200 page.
    pub(crate) fn new(lang: Lang, title: String, body: String, path: String) -> Page {
        Page {
            lang,
            title,
            body,
            status: StatusCode::OK,
            path,
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let mut switch = String::new();
        for other in Lang::ALL {
            if other == lang {
                let _ = write!(switch, r#"<li aria-current="true">{}</li>"#, other.name());
            } else {
                let _ = write!(
                    switch,
                    r#"<li><a href="{}?lang={}" hreflang="{}" lang="{}">{}</a></li>"#,
                    esc(&self.path),
                    other.tag(),
                    other.tag(),
                    other.tag(),
                    other.name()
                );
            }
        }
        let html = format!(
            r#"<!doctype html>
<html lang="{tag}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · baraza</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<header><a class="site" href="/?lang={tag}">{site}</a>
<a id="identity-link" class="identity" href="/identity?lang={tag}">{your_key}</a>
<nav aria-label="{language}"><ul class="langs">{switch}</ul></nav></header>
<main id="main">
<h1>{title}</h1>
{body}
</main>
<script type="application/json" id="baraza-strings">{strings}</script>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
"#,
            tag = lang.tag(),
            title = esc(&self.title),
            site = esc(lang.t(Key::SiteTitle)),
            language = lang.t(Key::Language),
            body = self.body,
            your_key = catalogue::s(lang, "your_key"),
            strings = catalogue::script_strings(lang),
        );
        let mut response = (self.status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

/// A horizontal bar chart as inline SVG, with a text alternative (the
/// numbers are also in a table for screen readers and text browsers).
pub(crate) fn bar_chart(caption: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (bar_height, label_width, width) = (22u64, 180u64, 520u64);
    let height = bar_height * rows.len() as u64 + 4;
    let mut svg = format!(
        r#"<figure><svg role="img" aria-label="{}" viewBox="0 0 {width} {height}" width="100%" class="chart">"#,
        esc(caption)
    );
    let mut table = String::new();
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = i as u64 * bar_height + 2;
        let w = (width - label_width - 50) * n / max;
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="label">{}</text><rect x="{label_width}" y="{y}" width="{w}" height="{}" class="bar"></rect><text x="{}" y="{}">{n}</text>"#,
            y + 15,
            esc(label),
            bar_height - 6,
            label_width + w + 6,
            y + 15,
        );
        let _ = write!(
            table,
            "<tr><th scope=\"row\">{}</th><td>{n}</td></tr>",
            esc(label)
        );
    }
    let _ = write!(
        svg,
        r#"</svg><figcaption>{}</figcaption></figure><table class="data sr-only"><caption>{}</caption><tbody>{table}</tbody></table>"#,
        esc(caption),
        esc(caption)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("plain text, accents é"), "plain text, accents é");
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(1_706_745_600_000), "2024-02-01 00:00 UTC");
        assert_eq!(date(951_868_800_000 + 90_061_000), "2000-03-02 01:01 UTC");
        assert_eq!(date(1_709_251_140_000), "2024-02-29 23:59 UTC");
        assert_eq!(date(4_107_542_400_000), "2100-03-01 00:00 UTC");
    }

    #[test]
    fn a_chart_escapes_its_labels_and_scales_to_the_largest() {
        let svg = bar_chart("x<y", &[("a&b".into(), 4), ("c".into(), 2)]);
        assert!(svg.contains("a&amp;b") && svg.contains("x&lt;y"));
        assert!(!svg.contains("a&b"));
        assert!(
            svg.contains(r#"width="290""#),
            "the largest bar is full width"
        );
        assert!(svg.contains(r#"width="145""#), "half of it");
    }
}
