//! Version 1 of each section: the review's summary of the first
//! consultation (25–28 March 2024), with a first goal and what happened to
//! every comment received so far — including the late ones, which the
//! editors pass on to the working groups.

use baraza_protocol::kinds::Outcome::*;

use super::drafts::{DraftText, GoalText, TargetText};
use crate::example::scenario::utc;

pub(super) const DRAFTS: [DraftText; 5] = [
    DraftText {
        section: "whole-and-open",
        at: utc(2024, 3, 25, 10, 0),
        text: "# Whole and open {#title}\n\n\
               The Internet is one network of networks. It stays whole when any network can \
               interconnect with any other on open, interoperable standards, and when neither \
               technology, regulation nor commerce splits it apart. {#vision}\n\n\
               ## Goal 1: a technically whole Internet {#goal-1}\n\n\
               The consultation asked us to tell technical, regulatory and commercial \
               fragmentation apart, and to measure interconnection where it happens: locally.\n\n\
               ### Target 1.1 {#target-1-1}\n\n\
               By 2030, IPv6 is deployed by most networks in every region.\n\n\
               ### Target 1.2 {#target-1-2}\n\n\
               By 2030, every country has at least one neutral Internet exchange point.\n",
        goals: &[GoalText {
            id: "goal-1",
            title: "Keep the Internet technically whole and interoperable.",
            targets: &[
                TargetText {
                    id: "target-1-1",
                    text: "By 2030, IPv6 is deployed by most networks in every region.",
                    indicators: &[(
                        "ipv6-networks",
                        "Share of networks announcing IPv6 prefixes, by region",
                        "percent",
                    )],
                },
                TargetText {
                    id: "target-1-2",
                    text: "By 2030, every country has at least one neutral Internet exchange \
                           point.",
                    indicators: &[(
                        "ixp-countries",
                        "Countries with an operational neutral Internet exchange point",
                        "countries",
                    )],
                },
            ],
        }],
        dispositions: &[
            (
                "wo-tc-br",
                Incorporated,
                "IPv6 and local interconnection are targets 1.1 and 1.2.",
            ),
            (
                "wo-gov-ke",
                Partly,
                "Regulatory fragmentation is named in the vision; a target is left to the \
                 working group.",
            ),
            (
                "wo-ac-de",
                Incorporated,
                "The three kinds of fragmentation structure the section.",
            ),
            (
                "wo-tc-br-reply",
                Incorporated,
                "Local traffic exchange is measured through target 1.2.",
            ),
            (
                "wo-igo-de-late",
                NotIncorporated,
                "Received after the consultation closed on 1 March; passed to the working \
                 group.",
            ),
        ],
    },
    DraftText {
        section: "universal-and-inclusive",
        at: utc(2024, 3, 26, 10, 0),
        text: "# Universal and inclusive {#title}\n\n\
               Everyone, everywhere, can use the Internet meaningfully: affordable access, the \
               skills to use it, content in their languages, and services that work for persons \
               with disabilities. {#vision}\n\n\
               ## Goal 1: meaningful and affordable connectivity {#goal-1}\n\n\
               ### Target 1.1 {#target-1-1}\n\n\
               By 2030, one gigabyte of mobile data costs less than 2% of average monthly income \
               in every country.\n\n\
               ### Target 1.2 {#target-1-2}\n\n\
               By 2030, every community has a public access point: a library, a school or a \
               community centre.\n",
        goals: &[GoalText {
            id: "goal-1",
            title: "Meaningful and affordable connectivity for everyone.",
            targets: &[
                TargetText {
                    id: "target-1-1",
                    text: "By 2030, one gigabyte of mobile data costs less than 2% of average \
                           monthly income in every country.",
                    indicators: &[(
                        "data-price",
                        "Price of 1 GB of mobile data as a share of monthly income per capita",
                        "percent",
                    )],
                },
                TargetText {
                    id: "target-1-2",
                    text: "By 2030, every community has a public Internet access point.",
                    indicators: &[(
                        "public-access",
                        "Share of communities with a public Internet access point",
                        "percent",
                    )],
                },
            ],
        }],
        dispositions: &[
            (
                "ui-cs-ke",
                Incorporated,
                "The 2% affordability threshold is target 1.1.",
            ),
            (
                "ui-youth-bd",
                Partly,
                "Local-language content is in the vision; skills are left to the working group.",
            ),
            (
                "ui-guest-pierre",
                Partly,
                "Accessibility is in the vision; a measurable target is left to the working \
                 group.",
            ),
            (
                "ui-other-ws",
                Incorporated,
                "Public access points, libraries included, are target 1.2.",
            ),
            (
                "ui-youth-br",
                Partly,
                "Youth participation is in the vision; a target is left to the working group.",
            ),
        ],
    },
    DraftText {
        section: "free-flowing-and-trustworthy",
        at: utc(2024, 3, 27, 10, 0),
        text: "# Free-flowing and trustworthy {#title}\n\n\
               Data and information flow across borders, and people can trust what happens to \
               their data on the way. {#vision}\n\n\
               ## Goal 1: data flows across borders with trust {#goal-1}\n\n\
               ### Target 1.1 {#target-1-1}\n\n\
               By 2030, every country has a data protection law and an independent authority \
               to enforce it. The indicators come from existing international statistics.\n",
        goals: &[GoalText {
            id: "goal-1",
            title: "Data flows across borders with trust.",
            targets: &[TargetText {
                id: "target-1-1",
                text: "By 2030, every country has a data protection law and an independent \
                       authority to enforce it.",
                indicators: &[
                    (
                        "dp-law",
                        "Countries with a comprehensive data protection law",
                        "countries",
                    ),
                    (
                        "dp-authority",
                        "Countries with an independent data protection authority",
                        "countries",
                    ),
                ],
            }],
        }],
        dispositions: &[
            (
                "ff-ps-sa",
                Partly,
                "Cross-border flows with trust are goal 1; mutual recognition is left to the \
                 working group.",
            ),
            (
                "ff-tc-sg",
                Incorporated,
                "The coverage of data protection law is indicator dp-law.",
            ),
            (
                "ff-cs-ke",
                OutOfScope,
                "Public-interest media belongs to rights-respecting; passed to that working \
                 group.",
            ),
            (
                "ff-igo-de",
                Incorporated,
                "Both indicators come from existing international statistics.",
            ),
        ],
    },
    DraftText {
        section: "safe-and-secure",
        at: utc(2024, 3, 27, 15, 0),
        text: "# Safe and secure {#title}\n\n\
               A resilient Internet whose infrastructure is protected, where incidents are \
               handled quickly and together, and where safety never becomes a pretext for \
               surveillance. {#vision}\n\n\
               ## Goal 1: resilient infrastructure and incident response {#goal-1}\n\n\
               ### Target 1.1 {#target-1-1}\n\n\
               By 2030, every country has a national CSIRT with round-the-clock incident \
               response.\n",
        goals: &[GoalText {
            id: "goal-1",
            title: "Resilient infrastructure and incident response.",
            targets: &[TargetText {
                id: "target-1-1",
                text: "By 2030, every country has a national CSIRT with round-the-clock \
                       incident response.",
                indicators: &[(
                    "csirt",
                    "Countries with a national CSIRT operating around the clock",
                    "countries",
                )],
            }],
        }],
        dispositions: &[
            (
                "ss-parl-am",
                Partly,
                "Rights-respecting cybersecurity law is in the vision; a target is left to the \
                 working group.",
            ),
            ("ss-ps-ng", Incorporated, "Target 1.1."),
            (
                "ss-youth-bd",
                Partly,
                "Safety without surveillance is in the vision; a measure is left to the \
                 working group.",
            ),
            (
                "ss-gov-ke-late",
                NotIncorporated,
                "Received after the consultation closed on 1 March; passed to the working \
                 group.",
            ),
            (
                "ss-cs-am-retracted",
                OutOfScope,
                "Withdrawn by its author and re-posted under rights-respecting.",
            ),
        ],
    },
    DraftText {
        section: "rights-respecting",
        at: utc(2024, 3, 28, 10, 0),
        text: "# Rights-respecting {#title}\n\n\
               Human rights apply online as they do offline: freedom of expression, access to \
               information, privacy and non-discrimination. Companies respect them too, as the \
               UN Guiding Principles on Business and Human Rights set out. {#vision}\n\n\
               ## Goal 1: human rights online as offline {#goal-1}\n\n\
               ### Target 1.1 {#target-1-1}\n\n\
               Internet shutdowns decline every year.\n",
        goals: &[GoalText {
            id: "goal-1",
            title: "Human rights online as offline.",
            targets: &[TargetText {
                id: "target-1-1",
                text: "Internet shutdowns decline every year.",
                indicators: &[(
                    "shutdowns",
                    "Internet shutdowns recorded per year",
                    "shutdowns",
                )],
            }],
        }],
        dispositions: &[
            (
                "rr-cs-am",
                Incorporated,
                "Target 1.1 on shutdowns; freedom of expression is in the vision.",
            ),
            (
                "rr-igo-de",
                Incorporated,
                "The UN Guiding Principles are referenced in the vision.",
            ),
            (
                "rr-ps-sa",
                Partly,
                "Privacy is in the vision; government services are left to the working group.",
            ),
            (
                "rr-other-ws",
                Incorporated,
                "Access to public information is in the vision.",
            ),
        ],
    },
];
