//! Building pages: escaping, the layout every page shares (its language,
//! its direction, the switch to the other five languages), dates, and
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

/// `ms` since the epoch as `YYYY-MM-DD HH:MM UTC`, in a `<time>` element
/// (so: element content only). site.css keeps it left to right as a unit,
/// so that an Arabic line does not reorder its numbers (`16-09-2024`).
pub(crate) fn date(ms: u64) -> String {
    let (year, month, day, hour, minute) = civil(ms);
    format!(
        r#"<time datetime="{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}Z">{}</time>"#,
        date_text(ms)
    )
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM UTC`.
fn date_text(ms: u64) -> String {
    let (year, month, day, hour, minute) = civil(ms);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// `ms` since the epoch as UTC year, month, day, hour and minute.
fn civil(ms: u64) -> (u64, u64, u64, u64, u64) {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = baraza_protocol::time::civil_from_days(days);
    (year, month, day, rest / 3600, rest % 3600 / 60)
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
                    r#"<li><a href="{}?lang={tag}" hreflang="{tag}" lang="{tag}" dir="{}">{}</a></li>"#,
                    esc(&self.path),
                    other.dir(),
                    other.name(),
                    tag = other.tag(),
                );
            }
        }
        let html = format!(
            r#"<!doctype html>
<html lang="{tag}" dir="{dir}">
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
            dir = lang.dir(),
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

/// The charts' width in SVG user units (the SVG scales to the page, its
/// text with it, so these widths hold on a phone as on a desktop).
const CHART_WIDTH: u64 = 520;
/// The labels' column: at least this wide…
const MIN_LABEL_WIDTH: u64 = 180;
/// …and at most this wide, so that bars keep 170 units; a longer label
/// is cut with "…" (and shown whole in its tooltip and in the table).
const MAX_LABEL_WIDTH: u64 = 300;
/// Between a label and its bar.
const LABEL_GAP: u64 = 10;

/// About how wide `text` is in the charts' 13-unit font: a wide (CJK,
/// full-width) character takes a full em, any other at most ~0.6 em.
fn text_width(text: &str) -> u64 {
    text.chars().map(char_width).sum()
}

/// [`text_width`] of one character.
fn char_width(c: char) -> u64 {
    let wide = matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    );
    if wide {
        13
    } else {
        8
    }
}

/// `text`, cut with "…" when it is wider than `width`.
fn fit(text: &str, width: u64) -> String {
    if text_width(text) <= width {
        return text.to_owned();
    }
    let mut used = char_width('…');
    let mut out = String::new();
    for c in text.chars() {
        used += char_width(c);
        if used > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A horizontal bar chart as inline SVG, with a text alternative (the
/// numbers are also in a table for screen readers and text browsers; the
/// table sits in a hidden box, since a table itself grows to its content
/// however narrow it is made, and would widen the page).
/// The chart reads left to right in every language (site.css keeps it so
/// on right-to-left pages); its labels' column is as wide as the longest
/// label needs, within bounds, so no label runs into the bars.
pub(crate) fn bar_chart(caption: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let longest = rows.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0);
    let label_width = (longest + LABEL_GAP).clamp(MIN_LABEL_WIDTH, MAX_LABEL_WIDTH);
    let (bar_height, width) = (22u64, CHART_WIDTH);
    let height = bar_height * rows.len() as u64 + 4;
    let mut svg = format!(
        r#"<figure><svg role="img" aria-label="{}" viewBox="0 0 {width} {height}" width="100%" class="chart">"#,
        esc(caption)
    );
    let mut table = String::new();
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = i as u64 * bar_height + 2;
        let w = (width - label_width - 50) * n / max;
        let shown = fit(label, label_width - LABEL_GAP);
        let tooltip = if shown == *label {
            String::new()
        } else {
            format!("<title>{}</title>", esc(label))
        };
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="label">{tooltip}{}</text><rect x="{label_width}" y="{y}" width="{w}" height="{}" class="bar"></rect><text x="{}" y="{}">{n}</text>"#,
            y + 15,
            esc(&shown),
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
        r#"</svg><figcaption>{}</figcaption></figure><div class="sr-only"><table class="data"><caption>{}</caption><tbody>{table}</tbody></table></div>"#,
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
        assert_eq!(date_text(0), "1970-01-01 00:00 UTC");
        assert_eq!(date_text(1_706_745_600_000), "2024-02-01 00:00 UTC");
        assert_eq!(
            date_text(951_868_800_000 + 90_061_000),
            "2000-03-02 01:01 UTC"
        );
        assert_eq!(date_text(1_709_251_140_000), "2024-02-29 23:59 UTC");
        assert_eq!(date_text(4_107_542_400_000), "2100-03-01 00:00 UTC");
    }

    #[test]
    fn a_date_is_a_time_element_with_its_machine_form() {
        assert_eq!(
            date(951_868_800_000 + 90_061_000),
            r#"<time datetime="2000-03-02T01:01Z">2000-03-02 01:01 UTC</time>"#
        );
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

    #[test]
    fn a_long_label_widens_its_column_up_to_a_bound_then_is_cut() {
        let region = "Western European and other States".to_owned();
        let svg = bar_chart("c", &[(region.clone(), 2)]);
        let column = text_width(&region) + LABEL_GAP;
        assert!(column > MIN_LABEL_WIDTH && column < MAX_LABEL_WIDTH);
        assert!(svg.contains(&format!(r#"<rect x="{column}""#)), "{svg}");
        assert!(svg.contains(&format!(">{region}</text>")), "shown whole");

        let long = "x".repeat(80);
        let svg = bar_chart("c", &[(long.clone(), 1)]);
        assert!(svg.contains(&format!(r#"<rect x="{MAX_LABEL_WIDTH}""#)));
        assert!(
            svg.contains(&format!("<title>{long}</title>")),
            "whole in its tooltip"
        );
        assert!(svg.contains("x…</text>"), "cut");
        assert!(
            svg.contains(&format!("<th scope=\"row\">{long}</th>")),
            "whole in the table"
        );
    }

    #[test]
    fn wide_characters_count_a_full_em() {
        assert_eq!(text_width("东欧国家"), 4 * 13);
        assert_eq!(text_width("abc"), 3 * 8);
        let cut = fit(&"国".repeat(40), 100);
        assert!(text_width(&cut) <= 100 && cut.ends_with('…'), "{cut}");
        assert_eq!(fit("غير معتمد", 100), "غير معتمد");
    }

    async fn rendered(lang: Lang) -> String {
        let response = Page::new(lang, "t".into(), String::new(), "/x".into()).into_response();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn the_page_says_its_language_and_direction_and_links_all_six() {
        let arabic = rendered(Lang::Ar).await;
        assert!(arabic.contains(r#"<html lang="ar" dir="rtl">"#));
        assert!(rendered(Lang::Zh)
            .await
            .contains(r#"<html lang="zh" dir="ltr">"#));
        for other in [Lang::Zh, Lang::En, Lang::Fr, Lang::Ru, Lang::Es] {
            assert!(
                arabic.contains(&format!(
                    r#"href="/x?lang={0}" hreflang="{0}" lang="{0}" dir="ltr">{1}</a>"#,
                    other.tag(),
                    other.name()
                )),
                "{other:?}"
            );
        }
        assert!(arabic.contains(r#"<li aria-current="true">العربية</li>"#));
        assert!(rendered(Lang::En)
            .await
            .contains(r#"lang="ar" dir="rtl">العربية</a>"#));
    }
}
