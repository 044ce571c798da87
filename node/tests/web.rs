//! The pages the node serves to stakeholders and auditors, against a real
//! server over a real sled directory: every page answers HTML under a
//! strict CSP, stays small, escapes what signers wrote, threads replies,
//! counts endorsements, and speaks English and French.

mod common;

use baraza_protocol::kinds::Comment;
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
        assert!(page.body.contains(r#"<html lang="fr">"#));
        assert_eq!(page.language, "fr");
    }
    assert!(by_query.body.contains("Commentaires (3)"));
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
