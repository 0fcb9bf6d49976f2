//! `textDocument/definition` on a glossary term: the entry's `term = …` in the glossary file that defines it.
//!
//! A workspace entry points into its workspace glossary file (positions computed on the text that
//! was parsed). A built-in entry points into a workspace glossary file that defines the same term
//! when there is one (an exported copy of the built-in glossary, say); otherwise into a read-only
//! copy of the built-in glossary that the server writes once to `builtin.toml` in the user's
//! private cache folder (`$XDG_CACHE_HOME/kanwu`, else `~/.cache/kanwu`, mode 0700; no location
//! when that folder is not private or the file cannot be written).

use crate::from_proto;
use crate::server::Inner;
use crate::to_proto::Text;
use kanwu_core::glossary::{Glossary, BUILTIN_FILE_NAME, BUILTIN_TOML};
use kanwu_core::workspace::cache;
use kanwu_core::workspace::fs::{self, Expect, FsError, WriteRules};
use kanwu_core::{LineIndex, PositionEncoding};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower_lsp_server::ls_types as lsp;

/// The read-only copy of the built-in glossary, written on first use into the user's private
/// cache folder (never the shared temporary folder, where anyone may plant a link).
fn builtin_copy() -> Option<&'static Path> {
    static COPY: OnceLock<Option<PathBuf>> = OnceLock::new();
    COPY.get_or_init(|| match write_builtin_copy() {
        Ok(path) => Some(path),
        Err(error) => {
            eprintln!("kanwu: the built-in glossary cannot be shown: {error}");
            None
        }
    })
    .as_deref()
}

/// Writes `builtin.toml` into the cache folder (atomically, unless it already holds exactly the
/// built-in glossary) and makes it read-only; returns its path.
fn write_builtin_copy() -> Result<PathBuf, FsError> {
    let folder = cache::user_cache_dir()?;
    let path = folder.join(BUILTIN_FILE_NAME);
    let current = fs::read_limited(&path, fs::MAX_SETTINGS_BYTES);
    if current.as_ref().is_ok_and(|read| read.bytes != BUILTIN_TOML.as_bytes()) {
        // An older copy: the folder is this user's alone, so the copy may be made writable again.
        if let Ok(metadata) = std::fs::symlink_metadata(&path) {
            let mut permissions = metadata.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            let _ = std::fs::set_permissions(&path, permissions);
        }
    }
    let up_to_date = current.as_ref().is_ok_and(|read| read.bytes == BUILTIN_TOML.as_bytes());
    if !up_to_date {
        let inside = std::slice::from_ref(&folder);
        let expect = match current {
            Ok(read) => Expect::Unchanged(read.stamp),
            Err(_) => Expect::Any,
        };
        let rules = WriteRules { inside, expect, format: None };
        fs::write_atomically(&path, BUILTIN_TOML.as_bytes(), &rules)?;
    }
    if let Ok(metadata) = std::fs::metadata(&path) {
        let mut permissions = metadata.permissions();
        permissions.set_readonly(true);
        let _ = std::fs::set_permissions(&path, permissions);
    }
    Ok(path)
}

/// The location of byte range `span` of `text`, the contents of `path`.
fn location(path: &Path, text: &str, span: std::ops::Range<usize>, encoding: PositionEncoding) -> Option<lsp::Location> {
    let index = LineIndex::new(text);
    let range = Text { text, index: &index, encoding }.range(span);
    Some(lsp::Location { uri: lsp::Uri::from_file_path(path)?, range })
}

impl Inner {
    pub async fn definition(self: &Arc<Self>, params: lsp::GotoDefinitionParams) -> Option<lsp::GotoDefinitionResponse> {
        let position = params.text_document_position_params;
        let terms = self.page_terms(&position.text_document.uri).await?;
        let encoding = self.lock().encoding;
        let offset = from_proto::offset(&terms.text, &terms.index, position.position, encoding);
        let (hit, _) = kanwu_core::terms::entry_in_hits(&terms.view, &terms.glossary, &terms.hits, offset)?;
        let entry = terms.glossary.entry(hit.entry);
        let found = match &entry.source.path {
            Some(path) => {
                let text = self.lock().glossary_good_text(path);
                let text = match text {
                    Some(text) => text,
                    None => {
                        let path = path.clone();
                        let read = tokio::task::spawn_blocking(move || crate::workspace::read_text(&path).ok());
                        Arc::from(read.await.ok().flatten()?)
                    }
                };
                location(path, &text, entry.source.span.clone(), encoding)
            }
            None => {
                // A workspace file that defines the same term (an exported built-in glossary).
                let workspace = {
                    let session = self.lock();
                    let root = session.documents.get(&position.text_document.uri).and_then(|document| document.root.clone());
                    root.and_then(|root| session.projects.get(&root)).and_then(|project| {
                        project.glossary.files.iter().find_map(|file| {
                            let (text, layer) = file.good.as_ref()?;
                            let span = layer.lookup(&entry.term).filter(|other| other.term == entry.term)?.source.span.clone();
                            Some((file.path.clone(), text.clone(), span))
                        })
                    })
                };
                match workspace {
                    Some((path, text, span)) => location(&path, &text, span, encoding),
                    None => location(builtin_copy()?, Glossary::export_builtin().as_str(), entry.source.span.clone(), encoding),
                }
            }
        };
        found.map(lsp::GotoDefinitionResponse::Scalar)
    }
}
