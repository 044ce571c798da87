//! Endorsements of the release at IGF 2024 in Riyadh, 15–19 December
//! (`endorsements.toml`), which decide whether the charter's policy is met:
//! at least 5 NRIs, all 5 UN regional groups, and a supporting stakeholder
//! from each of seven groups.
//!
//! - `policy-met`: the three stewards, all seven NRIs and eleven
//!   stakeholders support. One private-sector stakeholder objects, then
//!   changes to support (only the latest counts); one civil-society
//!   stakeholder keeps an objection; an unattested guest's support is not
//!   counted.
//! - `policy-not-met`: the same consultation, but only NRIs and
//!   stakeholders of three regions support (no Eastern European or Latin
//!   American and Caribbean support) and the youth stakeholder who takes
//!   part objects, so no youth stakeholder supports it.

use baraza_protocol::kinds::{Endorsement, Stance};
use baraza_protocol::Body;

use super::data::{ms, Data, In};
use super::Variant;
use crate::example::scenario::Scenario;

impl In {
    fn includes(self, variant: Variant) -> bool {
        match self {
            In::Both => true,
            In::PolicyMet => variant == Variant::PolicyMet,
            In::PolicyNotMet => variant == Variant::PolicyNotMet,
        }
    }
}

/// One endorsement to sign.
struct Endorse<'d> {
    name: String,
    endorser: &'d str,
    body: Endorsement,
}

/// Signs the release's endorsements for `variant`: every NRI's (five
/// minutes apart, on behalf of the NRI), then the others in file order.
pub(super) fn endorse_release(
    s: &mut Scenario,
    data: &Data,
    variant: Variant,
) -> anyhow::Result<()> {
    let release = s.id("release")?;
    let e = &data.endorsements;
    let nris_from = ms(&e.nris_from)?;
    let mut all: Vec<Endorse<'_>> = Vec::new();
    for (i, nri) in data.people.nris.iter().enumerate() {
        if variant == Variant::PolicyNotMet && !e.nris_not_met.contains(&nri.handle) {
            continue;
        }
        all.push(Endorse {
            name: format!("endorse-release-{}", nri.handle),
            endorser: &nri.handle,
            body: Endorsement {
                created_at: nris_from + 5 * 60_000 * i as u64,
                target: release,
                stance: Stance::Support,
                statement: Some(e.nri_statement.clone()),
                on_behalf_of: Some(nri.name.clone()),
            },
        });
    }
    for x in e
        .endorsements
        .iter()
        .filter(|x| x.variants.includes(variant))
    {
        all.push(Endorse {
            name: match &x.suffix {
                None => format!("endorse-release-{}", x.endorser),
                Some(suffix) => format!("endorse-release-{}-{suffix}", x.endorser),
            },
            endorser: &x.endorser,
            body: Endorsement {
                created_at: ms(&x.at)?,
                target: release,
                stance: x.stance,
                statement: x.statement.clone(),
                on_behalf_of: x.on_behalf_of.clone(),
            },
        });
    }
    for e in all {
        s.sign(&e.name, e.endorser, Body::Endorsement(e.body))?;
    }
    Ok(())
}
