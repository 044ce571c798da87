//! CBOR item heads (RFC 8949 §3): reading with strict shortest-form checks, and writing.
//!
//! This is the only place that looks at raw CBOR bytes; the COSE envelope and the
//! payload scanner are built on it.

use super::CborError;
use crate::limits::{MAX_COLLECTION_ITEMS, MAX_DEPTH};

/// Major type of a CBOR data item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Major {
    Unsigned = 0,
    Negative = 1,
    Bytes = 2,
    Text = 3,
    Array = 4,
    Map = 5,
    Tag = 6,
    Simple = 7,
}

impl Major {
    fn from_bits(bits: u8) -> Major {
        match bits {
            0 => Major::Unsigned,
            1 => Major::Negative,
            2 => Major::Bytes,
            3 => Major::Text,
            4 => Major::Array,
            5 => Major::Map,
            6 => Major::Tag,
            _ => Major::Simple,
        }
    }
}

/// A decoded head: major type plus its argument (value, length, tag number or simple value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) major: Major,
    pub(crate) arg: u64,
    /// Offset of the head's first byte in the input.
    pub(crate) offset: usize,
}

/// A cursor over CBOR bytes that only accepts deterministic heads.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The raw bytes from `start` up to the current position.
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        &self.buf[start..self.pos]
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads one head. Rejects non-shortest arguments, indefinite lengths,
    /// reserved additional-information values and floats.
    pub(crate) fn head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let initial = self.take(1)?[0];
        let major = Major::from_bits(initial >> 5);
        let info = initial & 0x1f;
        let arg = match info {
            0..=23 => u64::from(info),
            24 => {
                let v = u64::from(self.take(1)?[0]);
                // Simple values 24..=31 are reserved; below 24 must use the short form.
                if v < 24 {
                    return Err(if major == Major::Simple {
                        CborError::Malformed { offset }
                    } else {
                        CborError::NonMinimal { offset }
                    });
                }
                v
            }
            25..=27 if major == Major::Simple => return Err(CborError::Float { offset }),
            25 => self.be(2, 0xff, offset)?,
            26 => self.be(4, 0xffff, offset)?,
            27 => self.be(8, 0xffff_ffff, offset)?,
            31 => return Err(CborError::Indefinite { offset }),
            _ => return Err(CborError::Malformed { offset }),
        };
        Ok(Head { major, arg, offset })
    }

    fn be(&mut self, n: usize, max_shorter: u64, offset: usize) -> Result<u64, CborError> {
        let bytes = self.take(n)?;
        let v = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        if v <= max_shorter {
            return Err(CborError::NonMinimal { offset });
        }
        Ok(v)
    }

    /// Takes `n` raw bytes (string contents).
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        if n > self.remaining() {
            return Err(CborError::Truncated { offset: self.pos });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Reads a head that must be of `major`, or fails with `Unexpected`.
    pub(crate) fn expect(&mut self, major: Major, what: &'static str) -> Result<u64, CborError> {
        let head = self.head()?;
        if head.major != major {
            return Err(CborError::Unexpected {
                offset: head.offset,
                expected: what,
            });
        }
        Ok(head.arg)
    }

    /// Reads a byte string and returns its contents.
    pub(crate) fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], CborError> {
        let len = self.expect(Major::Bytes, what)?;
        self.take(usize::try_from(len).map_err(|_| CborError::Truncated { offset: self.pos })?)
    }

    /// Reads a text string and returns it.
    pub(crate) fn text(&mut self, what: &'static str) -> Result<&'a str, CborError> {
        let offset = self.pos;
        let len = self.expect(Major::Text, what)?;
        let raw = self
            .take(usize::try_from(len).map_err(|_| CborError::Truncated { offset: self.pos })?)?;
        std::str::from_utf8(raw).map_err(|_| CborError::InvalidUtf8 { offset })
    }
}

/// One level deeper into arrays, maps or tags, within [`MAX_DEPTH`].
pub(crate) fn enter(depth: usize) -> Result<usize, CborError> {
    let depth = depth + 1;
    if depth > MAX_DEPTH {
        return Err(CborError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(depth)
}

/// A declared array or map length, within [`MAX_COLLECTION_ITEMS`], checked
/// before any item is read.
pub(crate) fn collection_len(arg: u64, offset: usize) -> Result<usize, CborError> {
    if arg > MAX_COLLECTION_ITEMS as u64 {
        return Err(CborError::TooManyItems {
            offset,
            len: arg,
            limit: MAX_COLLECTION_ITEMS,
        });
    }
    Ok(arg as usize)
}

/// Appends a head in shortest form.
pub(crate) fn write_head(out: &mut Vec<u8>, major: Major, arg: u64) {
    let m = (major as u8) << 5;
    if arg < 24 {
        out.push(m | arg as u8);
    } else if arg <= 0xff {
        out.push(m | 24);
        out.push(arg as u8);
    } else if arg <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

/// Appends a byte string.
pub(crate) fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_head(out, Major::Bytes, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends a text string.
pub(crate) fn write_text(out: &mut Vec<u8>, text: &str) {
    write_head(out, Major::Text, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// Appends a signed integer.
pub(crate) fn write_int(out: &mut Vec<u8>, v: i64) {
    if v >= 0 {
        write_head(out, Major::Unsigned, v as u64);
    } else {
        write_head(out, Major::Negative, (-1 - v) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_form_round_trips() {
        for v in [
            0u64,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_head(&mut out, Major::Unsigned, v);
            let head = Reader::new(&out).head().expect("own encoding is canonical");
            assert_eq!(head.arg, v);
        }
    }

    #[test]
    fn non_minimal_heads_are_rejected() {
        for bad in [
            &[0x18, 0x05][..],
            &[0x19, 0x00, 0xff],
            &[0x1a, 0, 0, 0xff, 0xff],
            &[0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert!(
                matches!(Reader::new(bad).head(), Err(CborError::NonMinimal { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn floats_indefinite_and_reserved_are_rejected() {
        assert!(matches!(
            Reader::new(&[0xf9, 0, 0]).head(),
            Err(CborError::Float { .. })
        ));
        assert!(matches!(
            Reader::new(&[0xfb, 0, 0, 0, 0, 0, 0, 0, 0]).head(),
            Err(CborError::Float { .. })
        ));
        assert!(matches!(
            Reader::new(&[0x9f]).head(),
            Err(CborError::Indefinite { .. })
        ));
        assert!(matches!(
            Reader::new(&[0x1c]).head(),
            Err(CborError::Malformed { .. })
        ));
        assert!(matches!(
            Reader::new(&[0x19, 0x01]).head(),
            Err(CborError::Truncated { .. })
        ));
    }
}
