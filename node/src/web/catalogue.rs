//! The writing side's strings (identity, forms, and what the page script
//! says), by id, in every page language. The page script gets the ones it
//! uses as a JSON block in the page ([`script_strings`]), so a message such
//! as "the node refused it" follows the page's language like the rest.
//!
//! Placeholders are `{name}`; the page script fills them.

use super::i18n::Lang;

/// `(id, English, French)`.
const STRINGS: &[(&str, &str, &str)] = &[
    // Said by the page script (app.js).
    ("your_key", "Your key", "Votre clé"),
    ("your_key_short", "Your key: {did}", "Votre clé : {did}"),
    ("stored", "Signed and stored on this node.", "Signé et enregistré sur ce nœud."),
    ("known", "This node already held it.", "Ce nœud le détenait déjà."),
    ("pending", "Accepted; it waits for the objects it refers to.", "Accepté ; il attend les objets auxquels il renvoie."),
    ("held", "Accepted; dated ahead of this node's clock, it is stored when its time comes.", "Accepté ; daté en avance sur l’horloge de ce nœud, il sera enregistré à son heure."),
    ("refused", "The node refused it ({status}{code}): {message}", "Le nœud l’a refusé ({status}{code}) : {message}"),
    ("review_title", "Review what you will sign", "Vérifiez ce que vous allez signer"),
    ("review_intro", "A {kind} signed by {did}. Its body ({bytes} bytes of CBOR) is:", "Un objet {kind} signé par {did}. Son contenu ({bytes} octets de CBOR) :"),
    ("sign_submit", "Sign and submit", "Signer et envoyer"),
    ("edit", "Edit", "Modifier"),
    ("need_key", "Create or import a key first, on the “Your key” page.", "Créez ou importez d’abord une clé, sur la page « Votre clé »."),
    ("cannot_build", "Cannot build this object: {message}", "Impossible de construire cet objet : {message}"),
    ("signing", "Signing and submitting…", "Signature et envoi…"),
    ("network_error", "Could not reach the node: {message}", "Le nœud est injoignable : {message}"),
    ("passphrase_short", "The passphrase needs at least 10 characters.", "La phrase secrète doit compter au moins 10 caractères."),
    ("passphrase_mismatch", "The two passphrases differ.", "Les deux phrases secrètes diffèrent."),
    ("working", "Working… deriving a key from the passphrase takes a moment.", "Un instant… dériver la clé de la phrase secrète prend un peu de temps."),
    ("key_ready", "Your key is ready: {did}", "Votre clé est prête : {did}"),
    ("wrong_passphrase", "Wrong passphrase, or the file was changed.", "Phrase secrète erronée, ou fichier modifié."),
    ("key_failed", "This key cannot be used: {message}", "Cette clé est inutilisable : {message}"),
    ("choose_file", "Choose a key file first.", "Choisissez d’abord un fichier de clé."),
    ("file_too_big", "A key file has at most {bytes} bytes; this one is larger.", "Un fichier de clé fait au plus {bytes} octets ; celui-ci est plus grand."),
    ("forget_confirm", "Forget this key in this browser? Without its key file you can no longer sign as it.", "Oublier cette clé dans ce navigateur ? Sans son fichier, vous ne pourrez plus signer avec elle."),
    // The identity page.
    ("identity_intro", "Your signing key is made and kept in this browser. The node never sees it: it receives only what you have signed.", "Votre clé de signature est créée et conservée dans ce navigateur. Le nœud ne la voit jamais : il ne reçoit que ce que vous avez signé."),
    ("no_key_yet", "This browser holds no key yet.", "Ce navigateur ne détient encore aucune clé."),
    ("your_did", "Your identity (did:key)", "Votre identité (did:key)"),
    ("send_did", "Send it to your NRI so that it can attest you as a stakeholder.", "Envoyez-la à votre IGF national ou régional pour qu’il vous atteste comme partie prenante."),
    ("create_key", "Create a key", "Créer une clé"),
    ("create_help", "The passphrase protects your key file (the backup you can download). It never leaves this browser.", "La phrase secrète protège votre fichier de clé (la sauvegarde téléchargeable). Elle ne quitte jamais ce navigateur."),
    ("passphrase", "Passphrase (at least 10 characters)", "Phrase secrète (au moins 10 caractères)"),
    ("passphrase_again", "The same passphrase again", "La même phrase secrète"),
    ("create_button", "Create my key", "Créer ma clé"),
    ("import_key", "Import a key file", "Importer un fichier de clé"),
    ("import_help", "A file downloaded from this page, or made by `baraza key export`.", "Un fichier téléchargé depuis cette page, ou produit par `baraza key export`."),
    ("key_file", "Key file", "Fichier de clé"),
    ("import_button", "Import", "Importer"),
    ("keep_key", "Keep your key", "Conserver votre clé"),
    ("export_help", "Download your key file and keep it safe: with its passphrase it is your key, on another browser or in the baraza CLI (`baraza key import`).", "Téléchargez votre fichier de clé et gardez-le en lieu sûr : avec sa phrase secrète, c’est votre clé, dans un autre navigateur ou dans l’outil baraza (`baraza key import`)."),
    ("export_key", "Download my key file", "Télécharger mon fichier de clé"),
    ("forget_key", "Forget this key in this browser", "Oublier cette clé dans ce navigateur"),
    ("profile_title", "Your profile", "Votre profil"),
    ("profile_help", "How your key presents itself. It is self-declared: what others rely on is your NRI’s attestation.", "Comment votre clé se présente. C’est une déclaration : ce qui fait foi, c’est l’attestation de votre IGF."),
    ("name", "Name", "Nom"),
    ("group", "Stakeholder group", "Groupe de parties prenantes"),
    ("organisation", "Organisation (optional)", "Organisation (facultatif)"),
    ("country", "Country, as a two-letter ISO code (optional)", "Pays, code ISO à deux lettres (facultatif)"),
    ("languages", "Languages you write in, e.g. “en fr” (optional)", "Langues dans lesquelles vous écrivez, p. ex. « fr en » (facultatif)"),
    ("publish_profile", "Review and sign my profile", "Vérifier et signer mon profil"),
    ("government", "Government", "Gouvernement"),
    ("private_sector", "Private sector", "Secteur privé"),
    ("civil_society", "Civil society", "Société civile"),
    ("technical_community", "Technical community", "Communauté technique"),
    ("academia", "Academia", "Milieu universitaire"),
    ("intergovernmental", "Intergovernmental organisation", "Organisation intergouvernementale"),
    ("youth", "Youth", "Jeunesse"),
    ("parliamentarian", "Parliamentarian", "Parlementaire"),
    // Writing forms.
    ("write_comment", "Write a comment", "Écrire un commentaire"),
    ("comment_text", "Your comment", "Votre commentaire"),
    ("comment_language", "Language of your comment", "Langue de votre commentaire"),
    ("paragraph", "Paragraph of the current draft", "Paragraphe du projet actuel"),
    ("whole_section", "The section as a whole", "La section dans son ensemble"),
    ("review_sign", "Review and sign", "Vérifier et signer"),
    ("comment_on_paragraph", "Comment on this paragraph", "Commenter ce paragraphe"),
    ("reply", "Reply", "Répondre"),
    ("reply_endorse", "Reply or endorse", "Répondre ou soutenir"),
    ("your_reply", "Your reply", "Votre réponse"),
    ("endorse_title", "Support or object", "Soutenir ou objecter"),
    ("stance", "Your stance", "Votre position"),
    ("support_it", "Support", "Soutenir"),
    ("object_it", "Object", "Objecter"),
    ("statement", "Statement (optional)", "Déclaration (facultatif)"),
    ("on_behalf_of", "On behalf of (optional), e.g. your NRI", "Au nom de (facultatif), p. ex. votre IGF"),
    ("retract_title", "Retract your words", "Retirer vos propos"),
    ("retract_help", "A retraction is signed too: the record keeps that you said it and that you took it back.", "Un retrait est signé lui aussi : le registre garde ce que vous avez dit et que vous l’avez retiré."),
    ("reason", "Reason", "Raison"),
    ("retract_button", "Review and sign the retraction", "Vérifier et signer le retrait"),
    ("need_key_html", "To comment, endorse or retract, first create or import a key:", "Pour commenter, soutenir ou retirer, créez ou importez d’abord une clé :"),
    ("no_crypto", "This browser’s WebCrypto lacks Ed25519, so the page signs with its bundled Ed25519 library, and your key is kept in this browser in a form the page can read. A current browser keeps it unreadable.", "Le WebCrypto de ce navigateur n’a pas Ed25519 : la page signe avec sa propre bibliothèque Ed25519, et votre clé est gardée dans ce navigateur sous une forme lisible par la page. Un navigateur récent la garde illisible."),
    ("insecure", "Signing needs a secure connection: open this node’s pages over https (or on localhost).", "Signer demande une connexion sécurisée : ouvrez les pages de ce nœud en https (ou en localhost)."),
    ("noscript", "Writing needs JavaScript (keys are made and used in your browser); reading does not.", "Écrire demande JavaScript (les clés sont créées et utilisées dans votre navigateur) ; lire, non."),
    ("retracted", "Retracted by its author", "Retiré par son auteur"),
    // The audit page.
    ("provenance", "Provenance", "Provenance"),
    ("provenance_help", "Who signed it, who vouched for the signer up to a steward of the consultation (✓ held when it signed, ✗ did not), and the draft versions behind it.", "Qui l’a signé, qui s’est porté garant du signataire jusqu’à un responsable de la consultation (✓ valable au moment de la signature, ✗ non), et les versions de projet dont il découle."),
    ("signed_by", "Signed by", "Signé par"),
    ("attested_by", "attestation", "attestation"),
    ("no_role", "no accredited role", "aucun rôle accrédité"),
    ("chain_held", "held", "valable"),
    ("chain_not_held", "did not hold", "non valable"),
    ("drafts_behind", "Draft versions", "Versions du projet"),
    ("incomplete_chain", "incomplete: does not reach version 1", "incomplète : ne remonte pas à la version 1"),
    ("editor", "editor", "rédaction"),
    ("dispositions", "dispositions of comments", "suites données aux commentaires"),
    ("endorsements_of_target", "Endorsements of this object", "Soutiens de cet objet"),
    ("supporters", "counted supporters", "soutiens comptés"),
    ("objectors", "counted objections", "objections comptées"),
    ("counted_endorsements", "Counted endorsements (accredited signers)", "Soutiens comptés (signataires accrédités)"),
    ("endorsement", "Endorsement", "Soutien"),
    ("signer", "Signer", "Signataire"),
    ("role", "Role", "Rôle"),
    ("group_short", "Group", "Groupe"),
    ("region", "Region", "Région"),
    ("on_behalf_short", "On behalf of", "Au nom de"),
    ("not_counted", "Not counted", "Non comptés"),
    ("by_group", "by stakeholder group", "par groupe de parties prenantes"),
    ("by_region", "by UN region", "par région de l’ONU"),
];

/// The string `id` in `lang` (English when the language lacks it; the id
/// itself if no language has it, which a test rules out).
pub(crate) fn s(lang: Lang, id: &str) -> &'static str {
    STRINGS
        .iter()
        .find(|(key, _, _)| *key == id)
        .map(|(_, en, fr)| match lang {
            Lang::En => *en,
            Lang::Fr => *fr,
        })
        .unwrap_or("")
}

/// The strings the page script says, as a JSON object, safe inside a
/// `<script type="application/json">` element (`<` is escaped, so no text
/// can close the element).
pub(crate) fn script_strings(lang: Lang) -> String {
    let map: serde_json::Map<String, serde_json::Value> = SCRIPT_IDS
        .iter()
        .map(|id| ((*id).to_owned(), s(lang, id).into()))
        .collect();
    serde_json::Value::Object(map)
        .to_string()
        .replace('<', "\\u003c")
}

/// The ids app.js looks up (a test checks this list against the script).
const SCRIPT_IDS: &[&str] = &[
    "your_key",
    "your_key_short",
    "stored",
    "known",
    "pending",
    "held",
    "refused",
    "review_title",
    "review_intro",
    "sign_submit",
    "edit",
    "need_key",
    "cannot_build",
    "signing",
    "network_error",
    "passphrase_short",
    "passphrase_mismatch",
    "working",
    "key_ready",
    "wrong_passphrase",
    "key_failed",
    "choose_file",
    "file_too_big",
    "forget_confirm",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_string_has_english_and_french_and_ids_are_unique() {
        let mut ids = BTreeSet::new();
        for (id, en, fr) in STRINGS {
            assert!(ids.insert(*id), "{id} twice");
            assert!(!en.is_empty() && !fr.is_empty(), "{id}");
            let holes = |t: &str| t.matches('{').count();
            assert_eq!(holes(en), holes(fr), "{id}: placeholders differ");
        }
    }

    #[test]
    fn the_script_asks_only_for_strings_it_is_given() {
        let script = include_str!("assets/app.js");
        // Calls of `t('id')`: "t('" not preceded by an identifier character.
        let used: BTreeSet<&str> = script
            .match_indices("t('")
            .filter(|(at, _)| {
                !script[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            })
            .filter_map(|(at, _)| script[at + 3..].split('\'').next())
            .collect();
        assert!(used.len() > 10, "found the script's t('…') calls");
        for id in &used {
            assert!(
                SCRIPT_IDS.contains(id),
                "app.js asks for {id:?}, not in SCRIPT_IDS"
            );
        }
        for id in SCRIPT_IDS {
            assert!(
                script.contains(&format!("'{id}'")),
                "{id} is not used by app.js"
            );
            assert!(!s(Lang::Fr, id).is_empty(), "{id} is in the catalogue");
        }
    }

    #[test]
    fn script_strings_cannot_close_their_element() {
        let json = script_strings(Lang::Fr);
        assert!(!json.contains('<'));
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(parsed["edit"], "Modifier");
    }
}
