//! `GET /healthz`.

use serde::{Deserialize, Serialize};

/// `{"status": "ok", "objects": N}` or `{"status": "error", "message": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Health {
    /// The store answers a read.
    Ok {
        /// Stored objects.
        objects: u64,
    },
    /// The store does not answer.
    Error {
        /// Why.
        message: String,
    },
}
