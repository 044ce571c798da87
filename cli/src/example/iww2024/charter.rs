//! The charter (`charter.toml`): "The Internet We Want", its five
//! sections, the 2024 phases, three stewards with a threshold of two, and
//! the endorsement policy a release must meet. Then its ratification.
//!
//! The phases follow the Leadership Panel's timeline (seeds:
//! `iww-process-and-timeline.txt`, `iww-open-consultation-letter.txt`):
//! the first consultation until 1 March 2024, the review of comments until
//! 1 April, working groups from 1 May to 1 October with a mid-evaluation on
//! 1 July, and the presentation at the IGF in Riyadh, 15–19 December 2024.

use anyhow::Context;
use baraza_protocol::kinds::{Charter, Endorsement, EndorsementPolicy, Phase, Section, Stance};
use baraza_protocol::Body;

use super::data::{ms, Data};
use crate::example::scenario::Scenario;

/// Signs the charter (by the first steward) and its ratification by every
/// steward, each half an hour after the previous one.
pub(super) fn charter(s: &mut Scenario, data: &Data) -> anyhow::Result<()> {
    let c = &data.charter;
    let stewards = &data.people.stewards;
    let keys = stewards
        .iter()
        .map(|st| s.key(&st.handle))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let phases = c
        .phases
        .iter()
        .map(|p| {
            Ok(Phase {
                name: p.name.clone(),
                opens: ms(&p.opens)?,
                closes: ms(&p.closes)?,
                accepts: p.accepts.clone(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let created_at = ms(&c.at)?;
    let body = Charter {
        created_at,
        title: c.title.clone(),
        summary: Some(c.summary.clone()),
        sections: c
            .sections
            .iter()
            .map(|t| Section {
                slug: t.slug.clone(),
                title: t.title.clone(),
                summary: Some(t.summary.clone()),
            })
            .collect(),
        phases,
        stewards: keys,
        threshold: c.threshold,
        policy: EndorsementPolicy {
            min_nris: c.policy.min_nris,
            min_regions: c.policy.min_regions,
            groups: c.policy.groups.clone(),
        },
        languages: c.languages.clone(),
        witness_quorum: None,
    };
    let first = stewards.first().context("the example has a steward")?;
    let charter = s.sign("charter", &first.handle, Body::Charter(body))?;
    for (i, steward) in stewards.iter().enumerate() {
        let body = Endorsement {
            created_at: created_at + (i as u64 + 1) * 30 * 60_000,
            target: charter,
            stance: Stance::Support,
            statement: Some(c.ratification.clone()),
            on_behalf_of: None,
        };
        s.sign(
            &format!("ratify-{}", steward.handle),
            &steward.handle,
            Body::Endorsement(body),
        )?;
    }
    Ok(())
}
