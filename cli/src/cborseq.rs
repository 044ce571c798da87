//! Reading RFC 8742 CBOR sequences — signed objects back to back, as
//! `baraza get --cbor`, `baraza sign` and audit bundles write them — one
//! item at a time from any reader, so a file of any size is imported in
//! bounded memory.
//!
//! This only finds where each item ends (walking the CBOR heads); whether
//! an item is a valid signed object is for `baraza_protocol` to decide.
//! An item larger than the limit is read through without being kept, so
//! the items after it are still found.

use std::io::{self, BufRead, Read};

/// Deepest nesting walked. A signed object nests three deep (tag, array,
/// header map); the payload is a byte string and is not walked.
const MAX_NESTING: usize = 16;

/// One item of a sequence.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// The item's bytes (at most the limit).
    Complete(Vec<u8>),
    /// The item is larger than the limit; it was skipped.
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
}

/// Why the rest of a sequence cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SequenceError {
    /// The input ends inside an item.
    #[error("the input ends inside an item (truncated at byte {offset})")]
    Truncated {
        /// Where the input ended.
        offset: u64,
    },
    /// Not well-formed CBOR this reader accepts.
    #[error("not a well-formed CBOR item at byte {offset}: {detail}")]
    Malformed {
        /// Where.
        offset: u64,
        /// What.
        detail: &'static str,
    },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Reads the items of a sequence from `reader`.
pub(crate) struct SequenceReader<R> {
    reader: R,
    /// Bytes consumed so far.
    offset: u64,
    /// Largest item kept.
    limit: usize,
}

impl<R: BufRead> SequenceReader<R> {
    /// A reader keeping items of at most `limit` bytes.
    pub(crate) fn new(reader: R, limit: usize) -> SequenceReader<R> {
        SequenceReader {
            reader,
            offset: 0,
            limit,
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The next item, or `None` at the end of the input.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, SequenceError> {
        if self.reader.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let start = self.offset;
        let mut out = Some(Vec::new());
        self.item(&mut out, 0)?;
        Ok(Some(match out {
            Some(bytes) => Item::Complete(bytes),
            None => Item::TooLarge {
                size: self.offset - start,
            },
        }))
    }

    /// Reads one item into `out`; drops `out` (keeps counting) once it
    /// would pass the limit.
    fn item(&mut self, out: &mut Option<Vec<u8>>, depth: usize) -> Result<(), SequenceError> {
        if depth > MAX_NESTING {
            return Err(self.malformed("nested too deeply"));
        }
        let mut initial = [0u8; 1];
        self.read(&mut initial, out)?;
        let major = initial[0] >> 5;
        let info = initial[0] & 0x1f;
        let argument = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let mut bytes = [0u8; 8];
                let width = 1usize << (info - 24);
                self.read(&mut bytes[8 - width..], out)?;
                u64::from_be_bytes(bytes)
            }
            28..=30 => return Err(self.malformed("reserved additional information")),
            _ => return Err(self.malformed("indefinite lengths are not allowed")),
        };
        match major {
            // Integers and simple values: the head is everything.
            0 | 1 | 7 => Ok(()),
            // Byte and text strings: `argument` bytes follow.
            2 | 3 => self.copy(argument, out),
            // Arrays: `argument` items; maps: twice that. Each item takes
            // at least one byte, so a huge count runs into the input's end
            // rather than into memory.
            4 | 5 => {
                let count = if major == 5 {
                    argument.saturating_mul(2)
                } else {
                    argument
                };
                for _ in 0..count {
                    self.item(out, depth + 1)?;
                }
                Ok(())
            }
            // Tags: one item follows.
            _ => self.item(out, depth + 1),
        }
    }

    fn read(&mut self, buf: &mut [u8], out: &mut Option<Vec<u8>>) -> Result<(), SequenceError> {
        self.reader.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => SequenceError::Truncated {
                offset: self.offset,
            },
            _ => SequenceError::Io(e),
        })?;
        self.offset += buf.len() as u64;
        self.keep(buf, out);
        Ok(())
    }

    /// Consumes `len` bytes, keeping them in `out` while it is under the limit.
    fn copy(&mut self, mut len: u64, out: &mut Option<Vec<u8>>) -> Result<(), SequenceError> {
        while len > 0 {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Err(SequenceError::Truncated {
                    offset: self.offset,
                });
            }
            let n = available
                .len()
                .min(usize::try_from(len).unwrap_or(usize::MAX));
            let chunk = &available[..n];
            if let Some(bytes) = out.as_mut() {
                if bytes.len() + n <= self.limit {
                    bytes.extend_from_slice(chunk);
                } else {
                    *out = None;
                }
            }
            self.reader.consume(n);
            self.offset += n as u64;
            len -= n as u64;
        }
        Ok(())
    }

    fn keep(&self, bytes: &[u8], out: &mut Option<Vec<u8>>) {
        if let Some(kept) = out.as_mut() {
            if kept.len() + bytes.len() <= self.limit {
                kept.extend_from_slice(bytes);
            } else {
                *out = None;
            }
        }
    }

    fn malformed(&self, detail: &'static str) -> SequenceError {
        SequenceError::Malformed {
            offset: self.offset.saturating_sub(1),
            detail,
        }
    }
}

impl<R: Read> SequenceReader<io::BufReader<R>> {
    /// A buffered reader over `reader`.
    pub(crate) fn buffered(reader: R, limit: usize) -> Self {
        SequenceReader::new(io::BufReader::with_capacity(64 * 1024, reader), limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(bytes: &[u8], limit: usize) -> Result<Vec<Item>, SequenceError> {
        let mut reader = SequenceReader::new(bytes, limit);
        let mut out = Vec::new();
        while let Some(item) = reader.next_item()? {
            out.push(item);
        }
        Ok(out)
    }

    #[test]
    fn splits_a_sequence() {
        // 1, "ab", [1, {2: h'00'}], tag 18 of 0
        let bytes = [
            0x01, 0x62, b'a', b'b', 0x82, 0x01, 0xa1, 0x02, 0x41, 0x00, 0xd2, 0x00,
        ];
        let got = items(&bytes, 100).expect("well formed");
        assert_eq!(
            got,
            vec![
                Item::Complete(vec![0x01]),
                Item::Complete(vec![0x62, b'a', b'b']),
                Item::Complete(vec![0x82, 0x01, 0xa1, 0x02, 0x41, 0x00]),
                Item::Complete(vec![0xd2, 0x00]),
            ]
        );
    }

    #[test]
    fn skips_oversized_items_and_goes_on() {
        let mut bytes = vec![0x59, 0x01, 0x00]; // bstr of 256 bytes
        bytes.extend([7u8; 256]);
        bytes.push(0x05);
        let got = items(&bytes, 100).expect("well formed");
        assert_eq!(
            got,
            vec![Item::TooLarge { size: 259 }, Item::Complete(vec![5])]
        );
    }

    #[test]
    fn reports_truncation_and_malformed_heads() {
        assert!(matches!(
            items(&[0x82, 0x01], 100),
            Err(SequenceError::Truncated { offset: 2 })
        ));
        assert!(matches!(
            items(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 100),
            Err(SequenceError::Truncated { .. })
        ));
        assert!(matches!(
            items(&[0x9f], 100),
            Err(SequenceError::Malformed { .. })
        ));
        assert!(matches!(
            items(&[0x1c], 100),
            Err(SequenceError::Malformed { .. })
        ));
        let deep = vec![0x81u8; 40];
        assert!(matches!(
            items(&deep, 100),
            Err(SequenceError::Malformed { .. })
        ));
    }

    #[test]
    fn a_huge_array_count_ends_at_the_input() {
        let bytes = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert!(matches!(
            items(&bytes, 100),
            Err(SequenceError::Truncated { .. })
        ));
    }
}
