//! Ed25519 signature checks with `verify_strict` semantics, shared by the
//! single and the batch path so both reject exactly the same inputs up front.

use std::sync::OnceLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};

use crate::error::ObjectError;
use crate::ids::PublicKey;

/// A key and signature that passed every cheap check; only the curve
/// equation remains.
pub(crate) struct Prepared {
    pub(crate) key: VerifyingKey,
    pub(crate) signature: Signature,
}

/// Cheap checks, in order: key decodes, key encoding canonical, key not of
/// small order, S canonical, R not of small order, R encoding canonical.
pub(crate) fn prepare(author: &PublicKey, signature: &[u8; 64]) -> Result<Prepared, ObjectError> {
    let key = VerifyingKey::from_bytes(author.as_bytes()).map_err(|_| ObjectError::InvalidKey)?;
    if !y_is_canonical(author.as_bytes()) {
        return Err(ObjectError::InvalidKey);
    }
    if key.is_weak() {
        return Err(ObjectError::WeakKey);
    }
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    if bool::from(Scalar::from_canonical_bytes(s).is_none()) {
        return Err(ObjectError::NonCanonicalSignature);
    }
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    if is_small_order_encoding(&r) {
        return Err(ObjectError::SmallOrderR);
    }
    if !y_is_canonical(&r) {
        return Err(ObjectError::BadSignature);
    }
    Ok(Prepared {
        key,
        signature: Signature::from_bytes(signature),
    })
}

/// Verifies one prepared signature over `message` with `verify_strict`.
pub(crate) fn verify_one(prepared: &Prepared, message: &[u8]) -> Result<(), ObjectError> {
    prepared
        .key
        .verify_strict(message, &prepared.signature)
        .map_err(|_| ObjectError::BadSignature)
}

/// Whether the encoded y coordinate is below p = 2^255 - 19.
fn y_is_canonical(encoded: &[u8; 32]) -> bool {
    let top = encoded[31] & 0x7f;
    !(top == 0x7f && encoded[1..31].iter().all(|b| *b == 0xff) && encoded[0] >= 0xed)
}

/// Whether `encoded` is one of the encodings of the eight small-order points
/// (canonical ones, plus the sign-flipped forms of the two points with x = 0).
pub(crate) fn is_small_order_encoding(encoded: &[u8; 32]) -> bool {
    static TABLE: OnceLock<Vec<[u8; 32]>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut table: Vec<[u8; 32]> = EIGHT_TORSION
                .iter()
                .map(|p| p.compress().to_bytes())
                .collect();
            // x = 0 for the identity and the point of order 2: setting the
            // sign bit gives a second decodable encoding of each.
            for p in [EIGHT_TORSION[0], EIGHT_TORSION[4]] {
                let mut flipped = p.compress().to_bytes();
                flipped[31] |= 0x80;
                table.push(flipped);
            }
            table
        })
        .contains(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_small_order_point_is_in_the_table_and_rejected_as_a_key() {
        for p in EIGHT_TORSION {
            let bytes = p.compress().to_bytes();
            assert!(is_small_order_encoding(&bytes));
            let err = prepare(&PublicKey(bytes), &[0u8; 64]).err();
            assert!(
                matches!(err, Some(ObjectError::WeakKey | ObjectError::InvalidKey)),
                "{err:?}"
            );
        }
    }

    #[test]
    fn the_basepoint_is_not_small_order() {
        let b = curve25519_dalek::constants::ED25519_BASEPOINT_POINT
            .compress()
            .to_bytes();
        assert!(!is_small_order_encoding(&b));
    }

    #[test]
    fn non_canonical_y_is_detected() {
        let mut p = [0xffu8; 32];
        p[31] = 0x7f;
        p[0] = 0xed; // exactly p
        assert!(!y_is_canonical(&p));
        p[0] = 0xec; // p - 1
        assert!(y_is_canonical(&p));
    }
}
