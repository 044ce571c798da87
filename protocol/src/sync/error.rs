//! Why a sync message is refused.

/// A sync message that breaks the wire format or a limit. Every variant is the
/// peer's fault: the session should end and the peer be penalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The encoded message is larger than [`crate::limits::MAX_SYNC_MESSAGE_BYTES`].
    #[error("sync message of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Size of the message.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// More ranges than [`crate::limits::MAX_SYNC_RANGES`].
    #[error("sync message has more than {limit} ranges")]
    TooManyRanges {
        /// The limit.
        limit: usize,
    },
    /// More ids than [`crate::limits::MAX_SYNC_IDS`].
    #[error("sync message has more than {limit} ids")]
    TooManyIds {
        /// The limit.
        limit: usize,
    },
    /// The input ends inside a range.
    #[error("sync message truncated at byte {offset}")]
    Truncated {
        /// Where more input was needed.
        offset: usize,
    },
    /// A varint that is not minimal or does not fit 64 bits.
    #[error("bad varint at byte {offset}")]
    BadVarint {
        /// Where the varint starts.
        offset: usize,
    },
    /// A range header byte that names no mode.
    #[error("unknown range header {header:#04x} at byte {offset}")]
    BadHeader {
        /// Where the header is.
        offset: usize,
        /// The header byte.
        header: u8,
    },
    /// A bound's id prefix that is longer than 32 bytes or ends in a zero byte.
    #[error("bad bound id prefix at byte {offset}")]
    BadPrefix {
        /// Where the prefix length is.
        offset: usize,
    },
    /// A bound timestamp that overflows 64 bits.
    #[error("bound timestamp overflows at byte {offset}")]
    TimestampOverflow {
        /// Where the timestamp delta is.
        offset: usize,
    },
    /// A range whose upper bound is not above the previous range's.
    #[error("range {index} does not end above the range before it")]
    BoundsNotIncreasing {
        /// Index of the range in the message.
        index: usize,
    },
}
