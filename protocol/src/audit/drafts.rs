//! Version chains of section drafts, and equivocation between them.
//!
//! A chain starts at a draft the target stands on (the draft itself, or
//! each draft of a release) and follows `parent` links back to version 1.
//! Each step records whether its signer was an editor of the section when
//! it signed. Gaps, foreign parents and missing parents are reported by the
//! reference checks; here a chain is simply `complete` when it reaches a
//! version 1 draft through drafts that are all present.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::anomalies::Anomaly;
use super::index::Index;
use super::trust::Trust;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::Body;

/// One section's chain of drafts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChain {
    /// The section.
    pub section: String,
    /// The newest draft (the one the target names).
    pub head: ObjectId,
    /// Whether the chain reaches version 1 with every parent present.
    pub complete: bool,
    /// The drafts from `head` back to version 1, by decreasing version.
    pub versions: Vec<VersionStep>,
}

/// One draft of a version chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionStep {
    /// The draft.
    pub draft: ObjectId,
    /// Its version number.
    pub version: u32,
    /// Its `created_at`.
    pub created_at: u64,
    /// Who signed it.
    pub editor: PublicKey,
    /// Whether the signer was an editor of the section when signing.
    pub editor_held: bool,
    /// How many comment dispositions it carries.
    pub dispositions: u64,
}

/// The drafts the target stands on: the draft itself, or a release's drafts.
pub(crate) fn heads(index: &Index) -> Vec<ObjectId> {
    let Some(subject) = index.gathered.path.last().and_then(|id| index.object(id)) else {
        return Vec::new();
    };
    let mut heads: Vec<ObjectId> = match subject.body() {
        Body::Draft(_) => vec![subject.id()],
        Body::Release(r) => r.drafts.iter().map(|d| d.draft).collect(),
        _ => Vec::new(),
    };
    heads.sort_unstable();
    heads.dedup();
    heads
}

/// The version chain from `head`, or `None` when `head` is not a present draft.
pub(crate) fn version_chain(
    index: &Index,
    trust: &mut Trust<'_>,
    head: ObjectId,
) -> Option<VersionChain> {
    let section = index.draft(&head)?.section.clone();
    let mut versions = Vec::new();
    let mut seen = BTreeSet::new();
    let mut next = Some(head);
    let mut complete = false;
    while let Some(id) = next.filter(|id| seen.insert(*id)) {
        let (Some(object), Some(draft)) = (index.object(&id), index.draft(&id)) else {
            break;
        };
        let editor_held = trust.of_object(object).is_some_and(|s| s.held());
        versions.push(VersionStep {
            draft: id,
            version: draft.version,
            created_at: draft.created_at,
            editor: object.author(),
            editor_held,
            dispositions: draft.dispositions.len() as u64,
        });
        complete = draft.version == 1;
        next = draft.parent;
    }
    Some(VersionChain {
        section,
        head,
        complete,
        versions,
    })
}

/// One editor, same charter, section and version, several draft ids.
pub(crate) fn equivocations(index: &Index, out: &mut BTreeSet<Anomaly>) {
    let mut by_slot: BTreeMap<(PublicKey, &str, u32), Vec<ObjectId>> = BTreeMap::new();
    for (section, drafts) in &index.drafts {
        for object in drafts {
            if let Body::Draft(draft) = object.body() {
                by_slot
                    .entry((object.author(), section.as_str(), draft.version))
                    .or_default()
                    .push(object.id());
            }
        }
    }
    for ((editor, section, version), mut drafts) in by_slot {
        if drafts.len() > 1 {
            drafts.sort_unstable();
            out.insert(Anomaly::Equivocation {
                editor,
                section: section.to_owned(),
                version,
                drafts,
            });
        }
    }
}
