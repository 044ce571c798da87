//! Comment coverage: what happened to each comment a draft had to answer.
//!
//! For a draft: every comment on its section (same charter) created before
//! it, with the disposition from this draft or the nearest ancestor that
//! disposes it, or `not_addressed`. For a release: the same for each of its
//! drafts, plus totals. For a comment: its own status, from the draft of
//! its section with the highest version that disposes it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::index::Index;
use crate::ids::ObjectId;
use crate::kinds::{Body, Outcome};

/// A comment's status in a coverage table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Taken into the text.
    Incorporated,
    /// Partly taken into the text.
    Partly,
    /// Considered and not taken.
    NotIncorporated,
    /// Outside the section's scope.
    OutOfScope,
    /// No draft of the chain disposes it.
    NotAddressed,
}

impl From<Outcome> for CoverageStatus {
    fn from(outcome: Outcome) -> CoverageStatus {
        match outcome {
            Outcome::Incorporated => CoverageStatus::Incorporated,
            Outcome::Partly => CoverageStatus::Partly,
            Outcome::NotIncorporated => CoverageStatus::NotIncorporated,
            Outcome::OutOfScope => CoverageStatus::OutOfScope,
        }
    }
}

/// What the report says about comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Per section the target covers (a draft's, or each of a release's).
    pub sections: BTreeMap<String, SectionCoverage>,
    /// Comments by status, over all sections.
    pub totals: BTreeMap<CoverageStatus, u64>,
    /// Retracted comments, over all sections (included in `totals`).
    pub retracted: u64,
    /// For a comment target: its own status.
    pub comment: Option<CommentCoverage>,
}

/// One section's draft and the comments it had to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionCoverage {
    /// The draft.
    pub draft: ObjectId,
    /// Its version.
    pub version: u32,
    /// Every comment on the section created before the draft, by (created_at, id).
    pub comments: Vec<CoverageEntry>,
    /// Comments by status.
    pub totals: BTreeMap<CoverageStatus, u64>,
    /// Retracted comments (included in `totals`).
    pub retracted: u64,
}

/// One comment in a coverage table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageEntry {
    /// The comment.
    pub comment: ObjectId,
    /// Its `created_at`.
    pub created_at: u64,
    /// Its disposition, or `not_addressed`.
    pub status: CoverageStatus,
    /// The draft that disposed it.
    pub disposed_in: Option<ObjectId>,
    /// That draft's version.
    pub version: Option<u32>,
    /// Whether its author retracted it.
    pub retracted: bool,
}

/// A comment target's own status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentCoverage {
    /// The comment.
    pub comment: ObjectId,
    /// Its status in the newest draft of its section that disposes it.
    pub status: CoverageStatus,
    /// That draft.
    pub disposed_in: Option<ObjectId>,
    /// That draft's version.
    pub version: Option<u32>,
    /// Whether its author retracted it.
    pub retracted: bool,
    /// Every disposition of it, by (version, draft).
    pub dispositions: Vec<DispositionRef>,
}

/// One draft's disposition of a comment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DispositionRef {
    /// The draft's version.
    pub version: u32,
    /// The draft.
    pub draft: ObjectId,
    /// The outcome.
    pub outcome: CoverageStatus,
}

/// Coverage for the object the target stands on, when it is a release, a
/// draft or a comment of the charter.
pub(crate) fn coverage(index: &Index) -> Option<Coverage> {
    let subject = index.gathered.path.last().and_then(|id| index.object(id))?;
    let mut out = Coverage {
        sections: BTreeMap::new(),
        totals: BTreeMap::new(),
        retracted: 0,
        comment: None,
    };
    match subject.body() {
        Body::Release(r) => {
            for entry in &r.drafts {
                if let Some(section) = section_coverage(index, &entry.draft) {
                    out.sections.insert(entry.section.clone(), section);
                }
            }
        }
        Body::Draft(d) => {
            if let Some(section) = section_coverage(index, &subject.id()) {
                out.sections.insert(d.section.clone(), section);
            }
        }
        Body::Comment(_) => out.comment = Some(comment_coverage(index, subject.id())),
        _ => return None,
    }
    for section in out.sections.values() {
        for (status, n) in &section.totals {
            *out.totals.entry(*status).or_default() += n;
        }
        out.retracted += section.retracted;
    }
    Some(out)
}

/// Coverage of draft `id`'s section.
fn section_coverage(index: &Index, id: &ObjectId) -> Option<SectionCoverage> {
    let draft = index.draft(id)?;
    let mut disposed: HashMap<ObjectId, (Outcome, ObjectId, u32)> = HashMap::new();
    let mut seen = BTreeSet::new();
    let mut next = Some(*id);
    while let Some(current) = next.filter(|c| seen.insert(*c)) {
        let Some(d) = index.draft(&current) else {
            break;
        };
        for disposition in &d.dispositions {
            disposed.entry(disposition.comment).or_insert((
                disposition.outcome,
                current,
                d.version,
            ));
        }
        next = d.parent;
    }
    let mut out = SectionCoverage {
        draft: *id,
        version: draft.version,
        comments: Vec::new(),
        totals: BTreeMap::new(),
        retracted: 0,
    };
    for object in index.comments_on(&draft.section) {
        let comment = &object.id();
        if object.created_at() >= draft.created_at {
            // Sorted by created_at: the rest are newer still.
            break;
        }
        let found = disposed.get(comment);
        let status = found.map_or(CoverageStatus::NotAddressed, |(o, _, _)| (*o).into());
        let retracted = index.is_retracted(comment);
        *out.totals.entry(status).or_default() += 1;
        out.retracted += u64::from(retracted);
        out.comments.push(CoverageEntry {
            comment: *comment,
            created_at: object.created_at(),
            status,
            disposed_in: found.map(|(_, d, _)| *d),
            version: found.map(|(_, _, v)| *v),
            retracted,
        });
    }
    Some(out)
}

/// A comment's own status across the drafts of its section.
fn comment_coverage(index: &Index, id: ObjectId) -> CommentCoverage {
    let mut dispositions = Vec::new();
    // (version, created_at, reversed id): the newest disposing draft ranks highest.
    type Rank = (u32, u64, std::cmp::Reverse<ObjectId>);
    let mut newest: Option<(Rank, DispositionRef)> = None;
    let section = index.comment(&id).map(|c| c.section.as_str()).unwrap_or("");
    for object in index.drafts_of(section) {
        let draft_id = &object.id();
        let Body::Draft(draft) = object.body() else {
            continue;
        };
        if let Some(d) = draft.dispositions.iter().find(|d| d.comment == id) {
            let entry = DispositionRef {
                version: draft.version,
                draft: *draft_id,
                outcome: d.outcome.into(),
            };
            let rank = (
                draft.version,
                draft.created_at,
                std::cmp::Reverse(*draft_id),
            );
            if newest.as_ref().is_none_or(|(best, _)| rank > *best) {
                newest = Some((rank, entry.clone()));
            }
            dispositions.push(entry);
        }
    }
    dispositions.sort();
    let newest = newest.map(|(_, d)| d);
    CommentCoverage {
        comment: id,
        status: newest
            .as_ref()
            .map_or(CoverageStatus::NotAddressed, |d| d.outcome),
        disposed_in: newest.as_ref().map(|d| d.draft),
        version: newest.as_ref().map(|d| d.version),
        retracted: index.is_retracted(&id),
        dispositions,
    }
}
