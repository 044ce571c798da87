//! [`Notary`]: the node key's statements about its log.

use baraza_protocol::tlog::{log_verifier_key, origin_of, Hash, Receipt, SignedCheckpoint};
use baraza_protocol::{Keypair, PublicKey};

use crate::store::LogEntry;

/// Signs for the node's log with the node key.
pub struct Notary {
    key: Keypair,
    origin: String,
    checkpoint_interval_secs: u64,
}

impl Notary {
    /// The notary of the node with key `key`, which signs a checkpoint
    /// every `checkpoint_interval_secs` while its log grows.
    pub fn new(key: &Keypair, checkpoint_interval_secs: u64) -> Notary {
        Notary {
            key: Keypair::from_seed(&key.secret_seed()),
            origin: origin_of(&key.public()),
            checkpoint_interval_secs,
        }
    }

    /// Seconds between checkpoints while the log grows.
    pub fn checkpoint_interval_secs(&self) -> u64 {
        self.checkpoint_interval_secs
    }

    /// The node key.
    pub fn node(&self) -> PublicKey {
        self.key.public()
    }

    /// The log's origin, `baraza/log/<did:key>`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The signed-note verifier key of the log.
    pub fn verifier_key(&self) -> String {
        log_verifier_key(&self.origin, &self.key.public())
    }

    /// The signed receipt (a C2SP note) of a log entry.
    pub fn receipt(&self, entry: &LogEntry) -> String {
        let receipt = Receipt::new(&self.key.public(), entry.index, entry.leaf);
        // The note is the text we built (UTF-8) and base64: always UTF-8.
        String::from_utf8_lossy(&receipt.sign(&self.key)).into_owned()
    }

    /// Signs the checkpoint of the tree of `size` entries with `root`.
    pub fn checkpoint(&self, size: u64, root: Hash) -> SignedCheckpoint {
        SignedCheckpoint::sign(&self.key, size, root)
    }
}

impl std::fmt::Debug for Notary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notary")
            .field("origin", &self.origin)
            .finish()
    }
}
