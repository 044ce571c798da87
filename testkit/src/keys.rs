//! Deterministic key pairs: the same seed gives the same key in every test
//! and on every machine. These keys are public knowledge; they must never
//! sign anything real.

use baraza_protocol::{Keypair, ObjectId};

/// The key pair whose seed is 32 bytes of `byte`.
pub fn key(byte: u8) -> Keypair {
    Keypair::from_seed(&[byte; 32])
}

/// The key pair whose seed is `SHA-256(label)`: for as many distinct
/// keys as a test needs, named by what they are for.
pub fn labelled(label: &str) -> Keypair {
    Keypair::from_seed(ObjectId::of_bytes(label.as_bytes()).as_bytes())
}

/// Key number `n` of a family: seed `fill` with `n` (big-endian) in its
/// first eight bytes.
pub fn numbered(fill: u8, n: u64) -> Keypair {
    let mut seed = [fill; 32];
    seed[..8].copy_from_slice(&n.to_be_bytes());
    Keypair::from_seed(&seed)
}

/// The usual steward (seed `[1; 32]`).
pub fn steward() -> Keypair {
    key(1)
}

/// The usual NRI (seed `[2; 32]`).
pub fn nri() -> Keypair {
    key(2)
}

/// The usual stakeholder (seed `[3; 32]`).
pub fn stakeholder() -> Keypair {
    key(3)
}

/// The usual editor (seed `[4; 32]`).
pub fn editor() -> Keypair {
    key(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_fixed_and_distinct() {
        assert_eq!(key(1).public(), steward().public());
        assert_ne!(steward().public(), nri().public());
        assert_eq!(labelled("x").public(), labelled("x").public());
        assert_ne!(labelled("x").public(), labelled("y").public());
        assert_ne!(numbered(0xa5, 1).public(), numbered(0xa5, 2).public());
    }
}
