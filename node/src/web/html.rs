//! Building pages: the layout every page shares (its language, its
//! direction, the switch to the other five languages), dates, and inline
//! SVG bar charts, all as maud templates (`html! {}`): the markup is
//! checked when the node compiles, and every interpolated value is escaped
//! unless it is wrapped in `PreEscaped` (used here only for the doctype and
//! the JSON strings block, whose text is raw by HTML's rules). Nothing is
//! loaded from another origin.
//!
//! Why maud rather than askama: the pages are built by small Rust
//! functions that call each other (a comment thread and a trust chain
//! recurse), which maud's templates-as-functions express directly, and
//! the markup stays beside the code that gathers what it shows.
//!
//! maud escapes `&`, `<`, `>` and `"`, which is all that element content
//! and its double-quoted attribute values need. What a signer wrote is
//! shown through [`Words`], which escapes `'` as well, as these pages
//! always have, so that a signer's text stays inert even if copied into a
//! single-quoted context.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, Render};

use super::catalogue;
use super::i18n::{Key, Lang};

/// The pages' Content-Security-Policy: same-origin styles and scripts (no
/// inline script, no eval), fetches to this node only, no frames, no other
/// origins. A key made in the page can therefore only ever be used by the
/// node's own script, and what it signs only goes to this node.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// A signer's words, for display: escaped like any interpolation (`&`,
/// `<`, `>`, `"`) and `'` too.
pub(crate) struct Words<'a>(pub(crate) &'a str);

impl Render for Words<'_> {
    fn render_to(&self, buffer: &mut String) {
        let mut parts = self.0.split('\'');
        if let Some(first) = parts.next() {
            first.render_to(buffer);
        }
        for part in parts {
            buffer.push_str("&#39;");
            part.render_to(buffer);
        }
    }
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM UTC`, in a `<time>` element
/// (so: element content only). site.css keeps it left to right as a unit,
/// so that an Arabic line does not reorder its numbers (`16-09-2024`).
pub(crate) fn date(ms: u64) -> Markup {
    let (year, month, day, hour, minute) = civil(ms);
    let machine = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}Z");
    html! { time datetime=(machine) { (date_text(ms)) } }
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
    pub(crate) body: Markup,
    pub(crate) status: StatusCode,
    /// The path of this page, for the language switch (no query).
    pub(crate) path: String,
}

impl Page {
    /// A 200 page.
    pub(crate) fn new(lang: Lang, title: String, body: Markup, path: String) -> Page {
        Page {
            lang,
            title,
            body,
            status: StatusCode::OK,
            path,
        }
    }

    /// The whole document: the layout around the body.
    fn document(&self) -> Markup {
        let lang = self.lang;
        let tag = lang.tag();
        html! {
            // maud's DOCTYPE is upper case; the pages have always said it so.
            (PreEscaped("<!doctype html>\n"))
            html lang=(tag) dir=(lang.dir()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " · baraza" }
                    link rel="icon" href="data:,";
                    link rel="stylesheet" href="/assets/site.css";
                }
                body {
                    header {
                        a class="site" href={ "/?lang=" (tag) } { (lang.t(Key::SiteTitle)) }
                        a class="log" href={ "/log?lang=" (tag) } { (catalogue::s(lang, "log_title")) }
                        a id="identity-link" class="identity" href={ "/identity?lang=" (tag) } {
                            (catalogue::s(lang, "your_key"))
                        }
                        nav aria-label=(lang.t(Key::Language)) {
                            ul class="langs" { (self.language_switch()) }
                        }
                    }
                    main id="main" {
                        h1 { (self.title) }
                        (self.body)
                    }
                    // JSON, whose `<` catalogue::script_strings escapes: the
                    // element's text is raw, so HTML escaping would corrupt it.
                    script type="application/json" id="baraza-strings" {
                        (PreEscaped(catalogue::script_strings(lang)))
                    }
                    script type="module" src="/assets/app.js" {}
                }
            }
        }
    }

    /// This page in the other five languages (each link in its own
    /// language and direction), and this one marked current.
    fn language_switch(&self) -> Markup {
        html! {
            @for other in Lang::ALL {
                @if other == self.lang {
                    li aria-current="true" { (other.name()) }
                } @else {
                    li {
                        a href={ (self.path) "?lang=" (other.tag()) } hreflang=(other.tag())
                            lang=(other.tag()) dir=(other.dir()) { (other.name()) }
                    }
                }
            }
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let html = self.document().into_string();
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
pub(crate) fn bar_chart(caption: &str, rows: &[(String, u64)]) -> Markup {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let longest = rows.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0);
    let label_width = (longest + LABEL_GAP).clamp(MIN_LABEL_WIDTH, MAX_LABEL_WIDTH);
    let (bar_height, width) = (22u64, CHART_WIDTH);
    let height = bar_height * rows.len() as u64 + 4;
    html! {
        figure {
            svg role="img" aria-label=(caption) viewBox={ "0 0 " (width) " " (height) }
                width="100%" class="chart" {
                @for (i, (label, n)) in rows.iter().enumerate() {
                    @let y = i as u64 * bar_height + 2;
                    @let w = (width - label_width - 50) * n / max;
                    @let shown = fit(label, label_width - LABEL_GAP);
                    text x="0" y=(y + 15) class="label" {
                        @if shown != *label {
                            title { (Words(label)) }
                        }
                        (Words(&shown))
                    }
                    rect x=(label_width) y=(y) width=(w) height=(bar_height - 6) class="bar" {}
                    text x=(label_width + w + 6) y=(y + 15) { (n) }
                }
            }
            figcaption { (caption) }
        }
        div class="sr-only" {
            table class="data" {
                caption { (caption) }
                tbody {
                    @for (label, n) in rows {
                        tr { th scope="row" { (Words(label)) } td { (n) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as [`Words`] render it.
    fn shown(text: &str) -> String {
        Words(text).render().into_string()
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            shown(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(shown("plain text, accents é"), "plain text, accents é");
        assert_eq!(shown("'"), "&#39;");
        assert_eq!(shown("''a'"), "&#39;&#39;a&#39;");
    }

    #[test]
    fn every_interpolation_is_escaped_in_content_and_attributes() {
        let hostile = r#"<script>alert(1)</script>"onmouseover=x </textarea>"#;
        let markup = html! { p title=(hostile) { (hostile) } }.into_string();
        assert_eq!(
            markup,
            "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=x &lt;/textarea&gt;\">\
             &lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=x &lt;/textarea&gt;</p>"
        );
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
            date(951_868_800_000 + 90_061_000).into_string(),
            r#"<time datetime="2000-03-02T01:01Z">2000-03-02 01:01 UTC</time>"#
        );
    }

    #[test]
    fn a_chart_escapes_its_labels_and_scales_to_the_largest() {
        let svg = bar_chart("x<y", &[("a&b".into(), 4), ("c".into(), 2)]).into_string();
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
        let svg = bar_chart("c", &[(region.clone(), 2)]).into_string();
        let column = text_width(&region) + LABEL_GAP;
        assert!(column > MIN_LABEL_WIDTH && column < MAX_LABEL_WIDTH);
        assert!(svg.contains(&format!(r#"<rect x="{column}""#)), "{svg}");
        assert!(svg.contains(&format!(">{region}</text>")), "shown whole");

        let long = "x".repeat(80);
        let svg = bar_chart("c", &[(long.clone(), 1)]).into_string();
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
        let response = Page::new(lang, "t".into(), html! {}, "/x".into()).into_response();
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
