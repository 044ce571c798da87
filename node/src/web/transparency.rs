//! The node's transparency log on its pages (PROTOCOL.md §14): the block
//! on each object's page (which entry of the log it is, whether a signed
//! checkpoint covers it yet, and which witnesses cosigned that), and
//! `/log` (the log's origin and key, its size, its latest checkpoint with
//! the witnesses' cosignatures, and, first and plainly, any evidence that
//! a node's log equivocated).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use baraza_protocol::tlog::{hash_hex, Equivocation};
use maud::{html, Markup};

use super::catalogue::{fill, s};
use super::html::{date, Page};
use super::links::short_did;
use super::{render_blocking, Ctx, LangQuery};
use crate::http::{ApiError, ApiState};
use crate::service::log::{latest_checkpoint, LatestCheckpoint};
use crate::store::LogEntry;

/// `GET /log`.
pub(super) async fn log_page(
    State(state): State<ApiState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Page {
    let ctx = Ctx::new(&query, &headers, "/log".into());
    render_blocking(ctx, move |ctx| {
        let latest = latest_checkpoint(&*state.store)?;
        let evidence: Vec<Equivocation> = crate::tlog::equivocations(&*state.store)
            .map_err(|e| ApiError::from(&e))?
            .into_iter()
            .map(|(shown, _)| shown)
            .collect();
        let about = About {
            origin: state.notary.origin(),
            verifier_key: &state.notary.verifier_key(),
            size: state.store.log_size(),
            interval_secs: state.notary.checkpoint_interval_secs(),
        };
        let body = render_log(ctx, &about, latest.as_ref(), &evidence);
        Ok(ctx.page(s(ctx.lang, "log_title"), body))
    })
    .await
}

/// What `/log` says of the log itself.
struct About<'a> {
    origin: &'a str,
    verifier_key: &'a str,
    /// Durable entries now.
    size: u64,
    interval_secs: u64,
}

/// `/log`'s body. Evidence of equivocation comes first, when there is
/// any: it is the one thing on the page a reader must not miss.
fn render_log(
    ctx: &Ctx,
    about: &About<'_>,
    latest: Option<&LatestCheckpoint>,
    evidence: &[Equivocation],
) -> Markup {
    let lang = ctx.lang;
    html! {
        @if !evidence.is_empty() { (evidence_section(ctx, evidence)) }
        p { (s(lang, "log_intro")) }
        dl class="fields" {
            dt { (s(lang, "log_origin")) } dd { code { (about.origin) } }
            dt { (s(lang, "log_verifier_key")) } dd { code { (about.verifier_key) } }
            dt { (s(lang, "log_size")) } dd { (about.size) }
            dt { (s(lang, "log_interval")) }
            dd { (fill(lang, "log_every", &[("secs", html! { (about.interval_secs) })])) }
        }
        section aria-labelledby="checkpoint-title" {
            h2 id="checkpoint-title" { (s(lang, "log_latest")) }
            @match latest {
                None => p { (s(lang, "log_none_yet")) },
                Some(latest) => {
                    dl class="fields" {
                        dt { (s(lang, "log_tree_size")) } dd { (latest.size) }
                        @if let Some(signed) = &latest.signed {
                            dt { (s(lang, "log_root")) }
                            dd { code { (hash_hex(&signed.checkpoint.root)) } }
                        }
                    }
                    pre class="note" { (latest.note) }
                    h3 { (s(lang, "log_cosignatures")) }
                    (cosignatures(ctx, latest))
                }
            }
        }
        @if evidence.is_empty() { (evidence_section(ctx, evidence)) }
    }
}

/// The logs this node holds equivocation evidence against, with a warning
/// in words (not only in colour); or that it holds none.
fn evidence_section(ctx: &Ctx, evidence: &[Equivocation]) -> Markup {
    let lang = ctx.lang;
    html! {
        section id="evidence" class=[(!evidence.is_empty()).then_some("warning")]
            aria-labelledby="evidence-title" {
            h2 id="evidence-title" { (s(lang, "log_evidence")) }
            @if evidence.is_empty() {
                p { (s(lang, "log_no_evidence")) }
            } @else {
                p { strong { (s(lang, "log_warning")) } }
                div class="scroll" {
                    table class="data" {
                        thead {
                            tr {
                                th scope="col" { (s(lang, "log_node")) }
                                th scope="col" { (s(lang, "log_sizes")) }
                            }
                        }
                        tbody {
                            @for e in evidence {
                                tr {
                                    td { code { (e.node.to_did()) } }
                                    td { (e.sizes.0) ", " (e.sizes.1) }
                                }
                            }
                        }
                    }
                }
                p { a href="/v1/log/evidence" { (s(lang, "log_evidence_json")) } }
            }
        }
    }
}

/// The witnesses' cosignatures of `latest`: each witness (its short
/// did:key, the whole one in its title) and when it cosigned.
fn cosignatures(ctx: &Ctx, latest: &LatestCheckpoint) -> Markup {
    let lang = ctx.lang;
    let cosignatures = latest
        .signed
        .as_ref()
        .map(|signed| signed.cosignatures.as_slice())
        .unwrap_or_default();
    html! {
        @if cosignatures.is_empty() {
            p { (s(lang, "log_no_cosignatures")) }
        } @else {
            div class="scroll" {
                table class="data cosignatures" {
                    thead {
                        tr {
                            th scope="col" { (s(lang, "log_witness")) }
                            th scope="col" { (s(lang, "log_cosigned_at")) }
                        }
                    }
                    tbody {
                        @for c in cosignatures {
                            @let did = c.witness.key.to_did();
                            tr {
                                td { code title=(did) { (short_did(&did)) } }
                                td { (date(c.time_secs.saturating_mul(1000))) }
                            }
                        }
                    }
    }
            }
        }
    }
}

/// An object's place in this node's log, for its page: its entry, and
/// the first checkpoint that covers it, with its witnesses' cosignatures
/// (else when one is due).
pub(super) fn entry_block(
    ctx: &Ctx,
    entry: Option<&LogEntry>,
    latest: Option<&LatestCheckpoint>,
    interval_secs: u64,
) -> Markup {
    let lang = ctx.lang;
    html! {
        section id="log" aria-labelledby="log-title" {
            h2 id="log-title" { (s(lang, "log_title")) }
            @match entry {
                None => p { (s(lang, "log_not_logged")) },
                Some(entry) => {
                    p { (fill(lang, "log_entry", &[
                        ("index", html! { strong { (entry.index) } }),
                        ("time", date(entry.leaf.time_ms)),
                    ])) }
                    @match latest.filter(|c| entry.index < c.size) {
                        Some(latest) => {
                            @let count = latest.signed.as_ref().map_or(0, |signed| signed.cosignatures.len());
                            p { (fill(lang, "log_in_checkpoint", &[
                                ("size", html! { (latest.size) }),
                                ("count", html! { (count) }),
                            ])) }
                            @if count > 0 { (cosignatures(ctx, latest)) }
                            p {
                                a href={ "/v1/log/inclusion?id=" (entry.leaf.id) } {
                                    (s(lang, "log_proof"))
                                }
                            }
                        },
                        None => p { (fill(lang, "log_no_checkpoint", &[
                            ("secs", html! { (interval_secs) }),
                        ])) },
                    }
                }
            }
            p { a href=(ctx.href("/log")) { (s(lang, "log_about")) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use baraza_protocol::tlog::LogLeaf;
    use baraza_protocol::{Keypair, ObjectId};

    fn ctx(lang: Lang) -> Ctx {
        Ctx {
            lang,
            path: "/objects/x".into(),
        }
    }

    fn entry(index: u64) -> LogEntry {
        LogEntry {
            index,
            leaf: LogLeaf {
                id: ObjectId([5; 32]),
                time_ms: 1_709_251_200_000,
            },
        }
    }

    /// A checkpoint of `size` entries, as the node keeps it.
    fn latest(size: u64) -> LatestCheckpoint {
        let signed = baraza_protocol::tlog::SignedCheckpoint::sign(
            &Keypair::from_seed(&[3; 32]),
            size,
            baraza_protocol::tlog::Hash([9; 32]),
        );
        LatestCheckpoint {
            size,
            note: String::from_utf8(signed.to_note()).expect("utf-8"),
            signed: Some(signed),
        }
    }

    #[test]
    fn an_object_outside_the_log_says_so() {
        let shown = entry_block(&ctx(Lang::En), None, Some(&latest(4)), 60).into_string();
        assert!(shown.contains("Not in this node’s log"), "{shown}");
        assert!(!shown.contains("Logged by this node"));
        assert!(shown.contains(r#"href="/log?lang=en""#));
    }

    #[test]
    fn an_entry_past_the_checkpoint_waits_for_the_next() {
        let e = entry(4);
        let shown = entry_block(&ctx(Lang::En), Some(&e), Some(&latest(4)), 60).into_string();
        assert!(
            shown.contains("Logged by this node as entry <strong>4</strong> at <time datetime=\"2024-03-01T00:00Z\">"),
            "{shown}"
        );
        assert!(shown.contains("(the node signs one every 60 s)"), "{shown}");
        let covered = entry_block(&ctx(Lang::En), Some(&e), Some(&latest(5)), 60).into_string();
        assert!(
            covered.contains("(tree size 5). Witness cosignatures: 0."),
            "{covered}"
        );
        let none = entry_block(&ctx(Lang::En), Some(&e), None, 60).into_string();
        assert!(none.contains("every 60 s"), "no checkpoint at all: {none}");
    }

    #[test]
    fn each_language_places_the_facts_where_its_sentence_wants_them() {
        let e = entry(7);
        let chinese = entry_block(&ctx(Lang::Zh), Some(&e), None, 60).into_string();
        let (time, index) = (
            chinese.find("<time").expect("a time"),
            chinese.find("<strong>7</strong>").expect("the index"),
        );
        assert!(time < index, "Chinese puts the time first: {chinese}");
        let arabic = entry_block(&ctx(Lang::Ar), Some(&e), None, 60).into_string();
        assert!(arabic.contains("المدخل رقم <strong>7</strong>"), "{arabic}");
    }

    #[test]
    fn the_log_page_without_a_checkpoint_or_evidence() {
        let about = About {
            origin: "baraza/log/did:key:z6Mkx",
            verifier_key: "k+1+AA",
            size: 0,
            interval_secs: 60,
        };
        let shown = render_log(&ctx(Lang::Fr), &about, None, &[]).into_string();
        assert!(
            shown.contains("Aucun point de contrôle n’est encore signé."),
            "{shown}"
        );
        assert!(shown.contains("Aucune preuve d’équivoque."));
        assert!(shown.contains("un toutes les 60 s"));
        assert!(!shown.contains("warning"));
    }
}
