//! `baraza draft`: sign a version of a section's draft — its Markdown text,
//! goals, and what happened to each comment it answers — and submit it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use baraza_protocol::kinds::{Disposition, Draft, Goal};
use baraza_protocol::limits::MAX_DRAFT_TEXT_BYTES;
use baraza_protocol::{Body, ObjectId};
use clap::Args;

use super::submit::{read_json_file, read_text, sign_and_submit, SubmitFlags};
use super::{Globals, EXIT_CODES};
use crate::time::now_ms;

/// Largest goals or dispositions file (2048 dispositions with long
/// rationales and JSON escapes fit).
const MAX_JSON_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Arguments of `baraza draft`.
#[derive(Debug, Args)]
// `--version` is the draft's version here, not the program's.
#[command(after_long_help = format!("{FILES_HELP}\n\n{EXIT_CODES}"), disable_version_flag = true)]
pub(crate) struct DraftArgs {
    /// The consultation: its charter's id.
    #[arg(long, value_name = "ID")]
    charter: ObjectId,
    /// The section drafted (its slug).
    #[arg(long, value_name = "SLUG")]
    section: String,
    /// Version number, from 1.
    #[arg(long, value_name = "N")]
    version: u32,
    /// The previous version's id (required from version 2 on).
    #[arg(long, value_name = "ID")]
    parent: Option<ObjectId>,
    /// The draft text, Markdown (`-` for stdin). Paragraphs may carry
    /// `{#anchor}` ids for comments to point at.
    #[arg(long, value_name = "FILE.md")]
    text_file: PathBuf,
    /// Goals, targets and indicators as a JSON array (see below).
    #[arg(long, value_name = "FILE.json")]
    goals: Option<PathBuf>,
    /// Dispositions of comments as a JSON array (see below).
    #[arg(long, value_name = "FILE.json")]
    dispositions: Option<PathBuf>,
    #[command(flatten)]
    submit: SubmitFlags,
}

const FILES_HELP: &str = "\
--goals FILE.json is an array of goals:
  [{\"id\": \"universal-access\", \"title\": \"…\",
    \"targets\": [{\"id\": \"t1\", \"text\": \"…\",
                 \"indicators\": [{\"id\": \"i1\", \"text\": \"…\", \"unit\": \"percent\"}]}]}]
--dispositions FILE.json is an array of answers to comments:
  [{\"comment\": \"<64 hex id>\", \"outcome\": \"incorporated\", \"rationale\": \"…\"}]
  outcome: incorporated, partly, not_incorporated or out_of_scope.";

/// Runs `baraza draft`.
pub(crate) fn run(globals: &Globals, args: &DraftArgs) -> anyhow::Result<ExitCode> {
    let stdin_files = [
        Some(&args.text_file),
        args.goals.as_ref(),
        args.dispositions.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| p.as_os_str() == "-")
    .count();
    if stdin_files > 1 {
        bail!("only one of --text-file, --goals and --dispositions can be `-` (stdin)");
    }
    let (text, mut stdin_busy) = read_text(&args.text_file, MAX_DRAFT_TEXT_BYTES, "a draft")?;
    let goals: Vec<Goal> = match &args.goals {
        Some(path) => {
            let (goals, stdin) = read_json_file(path, MAX_JSON_FILE_BYTES, "goals JSON")?;
            stdin_busy |= stdin;
            goals
        }
        None => Vec::new(),
    };
    let dispositions: Vec<Disposition> = match &args.dispositions {
        Some(path) => {
            let (dispositions, stdin) =
                read_json_file(path, MAX_JSON_FILE_BYTES, "dispositions JSON")?;
            stdin_busy |= stdin;
            dispositions
        }
        None => Vec::new(),
    };
    let body = Body::Draft(Draft {
        created_at: now_ms()?,
        charter: args.charter,
        section: args.section.clone(),
        version: args.version,
        parent: args.parent,
        text,
        goals,
        dispositions,
    });
    sign_and_submit(globals, &args.submit, body, stdin_busy)
}
