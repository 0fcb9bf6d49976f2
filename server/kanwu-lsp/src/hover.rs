//! `textDocument/hover` on a glossary term: the entry (term, category, definition, English gloss, aliases, related terms) and how often the corpus uses it, in Markdown or plain text.
//!
//! The term under the cursor is found with `Glossary::term_at_in_view` on the page's normalized
//! view, so a term cut by a line break or a spurious space hovers from any of its characters; the
//! hover range is the term's whole original range.

use crate::from_proto;
use crate::server::Inner;
use crate::to_proto;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

impl Inner {
    pub async fn hover(self: &Arc<Self>, params: lsp::HoverParams) -> Option<lsp::Hover> {
        let position = params.text_document_position_params;
        let terms = self.page_terms(&position.text_document.uri).await?;
        let (encoding, markdown) = {
            let session = self.lock();
            (session.encoding, session.caps.hover_markdown)
        };
        let offset = from_proto::offset(&terms.text, &terms.index, position.position, encoding);
        let hit = terms.glossary.term_at_in_view(&terms.view, offset)?;
        let entry = terms.glossary.entry(hit.entry);
        let range = terms.converter(encoding).range(hit.range);
        let markup = to_proto::glossary_markup(entry, markdown);
        let term = entry.term.clone();
        // Counting scans the candidate pages of the corpus: off the protocol thread.
        let inner = self.clone();
        let contents = tokio::task::spawn_blocking(move || inner.with_frequency(markup, &term)).await.ok()?;
        Some(lsp::Hover { contents: lsp::HoverContents::Markup(contents), range: Some(range) })
    }
}
