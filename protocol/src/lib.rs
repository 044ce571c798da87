//! # baraza-protocol
//!
//! The pure core of baraza: the signed objects that NRIs, stakeholders and
//! editors exchange, and the rules every node and auditor applies to them.
//! No IO, no clocks, no async: bytes in, verdicts out.
//!
//! - [`SignedObject`]: a COSE_Sign1 message (RFC 9052) signed with Ed25519,
//!   its body in deterministic CBOR (RFC 8949 §4.2.1), its id the SHA-256 of
//!   its encoding. Decoding accepts exactly one encoding per object.
//! - [`Body`] and the kinds in [`kinds`]: charter, profile, attestation,
//!   comment, endorsement, draft, release, retraction, revocation.
//! - [`limits`]: the named hard limits.
//! - [`verify_batch`]: many signatures at once.
//!
//! The wire format is specified in `docs/PROTOCOL.md`; vectors in
//! `protocol/tests/vectors/` are checked against this crate by its tests.

#![warn(missing_docs)]

pub mod audit;
mod batch;
mod cbor;
pub mod cose;
mod error;
mod identity;
mod ids;
pub mod kinds;
pub mod limits;
mod object;
mod signature;
pub mod sync;
pub mod time;
pub mod tlog;
mod validate;

pub use batch::{decode_batch, verify_batch, BATCH_CHUNK};
pub use cbor::{split_sequence, CborError, SequenceError};
pub use error::{ObjectError, Part};
pub use identity::Keypair;
pub use ids::{ObjectId, ParseIdError, PublicKey, DID_KEY_PREFIX, SHORT_ID_HEX_DIGITS};
pub use kinds::{Body, Kind, UnknownKind, KINDS};
pub use object::{SignedObject, UnverifiedObject};
pub use validate::ValidationError;
