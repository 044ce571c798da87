//! Receipts: a node's signed word that it stored an object as entry
//! `index` of its log, at its time `time`.
//!
//! A receipt is a C2SP signed note whose text is five lines:
//!
//! ```text
//! baraza/receipt/v1
//! origin baraza/log/did:key:z…
//! index 41
//! object 3f9a…(64 lowercase hex digits)
//! time 1709251200000
//! ```
//!
//! signed by the log key under the origin's name. No text of another
//! statement the key signs starts with `baraza/receipt/v1` (a checkpoint
//! starts with its origin, a cosignature's message with `cosignature/v1`),
//! so a receipt's signature cannot be replayed as anything else.

use super::leaf::LogLeaf;
use super::note::{parse_note, sign_note, verify_log_signature};
use super::{key_of_origin, origin_of, LogError};
use crate::identity::Keypair;
use crate::ids::{ObjectId, PublicKey};

/// The first line of every receipt.
const HEADER: &str = "baraza/receipt/v1";

/// What a receipt states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The log's origin (names the node key).
    pub origin: String,
    /// The entry's position in the log, from 0.
    pub index: u64,
    /// The entry: the object and the node's time of storing it.
    pub leaf: LogLeaf,
}

impl Receipt {
    /// The receipt of entry `index`, `leaf`, of `node`'s log.
    pub fn new(node: &PublicKey, index: u64, leaf: LogLeaf) -> Receipt {
        Receipt {
            origin: origin_of(node),
            index,
            leaf,
        }
    }

    /// The receipt's text (the note body).
    pub fn text(&self) -> Vec<u8> {
        format!(
            "{HEADER}\norigin {}\nindex {}\nobject {}\ntime {}\n",
            self.origin, self.index, self.leaf.id, self.leaf.time_ms
        )
        .into_bytes()
    }

    /// The signed note. `keypair` must be the key the origin names.
    pub fn sign(&self, keypair: &Keypair) -> Vec<u8> {
        sign_note(&self.text(), &self.origin, keypair)
    }

    /// The node key that signed (or should have signed) this receipt.
    pub fn node(&self) -> Result<PublicKey, LogError> {
        key_of_origin(&self.origin)
    }

    /// Parses a signed receipt and checks that the key its origin names
    /// signed it.
    pub fn verify(note: &[u8]) -> Result<Receipt, LogError> {
        let parsed = parse_note(note)?;
        let receipt = Receipt::parse(&parsed.text)?;
        verify_log_signature(&parsed, &receipt.origin, &receipt.node()?)?;
        Ok(receipt)
    }

    /// Parses a receipt's text strictly: exactly the five lines, in order.
    pub fn parse(text: &[u8]) -> Result<Receipt, LogError> {
        let bad = |why: &str| LogError::MalformedReceipt(why.to_owned());
        let text = std::str::from_utf8(text).map_err(|_| bad("not UTF-8"))?;
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("the text does not end in a newline"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [header, origin, index, object, time] = lines.as_slice() else {
            return Err(bad(&format!("{} lines, expected 5", lines.len())));
        };
        if *header != HEADER {
            return Err(bad("the first line is not \"baraza/receipt/v1\""));
        }
        let value = |line: &str, name: &str| -> Result<String, LogError> {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("expected a line \"{name} …\"")))
        };
        let origin = value(origin, "origin")?;
        key_of_origin(&origin)?;
        let index =
            decimal(&value(index, "index")?).ok_or_else(|| bad("index is not a decimal u64"))?;
        let object = value(object, "object")?;
        if object.len() != 64
            || object
                .bytes()
                .any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("object is not 64 lowercase hex digits"));
        }
        let id: ObjectId = object
            .parse()
            .map_err(|_| bad("object is not an object id"))?;
        let time_ms =
            decimal(&value(time, "time")?).ok_or_else(|| bad("time is not a decimal u64"))?;
        Ok(Receipt {
            origin,
            index,
            leaf: LogLeaf { id, time_ms },
        })
    }
}

/// A decimal u64 without sign or leading zeros.
pub(super) fn decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}
