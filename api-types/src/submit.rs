//! `POST /v1/objects`: what became of each submitted object.

use baraza_protocol::ObjectId;
use serde::{Deserialize, Serialize};

/// The body of a 200/201/202 answer: one result per object, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitResults {
    /// One entry per submitted object.
    pub results: Vec<ItemResult>,
}

/// What became of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    /// The object's id (absent for an item that did not decode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ObjectId>,
    /// The outcome.
    pub status: ItemStatus,
    /// For `pending`: the referenced ids not stored yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<ObjectId>>,
    /// For `held`: when the object will be stored (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    /// For `rejected`: the stable error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For `rejected`: what was wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For `stored` and `known`: the node's signed receipt, a C2SP signed
    /// note saying which entry of its transparency log the object is
    /// (PROTOCOL.md §14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
}

impl ItemResult {
    /// A result with this status and nothing else.
    pub fn new(id: Option<ObjectId>, status: ItemStatus) -> ItemResult {
        ItemResult {
            id,
            status,
            missing: None,
            until: None,
            error: None,
            message: None,
            receipt: None,
        }
    }

    /// The referenced ids a pending object waits for (empty otherwise).
    pub fn missing(&self) -> &[ObjectId] {
        self.missing.as_deref().unwrap_or_default()
    }
}

/// The outcome of one submitted object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Newly stored.
    Stored,
    /// Already stored before.
    Known,
    /// Waiting for objects it references.
    Pending,
    /// Dated ahead of the node's clock: stored when its time comes.
    Held,
    /// Invalid, or the store could not take it (see `error`).
    Rejected,
}

impl ItemStatus {
    /// The name used in the JSON (`stored`, `known`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Stored => "stored",
            ItemStatus::Known => "known",
            ItemStatus::Pending => "pending",
            ItemStatus::Held => "held",
            ItemStatus::Rejected => "rejected",
        }
    }
}

impl std::fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_omitted() {
        let id = ObjectId([7; 32]);
        let known = ItemResult::new(Some(id), ItemStatus::Known);
        let json = serde_json::to_value(&known).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({ "id": id.to_string(), "status": "known" })
        );
        let pending = ItemResult {
            missing: Some(vec![id]),
            ..ItemResult::new(None, ItemStatus::Pending)
        };
        let json = serde_json::to_value(&pending).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({ "status": "pending", "missing": [id.to_string()] })
        );
        let back: ItemResult = serde_json::from_value(json).expect("parses");
        assert_eq!(back, pending);
        assert_eq!(back.missing(), [id]);
    }
}
