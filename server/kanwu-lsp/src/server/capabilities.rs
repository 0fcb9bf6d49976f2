//! What the server tells the client it can do, in its answer to `initialize`.

use crate::{ignore, to_proto};
use kanwu_core::PositionEncoding;
use tower_lsp_server::ls_types as lsp;

/// The server's capabilities, for the negotiated position `encoding`; pull diagnostics are offered
/// when the client supports them (`pull_diagnostics`).
pub fn server_capabilities(encoding: PositionEncoding, pull_diagnostics: bool) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(to_proto::encoding_kind(encoding)),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![
                lsp::CodeActionKind::QUICKFIX,
                lsp::CodeActionKind::REFACTOR,
                lsp::CodeActionKind::from(crate::code_action::FIX_ALL_KIND),
            ]),
            resolve_provider: Some(true),
            ..Default::default()
        })),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        document_range_formatting_provider: Some(lsp::OneOf::Left(true)),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![
                ignore::IGNORE_WORD.to_string(),
                ignore::IGNORE_OCCURRENCE.to_string(),
                crate::add_to_glossary::ADD_TO_GLOSSARY.to_string(),
                crate::index_state::REINDEX.to_string(),
            ],
            ..Default::default()
        }),
        // The glossary: hover, go to definition, completion and semantic tokens of terms.
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions { resolve_provider: Some(false), ..Default::default() }),
        semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(lsp::SemanticTokensOptions {
            legend: crate::semantic_tokens::legend(),
            full: Some(lsp::SemanticTokensFullOptions::Delta { delta: Some(true) }),
            range: Some(false),
            ..Default::default()
        })),
        // The corpus: references, highlights, rename, outline and workspace symbols.
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        diagnostic_provider: pull_diagnostics.then(|| {
            lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                identifier: Some("kanwu".to_string()),
                inter_file_dependencies: false,
                workspace_diagnostics: true,
                ..Default::default()
            })
        }),
        ..Default::default()
    }
}
