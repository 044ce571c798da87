//! The keystore file: version-1 JSON, converted to and from [`Keystore`]
//! here and nowhere else.
//!
//! Two variants share one shape; only the `kdf` and `cipher` objects differ.
//! The Argon2id file (what the CLI keeps as its keystore):
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
//! The portable file (what `key export` writes and a browser can open):
//!
//! ```json
//! {
//!   "version": 1,
//!   "did": "did:key:z6Mk…",
//!   "kdf": { "algorithm": "pbkdf2-sha256", "iterations": 600000, "salt": "<32 hex>" },
//!   "cipher": { "algorithm": "aes-256-gcm", "nonce": "<24 hex>", "ciphertext": "<96 hex>" }
//! }
//! ```
//!
//! Fields appear in this order, pretty-printed with two-space indents and a
//! final newline; hex is lower case when written. Reading refuses unknown
//! fields, a KDF paired with the other variant's cipher, and parameters
//! outside the bounds in [`super::seal`]. The version is read first so a
//! future format gets a clear message rather than an "unknown field" one.

use std::path::Path;

use baraza_protocol::PublicKey;
use serde::{Deserialize, Serialize};

use super::seal::{check_cost, check_iterations, KdfCost, Sealing};
use super::{Keystore, KeystoreError};

/// The only format version this build reads and writes.
const FORMAT_VERSION: u32 = 1;
/// `kdf.algorithm` of the Argon2id variant.
const KDF_ARGON2ID: &str = "argon2id";
/// `cipher.algorithm` of the Argon2id variant.
const CIPHER_XCHACHA: &str = "xchacha20poly1305";
/// `kdf.algorithm` of the portable variant.
const KDF_PBKDF2: &str = "pbkdf2-sha256";
/// `cipher.algorithm` of the portable variant.
const CIPHER_AES_GCM: &str = "aes-256-gcm";

/// The JSON shape of the file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    version: u32,
    did: String,
    kdf: FileKdf,
    cipher: FileCipher,
}

/// `kdf`, told apart by its `algorithm` (written first).
#[derive(Serialize, Deserialize)]
#[serde(tag = "algorithm", deny_unknown_fields)]
enum FileKdf {
    #[serde(rename = "argon2id")]
    Argon2id {
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
        salt: String,
    },
    #[serde(rename = "pbkdf2-sha256")]
    Pbkdf2Sha256 { iterations: u32, salt: String },
}

/// `cipher`; both ciphers have the same fields, so `algorithm` stays a string
/// and is checked against the KDF.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCipher {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

impl Keystore {
    /// The file's JSON encoding.
    pub(super) fn to_file_bytes(&self) -> Vec<u8> {
        let (kdf, cipher, nonce) = match self.sealing {
            Sealing::Argon2idXChaCha { cost, salt, nonce } => (
                FileKdf::Argon2id {
                    m_cost: cost.m_cost,
                    t_cost: cost.t_cost,
                    p_cost: cost.p_cost,
                    salt: hex::encode(salt),
                },
                CIPHER_XCHACHA,
                hex::encode(nonce),
            ),
            Sealing::Pbkdf2AesGcm {
                iterations,
                salt,
                nonce,
            } => (
                FileKdf::Pbkdf2Sha256 {
                    iterations,
                    salt: hex::encode(salt),
                },
                CIPHER_AES_GCM,
                hex::encode(nonce),
            ),
        };
        let file = FileV1 {
            version: FORMAT_VERSION,
            did: self.public.to_did(),
            kdf,
            cipher: FileCipher {
                algorithm: cipher.into(),
                nonce,
                ciphertext: hex::encode(self.ciphertext),
            },
        };
        let mut bytes =
            serde_json::to_vec_pretty(&file).expect("a struct of strings and integers serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Parses a file's bytes; `path` is for error messages.
    pub(super) fn from_file_bytes(bytes: &[u8], path: &Path) -> Result<Keystore, KeystoreError> {
        let malformed = |detail: String| KeystoreError::Malformed {
            path: path.to_path_buf(),
            detail,
        };
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
        let cipher = &file.cipher;
        let sealing = match file.kdf {
            FileKdf::Argon2id {
                m_cost,
                t_cost,
                p_cost,
                salt,
            } => {
                expect_cipher(KDF_ARGON2ID, CIPHER_XCHACHA, &cipher.algorithm)
                    .map_err(malformed)?;
                let cost = KdfCost {
                    m_cost,
                    t_cost,
                    p_cost,
                };
                check_cost(cost).map_err(malformed)?;
                Sealing::Argon2idXChaCha {
                    cost,
                    salt: decode_hex("kdf.salt", &salt).map_err(malformed)?,
                    nonce: decode_hex("cipher.nonce", &cipher.nonce).map_err(malformed)?,
                }
            }
            FileKdf::Pbkdf2Sha256 { iterations, salt } => {
                expect_cipher(KDF_PBKDF2, CIPHER_AES_GCM, &cipher.algorithm).map_err(malformed)?;
                check_iterations(iterations).map_err(malformed)?;
                Sealing::Pbkdf2AesGcm {
                    iterations,
                    salt: decode_hex("kdf.salt", &salt).map_err(malformed)?,
                    nonce: decode_hex("cipher.nonce", &cipher.nonce).map_err(malformed)?,
                }
            }
        };
        Ok(Keystore {
            public,
            sealing,
            ciphertext: decode_hex("cipher.ciphertext", &cipher.ciphertext).map_err(malformed)?,
        })
    }
}

/// Checks that the cipher is the one the KDF's variant uses.
fn expect_cipher(kdf: &str, expected: &str, found: &str) -> Result<(), String> {
    if found == expected {
        return Ok(());
    }
    let known = [CIPHER_XCHACHA, CIPHER_AES_GCM];
    if known.contains(&found) {
        Err(format!(
            "kdf.algorithm {kdf:?} goes with cipher.algorithm {expected:?}, not {found:?}"
        ))
    } else {
        Err(format!(
            "cipher.algorithm {found:?} is not {expected:?} (the cipher of kdf.algorithm {kdf:?})"
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
