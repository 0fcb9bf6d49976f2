//! `textDocument/references` and `textDocument/documentHighlight`: the glossary term or jieba word under the cursor, found in every page of the corpus through the index.

use crate::from_proto;
use crate::server::Inner;
use kanwu_core::index::{normalize_term, Hit, TextPos};
use kanwu_core::normalized::NormalizedView;
use kanwu_core::segment::jieba;
use kanwu_core::{LineIndex, Page, PositionEncoding};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The term under the cursor: its normalized text, its original range in the page, and every
/// spelling that names the same thing (a glossary entry's term and aliases).
pub struct TermAt {
    pub term: String,
    pub range: Range<usize>,
    pub spellings: Vec<String>,
    pub text: Arc<str>,
    pub index: LineIndex,
    pub path: Option<PathBuf>,
}

/// The glossary term at `offset`, else the jieba word of the normalized paragraph holding it, with
/// the spellings to search: for a glossary term, the entry's term and every alias (so `嘎查两委` finds `两委` and `村“两委”` too), each also without quotation marks.
pub fn term_at(text: &str, glossary: &kanwu_core::glossary::Glossary, offset: usize) -> Option<(String, Range<usize>, Vec<String>)> {
    let page = Page::parse(text);
    let view = NormalizedView::new(text, &page);
    if let Some(hit) = glossary.term_at_in_view(&view, offset) {
        let term = normalize_term(&text[hit.range.clone()]);
        let entry = glossary.entry(hit.entry);
        let mut all: Vec<String> = Vec::new();
        for form in std::iter::once(&entry.term).chain(entry.aliases.iter()).chain(std::iter::once(&term)) {
            for spelling in spellings(&normalize_term(form)) {
                if !all.contains(&spelling) {
                    all.push(spelling);
                }
            }
        }
        return Some((term, hit.range, all));
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
            return Some((word.clone(), view.original_range(word_start..word_end), spellings(&word)));
        }
        word_start = word_end;
    }
    None
}

/// The column of a position in the negotiated encoding.
pub fn column(position: &TextPos, encoding: PositionEncoding) -> u32 {
    match encoding {
        PositionEncoding::Utf8 => position.utf8,
        PositionEncoding::Utf16 => position.utf16,
        PositionEncoding::Utf32 => position.chars,
    }
}

/// The LSP range of a hit.
pub fn hit_range(hit: &Hit, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range {
        start: lsp::Position { line: hit.start.line, character: column(&hit.start, encoding) },
        end: lsp::Position { line: hit.end.line, character: column(&hit.end, encoding) },
    }
}

/// The spellings to look for: the term, and the term without its quotation marks (pages that
/// lost their quotes show `村 两 委` for `村“两委”`).
pub fn spellings(term: &str) -> Vec<String> {
    let bare: String = term.chars().filter(|c| !matches!(c, '“' | '”' | '‘' | '’' | '"' | '\'' | '「' | '」')).collect();
    if bare != term && !bare.is_empty() {
        vec![term.to_string(), bare]
    } else {
        vec![term.to_string()]
    }
}

/// Every occurrence of any of the spellings, each range once (the longest where they overlap), in page order.
pub fn corpus_hits(index: &kanwu_core::index::CorpusIndex, spellings: &[String]) -> Vec<Hit> {
    let mut hits: Vec<Hit> = spellings.iter().flat_map(|spelling| index.references(spelling)).collect();
    hits.sort_by_key(|hit| (hit.page, hit.range.start, std::cmp::Reverse(hit.range.end)));
    hits.dedup_by(|later, earlier| later.page == earlier.page && later.range.start < earlier.range.end);
    hits
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

/// Every occurrence of any of `spellings` across the corpus, by page (pages in URI order): from the
/// index, except in the open pages whose text the index has not caught up with yet (it takes an
/// edited page in once typing pauses), which are searched in their current text, so that every
/// range is a range of the text the editor has now.
pub fn live_hits(index: &kanwu_core::index::CorpusIndex, open: Vec<OpenPage>, spellings: &[String]) -> Vec<PageHits> {
    let mut hits = corpus_hits(index, spellings);
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
        let mut single = kanwu_core::index::CorpusIndex::new();
        single.update(&page.path, &text);
        let found = corpus_hits(&single, spellings);
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

    /// The term under the cursor of an open page (the selection's text when `selection` is given).
    pub fn term_at_position(&self, uri: &lsp::Uri, position: lsp::Position) -> Option<TermAt> {
        let (snapshot, path, encoding, glossary) = {
            let session = self.lock();
            let document = session.documents.get(uri)?;
            if document.is_config {
                return None;
            }
            (document.document.snapshot(), document.path.clone(), session.encoding, session.glossary_for(uri))
        };
        let text = snapshot.text();
        let index = LineIndex::new(&text);
        let offset = from_proto::offset(&text, &index, position, encoding);
        let (term, range, spellings) = term_at(&text, &glossary, offset)?;
        Some(TermAt { term, range, spellings, text, index, path })
    }

    /// Every occurrence of the term under the cursor across the corpus.
    pub async fn references(self: &Arc<Self>, params: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
        let position = params.text_document_position;
        let inner = self.clone();
        tokio::task::spawn_blocking(move || {
            let found = inner.term_at_position(&position.text_document.uri, position.position)?;
            let encoding = inner.lock().encoding;
            let open = inner.open_pages();
            let corpus = inner.corpus();
            let index = corpus.read();
            let pages = live_hits(&index, open, &found.spellings);
            let mut locations: Vec<lsp::Location> = Vec::with_capacity(pages.iter().map(|page| page.hits.len()).sum());
            for page in pages {
                locations.extend(page.hits.iter().map(|hit| lsp::Location { uri: page.uri.clone(), range: hit_range(hit, encoding) }));
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
        let found = self.term_at_position(&position.text_document.uri, position.position)?;
        let encoding = self.lock().encoding;
        // The open page's own text, indexed on its own: current even before the corpus index catches up.
        let mut single = kanwu_core::index::CorpusIndex::new();
        let key = found.path.clone().unwrap_or_else(|| PathBuf::from("untitled"));
        single.update(&key, &found.text);
        let mut hits: Vec<Hit> = found.spellings.iter().flat_map(|spelling| single.references_in(&key, spelling)).collect();
        hits.sort_by_key(|hit| (hit.range.start, std::cmp::Reverse(hit.range.end)));
        hits.dedup_by(|later, earlier| later.range.start < earlier.range.end);
        Some(
            hits.iter()
                .map(|hit| lsp::DocumentHighlight { range: hit_range(hit, encoding), kind: Some(lsp::DocumentHighlightKind::TEXT) })
                .collect(),
        )
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
        let (_, range, spellings) = term_at(text, glossary, offset).expect("a glossary term");
        assert!(range.start <= offset && offset < range.end);
        assert!(spellings.iter().any(|spelling| spelling == "两委"), "{spellings:?}");
        assert!(spellings.iter().any(|spelling| spelling == "村两委"), "{spellings:?}");
    }
}
