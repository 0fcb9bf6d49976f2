//! `kanwu refs TERM [PATH…]`: every occurrence of a term across the pages, OCR-aware (found through wraps and stray spaces), as `path:line:col: context` or JSON.

use crate::files::{collect_pages, read_page};
use crate::progress::Progress;
use crate::Stdout;
use kanwu_core::index::{search_text, Hit};
use rayon::prelude::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// The output formats of `kanwu refs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RefsFormat {
    Human,
    Json,
}

/// The arguments of `kanwu refs`.
#[derive(clap::Args)]
pub struct RefsArgs {
    /// The term or word to find (spaces inside Chinese text are ignored, as on the pages).
    pub term: String,
    /// Files or folders; the current folder when none is given.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = RefsFormat::Human)]
    pub format: RefsFormat,
}

/// How many characters of context each side of a hit the human output shows.
const CONTEXT_CHARS: usize = 12;

/// Runs `kanwu refs`: exit 0 when the term was found, 1 when not (with a sentence on stderr saying
/// so), 2 when pages cannot be read.
pub fn run(args: RefsArgs) -> ExitCode {
    let paths = crate::default_paths(args.paths);
    let pages = match collect_pages(&paths) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let files: Vec<PathBuf> = pages.into_iter().map(|page| page.display).collect();
    let failed = std::sync::atomic::AtomicBool::new(false);
    let progress = Progress::new(files.len(), "searching");
    // A one-off search needs no index: each page is scanned on all cores, and only pages whose raw
    // text may hold the term (its characters with at most whitespace between) are parsed and
    // normalized, so hits are exactly those of the corpus index.
    let mut found: Vec<(&PathBuf, Vec<(Hit, String)>)> = files
        .par_iter()
        .filter_map(|path| {
            let found = match read_page(path) {
                Ok(read) => read.map(|read| search_text(&read.text, &args.term, CONTEXT_CHARS)).filter(|hits| !hits.is_empty()),
                Err(error) => {
                    progress.suspend(|| eprintln!("error: {error:#}"));
                    failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    None
                }
            };
            progress.inc(1);
            found.map(|hits| (path, hits))
        })
        .collect();
    progress.finish();
    found.sort_by(|a, b| a.0.cmp(b.0));
    let total: usize = found.iter().map(|(_, hits)| hits.len()).sum();
    let mut out = Stdout::lock();
    match args.format {
        RefsFormat::Human => {
            for (path, hits) in &found {
                let path = path.display().to_string();
                for (hit, context) in hits {
                    writeln!(out, "{path}:{}:{}: {context}", hit.start.line + 1, hit.start.chars + 1);
                }
            }
        }
        RefsFormat::Json => {
            let elements: Vec<serde_json::Value> = found
                .iter()
                .flat_map(|(path, hits)| hits.iter().map(move |hit| (path, hit)))
                .map(|(path, (hit, context))| {
                    json!({
                        "path": path.to_string_lossy(),
                        "range": {
                            "start": {"line": hit.start.line, "character": hit.start.utf16},
                            "end": {"line": hit.end.line, "character": hit.end.utf16},
                        },
                        "context": context,
                    })
                })
                .collect();
            // Serializing plain JSON values cannot fail.
            let json = serde_json::to_string_pretty(&elements).unwrap_or_default();
            out.write_all(json.as_bytes());
            out.write_all(b"\n");
        }
    }
    out.flush();
    if total == 0 {
        let pages = files.len();
        eprintln!("No occurrence of `{}` in {pages} page{}.", args.term, if pages == 1 { "" } else { "s" });
    }
    if failed.load(std::sync::atomic::Ordering::Relaxed) {
        ExitCode::from(2)
    } else if total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
