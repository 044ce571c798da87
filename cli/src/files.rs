//! Finding object files on disk, for the commands that read many of them
//! (`import`, `bundle`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// Deepest directory nesting followed below a path named on the command line.
const MAX_DIR_DEPTH: usize = 32;

/// The object files under `path`: the path itself if it is a file (read
/// whatever its name), else every `*.cbor` and `*.cose` below it, in name
/// order. Symlinked directories are not followed (no loops); symlinked files are.
pub(crate) fn collect_object_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    collect(path, out, 0)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > MAX_DIR_DEPTH {
        bail!(
            "{} is nested more than {MAX_DIR_DEPTH} directories deep",
            path.display()
        );
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot list {}", path.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", path.display()))?;
    entries.sort();
    for entry in entries {
        let is_link =
            std::fs::symlink_metadata(&entry).map_or(true, |m| m.file_type().is_symlink());
        let is_dir = std::fs::metadata(&entry).is_ok_and(|m| m.is_dir());
        if is_dir {
            if !is_link {
                collect(&entry, out, depth + 1)?;
            }
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "cbor" | "cose"))
        {
            out.push(entry);
        }
    }
    Ok(())
}

/// Paths joined for a message: `a, b, c`.
pub(crate) fn show_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
