//! RFC 8742 CBOR sequences: data items written one after another, with no
//! framing between them. Used by audit bundles, bulk submissions and imports.
//!
//! Splitting walks each item's heads with the same strict [`Reader`] as
//! everything else (shortest forms, no indefinite lengths, no floats), so an
//! item's extent is known without decoding it. Nesting and collection sizes
//! are bounded as in payloads; tags are allowed (every signed object is a
//! tagged COSE_Sign1) but count towards the nesting depth.

use std::ops::Range;

use super::head::{collection_len, enter, Major, Reader};
use super::CborError;

/// Why a byte string is not a sequence of well-formed items.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SequenceError {
    /// More than the allowed number of items.
    #[error("more than {limit} items")]
    TooManyItems {
        /// The limit.
        limit: usize,
    },
    /// Item `index` (0-based) is not a well-formed item; `source` has the
    /// offset inside the whole sequence.
    #[error("item {index}: {source}")]
    Item {
        /// Position of the item in the sequence.
        index: usize,
        /// What was wrong.
        source: CborError,
    },
}

/// The byte ranges of the items of `bytes`, in order. Fails on the first
/// ill-formed item, or once more than `max_items` items are found.
pub(crate) fn split(bytes: &[u8], max_items: usize) -> Result<Vec<Range<usize>>, SequenceError> {
    match split_prefix(bytes, max_items) {
        (items, None) => Ok(items),
        (_, Some(error)) => Err(error),
    }
}

/// Splits an RFC 8742 CBOR sequence into the byte ranges of its items.
///
/// Returns every item that could be delimited before the first problem,
/// and the problem, if any: a bulk submission can still process the items
/// before a malformed one. On [`SequenceError::TooManyItems`] no ranges are
/// returned (nothing should be processed). Items are only delimited here;
/// decode each one with [`crate::SignedObject::decode`].
pub fn split_sequence(
    bytes: &[u8],
    max_items: usize,
) -> (Vec<Range<usize>>, Option<SequenceError>) {
    split_prefix(bytes, max_items)
}

fn split_prefix(bytes: &[u8], max_items: usize) -> (Vec<Range<usize>>, Option<SequenceError>) {
    let mut reader = Reader::new(bytes);
    let mut items = Vec::new();
    while reader.remaining() > 0 {
        if items.len() == max_items {
            return (
                Vec::new(),
                Some(SequenceError::TooManyItems { limit: max_items }),
            );
        }
        let start = reader.position();
        if let Err(source) = skip_item(&mut reader, 0) {
            let index = items.len();
            return (items, Some(SequenceError::Item { index, source }));
        }
        items.push(start..reader.position());
    }
    (items, None)
}

/// Advances `reader` past one data item.
fn skip_item(reader: &mut Reader<'_>, depth: usize) -> Result<(), CborError> {
    let head = reader.head()?;
    let length = |arg: u64| {
        usize::try_from(arg).map_err(|_| CborError::Truncated {
            offset: head.offset,
        })
    };
    match head.major {
        Major::Unsigned | Major::Negative | Major::Simple => Ok(()),
        Major::Bytes | Major::Text => reader.take(length(head.arg)?).map(|_| ()),
        Major::Tag => skip_item(reader, enter(depth)?),
        Major::Array | Major::Map => {
            let depth = enter(depth)?;
            let per_entry = if head.major == Major::Map { 2 } else { 1 };
            for _ in 0..collection_len(head.arg, head.offset)? * per_entry {
                skip_item(reader, depth)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_items_of_every_major_type() {
        // 1, "ab", [1, {"a": h'00'}], 18(h''), true
        let seq = [
            0x01, 0x62, b'a', b'b', 0x82, 0x01, 0xa1, 0x61, b'a', 0x41, 0x00, 0xd2, 0x40, 0xf5,
        ];
        let items = split(&seq, 10).expect("well formed");
        assert_eq!(items, vec![0..1, 1..4, 4..11, 11..13, 13..14]);
    }

    #[test]
    fn empty_input_is_an_empty_sequence() {
        assert_eq!(split(&[], 1).expect("empty"), Vec::<Range<usize>>::new());
    }

    #[test]
    fn names_the_index_of_a_truncated_or_non_canonical_item() {
        assert_eq!(
            split(&[0x01, 0x62, b'a'], 10),
            Err(SequenceError::Item {
                index: 1,
                source: CborError::Truncated { offset: 2 }
            })
        );
        assert!(matches!(
            split(&[0x01, 0x18, 0x01], 10),
            Err(SequenceError::Item {
                index: 1,
                source: CborError::NonMinimal { .. }
            })
        ));
    }

    #[test]
    fn bounds_items_depth_and_lengths() {
        assert_eq!(
            split(&[0x01, 0x02, 0x03], 2),
            Err(SequenceError::TooManyItems { limit: 2 })
        );
        assert!(matches!(
            split(&[0xd2; 64], 10),
            Err(SequenceError::Item {
                source: CborError::TooDeep { .. },
                ..
            })
        ));
        let huge = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            split(&huge, 10),
            Err(SequenceError::Item {
                source: CborError::TooManyItems { .. },
                ..
            })
        ));
    }
}
