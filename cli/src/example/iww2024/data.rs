//! The shape of the example's data files, `examples/source/iww-2024/*.toml`
//! at the repository root: who takes part, the charter, the comments, the
//! drafts and the release's endorsements. The files are embedded in the
//! binary (`baraza example` must work without a checkout), but the words,
//! names and dates live there, not in the source; the modules beside this
//! one only turn them into signed objects.

use anyhow::Context;
use baraza_protocol::kinds::{Kind, Outcome, Region, StakeholderGroup, Stance};
use serde::{Deserialize, Serialize};
use toml::value::Datetime;

use crate::time::parse_instant;

/// The data files, embedded at build time.
const FILES: [(&str, &str); 6] = [
    (
        "people.toml",
        include_str!("../../../../examples/source/iww-2024/people.toml"),
    ),
    (
        "charter.toml",
        include_str!("../../../../examples/source/iww-2024/charter.toml"),
    ),
    (
        "comments.toml",
        include_str!("../../../../examples/source/iww-2024/comments.toml"),
    ),
    (
        "drafts-v1.toml",
        include_str!("../../../../examples/source/iww-2024/drafts-v1.toml"),
    ),
    (
        "drafts-v2.toml",
        include_str!("../../../../examples/source/iww-2024/drafts-v2.toml"),
    ),
    (
        "endorsements.toml",
        include_str!("../../../../examples/source/iww-2024/endorsements.toml"),
    ),
];

/// Everything the example is made of.
pub(super) struct Data {
    pub(super) people: People,
    pub(super) charter: CharterData,
    pub(super) comments: CommentsData,
    /// Version 1 and version 2 of every section, in that order.
    pub(super) drafts: [DraftsData; 2],
    pub(super) endorsements: EndorsementsData,
}

impl Data {
    /// Parses the embedded files.
    pub(super) fn load() -> anyhow::Result<Data> {
        Ok(Data {
            people: parse(0)?,
            charter: parse(1)?,
            comments: parse(2)?,
            drafts: [parse(3)?, parse(4)?],
            endorsements: parse(5)?,
        })
    }
}

fn parse<T: for<'de> Deserialize<'de>>(file: usize) -> anyhow::Result<T> {
    let (name, text) = FILES[file];
    toml::from_str(text).with_context(|| format!("example data file {name}"))
}

/// An instant of the data files (a TOML offset date-time in UTC) in ms.
pub(super) fn ms(at: &Datetime) -> anyhow::Result<u64> {
    parse_instant(&at.to_string()).map_err(|e| anyhow::anyhow!("example date: {e}"))
}

/// `people.toml`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct People {
    /// Until when every attestation is valid.
    pub(super) attestations_expire: Datetime,
    pub(super) stewards: Vec<Steward>,
    pub(super) nris: Vec<Nri>,
    pub(super) editors: Vec<Editor>,
    pub(super) stakeholders: Vec<Stakeholder>,
    /// People who sign without any attestation.
    pub(super) unattested: Vec<Unattested>,
    /// What the stewards' and NRIs' self-declared profiles say.
    pub(super) profiles: ProfileTexts,
    /// The profile of the first unattested person, who claims a group.
    pub(super) guest_profile: GuestProfile,
}

/// Self-declared groups and organisations of the stewards and NRIs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileTexts {
    pub(super) steward_group: StakeholderGroup,
    pub(super) steward_organisation: String,
    pub(super) nri_group: StakeholderGroup,
}

/// A profile claiming a group, which proves nothing.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GuestProfile {
    pub(super) at: Datetime,
    pub(super) group: StakeholderGroup,
    pub(super) country: String,
    pub(super) languages: Vec<String>,
}

/// A steward of the charter.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Steward {
    pub(super) handle: String,
    pub(super) name: String,
    pub(super) country: String,
}

/// A National or Regional IGF Initiative, accredited by a steward.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Nri {
    pub(super) handle: String,
    pub(super) name: String,
    /// Absent for a regional initiative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) country: Option<String>,
    pub(super) region: Region,
    /// The handle of the steward who accredits it.
    pub(super) steward: String,
}

/// The editor of one section; their handle is `editor-<section>`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Editor {
    pub(super) section: String,
    pub(super) name: String,
    pub(super) group: StakeholderGroup,
    pub(super) country: String,
    /// The handle of the steward who appoints them.
    pub(super) steward: String,
}

/// A stakeholder, attested by an NRI of their region.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Stakeholder {
    pub(super) handle: String,
    pub(super) name: String,
    pub(super) group: StakeholderGroup,
    pub(super) organisation: String,
    pub(super) country: String,
    /// The handle of the attesting NRI (the region is the NRI's).
    pub(super) nri: String,
    pub(super) languages: Vec<String>,
}

/// Someone nobody attested.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Unattested {
    pub(super) handle: String,
    pub(super) name: String,
}

/// `charter.toml`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CharterData {
    pub(super) at: Datetime,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) languages: Vec<String>,
    pub(super) threshold: u32,
    /// What each steward's ratification says.
    pub(super) ratification: String,
    pub(super) policy: Policy,
    pub(super) sections: Vec<SectionData>,
    /// Ordered by opening time.
    pub(super) phases: Vec<PhaseData>,
}

/// The endorsement policy.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Policy {
    pub(super) min_nris: u32,
    pub(super) min_regions: u32,
    pub(super) groups: Vec<StakeholderGroup>,
}

/// A section of the charter.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SectionData {
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
}

/// A phase of the charter.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PhaseData {
    pub(super) name: String,
    pub(super) opens: Datetime,
    pub(super) closes: Datetime,
    pub(super) accepts: Vec<Kind>,
}

/// `comments.toml`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommentsData {
    /// The retraction of one comment by its author.
    pub(super) retraction: RetractionData,
    pub(super) comments: Vec<CommentData>,
    /// Comments other people supported.
    pub(super) support: Vec<Support>,
}

/// A retraction.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RetractionData {
    /// The `name` of the retracted comment.
    pub(super) comment: String,
    pub(super) at: Datetime,
    pub(super) reason: String,
}

/// One comment; its object is named `comment-<name>`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommentData {
    pub(super) name: String,
    pub(super) author: String,
    pub(super) section: String,
    pub(super) at: Datetime,
    pub(super) language: String,
    /// The comment replied to, by `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) reply_to: Option<String>,
    /// A paragraph anchor in the section's version 1 draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) anchor: Option<String>,
    pub(super) text: String,
}

/// A supporting endorsement of a comment.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Support {
    pub(super) endorser: String,
    /// The comment's `name`.
    pub(super) comment: String,
    pub(super) at: Datetime,
}

/// `drafts-v1.toml`, `drafts-v2.toml`: one version of every section.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DraftsData {
    pub(super) drafts: Vec<DraftData>,
    /// The release (in the last version's file only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) release: Option<ReleaseData>,
}

/// One version of one section's draft.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DraftData {
    pub(super) section: String,
    pub(super) at: Datetime,
    pub(super) text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) goals: Vec<GoalData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) dispositions: Vec<DispositionData>,
}

/// A goal of a draft.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GoalData {
    pub(super) id: String,
    pub(super) title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) targets: Vec<TargetData>,
}

/// A target of a goal.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TargetData {
    pub(super) id: String,
    pub(super) text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) indicators: Vec<IndicatorData>,
}

/// An indicator of a target.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorData {
    pub(super) id: String,
    pub(super) text: String,
    pub(super) unit: String,
}

/// What happened to a comment.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DispositionData {
    /// The comment's `name`.
    pub(super) comment: String,
    pub(super) outcome: Outcome,
    pub(super) rationale: String,
}

/// The release of the last drafts.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReleaseData {
    pub(super) at: Datetime,
    pub(super) label: String,
    /// Who signs it.
    pub(super) signer: String,
}

/// `endorsements.toml`: the release's endorsements.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EndorsementsData {
    /// What every NRI's endorsement says (on behalf of the NRI).
    pub(super) nri_statement: String,
    /// When the first NRI endorses; each next one five minutes later.
    pub(super) nris_from: Datetime,
    /// The NRIs that support in the `policy-not-met` variant too.
    pub(super) nris_not_met: Vec<String>,
    /// Stakeholders' and stewards' endorsements.
    pub(super) endorsements: Vec<EndorseData>,
}

/// In which variants an endorsement is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum In {
    Both,
    PolicyMet,
    PolicyNotMet,
}

/// One endorsement of the release; its object is named
/// `endorse-release-<endorser>` (plus `-<suffix>` when given).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EndorseData {
    pub(super) endorser: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) suffix: Option<String>,
    pub(super) stance: Stance,
    pub(super) at: Datetime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) statement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) on_behalf_of: Option<String>,
    pub(super) variants: In,
}
