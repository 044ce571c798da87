//! What stakeholders said (`comments.toml`): 29 comments over the five
//! sections in ten languages, endorsements of some of them, and one
//! retraction.
//!
//! Planted on purpose, for the audit to find:
//! - three comments arrive after the consultation closed on 1 March and
//!   before the mid-evaluation opened (`late_comment`);
//! - two come from people no NRI attested (`unattested_signer`);
//! - one is retracted by its author, who re-posts it under the right
//!   section (`retracted_object`).
//!
//! The mid-evaluation comments (1–15 July) point at a paragraph of a
//! version 1 draft; they are on time, since that phase accepts comments.

use anyhow::Context;
use baraza_protocol::kinds::{Comment, Endorsement, Retraction, Stance};
use baraza_protocol::Body;

use super::data::{ms, CommentsData};
use crate::example::scenario::Scenario;

/// The comments posted after the consultation closed, outside every phase
/// that accepts comments.
#[cfg(test)]
pub(super) const LATE: [&str; 3] = ["wo-igo-de-late", "ss-gov-ke-late", "ff-youth-br-late"];

/// The comment that is retracted.
#[cfg(test)]
pub(super) const RETRACTED: &str = "ss-cs-am-retracted";

/// Signs the comments that do not point at a draft (`on_drafts == false`)
/// or those that do (`true`: call after the version 1 drafts exist).
pub(super) fn comments(
    s: &mut Scenario,
    data: &CommentsData,
    on_drafts: bool,
) -> anyhow::Result<()> {
    let charter = s.id("charter")?;
    for comment in data
        .comments
        .iter()
        .filter(|c| c.anchor.is_some() == on_drafts)
    {
        let draft = match comment.anchor {
            Some(_) => Some(s.id(&format!("draft-{}-v1", comment.section))?),
            None => None,
        };
        let in_reply_to = match &comment.reply_to {
            Some(to) => Some(s.id(&format!("comment-{to}"))?),
            None => None,
        };
        let body = Comment {
            created_at: ms(&comment.at)?,
            charter,
            section: comment.section.clone(),
            draft,
            anchor: comment.anchor.clone(),
            in_reply_to,
            language: comment.language.clone(),
            text: comment.text.clone(),
        };
        s.sign(
            &format!("comment-{}", comment.name),
            &comment.author,
            Body::Comment(body),
        )?;
    }
    Ok(())
}

/// The retraction (by the comment's author) and the endorsements of comments.
pub(super) fn reactions(s: &mut Scenario, data: &CommentsData) -> anyhow::Result<()> {
    let retraction = &data.retraction;
    let retracted = s.id(&format!("comment-{}", retraction.comment))?;
    let author = data
        .comments
        .iter()
        .find(|c| c.name == retraction.comment)
        .context("the retracted comment is in comments.toml")?;
    let body = Retraction {
        created_at: ms(&retraction.at)?,
        target: retracted,
        reason: retraction.reason.clone(),
    };
    s.sign(
        &format!("retract-{}", retraction.comment),
        &author.author,
        Body::Retraction(body),
    )?;
    for support in &data.support {
        let body = Endorsement {
            created_at: ms(&support.at)?,
            target: s.id(&format!("comment-{}", support.comment))?,
            stance: Stance::Support,
            statement: None,
            on_behalf_of: None,
        };
        s.sign(
            &format!("endorse-{}-{}", support.comment, support.endorser),
            &support.endorser,
            Body::Endorsement(body),
        )?;
    }
    Ok(())
}
