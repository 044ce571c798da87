//! `baraza comment`: sign a comment on a section (or a draft paragraph, or
//! another comment) and submit it to the node.

use std::path::PathBuf;
use std::process::ExitCode;

use baraza_protocol::kinds::Comment;
use baraza_protocol::limits::MAX_COMMENT_BYTES;
use baraza_protocol::{Body, ObjectId};
use clap::Args;

use super::submit::{read_text, sign_and_submit, SubmitFlags};
use super::Globals;
use crate::time::now_ms;

/// Arguments of `baraza comment`.
#[derive(Debug, Args)]
pub(crate) struct CommentArgs {
    /// The consultation: its charter's id (64 hex digits).
    #[arg(long, value_name = "ID")]
    charter: ObjectId,
    /// The section commented on (its slug, as listed in the charter).
    #[arg(long, value_name = "SLUG")]
    section: String,
    /// The draft the comment is about, when it is about one.
    #[arg(long, value_name = "ID")]
    draft: Option<ObjectId>,
    /// A paragraph anchor inside --draft (the `{#anchor}` of the paragraph).
    #[arg(long, value_name = "ANCHOR", requires = "draft")]
    anchor: Option<String>,
    /// The comment this one replies to.
    #[arg(long, value_name = "ID")]
    reply_to: Option<ObjectId>,
    /// Language of the text (BCP 47: en, fr, es-419, …).
    #[arg(long, value_name = "TAG", default_value = "en")]
    lang: String,
    /// The comment text.
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    text: Option<String>,
    /// Read the comment text from FILE (`-` for stdin; trailing line breaks
    /// are dropped). At most 16384 bytes.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    submit: SubmitFlags,
}

/// Runs `baraza comment`.
pub(crate) fn run(globals: &Globals, args: &CommentArgs) -> anyhow::Result<ExitCode> {
    let (text, stdin_busy) = match (&args.text, &args.file) {
        (Some(text), _) => (text.clone(), false),
        (None, Some(file)) => read_text(file, MAX_COMMENT_BYTES, "a comment")?,
        (None, None) => anyhow::bail!("give the comment with --text TEXT or --file FILE"),
    };
    let body = Body::Comment(Comment {
        created_at: now_ms()?,
        charter: args.charter,
        section: args.section.clone(),
        draft: args.draft,
        anchor: args.anchor.clone(),
        in_reply_to: args.reply_to,
        language: args.lang.clone(),
        text,
    });
    sign_and_submit(globals, &args.submit, body, stdin_busy)
}
