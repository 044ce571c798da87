//! `draft`: a version of one section's text, with goals, targets and
//! indicators, and what happened to each comment.

use serde::{Deserialize, Serialize};

use crate::ids::ObjectId;
use crate::limits::*;
use crate::validate::{self as v, Checked};

/// A version of a section's draft, signed by an editor of that section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Creation time, ms since the Unix epoch.
    pub created_at: u64,
    /// The consultation.
    pub charter: ObjectId,
    /// Section slug.
    pub section: String,
    /// Version number, from 1.
    pub version: u32,
    /// The previous version (required from version 2 on, absent for version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ObjectId>,
    /// The draft text (Markdown; paragraphs may carry `{#anchor}` ids).
    pub text: String,
    /// Goals, each with targets and indicators.
    pub goals: Vec<Goal>,
    /// What happened to comments answered by this version.
    pub dispositions: Vec<Disposition>,
}

/// A goal of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Slug, unique within the draft.
    pub id: String,
    /// Goal statement.
    pub title: String,
    /// Targets that make the goal measurable.
    pub targets: Vec<Target>,
}

/// A target under a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Slug, unique within the goal.
    pub id: String,
    /// Target statement.
    pub text: String,
    /// How progress is measured.
    pub indicators: Vec<Indicator>,
}

/// An indicator measuring a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Slug, unique within the target.
    pub id: String,
    /// What is measured.
    pub text: String,
    /// Unit of measurement, if any (`percent`, `count`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The editors' answer to one comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    /// The comment.
    pub comment: ObjectId,
    /// What happened to it.
    pub outcome: Outcome,
    /// Why.
    pub rationale: String,
}

/// The outcome of a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Taken into the text.
    Incorporated,
    /// Partly taken into the text.
    Partly,
    /// Considered and not taken.
    NotIncorporated,
    /// Outside the section's scope.
    OutOfScope,
}

impl Outcome {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Incorporated => "incorporated",
            Outcome::Partly => "partly",
            Outcome::NotIncorporated => "not_incorporated",
            Outcome::OutOfScope => "out_of_scope",
        }
    }
}

impl Draft {
    pub(crate) fn validate(&self) -> Checked {
        v::timestamp("created_at", self.created_at)?;
        v::slug("section", &self.section)?;
        match (self.version, self.parent) {
            (0, _) => return Err(v::inconsistent("version", "versions start at 1")),
            (1, Some(_)) => return Err(v::inconsistent("parent", "version 1 has no parent")),
            (n, None) if n > 1 => {
                return Err(v::inconsistent(
                    "parent",
                    format!("version {n} must name its parent draft"),
                ))
            }
            _ => {}
        }
        v::text("text", &self.text, MAX_DRAFT_TEXT_BYTES)?;
        v::count("goals", self.goals.len(), 0, MAX_GOALS)?;
        for (g, goal) in self.goals.iter().enumerate() {
            let at = format!("goals[{g}]");
            v::slug(&format!("{at}.id"), &goal.id)?;
            v::text(&format!("{at}.title"), &goal.title, MAX_SUMMARY_BYTES)?;
            v::count(
                &format!("{at}.targets"),
                goal.targets.len(),
                0,
                MAX_TARGETS_PER_GOAL,
            )?;
            for (t, target) in goal.targets.iter().enumerate() {
                let at = format!("{at}.targets[{t}]");
                v::slug(&format!("{at}.id"), &target.id)?;
                v::text(&format!("{at}.text"), &target.text, MAX_SUMMARY_BYTES)?;
                v::count(
                    &format!("{at}.indicators"),
                    target.indicators.len(),
                    0,
                    MAX_INDICATORS_PER_TARGET,
                )?;
                for (i, ind) in target.indicators.iter().enumerate() {
                    let at = format!("{at}.indicators[{i}]");
                    v::slug(&format!("{at}.id"), &ind.id)?;
                    v::text(&format!("{at}.text"), &ind.text, MAX_SUMMARY_BYTES)?;
                    v::optional(ind.unit.as_deref(), |u| {
                        v::label(&format!("{at}.unit"), u, MAX_LABEL_BYTES)
                    })?;
                }
                v::distinct(
                    &format!("{at}.indicators[].id"),
                    target.indicators.iter().map(|i| i.id.as_str()),
                )?;
            }
            v::distinct(
                &format!("{at}.targets[].id"),
                goal.targets.iter().map(|t| t.id.as_str()),
            )?;
        }
        v::distinct("goals[].id", self.goals.iter().map(|g| g.id.as_str()))?;
        v::count("dispositions", self.dispositions.len(), 0, MAX_DISPOSITIONS)?;
        for (i, d) in self.dispositions.iter().enumerate() {
            v::text(
                &format!("dispositions[{i}].rationale"),
                &d.rationale,
                MAX_REASON_BYTES,
            )?;
        }
        v::distinct(
            "dispositions[].comment",
            self.dispositions.iter().map(|d| d.comment),
        )
    }
}
