//! `/identity`: the stakeholder's key, made and kept in the browser —
//! create one, import a key file (from this page or `baraza key export`),
//! download it, forget it, and sign a profile. The node serves the page and
//! never sees the key: everything here happens in the page script.

use super::catalogue::s;
use super::forms::{browser_notice, profile_form};
use super::html::Page;
use super::i18n::Lang;

/// The identity page in `lang`.
pub(crate) fn page(lang: Lang, path: String) -> Page {
    let t = |id| s(lang, id);
    let body = format!(
        r#"<p>{intro}</p>{notice}
<section aria-labelledby="current-title"><h2 id="current-title">{your_did}</h2>
<p data-no-key hidden>{no_key}</p>
<div data-needs-key hidden><p><code class="id" id="current-did" data-did></code></p><p class="muted">{send}</p></div></section>
<form id="create-key" class="write" data-no-key hidden aria-labelledby="create-title"><h2 id="create-title">{create}</h2><p class="muted">{create_help}</p>
<label for="create-pass">{pass}</label><input id="create-pass" name="passphrase" type="password" required autocomplete="new-password">
<label for="create-pass2">{pass2}</label><input id="create-pass2" name="passphrase2" type="password" required autocomplete="new-password">
<button type="submit">{create_button}</button><p class="outcome" role="status" aria-live="polite"></p></form>
<form id="import-key" class="write" data-no-key hidden aria-labelledby="import-title"><h2 id="import-title">{import}</h2><p class="muted">{import_help}</p>
<label for="import-file">{key_file}</label><input id="import-file" name="file" type="file" accept="application/json,.json" required>
<label for="import-pass">{pass_plain}</label><input id="import-pass" name="passphrase" type="password" required autocomplete="current-password">
<button type="submit">{import_button}</button><p class="outcome" role="status" aria-live="polite"></p></form>
<section data-needs-key hidden aria-labelledby="keep-title"><h2 id="keep-title">{keep}</h2><p class="muted">{export_help}</p>
<p><button type="button" id="export-key">{export}</button> <button type="button" id="forget-key" class="danger">{forget}</button></p></section>
{profile}"#,
        intro = t("identity_intro"),
        notice = browser_notice(lang),
        your_did = t("your_did"),
        no_key = t("no_key_yet"),
        send = t("send_did"),
        create = t("create_key"),
        create_help = t("create_help"),
        pass = t("passphrase"),
        pass2 = t("passphrase_again"),
        pass_plain = t("passphrase"),
        create_button = t("create_button"),
        import = t("import_key"),
        import_help = t("import_help"),
        key_file = t("key_file"),
        import_button = t("import_button"),
        keep = t("keep_key"),
        export_help = t("export_help"),
        export = t("export_key"),
        forget = t("forget_key"),
        profile = profile_form(lang),
    );
    Page::new(lang, t("your_key").to_owned(), body, path)
}
