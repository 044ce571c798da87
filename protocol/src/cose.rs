//! The COSE_Sign1 envelope (RFC 9052 §4.2) around every body.
//!
//! ```text
//! 18([ protected: bstr .cbor {1: -8, 4: kid(32 bytes), 16: "application/baraza.<kind>+cose"},
//!      unprotected: {},
//!      payload: bstr (the body, deterministic CBOR),
//!      signature: bstr (64 bytes) ])
//! ```
//! The signature covers `Sig_structure = ["Signature1", protected, h'', payload]`.

use std::ops::Range;

use crate::cbor::head::{write_bytes, write_head, write_int, write_text, Major, Reader};
use crate::cbor::CborError;
use crate::error::{ObjectError, Part};
use crate::ids::PublicKey;
use crate::kinds::Kind;

/// CBOR tag of COSE_Sign1.
pub const TAG_COSE_SIGN1: u64 = 18;
/// COSE algorithm identifier of EdDSA.
pub const ALG_EDDSA: i64 = -8;
/// COSE header label `alg`.
pub const HEADER_ALG: u64 = 1;
/// COSE header label `kid`.
pub const HEADER_KID: u64 = 4;
/// COSE header label `typ` (RFC 9596).
pub const HEADER_TYP: u64 = 16;
/// `typ` is this prefix, the kind name, then [`TYP_SUFFIX`].
pub const TYP_PREFIX: &str = "application/baraza.";
/// See [`TYP_PREFIX`].
pub const TYP_SUFFIX: &str = "+cose";
/// Context string of the signature input.
pub const SIG_CONTEXT: &str = "Signature1";

/// The `typ` header value of a kind.
pub fn typ_of(kind: Kind) -> String {
    format!("{TYP_PREFIX}{kind}{TYP_SUFFIX}")
}

/// The encoded protected header of an object of `kind` by `author`.
pub(crate) fn protected_header(kind: Kind, author: &PublicKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_head(&mut out, Major::Map, 3);
    write_head(&mut out, Major::Unsigned, HEADER_ALG);
    write_int(&mut out, ALG_EDDSA);
    write_head(&mut out, Major::Unsigned, HEADER_KID);
    write_bytes(&mut out, author.as_bytes());
    write_head(&mut out, Major::Unsigned, HEADER_TYP);
    write_text(&mut out, &typ_of(kind));
    out
}

/// The bytes an author signs: the encoded `Sig_structure`.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 24);
    write_head(&mut out, Major::Array, 4);
    write_text(&mut out, SIG_CONTEXT);
    write_bytes(&mut out, protected);
    write_bytes(&mut out, &[]);
    write_bytes(&mut out, payload);
    out
}

/// The complete encoded object.
pub(crate) fn encode(protected: &[u8], payload: &[u8], signature: &[u8; 64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 80);
    write_head(&mut out, Major::Tag, TAG_COSE_SIGN1);
    write_head(&mut out, Major::Array, 4);
    write_bytes(&mut out, protected);
    write_head(&mut out, Major::Map, 0);
    write_bytes(&mut out, payload);
    write_bytes(&mut out, signature);
    out
}

/// Low-level: signs arbitrary `protected` and `payload` bytes with `key` and
/// assembles the envelope, without checking either.
///
/// [`crate::SignedObject::sign`] is what applications want. This exists so
/// that test vectors (and other implementations' cross-checks) can produce
/// correctly signed objects whose headers or payloads break a rule, proving
/// that decoders reject them for that rule and not for a bad signature.
pub fn sign_parts(protected: &[u8], payload: &[u8], key: &crate::Keypair) -> Vec<u8> {
    let signature = key.sign_raw(&sig_structure(protected, payload));
    encode(protected, payload, &signature)
}

/// Low-level: the canonical protected header of `kind` by `author`, as bytes
/// (see [`sign_parts`]).
pub fn protected_header_bytes(kind: Kind, author: &PublicKey) -> Vec<u8> {
    protected_header(kind, author)
}

/// The parts of a parsed envelope, as ranges into the input.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub(crate) kind: Kind,
    pub(crate) author: PublicKey,
    pub(crate) protected: Range<usize>,
    pub(crate) payload: Range<usize>,
    pub(crate) signature: [u8; 64],
}

/// Parses the envelope strictly. The payload is not looked at.
pub(crate) fn parse(bytes: &[u8]) -> Result<Envelope, ObjectError> {
    let env = ObjectError::cbor(Part::Envelope);
    let mut r = Reader::new(bytes);
    let head = r.head().map_err(&env)?;
    if head.major != Major::Tag || head.arg != TAG_COSE_SIGN1 {
        return Err(ObjectError::WrongTag {
            found: (head.major == Major::Tag).then_some(head.arg),
        });
    }
    let len = r.expect(Major::Array, "a COSE_Sign1 array").map_err(&env)?;
    if len != 4 {
        return Err(env(CborError::Unexpected {
            offset: 1,
            expected: "a COSE_Sign1 array of 4 items",
        }));
    }
    let protected =
        range_of(&mut r, bytes, "the protected header (a byte string)").map_err(&env)?;
    let unprotected = r
        .expect(Major::Map, "the unprotected header (a map)")
        .map_err(&env)?;
    if unprotected != 0 {
        return Err(ObjectError::UnprotectedHeaderNotEmpty);
    }
    let payload = range_of(&mut r, bytes, "the payload (a byte string)").map_err(&env)?;
    let sig = r.bytes("the signature (a byte string)").map_err(&env)?;
    let signature: [u8; 64] = sig.try_into().map_err(|_| {
        env(CborError::Unexpected {
            offset: r.position(),
            expected: "a 64-byte signature",
        })
    })?;
    if r.remaining() != 0 {
        return Err(env(CborError::Trailing {
            extra: r.remaining(),
        }));
    }
    let (kind, author) = parse_protected(&bytes[protected.clone()])?;
    Ok(Envelope {
        kind,
        author,
        protected,
        payload,
        signature,
    })
}

fn range_of(
    r: &mut Reader<'_>,
    bytes: &[u8],
    what: &'static str,
) -> Result<Range<usize>, CborError> {
    let contents = r.bytes(what)?;
    let end = r.position();
    debug_assert_eq!(&bytes[end - contents.len()..end], contents);
    Ok(end - contents.len()..end)
}

fn parse_protected(header: &[u8]) -> Result<(Kind, PublicKey), ObjectError> {
    let hdr = ObjectError::cbor(Part::Header);
    let mut r = Reader::new(header);
    let n = r.expect(Major::Map, "a map").map_err(&hdr)?;
    if n != 3 {
        return Err(ObjectError::MalformedHeader(format!(
            "expected exactly 3 entries (alg, kid, typ), found {n}"
        )));
    }
    expect_label(&mut r, HEADER_ALG, "alg")?;
    let alg_head = r.head().map_err(&hdr)?;
    let alg = match alg_head.major {
        Major::Unsigned => i64::try_from(alg_head.arg).unwrap_or(i64::MAX),
        Major::Negative => i64::try_from(alg_head.arg).map_or(i64::MIN, |a| -1 - a),
        _ => {
            return Err(ObjectError::MalformedHeader(
                "alg (1) must be an integer".into(),
            ))
        }
    };
    if alg != ALG_EDDSA {
        return Err(ObjectError::UnsupportedAlgorithm { alg });
    }
    expect_label(&mut r, HEADER_KID, "kid")?;
    let kid = r.bytes("kid (4) as a byte string").map_err(&hdr)?;
    let author = PublicKey(kid.try_into().map_err(|_| {
        ObjectError::MalformedHeader(format!(
            "kid (4) must be a 32-byte Ed25519 key, got {} bytes",
            kid.len()
        ))
    })?);
    expect_label(&mut r, HEADER_TYP, "typ")?;
    let typ = r.text("typ (16) as a text string").map_err(&hdr)?;
    if r.remaining() != 0 {
        return Err(hdr(CborError::Trailing {
            extra: r.remaining(),
        }));
    }
    let name = typ
        .strip_prefix(TYP_PREFIX)
        .and_then(|t| t.strip_suffix(TYP_SUFFIX))
        .ok_or_else(|| ObjectError::UnknownKind(typ.chars().take(80).collect()))?;
    let kind = name
        .parse::<Kind>()
        .map_err(|_| ObjectError::UnknownKind(typ.chars().take(80).collect()))?;
    Ok((kind, author))
}

fn expect_label(r: &mut Reader<'_>, label: u64, name: &str) -> Result<(), ObjectError> {
    let head = r.head().map_err(ObjectError::cbor(Part::Header))?;
    if head.major != Major::Unsigned || head.arg != label {
        return Err(ObjectError::MalformedHeader(format!(
            "expected label {label} ({name}) at byte {}; the header must be exactly {{1: alg, 4: kid, 16: typ}} in that order",
            head.offset
        )));
    }
    Ok(())
}
