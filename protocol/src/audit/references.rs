//! Checks on the references between gathered objects: dangling ids,
//! objects dated after something that references them, and references that
//! resolve to the wrong kind, charter or section.

use std::collections::BTreeSet;

use super::anomalies::{Anomaly, ReferenceProblem};
use super::index::Index;
use crate::ids::ObjectId;
use crate::kinds::Body;
use crate::limits::MAX_CLOCK_SKEW_MS;

/// A referenced id the source lacks, once per referencing object.
pub(crate) fn dangling(index: &Index, out: &mut BTreeSet<Anomaly>) {
    for (missing, referrers) in &index.gathered.missing {
        for object in referrers {
            out.insert(Anomaly::DanglingReference {
                object: *object,
                missing: *missing,
            });
        }
    }
}

/// Objects dated after an object that references them; with `as_of`, any
/// object dated after `as_of + MAX_CLOCK_SKEW_MS`.
pub(crate) fn future_dated(index: &Index, as_of: Option<u64>, out: &mut BTreeSet<Anomaly>) {
    let horizon = as_of.map(|t| t.saturating_add(MAX_CLOCK_SKEW_MS));
    for (id, object) in &index.gathered.objects {
        let at = object.created_at();
        for reference in object.body().references() {
            if let Some(referenced) = index.object(&reference) {
                if referenced.created_at() > at {
                    out.insert(Anomaly::FutureDated {
                        object: reference,
                        created_at: referenced.created_at(),
                        referrer: Some(*id),
                        limit: at,
                    });
                }
            }
        }
        if let Some(limit) = horizon.filter(|&h| at > h) {
            out.insert(Anomaly::FutureDated {
                object: *id,
                created_at: at,
                referrer: None,
                limit,
            });
        }
    }
}

/// References of the charter's comments, drafts, releases and editor
/// attestations that resolve to the wrong kind, charter or section.
pub(crate) fn consistency(index: &Index, out: &mut BTreeSet<Anomaly>) {
    let Some((charter_id, charter)) = &index.charter else {
        return;
    };
    let known = |slug: &str| charter.section(slug).is_some();
    let mut flag = |object: ObjectId, reference: ObjectId, problem: ReferenceProblem| {
        out.insert(Anomaly::InconsistentReference {
            object,
            reference,
            problem,
        });
    };
    for (id, object) in &index.gathered.objects {
        let id = *id;
        match object.body() {
            Body::Comment(c) if c.charter == *charter_id => {
                if !known(&c.section) {
                    flag(id, *charter_id, ReferenceProblem::UnknownSection);
                }
                if let Some(draft) = c.draft {
                    if let Some(problem) = draft_problem(index, &draft, *charter_id, &c.section) {
                        flag(id, draft, problem);
                    }
                }
                if let Some(parent) = c.in_reply_to {
                    match index.object(&parent).map(|o| o.body()) {
                        Some(Body::Comment(p)) if p.charter != *charter_id => {
                            flag(id, parent, ReferenceProblem::OtherCharter)
                        }
                        Some(Body::Comment(_)) | None => {}
                        Some(_) => flag(id, parent, ReferenceProblem::WrongKind),
                    }
                }
            }
            Body::Draft(d) if d.charter == *charter_id => {
                if !known(&d.section) {
                    flag(id, *charter_id, ReferenceProblem::UnknownSection);
                }
                if let Some(parent) = d.parent {
                    match draft_problem(index, &parent, *charter_id, &d.section) {
                        Some(problem) => flag(id, parent, problem),
                        None => {
                            let parent_version = index.draft(&parent).map(|p| p.version);
                            if parent_version.and_then(|v| v.checked_add(1)) != Some(d.version) {
                                flag(id, parent, ReferenceProblem::VersionGap);
                            }
                        }
                    }
                }
                for disposition in &d.dispositions {
                    match index.object(&disposition.comment).map(|o| o.body()) {
                        Some(Body::Comment(c)) if c.charter != *charter_id => {
                            flag(id, disposition.comment, ReferenceProblem::OtherCharter)
                        }
                        Some(Body::Comment(_)) | None => {}
                        Some(_) => flag(id, disposition.comment, ReferenceProblem::WrongKind),
                    }
                }
            }
            Body::Release(r) if r.charter == *charter_id => {
                for entry in &r.drafts {
                    if !known(&entry.section) {
                        flag(id, *charter_id, ReferenceProblem::UnknownSection);
                    }
                    if let Some(problem) =
                        draft_problem(index, &entry.draft, *charter_id, &entry.section)
                    {
                        flag(id, entry.draft, problem);
                    }
                }
            }
            Body::Attestation(a)
                if a.charter == *charter_id && a.section.as_deref().is_some_and(|s| !known(s)) =>
            {
                flag(id, *charter_id, ReferenceProblem::UnknownSection);
            }
            _ => {}
        }
    }
}

/// What is wrong with `id` as a draft of `charter` and `section` (nothing
/// when it is missing: that is a dangling reference).
fn draft_problem(
    index: &Index,
    id: &ObjectId,
    charter: ObjectId,
    section: &str,
) -> Option<ReferenceProblem> {
    match index.object(id).map(|o| o.body()) {
        None => None,
        Some(Body::Draft(d)) if d.charter != charter => Some(ReferenceProblem::OtherCharter),
        Some(Body::Draft(d)) if d.section != section => Some(ReferenceProblem::OtherSection),
        Some(Body::Draft(_)) => None,
        Some(_) => Some(ReferenceProblem::WrongKind),
    }
}
