//! Incremental analysis of big pages: the page is cut into independent chunks, each chunk's
//! diagnostics are cached by its text, and after an edit only the chunks that changed are checked
//! again. The result is exactly what [`crate::analyze`] gives for the whole page.
//!
//! # Where a page is cut
//!
//! The page is cut where [`crate::page::chunks`] says, at places no rule reads across; each chunk
//! is told what it cannot see of the blocks it shares with the chunks beside it.
//!
//! # Page-wide facts
//!
//! - Whether the page lost its quotation marks (`page.lost_quotes`, read by `cjk-space` and
//!   `dropped-quote`) is decided from evidence that adds up over chunks (see
//!   `page::quote_evidence`); a chunk's diagnostics are cached per value of that fact.
//! - The rules whose metadata says they read the whole page ([`Scope::Page`]: they compare distant
//!   lines, or quote page line numbers in their messages) are not run per chunk. One that offers a
//!   chunked check ([`crate::rules::Rule::chunked`], see [`crate::rules::ChunkedRule`]) gathers facts
//!   per chunk, kept with the chunk, and compares them over the page once per update; what it reports
//!   in a chunk keeps its diagnostics while the reports stay the same. Any other page rule runs once
//!   per update over the whole page, whose structure is assembled from the chunks' cached
//!   structures (no reparse).
//! - An `ignore` word holding a line break could span a cut: with such a word the whole page is
//!   analysed at once.
//! - A change of configuration empties the cache.

use crate::config::Config;
use crate::evidence::{Evidence, EvidenceKey};
use crate::findings::Findings;
use crate::page::chunks::previous_line_is_empty;
pub use crate::page::chunks::{chunk_bounds, LOOK_BACK, MIN_CHUNK};
use crate::page::{block_edges, lost_quotes_from, quote_evidence, BlockOutside, BlockShape, Break, Line, Page, VerticalRun};
use crate::rules::{ChunkFacts, ChunkReports, ChunkView, ChunkedCheck, Context, Rule, Scope};
use crate::types::{Diagnostic, Severity};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// The diagnostic lists of one stretch of the page, each with the offset its ranges start from.
type Group = Vec<(usize, Arc<Vec<Diagnostic>>)>;

/// From this many chunks to parse or check on, the work goes to the thread pool. Fewer (a
/// keystroke's one or two) are done on the calling thread: a job handed to the pool would wait
/// while the pool indexes the corpus.
const PARALLEL_FROM: usize = 4;

/// What a chunk cannot see of the blocks it shares with the chunks before and after it.
type Outside = (BlockOutside, BlockOutside);

/// One chunk of the page at this update: where it is, and what it cannot see of its edge blocks.
struct Piece {
    range: Range<usize>,
    outside: Outside,
}

/// One chunk's cached structure and diagnostics (offsets relative to the chunk).
struct Chunk {
    /// What the chunk was parsed with of the blocks it shares (a chunk text may be cached parsed
    /// with different values, as when it occurs twice on the page).
    outside: Outside,
    page: Page,
    has_quotes: bool,
    isolated: usize,
    /// The chunk rules' diagnostics, computed on demand, for `lost_quotes` false and true; shared
    /// with the findings handed out, never copied.
    diagnostics: [Option<Arc<Vec<Diagnostic>>>; 2],
    /// For each of those, the key of the evidence it was checked with when a rule consulted it
    /// (`None` when none did: the diagnostics hold under any evidence).
    evidence_keys: [Option<EvidenceKey>; 2],
    /// What each chunked page rule keeps of the chunk, by rule code.
    chunked: Vec<(&'static str, ChunkedState)>,
    /// The update that last used this chunk (unused chunks are dropped after each update).
    used: u64,
}

/// Keeps the chunks of one page (typically one open document) between analyses.
#[derive(Default)]
pub struct IncrementalAnalysis {
    config: Option<Config>,
    chunks: HashMap<Box<str>, Vec<Chunk>, foldhash::fast::RandomState>,
    /// The edge blocks of chunks next to a cut inside a block, by chunk text, with the update that
    /// last used them.
    edges: HashMap<Box<str>, (Edges, u64), foldhash::fast::RandomState>,
    updates: u64,
}

/// A chunk's first and last blocks as parts of blocks that go on in the chunks beside it
/// ([`block_edges`]).
#[derive(Clone, Debug, Default)]
struct Edges {
    first: BlockShape,
    last: BlockShape,
    /// The chunk is one block from its start to its end.
    whole: bool,
}

/// What one chunked page rule keeps of one chunk.
#[derive(Default)]
struct ChunkedState {
    /// The rule's facts of the chunk on its own, found on demand.
    facts: Option<ChunkFacts>,
    /// The rule's reports in the chunk at the last update and their diagnostics, reused while the
    /// reports stay the same.
    reported: Option<(ChunkReports, Arc<Vec<Diagnostic>>)>,
}

/// The state that the chunked rule `code` keeps in `states`, made when missing.
fn state_of<'a>(states: &'a mut Vec<(&'static str, ChunkedState)>, code: &'static str) -> &'a mut ChunkedState {
    let index = match states.iter().position(|(known, _)| *known == code) {
        Some(index) => index,
        None => {
            states.push((code, ChunkedState::default()));
            states.len() - 1
        }
    };
    &mut states[index].1
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
        match self.analyze_until(text, config, &|| false) {
            Some(done) => done,
            None => unreachable!("an analysis that is never stopped finishes"),
        }
    }

    /// Like [`IncrementalAnalysis::analyze_with_stats`], giving up (`None`) as soon as `stop` says
    /// the result is no longer wanted (a newer edit came). The chunks finished by then stay cached
    /// for the next analysis.
    pub fn analyze_until(&mut self, text: &str, config: &Config, stop: &(dyn Fn() -> bool + Sync)) -> Option<(Findings, UpdateStats)> {
        self.analyze_with_evidence_until(text, config, Evidence::NONE, stop)
    }

    /// Like [`IncrementalAnalysis::analyze_until`] with corpus evidence: the same, in the same
    /// order, as `analyze_with`. A chunk's cached diagnostics are reused under other evidence (a
    /// newer index) only when no rule consulted the evidence while checking it.
    pub fn analyze_with_evidence_until(
        &mut self,
        text: &str,
        config: &Config,
        evidence: Evidence<'_>,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<(Findings, UpdateStats)> {
        let evidence_key = evidence.key();
        if self.config.as_ref() != Some(config) {
            self.chunks.clear();
            self.edges.clear();
            self.config = Some(config.clone());
        }
        if config.ignore.iter().any(|word| word.contains(['\n', '\r'])) {
            self.chunks.clear();
            let diagnostics = crate::analyze_with(text, config, evidence);
            return Some((Findings::from_sorted(diagnostics), UpdateStats { chunks: 1, analysed: 1 }));
        }
        self.updates += 1;
        let update = self.updates;
        let bounds = chunk_bounds(text, &config.tuning);
        let mut stats = UpdateStats { chunks: bounds.len(), analysed: 0 };
        let pieces = self.pieces(text, bounds, update);

        // Structure and quotation evidence of every chunk, parsed once per distinct chunk text and
        // edge blocks (the new chunks on all cores: a page just opened has nothing but new chunks).
        let mut missing: Vec<(&str, Outside)> = Vec::new();
        for piece in &pieces {
            let chunk_text = &text[piece.range.clone()];
            if self.chunk(chunk_text, piece.outside).is_none() && !missing.contains(&(chunk_text, piece.outside)) {
                missing.push((chunk_text, piece.outside));
            }
        }
        // A chunk not parsed (stopped) is `None`.
        let parsed: Vec<(&str, Option<Chunk>)> = if missing.len() >= PARALLEL_FROM {
            missing
                .into_par_iter()
                .map(|(chunk_text, outside)| (chunk_text, (!stop()).then(|| new_chunk(chunk_text, config, outside))))
                .collect()
        } else {
            missing
                .into_iter()
                .map(|(chunk_text, outside)| (chunk_text, (!stop()).then(|| new_chunk(chunk_text, config, outside))))
                .collect()
        };
        for (chunk_text, chunk) in parsed {
            let Some(chunk) = chunk else { continue };
            self.chunks.entry(Box::from(chunk_text)).or_default().push(chunk);
        }
        if stop() {
            return None;
        }
        let (mut has_quotes, mut isolated) = (false, 0);
        for piece in &pieces {
            if let Some(chunk) = self.chunk_mut(&text[piece.range.clone()], piece.outside) {
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
            .flat_map(|(chunk_text, variants)| variants.iter_mut().map(move |chunk| (chunk_text.as_ref(), chunk)))
            .filter(|(_, chunk)| {
                chunk.used == update
                    && (chunk.diagnostics[slot].is_none() || chunk.evidence_keys[slot].is_some_and(|key| key != evidence_key))
            })
            .collect();
        stats.analysed = todo.len();
        let check = |(chunk_text, chunk): (&str, &mut Chunk)| {
            if stop() {
                return;
            }
            chunk.page.lost_quotes = lost_quotes;
            let (found, consulted) = crate::run_rules(chunk_text, &chunk.page, config, evidence, |rule| rule.info().scope != Scope::Page);
            chunk.diagnostics[slot] = Some(Arc::new(found));
            chunk.evidence_keys[slot] = consulted.then_some(evidence_key);
        };
        if todo.len() >= PARALLEL_FROM {
            todo.into_par_iter().for_each(check);
        } else {
            todo.into_iter().for_each(check);
        }
        if stop() {
            return None;
        }

        // Each chunk's diagnostics, shared as they are (relative to the chunk's start).
        let mut groups: Vec<Group> = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            let mut group = Vec::with_capacity(2);
            if let Some(chunk) = self.chunk(&text[piece.range.clone()], piece.outside) {
                if let Some(found) = &chunk.diagnostics[slot] {
                    group.push((piece.range.start, found.clone()));
                }
            }
            groups.push(group);
        }

        // The enabled page rules: those with a chunked check from the chunks' facts, the others
        // over the whole page's structure assembled from the chunks.
        let page_rules: Vec<(&'static dyn Rule, Severity)> = crate::rules::all_rules()
            .iter()
            .filter(|rule| rule.info().scope == Scope::Page)
            .filter_map(|&rule| config.severity_of(rule.info().code, rule.info().default_severity).map(|severity| (rule, severity)))
            .collect();
        let mut overlay = Vec::new();
        if !page_rules.is_empty() {
            let page = self.assemble(text, &pieces, lost_quotes);
            let mut unchunked = false;
            for &(rule, severity) in &page_rules {
                match rule.chunked() {
                    Some(check) => overlay.extend(self.chunked_rule(rule, check, text, config, &pieces, &page, severity, &mut groups)),
                    None => unchunked = true,
                }
            }
            if unchunked {
                overlay.extend(
                    crate::run_rules(text, &page, config, evidence, |rule| rule.info().scope == Scope::Page && rule.chunked().is_none()).0,
                );
            }
            overlay.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
        }
        self.chunks.retain(|_, variants| {
            variants.retain(|chunk| chunk.used == update);
            !variants.is_empty()
        });
        self.edges.retain(|_, (_, used)| *used == update);
        Some((Findings::assemble(groups, overlay), stats))
    }

    /// The cached chunk of `chunk_text` parsed with `outside`.
    fn chunk(&self, chunk_text: &str, outside: Outside) -> Option<&Chunk> {
        self.chunks.get(chunk_text)?.iter().find(|chunk| chunk.outside == outside)
    }

    fn chunk_mut(&mut self, chunk_text: &str, outside: Outside) -> Option<&mut Chunk> {
        self.chunks.get_mut(chunk_text)?.iter_mut().find(|chunk| chunk.outside == outside)
    }

    /// The chunks at `bounds` with what each cannot see of the blocks it shares with its
    /// neighbours: where a cut falls inside a block, the parts of that block on the other side (the
    /// edge blocks of the chunks there, kept by chunk text).
    fn pieces(&mut self, text: &str, bounds: Vec<Range<usize>>, update: u64) -> Vec<Piece> {
        let inside: Vec<bool> = bounds.iter().map(|range| range.start > 0 && !previous_line_is_empty(text, range.start)).collect();
        let count = bounds.len();
        let mut edges = vec![Edges::default(); count];
        for (index, range) in bounds.iter().enumerate() {
            let next_inside = index + 1 < count && inside[index + 1];
            if !inside[index] && !next_inside {
                continue;
            }
            let chunk_text = &text[range.clone()];
            let entry = match self.edges.get_mut(chunk_text) {
                Some(entry) => entry,
                None => self.edges.entry(Box::from(chunk_text)).or_insert_with(|| {
                    let (first, last, whole) = block_edges(chunk_text);
                    (Edges { first: first.unwrap_or_default(), last: last.unwrap_or_default(), whole }, 0)
                }),
            };
            entry.1 = update;
            edges[index] = entry.0.clone();
        }
        // From the left: the part of the open block in the chunks before each chunk.
        let mut before = vec![BlockShape::default(); count];
        let mut carry = BlockShape::default();
        for index in 0..count {
            if inside[index] {
                before[index] = carry.clone();
            }
            carry = if index + 1 < count && inside[index + 1] {
                if edges[index].whole {
                    before[index].and(&edges[index].last)
                } else {
                    edges[index].last.clone()
                }
            } else {
                BlockShape::default()
            };
        }
        // From the right: the part of the open block in the chunks after each chunk.
        let mut after = vec![BlockShape::default(); count];
        let mut carry = BlockShape::default();
        for index in (0..count).rev() {
            if index + 1 < count && inside[index + 1] {
                after[index] = carry.clone();
            }
            carry = if inside[index] {
                if edges[index].whole {
                    after[index].and(&edges[index].first)
                } else {
                    edges[index].first.clone()
                }
            } else {
                BlockShape::default()
            };
        }
        // What each chunk is told: the parts outside it, and its shared blocks' column widths.
        let mut outsides = vec![Outside::default(); count];
        for index in 0..count {
            let next_inside = index + 1 < count && inside[index + 1];
            let edge = &edges[index];
            if inside[index] {
                let mut block = before[index].and(&edge.first);
                if edge.whole && next_inside {
                    block = block.and(&after[index]);
                }
                outsides[index].0 = before[index].outside(block.column_width());
                // The widest line outside matters only to a blank split after this block, and there is
                // none when the chunk is this one block: then it is left out, so that typing in the
                // block's widest line elsewhere leaves this chunk's cache alone.
                if edge.whole {
                    outsides[index].0.width = 0;
                }
            }
            if next_inside {
                let mut block = edge.last.and(&after[index]);
                if edge.whole && inside[index] {
                    block = before[index].and(&block);
                }
                outsides[index].1 = after[index].outside(block.column_width());
                // A chunk's last block is never followed by a blank split inside the chunk.
                outsides[index].1.width = 0;
            }
        }
        bounds.into_iter().zip(outsides).map(|(range, outside)| Piece { range, outside }).collect()
    }

    /// A chunked page rule over the whole page: each chunk's facts (found once per chunk) are
    /// compared over the page, each chunk's reports are added to its group as diagnostics (reused
    /// while the reports stay the same), and the diagnostics that belong to no one chunk are
    /// returned whole.
    #[allow(clippy::too_many_arguments)]
    fn chunked_rule(
        &mut self,
        rule: &dyn Rule,
        check: &dyn ChunkedCheck,
        text: &str,
        config: &Config,
        pieces: &[Piece],
        page: &Page,
        severity: Severity,
        groups: &mut [Group],
    ) -> Vec<Diagnostic> {
        let code = rule.info().code;
        // Each chunk's facts, found once per chunk text.
        for piece in pieces {
            let chunk_text = &text[piece.range.clone()];
            let Some(Chunk { page: chunk_page, chunked, .. }) = self.chunk_mut(chunk_text, piece.outside) else { continue };
            let state = state_of(chunked, code);
            if state.facts.is_none() {
                state.facts = Some(check.chunk_facts(&Context::new(chunk_text, chunk_page, config)));
            }
        }
        // Where each chunk's lines and paragraphs start on the page, with its facts.
        let mut views: Vec<ChunkView<'_, ChunkFacts>> = Vec::with_capacity(pieces.len());
        let (mut lines, mut paragraphs) = (0, 0);
        for piece in pieces {
            let Some(chunk) = self.chunk(&text[piece.range.clone()], piece.outside) else { continue };
            let Some(facts) = chunk.chunked.iter().find(|(known, _)| *known == code).and_then(|(_, state)| state.facts.as_ref()) else {
                continue;
            };
            views.push(ChunkView { first_line: lines, first_paragraph: paragraphs, facts });
            lines += chunk.page.lines.len();
            paragraphs += chunk.page.paragraphs.len();
        }
        if views.len() != pieces.len() {
            // Every chunk is parsed by now; were one missing, the rule would run over the whole page.
            // Chunked rules compare the page with itself and never consult corpus evidence.
            return crate::run_rules(text, page, config, Evidence::NONE, |other| other.info().code == code).0;
        }
        let (reports, mut whole) = check.compare_chunks(text, page, &views);
        drop(views);
        for diagnostic in &mut whole {
            diagnostic.severity = severity;
        }
        crate::drop_ignored(text, config, &mut whole);

        // Each chunk's diagnostics, kept while its reports stay the same.
        for ((piece, reports), group) in pieces.iter().zip(reports).zip(groups.iter_mut()) {
            let chunk_text = &text[piece.range.clone()];
            let Some(Chunk { page: chunk_page, chunked, .. }) = self.chunk_mut(chunk_text, piece.outside) else { continue };
            let state = state_of(chunked, code);
            let reused =
                state.reported.as_ref().filter(|(previous, _)| check.same_reports(previous, &reports)).map(|(_, found)| found.clone());
            let found = match (reused, &state.facts) {
                (Some(found), _) => found,
                (None, Some(facts)) => {
                    let mut found = check.chunk_diagnostics(&Context::new(chunk_text, chunk_page, config), facts, &reports);
                    for diagnostic in &mut found {
                        diagnostic.severity = severity;
                    }
                    crate::drop_ignored(chunk_text, config, &mut found);
                    found.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
                    let found = Arc::new(found);
                    state.reported = Some((reports, found.clone()));
                    found
                }
                (None, None) => continue,
            };
            if !found.is_empty() {
                group.push((piece.range.start, found));
            }
        }
        whole
    }

    /// The structure of the whole page, from the cached structures of its chunks.
    fn assemble(&self, text: &str, pieces: &[Piece], lost_quotes: bool) -> Page {
        let mut page = Page { lost_quotes, ..Page::default() };
        for piece in pieces {
            let Some(chunk) = self.chunk(&text[piece.range.clone()], piece.outside) else { continue };
            let (offset, first) = (piece.range.start, page.lines.len());
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

fn new_chunk(text: &str, config: &Config, outside: Outside) -> Chunk {
    let page = Page::parse_within(text, &config.tuning, outside.0, outside.1);
    let (has_quotes, isolated) = quote_evidence(text, &page.lines);
    Chunk { outside, page, has_quotes, isolated, diagnostics: [None, None], evidence_keys: [None, None], chunked: Vec::new(), used: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembled_structure_equals_the_parsed_page() {
        let paragraph = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况。\n".repeat(60);
        let text = format!("标题\n\n{paragraph}\n\n{paragraph}\n 守\n望\n\n{paragraph}");
        let config = Config::with_defaults();
        let mut incremental = IncrementalAnalysis::new();
        let (findings, stats) = incremental.analyze_with_stats(&text, &config);
        assert!(stats.chunks > 1);
        assert_eq!(findings.to_vec(), crate::analyze(&text, &config));
        let bounds = chunk_bounds(&text, &config.tuning);
        let pieces = incremental.pieces(&text, bounds, incremental.updates);
        let whole = Page::parse(&text);
        let assembled = incremental.assemble(&text, &pieces, whole.lost_quotes);
        assert_eq!(format!("{assembled:?}"), format!("{whole:?}"));
    }
}
