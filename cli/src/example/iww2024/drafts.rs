//! The working groups' drafts: per section a version 1 at the end of the
//! review (late March) and a version 2 at the end of the working groups
//! (late September), with goals, targets and indicators, and what happened
//! to each comment. Then the release of the five version 2 drafts.
//!
//! The texts are in `drafts_v1.rs` and `drafts_v2.rs`; this file turns
//! them into signed objects.

use baraza_protocol::kinds::{
    Disposition, Draft, Goal, Indicator, Outcome, Release, ReleaseDraft, Target,
};
use baraza_protocol::Body;

use super::charter::SECTIONS;
use super::people::{editor_handle, STEWARDS};
use super::{drafts_v1, drafts_v2};
use crate::example::scenario::{utc, Scenario};

/// One version of one section's draft.
pub(super) struct DraftText {
    pub(super) section: &'static str,
    pub(super) at: u64,
    pub(super) text: &'static str,
    pub(super) goals: &'static [GoalText],
    /// (comment name, outcome, rationale).
    pub(super) dispositions: &'static [(&'static str, Outcome, &'static str)],
}

pub(super) struct GoalText {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) targets: &'static [TargetText],
}

pub(super) struct TargetText {
    pub(super) id: &'static str,
    pub(super) text: &'static str,
    /// (id, what is measured, unit).
    pub(super) indicators: &'static [(&'static str, &'static str, &'static str)],
}

/// When the release is signed: the day before the working groups' deadline.
const RELEASE_AT: u64 = utc(2024, 9, 30, 12, 0);

/// Signs version `version` (1 or 2) of every section's draft, each by the
/// section's editor. Version 2 names version 1 as its parent.
pub(super) fn drafts(s: &mut Scenario, version: u32) -> anyhow::Result<()> {
    let texts: &[DraftText] = if version == 1 {
        &drafts_v1::DRAFTS
    } else {
        &drafts_v2::DRAFTS
    };
    let charter = s.id("charter")?;
    for draft in texts {
        let parent = match version {
            1 => None,
            _ => Some(s.id(&format!("draft-{}-v{}", draft.section, version - 1))?),
        };
        let dispositions = draft
            .dispositions
            .iter()
            .map(|(comment, outcome, rationale)| {
                Ok(Disposition {
                    comment: s.id(&format!("comment-{comment}"))?,
                    outcome: *outcome,
                    rationale: (*rationale).into(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let body = Draft {
            created_at: draft.at,
            charter,
            section: draft.section.into(),
            version,
            parent,
            text: draft.text.into(),
            goals: draft.goals.iter().map(goal).collect(),
            dispositions,
        };
        s.sign(
            &format!("draft-{}-v{version}", draft.section),
            &editor_handle(draft.section),
            Body::Draft(body),
        )?;
    }
    Ok(())
}

fn goal(g: &GoalText) -> Goal {
    Goal {
        id: g.id.into(),
        title: g.title.into(),
        targets: g
            .targets
            .iter()
            .map(|t| Target {
                id: t.id.into(),
                text: t.text.into(),
                indicators: t
                    .indicators
                    .iter()
                    .map(|(id, text, unit)| Indicator {
                        id: (*id).into(),
                        text: (*text).into(),
                        unit: Some((*unit).into()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The release: the version 2 draft of every section, signed by the first
/// steward on behalf of the Leadership Panel.
pub(super) fn release(s: &mut Scenario) -> anyhow::Result<()> {
    let body = Release {
        created_at: RELEASE_AT,
        charter: s.id("charter")?,
        label: "The Internet We Want: framework for IGF 2024, Riyadh".into(),
        drafts: SECTIONS
            .iter()
            .map(|section| {
                Ok(ReleaseDraft {
                    section: section.slug.into(),
                    draft: s.id(&format!("draft-{}-v2", section.slug))?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
    };
    s.sign("release", STEWARDS[0].handle, Body::Release(body))?;
    Ok(())
}
