//! The charter: "The Internet We Want", its five sections, the 2024
//! phases, three stewards with a threshold of two, and the endorsement
//! policy a release must meet. Then its ratification.
//!
//! The phases follow the Leadership Panel's timeline (seeds:
//! `iww-process-and-timeline.txt`, `iww-open-consultation-letter.txt`):
//! the first consultation until 1 March 2024, the review of comments until
//! 1 April, working groups from 1 May to 1 October with a mid-evaluation on
//! 1 July, and the presentation at the IGF in Riyadh, 15–19 December 2024.

use baraza_protocol::kinds::{
    Charter, Endorsement, EndorsementPolicy, Kind, Phase, Section, StakeholderGroup, Stance,
};
use baraza_protocol::Body;

use super::people::STEWARDS;
use crate::example::scenario::{utc, Scenario};

/// A section: slug, title, summary.
pub(super) struct SectionText {
    pub(super) slug: &'static str,
    pub(super) title: &'static str,
    pub(super) summary: &'static str,
}

/// The five sections of the IWW vision paper, in its order.
pub(super) const SECTIONS: [SectionText; 5] = [
    SectionText {
        slug: "whole-and-open",
        title: "Whole and open",
        summary: "One Internet, not a set of fragments: any network can interconnect with any \
                  other on open, interoperable standards, and regulation does not split it along \
                  national lines.",
    },
    SectionText {
        slug: "universal-and-inclusive",
        title: "Universal and inclusive",
        summary: "Meaningful, affordable connectivity for everyone, with the skills, local \
                  content and languages to use it, so that the Internet serves people everywhere.",
    },
    SectionText {
        slug: "free-flowing-and-trustworthy",
        title: "Free-flowing and trustworthy",
        summary: "Information and data flow across borders with trust: privacy and data \
                  protection, reliable information, and accountable use of data.",
    },
    SectionText {
        slug: "safe-and-secure",
        title: "Safe and secure",
        summary: "A resilient and secure Internet: protected critical infrastructure, \
                  cooperation against cybercrime and online harms, and safety by design for \
                  everyone, children especially.",
    },
    SectionText {
        slug: "rights-respecting",
        title: "Rights-respecting",
        summary: "Human rights apply online as offline: freedom of expression, access to \
                  information, privacy and non-discrimination, and governance accountable to \
                  people.",
    },
];

/// When the charter is signed.
pub(super) const CHARTER_AT: u64 = utc(2024, 1, 15, 9, 0);
/// The first consultation closes (exclusive).
pub(super) const CONSULTATION_CLOSES: u64 = utc(2024, 3, 1, 0, 0);

/// The phases, ordered by opening time. Only phases accepting `comment`
/// decide whether a comment is late; the others document the process.
fn phases() -> Vec<Phase> {
    let phase = |name: &str, opens, closes, accepts: &[Kind]| Phase {
        name: name.into(),
        opens,
        closes,
        accepts: accepts.to_vec(),
    };
    vec![
        phase(
            "consultation",
            CHARTER_AT,
            CONSULTATION_CLOSES,
            &[Kind::Comment, Kind::Endorsement],
        ),
        phase(
            "review",
            CONSULTATION_CLOSES,
            utc(2024, 4, 1, 0, 0),
            &[Kind::Draft],
        ),
        phase(
            "working-groups",
            utc(2024, 5, 1, 0, 0),
            utc(2024, 10, 1, 0, 0),
            &[Kind::Draft, Kind::Release],
        ),
        phase(
            "mid-evaluation",
            utc(2024, 7, 1, 0, 0),
            utc(2024, 7, 15, 0, 0),
            &[Kind::Comment, Kind::Endorsement],
        ),
        phase(
            "igf-2024-riyadh",
            utc(2024, 12, 15, 0, 0),
            utc(2024, 12, 20, 0, 0),
            &[Kind::Endorsement],
        ),
    ]
}

/// Signs the charter (by the first steward) and its ratification by all
/// three stewards; it is in force from the second ratification.
pub(super) fn charter(s: &mut Scenario) -> anyhow::Result<()> {
    use StakeholderGroup::*;
    let stewards = STEWARDS
        .iter()
        .map(|st| s.key(st.handle))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let body = Charter {
        created_at: CHARTER_AT,
        title: "The Internet We Want".into(),
        summary: Some(
            "The IGF Leadership Panel's vision of the Internet We Want, presented at IGF 2023 \
             in Kyoto, opened to all stakeholders for comment on its five sections, then built \
             out by five working groups into measurable goals, targets and indicators for \
             presentation at IGF 2024 in Riyadh."
                .into(),
        ),
        sections: SECTIONS
            .iter()
            .map(|t| Section {
                slug: t.slug.into(),
                title: t.title.into(),
                summary: Some(t.summary.into()),
            })
            .collect(),
        phases: phases(),
        stewards,
        threshold: 2,
        policy: EndorsementPolicy {
            min_nris: 5,
            min_regions: 5,
            groups: vec![
                Government,
                PrivateSector,
                CivilSociety,
                TechnicalCommunity,
                Academia,
                Intergovernmental,
                Youth,
            ],
        },
        languages: ["en", "fr", "es", "ar", "ru", "zh"]
            .map(str::to_owned)
            .to_vec(),
    };
    let charter = s.sign("charter", STEWARDS[0].handle, Body::Charter(body))?;
    for (i, steward) in STEWARDS.iter().enumerate() {
        let body = Endorsement {
            created_at: CHARTER_AT + (i as u64 + 1) * 30 * 60_000,
            target: charter,
            stance: Stance::Support,
            statement: Some("Ratified on behalf of the IGF Leadership Panel.".into()),
            on_behalf_of: None,
        };
        s.sign(
            &format!("ratify-{}", steward.handle),
            steward.handle,
            Body::Endorsement(body),
        )?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) fn dump_data() -> super::data::CharterData {
    use super::data::*;
    use StakeholderGroup::*;
    let dt = |ms: u64| -> toml::value::Datetime { crate::time::iso8601_utc(ms).replace(".000Z", "Z").parse().expect("dt") };
    CharterData {
        at: dt(CHARTER_AT),
        title: "The Internet We Want".into(),
        summary: "The IGF Leadership Panel's vision of the Internet We Want, presented at IGF 2023 \
             in Kyoto, opened to all stakeholders for comment on its five sections, then built \
             out by five working groups into measurable goals, targets and indicators for \
             presentation at IGF 2024 in Riyadh.".into(),
        languages: ["en", "fr", "es", "ar", "ru", "zh"].map(str::to_owned).to_vec(),
        threshold: 2,
        ratification: "Ratified on behalf of the IGF Leadership Panel.".into(),
        policy: Policy { min_nris: 5, min_regions: 5, groups: vec![Government, PrivateSector, CivilSociety, TechnicalCommunity, Academia, Intergovernmental, Youth] },
        sections: SECTIONS.iter().map(|t| SectionData { slug: t.slug.into(), title: t.title.into(), summary: t.summary.into() }).collect(),
        phases: phases().into_iter().map(|p| PhaseData { name: p.name, opens: dt(p.opens), closes: dt(p.closes), accepts: p.accepts }).collect(),
    }
}
