//! The keystore: one JSON file holding a signing key's seed, encrypted under
//! a passphrase.
//!
//! A file holds the public key in clear (as a `did:key`) and the 32-byte
//! Ed25519 seed sealed under a key stretched from the passphrase, in one of
//! two variants:
//!
//! | variant | kdf | cipher | written by |
//! |---|---|---|---|
//! | Argon2id | Argon2id v0x13, 16-byte salt | XChaCha20-Poly1305, 24-byte nonce | `key new`, `key import` |
//! | portable | PBKDF2-HMAC-SHA256, 600,000 iterations, 16-byte salt | AES-256-GCM, 12-byte nonce | `key export`, a node's "/identity" page |
//!
//! Both seal with associated data `"baraza-keystore/1" ‖ public key`, and
//! every command reads both. The public key is stored in clear so `key show`
//! needs no passphrase; binding it as associated data means a file whose
//! `did` was swapped fails to open instead of signing under a key that is not
//! the one shown. The portable variant exists because WebCrypto has neither
//! Argon2id nor XChaCha20; the CLI keeps its own keystore in the memory-hard
//! variant. docs/KEYS.md describes both for other implementations.
//!
//! - [`file`]: the JSON shape, exactly, and its checks;
//! - [`seal`]: the two KDF + AEAD variants and the bounds on their parameters;
//! - here: [`Keystore`], loading and saving files.

mod file;
#[cfg(test)]
mod portable_tests;
mod seal;

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use baraza_protocol::{Keypair, PublicKey};

pub(crate) use seal::{KdfCost, Sealing};

/// Domain separation for the AEAD associated data (the public key follows).
const AAD_PREFIX: &[u8] = b"baraza-keystore/1";
/// A keystore file is a few hundred bytes; refuse to read more than this.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Why a keystore could not be created, read or opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeystoreError {
    /// Nothing at the path.
    #[error("no keystore at {}; create one with `baraza key new`", .0.display())]
    NotFound(PathBuf),
    /// `key new` without `--force` on an existing file.
    #[error(
        "a keystore already exists at {}; pass --force to replace it (the old key is then lost)",
        .0.display()
    )]
    AlreadyExists(PathBuf),
    /// IO failure reading.
    #[error("cannot read keystore {}: {source}", .path.display())]
    Read {
        /// The keystore path.
        path: PathBuf,
        /// The IO error.
        source: io::Error,
    },
    /// IO failure writing.
    #[error("cannot write keystore {}: {source}", .path.display())]
    Write {
        /// The keystore path.
        path: PathBuf,
        /// The IO error.
        source: io::Error,
    },
    /// The file is not a version-1 keystore.
    #[error("keystore {} is malformed: {detail}", .path.display())]
    Malformed {
        /// The keystore path.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The AEAD tag did not verify: the passphrase is wrong, or some byte of
    /// the file (public key, salt, nonce, ciphertext, parameters) changed.
    #[error("wrong passphrase or corrupted keystore")]
    WrongPassphrase,
    /// The KDF rejected its inputs (cannot happen with parameters we checked).
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

/// A keystore in memory: the public key in clear and the sealed seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keystore {
    /// The key's public half, shown without a passphrase.
    public: PublicKey,
    /// Which KDF and cipher sealed the seed, with their salt, nonce and costs.
    sealing: Sealing,
    /// The sealed 32-byte seed with its 16-byte tag.
    ciphertext: [u8; seal::CIPHERTEXT_BYTES],
}

impl Keystore {
    /// Seals `keypair`'s seed under `passphrase` with Argon2id at `cost` and
    /// XChaCha20-Poly1305, fresh salt and nonce: the CLI's own keystore.
    pub(crate) fn seal(
        keypair: &Keypair,
        passphrase: &[u8],
        cost: KdfCost,
    ) -> Result<Keystore, KeystoreError> {
        Keystore::seal_with(keypair, passphrase, Sealing::argon2id(cost))
    }

    /// Seals `keypair`'s seed in the portable variant (PBKDF2-SHA256 with
    /// 600,000 iterations and AES-256-GCM, fresh salt and nonce), which a
    /// browser can open with WebCrypto.
    pub(crate) fn seal_portable(
        keypair: &Keypair,
        passphrase: &[u8],
    ) -> Result<Keystore, KeystoreError> {
        Keystore::seal_with(keypair, passphrase, Sealing::portable())
    }

    /// Seals `keypair`'s seed under `passphrase` as `sealing` says.
    pub(crate) fn seal_with(
        keypair: &Keypair,
        passphrase: &[u8],
        sealing: Sealing,
    ) -> Result<Keystore, KeystoreError> {
        let public = keypair.public();
        let ciphertext = sealing.seal(
            passphrase,
            &keypair.secret_seed(),
            &associated_data(&public),
        )?;
        Ok(Keystore {
            public,
            sealing,
            ciphertext,
        })
    }

    /// Opens the seed with `passphrase`.
    pub(crate) fn unlock(&self, passphrase: &[u8]) -> Result<Keypair, KeystoreError> {
        let seed =
            self.sealing
                .open(passphrase, &self.ciphertext, &associated_data(&self.public))?;
        let keypair = Keypair::from_seed(&seed);
        // The tag already binds the public key; this guards against a file
        // sealed (with the right passphrase) around a seed of another key.
        if keypair.public() != self.public {
            return Err(KeystoreError::WrongPassphrase);
        }
        Ok(keypair)
    }

    /// The key's public half.
    pub(crate) fn public(&self) -> PublicKey {
        self.public
    }

    /// Reads the keystore at `path`.
    pub(crate) fn load(path: &Path) -> Result<Keystore, KeystoreError> {
        let read_err = |source| KeystoreError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(KeystoreError::NotFound(path.to_path_buf()))
            }
            Err(e) => return Err(read_err(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(KeystoreError::Malformed {
                path: path.to_path_buf(),
                detail: format!("larger than {MAX_FILE_BYTES} bytes"),
            });
        }
        Keystore::from_file_bytes(&bytes, path)
    }

    /// Writes the keystore to `path` with mode 0600, creating parent
    /// directories (mode 0700). Without `overwrite`, an existing file is an
    /// error; with it, the new file replaces the old one atomically.
    pub(crate) fn save(&self, path: &Path, overwrite: bool) -> Result<(), KeystoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|source| KeystoreError::Write {
                    path: path.to_path_buf(),
                    source,
                })?;
        }
        self.write_file(path, overwrite)
    }

    /// Writes the file to `path` with mode 0600, in a directory that must
    /// exist. The bytes go to a file beside it first, so `path` never holds
    /// half a key: with `overwrite` that file is renamed over `path`;
    /// without, it is linked to `path`, which fails if `path` exists.
    pub(crate) fn write_file(&self, path: &Path, overwrite: bool) -> Result<(), KeystoreError> {
        let write_err = |source| KeystoreError::Write {
            path: path.to_path_buf(),
            source,
        };
        let file_name = path.file_name().ok_or_else(|| {
            write_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "path has no file name",
            ))
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(file_name);
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let bytes = self.to_file_bytes();
        if let Err(e) = write_new_private(&tmp, &bytes) {
            // Best effort: the error that matters is the one returned.
            let _ = fs::remove_file(&tmp);
            return Err(write_err(e));
        }
        if overwrite {
            let renamed = fs::rename(&tmp, path);
            if renamed.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            return renamed.map_err(write_err);
        }
        // A hard link, unlike a rename, fails when `path` exists.
        let linked = fs::hard_link(&tmp, path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(KeystoreError::AlreadyExists(path.to_path_buf()))
            }
            // A file system without hard links (FAT on a USB stick): create
            // the file in place, still refusing to replace one.
            Err(_) => match write_new_private(path, &bytes) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    Err(KeystoreError::AlreadyExists(path.to_path_buf()))
                }
                other => other.map_err(write_err),
            },
        }
    }
}

/// Whether the file at `path` can be read or written by others than its owner.
pub(crate) fn is_shared(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

/// The keystore path when none is given: `$XDG_CONFIG_HOME/baraza/key.json`,
/// else `$HOME/.config/baraza/key.json`. Relative or empty values are ignored,
/// as the XDG base directory spec asks.
pub(crate) fn default_path(
    xdg_config_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    let usable = |p: &PathBuf| p.is_absolute();
    xdg_config_home
        .filter(usable)
        .or_else(|| home.filter(usable).map(|h| h.join(".config")))
        .map(|config| config.join("baraza").join("key.json"))
}

/// Creates `path` (which must not exist) with mode 0600 and writes `bytes` durably.
fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `AAD_PREFIX ‖ public key`.
fn associated_data(public: &PublicKey) -> Vec<u8> {
    [AAD_PREFIX, public.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small costs so unit tests stay fast; the format is the same.
    const TEST_COST: KdfCost = KdfCost {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    fn sealed(passphrase: &[u8]) -> (Keypair, Keystore) {
        let keypair = Keypair::from_seed(&[7; 32]);
        let store = Keystore::seal(&keypair, passphrase, TEST_COST).expect("sealing works");
        (keypair, store)
    }

    #[test]
    fn seal_unlock_round_trip_through_a_file() {
        let (keypair, store) = sealed(b"correct horse");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested/dir/key.json");
        store.save(&path, false).expect("first save");
        assert_eq!(
            fs::metadata(&path).expect("saved").permissions().mode() & 0o777,
            0o600
        );
        let loaded = Keystore::load(&path).expect("loads");
        assert_eq!(loaded, store);
        let unlocked = loaded.unlock(b"correct horse").expect("unlocks");
        assert_eq!(unlocked.public(), keypair.public());
        assert_eq!(*unlocked.secret_seed(), *keypair.secret_seed());
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let (_, store) = sealed(b"correct horse");
        assert!(matches!(
            store.unlock(b"battery staple"),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn swapped_public_key_is_detected() {
        let (_, store) = sealed(b"pw");
        let other = Keypair::from_seed(&[8; 32]).public();
        let json = String::from_utf8(store.to_file_bytes()).expect("utf-8");
        let doctored = json.replace(&store.public().to_did(), &other.to_did());
        assert_ne!(json, doctored);
        let tampered = Keystore::from_file_bytes(doctored.as_bytes(), Path::new("k.json"))
            .expect("still well-formed");
        assert_eq!(tampered.public(), other);
        assert!(matches!(
            tampered.unlock(b"pw"),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn tampered_ciphertext_is_detected() {
        let (_, mut store) = sealed(b"pw");
        store.ciphertext[0] ^= 1;
        assert!(matches!(
            store.unlock(b"pw"),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn save_refuses_to_overwrite_unless_asked() {
        let (_, first) = sealed(b"pw");
        let (_, second) = sealed(b"pw");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("key.json");
        first.save(&path, false).expect("first save");
        assert!(matches!(
            second.save(&path, false),
            Err(KeystoreError::AlreadyExists(_))
        ));
        assert_eq!(Keystore::load(&path).expect("loads"), first);
        second.save(&path, true).expect("overwrite");
        assert_eq!(Keystore::load(&path).expect("loads"), second);
        assert_eq!(
            fs::metadata(&path).expect("saved").permissions().mode() & 0o777,
            0o600
        );
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).expect("lists").count(), 1);
    }

    #[test]
    fn malformed_files_are_named() {
        let path = Path::new("k.json");
        let (_, store) = sealed(b"pw");
        let json = String::from_utf8(store.to_file_bytes()).expect("utf-8");
        let future = json.replacen("\"version\": 1", "\"version\": 2", 1);
        let err = Keystore::from_file_bytes(future.as_bytes(), path).expect_err("v2 refused");
        assert!(err.to_string().contains("format version 2"), "{err}");
        let greedy = json.replacen("\"m_cost\": 64", "\"m_cost\": 4294967295", 1);
        let err = Keystore::from_file_bytes(greedy.as_bytes(), path).expect_err("huge m refused");
        assert!(err.to_string().contains("kdf costs"), "{err}");
        let err = Keystore::from_file_bytes(b"{}", path).expect_err("empty refused");
        assert!(matches!(err, KeystoreError::Malformed { .. }));
    }

    #[test]
    fn default_path_follows_xdg_then_home() {
        let xdg = Some(PathBuf::from("/x"));
        let home = Some(PathBuf::from("/h"));
        assert_eq!(
            default_path(xdg, home.clone()),
            Some(PathBuf::from("/x/baraza/key.json"))
        );
        assert_eq!(
            default_path(Some(PathBuf::from("relative")), home.clone()),
            Some(PathBuf::from("/h/.config/baraza/key.json"))
        );
        assert_eq!(
            default_path(None, home),
            Some(PathBuf::from("/h/.config/baraza/key.json"))
        );
        assert_eq!(default_path(None, None), None);
    }
}
