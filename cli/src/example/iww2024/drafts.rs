//! The working groups' drafts (`drafts-v1.toml`, `drafts-v2.toml`): per
//! section a version 1 at the end of the review (late March) and a version
//! 2 at the end of the working groups (late September), with goals, targets
//! and indicators, and what happened to each comment. Then the release of
//! the five version 2 drafts.

use anyhow::Context;
use baraza_protocol::kinds::{Disposition, Draft, Goal, Indicator, Release, ReleaseDraft, Target};
use baraza_protocol::Body;

use super::data::{ms, Data, DraftsData, GoalData};
use super::people::editor_handle;
use crate::example::scenario::Scenario;

/// Signs version `version` (1 or 2) of every section's draft, each by the
/// section's editor. Version 2 names version 1 as its parent.
pub(super) fn drafts(s: &mut Scenario, texts: &DraftsData, version: u32) -> anyhow::Result<()> {
    let charter = s.id("charter")?;
    for draft in &texts.drafts {
        let parent = match version {
            1 => None,
            _ => Some(s.id(&format!("draft-{}-v{}", draft.section, version - 1))?),
        };
        let dispositions = draft
            .dispositions
            .iter()
            .map(|d| {
                Ok(Disposition {
                    comment: s.id(&format!("comment-{}", d.comment))?,
                    outcome: d.outcome,
                    rationale: d.rationale.clone(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let body = Draft {
            created_at: ms(&draft.at)?,
            charter,
            section: draft.section.clone(),
            version,
            parent,
            text: draft.text.clone(),
            goals: draft.goals.iter().map(goal).collect(),
            dispositions,
        };
        s.sign(
            &format!("draft-{}-v{version}", draft.section),
            &editor_handle(&draft.section),
            Body::Draft(body),
        )?;
    }
    Ok(())
}

fn goal(g: &GoalData) -> Goal {
    Goal {
        id: g.id.clone(),
        title: g.title.clone(),
        targets: g
            .targets
            .iter()
            .map(|t| Target {
                id: t.id.clone(),
                text: t.text.clone(),
                indicators: t
                    .indicators
                    .iter()
                    .map(|i| Indicator {
                        id: i.id.clone(),
                        text: i.text.clone(),
                        unit: Some(i.unit.clone()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The release: the version 2 draft of every section.
pub(super) fn release(s: &mut Scenario, data: &Data) -> anyhow::Result<()> {
    let release = data.drafts[1]
        .release
        .as_ref()
        .context("drafts-v2.toml names the release")?;
    let body = Release {
        created_at: ms(&release.at)?,
        charter: s.id("charter")?,
        label: release.label.clone(),
        drafts: data
            .charter
            .sections
            .iter()
            .map(|section| {
                Ok(ReleaseDraft {
                    section: section.slug.clone(),
                    draft: s.id(&format!("draft-{}-v2", section.slug))?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
    };
    s.sign("release", &release.signer, Body::Release(body))?;
    Ok(())
}
