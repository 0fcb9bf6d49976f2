//! `textDocument/completion`: glossary terms by prefix (`两` → 两委…) and by pinyin initials (`lw` → 两委), with the definition as documentation.
//!
//! The typed prefix is the run of Latin letters and digits before the cursor (pinyin initials), or
//! else the longest run of at most `MAX_HAN_PREFIX` Han characters before the cursor that begins
//! some glossary name. Each item's text edit replaces that prefix with the term; its filter text is
//! the prefix itself, so clients keep the items whose initials (not letters) match. The list is
//! marked incomplete: the prefix changes meaning as the user types.

use crate::from_proto;
use crate::server::Inner;
use crate::to_proto;
use kanwu_core::chars::is_han;
use kanwu_core::LineIndex;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The longest Han prefix tried, in characters.
pub const MAX_HAN_PREFIX: usize = 8;

/// The most items returned.
pub const MAX_ITEMS: usize = 50;

impl Inner {
    pub async fn completion(self: &Arc<Self>, params: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
        let position = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        let (line, glossary, encoding, markdown) = {
            let session = self.lock();
            let document = session.documents.get(&uri)?;
            if document.is_config {
                return None;
            }
            let rope = &document.document.rope;
            let line = position.line as usize;
            if line >= rope.len_lines() {
                return None;
            }
            (rope.line(line).to_string(), session.glossary_for(&uri), session.encoding, session.caps.completion_markdown)
        };
        let index = LineIndex::new(&line);
        let cursor = from_proto::offset(&line, &index, lsp::Position { line: 0, character: position.character }, encoding);
        let before = &line[..cursor];
        let latin = before.len() - before.trim_end_matches(|c: char| c.is_ascii_alphanumeric()).len();
        let (prefix, entries) = if latin > 0 {
            let prefix = &before[before.len() - latin..];
            (prefix, glossary.complete(prefix))
        } else {
            let han: Vec<(usize, char)> = before.char_indices().rev().take_while(|&(_, c)| is_han(c)).take(MAX_HAN_PREFIX).collect();
            // The longest run before the cursor that starts some name.
            han.iter()
                .rev()
                .map(|&(at, _)| &before[at..])
                .map(|prefix| (prefix, glossary.complete(prefix)))
                .find(|(_, entries)| !entries.is_empty())?
        };
        if entries.is_empty() {
            return None;
        }
        let text = to_proto::Text { text: &line, index: &index, encoding };
        let mut range = text.range(cursor - prefix.len()..cursor);
        range.start.line = position.line;
        range.end.line = position.line;
        let items = entries
            .into_iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(rank, entry)| lsp::CompletionItem {
                label: entry.term.clone(),
                kind: Some(lsp::CompletionItemKind::TEXT),
                detail: Some(format!("{} · {}", entry.category.zh_name(), entry.english)),
                documentation: Some(lsp::Documentation::MarkupContent(to_proto::glossary_markup(entry, markdown))),
                sort_text: Some(format!("{rank:04}")),
                filter_text: Some(prefix.to_string()),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range, new_text: entry.term.clone() })),
                ..Default::default()
            })
            .collect();
        Some(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: true, items }))
    }
}
