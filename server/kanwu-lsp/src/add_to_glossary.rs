//! The code action "Add to glossary" (kind `refactor`) on a selection: appends an entry skeleton for the selected term to the workspace glossary file.
//!
//! The term is the selected text as the normalized view reads it (line breaks of wrapped lines and
//! spurious spaces cut), offered when it holds a Han character, is at most `MAX_TERM_CHARS` long,
//! stays on one logical line and is not already a term or alias. The edit appends
//! `kanwu_core::glossary::entry_skeleton` to the project's first glossary file (the first of
//! `[glossary] files`, else `glossary.toml` at the root), creating the file when it is missing and
//! the client can create files; for clients that cannot, the action carries the command
//! `kanwu.addToGlossary`, which appends the skeleton itself.

use crate::from_proto;
use crate::server::Inner;
use crate::to_proto::Text;
use kanwu_core::chars::is_han;
use kanwu_core::glossary::entry_skeleton;
use kanwu_core::{LineIndex, Locale};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The command that appends a skeleton for clients that cannot create files.
pub const ADD_TO_GLOSSARY: &str = "kanwu.addToGlossary";

/// The longest selection offered, in characters.
pub const MAX_TERM_CHARS: usize = 32;

/// Arguments of `kanwu.addToGlossary`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AddToGlossaryArgs {
    pub path: PathBuf,
    pub term: String,
}

/// Whether a request that asked for `only` wants `refactor` actions.
fn wants_refactor(only: Option<&[lsp::CodeActionKind]>) -> bool {
    only.is_none_or(|kinds| kinds.iter().any(|kind| kind.as_str() == "refactor"))
}

impl Inner {
    /// The glossary actions for a code action request (empty when none applies).
    pub async fn glossary_actions(self: &Arc<Self>, params: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        if params.range.start == params.range.end || !wants_refactor(params.context.only.as_deref()) {
            return Vec::new();
        }
        let uri = &params.text_document.uri;
        let Some(terms) = self.page_terms(uri).await else { return Vec::new() };
        let (encoding, locale, target, document_changes, create_files) = {
            let session = self.lock();
            let config_locale = session.documents.get(uri).map(|document| session.config_for(document)).and_then(|config| config.locale);
            (
                session.encoding,
                session.settings.locale.or(config_locale).unwrap_or(session.client_locale),
                session.target_glossary_file(uri),
                session.caps.document_changes,
                session.caps.create_files && session.caps.document_changes,
            )
        };
        let Some(target) = target else { return Vec::new() };
        let range = from_proto::range(&terms.text, &terms.index, params.range, encoding);
        let term = terms.view.normalized_slice(range).trim();
        if term.is_empty() || term.contains(['\n', '\r']) || term.chars().count() > MAX_TERM_CHARS || !term.chars().any(is_han) {
            return Vec::new();
        }
        if terms.glossary.lookup(term).is_some() {
            return Vec::new();
        }
        let skeleton = entry_skeleton(term);
        let Some(target_uri) = lsp::Uri::from_file_path(&target) else { return Vec::new() };
        let existing = self.lock().glossary_file_text(&target);
        let title = match locale {
            Locale::Zh => format!("将“{term}”加入词表（{}）", target.file_name().map(|name| name.to_string_lossy()).unwrap_or_default()),
            Locale::En => {
                format!("Add “{term}” to the glossary ({})", target.file_name().map(|name| name.to_string_lossy()).unwrap_or_default())
            }
        };
        let (edit, command) = match existing {
            Some((text, version)) => {
                let index = LineIndex::new(&text);
                let end = Text { text: &text, index: &index, encoding }.position(text.len());
                let new_text = if text.is_empty() || text.ends_with('\n') { skeleton } else { format!("\n{skeleton}") };
                let insert = lsp::TextEdit { range: lsp::Range { start: end, end }, new_text };
                let edit = if document_changes {
                    lsp::WorkspaceEdit {
                        document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: target_uri, version },
                            edits: vec![lsp::OneOf::Left(insert)],
                        }])),
                        ..Default::default()
                    }
                } else {
                    lsp::WorkspaceEdit { changes: Some([(target_uri, vec![insert])].into_iter().collect()), ..Default::default() }
                };
                (Some(edit), None)
            }
            None if create_files => {
                let header = "# Workspace glossary: entries here add to or replace the built-in ones (see `kanwu glossary export`).\n";
                let insert = lsp::TextEdit { range: lsp::Range::default(), new_text: format!("{header}{skeleton}") };
                let edit = lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Operations(vec![
                        lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                            uri: target_uri.clone(),
                            options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                            annotation_id: None,
                        })),
                        lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: target_uri, version: None },
                            edits: vec![lsp::OneOf::Left(insert)],
                        }),
                    ])),
                    ..Default::default()
                };
                (Some(edit), None)
            }
            None => {
                let args = AddToGlossaryArgs { path: target, term: term.to_string() };
                let command = lsp::Command {
                    title: title.clone(),
                    command: ADD_TO_GLOSSARY.to_string(),
                    arguments: Some(vec![serde_json::to_value(args).unwrap_or_default()]),
                };
                (None, Some(command))
            }
        };
        vec![lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title,
            kind: Some(lsp::CodeActionKind::REFACTOR),
            edit,
            command,
            ..Default::default()
        })]
    }

    /// `kanwu.addToGlossary`: appends the skeleton of a term to a glossary file, then reloads.
    pub async fn add_to_glossary(self: &Arc<Self>, arguments: Vec<serde_json::Value>) -> jsonrpc::Result<Option<serde_json::Value>> {
        let args: AddToGlossaryArgs = arguments
            .into_iter()
            .next()
            .and_then(|value| serde_json::from_value(value).ok())
            .ok_or_else(|| jsonrpc::Error::invalid_params(format!("{ADD_TO_GLOSSARY} expects {{ path, term }}")))?;
        let existing = std::fs::read_to_string(&args.path).ok();
        let mut text = match &existing {
            Some(text) if !text.is_empty() && !text.ends_with('\n') => "\n".to_string(),
            _ => String::new(),
        };
        text.push_str(&entry_skeleton(&args.term));
        let written =
            std::fs::OpenOptions::new().create(true).append(true).open(&args.path).and_then(|mut file| file.write_all(text.as_bytes()));
        if let Err(error) = written {
            return Err(crate::diagnostics::internal(format!("cannot write {}: {error}", args.path.display())));
        }
        self.reload_configuration().await;
        Ok(None)
    }
}
