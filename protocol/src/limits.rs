//! Named hard limits of the protocol.
//!
//! Every limit here is part of the public contract (`docs/PROTOCOL.md` lists
//! them by these names). They are checked before any expensive work: the
//! object size before parsing, nesting depth and collection lengths while
//! scanning the CBOR, and text lengths before the signature is verified.

/// Largest encoded signed object, in bytes (256 KiB).
pub const MAX_OBJECT_BYTES: usize = 256 * 1024;
/// Deepest nesting of arrays and maps inside a payload (the payload's root map is depth 1).
pub const MAX_DEPTH: usize = 8;
/// Most items in any single CBOR array or map inside a payload.
pub const MAX_COLLECTION_ITEMS: usize = 4096;

/// Earliest accepted `created_at` and other timestamps: 2020-01-01T00:00:00Z, in ms.
pub const MIN_TIMESTAMP_MS: u64 = 1_577_836_800_000;
/// Latest accepted timestamp: 3000-01-01T00:00:00Z, in ms.
pub const MAX_TIMESTAMP_MS: u64 = 32_503_680_000_000;

/// Longest slug (section slugs, phase names, goal/target/indicator ids), in bytes.
pub const MAX_SLUG_BYTES: usize = 64;
/// Longest language tag (BCP 47), in bytes.
pub const MAX_LANGUAGE_TAG_BYTES: usize = 35;
/// Longest single-line label: titles, display names, organisations, release labels.
pub const MAX_LABEL_BYTES: usize = 256;
/// Longest summary or short free text (charter and section summaries, goal text).
pub const MAX_SUMMARY_BYTES: usize = 4096;
/// Longest comment text.
pub const MAX_COMMENT_BYTES: usize = 16 * 1024;
/// Longest endorsement statement.
pub const MAX_STATEMENT_BYTES: usize = 4096;
/// Longest reason (retractions, revocations) or disposition rationale.
pub const MAX_REASON_BYTES: usize = 2048;
/// Longest draft body text.
pub const MAX_DRAFT_TEXT_BYTES: usize = 128 * 1024;

/// Most sections in a charter.
pub const MAX_SECTIONS: usize = 32;
/// Most phases in a charter.
pub const MAX_PHASES: usize = 16;
/// Most stewards in a charter.
pub const MAX_STEWARDS: usize = 64;
/// Largest `witness_quorum` a charter may name.
pub const MAX_WITNESS_QUORUM: u32 = 64;
/// The witness quorum when a charter names none.
pub const DEFAULT_WITNESS_QUORUM: u32 = 1;
/// How long after a phase closes an object may be first witnessed and
/// still count as on time: a checkpoint is signed at least every minute and
/// witnesses are retried with back-off, so 10 minutes (PROTOCOL.md §14).
pub const WITNESS_GRACE_MS: u64 = 10 * 60 * 1000;
/// How much earlier than its witnessed time an object may claim to be
/// created before the audit reports it as `backdated`: 24 hours, so that
/// signing offline and submitting the next day is not flagged.
pub const BACKDATE_TOLERANCE_MS: u64 = 24 * 60 * 60 * 1000;
/// Most checkpoints (log proofs) an audit bundle may carry.
pub const MAX_BUNDLE_PROOFS: usize = 4096;
/// Most languages in a charter or profile.
pub const MAX_LANGUAGES: usize = 16;
/// Most stakeholder groups named by an endorsement policy.
pub const MAX_POLICY_GROUPS: usize = 16;
/// Most kinds a phase accepts.
pub const MAX_PHASE_ACCEPTS: usize = 4;
/// Most goals in a draft.
pub const MAX_GOALS: usize = 32;
/// Most targets under one goal.
pub const MAX_TARGETS_PER_GOAL: usize = 32;
/// Most indicators under one target.
pub const MAX_INDICATORS_PER_TARGET: usize = 16;
/// Most comment dispositions in one draft.
pub const MAX_DISPOSITIONS: usize = 2048;
/// Most drafts a release lists (one per section, so at most [`MAX_SECTIONS`]).
pub const MAX_RELEASE_DRAFTS: usize = MAX_SECTIONS;

/// Largest audit bundle, in bytes (256 MiB): a consultation of about 300,000
/// typical comments. Checked before a bundle is split.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;
/// Most signed objects in one audit bundle.
pub const MAX_BUNDLE_OBJECTS: usize = 1 << 20;
/// How far an object's `created_at` may lie after the auditor's clock
/// (`as_of`) before the audit reports it as future-dated (5 minutes).
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// Most endorsement/retraction hops the audit follows from its target to an
/// object naming a charter (an endorsement of a retraction of an endorsement of …).
pub const MAX_TARGET_HOPS: usize = 16;

/// Largest encoded sync message (`/baraza/sync/1`), in bytes (1 MiB). Checked
/// before a message is decoded; a reconciler never builds a larger one.
pub const MAX_SYNC_MESSAGE_BYTES: usize = 1024 * 1024;
/// Most ranges in one sync message.
pub const MAX_SYNC_RANGES: usize = 65_536;
/// Most object ids in one sync message, over all of its ranges.
pub const MAX_SYNC_IDS: usize = 32_768;
/// Largest `/baraza/sync/1` frame (a request or a response, after its
/// 4-byte length prefix), in bytes (4 MiB). A reader refuses a longer
/// length before reading the frame.
pub const MAX_SYNC_FRAME_BYTES: usize = 4 * 1024 * 1024;
/// Most object ids in one fetch request, and most objects in its answer.
pub const MAX_FETCH_IDS: usize = 256;
