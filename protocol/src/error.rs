//! The error of decoding, validating or verifying a signed object.
//!
//! Every variant has a stable snake_case [`ObjectError::code`], listed in
//! `docs/PROTOCOL.md` and used by the invalid test vectors, so that other
//! implementations and API clients can match on it.

use crate::cbor::CborError;
use crate::validate::ValidationError;

/// Which part of an object a CBOR error was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The COSE_Sign1 array around everything.
    Envelope,
    /// The protected header map.
    Header,
    /// The payload (the body).
    Payload,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Envelope => "envelope",
            Part::Header => "protected header",
            Part::Payload => "payload",
        })
    }
}

/// Why bytes are not a valid signed object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// The encoding is larger than [`crate::limits::MAX_OBJECT_BYTES`].
    #[error("object is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Actual size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not deterministic CBOR of the expected shape.
    #[error("{part}: {source}")]
    Cbor {
        /// Where.
        part: Part,
        /// What.
        source: CborError,
    },
    /// The object does not start with CBOR tag 18 (COSE_Sign1).
    #[error("expected CBOR tag 18 (COSE_Sign1), found {}", match .found { Some(t) => format!("tag {t}"), None => "no tag".into() })]
    WrongTag {
        /// The tag found, if any.
        found: Option<u64>,
    },
    /// The protected header's algorithm is not EdDSA (-8).
    #[error("unsupported algorithm {alg}: only EdDSA (-8) is allowed")]
    UnsupportedAlgorithm {
        /// The algorithm found.
        alg: i64,
    },
    /// The protected header is not exactly {1: -8, 4: kid, 16: typ}.
    #[error("protected header: {0}")]
    MalformedHeader(String),
    /// The unprotected header must be an empty map.
    #[error("unprotected header must be an empty map")]
    UnprotectedHeaderNotEmpty,
    /// The `typ` header names no known kind.
    #[error("unknown kind in typ header: {0:?}")]
    UnknownKind(String),
    /// The body breaks a rule of its kind.
    #[error("invalid {kind}: {source}")]
    Invalid {
        /// The kind.
        kind: crate::Kind,
        /// The rule broken.
        source: ValidationError,
    },
    /// The author key is not a canonical encoding of a curve point.
    #[error("author key is not a valid Ed25519 public key")]
    InvalidKey,
    /// The author key is of small order (it would verify forged signatures).
    #[error("author key is a weak (small-order) Ed25519 key")]
    WeakKey,
    /// The signature's S is not reduced modulo the group order.
    #[error("signature is not canonical (S is not below the group order)")]
    NonCanonicalSignature,
    /// The signature's R is a small-order point.
    #[error("signature has a small-order R")]
    SmallOrderR,
    /// The signature does not verify.
    #[error("signature does not verify for this author and content")]
    BadSignature,
}

impl ObjectError {
    /// A stable snake_case code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ObjectError::TooLarge { .. } => "too_large",
            ObjectError::Cbor { source, .. } => match source {
                CborError::Truncated { .. } => "truncated",
                CborError::NonMinimal { .. } => "non_minimal_encoding",
                CborError::Indefinite { .. } => "indefinite_length",
                CborError::Float { .. } => "float",
                CborError::Malformed { .. } => "malformed_cbor",
                CborError::UnsortedKeys { .. } => "unsorted_map_keys",
                CborError::DuplicateKey { .. } => "duplicate_map_key",
                CborError::KeyNotText { .. } => "map_key_not_text",
                CborError::TooDeep { .. } => "too_deep",
                CborError::TooManyItems { .. } => "too_many_items",
                CborError::TagNotAllowed { .. } => "tag_not_allowed",
                CborError::SimpleNotAllowed { .. } => "simple_value_not_allowed",
                CborError::InvalidUtf8 { .. } => "invalid_utf8",
                CborError::Trailing { .. } => "trailing_bytes",
                CborError::Unexpected { .. } => "unexpected_type",
                CborError::UnknownField(_) => "unknown_field",
                CborError::MissingField(_) => "missing_field",
                CborError::Shape(_) => "invalid_field",
                CborError::NotCanonical => "not_canonical",
            },
            ObjectError::WrongTag { .. } => "wrong_tag",
            ObjectError::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            ObjectError::MalformedHeader(_) => "malformed_header",
            ObjectError::UnprotectedHeaderNotEmpty => "unprotected_header_not_empty",
            ObjectError::UnknownKind(_) => "unknown_kind",
            ObjectError::Invalid { source, .. } => source.code(),
            ObjectError::InvalidKey => "invalid_key",
            ObjectError::WeakKey => "weak_key",
            ObjectError::NonCanonicalSignature => "non_canonical_signature",
            ObjectError::SmallOrderR => "small_order_r",
            ObjectError::BadSignature => "bad_signature",
        }
    }

    pub(crate) fn cbor(part: Part) -> impl Fn(CborError) -> ObjectError {
        move |source| ObjectError::Cbor { part, source }
    }
}
