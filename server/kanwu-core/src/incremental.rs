//! Incremental analysis of big pages: the page is cut into independent chunks, each chunk's
//! diagnostics are cached by its text, and after an edit only the chunks that changed are checked
//! again. The result is exactly what [`crate::analyze`] gives for the whole page.
//!
//! # Where a page is cut
//!
//! A chunk ends after the blank lines that follow a line ending a sentence (`。`, `！` or `？` as its
//! very last character), and the next chunk starts with a line whose first character is a Chinese
//! character; a chunk is at least [`MIN_CHUNK`] bytes long. Such a cut never falls inside a block
//! (blocks are separated by blank lines), so no wrap, headline block or vertical heading crosses
//! it; the line before it cannot be continued by a blank split (it does not end in mid-sentence);
//! no rule carries a paragraph on across it (bracket pairing stops at a sentence end and only looks
//! ahead for an opening quotation mark); and message excerpts stop at line breaks. Only truly empty
//! lines count as blank here, so a blank line holding spaces never makes a cut. Because cut points
//! depend only on the text around them, an edit moves at most the cuts next to it, and the chunks
//! further away keep their text and their cached results.
//!
//! # Page-wide facts
//!
//! - Whether the page lost its quotation marks (`page.lost_quotes`, read by `cjk-space` and
//!   `dropped-quote`) is decided from evidence that adds up over chunks (see
//!   `page::quote_evidence`); a chunk's diagnostics are cached per value of that fact.
//! - The rules of [`PAGE_WIDE_RULES`] read the whole page: `duplicate-line` compares each line with
//!   every earlier line and with the paragraph before it, and both it and `blank-line-space` quote
//!   line numbers in their messages. They are not run per chunk; they run once per update over the
//!   whole page, whose structure is assembled from the chunks' cached structures (no reparse).
//! - An `ignore` word holding a line break could span a cut: with such a word the whole page is
//!   analysed at once.
//! - A change of configuration empties the cache.

use crate::config::Config;
use crate::page::{lost_quotes_from, quote_evidence, Break, Line, Page, VerticalRun};
use crate::types::Diagnostic;
use std::collections::HashMap;
use std::ops::Range;

/// The rules that read the whole page, run over the whole page rather than per chunk.
pub const PAGE_WIDE_RULES: &[&str] = &["duplicate-line", "blank-line-space"];

/// The smallest chunk, in bytes: smaller chunks would cost more in bookkeeping than they save.
pub const MIN_CHUNK: usize = 4096;

/// One chunk's cached structure and diagnostics (offsets relative to the chunk).
struct Chunk {
    page: Page,
    has_quotes: bool,
    isolated: usize,
    /// The chunk rules' diagnostics, computed on demand, for `lost_quotes` false and true.
    diagnostics: [Option<Vec<Diagnostic>>; 2],
    /// The update that last used this chunk (unused chunks are dropped after each update).
    used: u64,
}

/// Keeps the chunks of one page (typically one open document) between analyses.
#[derive(Default)]
pub struct IncrementalAnalysis {
    config: Option<Config>,
    chunks: HashMap<Box<str>, Chunk>,
    updates: u64,
}

impl std::fmt::Debug for IncrementalAnalysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncrementalAnalysis").field("chunks", &self.chunks.len()).field("updates", &self.updates).finish()
    }
}

/// What the last update reused and recomputed, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpdateStats {
    pub chunks: usize,
    /// Chunks whose diagnostics were computed in this update.
    pub analysed: usize,
}

impl IncrementalAnalysis {
    pub fn new() -> IncrementalAnalysis {
        IncrementalAnalysis::default()
    }

    /// The diagnostics of `text` under `config`: the same, in the same order, as `analyze`.
    pub fn analyze(&mut self, text: &str, config: &Config) -> Vec<Diagnostic> {
        self.analyze_with_stats(text, config).0
    }

    /// Like [`IncrementalAnalysis::analyze`], also saying how much work was reused.
    pub fn analyze_with_stats(&mut self, text: &str, config: &Config) -> (Vec<Diagnostic>, UpdateStats) {
        if self.config.as_ref() != Some(config) {
            self.chunks.clear();
            self.config = Some(config.clone());
        }
        if config.ignore.iter().any(|word| word.contains(['\n', '\r'])) {
            self.chunks.clear();
            let diagnostics = crate::analyze(text, config);
            return (diagnostics, UpdateStats { chunks: 1, analysed: 1 });
        }
        self.updates += 1;
        let update = self.updates;
        let bounds = chunk_bounds(text);
        let mut stats = UpdateStats { chunks: bounds.len(), analysed: 0 };

        // Structure and quotation evidence of every chunk, parsed once per distinct chunk text.
        let (mut has_quotes, mut isolated) = (false, 0);
        for range in &bounds {
            let chunk_text = &text[range.clone()];
            let chunk = match self.chunks.get_mut(chunk_text) {
                Some(chunk) => chunk,
                None => self.chunks.entry(Box::from(chunk_text)).or_insert_with(|| new_chunk(chunk_text, config)),
            };
            chunk.used = update;
            has_quotes |= chunk.has_quotes;
            isolated += chunk.isolated;
        }
        let lost_quotes = lost_quotes_from(has_quotes, isolated);

        // Each chunk's diagnostics, shifted to page offsets.
        let mut diagnostics = Vec::new();
        for range in &bounds {
            let chunk_text = &text[range.clone()];
            let Some(chunk) = self.chunks.get_mut(chunk_text) else { continue };
            let slot = usize::from(lost_quotes);
            if chunk.diagnostics[slot].is_none() {
                chunk.page.lost_quotes = lost_quotes;
                let found = crate::run_rules(chunk_text, &chunk.page, config, |info| !PAGE_WIDE_RULES.contains(&info.code));
                chunk.diagnostics[slot] = Some(found);
                stats.analysed += 1;
            }
            for diagnostic in chunk.diagnostics[slot].iter().flatten() {
                diagnostics.push(shifted(diagnostic, range.start));
            }
        }

        // The page-wide rules, over the whole page's structure assembled from the chunks.
        let wanted = PAGE_WIDE_RULES.iter().any(|code| {
            crate::rules::rule_info(code).is_some_and(|info| config.severity_of(info.code, info.default_severity).is_some())
        });
        if wanted {
            let page = self.assemble(text, &bounds, lost_quotes);
            diagnostics.extend(crate::run_rules(text, &page, config, |info| PAGE_WIDE_RULES.contains(&info.code)));
        }
        diagnostics.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
        self.chunks.retain(|_, chunk| chunk.used == update);
        (diagnostics, stats)
    }

    /// The structure of the whole page, from the cached structures of its chunks.
    fn assemble(&self, text: &str, bounds: &[Range<usize>], lost_quotes: bool) -> Page {
        let mut page = Page { lost_quotes, ..Page::default() };
        for range in bounds {
            let Some(chunk) = self.chunks.get(&text[range.clone()]) else { continue };
            let (offset, first) = (range.start, page.lines.len());
            let part = &chunk.page;
            page.lines.extend(part.lines.iter().map(|line| Line {
                range: line.range.start + offset..line.range.end + offset,
                next_start: line.next_start + offset,
                kind: line.kind,
            }));
            page.breaks.extend(part.breaks.iter().map(|join| Break {
                from_line: join.from_line + first,
                to_line: join.to_line + first,
                kind: join.kind,
                range: join.range.start + offset..join.range.end + offset,
            }));
            page.paragraphs.extend(part.paragraphs.iter().map(|paragraph| paragraph.iter().map(|index| index + first).collect()));
            page.vertical_runs.extend(
                part.vertical_runs.iter().map(|run| VerticalRun { first_line: run.first_line + first, last_line: run.last_line + first }),
            );
        }
        page
    }
}

fn new_chunk(text: &str, config: &Config) -> Chunk {
    let page = Page::parse_tuned(text, &config.tuning);
    let (has_quotes, isolated) = quote_evidence(text, &page.lines);
    Chunk { page, has_quotes, isolated, diagnostics: [None, None], used: 0 }
}

/// A copy of `diagnostic` with every offset moved on by `by`.
fn shifted(diagnostic: &Diagnostic, by: usize) -> Diagnostic {
    let mut copy = diagnostic.clone();
    if by > 0 {
        copy.range = copy.range.start + by..copy.range.end + by;
        for fix in &mut copy.fixes {
            for edit in &mut fix.edits {
                edit.range = edit.range.start + by..edit.range.end + by;
            }
        }
    }
    copy
}

/// Cuts `text` into chunks at the safe places described in the module documentation.
pub fn chunk_bounds(text: &str) -> Vec<Range<usize>> {
    let mut bounds = Vec::new();
    let mut start = 0;
    let (mut sentence_ended, mut blank_since) = (false, false);
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = text[line_start..].find('\n').map_or(text.len(), |at| line_start + at);
        let content = text[line_start..line_end].strip_suffix('\r').unwrap_or(&text[line_start..line_end]);
        if content.is_empty() {
            blank_since = true;
        } else {
            let first_is_han = content.chars().next().is_some_and(crate::chars::is_han);
            if sentence_ended && blank_since && first_is_han && line_start - start >= MIN_CHUNK {
                bounds.push(start..line_start);
                start = line_start;
            }
            sentence_ended = content.ends_with(['。', '！', '？']);
            blank_since = false;
        }
        line_start = line_end + 1;
    }
    if start < text.len() || bounds.is_empty() {
        bounds.push(start..text.len());
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_after_a_sentence_and_blank_lines() {
        let paragraph = "社区工作人员每天挨家挨户登记返乡人员信息，核对健康状况。\n".repeat(100);
        let text = format!("{paragraph}\n{paragraph}\n，{paragraph}");
        let bounds = chunk_bounds(&text);
        assert_eq!(bounds.len(), 2, "{bounds:?}");
        assert_eq!(bounds[0], 0..paragraph.len() + 1);
        assert_eq!(bounds[1].end, text.len());
        assert_eq!(chunk_bounds(""), vec![0..0]);
    }

    #[test]
    fn assembled_structure_equals_the_parsed_page() {
        let paragraph = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况。\n".repeat(60);
        let text = format!("标题\n\n{paragraph}\n\n{paragraph}\n 守\n望\n\n{paragraph}");
        let config = Config::with_defaults();
        let mut incremental = IncrementalAnalysis::new();
        let (diagnostics, stats) = incremental.analyze_with_stats(&text, &config);
        assert!(stats.chunks > 1);
        assert_eq!(diagnostics, crate::analyze(&text, &config));
        let bounds = chunk_bounds(&text);
        let whole = Page::parse(&text);
        let assembled = incremental.assemble(&text, &bounds, whole.lost_quotes);
        assert_eq!(format!("{assembled:?}"), format!("{whole:?}"));
    }
}
