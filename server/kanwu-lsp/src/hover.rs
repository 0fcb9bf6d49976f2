//! `textDocument/hover` on a glossary term: the entry (term, category, definition, English gloss, aliases, related terms) and how often the corpus uses it, in Markdown or plain text.
//!
//! The term under the cursor is found with the core's `terms::entry_in_hits` among the page's
//! glossary hits, found once per version on its normalized view, so a term cut by a line break or a spurious space hovers from any of its characters, and a
//! term inside a longer word (`党组` in `党组织`) does not hover; the hover range is the term's
//! whole original range, and the count is the one term search's, as Find References finds it.

use crate::from_proto;
use crate::glossary_state::PageTerms;
use crate::server::Inner;
use crate::to_proto;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The hover of a document version's snapshot at `position`: the entry's markup, the range of the
/// name it matched, and the query that counts the term in the corpus. A function of the snapshot
/// and the session's settings only.
pub fn hover_at(
    terms: &PageTerms,
    position: lsp::Position,
    encoding: kanwu_core::PositionEncoding,
    markdown: bool,
) -> Option<(lsp::MarkupContent, lsp::Range, kanwu_core::terms::TermQuery)> {
    let offset = from_proto::offset(&terms.text, &terms.index, position, encoding);
    let (hit, query) = kanwu_core::terms::entry_in_hits(&terms.view, &terms.glossary, &terms.hits, offset)?;
    let entry = terms.glossary.entry(hit.entry);
    let range = terms.converter(encoding).range(hit.range);
    Some((to_proto::glossary_markup(entry, markdown), range, query))
}

impl Inner {
    pub async fn hover(self: &Arc<Self>, params: lsp::HoverParams) -> Option<lsp::Hover> {
        let position = params.text_document_position_params;
        let terms = self.page_terms(&position.text_document.uri).await?;
        let (encoding, markdown) = {
            let session = self.lock();
            (session.encoding, session.caps.hover_markdown)
        };
        let (markup, range, query) = hover_at(&terms, position.position, encoding, markdown)?;
        // Counting scans the candidate pages of the corpus: off the protocol thread.
        let inner = self.clone();
        let contents = tokio::task::spawn_blocking(move || inner.with_frequency(markup, &query)).await.ok()?;
        Some(lsp::Hover { contents: lsp::HoverContents::Markup(contents), range: Some(range) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kanwu_core::glossary::Glossary;

    fn snapshot(text: &str) -> PageTerms {
        PageTerms::compute(1, Arc::new(Glossary::builtin().clone()), Arc::from(text))
    }

    #[test]
    fn a_term_hovers_and_a_term_inside_a_longer_word_does_not() {
        let terms = snapshot("机关成立党组。加强党组织建设。\n");
        let utf32 = kanwu_core::PositionEncoding::Utf32;
        let (markup, range, query) = hover_at(&terms, lsp::Position { line: 0, character: 4 }, utf32, true).expect("党组 hovers");
        assert!(markup.value.starts_with("**党组**"), "{}", markup.value);
        assert_eq!((range.start.character, range.end.character), (4, 6));
        assert_eq!(query.asked(), "党组");
        assert!(hover_at(&terms, lsp::Position { line: 0, character: 10 }, utf32, true).is_none(), "党组 of 党组织 is no 党组");
    }
}
