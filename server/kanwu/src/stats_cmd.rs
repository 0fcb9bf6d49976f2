//! `kanwu stats [PATH…]`: pages, articles, characters, diagnostics per rule and the most frequent glossary terms of a corpus.

use crate::files::{collect_pages, read_page, suppression_key, PageFile};
use crate::progress::Progress;
use crate::Stdout;
use kanwu_core::glossary::Glossary;
use kanwu_core::terms::EntryCounter;
use kanwu_core::workspace::project_files::load_glossary;
use kanwu_core::{analyze_page, Page};
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

/// The output formats of `kanwu stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    Human,
    Json,
}

/// The arguments of `kanwu stats`.
#[derive(clap::Args)]
pub struct StatsArgs {
    /// Files or folders; the current folder when none is given.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = StatsFormat::Human)]
    pub format: StatsFormat,
    /// How many glossary terms to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// The figures of one page, or of the whole corpus once added up.
#[derive(Default)]
struct Figures {
    pages: usize,
    articles: usize,
    characters: usize,
    rules: BTreeMap<&'static str, usize>,
    terms: HashMap<String, usize>,
    failed: bool,
}

impl Figures {
    fn add(&mut self, other: Figures) {
        self.pages += other.pages;
        self.articles += other.articles;
        self.characters += other.characters;
        for (code, count) in other.rules {
            *self.rules.entry(code).or_default() += count;
        }
        for (term, count) in other.terms {
            *self.terms.entry(term).or_default() += count;
        }
        self.failed |= other.failed;
    }
}

/// Counts one page.
fn page_figures(file: &PageFile, glossary: &Glossary, counter: &EntryCounter, progress: &Progress) -> Figures {
    let mut figures = Figures::default();
    let text = match read_page(&file.display) {
        Ok(Some(read)) => read.text,
        Ok(None) => return figures,
        Err(error) => {
            progress.suspend(|| eprintln!("error: {error:#}"));
            figures.failed = true;
            return figures;
        }
    };
    let config = &file.settings.config;
    let page = Page::parse_tuned(&text, &config.tuning);
    figures.pages = 1;
    figures.articles = kanwu_core::outline::article_count(&text, &page);
    figures.characters = text.chars().filter(|c| !c.is_whitespace()).count();
    let mut diagnostics = analyze_page(&text, &page, config);
    if let Some(key) = suppression_key(&file.settings, &file.display) {
        file.settings.suppressions.retain(&key, &text, &mut diagnostics);
    }
    for diagnostic in &diagnostics {
        *figures.rules.entry(diagnostic.code).or_default() += 1;
    }
    for (entry, count) in counter.count(&text) {
        *figures.terms.entry(glossary.entry(entry).term.clone()).or_default() += count;
    }
    figures
}

/// The key of a page's settings: pages of one folder share them, and so their glossary.
pub fn settings_key(page: &PageFile) -> usize {
    std::sync::Arc::as_ptr(&page.settings) as usize
}

/// One glossary per configuration of the pages, by [`settings_key`], with warnings printed; `None`
/// (after printing the error) when one cannot be loaded.
pub fn glossaries_of(pages: &[PageFile], allow_outside: &[PathBuf]) -> Option<HashMap<usize, Glossary>> {
    let mut glossaries: HashMap<usize, Glossary> = HashMap::new();
    for page in pages {
        if let std::collections::hash_map::Entry::Vacant(slot) = glossaries.entry(settings_key(page)) {
            match load_glossary(&page.settings.config, allow_outside) {
                Ok(loaded) => {
                    crate::glossary_cmd::report_warnings(&loaded.warnings);
                    slot.insert(loaded.glossary);
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    return None;
                }
            }
        }
    }
    Some(glossaries)
}

/// Runs `kanwu stats`: exit 0, or 2 when pages or the configuration cannot be read.
pub fn run(args: StatsArgs, allow_outside: &[PathBuf]) -> ExitCode {
    let paths = crate::default_paths(args.paths);
    let pages = match collect_pages(&paths) {
        Ok(pages) => pages,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let Some(glossaries) = glossaries_of(&pages, allow_outside) else { return ExitCode::from(2) };
    // Each glossary's entries are counted by the one term search, as `kanwu refs` finds them.
    let counters: HashMap<usize, (&Glossary, EntryCounter)> =
        glossaries.iter().map(|(&key, glossary)| (key, (glossary, EntryCounter::new(glossary)))).collect();
    let progress = Progress::new(pages.len(), "counting");
    let total = pages
        .par_iter()
        .map(|page| {
            let (glossary, counter) = &counters[&settings_key(page)];
            let figures = page_figures(page, glossary, counter, &progress);
            progress.inc(1);
            figures
        })
        .reduce(Figures::default, |mut total, page| {
            total.add(page);
            total
        });
    progress.finish();
    let mut terms: Vec<(&String, &usize)> = total.terms.iter().collect();
    terms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    terms.truncate(args.top);
    let diagnostics: usize = total.rules.values().sum();
    let mut out = Stdout::lock();
    match args.format {
        StatsFormat::Human => {
            writeln!(out, "pages: {}", total.pages);
            writeln!(out, "articles: {}", total.articles);
            writeln!(out, "characters: {}", total.characters);
            writeln!(out, "diagnostics: {diagnostics}");
            let mut rules: Vec<(&&str, &usize)> = total.rules.iter().collect();
            rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (code, count) in rules {
                writeln!(out, "  {code}: {count}");
            }
            writeln!(out, "glossary terms:");
            for (term, count) in &terms {
                writeln!(out, "  {term}: {count}");
            }
        }
        StatsFormat::Json => {
            let value = json!({
                "pages": total.pages,
                "articles": total.articles,
                "characters": total.characters,
                "diagnostics": diagnostics,
                "rules": total.rules,
                "terms": terms.iter().map(|(term, count)| json!({"term": term, "count": count})).collect::<Vec<_>>(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        }
    }
    out.flush();
    if total.failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
