//! `textDocument/hover` on a glossary term: the entry (term, category, definition, English gloss, aliases, related terms) and how often the corpus uses it, in Markdown or plain text.
//!
//! The term under the cursor is found with the core's `terms::entry_in_hits` among the page's
//! glossary hits, found once per version on its normalized view, so a term cut by a line break or a spurious space hovers from any of its characters, and a
//! term inside a longer word (`党组` in `党组织`) does not hover; the hover range is the term's
//! whole original range, and the count is the one term search's, as Find References finds it.

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
        let (hit, query) = kanwu_core::terms::entry_in_hits(&terms.view, &terms.glossary, &terms.hits, offset)?;
        let entry = terms.glossary.entry(hit.entry);
        let range = terms.converter(encoding).range(hit.range);
        let markup = to_proto::glossary_markup(entry, markdown);
        // Counting scans the candidate pages of the corpus: off the protocol thread.
        let inner = self.clone();
        let contents = tokio::task::spawn_blocking(move || inner.with_frequency(markup, &query)).await.ok()?;
        Some(lsp::Hover { contents: lsp::HoverContents::Markup(contents), range: Some(range) })
    }
}
