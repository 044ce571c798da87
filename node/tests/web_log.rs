//! The transparency log on the node's pages, against a real server over a
//! real sled directory: an object's page says which entry of the log it
//! is and, once a checkpoint covers it, which witnesses cosigned that;
//! `/log` shows the log's origin, size, latest checkpoint and any
//! equivocation evidence, in the six official languages of the United
//! Nations, escaped.

mod common;

use std::sync::Arc;

use baraza_api_types::{InclusionProof, LogInfo, SubmitResults};
use baraza_node::p2p::witnessing::WitnessService;
use baraza_node::store::ObjectStore;
use baraza_node::tlog::checkpointer::checkpoint_now;
use baraza_node::tlog::{Notary, Witness};
use baraza_protocol::tlog::{hash_hex, Evidence, Hash, Receipt, SignedCheckpoint};
use baraza_protocol::{Keypair, SignedObject};
use common::*;

/// 200 KB: the most a page may weigh (BENCHMARKS.md, "Page weight").
const MAX_PAGE_BYTES: usize = 200 * 1024;

/// `(tag, dir, the log page's title)` for each language.
const LANGUAGES: [(&str, &str, &str); 6] = [
    ("ar", "rtl", "سجل الشفافية"),
    ("zh", "ltr", "透明日志"),
    ("en", "ltr", "Transparency log"),
    ("fr", "ltr", "Journal de transparence"),
    ("ru", "ltr", "Журнал прозрачности"),
    ("es", "ltr", "Registro de transparencia"),
];

/// A page: its status and HTML.
async fn page(node: &TestNode, path: &str) -> (u16, String) {
    let response = node
        .http
        .get(node.url(path))
        .send()
        .await
        .expect("GET page");
    let status = response.status().as_u16();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    let body = response.text().await.expect("body");
    assert!(body.len() <= MAX_PAGE_BYTES, "{path}: {} bytes", body.len());
    assert_eq!(
        body.matches("<script").count(),
        2,
        "{path}: only the page's own two scripts"
    );
    (status, body)
}

/// Submits `object`; the receipt the node answered with, checked.
async fn submit(node: &TestNode, object: &SignedObject) -> Receipt {
    let (status, json) = node.submit(object).await;
    assert_eq!(status, 201, "{json}");
    let results: SubmitResults = serde_json::from_value(json).expect("results");
    let note = results.results[0].receipt.as_deref().expect("a receipt");
    Receipt::verify(note.as_bytes()).expect("the receipt verifies")
}

async fn checkpoint(node: &TestNode) -> u64 {
    let notary = Notary::new(&node_key(), 1);
    let store: Arc<dyn ObjectStore> = node.state.store.clone();
    checkpoint_now(&store, &notary, &node.state.metrics.tlog)
        .await
        .expect("checkpoint")
        .expect("the log grew, so a checkpoint is signed")
}

/// `witness` cosigns the latest checkpoint at `time_secs`, as if it had
/// answered the node's request.
async fn cosign_latest(node: &TestNode, witness: &Keypair, time_secs: u64) {
    let (size, note) = node
        .state
        .store
        .checkpoint(None)
        .expect("read")
        .expect("a checkpoint");
    let mut signed = SignedCheckpoint::verify(&note).expect("verifies");
    let cosignature = signed.cosign(witness, time_secs);
    signed.add_cosignature(cosignature);
    node.state
        .store
        .put_checkpoint(size, &signed.to_note())
        .await
        .expect("kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_page_shows_its_entry_then_the_checkpoint_and_its_witnesses() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    submit(&node, &c).await;
    let first = comment(c.id(), 1);
    let receipt = submit(&node, &first).await;
    let path = format!("/objects/{}", first.id());

    let (status, before) = page(&node, &path).await;
    assert_eq!(status, 200, "{before}");
    assert!(
        before.contains(&format!(
            "Logged by this node as entry <strong>{}</strong> at <time",
            receipt.index
        )),
        "{before}"
    );
    assert!(
        before.contains("Not in a checkpoint yet (the node signs one every 1 s)."),
        "{before}"
    );
    assert!(
        !before.contains("/v1/log/inclusion"),
        "no proof to link yet"
    );

    let size = checkpoint(&node).await;
    assert!(receipt.index < size);
    let (_, covered) = page(&node, &path).await;
    assert!(
        covered.contains(&format!(
            "In the first checkpoint that includes it (tree size {size}). Witness cosignatures: 0."
        )),
        "{covered}"
    );
    let proof_link = format!("/v1/log/inclusion?id={}", first.id());
    assert!(covered.contains(&format!(r#"href="{proof_link}""#)));
    let (status, proof) = node.get_json(&proof_link).await;
    assert_eq!(status, 200, "{proof}");
    let proof: InclusionProof = serde_json::from_value(proof).expect("a proof");
    assert_eq!((proof.entry.index, proof.size), (receipt.index, size));

    let witness = Keypair::from_seed(&[77; 32]);
    cosign_latest(&node, &witness, 1_709_251_200).await;
    let (_, cosigned) = page(&node, &path).await;
    assert!(cosigned.contains("Witness cosignatures: 1."), "{cosigned}");
    let did = witness.public().to_did();
    assert!(
        cosigned.contains(&format!(r#"<code title="{did}">{}…"#, &did[..20])),
        "the witness by its short did:key: {cosigned}"
    );
    assert!(cosigned.contains(r#"<time datetime="2024-03-01T00:00Z">"#));

    // In French, the same facts in French words.
    let (_, french) = page(&node, &format!("{path}?lang=fr")).await;
    assert!(
        french.contains(&format!(
            "Journalisé par ce nœud comme entrée <strong>{}</strong> le <time",
            receipt.index
        )),
        "{french}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_page_speaks_six_languages_and_shows_the_latest_checkpoint() {
    let node = TestNode::start(test_limits()).await;
    let (status, empty) = page(&node, "/log").await;
    assert_eq!(status, 200, "{empty}");
    assert!(empty.contains("No checkpoint is signed yet."), "{empty}");
    let c = charter();
    submit(&node, &c).await;
    submit(&node, &comment(c.id(), 1)).await;
    submit(&node, &comment(c.id(), 2)).await;
    checkpoint(&node).await;
    let (_, info) = node.get_json("/v1/log").await;
    let info: LogInfo = serde_json::from_value(info).expect("log info");
    let note = info.checkpoint.clone().expect("a checkpoint");
    let signed = SignedCheckpoint::verify(note.as_bytes()).expect("verifies");

    for (tag, dir, title) in LANGUAGES {
        let (status, body) = page(&node, &format!("/log?lang={tag}")).await;
        assert_eq!(status, 200, "{tag}");
        assert!(
            body.contains(&format!(r#"<html lang="{tag}" dir="{dir}">"#)),
            "{tag}"
        );
        assert!(
            body.contains(&format!("<title>{title} · baraza</title>")),
            "{tag}: {body}"
        );
        assert!(
            body.contains(&format!("<code>{}</code>", info.origin)),
            "{tag}: the origin"
        );
        assert!(
            body.contains(&format!("<code>{}</code>", info.verifier_key)),
            "{tag}: the verifier key"
        );
        assert!(
            body.contains(&format!("<dd>{}</dd>", info.size)),
            "{tag}: the size"
        );
        assert!(
            body.contains(&format!(
                "<code>{}</code>",
                hash_hex(&signed.checkpoint.root)
            )),
            "{tag}: the root"
        );
        assert!(
            body.contains(&format!(r#"<pre class="note">{note}</pre>"#)),
            "{tag}: the note as signed"
        );
        // Every page links to the log, in its language.
        let (_, overview) = page(&node, &format!("/?lang={tag}")).await;
        assert!(
            overview.contains(&format!(
                r#"<a class="log" href="/log?lang={tag}">{title}</a>"#
            )),
            "{tag}: {overview}"
        );
        if tag != "en" {
            assert!(!body.contains("No equivocation evidence."), "{tag}");
        }
    }
    let (_, english) = page(&node, "/log?lang=en").await;
    assert!(english.contains("No equivocation evidence."));
    assert!(english.contains("No witness has cosigned it yet."));
    assert!(!english.contains(r#"class="warning""#));
    assert_eq!(info.size, 3);
}

/// Evidence against the log of `rogue`: two checkpoints of 10 entries
/// with different roots.
fn evidence_against(rogue: &Keypair) -> Evidence {
    let (one, other) = (Hash([1; 32]), Hash([2; 32]));
    let note = |root| String::from_utf8(SignedCheckpoint::sign(rogue, 10, root).to_note());
    Evidence {
        earlier: note(one).expect("utf-8"),
        later: note(other).expect("utf-8"),
        root: hash_hex(&other),
        proof: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equivocation_evidence_is_a_warning_naming_the_node() {
    let node = TestNode::start(test_limits()).await;
    let rogue = Keypair::from_seed(&[66; 32]);
    let witness = Witness::new(
        node.state.store.clone(),
        &node_key(),
        node.state.metrics.tlog.clone(),
    );
    assert!(
        witness.evidence(evidence_against(&rogue)).await,
        "it checks"
    );
    for (tag, _, _) in LANGUAGES {
        let (status, body) = page(&node, &format!("/log?lang={tag}")).await;
        assert_eq!(status, 200, "{tag}");
        let warning = body
            .find(r#"<section id="evidence" class="warning""#)
            .expect("a warning section");
        let intro = body.find("<dl class=\"fields\">").expect("the log's facts");
        assert!(warning < intro, "{tag}: the warning comes first");
        assert!(
            body.contains(&format!(
                "<td><code>{}</code></td>",
                rogue.public().to_did()
            )),
            "{tag}: the node's key"
        );
        assert!(body.contains("<td>10, 10</td>"), "{tag}: the sizes");
        assert!(body.contains(r#"href="/v1/log/evidence""#), "{tag}");
    }
    let (_, english) = page(&node, "/log").await;
    assert!(english.contains("<strong>Warning: the nodes below signed two checkpoints"));
    assert!(!english.contains("No equivocation evidence."));
}

/// Markup a signer might try, in a comment whose page also shows the log.
const HOSTILE: &str = r#"<script>alert(1)</script>"onmouseover=alert(2) </textarea>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_block_keeps_a_hostile_comment_escaped() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    submit(&node, &c).await;
    let baraza_protocol::Body::Comment(mut body) = comment(c.id(), 1).body().clone() else {
        panic!("a comment");
    };
    body.text = HOSTILE.into();
    let hostile = sign(baraza_protocol::Body::Comment(body), &stakeholder());
    let receipt = submit(&node, &hostile).await;
    checkpoint(&node).await;
    for (tag, _, _) in LANGUAGES {
        let path = format!("/objects/{}?lang={tag}", hostile.id());
        let (status, body) = page(&node, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains(HOSTILE) && !body.contains("<script>alert"),
            "{path}"
        );
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover"));
        assert!(
            body.contains(&format!("<strong>{}</strong>", receipt.index)),
            "{path}: the entry"
        );
        assert!(body.contains(r#"<section id="log" aria-labelledby="log-title">"#));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_page_shows_the_first_checkpoint_that_holds_it() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    submit(&node, &c).await;
    let early = comment(c.id(), 1);
    submit(&node, &early).await;
    let first = checkpoint(&node).await;
    submit(&node, &comment(c.id(), 2)).await;
    let second = checkpoint(&node).await;
    assert!(second > first);
    let (status, body) = page(&node, &format!("/objects/{}", early.id())).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("includes it (tree size {first}).")),
        "the first checkpoint, not the latest ({second}): {body}"
    );
}
