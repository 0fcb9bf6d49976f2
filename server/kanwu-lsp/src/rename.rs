//! `textDocument/prepareRename` and `textDocument/rename`: replace a term or word in every page of the corpus in one WorkspaceEdit, to correct a recurring misreading in one step.

use crate::server::Inner;
use crate::to_proto;
use std::collections::HashMap;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

impl Inner {
    /// The range and text of the term under the cursor, or nothing to rename.
    pub async fn prepare_rename(self: &Arc<Self>, params: lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
        let found = self.term_at_position(&params.text_document.uri, params.position).await?;
        let encoding = self.lock().encoding;
        let converter = found.terms.converter(encoding);
        Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range: converter.range(found.range.clone()), placeholder: found.term })
    }

    /// Every occurrence of the term under the cursor, in every page, replaced by `new_name`.
    pub async fn rename(self: &Arc<Self>, params: lsp::RenameParams) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
        let new_name = params.new_name.trim().to_string();
        if new_name.is_empty() {
            return Err(jsonrpc::Error::invalid_params("the new text is empty"));
        }
        let position = params.text_document_position;
        let Some(found) = self.term_at_position(&position.text_document.uri, position.position).await else { return Ok(None) };
        let inner = self.clone();
        let edit = tokio::task::spawn_blocking(move || {
            let encoding = inner.lock().encoding;
            let open = inner.open_pages();
            let corpus = inner.corpus();
            let index = corpus.read();
            let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
            for page in crate::references::live_hits(&index, open, &found.query) {
                // A hit across lines keeps its line breaks: the page stays comparable line by line
                // with its scan. Its text comes from the open page, or is rebuilt from the index.
                let spans_lines = page.hits.iter().any(|hit| hit.start.line != hit.end.line);
                let text: Option<String> = match &page.text {
                    Some(text) => Some(text.to_string()),
                    None if spans_lines => page.hits.first().and_then(|hit| index.original_text(hit.page)),
                    None => None,
                };
                let edits = changes.entry(page.uri).or_default();
                for hit in &page.hits {
                    let original = text.as_deref().and_then(|text| text.get(hit.range.clone())).unwrap_or("");
                    edits.push(lsp::TextEdit { range: to_proto::hit_range(hit, encoding), new_text: keeping_breaks(original, &new_name) });
                }
            }
            Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() })
        })
        .await
        .ok()
        .flatten();
        Ok(edit)
    }
}

/// `replacement` for the occurrence `original`, with the line breaks of `original` (and the spaces
/// around them) kept after as many characters as they followed there, or at the end when the
/// replacement is shorter; spaces between characters are dropped.
pub fn keeping_breaks(original: &str, replacement: &str) -> String {
    let mut breaks: Vec<(usize, String)> = Vec::new();
    let mut characters = 0;
    let mut run = String::new();
    for c in original.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if run.contains('\n') {
            breaks.push((characters, std::mem::take(&mut run)));
        }
        run.clear();
        characters += 1;
    }
    if breaks.is_empty() {
        return replacement.to_string();
    }
    let mut out = String::with_capacity(replacement.len() + 8);
    let mut pending = breaks.into_iter().peekable();
    for (index, c) in replacement.chars().enumerate() {
        while let Some((_, run)) = pending.next_if(|(at, _)| *at <= index) {
            out.push_str(&run);
        }
        out.push(c);
    }
    for (_, run) in pending {
        out.push_str(&run);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::keeping_breaks;

    #[test]
    fn a_replacement_keeps_the_line_breaks_of_the_occurrence() {
        assert_eq!(keeping_breaks("两委", "村两委"), "村两委");
        assert_eq!(keeping_breaks("两\n委", "三委"), "三\n委");
        assert_eq!(keeping_breaks("两\r\n委", "三委"), "三\r\n委");
        assert_eq!(keeping_breaks("党员中\n心户", "党员"), "党员\n");
        assert_eq!(keeping_breaks("两 委", "三委"), "三委");
        assert_eq!(keeping_breaks("", "新"), "新");
    }
}
