//! `docs/PROTOCOL.md` and the code agree: every named limit has the
//! documented value, every error code and every field name is documented.

use std::collections::BTreeMap;
use std::path::Path;

use baraza_protocol::limits::*;

fn spec() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PROTOCOL.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `| `NAME` | 123 … |` rows of the limits table.
fn documented_limits(spec: &str) -> BTreeMap<String, u64> {
    spec.lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).filter(|c| !c.is_empty());
            let name = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            let value = cells.next()?.split_whitespace().next()?.parse().ok()?;
            let constant = name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
            constant.then(|| (name.to_owned(), value))
        })
        .collect()
}

#[test]
fn every_limit_is_documented_with_its_value() {
    let code: BTreeMap<&str, u64> = [
        ("MAX_OBJECT_BYTES", MAX_OBJECT_BYTES as u64),
        ("MAX_DEPTH", MAX_DEPTH as u64),
        ("MAX_COLLECTION_ITEMS", MAX_COLLECTION_ITEMS as u64),
        ("MIN_TIMESTAMP_MS", MIN_TIMESTAMP_MS),
        ("MAX_TIMESTAMP_MS", MAX_TIMESTAMP_MS),
        ("MAX_SLUG_BYTES", MAX_SLUG_BYTES as u64),
        ("MAX_LANGUAGE_TAG_BYTES", MAX_LANGUAGE_TAG_BYTES as u64),
        ("MAX_LABEL_BYTES", MAX_LABEL_BYTES as u64),
        ("MAX_SUMMARY_BYTES", MAX_SUMMARY_BYTES as u64),
        ("MAX_COMMENT_BYTES", MAX_COMMENT_BYTES as u64),
        ("MAX_STATEMENT_BYTES", MAX_STATEMENT_BYTES as u64),
        ("MAX_REASON_BYTES", MAX_REASON_BYTES as u64),
        ("MAX_DRAFT_TEXT_BYTES", MAX_DRAFT_TEXT_BYTES as u64),
        ("MAX_SECTIONS", MAX_SECTIONS as u64),
        ("MAX_PHASES", MAX_PHASES as u64),
        ("MAX_STEWARDS", MAX_STEWARDS as u64),
        ("MAX_LANGUAGES", MAX_LANGUAGES as u64),
        ("MAX_POLICY_GROUPS", MAX_POLICY_GROUPS as u64),
        ("MAX_PHASE_ACCEPTS", MAX_PHASE_ACCEPTS as u64),
        ("MAX_GOALS", MAX_GOALS as u64),
        ("MAX_TARGETS_PER_GOAL", MAX_TARGETS_PER_GOAL as u64),
        (
            "MAX_INDICATORS_PER_TARGET",
            MAX_INDICATORS_PER_TARGET as u64,
        ),
        ("MAX_DISPOSITIONS", MAX_DISPOSITIONS as u64),
        ("MAX_RELEASE_DRAFTS", MAX_RELEASE_DRAFTS as u64),
        ("MAX_TARGET_HOPS", MAX_TARGET_HOPS as u64),
        ("MAX_BUNDLE_BYTES", MAX_BUNDLE_BYTES as u64),
        ("MAX_BUNDLE_OBJECTS", MAX_BUNDLE_OBJECTS as u64),
        ("MAX_CLOCK_SKEW_MS", MAX_CLOCK_SKEW_MS),
        ("MAX_SYNC_MESSAGE_BYTES", MAX_SYNC_MESSAGE_BYTES as u64),
        ("MAX_SYNC_RANGES", MAX_SYNC_RANGES as u64),
        ("MAX_SYNC_IDS", MAX_SYNC_IDS as u64),
        ("MAX_SYNC_FRAME_BYTES", MAX_SYNC_FRAME_BYTES as u64),
        ("MAX_FETCH_IDS", MAX_FETCH_IDS as u64),
        ("MAX_WITNESS_QUORUM", u64::from(MAX_WITNESS_QUORUM)),
        ("DEFAULT_WITNESS_QUORUM", u64::from(DEFAULT_WITNESS_QUORUM)),
        ("WITNESS_GRACE_MS", WITNESS_GRACE_MS),
        ("BACKDATE_TOLERANCE_MS", BACKDATE_TOLERANCE_MS),
        ("MAX_BUNDLE_PROOFS", MAX_BUNDLE_PROOFS as u64),
    ]
    .into_iter()
    .collect();
    let documented = documented_limits(&spec());
    for (name, value) in &code {
        assert_eq!(
            documented.get(*name),
            Some(value),
            "limit {name} in docs/PROTOCOL.md §8"
        );
    }
}

fn vector_jsons(dir: &str) -> Vec<serde_json::Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(dir);
    std::fs::read_dir(dir)
        .expect("vectors")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json"))
        .collect()
}

#[test]
fn every_error_code_of_the_vectors_is_documented() {
    let spec = spec();
    for v in vector_jsons("invalid") {
        let code = v["error"].as_str().expect("error code");
        assert!(
            spec.contains(&format!("`{code}`")),
            "error code {code} missing from docs/PROTOCOL.md §7"
        );
    }
}

fn field_names(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                field_names(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| field_names(i, out)),
        _ => {}
    }
}

#[test]
fn every_field_name_of_the_vectors_is_documented() {
    let spec = spec();
    for v in vector_jsons("valid") {
        let kind = v["kind"].as_str().expect("kind");
        assert!(
            spec.contains(&format!("### {kind}")),
            "kind {kind} has a section in docs/PROTOCOL.md"
        );
        let mut names = Vec::new();
        field_names(&v["body"], &mut names);
        for name in names {
            assert!(
                spec.contains(&format!("`{name}`"))
                    || spec.contains(&format!("{name}:"))
                    || spec.contains(&format!("{name}?:")),
                "field {name} of {kind} missing from docs/PROTOCOL.md §6"
            );
        }
    }
}
