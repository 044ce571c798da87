//! The keystore: one JSON file holding a signing key's seed, encrypted under
//! a passphrase.
//!
//! Format version 1:
//!
//! ```json
//! {
//!   "version": 1,
//!   "did": "did:key:z6Mk…",
//!   "kdf": { "algorithm": "argon2id", "m_cost": 19456, "t_cost": 2, "p_cost": 1, "salt": "<32 hex>" },
//!   "cipher": { "algorithm": "xchacha20poly1305", "nonce": "<48 hex>", "ciphertext": "<96 hex>" }
//! }
//! ```
//!
//! Argon2id (v0x13, parameters as recorded, `m_cost` in KiB) stretches the
//! passphrase into a 32-byte key; XChaCha20-Poly1305 seals the 32-byte
//! Ed25519 seed with associated data `"baraza-keystore/1" ‖ public key`.
//! The public key is stored in clear so `key show` needs no passphrase;
//! binding it as associated data means a file whose `did` was swapped fails
//! to open instead of signing under a key that is not the one shown. The
//! random 24-byte nonce is safe because each file is sealed exactly once.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use baraza_protocol::{Keypair, PublicKey};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The only format version this build reads and writes.
const FORMAT_VERSION: u32 = 1;
/// Domain separation for the AEAD associated data (the public key follows).
const AAD_PREFIX: &[u8] = b"baraza-keystore/1";
/// Name of the KDF recorded in the file.
const KDF_ARGON2ID: &str = "argon2id";
/// Name of the cipher recorded in the file.
const CIPHER_XCHACHA: &str = "xchacha20poly1305";
/// Salt length in bytes.
const SALT_BYTES: usize = 16;
/// XChaCha20 nonce length in bytes.
const NONCE_BYTES: usize = 24;
/// Sealed seed: 32 bytes plus the 16-byte Poly1305 tag.
const CIPHERTEXT_BYTES: usize = 32 + 16;
/// A keystore file is a few hundred bytes; refuse to read more than this.
const MAX_FILE_BYTES: u64 = 64 * 1024;
/// Largest Argon2 memory cost accepted from a file (1 GiB, in KiB), so a
/// doctored file cannot make `unlock` allocate without bound.
const MAX_M_COST_KIB: u32 = 1024 * 1024;
/// Largest Argon2 time cost accepted from a file.
const MAX_T_COST: u32 = 64;
/// Largest Argon2 parallelism accepted from a file.
const MAX_P_COST: u32 = 64;

/// Argon2id cost parameters, as recorded in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KdfCost {
    /// Memory in KiB.
    pub(crate) m_cost: u32,
    /// Passes over memory.
    pub(crate) t_cost: u32,
    /// Lanes.
    pub(crate) p_cost: u32,
}

impl KdfCost {
    /// What new keystores use: the argon2 crate's defaults (19 MiB, 2 passes,
    /// 1 lane), the OWASP recommendation for Argon2id.
    pub(crate) const DEFAULT: KdfCost = KdfCost {
        m_cost: Params::DEFAULT_M_COST,
        t_cost: Params::DEFAULT_T_COST,
        p_cost: Params::DEFAULT_P_COST,
    };
}

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
    /// Argon2id costs used to derive the sealing key.
    cost: KdfCost,
    /// Argon2id salt.
    salt: [u8; SALT_BYTES],
    /// XChaCha20-Poly1305 nonce.
    nonce: [u8; NONCE_BYTES],
    /// The sealed 32-byte seed with its tag.
    ciphertext: [u8; CIPHERTEXT_BYTES],
}

/// The JSON shape of the file; converted to [`Keystore`] at the boundary.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    version: u32,
    did: String,
    kdf: FileKdf,
    cipher: FileCipher,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKdf {
    algorithm: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCipher {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

impl Keystore {
    /// Seals `keypair`'s seed under `passphrase` with fresh salt and nonce.
    pub(crate) fn seal(
        keypair: &Keypair,
        passphrase: &[u8],
        cost: KdfCost,
    ) -> Result<Keystore, KeystoreError> {
        let mut salt = [0u8; SALT_BYTES];
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let public = keypair.public();
        let key = derive_key(passphrase, &salt, cost)?;
        let seed = keypair.secret_seed();
        let sealed = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()))
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: seed.as_slice(),
                    aad: &associated_data(&public),
                },
            )
            .map_err(|_| KeystoreError::Kdf("encryption failed".into()))?;
        let ciphertext = sealed
            .as_slice()
            .try_into()
            .map_err(|_| KeystoreError::Kdf("unexpected ciphertext length".into()))?;
        Ok(Keystore {
            public,
            cost,
            salt,
            nonce,
            ciphertext,
        })
    }

    /// Opens the seed with `passphrase`.
    pub(crate) fn unlock(&self, passphrase: &[u8]) -> Result<Keypair, KeystoreError> {
        let key = derive_key(passphrase, &self.salt, self.cost)?;
        let opened = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()))
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: &associated_data(&self.public),
                },
            )
            .map_err(|_| KeystoreError::WrongPassphrase)?;
        let opened = Zeroizing::new(opened);
        let mut seed = Zeroizing::new([0u8; 32]);
        if opened.len() != seed.len() {
            return Err(KeystoreError::WrongPassphrase);
        }
        seed.copy_from_slice(&opened);
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

    /// The file's JSON encoding.
    fn to_file_bytes(&self) -> Vec<u8> {
        let file = FileV1 {
            version: FORMAT_VERSION,
            did: self.public.to_did(),
            kdf: FileKdf {
                algorithm: KDF_ARGON2ID.into(),
                m_cost: self.cost.m_cost,
                t_cost: self.cost.t_cost,
                p_cost: self.cost.p_cost,
                salt: hex::encode(self.salt),
            },
            cipher: FileCipher {
                algorithm: CIPHER_XCHACHA.into(),
                nonce: hex::encode(self.nonce),
                ciphertext: hex::encode(self.ciphertext),
            },
        };
        let mut bytes =
            serde_json::to_vec_pretty(&file).expect("a struct of strings and integers serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Parses a file's bytes; `path` is for error messages.
    fn from_file_bytes(bytes: &[u8], path: &Path) -> Result<Keystore, KeystoreError> {
        let malformed = |detail: String| KeystoreError::Malformed {
            path: path.to_path_buf(),
            detail,
        };
        // Read the version first so a future format gets a clear message
        // rather than an "unknown field" one.
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let version: VersionOnly =
            serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if version.version != FORMAT_VERSION {
            return Err(malformed(format!(
                "format version {} is not supported (this baraza reads version {FORMAT_VERSION})",
                version.version
            )));
        }
        let file: FileV1 = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        let public: PublicKey = file
            .did
            .parse()
            .map_err(|e| malformed(format!("did: {e}")))?;
        if file.kdf.algorithm != KDF_ARGON2ID {
            return Err(malformed(format!(
                "kdf.algorithm {:?} is not {KDF_ARGON2ID:?}",
                file.kdf.algorithm
            )));
        }
        if file.cipher.algorithm != CIPHER_XCHACHA {
            return Err(malformed(format!(
                "cipher.algorithm {:?} is not {CIPHER_XCHACHA:?}",
                file.cipher.algorithm
            )));
        }
        let cost = KdfCost {
            m_cost: file.kdf.m_cost,
            t_cost: file.kdf.t_cost,
            p_cost: file.kdf.p_cost,
        };
        check_cost(cost).map_err(malformed)?;
        Ok(Keystore {
            public,
            cost,
            salt: decode_hex("kdf.salt", &file.kdf.salt).map_err(malformed)?,
            nonce: decode_hex("cipher.nonce", &file.cipher.nonce).map_err(malformed)?,
            ciphertext: decode_hex("cipher.ciphertext", &file.cipher.ciphertext)
                .map_err(malformed)?,
        })
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
        let write_err = |source| KeystoreError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(write_err)?;
        }
        let bytes = self.to_file_bytes();
        if !overwrite {
            return match write_new_private(path, &bytes) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    Err(KeystoreError::AlreadyExists(path.to_path_buf()))
                }
                other => other.map_err(write_err),
            };
        }
        // Write beside the target, then rename over it, so a failure midway
        // never leaves the user with neither the old key nor the new one.
        let file_name = path.file_name().ok_or_else(|| KeystoreError::Write {
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"),
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(file_name);
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let result = write_new_private(&tmp, &bytes).and_then(|()| fs::rename(&tmp, path));
        if result.is_err() {
            // Best effort: the error that matters is the one returned below.
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(write_err)
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

/// Argon2id(passphrase, salt) → 32-byte key.
fn derive_key(
    passphrase: &[u8],
    salt: &[u8],
    cost: KdfCost,
) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let params = Params::new(cost.m_cost, cost.t_cost, cost.p_cost, Some(32))
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase, salt, key.as_mut_slice())
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    Ok(key)
}

/// Bounds the costs read from a file.
fn check_cost(cost: KdfCost) -> Result<(), String> {
    let in_range = (1..=MAX_T_COST).contains(&cost.t_cost)
        && (1..=MAX_P_COST).contains(&cost.p_cost)
        && (8 * cost.p_cost..=MAX_M_COST_KIB).contains(&cost.m_cost);
    if in_range {
        Ok(())
    } else {
        Err(format!(
            "kdf costs m={} t={} p={} are outside m 8p..={MAX_M_COST_KIB}, t 1..={MAX_T_COST}, \
             p 1..={MAX_P_COST}",
            cost.m_cost, cost.t_cost, cost.p_cost
        ))
    }
}

/// Decodes a fixed-length hex field.
fn decode_hex<const N: usize>(field: &str, value: &str) -> Result<[u8; N], String> {
    let mut out = [0u8; N];
    hex::decode_to_slice(value, &mut out)
        .map_err(|e| format!("{field} must be {} hex digits: {e}", 2 * N))?;
    Ok(out)
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
