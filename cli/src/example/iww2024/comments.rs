//! What stakeholders said: 29 comments over the five sections in ten
//! languages, endorsements of some of them, and one retraction.
//!
//! Planted on purpose, for the audit to find:
//! - three comments arrive after the consultation closed on 1 March and
//!   before the mid-evaluation opened (`late_comment`);
//! - two come from people no NRI attested (`unattested_signer`);
//! - one is retracted by its author, who re-posts it under the right
//!   section (`retracted_object`).
//!
//! The mid-evaluation comments (1–15 July) point at a paragraph of a
//! version 1 draft; they are on time, since that phase accepts comments.

use baraza_protocol::kinds::{Comment, Endorsement, Retraction, Stance};
use baraza_protocol::Body;

use crate::example::scenario::{utc, Scenario};

/// One comment. Its object is named `comment-<name>`.
pub(super) struct CommentText {
    pub(super) name: &'static str,
    pub(super) author: &'static str,
    pub(super) section: &'static str,
    pub(super) at: u64,
    pub(super) language: &'static str,
    pub(super) text: &'static str,
    /// The comment replied to, by `name`.
    pub(super) reply_to: Option<&'static str>,
    /// A paragraph anchor in the section's version 1 draft.
    pub(super) anchor: Option<&'static str>,
}

const fn c(
    name: &'static str,
    author: &'static str,
    section: &'static str,
    at: u64,
    language: &'static str,
    text: &'static str,
) -> CommentText {
    CommentText {
        name,
        author,
        section,
        at,
        language,
        text,
        reply_to: None,
        anchor: None,
    }
}

const fn reply(to: &'static str, comment: CommentText) -> CommentText {
    CommentText {
        reply_to: Some(to),
        ..comment
    }
}

const fn on_draft(anchor: &'static str, comment: CommentText) -> CommentText {
    CommentText {
        anchor: Some(anchor),
        ..comment
    }
}

const WO: &str = "whole-and-open";
const UI: &str = "universal-and-inclusive";
const FF: &str = "free-flowing-and-trustworthy";
const SS: &str = "safe-and-secure";
const RR: &str = "rights-respecting";

/// The comment that is retracted.
pub(super) const RETRACTED: &str = "ss-cs-am-retracted";
/// The comments posted after the consultation closed, outside every phase
/// that accepts comments.
#[cfg(test)]
pub(super) const LATE: [&str; 3] = ["wo-igo-de-late", "ss-gov-ke-late", "ff-youth-br-late"];

pub(super) const COMMENTS: [CommentText; 29] = [
    c("wo-tc-br", "tc-br", WO, utc(2024, 1, 24, 10, 0), "en",
      "The framework should name the building blocks that keep the Internet whole: open \
       standards developed in open processes, IPv6 deployment, and interconnection at local \
       exchange points. Fragmentation starts where networks can no longer interconnect."),
    c("wo-gov-ke", "gov-ke", WO, utc(2024, 2, 2, 8, 30), "en",
      "Governments need guidance on how national regulation can avoid fragmenting the network. \
       We propose a target on assessing the cross-border impact of new Internet regulation \
       before it is adopted."),
    c("wo-ac-de", "ac-de", WO, utc(2024, 2, 12, 14, 0), "de",
      "Der Abschnitt sollte zwischen technischer, regulatorischer und kommerzieller \
       Fragmentierung unterscheiden; nur so lassen sich messbare Ziele festlegen."),
    reply("wo-ac-de", c("wo-tc-br-reply", "tc-br", WO, utc(2024, 2, 14, 11, 15), "pt",
      "Concordo com a distinção proposta. Sugiro medir a fragmentação técnica pela proporção \
       do tráfego nacional trocado em pontos de troca de tráfego locais.")),
    c("wo-igo-de-late", "igo-de", WO, utc(2024, 3, 4, 9, 0), "fr",
      "Contribution tardive : le cadre devrait renvoyer aux travaux existants des \
       organisations intergouvernementales sur l'interopérabilité, afin d'éviter les doublons."),
    on_draft("target-1-1", c("wo-ps-ng-mid", "ps-ng", WO, utc(2024, 7, 3, 16, 0), "en",
      "Target 1.1 should count IPv6 traffic, not only IPv6-capable networks: capability \
       without traffic tells us little.")),
    c("ui-cs-ke", "cs-ke", UI, utc(2024, 1, 29, 7, 45), "sw",
      "Mfumo huu uzingatie gharama ya intaneti kwa watu wa vijijini. Gigabaiti moja ya data \
       inapaswa kugharimu chini ya asilimia mbili ya mapato ya mwezi, na hicho kiwe kipimo \
       wazi."),
    c("ui-youth-bd", "youth-bd", UI, utc(2024, 2, 7, 12, 0), "bn",
      "তরুণদের ডিজিটাল দক্ষতা এবং স্থানীয় ভাষার কনটেন্ট লক্ষ্যের অংশ হওয়া উচিত। বাংলা ভাষায় \
       অনলাইন সরকারি সেবা এখনও খুব কম।"),
    c("ui-guest-pierre", "guest-pierre", UI, utc(2024, 2, 10, 19, 20), "fr",
      "L'accessibilité pour les personnes handicapées doit figurer explicitement parmi les \
       cibles, avec des normes d'accessibilité du web mesurables."),
    c("ui-other-ws", "other-ws", UI, utc(2024, 2, 16, 22, 0), "en",
      "Public libraries are where many people in the Pacific first go online. Count public \
       access points such as libraries and community centres among the indicators of \
       inclusion."),
    c("ui-youth-br", "youth-br", UI, utc(2024, 2, 21, 15, 30), "es",
      "Los jóvenes deben participar en los grupos de trabajo, no solo ser consultados. \
       Proponemos una meta sobre la participación juvenil en los IGF nacionales y regionales."),
    on_draft("goal-1", c("ui-gov-ke-mid", "gov-ke", UI, utc(2024, 7, 8, 10, 0), "en",
      "Goal 1 should keep the affordability threshold the consultation asked for: 2% of \
       monthly income is already used by several national regulators.")),
    c("ff-ps-sa", "ps-sa", FF, utc(2024, 2, 5, 6, 0), "ar",
      "نقترح أن يتضمن الإطار أهدافاً لتيسير تدفق البيانات عبر الحدود مع ضمان الثقة، مثل \
       الاعتراف المتبادل بأطر حماية البيانات الشخصية."),
    c("ff-tc-sg", "tc-sg", FF, utc(2024, 2, 13, 3, 0), "zh",
      "建议将数据保护法律的覆盖率以及跨境数据传输的互认机制列为可衡量的指标。"),
    c("ff-cs-ke", "cs-ke", FF, utc(2024, 2, 19, 9, 0), "en",
      "Trustworthy also means reliable information. Add a target on support for independent \
       public-interest media and fact-checking in local languages."),
    c("ff-igo-de", "igo-de", FF, utc(2024, 2, 27, 13, 0), "en",
      "Align the indicators with existing international statistics, so that progress can be \
       reported every year without new surveys."),
    c("ff-youth-br-late", "youth-br", FF, utc(2024, 4, 10, 18, 0), "pt",
      "Comentário tardio: a seção deveria tratar da transparência dos algoritmos de \
       recomendação e do uso de dados pessoais para treinar sistemas de IA."),
    c("ss-parl-am", "parl-am", SS, utc(2024, 2, 1, 11, 0), "ru",
      "Парламентам нужны ориентиры для законов о кибербезопасности, которые защищают \
       инфраструктуру и не ограничивают права пользователей."),
    c(RETRACTED, "cs-am", SS, utc(2024, 2, 5, 17, 0), "ru",
      "Необходимо гарантировать свободу выражения мнений в сети и запретить произвольные \
       отключения интернета."),
    c("ss-ps-ng", "ps-ng", SS, utc(2024, 2, 9, 10, 30), "en",
      "Set a target for national CSIRTs with round-the-clock incident response, and for \
       regional CSIRT cooperation: small operators cannot do this alone."),
    c("ss-youth-bd", "youth-bd", SS, utc(2024, 2, 23, 13, 45), "en",
      "Child online safety must not become a reason for blanket surveillance. Measure safety \
       by design in the products children actually use."),
    c("ss-gov-ke-late", "gov-ke", SS, utc(2024, 3, 18, 8, 0), "en",
      "Late input from the Ministry: include submarine cables and landing stations among the \
       critical infrastructure the targets protect."),
    on_draft("target-1-1", c("ss-ac-de-mid", "ac-de", SS, utc(2024, 7, 10, 9, 30), "en",
      "Target 1.1 needs a baseline year; otherwise the share of countries with a national \
       CSIRT cannot be tracked.")),
    c("rr-cs-am", "cs-am", RR, utc(2024, 2, 6, 8, 5), "ru",
      "Необходимо гарантировать свободу выражения мнений в сети и запретить произвольные \
       отключения интернета."),
    c("rr-igo-de", "igo-de", RR, utc(2024, 2, 15, 10, 0), "en",
      "Refer to the UN Guiding Principles on Business and Human Rights for the \
       responsibilities of companies online."),
    c("rr-ps-sa", "ps-sa", RR, utc(2024, 2, 20, 7, 0), "ar",
      "ينبغي أن يشمل هذا القسم حماية الخصوصية في الخدمات الحكومية الرقمية، وحق المستخدمين في \
       معرفة كيفية استخدام بياناتهم."),
    c("rr-guest-anonymous", "guest-anonymous", RR, utc(2024, 2, 25, 23, 10), "en",
      "Internet shutdowns should be counted and reported every year, country by country."),
    c("rr-other-ws", "other-ws", RR, utc(2024, 2, 28, 21, 0), "en",
      "Include the right of access to information held by public bodies, and the role of \
       libraries in providing it."),
    on_draft("goal-1", c("rr-cs-ke-mid", "cs-ke", RR, utc(2024, 7, 5, 12, 0), "sw",
      "Lengo la kwanza lipime pia idadi ya mara intaneti inapozimwa kila mwaka, nchi kwa \
       nchi.")),
];

/// Comments other people supported: (endorser, comment name, when).
const SUPPORT: [(&str, &str, u64); 6] = [
    ("kenya-igf", "ui-cs-ke", utc(2024, 1, 31, 9, 0)),
    ("other-ws", "rr-cs-am", utc(2024, 2, 8, 4, 0)),
    ("tc-br", "wo-gov-ke", utc(2024, 2, 5, 12, 0)),
    ("gov-ke", "ss-ps-ng", utc(2024, 2, 12, 9, 0)),
    ("guest-pierre", "ui-other-ws", utc(2024, 2, 17, 8, 0)),
    ("youth-br", "ui-youth-bd", utc(2024, 2, 22, 10, 0)),
];

/// Signs the comments that do not point at a draft (`on_drafts == false`)
/// or those that do (`true`: call after the version 1 drafts exist).
pub(super) fn comments(s: &mut Scenario, on_drafts: bool) -> anyhow::Result<()> {
    let charter = s.id("charter")?;
    for comment in COMMENTS.iter().filter(|c| c.anchor.is_some() == on_drafts) {
        let draft = match comment.anchor {
            Some(_) => Some(s.id(&format!("draft-{}-v1", comment.section))?),
            None => None,
        };
        let in_reply_to = match comment.reply_to {
            Some(to) => Some(s.id(&format!("comment-{to}"))?),
            None => None,
        };
        let body = Comment {
            created_at: comment.at,
            charter,
            section: comment.section.into(),
            draft,
            anchor: comment.anchor.map(str::to_owned),
            in_reply_to,
            language: comment.language.into(),
            text: comment.text.into(),
        };
        s.sign(
            &format!("comment-{}", comment.name),
            comment.author,
            Body::Comment(body),
        )?;
    }
    Ok(())
}

/// The retraction (a day later, by the author) and the endorsements of comments.
pub(super) fn reactions(s: &mut Scenario) -> anyhow::Result<()> {
    let retracted = s.id(&format!("comment-{RETRACTED}"))?;
    let body = Retraction {
        created_at: utc(2024, 2, 6, 8, 0),
        target: retracted,
        reason: "Posted under the wrong section; re-posted under rights-respecting.".into(),
    };
    s.sign(
        &format!("retract-{RETRACTED}"),
        "cs-am",
        Body::Retraction(body),
    )?;
    for (endorser, comment, at) in SUPPORT {
        let body = Endorsement {
            created_at: at,
            target: s.id(&format!("comment-{comment}"))?,
            stance: Stance::Support,
            statement: None,
            on_behalf_of: None,
        };
        s.sign(
            &format!("endorse-{comment}-{endorser}"),
            endorser,
            Body::Endorsement(body),
        )?;
    }
    Ok(())
}
