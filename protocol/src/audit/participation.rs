//! Participation balance per section — the "degree of multistakeholderism":
//! comments on the section and endorsements of its comments and drafts, by
//! stakeholder group and by region, from authors whose chain held when they
//! signed. Unattested authors are counted apart; retracted objects are left
//! out and counted apart. Per author and endorsed object only the latest
//! endorsement that is not retracted counts, as for the target.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::trust::{attribution, Trust};
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::Region;
use crate::object::SignedObject;

/// One section's participation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// Comments on the section.
    pub comments: Balance,
    /// Endorsements of the section's comments and drafts.
    pub endorsements: Balance,
}

/// Objects and distinct authors, by bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// From authors whose chain held.
    pub attested: Count,
    /// From authors whose chain did not hold (not in `by_group`/`by_region`).
    pub unattested: Count,
    /// Retracted objects (in neither count).
    pub retracted: u64,
    /// Attested, by group (`steward`, `nri`, `editor`, or a stakeholder group).
    pub by_group: BTreeMap<String, Count>,
    /// Attested NRIs and stakeholders, by UN regional group.
    pub by_region: BTreeMap<Region, Count>,
}

/// A number of objects and of their distinct authors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Objects.
    pub objects: u64,
    /// Distinct authors.
    pub authors: u64,
}

/// Objects and distinct authors of one bucket, while counting.
#[derive(Default)]
struct Bucket {
    objects: u64,
    authors: HashSet<PublicKey>,
}

impl Bucket {
    fn add(&mut self, author: PublicKey) {
        self.objects += 1;
        self.authors.insert(author);
    }

    fn count(&self) -> Count {
        Count {
            objects: self.objects,
            authors: self.authors.len() as u64,
        }
    }
}

/// Accumulates a [`Balance`].
#[derive(Default)]
struct Accumulator<'i> {
    retracted: u64,
    attested: Bucket,
    unattested: Bucket,
    groups: HashMap<Cow<'i, str>, Bucket>,
    regions: HashMap<Region, Bucket>,
}

impl<'i> Accumulator<'i> {
    fn add(&mut self, index: &'i Index, trust: &mut Trust<'_>, object: &SignedObject) {
        if index.is_retracted(&object.id()) {
            self.retracted += 1;
            return;
        }
        let author = object.author();
        let who = trust
            .of_object(object)
            .and_then(|s| attribution(index, author, &s));
        let Some(who) = who else {
            self.unattested.add(author);
            return;
        };
        self.attested.add(author);
        self.groups.entry(who.group).or_default().add(author);
        if let Some(region) = who.region {
            self.regions.entry(region).or_default().add(author);
        }
    }

    fn finish(self) -> Balance {
        Balance {
            attested: self.attested.count(),
            unattested: self.unattested.count(),
            retracted: self.retracted,
            by_group: self
                .groups
                .iter()
                .map(|(group, bucket)| (group.to_string(), bucket.count()))
                .collect(),
            by_region: self
                .regions
                .iter()
                .map(|(region, bucket)| (*region, bucket.count()))
                .collect(),
        }
    }
}

/// Participation in each section of interest.
pub(crate) fn participation(
    index: &Index,
    trust: &mut Trust<'_>,
) -> BTreeMap<String, Participation> {
    let mut out = BTreeMap::new();
    for section in &index.gathered.sections {
        let mut comments = Accumulator::default();
        let mut endorsements = Accumulator::default();
        let section_comments = index.comments_on(section);
        for object in section_comments {
            comments.add(index, trust, object);
        }
        for endorsed in section_comments.iter().chain(index.drafts_of(section)) {
            for object in counted_endorsements(index, &endorsed.id()) {
                endorsements.add(index, trust, object);
            }
        }
        out.insert(
            section.clone(),
            Participation {
                comments: comments.finish(),
                endorsements: endorsements.finish(),
            },
        );
    }
    out
}

/// The endorsements of `target` that participation counts: each author's
/// latest that is not retracted, plus every retracted one (counted apart).
fn counted_endorsements<'i>(index: &'i Index, target: &ObjectId) -> Vec<&'i SignedObject> {
    let all = index.endorsements_of(target);
    if all.is_empty() {
        return Vec::new();
    }
    let mut latest: HashMap<PublicKey, &SignedObject> = HashMap::new();
    let mut out = Vec::new();
    for object in all {
        if index.is_retracted(&object.id()) {
            out.push(object);
            continue;
        }
        let slot = latest.entry(object.author()).or_insert(object);
        if (object.created_at(), object.id()) > (slot.created_at(), slot.id()) {
            *slot = object;
        }
    }
    out.extend(latest.into_values());
    out
}
