//! `endorsement`: support for, or objection to, any object.

use serde::{Deserialize, Serialize};

use crate::ids::ObjectId;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// Support or objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// The signer supports the target.
    Support,
    /// The signer objects to the target.
    Object,
}

/// An endorsement of (or objection to) `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The endorsed object.
    pub target: ObjectId,
    /// Support or objection.
    pub stance: Stance,
    /// Optional statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// The organisation or constituency the signer speaks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

impl Endorsement {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::optional(self.statement.as_deref(), |s| {
            v::text("statement", s, MAX_STATEMENT_BYTES)
        })?;
        v::optional(self.on_behalf_of.as_deref(), |o| {
            v::label("on_behalf_of", o, MAX_LABEL_BYTES)
        })
    }
}
