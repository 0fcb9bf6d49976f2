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
use crate::findings::Findings;
use crate::page::{lost_quotes_from, quote_evidence, Break, Line, Page, VerticalRun};
use crate::rules::duplicate_line::{self, Decision, LineFact};
use crate::types::Diagnostic;
use std::collections::HashMap;
use std::ops::Range;
use rayon::prelude::*;
use std::sync::Arc;

/// The rules that read the whole page, run over the whole page rather than per chunk.
pub const PAGE_WIDE_RULES: &[&str] = &[DUPLICATE_LINE, "blank-line-space"];

/// The diagnostic lists of one stretch of the page, each with the offset its ranges start from.
type Group = Vec<(usize, Arc<Vec<Diagnostic>>)>;

/// The page-wide rule whose per-line facts are kept per chunk.
const DUPLICATE_LINE: &str = "duplicate-line";

/// The smallest chunk, in bytes: smaller chunks would cost more in bookkeeping than they save.
pub const MIN_CHUNK: usize = 4096;

/// From this many chunks to parse or check on, the work goes to the thread pool. Fewer (a
/// keystroke's one or two) are done on the calling thread: a job handed to the pool would wait
/// while the pool indexes the corpus.
const PARALLEL_FROM: usize = 4;

/// One chunk's cached structure and diagnostics (offsets relative to the chunk).
struct Chunk {
    page: Page,
    has_quotes: bool,
    isolated: usize,
    /// The chunk rules' diagnostics, computed on demand, for `lost_quotes` false and true; shared
    /// with the findings handed out, never copied.
    diagnostics: [Option<Arc<Vec<Diagnostic>>>; 2],
    /// What `duplicate-line` knows of each of the chunk's lines on its own, found on demand.
    line_facts: Option<Vec<LineFact<'static>>>,
    /// The `duplicate-line` reports of the chunk at the last update (lines numbered within the
    /// chunk, the repeated line on the page) and their diagnostics, reused while they stay the same.
    repeated: Option<(Vec<Decision>, Arc<Vec<Diagnostic>>)>,
    /// The update that last used this chunk (unused chunks are dropped after each update).
    used: u64,
}

/// Keeps the chunks of one page (typically one open document) between analyses.
#[derive(Default)]
pub struct IncrementalAnalysis {
    config: Option<Config>,
    chunks: HashMap<Box<str>, Chunk, foldhash::fast::RandomState>,
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
        self.analyze_with_stats(text, config).0.to_vec()
    }

    /// The findings of `text` under `config` (the diagnostics of `analyze`, shared with the cache),
    /// also saying how much work was reused.
    pub fn analyze_with_stats(&mut self, text: &str, config: &Config) -> (Findings, UpdateStats) {
        if self.config.as_ref() != Some(config) {
            self.chunks.clear();
            self.config = Some(config.clone());
        }
        if config.ignore.iter().any(|word| word.contains(['\n', '\r'])) {
            self.chunks.clear();
            let diagnostics = crate::analyze(text, config);
            return (Findings::from_sorted(diagnostics), UpdateStats { chunks: 1, analysed: 1 });
        }
        self.updates += 1;
        let update = self.updates;
        let bounds = chunk_bounds(text);
        let mut stats = UpdateStats { chunks: bounds.len(), analysed: 0 };

        // Structure and quotation evidence of every chunk, parsed once per distinct chunk text (the
        // new chunks on all cores: a page just opened has nothing but new chunks).
        let missing: Vec<&str> = bounds.iter().map(|range| &text[range.clone()]).filter(|chunk_text| !self.chunks.contains_key(*chunk_text)).collect();
        let parse = |chunk_text: &str| new_chunk(chunk_text, config);
        let parsed: Vec<(&str, Chunk)> = if missing.len() >= PARALLEL_FROM {
            missing.into_par_iter().map(|chunk_text| (chunk_text, parse(chunk_text))).collect()
        } else {
            missing.into_iter().map(|chunk_text| (chunk_text, parse(chunk_text))).collect()
        };
        for (chunk_text, chunk) in parsed {
            self.chunks.entry(Box::from(chunk_text)).or_insert(chunk);
        }
        let (mut has_quotes, mut isolated) = (false, 0);
        for range in &bounds {
            if let Some(chunk) = self.chunks.get_mut(&text[range.clone()]) {
                chunk.used = update;
                has_quotes |= chunk.has_quotes;
                isolated += chunk.isolated;
            }
        }
        let lost_quotes = lost_quotes_from(has_quotes, isolated);
        let slot = usize::from(lost_quotes);

        // The chunk rules over the chunks that have no diagnostics for this page yet, on all cores.
        let todo: Vec<(&str, &mut Chunk)> = self
            .chunks
            .iter_mut()
            .filter(|(_, chunk)| chunk.used == update && chunk.diagnostics[slot].is_none())
            .map(|(chunk_text, chunk)| (chunk_text.as_ref(), chunk))
            .collect();
        stats.analysed = todo.len();
        let check = |(chunk_text, chunk): (&str, &mut Chunk)| {
            chunk.page.lost_quotes = lost_quotes;
            let found = crate::run_rules(chunk_text, &chunk.page, config, |info| !PAGE_WIDE_RULES.contains(&info.code));
            chunk.diagnostics[slot] = Some(Arc::new(found));
        };
        if todo.len() >= PARALLEL_FROM {
            todo.into_par_iter().for_each(check);
        } else {
            todo.into_iter().for_each(check);
        }

        // Each chunk's diagnostics, shared as they are (relative to the chunk's start).
        let mut groups: Vec<Group> = Vec::with_capacity(bounds.len());
        for range in &bounds {
            let chunk_text = &text[range.clone()];
            let mut group = Vec::with_capacity(2);
            if let Some(chunk) = self.chunks.get(chunk_text) {
                if let Some(found) = &chunk.diagnostics[slot] {
                    group.push((range.start, found.clone()));
                }
            }
            groups.push(group);
        }

        // The page-wide rules: `duplicate-line` from the chunks' line facts, the others over the
        // whole page's structure assembled from the chunks.
        let enabled = |code: &str| {
            crate::rules::rule_info(code).and_then(|info| config.severity_of(info.code, info.default_severity).map(|severity| (info, severity)))
        };
        let others_wanted = PAGE_WIDE_RULES.iter().any(|&code| code != DUPLICATE_LINE && enabled(code).is_some());
        let duplicate_severity = enabled(DUPLICATE_LINE).map(|(_, severity)| severity);
        let mut overlay = Vec::new();
        if others_wanted || duplicate_severity.is_some() {
            let page = self.assemble(text, &bounds, lost_quotes);
            if let Some(severity) = duplicate_severity {
                overlay.extend(self.repeated_lines(text, config, &bounds, &page, severity, &mut groups));
            }
            if others_wanted {
                overlay.extend(crate::run_rules(text, &page, config, |info| PAGE_WIDE_RULES.contains(&info.code) && info.code != DUPLICATE_LINE));
            }
            overlay.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
        }
        self.chunks.retain(|_, chunk| chunk.used == update);
        (Findings::assemble(groups, overlay), stats)
    }

    /// `duplicate-line` over the whole page: the lines are compared through the facts each chunk
    /// keeps, each chunk's reports are added to its group (reused while they stay the same), and
    /// the few reports whose deletion reaches back into the chunk before are returned whole.
    fn repeated_lines(
        &mut self,
        text: &str,
        config: &Config,
        bounds: &[Range<usize>],
        page: &Page,
        severity: crate::Severity,
        groups: &mut [Group],
    ) -> Vec<Diagnostic> {
        // Each chunk's facts, found once per chunk text.
        for range in bounds {
            let chunk_text = &text[range.clone()];
            let Some(chunk) = self.chunks.get_mut(chunk_text) else { continue };
            if chunk.line_facts.is_none() {
                let cx = crate::rules::Context::new(chunk_text, &chunk.page, config);
                chunk.line_facts = Some(duplicate_line::line_facts(&cx, true).into_iter().map(LineFact::into_owned).collect());
            }
        }
        // Where each chunk's lines and paragraphs start on the page.
        let mut first_lines = Vec::with_capacity(bounds.len());
        let mut first_paragraphs = Vec::with_capacity(bounds.len());
        let (mut lines, mut paragraphs) = (0, 0);
        for range in bounds {
            let Some(chunk) = self.chunks.get(&text[range.clone()]) else { continue };
            first_lines.push(lines);
            first_paragraphs.push(paragraphs);
            lines += chunk.page.lines.len();
            paragraphs += chunk.page.paragraphs.len();
        }
        let chunk_of = |line: usize| first_lines.partition_point(|&first| first <= line).saturating_sub(1);

        // The lines compared over the whole page.
        let decisions = {
            let mut facts: Vec<&LineFact<'static>> = Vec::with_capacity(lines);
            for range in bounds {
                if let Some(facts_of_chunk) = self.chunks.get(&text[range.clone()]).and_then(|chunk| chunk.line_facts.as_ref()) {
                    facts.extend(facts_of_chunk.iter());
                }
            }
            // A tail left unknown belongs to the first line of a chunk's first paragraph: the text
            // before it is the previous paragraph of the page.
            let unknown_tail = |line: usize| {
                let p = first_paragraphs[chunk_of(line)];
                let Some(key) = facts[line].key.as_deref() else { return false };
                let normalized = |index: usize| duplicate_line::without_spaces(text.get(page.lines[index].range.clone()).unwrap_or(""));
                duplicate_line::ends_with_line(&page.paragraphs, normalized, p, 0, key)
            };
            duplicate_line::decide(&facts, unknown_tail)
        };

        // Each chunk's reports, with its lines numbered within it.
        let mut per_chunk: Vec<Vec<Decision>> = vec![Vec::new(); bounds.len()];
        let mut whole = Vec::new();
        for decision in decisions {
            let chunk = chunk_of(decision.stray);
            let local = decision.stray - first_lines[chunk];
            if local == 0 && chunk > 0 {
                // Its deletion may take the blank lines that end the chunk before.
                let range = &bounds[chunk];
                let key = self.chunks.get(&text[range.clone()]).and_then(|found| found.line_facts.as_ref()).and_then(|facts| facts[0].key.clone());
                let mut diagnostic = duplicate_line::diagnostic(&page.lines, decision.stray, decision.other, key.as_deref().unwrap_or(""));
                diagnostic.severity = severity;
                whole.push(diagnostic);
            } else {
                per_chunk[chunk].push(Decision { stray: local, other: decision.other });
            }
        }
        crate::drop_ignored(text, config, &mut whole);
        for ((range, decisions), group) in bounds.iter().zip(per_chunk).zip(groups.iter_mut()) {
            let chunk_text = &text[range.clone()];
            let Some(chunk) = self.chunks.get_mut(chunk_text) else { continue };
            let reused = chunk.repeated.as_ref().filter(|(previous, _)| *previous == decisions).map(|(_, found)| found.clone());
            let found = match reused {
                Some(found) => found,
                None => {
                    let facts = chunk.line_facts.as_deref().unwrap_or_default();
                    let mut found: Vec<Diagnostic> = decisions
                        .iter()
                        .map(|decision| {
                            let key = facts.get(decision.stray).and_then(|fact| fact.key.as_deref()).unwrap_or("");
                            let mut diagnostic = duplicate_line::diagnostic(&chunk.page.lines, decision.stray, decision.other, key);
                            diagnostic.severity = severity;
                            diagnostic
                        })
                        .collect();
                    crate::drop_ignored(chunk_text, config, &mut found);
                    found.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
                    let found = Arc::new(found);
                    chunk.repeated = Some((decisions, found.clone()));
                    found
                }
            };
            if !found.is_empty() {
                group.push((range.start, found));
            }
        }
        whole
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
    Chunk { page, has_quotes, isolated, diagnostics: [None, None], line_facts: None, repeated: None, used: 0 }
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
        let (findings, stats) = incremental.analyze_with_stats(&text, &config);
        assert!(stats.chunks > 1);
        assert_eq!(findings.to_vec(), crate::analyze(&text, &config));
        let bounds = chunk_bounds(&text);
        let whole = Page::parse(&text);
        let assembled = incremental.assemble(&text, &bounds, whole.lost_quotes);
        assert_eq!(format!("{assembled:?}"), format!("{whole:?}"));
    }
}
