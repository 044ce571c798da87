//! `/identity`: the stakeholder's key, made and kept in the browser —
//! create one, import a key file (from this page or `baraza key export`),
//! download it, forget it, and sign a profile. The node serves the page and
//! never sees the key: everything here happens in the page script.

use maud::{html, Markup};

use super::catalogue::s;
use super::forms::{browser_notice, profile_form};
use super::html::Page;
use super::i18n::Lang;

/// The identity page in `lang`.
pub(crate) fn page(lang: Lang, path: String) -> Page {
    Page::new(lang, s(lang, "your_key").to_owned(), render(lang), path)
}

/// The identity page's body: the key held (if any), the forms to create
/// or import one, to keep or forget it, and the profile form.
fn render(lang: Lang) -> Markup {
    let t = |id| s(lang, id);
    html! {
        p { (t("identity_intro")) }
        (browser_notice(lang))
        section aria-labelledby="current-title" {
            h2 id="current-title" { (t("your_did")) }
            p data-no-key hidden { (t("no_key_yet")) }
            div data-needs-key hidden {
                p { code class="id" id="current-did" data-did {} }
                p class="muted" { (t("send_did")) }
            }
        }
        form id="create-key" class="write" data-no-key hidden aria-labelledby="create-title" {
            h2 id="create-title" { (t("create_key")) }
            p class="muted" { (t("create_help")) }
            label for="create-pass" { (t("passphrase")) }
            input id="create-pass" name="passphrase" type="password" required
                autocomplete="new-password";
            label for="create-pass2" { (t("passphrase_again")) }
            input id="create-pass2" name="passphrase2" type="password" required
                autocomplete="new-password";
            button type="submit" { (t("create_button")) }
            p class="outcome" role="status" aria-live="polite" {}
        }
        form id="import-key" class="write" data-no-key hidden aria-labelledby="import-title" {
            h2 id="import-title" { (t("import_key")) }
            p class="muted" { (t("import_help")) }
            label for="import-file" { (t("key_file")) }
            input id="import-file" name="file" type="file" accept="application/json,.json" required;
            label for="import-pass" { (t("passphrase")) }
            input id="import-pass" name="passphrase" type="password" required
                autocomplete="current-password";
            button type="submit" { (t("import_button")) }
            p class="outcome" role="status" aria-live="polite" {}
        }
        section data-needs-key hidden aria-labelledby="keep-title" {
            h2 id="keep-title" { (t("keep_key")) }
            p class="muted" { (t("export_help")) }
            p {
                button type="button" id="export-key" { (t("export_key")) }
                " "
                button type="button" id="forget-key" class="danger" { (t("forget_key")) }
            }
        }
        (profile_form(lang))
    }
}
