//! The server's state: open documents, client capabilities, settings and each workspace root's
//! configuration. Mutated only synchronously (behind a `std` mutex never held across `.await`).

use crate::document::{Document, Snapshot};
use crate::settings::Settings;
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::incremental::IncrementalAnalysis;
use kanwu_core::suppress::{self, Suppressions};
use kanwu_core::{Config, ConfigError, LineIndex, Locale, PositionEncoding};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tower_lsp_server::ls_types as lsp;

/// What the client said it can do, reduced to what Kanwu uses.
#[derive(Clone, Debug, Default)]
pub struct ClientCaps {
    /// Pull diagnostics: the client declares `textDocument.diagnostic` and can be asked to
    /// refresh them (`workspace.diagnostics.refreshSupport`). Otherwise Kanwu pushes.
    pub pull_diagnostics: bool,
    pub watch_files_dynamic: bool,
    pub configuration: bool,
    pub document_changes: bool,
    pub create_files: bool,
    /// Hovers in Markdown: the client lists `markdown` first in `hover.contentFormat`.
    pub hover_markdown: bool,
    /// Completion documentation in Markdown (`completionItem.documentationFormat`).
    pub completion_markdown: bool,
    /// The client can be asked to fetch semantic tokens again (`workspace/semanticTokens/refresh`).
    pub semantic_tokens_refresh: bool,
    /// The client accepts server-initiated progress (`window.workDoneProgress`): only then does the
    /// server send `window/workDoneProgress/create` and `$/progress`.
    pub work_done_progress: bool,
    /// The client shows a diagnostic's `codeDescription` link (`codeDescriptionSupport`, declared
    /// for pushed or for pulled diagnostics).
    pub code_description: bool,
    /// The client resolves a code action's `edit` lazily (`codeAction.resolveSupport` lists `edit`
    /// and `dataSupport` is on): fix-all edits are then computed only for the action chosen.
    pub code_action_resolve: bool,
}

impl ClientCaps {
    pub fn from_params(caps: &lsp::ClientCapabilities) -> ClientCaps {
        let workspace = caps.workspace.as_ref();
        let text_document = caps.text_document.as_ref();
        let edit = workspace.and_then(|workspace| workspace.workspace_edit.as_ref());
        let watched = workspace.and_then(|workspace| workspace.did_change_watched_files.as_ref());
        ClientCaps {
            pull_diagnostics: text_document.is_some_and(|text_document| text_document.diagnostic.is_some())
                && workspace
                    .and_then(|workspace| workspace.diagnostics.as_ref())
                    .and_then(|diagnostics| diagnostics.refresh_support)
                    .unwrap_or(false),
            watch_files_dynamic: watched.and_then(|watched| watched.dynamic_registration).unwrap_or(false),
            configuration: workspace.and_then(|workspace| workspace.configuration).unwrap_or(false),
            document_changes: edit.and_then(|edit| edit.document_changes).unwrap_or(false),
            create_files: edit
                .and_then(|edit| edit.resource_operations.as_ref())
                .is_some_and(|operations| operations.contains(&lsp::ResourceOperationKind::Create)),
            hover_markdown: crate::glossary_state::prefers_markdown(
                text_document.and_then(|text_document| text_document.hover.as_ref()).and_then(|hover| hover.content_format.as_deref()),
            ),
            completion_markdown: crate::glossary_state::prefers_markdown(
                text_document
                    .and_then(|text_document| text_document.completion.as_ref())
                    .and_then(|completion| completion.completion_item.as_ref())
                    .and_then(|item| item.documentation_format.as_deref()),
            ),
            semantic_tokens_refresh: workspace
                .and_then(|workspace| workspace.semantic_tokens.as_ref())
                .and_then(|tokens| tokens.refresh_support)
                .unwrap_or(false),
            work_done_progress: caps.window.as_ref().and_then(|window| window.work_done_progress).unwrap_or(false),
            code_description: text_document.is_some_and(|text_document| {
                text_document.publish_diagnostics.as_ref().and_then(|publish| publish.code_description_support).unwrap_or(false)
                    || text_document.diagnostic.as_ref().and_then(|pull| pull.code_description_support).unwrap_or(false)
            }),
            code_action_resolve: text_document.and_then(|text_document| text_document.code_action.as_ref()).is_some_and(|code_action| {
                code_action.data_support == Some(true)
                    && code_action
                        .resolve_support
                        .as_ref()
                        .is_some_and(|resolve| resolve.properties.iter().any(|property| property == "edit"))
            }),
        }
    }
}

/// When a file was last seen changed: modification time and length.
pub type Stamp = Option<(SystemTime, u64)>;

pub fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// One workspace root: the folder of a `kanwu.toml`, or a workspace folder without one.
#[derive(Clone, Debug)]
pub struct Project {
    pub root: PathBuf,
    pub toml: PathBuf,
    /// The last valid configuration read from `kanwu.toml` (`None`: no file yet).
    pub config: Option<Config>,
    /// The error of the current file text, with that text.
    pub error: Option<(ConfigError, String)>,
    /// The text of `kanwu.toml` last read (positions of the problems shown on it).
    pub toml_text: Option<Arc<str>>,
    /// The diagnostics last pushed to the client for `kanwu.toml` (so they are sent once, and cleared).
    pub toml_published: Vec<lsp::Diagnostic>,
    pub suppressions: Arc<Suppressions>,
    /// Words ignored from the editor whose `kanwu.toml` edit may not be saved yet.
    pub pending_ignores: Vec<String>,
    /// The workspace glossary files and the glossary in force for this root.
    pub glossary: crate::glossary_state::GlossaryState,
}

impl Project {
    pub fn new(root: PathBuf) -> Project {
        let toml = root.join(CONFIG_FILE_NAME);
        Project {
            root,
            toml,
            config: None,
            error: None,
            toml_text: None,
            toml_published: Vec::new(),
            suppressions: Arc::new(Suppressions::default()),
            pending_ignores: Vec::new(),
            glossary: Default::default(),
        }
    }

    /// The file configuration (defaults when there is no file) with the editor's settings and
    /// pending ignores laid over it.
    pub fn effective_config(&self, settings: &Settings) -> Config {
        let base = self.config.clone().unwrap_or_else(Config::with_defaults);
        let mut overlay = settings.overlay.clone();
        overlay.locale = settings.locale;
        for word in &self.pending_ignores {
            if !overlay.ignore.contains(word) {
                overlay.ignore.push(word.clone());
            }
        }
        base.merged_with(&overlay)
    }
}

/// The analysis of one document version under one configuration generation.
#[derive(Debug)]
pub struct Analysis {
    pub version: i32,
    pub generation: u64,
    pub text: Arc<str>,
    pub index: LineIndex,
    /// The core's compact diagnostics; converted to LSP only when sent (`Analysis::proto`).
    pub diagnostics: kanwu_core::Findings,
    pub locale: Locale,
    pub encoding: PositionEncoding,
    /// The warning about the page's encoding on disk, sent first.
    pub notice: Option<String>,
}

/// An open document and its analysis state.
#[derive(Debug)]
pub struct OpenDocument {
    pub document: Document,
    pub path: Option<PathBuf>,
    /// The root of the project whose configuration applies.
    pub root: Option<PathBuf>,
    /// True for a `kanwu.toml` opened in the editor: its text is the configuration.
    pub is_config: bool,
    /// A warning about the page's encoding on disk, found when it was opened.
    pub encoding_notice: Option<String>,
    /// The pending debounced analysis.
    pub task: Option<tokio::task::AbortHandle>,
    pub analysis: Option<Arc<Analysis>>,
    /// Held while the page is analysed and its result published: one analysis per page at a time.
    pub lock: Arc<tokio::sync::Mutex<()>>,
    /// The page's chunks and their cached diagnostics, so an edit re-checks only what changed.
    pub incremental: Arc<std::sync::Mutex<IncrementalAnalysis>>,
    /// The newest version, shared with the analyses running on older ones so they stop early.
    pub latest_version: Arc<std::sync::atomic::AtomicI32>,
    /// True for a workspace glossary file opened in the editor: its text is that glossary layer.
    pub is_glossary: bool,
    /// The glossary terms found in the current version, and the last semantic tokens sent.
    pub terms: crate::glossary_state::DocumentTerms,
}

/// Everything an analysis needs, taken from the session in one go.
#[derive(Clone, Debug)]
pub struct Job {
    pub uri: lsp::Uri,
    pub snapshot: Snapshot,
    pub config: Arc<Config>,
    pub locale: Locale,
    pub encoding: PositionEncoding,
    pub page_key: Option<String>,
    pub suppressions: Arc<Suppressions>,
    pub generation: u64,
    pub notice: Option<String>,
    pub incremental: Arc<std::sync::Mutex<IncrementalAnalysis>>,
    /// The page's newest version, which an analysis of an older one watches to stop early.
    pub latest_version: Arc<std::sync::atomic::AtomicI32>,
}

impl Job {
    /// Whether the page has moved on since this job's snapshot (its result would be stale).
    pub fn superseded(&self) -> bool {
        self.latest_version.load(std::sync::atomic::Ordering::Acquire) != self.snapshot.version
    }
}

/// The whole server state.
#[derive(Debug, Default)]
pub struct Session {
    pub encoding: PositionEncoding,
    pub client_locale: Locale,
    pub caps: ClientCaps,
    pub roots: Vec<PathBuf>,
    pub settings: Settings,
    pub documents: HashMap<lsp::Uri, OpenDocument>,
    pub projects: BTreeMap<PathBuf, Project>,
    /// Bumped whenever settings, a configuration or the ignored occurrences change.
    pub generation: u64,
    pub shutdown: bool,
    /// The corpus index of every page of the workspace folders.
    pub corpus: crate::index_state::CorpusState,
}

/// A path made absolute and canonical where it exists (or its parent does).
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map(|parent| parent.join(name)).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

impl Session {
    /// The project root for a page: the folder of the nearest `kanwu.toml` above it, else the
    /// innermost workspace folder holding it, else its own folder.
    pub fn root_for(&self, path: &Path) -> PathBuf {
        let folder = path.parent().unwrap_or(path);
        let mut dir = Some(folder);
        while let Some(current) = dir {
            if current.join(CONFIG_FILE_NAME).is_file() {
                return current.to_path_buf();
            }
            dir = current.parent();
        }
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .unwrap_or_else(|| folder.to_path_buf())
    }

    /// The project root of `path` when it may be written to: the root lies inside one of the
    /// workspace folders (resolved, links followed). Pages outside every folder get no writes.
    pub fn writable_root(&self, path: &Path) -> Result<PathBuf, String> {
        let root = self.root_for(path);
        kanwu_core::workspace::fs::ensure_inside(&root, &self.roots)
            .map_err(|error| format!("{error}: Kanwu writes only inside the workspace folders"))
    }

    /// The folders the configuration files of the project at `root` may be read from: the
    /// workspace folders holding it, else (a page opened outside every folder) the root itself.
    pub fn readable_roots(&self, root: &Path) -> Vec<PathBuf> {
        let holding: Vec<PathBuf> = self.roots.iter().filter(|folder| root.starts_with(folder)).cloned().collect();
        if holding.is_empty() {
            vec![root.to_path_buf()]
        } else {
            holding
        }
    }

    /// The diagnostics of a project's `kanwu.toml`: its error, and the problems with the glossary
    /// files it names.
    pub fn toml_diagnostics(&self, project: &Project) -> Vec<lsp::Diagnostic> {
        let mut items = Vec::new();
        if let Some((error, text)) = &project.error {
            items.push(crate::to_proto::located_error(text, error, self.encoding, self.client_locale));
        }
        let text = project.error.as_ref().map(|(_, text)| text.as_str()).or(project.toml_text.as_deref()).unwrap_or("");
        for problem in &project.glossary.problems {
            items.push(crate::glossary_state::toml_problem_diagnostic(text, problem, self.encoding));
        }
        items
    }

    /// The message language for a configuration: settings, then `kanwu.toml`, then the client.
    pub fn locale_for(&self, config: &Config) -> Locale {
        config.locale.unwrap_or(self.client_locale)
    }

    /// The configuration in force for a document.
    pub fn config_for(&self, document: &OpenDocument) -> Config {
        match document.root.as_ref().and_then(|root| self.projects.get(root)) {
            Some(project) => project.effective_config(&self.settings),
            None => Project::new(PathBuf::new()).effective_config(&self.settings),
        }
    }

    /// Everything needed to analyse the current version of `uri`.
    pub fn job(&self, uri: &lsp::Uri) -> Option<Job> {
        let document = self.documents.get(uri)?;
        if document.is_config {
            return None;
        }
        let config = self.config_for(document);
        let locale = self.locale_for(&config);
        let project = document.root.as_ref().and_then(|root| self.projects.get(root));
        let page_key = match (project, &document.path) {
            (Some(project), Some(path)) => suppress::page_key(&project.root, path),
            _ => None,
        };
        Some(Job {
            uri: uri.clone(),
            snapshot: document.document.snapshot(),
            config: Arc::new(config),
            locale,
            encoding: self.encoding,
            page_key,
            suppressions: project.map(|project| project.suppressions.clone()).unwrap_or_default(),
            generation: self.generation,
            notice: document.encoding_notice.clone(),
            incremental: document.incremental.clone(),
            latest_version: document.latest_version.clone(),
        })
    }

    /// How diagnostics are sent: links when the client shows them, at most `kanwu.maxProblems`.
    pub fn send_options(&self) -> crate::to_proto::SendOptions {
        crate::to_proto::SendOptions { code_description: self.caps.code_description, max_problems: self.settings.max_problems }
    }

    /// The cached analysis of `uri` when it matches the current version and configuration.
    pub fn current_analysis(&self, uri: &lsp::Uri) -> Option<Arc<Analysis>> {
        let document = self.documents.get(uri)?;
        let analysis = document.analysis.as_ref()?;
        (analysis.version == document.document.version && analysis.generation == self.generation).then(|| analysis.clone())
    }

    /// Whether `version` under `generation` is still what `uri` shows.
    pub fn is_current(&self, uri: &lsp::Uri, version: i32, generation: u64) -> bool {
        self.generation == generation && self.documents.get(uri).is_some_and(|document| document.document.version == version)
    }

    /// The open `kanwu.toml` documents by path.
    pub fn open_config_text(&self, toml: &Path) -> Option<String> {
        self.documents
            .values()
            .find(|document| document.is_config && document.path.as_deref() == Some(toml))
            .map(|document| document.document.rope.to_string())
    }

    /// The URI of the open document at `path`, if any.
    pub fn uri_of_path(&self, path: &Path) -> Option<lsp::Uri> {
        self.documents.iter().find(|(_, document)| document.path.as_deref() == Some(path)).map(|(uri, _)| uri.clone())
    }
}
