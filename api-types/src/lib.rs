//! The JSON shapes of a baraza node's HTTP API, as `docs/openapi.yaml`
//! describes them: the node serialises these types, and the CLI and the
//! test harness deserialise the same ones, so a field renamed on one side
//! cannot silently go missing on the other.
//!
//! Only serde types live here (no HTTP client, no server): optional fields
//! are omitted when absent, exactly as the spec says.

mod error;
mod health;
mod log;
mod page;
mod peers;
mod submit;

pub use error::ErrorBody;
pub use health::Health;
pub use log::{
    ConsistencyProof, CosignatureInfo, EquivocationInfo, Equivocations, InclusionProof, LogEntries,
    LogEntryInfo, LogInfo,
};
pub use page::Page;
pub use peers::{
    Dialling, IndexStatus, P2pStatus, PeerRequest, PeerStatus, SessionStatus, SyncReport,
};
pub use submit::{ItemResult, ItemStatus, SubmitResults};

/// Header of `GET /v1/export`: the event log's head when the page was served.
pub const HEAD_SEQ_HEADER: &str = "x-baraza-head-seq";
/// Header of `GET /v1/export`: the position of the page's last object.
pub const LAST_SEQ_HEADER: &str = "x-baraza-last-seq";
