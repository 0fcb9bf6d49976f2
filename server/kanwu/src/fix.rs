//! `kanwu fix`: applies safe fixes and writes each changed page atomically in its own encoding, or
//! prints the fixed text or a unified diff instead.

use crate::files::{collect_pages, read_page, suppression_key, PageFile};
use kanwu_core::decode::encode;
use kanwu_core::fix_text_filtered;
use kanwu_core::fixer::FixOptions;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What fixing one page did.
enum Outcome {
    Unchanged,
    Changed { fixes: usize, output: Vec<u8> },
    Skipped,
    Failed(String),
}

/// Runs `kanwu fix`; exit 0 on success, 2 when a page could not be read or written.
pub fn run(paths: &[PathBuf], to_stdout: bool, diff: bool, rules: Vec<String>, keep_lines: bool) -> ExitCode {
    for code in &rules {
        if kanwu_core::rules::rule_info(code).is_none() {
            eprintln!("error: unknown rule `{code}` (see `kanwu rules`)");
            return ExitCode::from(2);
        }
    }
    let pages = match collect_pages(paths) {
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
    let options = FixOptions { only_rules: rules, keep_lines };
    let outcomes: Vec<Outcome> = pages.par_iter().map(|page| fix_page(page, &options, to_stdout, diff)).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut changed, mut fixes, mut failed) = (0, 0, false);
    for (page, outcome) in pages.iter().zip(outcomes) {
        match outcome {
            Outcome::Unchanged | Outcome::Skipped => {
                if to_stdout {
                    // Nothing to fix: print the page as it is, so `--stdout` always yields the page.
                    if let Ok(bytes) = std::fs::read(&page.display) {
                        let _ = out.write_all(&bytes);
                    }
                }
            }
            Outcome::Changed { fixes: count, output } => {
                changed += 1;
                fixes += count;
                let _ = out.write_all(&output);
            }
            Outcome::Failed(message) => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }
    let _ = out.flush();
    if !to_stdout && !diff {
        eprintln!("Fixed {fixes} artefact{} in {changed} of {} page{}.", plural(fixes), pages.len(), plural(pages.len()));
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
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
fn fix_page(page: &PageFile, options: &FixOptions, to_stdout: bool, diff: bool) -> Outcome {
    let read = match read_page(&page.display) {
        Ok(Some(read)) => read,
        Ok(None) => return Outcome::Skipped,
        Err(error) => return Outcome::Failed(format!("{error:#}")),
    };
    let key = suppression_key(&page.settings, &page.display);
    let suppressions = &page.settings.suppressions;
    let outcome = fix_text_filtered(&read.text, &page.settings.config, options, |text, diagnostic| {
        key.as_deref().is_none_or(|key| !suppressions.silences(key, text, diagnostic))
    });
    if outcome.text == read.text {
        return Outcome::Unchanged;
    }
    if diff {
        let name = page.display.display().to_string();
        let unified = similar::TextDiff::from_lines(&read.text, &outcome.text)
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        return Outcome::Changed { fixes: outcome.applied, output: unified.into_bytes() };
    }
    let bytes = encode(&outcome.text, read.encoding);
    if to_stdout {
        return Outcome::Changed { fixes: outcome.applied, output: bytes };
    }
    match write_atomically(&page.display, &bytes) {
        Ok(()) => Outcome::Changed { fixes: outcome.applied, output: Vec::new() },
        Err(error) => Outcome::Failed(format!("{}: cannot write: {error}", page.display.display())),
    }
}

/// Writes through a temporary file in the same folder and renames it over the page, keeping the
/// page's permissions, so a crash never leaves a half-written page.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.kanwu-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
