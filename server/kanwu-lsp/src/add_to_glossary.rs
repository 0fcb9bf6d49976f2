//! The code action "Add to glossary" (kind `refactor`) on a selection: appends an entry skeleton for the selected term to the workspace glossary file.
//!
//! The term is the selected text as the normalized view reads it (line breaks of wrapped lines and
//! spurious spaces cut), offered when it holds a Han character, is at most `MAX_TERM_CHARS` long,
//! stays on one logical line and is not already a term or alias. The edit appends
//! `kanwu_core::glossary::entry_skeleton` to the project's first glossary file (the first of
//! `[glossary] files`, else `glossary.toml` at the root), creating the file when it is missing and
//! the client can create files; for clients that cannot, the action carries the command
//! `kanwu.addToGlossary`, which appends the skeleton itself.
//!
//! The action is offered only when the page's project lies inside a workspace folder and its
//! glossary file does too. The command carries the page's URI, never a path: the server derives
//! the target file itself, refuses one outside the workspace folders, and writes atomically over a
//! valid glossary unchanged since it was read.

use crate::from_proto;
use crate::server::Inner;
use crate::to_proto::Text;
use kanwu_core::chars::is_han;
use kanwu_core::glossary::entry_skeleton;
use kanwu_core::glossary::Glossary;
use kanwu_core::workspace::fs::{self, Expect, WriteRules};
use kanwu_core::{LineIndex, Locale};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
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
    /// The page the term was selected on; its project's glossary file gets the entry.
    pub uri: lsp::Uri,
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
            // Only pages of a project inside the workspace folders, with a glossary file there too.
            let target = session
                .documents
                .get(uri)
                .and_then(|document| document.path.as_deref())
                .and_then(|path| session.writable_root(path).ok())
                .and_then(|root| session.target_glossary_file(&root).ok());
            (
                session.encoding,
                session.settings.locale.or(config_locale).unwrap_or(session.client_locale),
                target,
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
        let open = self.lock().open_glossary_text(&target);
        let existing = match open {
            Some(open) => Some(open),
            None => {
                let path = target.clone();
                tokio::task::spawn_blocking(move || fs::read_settings_text(&path).ok().map(|(text, _)| (text, None))).await.ok().flatten()
            }
        };
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
                let args = AddToGlossaryArgs { uri: uri.clone(), term: term.to_string() };
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

    /// `kanwu.addToGlossary`: appends the skeleton of a term to the glossary file of the page's
    /// project, then reloads. Refused (an error the user is shown) when that file is not inside
    /// the workspace folders.
    pub async fn add_to_glossary(self: &Arc<Self>, arguments: Vec<serde_json::Value>) -> jsonrpc::Result<Option<serde_json::Value>> {
        let args: AddToGlossaryArgs = arguments
            .into_iter()
            .next()
            .and_then(|value| serde_json::from_value(value).ok())
            .ok_or_else(|| jsonrpc::Error::invalid_params(format!("{ADD_TO_GLOSSARY} expects {{ uri, term }}")))?;
        if let Err(message) = self.append_to_glossary(&args).await {
            return Err(self.refuse(ADD_TO_GLOSSARY, message).await);
        }
        self.reload_configuration().await;
        Ok(None)
    }

    async fn append_to_glossary(self: &Arc<Self>, args: &AddToGlossaryArgs) -> Result<(), String> {
        let (_, root) = self.writable_page(&args.uri)?;
        if self.lock().unknown_projects(std::slice::from_ref(&root)).len() == 1 {
            self.load_projects(vec![root.clone()]).await;
        }
        let (target, inside) = {
            let session = self.lock();
            (session.target_glossary_file(&root)?, session.roots.clone())
        };
        let skeleton = entry_skeleton(&args.term);
        tokio::task::spawn_blocking(move || append_skeleton(&target, &skeleton, &inside))
            .await
            .map_err(|error| format!("cannot add to the glossary: {error}"))?
    }
}

/// Appends `skeleton` to the glossary file at `target` (creating it and its folder when missing):
/// atomically, only inside `inside`, over a valid glossary unchanged since it was read.
fn append_skeleton(target: &Path, skeleton: &str, inside: &[PathBuf]) -> Result<(), String> {
    let (existing, expect) = match fs::read_settings_text(target) {
        Ok((text, stamp)) => (text, Expect::Unchanged(stamp)),
        Err(error) if error.is_not_found() => (String::new(), Expect::Absent),
        Err(error) => return Err(format!("cannot write {error}")),
    };
    if let Err(error) = Glossary::parse(&existing, Some(target)) {
        return Err(format!("cannot write {}: not a valid glossary ({error}): left as it is", target.display()));
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(skeleton);
    if let Some(folder) = target.parent() {
        fs::create_dir_inside(folder, inside).map_err(|error| format!("cannot write {error}"))?;
    }
    let rules = WriteRules { inside, expect, format: Some(("glossary", |text| Glossary::parse(text, None).is_ok())) };
    fs::write_atomically(target, text.as_bytes(), &rules).map_err(|error| format!("cannot write {error}"))?;
    Ok(())
}
