//! `textDocument/references` and `textDocument/documentHighlight`: the glossary term or jieba word under the cursor, found in every page of the corpus through the index.

use crate::from_proto;
use crate::glossary_state::PageTerms;
use crate::server::Inner;
use crate::to_proto;
use kanwu_core::index::search::LoosePage;
use kanwu_core::index::{normalize_term, Hit};
use kanwu_core::segment::jieba;
use kanwu_core::terms::TermQuery;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The term under the cursor: its original text as shown (normalized), its original range in the
/// page, and the core's query that finds it (for a glossary term, its whole entry).
pub struct TermAt {
    pub term: String,
    pub range: Range<usize>,
    pub query: TermQuery,
    /// The snapshot of the document version it was found in.
    pub terms: Arc<PageTerms>,
}

/// The glossary term at `offset` that is no part of a longer word (searched as its entry: the entry's term and every other name,
/// so `嘎查两委` finds `两委` and `村“两委”` too, at the characters of the entry's term), else the
/// jieba word of the normalized paragraph holding it, searched as `kanwu refs` would search it.
/// A function of the document version's snapshot: its page structure, normalized view and glossary
/// hits are computed once per version.
pub fn term_in_snapshot(terms: &PageTerms, offset: usize) -> Option<(String, Range<usize>, TermQuery)> {
    let (text, page, view, glossary) = (&*terms.text, &terms.page, &terms.view, &*terms.glossary);
    if let Some((hit, query)) = kanwu_core::terms::entry_in_hits(view, glossary, &terms.hits, offset) {
        // The occurrence the search itself finds there (`两委` of `村“两委”`), so that the range a
        // rename starts from is one of the ranges it replaces.
        let found = query.in_loose_page(&LoosePage::with_page(text, page), 0);
        let inside = |found: &&(Hit, String)| found.0.range.start >= hit.range.start && found.0.range.end <= hit.range.end;
        let under = found.iter().filter(inside).find(|found| found.0.range.start <= offset && offset < found.0.range.end);
        let range = under.or_else(|| found.iter().find(inside)).map_or(hit.range.clone(), |found| found.0.range.clone());
        let term = normalize_term(&text[range.clone()]);
        return Some((term, range, query));
    }
    let normalized = view.as_str();
    let at = view.to_normalized(offset);
    let start = normalized[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let end = normalized[at..].find('\n').map_or(normalized.len(), |newline| at + newline);
    let mut word_start = start;
    for token in jieba().cut(&normalized[start..end], true) {
        let word_end = word_start + token.word.len();
        if word_start <= at && at < word_end {
            if token.word.chars().all(|c| c.is_whitespace() || kanwu_core::chars::is_cjk_punct(c)) {
                return None;
            }
            let word = token.word.to_string();
            let query = TermQuery::new(&word, glossary);
            return Some((word, view.original_range(word_start..word_end), query));
        }
        word_start = word_end;
    }
    None
}

/// The occurrences of a found term in the snapshot it was found in: the open page's own text,
/// current even before the corpus index catches up.
pub fn highlights(found: &TermAt, encoding: kanwu_core::PositionEncoding) -> Vec<lsp::DocumentHighlight> {
    let page = LoosePage::with_page(&found.terms.text, &found.terms.page);
    found
        .query
        .in_loose_page(&page, 0)
        .iter()
        .map(|(hit, _)| lsp::DocumentHighlight { range: to_proto::hit_range(hit, encoding), kind: Some(lsp::DocumentHighlightKind::TEXT) })
        .collect()
}

/// The occurrences in one page, in page order; `text` is the page's text when it was searched
/// as open in the editor (the index's copy was behind).
pub struct PageHits {
    pub uri: lsp::Uri,
    pub hits: Vec<Hit>,
    pub text: Option<Arc<str>>,
}

/// What a search needs of an open page: where it lives and its current text.
pub struct OpenPage {
    pub path: PathBuf,
    pub uri: lsp::Uri,
    pub snapshot: crate::document::Snapshot,
}

/// Every occurrence the query finds across the corpus, by page (pages in URI order): from the
/// index, except in the open pages whose text the index has not caught up with yet (it takes an
/// edited page in once typing pauses), which are searched in their current text, so that every
/// range is a range of the text the editor has now.
pub fn live_hits(index: &kanwu_core::index::CorpusIndex, open: Vec<OpenPage>, query: &TermQuery) -> Vec<PageHits> {
    let mut hits = query.in_index(index);
    let mut pages: Vec<PageHits> = Vec::new();
    for page in open {
        let text = page.snapshot.text();
        let indexed = index.id_of(&page.path);
        if indexed.and_then(|id| index.content_hash(id)) == Some(kanwu_core::index::content_hash(text.as_bytes())) {
            continue;
        }
        if let Some(id) = indexed {
            hits.retain(|hit| hit.page != id);
        }
        let found: Vec<Hit> = query.in_loose_page(&LoosePage::new(&text), 0).into_iter().map(|(hit, _)| hit).collect();
        if !found.is_empty() {
            pages.push(PageHits { uri: page.uri, hits: found, text: Some(text) });
        }
    }
    // The index's hits come grouped by page and in position order: each page's URI is made once.
    let mut from = 0;
    while from < hits.len() {
        let page = hits[from].page;
        let to = from + hits[from..].partition_point(|hit| hit.page == page);
        if let Some(uri) = index.path(page).and_then(lsp::Uri::from_file_path) {
            pages.push(PageHits { uri, hits: hits[from..to].to_vec(), text: None });
        }
        from = to;
    }
    pages.sort_by(|a, b| a.uri.as_str().cmp(b.uri.as_str()));
    pages
}

impl Inner {
    /// The open pages that live in files (for searches across the corpus).
    pub fn open_pages(&self) -> Vec<OpenPage> {
        let session = self.lock();
        session
            .documents
            .iter()
            .filter(|(_, document)| !document.is_config)
            .filter_map(|(uri, document)| {
                Some(OpenPage { path: document.path.clone()?, uri: uri.clone(), snapshot: document.document.snapshot() })
            })
            .collect()
    }

    /// The term under the cursor of an open page, from its current version's snapshot.
    pub async fn term_at_position(self: &Arc<Self>, uri: &lsp::Uri, position: lsp::Position) -> Option<TermAt> {
        let terms = self.page_terms(uri).await?;
        let encoding = self.lock().encoding;
        let offset = from_proto::offset(&terms.text, &terms.index, position, encoding);
        let (term, range, query) = term_in_snapshot(&terms, offset)?;
        Some(TermAt { term, range, query, terms })
    }

    /// Every occurrence of the term under the cursor across the corpus.
    pub async fn references(self: &Arc<Self>, params: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
        let position = params.text_document_position;
        let found = self.term_at_position(&position.text_document.uri, position.position).await?;
        let inner = self.clone();
        tokio::task::spawn_blocking(move || {
            let encoding = inner.lock().encoding;
            let open = inner.open_pages();
            let corpus = inner.corpus();
            let index = corpus.read();
            let pages = live_hits(&index, open, &found.query);
            let mut locations: Vec<lsp::Location> = Vec::with_capacity(pages.iter().map(|page| page.hits.len()).sum());
            for page in pages {
                locations
                    .extend(page.hits.iter().map(|hit| lsp::Location { uri: page.uri.clone(), range: to_proto::hit_range(hit, encoding) }));
            }
            Some(locations)
        })
        .await
        .ok()
        .flatten()
    }

    /// The occurrences of the term under the cursor in the current page.
    pub async fn document_highlight(self: &Arc<Self>, params: lsp::DocumentHighlightParams) -> Option<Vec<lsp::DocumentHighlight>> {
        let position = params.text_document_position_params;
        let found = self.term_at_position(&position.text_document.uri, position.position).await?;
        let encoding = self.lock().encoding;
        Some(highlights(&found, encoding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_under_the_cursor_searches_the_whole_entry() {
        let glossary = kanwu_core::glossary::Glossary::builtin();
        let text = "配合嘎查两委成员开展排查。";
        let offset = text.find("两委").unwrap();
        let terms = PageTerms::compute(1, Arc::new(glossary.clone()), Arc::from(text));
        let (_, range, query) = term_in_snapshot(&terms, offset).expect("a glossary term");
        assert!(range.start <= offset && offset < range.end);
        assert!(query.spellings().iter().any(|spelling| spelling == "两委"), "{:?}", query.spellings());
        assert_eq!(query.entry(), glossary.lookup_index("两委"));
    }
}
