//! A page of a cursor-paged listing.

use serde::{Deserialize, Serialize};

/// `{"objects": [...], "next": cursor | null}`; `next` is null on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T = serde_json::Value> {
    /// The objects, in their JSON form (docs/PROTOCOL.md §9), oldest first.
    pub objects: Vec<T>,
    /// Pass as `after` for the next page; `None` (null) on the last page.
    #[serde(default)]
    pub next: Option<String>,
}
