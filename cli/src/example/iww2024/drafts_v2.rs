//! Version 2 of each section: the working groups' result (16–24 September
//! 2024), after the mid-evaluation. Each answers the comments that came
//! after version 1 and revisits some earlier outcomes (the newest
//! disposition of a comment is the one that counts).
//!
//! One comment is deliberately left unanswered: the unattested one on
//! rights-respecting, which the audit's coverage shows as `not_addressed`.

use baraza_protocol::kinds::Outcome::*;

use super::drafts::{DraftText, GoalText, TargetText};
use crate::example::scenario::utc;

pub(super) const DRAFTS: [DraftText; 5] = [
    DraftText {
        section: "whole-and-open",
        at: utc(2024, 9, 16, 10, 0),
        text: "# Whole and open {#title}\n\n\
               The Internet is one network of networks. It stays whole when any network can \
               interconnect with any other on open, interoperable standards, and when neither \
               technology, regulation nor commerce splits it apart. {#vision}\n\n\
               ## Goal 1: a technically whole Internet {#goal-1}\n\n\
               Interconnection is measured where it happens, and IPv6 by the traffic it \
               carries, not only by the networks able to carry it.\n\n\
               ## Goal 2: no fragmentation by regulation {#goal-2}\n\n\
               Governments weigh the cross-border effects of Internet regulation before \
               adopting it, building on the interoperability work intergovernmental \
               organisations already do.\n",
        goals: &[
            GoalText {
                id: "goal-1",
                title: "Keep the Internet technically whole and interoperable.",
                targets: &[
                    TargetText {
                        id: "target-1-1",
                        text: "By 2030, at least half of the traffic in every region is \
                               exchanged over IPv6.",
                        indicators: &[
                            (
                                "ipv6-traffic",
                                "Share of IPv6 traffic at major exchange points, by region",
                                "percent",
                            ),
                            (
                                "ipv6-networks",
                                "Share of networks announcing IPv6 prefixes, by region",
                                "percent",
                            ),
                        ],
                    },
                    TargetText {
                        id: "target-1-2",
                        text: "By 2030, every country has at least one neutral Internet \
                               exchange point.",
                        indicators: &[(
                            "ixp-countries",
                            "Countries with an operational neutral Internet exchange point",
                            "countries",
                        )],
                    },
                ],
            },
            GoalText {
                id: "goal-2",
                title: "Prevent fragmentation by regulation.",
                targets: &[TargetText {
                    id: "target-2-1",
                    text: "By 2027, governments assess the cross-border impact of new Internet \
                           regulation before adopting it.",
                    indicators: &[(
                        "impact-assessment",
                        "Countries with a published procedure for assessing the cross-border \
                         impact of Internet regulation",
                        "countries",
                    )],
                }],
            },
        ],
        dispositions: &[
            (
                "wo-ps-ng-mid",
                Incorporated,
                "Target 1.1 now measures IPv6 traffic as well as deployment.",
            ),
            ("wo-gov-ke", Incorporated, "Target 2.1."),
            (
                "wo-igo-de-late",
                Partly,
                "Goal 2 builds on existing interoperability work; mapping that work is left to \
                 the IGF Secretariat.",
            ),
        ],
    },
    DraftText {
        section: "universal-and-inclusive",
        at: utc(2024, 9, 18, 10, 0),
        text: "# Universal and inclusive {#title}\n\n\
               Everyone, everywhere, can use the Internet meaningfully: affordable access, the \
               skills to use it, content in their languages, and services that work for persons \
               with disabilities. {#vision}\n\n\
               ## Goal 1: meaningful and affordable connectivity {#goal-1}\n\n\
               ## Goal 2: skills, content and participation {#goal-2}\n\n\
               Young people take part in shaping the Internet, starting with the national and \
               regional IGFs.\n",
        goals: &[
            GoalText {
                id: "goal-1",
                title: "Meaningful and affordable connectivity for everyone.",
                targets: &[
                    TargetText {
                        id: "target-1-1",
                        text: "By 2030, one gigabyte of mobile data costs less than 2% of \
                               average monthly income in every country.",
                        indicators: &[(
                            "data-price",
                            "Price of 1 GB of mobile data as a share of monthly income per \
                             capita",
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
            },
            GoalText {
                id: "goal-2",
                title: "Skills, content and participation.",
                targets: &[
                    TargetText {
                        id: "target-2-1",
                        text: "By 2030, the share of young people with basic digital skills \
                               doubles.",
                        indicators: &[(
                            "youth-skills",
                            "Share of people aged 15 to 24 with basic digital skills",
                            "percent",
                        )],
                    },
                    TargetText {
                        id: "target-2-2",
                        text: "Every NRI has young people on its organising committee.",
                        indicators: &[(
                            "nri-youth",
                            "Share of NRIs with youth on the organising committee",
                            "percent",
                        )],
                    },
                    TargetText {
                        id: "target-2-3",
                        text: "Web content in local languages grows every year.",
                        indicators: &[(
                            "language-content",
                            "Languages with more than 100,000 indexed web pages",
                            "languages",
                        )],
                    },
                    TargetText {
                        id: "target-2-4",
                        text: "By 2030, public web services meet accessibility standards.",
                        indicators: &[(
                            "accessible-services",
                            "Share of government websites meeting WCAG 2.1 level AA",
                            "percent",
                        )],
                    },
                ],
            },
        ],
        dispositions: &[
            (
                "ui-gov-ke-mid",
                Incorporated,
                "Target 1.1 keeps the 2% threshold.",
            ),
            ("ui-youth-bd", Incorporated, "Targets 2.1 and 2.3."),
            ("ui-youth-br", Incorporated, "Target 2.2."),
            ("ui-guest-pierre", Incorporated, "Target 2.4."),
        ],
    },
    DraftText {
        section: "free-flowing-and-trustworthy",
        at: utc(2024, 9, 20, 10, 0),
        text: "# Free-flowing and trustworthy {#title}\n\n\
               Data and information flow across borders, and people can trust what happens to \
               their data on the way. {#vision}\n\n\
               ## Goal 1: data flows across borders with trust {#goal-1}\n\n\
               ## Goal 2: transparency of algorithms and data use {#goal-2}\n",
        goals: &[
            GoalText {
                id: "goal-1",
                title: "Data flows across borders with trust.",
                targets: &[
                    TargetText {
                        id: "target-1-1",
                        text: "By 2030, every country has a data protection law and an \
                               independent authority to enforce it.",
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
                    },
                    TargetText {
                        id: "target-1-2",
                        text: "By 2028, mechanisms for the mutual recognition of data \
                               protection frameworks cover every region.",
                        indicators: &[(
                            "recognition",
                            "UN regional groups covered by a mutual-recognition mechanism",
                            "regions",
                        )],
                    },
                ],
            },
            GoalText {
                id: "goal-2",
                title: "Transparency of algorithms and data use.",
                targets: &[TargetText {
                    id: "target-2-1",
                    text: "Very large platforms publish how their recommendation systems use \
                           personal data.",
                    indicators: &[(
                        "recommender-reports",
                        "Share of very large platforms publishing recommender transparency \
                         reports",
                        "percent",
                    )],
                }],
            },
        ],
        dispositions: &[
            ("ff-ps-sa", Incorporated, "Target 1.2."),
            (
                "ff-youth-br-late",
                Partly,
                "Target 2.1 covers recommender transparency; training data for AI is left to \
                 the 2025 cycle.",
            ),
        ],
    },
    DraftText {
        section: "safe-and-secure",
        at: utc(2024, 9, 22, 10, 0),
        text: "# Safe and secure {#title}\n\n\
               A resilient Internet whose infrastructure is protected, where incidents are \
               handled quickly and together, and where safety never becomes a pretext for \
               surveillance. {#vision}\n\n\
               ## Goal 1: resilient infrastructure and incident response {#goal-1}\n\n\
               ## Goal 2: safety by design {#goal-2}\n",
        goals: &[
            GoalText {
                id: "goal-1",
                title: "Resilient infrastructure and incident response.",
                targets: &[
                    TargetText {
                        id: "target-1-1",
                        text: "By 2030, every country has a national CSIRT with \
                               round-the-clock incident response (baseline year: 2024).",
                        indicators: &[(
                            "csirt",
                            "Countries with a national CSIRT operating around the clock",
                            "countries",
                        )],
                    },
                    TargetText {
                        id: "target-1-2",
                        text: "Submarine cables and their landing stations are covered by \
                               national critical-infrastructure plans.",
                        indicators: &[(
                            "cable-plans",
                            "Coastal countries whose critical-infrastructure plan covers \
                             cables and landing stations",
                            "countries",
                        )],
                    },
                ],
            },
            GoalText {
                id: "goal-2",
                title: "Safety by design, without general monitoring.",
                targets: &[TargetText {
                    id: "target-2-1",
                    text: "Services used by children publish child-safety risk assessments, \
                           without general monitoring of their users.",
                    indicators: &[(
                        "risk-assessments",
                        "Share of the most used children's services publishing a risk \
                         assessment",
                        "percent",
                    )],
                }],
            },
        ],
        dispositions: &[
            (
                "ss-ac-de-mid",
                Incorporated,
                "Target 1.1 has 2024 as its baseline year.",
            ),
            ("ss-gov-ke-late", Incorporated, "Target 1.2."),
            ("ss-youth-bd", Incorporated, "Target 2.1."),
            (
                "ss-parl-am",
                Partly,
                "Target 2.1 excludes general monitoring; model legislation is left to \
                 parliamentary networks.",
            ),
        ],
    },
    DraftText {
        section: "rights-respecting",
        at: utc(2024, 9, 24, 10, 0),
        text: "# Rights-respecting {#title}\n\n\
               Human rights apply online as they do offline: freedom of expression, access to \
               information, privacy and non-discrimination. Companies respect them too, as the \
               UN Guiding Principles on Business and Human Rights set out. {#vision}\n\n\
               ## Goal 1: human rights online as offline {#goal-1}\n\n\
               ## Goal 2: access to information {#goal-2}\n",
        goals: &[
            GoalText {
                id: "goal-1",
                title: "Human rights online as offline.",
                targets: &[
                    TargetText {
                        id: "target-1-1",
                        text: "Internet shutdowns decline every year, in every region.",
                        indicators: &[(
                            "shutdowns-by-country",
                            "Internet shutdowns recorded per year, by country",
                            "shutdowns",
                        )],
                    },
                    TargetText {
                        id: "target-1-2",
                        text: "Public digital services publish how they use personal data.",
                        indicators: &[(
                            "public-privacy-notices",
                            "Share of government digital services with a published privacy \
                             notice",
                            "percent",
                        )],
                    },
                ],
            },
            GoalText {
                id: "goal-2",
                title: "Access to information held by public bodies.",
                targets: &[TargetText {
                    id: "target-2-1",
                    text: "By 2030, every country has a right-to-information law.",
                    indicators: &[(
                        "rti-law",
                        "Countries with a right-to-information law",
                        "countries",
                    )],
                }],
            },
        ],
        dispositions: &[
            (
                "rr-cs-ke-mid",
                Incorporated,
                "Indicator shutdowns-by-country.",
            ),
            ("rr-ps-sa", Incorporated, "Target 1.2."),
        ],
    },
];
