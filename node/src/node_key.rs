//! The node's own Ed25519 key: its identity on the peer network.
//!
//! Stored as the 32-byte secret seed in `<data_dir>/node.key`, mode 0600,
//! created on first start. (Stakeholders' keys never live on a node; this key
//! only identifies the node itself.)

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use baraza_protocol::Keypair;

/// Why the node key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeKeyError {
    /// Reading or writing the file failed.
    #[error("node key {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a 32-byte seed.
    #[error("node key {path} is {len} bytes, expected 32; restore it from a backup or move it away to create a new identity")]
    Malformed {
        /// The file.
        path: String,
        /// Its size.
        len: usize,
    },
}

/// Loads the node key, creating it (from OS randomness) if the file does not exist.
pub fn load_or_create(path: &Path) -> Result<(Keypair, bool), NodeKeyError> {
    let io = |source| NodeKeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let seed: [u8; 32] =
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| NodeKeyError::Malformed {
                        path: path.display().to_string(),
                        len: bytes.len(),
                    })?;
            Ok((Keypair::from_seed(&seed), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
                let _ = std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700));
            }
            let key = Keypair::generate();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io)?;
            file.write_all(key.secret_seed().as_slice()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok((key, true))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_loaded_with_mode_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/node.key");
        let (first, created) = load_or_create(&path).expect("create");
        assert!(created);
        let (again, created) = load_or_create(&path).expect("load");
        assert!(!created);
        assert_eq!(first.public(), again.public());
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(&path, b"short").expect("write");
        assert!(matches!(
            load_or_create(&path),
            Err(NodeKeyError::Malformed { len: 5, .. })
        ));
    }
}
