//! The two ways a keystore seals its seed: a key derivation function
//! stretches the passphrase into a 32-byte key, and an AEAD encrypts the
//! 32-byte Ed25519 seed under it.
//!
//! - **Argon2id + XChaCha20-Poly1305** (`"argon2id"` / `"xchacha20poly1305"`):
//!   what `baraza key new` and `baraza key import` write. Argon2id v0x13 with
//!   the recorded `m_cost` (KiB), `t_cost` and `p_cost`, a 16-byte salt and a
//!   32-byte output; XChaCha20-Poly1305 with a random 24-byte nonce.
//! - **PBKDF2-HMAC-SHA256 + AES-256-GCM** (`"pbkdf2-sha256"` /
//!   `"aes-256-gcm"`), the *portable* variant: what `baraza key export`
//!   writes, because WebCrypto in a browser has neither Argon2id nor
//!   XChaCha20. PBKDF2 with the recorded iteration count (600,000 when we
//!   write, the OWASP figure for PBKDF2-HMAC-SHA256), a 16-byte salt and a
//!   32-byte output; AES-256-GCM with a random 12-byte nonce and a 16-byte
//!   tag.
//!
//! Both produce 48 bytes (seed ‖ tag) and both bind the same associated data,
//! `"baraza-keystore/1" ‖ public key`. Random nonces are safe here because
//! each key derived from a fresh salt seals exactly one message.
//!
//! Parameters read from a file are bounded ([`check_cost`],
//! [`check_iterations`]) so a doctored file can neither make unlocking run
//! for hours or allocate without bound, nor be trivially weak.

use aes_gcm::Aes256Gcm;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::KeystoreError;

/// Salt length in bytes, for both variants.
pub(super) const SALT_BYTES: usize = 16;
/// XChaCha20 nonce length in bytes.
pub(super) const XCHACHA_NONCE_BYTES: usize = 24;
/// AES-GCM nonce length in bytes.
pub(super) const GCM_NONCE_BYTES: usize = 12;
/// Sealed seed: 32 bytes plus the 16-byte tag (Poly1305 or GHASH).
pub(super) const CIPHERTEXT_BYTES: usize = 32 + 16;
/// PBKDF2 iterations of a new portable file.
pub(super) const PORTABLE_ITERATIONS: u32 = 600_000;
/// PBKDF2 iteration counts accepted from a file: below is too weak to be an
/// honest file of ours, above would make unlocking take minutes or hours.
pub(super) const ITERATIONS_RANGE: std::ops::RangeInclusive<u32> = 100_000..=10_000_000;
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

/// How a seed is sealed: the KDF with its parameters and salt, and the
/// AEAD nonce. Each variant pairs one KDF with one cipher; the file format
/// refuses any other pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealing {
    /// Argon2id, then XChaCha20-Poly1305: the keystore the CLI keeps.
    Argon2idXChaCha {
        /// Argon2id costs.
        cost: KdfCost,
        /// Argon2id salt.
        salt: [u8; SALT_BYTES],
        /// XChaCha20-Poly1305 nonce.
        nonce: [u8; XCHACHA_NONCE_BYTES],
    },
    /// PBKDF2-HMAC-SHA256, then AES-256-GCM: the portable file a browser
    /// can open with WebCrypto.
    Pbkdf2AesGcm {
        /// PBKDF2 iteration count.
        iterations: u32,
        /// PBKDF2 salt.
        salt: [u8; SALT_BYTES],
        /// AES-GCM nonce.
        nonce: [u8; GCM_NONCE_BYTES],
    },
}

impl Sealing {
    /// Argon2id + XChaCha20-Poly1305 with `cost` and a fresh salt and nonce.
    pub(crate) fn argon2id(cost: KdfCost) -> Sealing {
        Sealing::Argon2idXChaCha {
            cost,
            salt: random(),
            nonce: random(),
        }
    }

    /// The portable variant with 600,000 iterations and a fresh salt and nonce.
    pub(crate) fn portable() -> Sealing {
        Sealing::portable_with(PORTABLE_ITERATIONS, random(), random())
    }

    /// The portable variant with everything given: for known-answer vectors.
    /// Never reuse a salt and nonce for a second file.
    pub(crate) fn portable_with(
        iterations: u32,
        salt: [u8; SALT_BYTES],
        nonce: [u8; GCM_NONCE_BYTES],
    ) -> Sealing {
        Sealing::Pbkdf2AesGcm {
            iterations,
            salt,
            nonce,
        }
    }

    /// Encrypts `seed` under `passphrase` with associated data `aad`.
    pub(super) fn seal(
        &self,
        passphrase: &[u8],
        seed: &[u8; 32],
        aad: &[u8],
    ) -> Result<[u8; CIPHERTEXT_BYTES], KeystoreError> {
        let payload = Payload { msg: seed, aad };
        let key = self.derive_key(passphrase)?;
        let sealed = match self {
            Sealing::Argon2idXChaCha { nonce, .. } => {
                XChaCha20Poly1305::new(key.as_ref().into()).encrypt(nonce.into(), payload)
            }
            Sealing::Pbkdf2AesGcm { nonce, .. } => {
                Aes256Gcm::new(key.as_ref().into()).encrypt(nonce.into(), payload)
            }
        }
        .map_err(|_| KeystoreError::Kdf("encryption failed".into()))?;
        sealed
            .as_slice()
            .try_into()
            .map_err(|_| KeystoreError::Kdf("unexpected ciphertext length".into()))
    }

    /// Decrypts `ciphertext`; any failure of the tag is [`KeystoreError::WrongPassphrase`].
    pub(super) fn open(
        &self,
        passphrase: &[u8],
        ciphertext: &[u8; CIPHERTEXT_BYTES],
        aad: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
        let payload = Payload {
            msg: ciphertext,
            aad,
        };
        let key = self.derive_key(passphrase)?;
        let opened = match self {
            Sealing::Argon2idXChaCha { nonce, .. } => {
                XChaCha20Poly1305::new(key.as_ref().into()).decrypt(nonce.into(), payload)
            }
            Sealing::Pbkdf2AesGcm { nonce, .. } => {
                Aes256Gcm::new(key.as_ref().into()).decrypt(nonce.into(), payload)
            }
        }
        .map_err(|_| KeystoreError::WrongPassphrase)?;
        let opened = Zeroizing::new(opened);
        let mut seed = Zeroizing::new([0u8; 32]);
        if opened.len() != seed.len() {
            return Err(KeystoreError::WrongPassphrase);
        }
        seed.copy_from_slice(&opened);
        Ok(seed)
    }

    /// The KDF: passphrase → 32-byte key.
    fn derive_key(&self, passphrase: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        match self {
            Sealing::Argon2idXChaCha { cost, salt, .. } => {
                let params = Params::new(cost.m_cost, cost.t_cost, cost.p_cost, Some(32))
                    .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .hash_password_into(passphrase, salt, key.as_mut_slice())
                    .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
            }
            Sealing::Pbkdf2AesGcm {
                iterations, salt, ..
            } => {
                pbkdf2::pbkdf2_hmac::<Sha256>(passphrase, salt, *iterations, key.as_mut_slice());
            }
        }
        Ok(key)
    }
}

/// Bounds the Argon2id costs read from a file.
pub(super) fn check_cost(cost: KdfCost) -> Result<(), String> {
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

/// Bounds the PBKDF2 iteration count read from a file.
pub(super) fn check_iterations(iterations: u32) -> Result<(), String> {
    if ITERATIONS_RANGE.contains(&iterations) {
        Ok(())
    } else {
        Err(format!(
            "kdf.iterations {iterations} is outside {}..={}",
            ITERATIONS_RANGE.start(),
            ITERATIONS_RANGE.end()
        ))
    }
}

/// `N` bytes from the operating system's generator.
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"baraza-keystore/1 and a key";

    /// RFC 7914 §11 / widely published PBKDF2-HMAC-SHA256 answer, so the
    /// KDF is known to be the standard one a browser computes too.
    #[test]
    fn pbkdf2_sha256_matches_a_published_vector() {
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"password", b"salt", 1, &mut out);
        assert_eq!(
            hex::encode(out),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
    }

    #[test]
    fn each_variant_opens_what_it_sealed_and_nothing_else() {
        let variants = [
            Sealing::Argon2idXChaCha {
                cost: KdfCost {
                    m_cost: 64,
                    t_cost: 1,
                    p_cost: 1,
                },
                salt: [1; SALT_BYTES],
                nonce: [2; XCHACHA_NONCE_BYTES],
            },
            Sealing::portable_with(*ITERATIONS_RANGE.start(), [1; SALT_BYTES], [2; 12]),
        ];
        let seed = [7u8; 32];
        let sealed: Vec<_> = variants
            .iter()
            .map(|v| v.seal(b"pw", &seed, AAD).expect("seals"))
            .collect();
        assert_ne!(
            sealed[0], sealed[1],
            "the two variants are different ciphers"
        );
        for (variant, ciphertext) in variants.iter().zip(&sealed) {
            assert_eq!(*variant.open(b"pw", ciphertext, AAD).expect("opens"), seed);
            assert!(matches!(
                variant.open(b"pw", ciphertext, b"other aad"),
                Err(KeystoreError::WrongPassphrase)
            ));
        }
        assert!(matches!(
            variants[1].open(b"pw", &sealed[0], AAD),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn iteration_bounds_are_inclusive() {
        assert!(check_iterations(100_000).is_ok());
        assert!(check_iterations(10_000_000).is_ok());
        let err = check_iterations(99_999).expect_err("too few");
        assert!(err.contains("100000..=10000000"), "{err}");
        assert!(check_iterations(10_000_001).is_err());
        assert!(check_iterations(PORTABLE_ITERATIONS).is_ok());
    }
}
