//! The pages the node serves to stakeholders and auditors, against a real
//! server over a real sled directory: every page answers HTML under a
//! strict CSP, stays small, escapes what signers wrote, threads replies,
//! counts endorsements, and speaks the six official languages of the
//! United Nations (Arabic right to left).

mod common;

use baraza_protocol::kinds::{Comment, Profile, StakeholderGroup};
use baraza_protocol::{Body, SignedObject};
use common::*;

/// 200 KB: the most a page may weigh (issue: usable on a slow link).
const MAX_PAGE_BYTES: usize = 200 * 1024;

struct Fetched {
    status: u16,
    content_type: String,
    csp: String,
    language: String,
    body: String,
}

async fn fetch(node: &TestNode, path: &str, accept_language: Option<&str>) -> Fetched {
    let mut request = node.http.get(node.url(path));
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.expect("GET page");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (status, content_type, csp, language) = (
        response.status().as_u16(),
        header("content-type"),
        header("content-security-policy"),
        header("content-language"),
    );
    let body = response.text().await.expect("body");
    Fetched {
        status,
        content_type,
        csp,
        language,
        body,
    }
}

/// What every page must be: HTML, the strict CSP, small, nothing from
/// another origin.
fn assert_page(page: &Fetched, path: &str) {
    assert!(
        page.content_type.starts_with("text/html"),
        "{path}: {}",
        page.content_type
    );
    assert!(
        page.csp.contains("default-src 'none'"),
        "{path}: CSP {:?}",
        page.csp
    );
    assert!(
        page.csp.contains("script-src 'self'") && !page.csp.contains("unsafe"),
        "{path}: scripts only from the node itself, never inline or eval: {:?}",
        page.csp
    );
    assert!(
        page.csp.contains("connect-src 'self'"),
        "{path}: what the page signs goes only to this node"
    );
    assert_eq!(
        page.body.matches("<script").count(),
        2,
        "{path}: exactly the strings block and the page script"
    );
    assert!(page
        .body
        .contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    assert!(
        page.body.len() <= MAX_PAGE_BYTES,
        "{path}: {} bytes",
        page.body.len()
    );
    for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(
            !page.body.contains(attribute),
            "{path}: refers to another origin"
        );
    }
    assert!(page.body.starts_with("<!doctype html>"), "{path}");
}

fn hostile_comment(charter: baraza_protocol::ObjectId) -> SignedObject {
    let body = Comment {
        created_at: FEB_2024 + 500,
        charter,
        section: SECTION.into(),
        draft: None,
        anchor: None,
        in_reply_to: None,
        language: "fr".into(),
        text: "<script>alert('pwned')</script> & \"quotes\"".into(),
    };
    sign(Body::Comment(body), &stakeholder())
}

/// A node holding a charter, two comments (one replying to the other), a
/// comment full of markup, a draft and an endorsement of it.
async fn consultation() -> (TestNode, Vec<SignedObject>) {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    let first = comment(c.id(), 1);
    let answer = reply(c.id(), Some(first.id()), 2);
    let hostile = hostile_comment(c.id());
    let d = draft(c.id(), first.id());
    let e = endorsement(d.id(), &stakeholder(), 1);
    let objects = vec![c, first, answer, hostile, d, e];
    for o in &objects {
        let (status, body) = node.submit(o).await;
        assert_eq!(status, 201, "{body}");
    }
    (node, objects)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_small_strict_html_from_this_origin_only() {
    let (node, objects) = consultation().await;
    let c = &objects[0];
    let paths = [
        "/".to_owned(),
        format!("/charters/{}/sections/{SECTION}", c.id()),
        format!("/objects/{}", objects[1].id()),
        format!("/authors/{}", objects[1].author().to_did()),
        format!("/audit/{}", objects[4].id()),
    ];
    for path in &paths {
        let page = fetch(&node, path, None).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_page(&page, path);
    }
    let css = node
        .http
        .get(node.url("/assets/site.css"))
        .send()
        .await
        .expect("css");
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/css"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_section_shows_the_draft_threaded_comments_and_endorsements() {
    let (node, objects) = consultation().await;
    let path = format!("/charters/{}/sections/{SECTION}", objects[0].id());
    let page = fetch(&node, &path, None).await;
    let body = &page.body;
    assert!(body.contains("Whole and open"), "the section's title");
    assert!(
        body.contains("The Internet should remain whole and open."),
        "the draft"
    );
    assert!(body.contains("Comments (3)"), "{body}");
    assert!(body.contains("1 support"), "the endorsement is counted");
    // The reply is inside its parent's article.
    let first = body.find("comment number 1").expect("first comment");
    let answer = body.find("comment number 2").expect("the reply");
    let parent_end = body[first..].find("</article>").expect("closes") + first;
    assert!(
        answer > first && answer < parent_end,
        "the reply is nested in its parent"
    );
    // What a signer wrote is shown, never run.
    assert!(body
        .contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"));
    assert_eq!(
        body.matches("<script").count(),
        2,
        "no markup from a signer reaches the page (only the page's own two scripts)"
    );
    assert!(
        body.contains(r#"lang="fr""#),
        "a comment carries its language"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_french_when_asked() {
    let (node, objects) = consultation().await;
    let path = format!("/charters/{}/sections/{SECTION}", objects[0].id());
    let english = fetch(&node, &path, None).await;
    assert!(english.body.contains("Current draft") && english.language == "en");
    let by_query = fetch(&node, &format!("{path}?lang=fr"), None).await;
    let by_header = fetch(&node, &path, Some("fr-FR, en;q=0.5")).await;
    for page in [&by_query, &by_header] {
        assert!(page.body.contains("Projet actuel"), "{}", page.body);
        assert!(page.body.contains(r#"<html lang="fr" dir="ltr">"#));
        assert_eq!(page.language, "fr");
    }
    assert!(by_query.body.contains("Commentaires (3)"));
}

/// `(tag, dir, the identity page's title, the section's "Current draft")`
/// for each language.
const LANGUAGES: [(&str, &str, &str, &str); 6] = [
    ("ar", "rtl", "مفتاحك", "المشروع الحالي"),
    ("zh", "ltr", "您的密钥", "当前草案"),
    ("en", "ltr", "Your key", "Current draft"),
    ("fr", "ltr", "Votre clé", "Projet actuel"),
    ("ru", "ltr", "Ваш ключ", "Текущий проект"),
    ("es", "ltr", "Su clave", "Proyecto actual"),
];

/// The `<html>` start tag a page in `tag` opens with.
fn html_tag(tag: &str, dir: &str) -> String {
    format!(r#"<html lang="{tag}" dir="{dir}">"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_the_six_un_languages_arabic_right_to_left() {
    let (node, objects) = consultation().await;
    let section = format!("/charters/{}/sections/{SECTION}", objects[0].id());
    let (_, _, english_title, english_draft) = LANGUAGES[2];
    for (tag, dir, title, current_draft) in LANGUAGES {
        let identity = fetch(&node, &format!("/identity?lang={tag}"), None).await;
        assert_eq!(identity.status, 200, "{tag}");
        assert_page(&identity, &format!("/identity?lang={tag}"));
        assert!(
            identity.body.contains(&html_tag(tag, dir)),
            "{tag}: {}",
            identity.body
        );
        assert_eq!(identity.language, tag);
        assert!(
            identity
                .body
                .contains(&format!("<title>{title} · baraza</title>")),
            "{tag}: the title is {title:?}"
        );
        if tag != "en" {
            assert_ne!(title, english_title, "{tag}");
            assert_ne!(current_draft, english_draft, "{tag}");
        }
        // The language switch offers the five others, each marked with its
        // own language and direction.
        for (other, other_dir, _, _) in LANGUAGES.iter().filter(|l| l.0 != tag) {
            assert!(
                identity.body.contains(&format!(
                    r#"href="/identity?lang={other}" hreflang="{other}" lang="{other}" dir="{other_dir}""#
                )),
                "{tag}: no link to {other}"
            );
        }
        let page = fetch(&node, &format!("{section}?lang={tag}"), None).await;
        assert_eq!(page.status, 200, "{tag}");
        assert_page(&page, &format!("{section}?lang={tag}"));
        assert!(page.body.contains(&html_tag(tag, dir)), "{tag}");
        assert!(
            page.body.contains(&format!("<h2>{current_draft}</h2>")),
            "{tag}: {}",
            page.body
        );
        assert!(
            page.body.contains(r#"<article class="comment" lang="fr">"#),
            "{tag}: a comment keeps its own language"
        );
        let overview = fetch(&node, &format!("/?lang={tag}"), None).await;
        assert_page(&overview, &format!("/?lang={tag}"));
        assert!(overview.body.contains(&html_tag(tag, dir)), "{tag}");
    }
    // The page script's strings follow the page's language too.
    let arabic = fetch(&node, "/identity?lang=ar", None).await;
    assert!(arabic.body.contains(r#""edit":"تعديل""#), "{}", arabic.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_language_picks_chinese_and_the_query_wins_over_it() {
    let (node, _) = consultation().await;
    for header in [
        "zh-CN",
        "zh-Hans-CN, en;q=0.8",
        "zh-TW,zh;q=0.9",
        "de, zh;q=0.5",
    ] {
        let page = fetch(&node, "/", Some(header)).await;
        assert!(page.body.contains(&html_tag("zh", "ltr")), "{header}");
        assert_eq!(page.language, "zh", "{header}");
        assert!(
            page.body.contains("<title>磋商 · baraza</title>"),
            "{header}"
        );
    }
    let spanish = fetch(&node, "/", Some("es-419")).await;
    assert_eq!(spanish.language, "es");
    assert!(spanish.body.contains("<title>Consultas · baraza</title>"));

    let arabic = fetch(&node, "/?lang=ar", Some("zh-CN, en;q=0.5")).await;
    assert!(arabic.body.contains(&html_tag("ar", "rtl")));
    assert_eq!(arabic.language, "ar");
    assert!(arabic.body.contains("<title>المشاورات · baraza</title>"));
    // A link keeps the page's language, whatever the header says.
    assert!(arabic.body.contains(r#"href="/identity?lang=ar""#));

    let unsupported = fetch(&node, "/?lang=xx", Some("ru-RU")).await;
    assert_eq!(
        unsupported.language, "ru",
        "an unknown ?lang= defers to the header"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_shows_the_verdict_and_the_policy() {
    let (node, objects) = consultation().await;
    let page = fetch(&node, &format!("/audit/{}", objects[4].id()), None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Verdict"));
    assert!(page.body.contains("Endorsement policy"), "{}", page.body);
    assert!(
        page.body.contains("<svg role=\"img\""),
        "participation charts"
    );
    assert!(page.body.contains("<details>"), "the full report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_addresses_get_html_errors() {
    let (node, _) = consultation().await;
    let missing = fetch(&node, &format!("/objects/{}", "ab".repeat(32)), None).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Not found on this node."));
    assert_page(&missing, "missing object");
    let malformed = fetch(&node, "/objects/not-an-id", None).await;
    assert_eq!(malformed.status, 400);
    assert_page(&malformed, "malformed id");
    let author = fetch(&node, "/authors/did:key:nonsense", None).await;
    assert_eq!(author.status, 400);
    let section = fetch(
        &node,
        &format!("/charters/{}/sections/nowhere", "ab".repeat(32)),
        None,
    )
    .await;
    assert_eq!(section.status, 404);
}

/// Markup a signer might try: a script, an attribute breaking out of its
/// quotes, the end of the form's textarea, an element with a handler.
const HOSTILE: &str =
    r#"<script>alert(1)</script>"onmouseover=alert(2) </textarea><img src=x onerror=alert(3)>"#;
/// [`HOSTILE`] as the pages must show it.
const HOSTILE_SHOWN: &str = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(2) \
     &lt;/textarea&gt;&lt;img src=x onerror=alert(3)&gt;";
/// A self-declared stakeholder group with markup in its label.
const HOSTILE_GROUP: &str = r#"<b onclick=x>"grp</b>"#;

/// What a page must not carry, whatever signers wrote.
fn assert_inert(page: &Fetched, path: &str) {
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    assert_page(page, path);
    for raw in [
        HOSTILE,
        "<script>alert",
        "\"onmouseover=",
        "<img",
        "<b onclick",
    ] {
        assert!(!page.body.contains(raw), "{path}: {raw:?} reached the page");
    }
    assert_eq!(
        page.body.matches("</textarea>").count(),
        page.body.matches("<textarea").count(),
        "{path}: only the forms' own textareas close"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_title_a_name_a_group_and_a_comment_is_shown_escaped() {
    let node = TestNode::start(test_limits()).await;
    let Body::Charter(mut body) = charter().body().clone() else {
        panic!("a charter");
    };
    body.sections[0].title = HOSTILE.into();
    let c = sign(Body::Charter(body), &steward());
    let mut comment = hostile_comment(c.id());
    if let Body::Comment(mut text) = comment.body().clone() {
        text.text = HOSTILE.into();
        comment = sign(Body::Comment(text), &stakeholder());
    }
    let profile = sign(
        Body::Profile(Profile {
            created_at: FEB_2024 + 100,
            name: HOSTILE.into(),
            group: StakeholderGroup::Other(HOSTILE_GROUP.into()),
            organisation: Some(HOSTILE.into()),
            country: None,
            languages: vec!["en".into()],
        }),
        &stakeholder(),
    );
    let d = draft(c.id(), comment.id());
    let e = endorsement(d.id(), &stakeholder(), 1);
    for o in [&c, &profile, &comment, &d, &e] {
        let (status, body) = node.submit(o).await;
        assert_eq!(status, 201, "{body}");
    }
    let section = format!("/charters/{}/sections/{SECTION}", c.id());
    let did = stakeholder().public().to_did();
    let pages = [
        ("/".to_owned(), "the section's title in the overview"),
        (section.clone(), "the title, the comment and the group"),
        (format!("{section}?lang=ar"), "the same in Arabic"),
        (format!("/objects/{}", profile.id()), "the display name"),
        (format!("/objects/{}", comment.id()), "the comment"),
        (format!("/authors/{did}"), "the group"),
        (format!("/audit/{}", d.id()), "the audit"),
    ];
    for (path, what) in &pages {
        let page = fetch(&node, path, None).await;
        assert_inert(&page, path);
        if *what != "the group" && *what != "the audit" {
            assert!(page.body.contains(HOSTILE_SHOWN), "{path}: {what}");
        }
    }
    let page = fetch(&node, &section, None).await;
    assert!(
        page.body
            .contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover"),
        "the page title"
    );
    // The chart counts endorsers by the group the audit's roster gives
    // them, never by a self-declared profile: this endorser is not
    // attested, so its hostile profile group is not in the chart at all
    // (the author page below shows it, escaped).
    assert!(
        page.body
            .contains(r#"<text x="0" y="17" class="label">unattested</text>"#)
            && !page.body.contains("onclick=x"),
        "the endorser is charted as unattested: {}",
        page.body
    );
    let author = fetch(&node, &format!("/authors/{did}"), None).await;
    assert!(author
        .body
        .contains(r#"<span class="badge">other:&lt;b onclick=x&gt;&quot;grp&lt;/b&gt;</span>"#));
}
