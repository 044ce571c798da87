//! Signing identities: Ed25519 key pairs from OS randomness or fixed seeds.

use ed25519_dalek::{Signer, SigningKey};
use rand_core::OsRng;
use zeroize::Zeroizing;

use crate::ids::PublicKey;

/// A signing key pair. The secret leaves this type only through
/// [`Keypair::secret_seed`], which a keystore needs in order to encrypt it.
pub struct Keypair {
    signing: SigningKey,
}

impl Keypair {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Keypair {
        Keypair {
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    /// The key pair of a 32-byte secret seed (an RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Keypair {
        Keypair {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key().to_bytes())
    }

    /// The 32-byte secret seed, in a buffer wiped on drop.
    pub fn secret_seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// Signs `message` (deterministic Ed25519, RFC 8032).
    pub(crate) fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keypair({})", self.public().short())
    }
}
