//! Where passphrases come from: `BARAZA_PASSPHRASE`, else the terminal.
//!
//! The environment variable serves scripts and tests; people get a prompt
//! that does not echo. Without either, we fail rather than block on a pipe.

use std::io::IsTerminal;
use std::os::unix::ffi::OsStringExt;

use anyhow::{bail, Context};
use zeroize::Zeroizing;

/// Environment variable holding the passphrase for non-interactive use.
pub(crate) const PASSPHRASE_ENV: &str = "BARAZA_PASSPHRASE";

/// What the passphrase is for; decides the prompt and whether to confirm it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Protecting a new key: asked twice.
    NewKey,
    /// Opening an existing key: asked once.
    Unlock,
}

/// Gets a non-empty passphrase. `stdin_busy` says stdin carries data (for
/// example `--body -`), in which case the prompt is still allowed: it reads
/// the controlling terminal, not stdin.
pub(crate) fn obtain(purpose: Purpose, stdin_busy: bool) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    if let Some(value) = std::env::var_os(PASSPHRASE_ENV) {
        let passphrase = Zeroizing::new(value.into_vec());
        if passphrase.is_empty() {
            bail!("{PASSPHRASE_ENV} is set but empty; an empty passphrase is not allowed");
        }
        return Ok(passphrase);
    }
    if !std::io::stdin().is_terminal() && !stdin_busy {
        bail!(
            "no passphrase: {PASSPHRASE_ENV} is not set and stdin is not a terminal to ask on; \
             set {PASSPHRASE_ENV} or run from a terminal"
        );
    }
    let first = prompt(match purpose {
        Purpose::NewKey => "Passphrase for the new key: ",
        Purpose::Unlock => "Keystore passphrase: ",
    })?;
    if first.is_empty() {
        bail!("an empty passphrase is not allowed");
    }
    if purpose == Purpose::NewKey {
        let again = prompt("Repeat the passphrase: ")?;
        if again != first {
            bail!("the two passphrases differ; nothing was written");
        }
    }
    Ok(first)
}

/// One non-echoing prompt on the controlling terminal.
fn prompt(text: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let line = rpassword::prompt_password(text).with_context(|| {
        format!("cannot ask for a passphrase on the terminal; set {PASSPHRASE_ENV} instead")
    })?;
    Ok(Zeroizing::new(line.into_bytes()))
}
