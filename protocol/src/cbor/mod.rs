//! Deterministic CBOR (RFC 8949 §4.2.1): the one module that touches CBOR.
//!
//! `serde_cbor` 0.11 is unmaintained (RUSTSEC-2021-0127) and lenient on input
//! (it accepts non-shortest integers and indefinite lengths, and its `Value`
//! maps keep the last of duplicate keys). It is therefore used only behind
//! this module's two functions, and every input is first proven canonical by
//! our own [`scan`] pass and finally re-encoded and compared byte for byte.
//! Swapping the crate means rewriting this file and nothing else.

pub(crate) mod head;
mod scan;
pub(crate) mod sequence;
pub use sequence::{split_sequence, SequenceError};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why some bytes are not deterministic CBOR of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ends inside a data item.
    #[error("truncated CBOR at byte {offset}")]
    Truncated {
        /// Byte offset where more input was needed.
        offset: usize,
    },
    /// An integer, length or tag is not in its shortest form.
    #[error("non-shortest integer or length at byte {offset}")]
    NonMinimal {
        /// Byte offset of the offending head.
        offset: usize,
    },
    /// An indefinite-length string, array or map.
    #[error("indefinite-length item at byte {offset}")]
    Indefinite {
        /// Byte offset of the offending head.
        offset: usize,
    },
    /// A floating-point number (the protocol has none).
    #[error("floating-point value at byte {offset}")]
    Float {
        /// Byte offset of the offending head.
        offset: usize,
    },
    /// A reserved or otherwise ill-formed head.
    #[error("malformed CBOR head at byte {offset}")]
    Malformed {
        /// Byte offset of the offending head.
        offset: usize,
    },
    /// Map keys not in bytewise order of their encodings.
    #[error("map key {key:?} at byte {offset} is out of order")]
    UnsortedKeys {
        /// Byte offset of the key.
        offset: usize,
        /// The key.
        key: String,
    },
    /// The same map key twice.
    #[error("duplicate map key {key:?} at byte {offset}")]
    DuplicateKey {
        /// Byte offset of the second occurrence.
        offset: usize,
        /// The key.
        key: String,
    },
    /// A map key that is not a text string.
    #[error("map key at byte {offset} is not a text string")]
    KeyNotText {
        /// Byte offset of the key.
        offset: usize,
    },
    /// Nesting deeper than [`crate::limits::MAX_DEPTH`].
    #[error("nesting deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// An array or map with more than [`crate::limits::MAX_COLLECTION_ITEMS`] items.
    #[error("collection of {len} items at byte {offset} exceeds the limit of {limit}")]
    TooManyItems {
        /// Byte offset of the collection head.
        offset: usize,
        /// Declared length.
        len: u64,
        /// The limit.
        limit: usize,
    },
    /// A tag inside a payload.
    #[error("tag {tag} at byte {offset} is not allowed in a payload")]
    TagNotAllowed {
        /// Byte offset.
        offset: usize,
        /// Tag number.
        tag: u64,
    },
    /// A simple value other than `false`/`true` (null and undefined included).
    #[error("simple value {value} at byte {offset} is not allowed")]
    SimpleNotAllowed {
        /// Byte offset.
        offset: usize,
        /// The simple value.
        value: u64,
    },
    /// Text that is not UTF-8.
    #[error("invalid UTF-8 in text string at byte {offset}")]
    InvalidUtf8 {
        /// Byte offset of the string head.
        offset: usize,
    },
    /// Bytes left over after the item.
    #[error("{extra} trailing bytes after the data item")]
    Trailing {
        /// How many.
        extra: usize,
    },
    /// A well-formed item of the wrong type.
    #[error("expected {expected} at byte {offset}")]
    Unexpected {
        /// Byte offset.
        offset: usize,
        /// What was expected.
        expected: &'static str,
    },
    /// The payload names a field the kind does not have.
    #[error("{0}")]
    UnknownField(String),
    /// The payload lacks a required field.
    #[error("{0}")]
    MissingField(String),
    /// The payload has a field of the wrong type or an invalid value.
    #[error("{0}")]
    Shape(String),
    /// The payload decodes but does not re-encode to the same bytes.
    #[error("payload is not in canonical form")]
    NotCanonical,
}

/// Encodes a value as deterministic CBOR.
///
/// Goes through `serde_cbor::Value`, whose maps are ordered length-first then
/// bytewise: for text keys that is exactly RFC 8949 §4.2.1 order.
pub(crate) fn to_canonical<T: Serialize>(value: &T) -> Vec<u8> {
    let value = serde_cbor::value::to_value(value)
        .expect("protocol types serialize to CBOR values (no non-string map keys, no floats)");
    serde_cbor::to_vec(&value).expect("writing a CBOR value to a Vec cannot fail")
}

/// Decodes deterministic CBOR into `T`: scan, decode, re-encode, compare.
pub(crate) fn from_canonical<T: Serialize + DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, CborError> {
    scan::scan_payload(bytes)?;
    let value: T = serde_cbor::from_slice(bytes).map_err(classify)?;
    if to_canonical(&value) != bytes {
        return Err(CborError::NotCanonical);
    }
    Ok(value)
}

/// Maps serde's error text onto typed variants (serde reports unknown and
/// missing fields only as messages).
fn classify(err: serde_cbor::Error) -> CborError {
    let text = err.to_string();
    if text.contains("unknown field") {
        CborError::UnknownField(text)
    } else if text.contains("missing field") {
        CborError::MissingField(text)
    } else {
        CborError::Shape(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        zeta: u64,
        b: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opt: Option<u64>,
    }

    #[test]
    fn encodes_keys_in_canonical_order_whatever_the_declaration_order() {
        let bytes = to_canonical(&Sample {
            zeta: 1,
            b: "x".into(),
            opt: Some(2),
        });
        // {"b": "x", "opt": 2, "zeta": 1}
        let expected = [
            0xa3, 0x61, b'b', 0x61, b'x', 0x63, b'o', b'p', b't', 0x02, 0x64, b'z', b'e', b't',
            b'a', 0x01,
        ];
        assert_eq!(bytes, expected);
        assert_eq!(
            from_canonical::<Sample>(&bytes).expect("canonical"),
            Sample {
                zeta: 1,
                b: "x".into(),
                opt: Some(2)
            }
        );
    }

    #[test]
    fn classifies_unknown_and_missing_fields() {
        // {"b": "x", "zz": 1, "zeta": 1}: sorted, but "zz" is unknown.
        let unknown = [
            0xa3, 0x61, b'b', 0x61, b'x', 0x62, b'z', b'z', 0x01, 0x64, b'z', b'e', b't', b'a',
            0x01,
        ];
        assert!(matches!(
            from_canonical::<Sample>(&unknown),
            Err(CborError::UnknownField(_))
        ));
        let missing = [0xa1, 0x61, b'b', 0x61, b'x'];
        assert!(matches!(
            from_canonical::<Sample>(&missing),
            Err(CborError::MissingField(_))
        ));
        let wrong_type = [0xa2, 0x61, b'b', 0x01, 0x64, b'z', b'e', b't', b'a', 0x01];
        assert!(matches!(
            from_canonical::<Sample>(&wrong_type),
            Err(CborError::Shape(_))
        ));
    }
}
