//! `kanwu fix`: applies safe fixes and writes each changed page atomically in its own encoding,
//! byte-exact around undecodable bytes, or prints the fixed text or a unified diff instead.
//!
//! Writing goes through the core's file guard: a link is written through only to a target inside
//! the folder the user named (else the page is skipped with a note); a page with several hard links,
//! a read-only page and a page changed between its read and its write are refused, and a page whose
//! bytes fit no encoding is never rewritten. Each refusal names the page and makes the run exit 2.

use crate::files::{collect_pages, read_page, suppression_key, PageFile};
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::decode::encode_with;
use kanwu_core::rules::{rule_info, FixSafety};
use kanwu_core::workspace::fs::{self, Expect, FsErrorKind, WriteRules};
use kanwu_core::{fix_page, Config, FixOptions, FixRequest};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What fixing one page did.
enum Outcome {
    Unchanged,
    Changed {
        fixes: usize,
        output: Vec<u8>,
    },
    /// Left alone, with a note (binary, or a link out of the named folder).
    Skipped,
    /// Not fixed, and the run fails: the message names the page.
    Refused(String),
    /// Fixed as far as the fixer got, but still changing after its last pass.
    Unsettled {
        fixes: usize,
        output: Vec<u8>,
        message: String,
    },
}

/// Runs `kanwu fix` over `paths` (none given: the folder of the `kanwu.toml` found here or above).
/// Exit 0 on success, 1 when a page did not settle, 2 when a page was refused or could not be read
/// or written.
pub fn run(paths: &[PathBuf], to_stdout: bool, diff: bool, rules: Vec<String>, keep_lines: bool) -> ExitCode {
    for code in &rules {
        if rule_info(code).is_none() {
            eprintln!("error: unknown rule `{code}` (see `kanwu rules`)");
            return ExitCode::from(2);
        }
    }
    if !rules.is_empty()
        && rules.iter().all(|code| rule_info(code).is_some_and(|info| matches!(info.fix_safety, FixSafety::Suggested | FixSafety::None)))
    {
        eprintln!(
            "note: {} only suggest{} fixes, which `kanwu fix` never applies; see them with `kanwu check` or in the editor",
            rules.iter().map(|code| format!("`{code}`")).collect::<Vec<_>>().join(", "),
            if rules.len() == 1 { "s" } else { "" }
        );
        return ExitCode::SUCCESS;
    }
    let paths = match paths_or_workspace(paths) {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let pages = match collect_pages(&paths) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if to_stdout && pages.len() != 1 {
        eprintln!("error: --stdout needs exactly one page, found {}", pages.len());
        return ExitCode::from(2);
    }
    if !to_stdout && !diff {
        remove_stale_temporaries(&pages);
    }
    let options = FixOptions { only_rules: rules, keep_lines };
    let progress = crate::progress::Progress::new(pages.len(), "fixing");
    let outcomes: Vec<Outcome> = pages
        .par_iter()
        .map(|page| {
            let outcome = fix_one(page, &options, to_stdout, diff);
            progress.inc(1);
            outcome
        })
        .collect();
    progress.finish();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut changed, mut fixes, mut refused, mut unsettled) = (0, 0, false, false);
    for (page, outcome) in pages.iter().zip(outcomes) {
        let written = match outcome {
            Outcome::Unchanged | Outcome::Skipped => {
                if to_stdout {
                    // Nothing to fix: print the page as it is, so `--stdout` always yields the page.
                    if let Ok(read) = fs::read_limited(&page.display, fs::MAX_PAGE_BYTES) {
                        let _ = out.write_all(&read.bytes);
                    }
                }
                continue;
            }
            Outcome::Changed { fixes: count, output } => {
                changed += 1;
                fixes += count;
                out.write_all(&output)
            }
            Outcome::Refused(message) => {
                eprintln!("error: {message}");
                refused = true;
                continue;
            }
            Outcome::Unsettled { fixes: count, output, message } => {
                eprintln!("error: {message}");
                unsettled = true;
                changed += 1;
                fixes += count;
                out.write_all(&output)
            }
        };
        // A closed pipe (`kanwu fix --diff | head`) ends the output quietly.
        if written.is_err() {
            break;
        }
    }
    let _ = out.flush();
    if !to_stdout && !diff {
        eprintln!("Fixed {fixes} artefact{} in {changed} of {} page{}.", plural(fixes), pages.len(), plural(pages.len()));
    }
    if refused {
        ExitCode::from(2)
    } else if unsettled {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The paths to fix: those named, else the folder of the `kanwu.toml` found from the current folder
/// upward. Without either, nothing is rewritten: fixing every `.txt` below wherever the command
/// happens to run would touch files that are no pages.
fn paths_or_workspace(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if !paths.is_empty() {
        return Ok(paths.to_vec());
    }
    match Config::find_upward(Path::new(".")) {
        Some(toml) => Ok(vec![toml.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))]),
        None => Err(format!(
            "no {CONFIG_FILE_NAME} here or in a folder above: name the pages or folders to fix (`kanwu fix PATH…`), or create a {CONFIG_FILE_NAME} to make this folder a workspace"
        )),
    }
}

/// Removes the temporary files that killed runs left beside the pages.
fn remove_stale_temporaries(pages: &[PageFile]) {
    let folders: BTreeSet<PathBuf> = pages
        .iter()
        .filter_map(|page| page.display.parent().map(|dir| if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.to_path_buf() }))
        .collect();
    let removed: usize = folders.iter().map(|folder| fs::remove_stale_temporaries(folder)).sum();
    if removed > 0 {
        eprintln!("note: removed {removed} temporary file{} left by an interrupted run", plural(removed));
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// Fixes one page; returns what to print (the fixed text, or the diff) when the page changed.
fn fix_one(page: &PageFile, options: &FixOptions, to_stdout: bool, diff: bool) -> Outcome {
    let name = page.display.display();
    let read = match read_page(&page.display) {
        Ok(Some(read)) => read,
        Ok(None) => return Outcome::Skipped,
        Err(error) => return Outcome::Refused(format!("{error:#}")),
    };
    let key = suppression_key(&page.settings, &page.display);
    let request = FixRequest {
        options: options.clone(),
        suppressions: key.as_deref().map(|key| (&page.settings.suppressions, key)),
        protected: read.undecodable.iter().map(|run| run.range()).collect(),
    };
    let outcome = fix_page(&read.text, &page.settings.config, &request);
    if outcome.text == read.text {
        return Outcome::Unchanged;
    }
    if read.unwritable && !diff {
        return Outcome::Refused(format!(
            "{name}: not fixed: its bytes are neither UTF-8 nor GB18030 that reads back the same, so it cannot be rewritten without changing some; convert it first (`kanwu check` shows the undecodable places)"
        ));
    }
    let unsettled = (!outcome.settled).then(|| {
        format!(
            "{name}: still changing after {} passes of fixes ({}); the page was fixed as far as that",
            kanwu_core::fixer::MAX_PASSES,
            outcome.still_firing.join(", ")
        )
    });
    let finish = |fixes: usize, output: Vec<u8>| match &unsettled {
        Some(message) => Outcome::Unsettled { fixes, output, message: message.clone() },
        None => Outcome::Changed { fixes, output },
    };
    if diff {
        let unified = similar::TextDiff::from_lines(&read.text, &outcome.text)
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        return finish(outcome.applied, unified.into_bytes());
    }
    let Some(bytes) = encode_with(&outcome.text, read.encoding, &read.undecodable, &outcome.protected) else {
        return Outcome::Refused(format!("{name}: not fixed: a fix would have changed its undecodable bytes"));
    };
    if to_stdout {
        return finish(outcome.applied, bytes);
    }
    let inside = [page.scope.clone()];
    let rules = WriteRules { inside: &inside, expect: Expect::Unchanged(read.stamp), format: None };
    match fs::write_atomically(&page.display, &bytes, &rules) {
        Ok(_) => finish(outcome.applied, Vec::new()),
        Err(error) => match error.kind {
            FsErrorKind::LinkOutside(target) => {
                eprintln!(
                    "note: {name}: skipped: it is a link to {}, outside the folder named ({}); fix the target there",
                    target.display(),
                    page.scope.display()
                );
                Outcome::Skipped
            }
            _ => Outcome::Refused(format!("{error}")),
        },
    }
}
