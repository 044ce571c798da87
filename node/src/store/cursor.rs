//! [`Cursor`]: where the next page of a listing starts.
//!
//! A cursor is the position of the last object of a page in the listing's
//! order (the part of its index key after the listing's prefix: created_at
//! and id). Callers treat it as opaque: the HTTP layer hands it out as a
//! string ([`std::fmt::Display`], lowercase hex) and parses it back
//! ([`std::str::FromStr`]), and a string that is not one is a typed
//! [`CursorError`], not a store failure.

use std::fmt;
use std::str::FromStr;

/// Most bytes a cursor holds (a key suffix is at most 41 bytes; the rest is
/// headroom, the bound is what matters).
pub const MAX_CURSOR_BYTES: usize = 64;

/// The position after which a listing's next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(Vec<u8>);

/// Why a string is not a cursor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CursorError {
    /// Not an even number of hex digits.
    #[error("a cursor is an even number of hex digits (the `next` of a previous page)")]
    NotHex,
    /// Longer than any cursor the store hands out.
    #[error("a cursor is at most {max} hex digits, this one has {len}")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },
}

impl Cursor {
    /// The cursor for a position (an index-key suffix).
    pub(crate) fn from_position(position: &[u8]) -> Cursor {
        Cursor(position.to_vec())
    }

    /// The position it names.
    pub(crate) fn position(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(s: &str) -> Result<Cursor, CursorError> {
        if s.len() > 2 * MAX_CURSOR_BYTES {
            return Err(CursorError::TooLong {
                len: s.len(),
                max: 2 * MAX_CURSOR_BYTES,
            });
        }
        hex::decode(s).map(Cursor).map_err(|_| CursorError::NotHex)
    }
}

impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_through_its_string() {
        let cursor = Cursor::from_position(&[0, 1, 0xab, 0xff]);
        assert_eq!(cursor.to_string(), "0001abff");
        assert_eq!("0001abff".parse::<Cursor>(), Ok(cursor));
        assert_eq!("".parse::<Cursor>().map(|c| c.position().len()), Ok(0));
    }

    #[test]
    fn bad_cursors_are_typed_errors() {
        assert_eq!("xyz".parse::<Cursor>(), Err(CursorError::NotHex));
        assert_eq!("abc".parse::<Cursor>(), Err(CursorError::NotHex));
        assert!(matches!(
            "a".repeat(130).parse::<Cursor>(),
            Err(CursorError::TooLong { len: 130, max: 128 })
        ));
    }

    #[test]
    fn a_cursor_serialises_as_its_string() {
        let cursor = Cursor::from_position(&[0x0f]);
        assert_eq!(
            serde_json::to_value(Some(&cursor)).expect("json"),
            serde_json::json!("0f")
        );
    }
}
