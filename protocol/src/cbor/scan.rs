//! A strict scanner for payload CBOR: proves that bytes are well formed and
//! deterministic (RFC 8949 §4.2.1) before any typed decoding allocates.
//!
//! It enforces, in one pass and without allocation: shortest-form heads, no
//! indefinite lengths, no floats, no tags, only the simple values `false` and
//! `true`, valid UTF-8 text, text-string map keys in strictly increasing
//! bytewise order (so no duplicates), the nesting limit and the collection limit.

use super::head::{collection_len, enter, Major, Reader};
use super::CborError;

/// Scans exactly one data item spanning all of `bytes`.
pub(crate) fn scan_payload(bytes: &[u8]) -> Result<(), CborError> {
    let mut reader = Reader::new(bytes);
    scan_item(&mut reader, 0)?;
    if reader.remaining() != 0 {
        return Err(CborError::Trailing {
            extra: reader.remaining(),
        });
    }
    Ok(())
}

fn scan_item(reader: &mut Reader<'_>, depth: usize) -> Result<(), CborError> {
    let head = reader.head()?;
    match head.major {
        Major::Unsigned | Major::Negative => Ok(()),
        Major::Bytes => {
            let len = usize::try_from(head.arg).map_err(|_| CborError::Truncated {
                offset: head.offset,
            })?;
            reader.take(len).map(|_| ())
        }
        Major::Text => {
            let len = usize::try_from(head.arg).map_err(|_| CborError::Truncated {
                offset: head.offset,
            })?;
            let raw = reader.take(len)?;
            std::str::from_utf8(raw)
                .map(|_| ())
                .map_err(|_| CborError::InvalidUtf8 {
                    offset: head.offset,
                })
        }
        Major::Array => {
            let depth = enter(depth)?;
            for _ in 0..collection_len(head.arg, head.offset)? {
                scan_item(reader, depth)?;
            }
            Ok(())
        }
        Major::Map => {
            let depth = enter(depth)?;
            let mut previous: Option<&[u8]> = None;
            for _ in 0..collection_len(head.arg, head.offset)? {
                let key_start = reader.position();
                let key = reader.text("a text map key").map_err(|e| match e {
                    CborError::Unexpected { offset, .. } => CborError::KeyNotText { offset },
                    other => other,
                })?;
                let encoded = reader.since(key_start);
                if let Some(prev) = previous {
                    match prev.cmp(encoded) {
                        std::cmp::Ordering::Less => {}
                        std::cmp::Ordering::Equal => {
                            return Err(CborError::DuplicateKey {
                                offset: key_start,
                                key: key.to_owned(),
                            })
                        }
                        std::cmp::Ordering::Greater => {
                            return Err(CborError::UnsortedKeys {
                                offset: key_start,
                                key: key.to_owned(),
                            })
                        }
                    }
                }
                previous = Some(encoded);
                scan_item(reader, depth)?;
            }
            Ok(())
        }
        Major::Tag => Err(CborError::TagNotAllowed {
            offset: head.offset,
            tag: head.arg,
        }),
        Major::Simple => match head.arg {
            20 | 21 => Ok(()),
            value => Err(CborError::SimpleNotAllowed {
                offset: head.offset,
                value,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_sorted_map() {
        // {"a": 1, "b": [true, h'00']}
        scan_payload(&[0xa2, 0x61, b'a', 0x01, 0x61, b'b', 0x82, 0xf5, 0x41, 0x00]).expect("valid");
    }

    #[test]
    fn rejects_unsorted_and_duplicate_keys() {
        let unsorted = [0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x01];
        assert!(matches!(
            scan_payload(&unsorted),
            Err(CborError::UnsortedKeys { .. })
        ));
        let dup = [0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02];
        assert!(matches!(
            scan_payload(&dup),
            Err(CborError::DuplicateKey { .. })
        ));
        // Length-first: "b" sorts before "aa".
        let length_first = [0xa2, 0x61, b'b', 0x01, 0x62, b'a', b'a', 0x01];
        scan_payload(&length_first).expect("shorter key first is canonical");
        let longer_first = [0xa2, 0x62, b'a', b'a', 0x01, 0x61, b'b', 0x01];
        assert!(matches!(
            scan_payload(&longer_first),
            Err(CborError::UnsortedKeys { .. })
        ));
    }

    #[test]
    fn rejects_deep_nesting_without_recursing_forever() {
        let deep = vec![0x81u8; 10_000];
        assert!(matches!(
            scan_payload(&deep),
            Err(CborError::TooDeep { .. })
        ));
    }

    #[test]
    fn rejects_tags_nulls_non_text_keys_and_trailing_bytes() {
        assert!(matches!(
            scan_payload(&[0xc1, 0x00]),
            Err(CborError::TagNotAllowed { .. })
        ));
        assert!(matches!(
            scan_payload(&[0xf6]),
            Err(CborError::SimpleNotAllowed { .. })
        ));
        assert!(matches!(
            scan_payload(&[0xa1, 0x01, 0x01]),
            Err(CborError::KeyNotText { .. })
        ));
        assert!(matches!(
            scan_payload(&[0x01, 0x01]),
            Err(CborError::Trailing { extra: 1 })
        ));
        assert!(matches!(
            scan_payload(&[0x62, 0xff, 0xfe]),
            Err(CborError::InvalidUtf8 { .. })
        ));
    }

    #[test]
    fn rejects_huge_declared_lengths_without_allocating() {
        let huge = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            scan_payload(&huge),
            Err(CborError::TooManyItems { .. })
        ));
        let huge_text = [0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            scan_payload(&huge_text),
            Err(CborError::Truncated { .. })
        ));
    }
}
