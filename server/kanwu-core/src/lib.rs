//! Kanwu's analysis core: finds and fixes OCR and text-extraction artefacts in Chinese newspaper pages.
//!
//! Everything here works on `&str` with UTF-8 byte offsets and returns plain types; no LSP.

pub mod chars;
pub mod config;
pub mod decode;
pub mod evidence;
pub mod findings;
pub mod fixer;
pub mod glossary;
pub mod incremental;
pub mod index;
pub mod lexicon;
pub mod line_index;
pub mod normalized;
pub mod outline;
pub mod page;
pub mod rules;
pub mod spacing;
pub mod suppress;
pub mod terms;
pub mod types;
pub mod workspace;

/// The segmenter under its earlier name: [`lexicon`].
pub use lexicon as segment;

pub use config::{Config, ConfigError};
pub use findings::{Findings, Found};
pub use fixer::{fix_page, fix_text, FixOptions, FixOutcome, FixRequest};
pub use line_index::{LineCol, LineIndex, PositionCursor, PositionEncoding};
pub use page::Page;
pub use types::{Diagnostic, Edit, Fix, Locale, LocatedError, Message, SettingsFile, Severity};

pub use evidence::Evidence;
use rules::Context;

/// Checks one page with every enabled rule and returns its diagnostics sorted by position; rules
/// judge the page alone (see [`analyze_with`]).
pub fn analyze(text: &str, config: &Config) -> Vec<Diagnostic> {
    analyze_with(text, config, Evidence::NONE)
}

/// Checks one page with corpus evidence: what the rest of the corpus says, an explicit, versioned
/// input (see [`evidence`]).
pub fn analyze_with(text: &str, config: &Config, evidence: Evidence<'_>) -> Vec<Diagnostic> {
    let page = Page::parse_tuned(text, &config.tuning);
    run_rules(text, &page, config, evidence, |_| true).0
}

/// Checks a page whose structure is already parsed.
pub fn analyze_page(text: &str, page: &Page, config: &Config) -> Vec<Diagnostic> {
    run_rules(text, page, config, Evidence::NONE, |_| true).0
}

/// Runs the enabled rules that `select` accepts over a parsed page; severities applied, ignored
/// words dropped, sorted by position (the incremental analysis runs rule subsets through this).
/// Also says whether a rule consulted the evidence.
pub(crate) fn run_rules(
    text: &str,
    page: &Page,
    config: &Config,
    evidence: Evidence<'_>,
    select: impl Fn(&dyn rules::Rule) -> bool,
) -> (Vec<Diagnostic>, bool) {
    let cx = Context::with_evidence(text, page, config, evidence);
    let mut diagnostics = Vec::new();
    for rule in rules::all_rules() {
        if !select(*rule) {
            continue;
        }
        let info = rule.info();
        let Some(severity) = config.severity_of(info.code, info.default_severity) else {
            continue;
        };
        let first = diagnostics.len();
        rule.check(&cx, &mut diagnostics);
        for diagnostic in &mut diagnostics[first..] {
            diagnostic.severity = severity;
        }
    }
    drop_ignored(text, config, &mut diagnostics);
    diagnostics.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
    (diagnostics, cx.consulted_evidence())
}

/// Removes diagnostics that lie inside a word or phrase the configuration says to leave alone.
pub(crate) fn drop_ignored(text: &str, config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    if config.ignore.is_empty() || diagnostics.is_empty() {
        return;
    }
    let Ok(matcher) = aho_corasick::AhoCorasick::new(&config.ignore) else {
        return;
    };
    let protected: Vec<std::ops::Range<usize>> = matcher.find_overlapping_iter(text).map(|m| m.range()).collect();
    if protected.is_empty() {
        return;
    }
    diagnostics
        .retain(|diagnostic| !protected.iter().any(|range| range.start <= diagnostic.range.start && diagnostic.range.end <= range.end));
}
