//! The interface of a page-scope rule that the incremental analysis runs from facts kept per chunk.
//!
//! A rule such as `duplicate-line` compares lines over the whole page, yet most of its work is about
//! one line on its own. Such a rule splits its check into three steps, and the incremental analysis
//! ([`crate::incremental`]) calls them without knowing anything else of the rule:
//!
//! 1. [`ChunkedRule::facts`]: what the rule learns of one chunk of the page on its own, from the
//!    chunk's text and structure only (kept with the chunk, so found once per chunk text);
//! 2. [`ChunkedRule::compare`]: the comparison over the whole page, from every chunk's facts in page
//!    order, giving each chunk's reports (lines numbered within the chunk) and, whole, the few
//!    diagnostics that do not belong to one chunk alone;
//! 3. [`ChunkedRule::diagnostics`]: one chunk's reports as diagnostics relative to the chunk, kept
//!    while the chunk's reports stay the same.
//!
//! Run this way, the rule must give exactly what [`super::Rule::check`] gives over the whole page;
//! the engine applies the configured severity and the `ignore` list to what the steps return.
//! [`ChunkedCheck`] is the same interface with the rule's own types erased, as the engine holds it.

use super::Context;
use crate::page::Page;
use crate::types::Diagnostic;
use std::any::Any;

/// A page-scope rule's check split into per-chunk facts and a page-wide comparison.
pub trait ChunkedRule: Send + Sync {
    /// What the rule knows of one chunk on its own.
    type Facts: Send + Sync + 'static;
    /// One thing the rule reports in a chunk, compared with the last update's to reuse diagnostics.
    type Report: PartialEq + Send + Sync + 'static;

    /// The facts of the chunk that `cx` shows; the chunk may follow other text of the page.
    fn facts(&self, cx: &Context<'_>) -> Self::Facts;

    /// The comparison over the whole page.
    fn compare(&self, page: &ChunkedPage<'_, Self::Facts>) -> Comparison<Self::Report>;

    /// The diagnostics of `reports` in the chunk that `cx` shows, whose facts are `facts`.
    fn diagnostics(&self, cx: &Context<'_>, facts: &Self::Facts, reports: &[Self::Report]) -> Vec<Diagnostic>;
}

/// The whole page as a chunked rule compares it.
pub struct ChunkedPage<'a, F> {
    /// The text of the whole page.
    pub text: &'a str,
    /// The structure of the whole page, assembled from its chunks.
    pub page: &'a Page,
    /// Every chunk, in page order.
    pub chunks: Vec<ChunkView<'a, F>>,
}

/// One chunk of the page: where its lines and paragraphs start on the page, and its facts.
pub struct ChunkView<'a, F> {
    /// The page index of the chunk's first line.
    pub first_line: usize,
    /// The page index of the chunk's first paragraph.
    pub first_paragraph: usize,
    pub facts: &'a F,
}

/// What the comparison over a page found.
pub struct Comparison<R> {
    /// The reports of each chunk, one list per chunk in page order.
    pub per_chunk: Vec<Vec<R>>,
    /// Diagnostics with page offsets that do not belong to one chunk alone (a deletion that reaches
    /// back into the chunk before).
    pub whole: Vec<Diagnostic>,
}

/// A chunked rule's facts of one chunk, its type erased.
pub type ChunkFacts = Box<dyn Any + Send + Sync>;

/// A chunked rule's reports in one chunk, their type erased.
pub type ChunkReports = Box<dyn Any + Send + Sync>;

/// [`ChunkedRule`] with the rule's types erased, as the incremental analysis holds it.
pub trait ChunkedCheck: Send + Sync {
    /// [`ChunkedRule::facts`].
    fn chunk_facts(&self, cx: &Context<'_>) -> ChunkFacts;
    /// [`ChunkedRule::compare`]: each chunk's reports, and the diagnostics of the whole page.
    fn compare_chunks(&self, text: &str, page: &Page, chunks: &[ChunkView<'_, ChunkFacts>]) -> (Vec<ChunkReports>, Vec<Diagnostic>);
    /// Whether two chunks' reports are the same.
    fn same_reports(&self, one: &ChunkReports, other: &ChunkReports) -> bool;
    /// [`ChunkedRule::diagnostics`].
    fn chunk_diagnostics(&self, cx: &Context<'_>, facts: &ChunkFacts, reports: &ChunkReports) -> Vec<Diagnostic>;
}

impl<T: ChunkedRule> ChunkedCheck for T {
    fn chunk_facts(&self, cx: &Context<'_>) -> ChunkFacts {
        Box::new(self.facts(cx))
    }

    fn compare_chunks(&self, text: &str, page: &Page, chunks: &[ChunkView<'_, ChunkFacts>]) -> (Vec<ChunkReports>, Vec<Diagnostic>) {
        // Facts always come from this rule's own `chunk_facts`; were one of another type, nothing
        // would be reported rather than anything wrong.
        let typed: Option<Vec<ChunkView<'_, T::Facts>>> = chunks
            .iter()
            .map(|chunk| {
                Some(ChunkView { first_line: chunk.first_line, first_paragraph: chunk.first_paragraph, facts: chunk.facts.downcast_ref()? })
            })
            .collect();
        let Some(typed) = typed else { return (Vec::new(), Vec::new()) };
        let found = self.compare(&ChunkedPage { text, page, chunks: typed });
        (found.per_chunk.into_iter().map(|reports| Box::new(reports) as ChunkReports).collect(), found.whole)
    }

    fn same_reports(&self, one: &ChunkReports, other: &ChunkReports) -> bool {
        match (one.downcast_ref::<Vec<T::Report>>(), other.downcast_ref::<Vec<T::Report>>()) {
            (Some(one), Some(other)) => one == other,
            _ => false,
        }
    }

    fn chunk_diagnostics(&self, cx: &Context<'_>, facts: &ChunkFacts, reports: &ChunkReports) -> Vec<Diagnostic> {
        match (facts.downcast_ref::<T::Facts>(), reports.downcast_ref::<Vec<T::Report>>()) {
            (Some(facts), Some(reports)) => self.diagnostics(cx, facts, reports),
            _ => Vec::new(),
        }
    }
}
