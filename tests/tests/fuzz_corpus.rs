//! Replays every fuzz seed and every input that once crashed a fuzz
//! target through the same checks the targets run (`fuzz/src/checks.rs`),
//! on the stable toolchain, so the corpus guards the ordinary test suite.

// Its items are `pub` for the fuzz crate, which owns the file.
#[allow(unreachable_pub)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let seeds = inputs("corpus", target);
    assert!(
        seeds.len() >= 3,
        "fuzz/corpus/{target} holds {} seeds; it should hold the checked-in seed corpus",
        seeds.len()
    );
    for path in seeds.iter().chain(&inputs("regressions", target)) {
        let bytes = std::fs::read(path).expect("read input");
        if let Err(panic) = std::panic::catch_unwind(|| check(&bytes)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}: {} fails its check: {why}", path.display());
        }
    }
}

/// How many of `target`'s seeds satisfy `accepted`.
fn seeds_where(target: &str, accepted: fn(&[u8]) -> bool) -> usize {
    inputs("corpus", target)
        .iter()
        .filter(|p| accepted(&std::fs::read(p).expect("read seed")))
        .count()
}

#[test]
fn object_corpus() {
    replay("object", checks::object);
    let valid = seeds_where("object", |b| {
        baraza_protocol::SignedObject::decode(b).is_ok()
    });
    assert!(valid >= 5, "too few valid objects among the seeds: {valid}");
}

#[test]
fn bundle_corpus() {
    replay("bundle", checks::bundle);
    let readable = seeds_where("bundle", |b| baraza_protocol::audit::read_bundle(b).is_ok());
    assert!(
        readable >= 1,
        "no seed is a valid bundle: nothing would reach the auditor"
    );
}

#[test]
fn sync_frame_corpus() {
    replay("sync_frame", checks::sync_frame);
}

#[test]
fn http_body_corpus() {
    replay("http_body", checks::http_body);
}
