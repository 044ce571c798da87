//! Object ids and author keys, with their human forms.
//!
//! On the wire both are 32-byte CBOR byte strings. In JSON and in human
//! output an [`ObjectId`] is 64 lowercase hex digits and a [`PublicKey`] is a
//! `did:key` (multicodec `ed25519-pub` 0xed01, base58btc, prefix `z`).

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Multicodec prefix of an Ed25519 public key (varint of 0xed).
const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Prefix of every baraza author in did:key form.
pub const DID_KEY_PREFIX: &str = "did:key:z";
/// Hex digits shown by [`ObjectId::short`].
pub const SHORT_ID_HEX_DIGITS: usize = 12;

/// Why a textual id or key could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseIdError {
    /// Not 64 hex digits.
    #[error("object id must be 64 lowercase hex digits, got {0:?}")]
    BadObjectId(String),
    /// Not a did:key string.
    #[error("author must be a did:key starting with \"did:key:z\", got {0:?}")]
    NotDidKey(String),
    /// did:key whose base58 part is not valid.
    #[error("did:key has invalid base58btc: {0}")]
    BadBase58(String),
    /// did:key of another key type.
    #[error("did:key is not an Ed25519 key (multicodec 0xed01 followed by 32 bytes)")]
    NotEd25519,
}

/// SHA-256 of an object's complete encoding: how objects name each other.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub [u8; 32]);

impl ObjectId {
    /// The id of the given encoded object bytes.
    pub fn of_bytes(bytes: &[u8]) -> ObjectId {
        ObjectId(Sha256::digest(bytes).into())
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// First [`SHORT_ID_HEX_DIGITS`] hex digits, for human output.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..SHORT_ID_HEX_DIGITS / 2])
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.short())
    }
}

impl FromStr for ObjectId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(ParseIdError::BadObjectId(s.chars().take(80).collect()));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseIdError::BadObjectId(s.into()))?;
        Ok(ObjectId(out))
    }
}

/// An author's Ed25519 public key (32 bytes, compressed Edwards point).
///
/// Holding a `PublicKey` says nothing about its validity as a curve point;
/// that is checked when a signature is verified.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `did:key` form.
    pub fn to_did(&self) -> String {
        let mut raw = Vec::with_capacity(34);
        raw.extend_from_slice(&ED25519_PUB_MULTICODEC);
        raw.extend_from_slice(&self.0);
        format!("{DID_KEY_PREFIX}{}", bs58::encode(raw).into_string())
    }

    /// A short human form: the last 8 characters of the did:key.
    pub fn short(&self) -> String {
        let did = self.to_did();
        format!("did:key:…{}", &did[did.len() - 8..])
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_did())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.short())
    }
}

impl FromStr for PublicKey {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b58 = s
            .strip_prefix(DID_KEY_PREFIX)
            .ok_or_else(|| ParseIdError::NotDidKey(s.chars().take(80).collect()))?;
        if b58.len() > 64 {
            return Err(ParseIdError::NotEd25519);
        }
        let raw = bs58::decode(b58)
            .into_vec()
            .map_err(|e| ParseIdError::BadBase58(e.to_string()))?;
        if raw.len() != 34 || raw[..2] != ED25519_PUB_MULTICODEC {
            return Err(ParseIdError::NotEd25519);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(&raw[2..]);
        Ok(PublicKey(out))
    }
}

/// Serializes 32 bytes as a byte string (binary formats) or via `Display` (JSON).
macro_rules! bytes32_serde {
    ($ty:ident, $expecting:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.collect_str(self)
                } else {
                    serializer.serialize_bytes(&self.0)
                }
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> de::Visitor<'de> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<$ty, E> {
                        let arr: [u8; 32] = v
                            .try_into()
                            .map_err(|_| E::invalid_length(v.len(), &"32 bytes"))?;
                        Ok($ty(arr))
                    }
                }
                if deserializer.is_human_readable() {
                    deserializer.deserialize_str(Visitor)
                } else {
                    deserializer.deserialize_bytes(Visitor)
                }
            }
        }
    };
}

pub(crate) use bytes32_serde;

bytes32_serde!(ObjectId, "a 32-byte object id (64 hex digits in JSON)");
bytes32_serde!(PublicKey, "a 32-byte Ed25519 key (a did:key in JSON)");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_key_matches_the_w3c_test_vector() {
        // From the did:key spec's Ed25519 examples.
        let did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
        let key: PublicKey = did.parse().expect("spec vector parses");
        assert_eq!(key.to_did(), did);
    }

    #[test]
    fn did_key_rejects_other_forms() {
        assert!(matches!(
            "did:web:x".parse::<PublicKey>(),
            Err(ParseIdError::NotDidKey(_))
        ));
        assert!(matches!(
            "did:key:z0OIl".parse::<PublicKey>(),
            Err(ParseIdError::BadBase58(_))
        ));
        // A secp256k1 did:key (multicodec 0xe7).
        let secp = "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme";
        assert!(matches!(
            secp.parse::<PublicKey>(),
            Err(ParseIdError::NotEd25519)
        ));
    }

    #[test]
    fn object_id_hex_round_trip_and_rejects_uppercase() {
        let id = ObjectId::of_bytes(b"x");
        assert_eq!(
            id.to_string().parse::<ObjectId>().expect("own form parses"),
            id
        );
        assert!(id.to_string().to_uppercase().parse::<ObjectId>().is_err());
        assert_eq!(id.short().len(), SHORT_ID_HEX_DIGITS);
    }
}
