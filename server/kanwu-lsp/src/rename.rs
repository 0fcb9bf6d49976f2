//! `textDocument/prepareRename` and `textDocument/rename`: replace a term or word in every page of the corpus in one WorkspaceEdit, to correct a recurring misreading in one step.

use crate::server::Inner;
use crate::to_proto;
use std::collections::HashMap;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

impl Inner {
    /// The range and text of the term under the cursor, or nothing to rename.
    pub fn prepare_rename(&self, params: lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
        let found = self.term_at_position(&params.text_document.uri, params.position)?;
        let encoding = self.lock().encoding;
        let converter = to_proto::Text { text: &found.text, index: &found.index, encoding };
        Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range: converter.range(found.range.clone()), placeholder: found.term })
    }

    /// Every occurrence of the term under the cursor, in every page, replaced by `new_name`.
    pub async fn rename(self: &Arc<Self>, params: lsp::RenameParams) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
        let new_name = params.new_name.trim().to_string();
        if new_name.is_empty() {
            return Err(jsonrpc::Error::invalid_params("the new text is empty"));
        }
        let position = params.text_document_position;
        let inner = self.clone();
        let edit = tokio::task::spawn_blocking(move || {
            let found = inner.term_at_position(&position.text_document.uri, position.position)?;
            let encoding = inner.lock().encoding;
            let corpus = inner.corpus();
            let index = corpus.read();
            let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
            for hit in crate::references::corpus_hits(&index, &crate::references::spellings(&found.term)) {
                let Some(uri) = index.path(hit.page).and_then(lsp::Uri::from_file_path) else { continue };
                changes.entry(uri).or_default().push(lsp::TextEdit { range: crate::references::hit_range(&hit, encoding), new_text: new_name.clone() });
            }
            Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() })
        })
        .await
        .ok()
        .flatten();
        Ok(edit)
    }
}
