//! `kanwu refs TERM [PATH…]`: every occurrence of a term across the pages, OCR-aware (found through wraps and stray spaces), as `path:line:col: context` or JSON.

use crate::files::{collect_pages, read_page};
use crate::progress::Progress;
use crate::stats_cmd::glossaries_of;
use crate::Stdout;
use kanwu_core::index::Hit;
use kanwu_core::terms::TermQuery;
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
    /// Search the text alone, wherever it occurs (as `rg -F` would, through wraps and stray
    /// spaces), not the glossary entry it names with the entry's other names.
    #[arg(long)]
    pub literal: bool,
}

/// How many characters of context each side of a hit the human output shows.
const CONTEXT_CHARS: usize = 12;

/// Runs `kanwu refs`: exit 0 when the term was found, 1 when not (with a sentence on stderr saying
/// so), 2 when pages cannot be read. A glossary term is searched with its entry's other names, as
/// the core's one term search does for Find References and the hover's count.
pub fn run(args: RefsArgs, allow_outside: &[PathBuf]) -> ExitCode {
    let paths = crate::default_paths(args.paths);
    let pages = match collect_pages(&paths) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let Some(glossaries) = glossaries_of(&pages, allow_outside) else { return ExitCode::from(2) };
    // One query per glossary (pages of one folder share theirs).
    let queries: std::collections::HashMap<usize, TermQuery> = glossaries
        .iter()
        .map(|(&key, glossary)| (key, if args.literal { TermQuery::literal(&args.term) } else { TermQuery::new(&args.term, glossary) }))
        .collect();
    let failed = std::sync::atomic::AtomicBool::new(false);
    let progress = Progress::new(pages.len(), "searching");
    // A one-off search needs no index: each page is scanned on all cores, and only pages whose raw
    // text may hold a spelling (its characters with at most whitespace between) are parsed and
    // normalized, so hits are exactly those of the corpus index.
    let mut found: Vec<(&PathBuf, Vec<(Hit, String)>)> = pages
        .par_iter()
        .filter_map(|page| {
            let path = &page.display;
            let query = &queries[&crate::stats_cmd::settings_key(page)];
            let found = match read_page(path) {
                Ok(read) => read.map(|read| query.in_text(&read.text, CONTEXT_CHARS)).filter(|hits| !hits.is_empty()),
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
        let pages = pages.len();
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
