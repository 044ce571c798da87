//! `comment`: a stakeholder's words on a section, a draft paragraph, or another comment.

use serde::{Deserialize, Serialize};

use crate::ids::ObjectId;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// A comment on a section of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The consultation.
    pub charter: ObjectId,
    /// Section slug.
    pub section: String,
    /// The draft commented on, if the comment is about a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<ObjectId>,
    /// Paragraph anchor inside `draft`, a slug (requires `draft`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// The comment this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<ObjectId>,
    /// Language of `text` (BCP 47).
    pub language: String,
    /// The comment itself.
    pub text: String,
}

impl Comment {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::slug("section", &self.section)?;
        if self.anchor.is_some() && self.draft.is_none() {
            return Err(v::inconsistent(
                "anchor",
                "a paragraph anchor needs a draft",
            ));
        }
        v::optional(self.anchor.as_deref(), |a| v::slug("anchor", a))?;
        v::language("language", &self.language)?;
        v::text("text", &self.text, MAX_COMMENT_BYTES)
    }
}
