//! The body of every error answer.

use serde::{Deserialize, Serialize};

use crate::ItemResult;

/// `{"error": code, "message": text, "item"?: index, "results"?: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable snake_case code clients can match on.
    pub error: String,
    /// What was wrong and what to do.
    #[serde(default)]
    pub message: String,
    /// Bulk only: the index of the first failing item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    /// Bulk only: every item's result, in input order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ItemResult>>,
}
