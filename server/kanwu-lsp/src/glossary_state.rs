//! Workspace glossaries in the server: which files each root uses, the glossary in force (the last good one), their errors as diagnostics, and the terms found in each open page.
//!
//! Each project (workspace root) has its glossary files: the `[glossary] files` of its `kanwu.toml`
//! (relative to that file), else `glossary.toml` at the root. They are read from the editor's buffer
//! when open, else from disk, on the same occasions as `kanwu.toml` (client file watching, or the
//! server's polling; see `workspace.rs`), and laid over the built-in glossary with
//! `Glossary::layered`. A file that fails to parse keeps its last good layer in force and gets an
//! error diagnostic at the line and column of the problem. A file outside the workspace folders (and
//! not allowed by the user's `allowOutside` setting), a pipe, a device or an oversized file is not
//! read: the refusal is a diagnostic on `kanwu.toml` at the `[glossary] files` entry, as is a named
//! file that is missing (a warning). A missing default `glossary.toml` is simply absent.
//!
//! For each open page the terms found (through the page's `NormalizedView`) are computed once per
//! version and glossary, and shared by hover, semantic tokens and "Add to glossary".

use crate::server::Inner;
use crate::session::{Project, Session};
use crate::to_proto;
use kanwu_core::glossary::{Glossary, GlossaryError, TermHit};
use kanwu_core::normalized::NormalizedView;
use kanwu_core::workspace::fs::FsError;
use kanwu_core::workspace::project_files::{glossary_files, read_glossary_file, GlossaryFileTarget};
use kanwu_core::{LineIndex, Page};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use tower_lsp_server::ls_types as lsp;

/// The built-in glossary, shared by every project without workspace files.
static BUILTIN: LazyLock<Arc<Glossary>> = LazyLock::new(|| Arc::new(Glossary::builtin().clone()));

/// Whether a client's list of markup formats (in order of preference) puts Markdown first.
pub fn prefers_markdown(formats: Option<&[lsp::MarkupKind]>) -> bool {
    formats.and_then(|formats| formats.first()).is_some_and(|kind| *kind == lsp::MarkupKind::Markdown)
}

/// One workspace glossary file.
#[derive(Clone, Debug)]
pub struct GlossaryFile {
    pub path: PathBuf,
    /// The text last read (buffer or disk), `None` when the file is missing.
    pub text: Option<Arc<str>>,
    /// The last text that parsed, and its glossary layer: in force even while the file is broken.
    pub good: Option<(Arc<str>, Arc<Glossary>)>,
    /// The error of the current text.
    pub error: Option<GlossaryError>,
    /// The error last pushed to the client for this file (so it is sent once, and cleared).
    pub published: Option<GlossaryError>,
}

impl GlossaryFile {
    fn new(path: PathBuf) -> GlossaryFile {
        GlossaryFile { path, text: None, good: None, error: None, published: None }
    }
}

/// The glossary state of one project.
#[derive(Clone, Debug)]
pub struct GlossaryState {
    pub files: Vec<GlossaryFile>,
    /// The built-in glossary with the good layers laid over it.
    pub in_force: Arc<Glossary>,
    /// Files dropped from the configuration whose published error must still be cleared.
    pub to_clear: Vec<PathBuf>,
    /// Every glossary file `kanwu.toml` names (or the default one), resolved, refused or not.
    pub targets: Vec<GlossaryFileTarget>,
    /// The problems with those files, shown on `kanwu.toml`.
    pub problems: Vec<TomlProblem>,
    /// The glossary in force changed since the client was last asked to refresh semantic tokens.
    pub refresh_pending: bool,
}

impl Default for GlossaryState {
    fn default() -> GlossaryState {
        GlossaryState {
            files: Vec::new(),
            in_force: BUILTIN.clone(),
            to_clear: Vec::new(),
            targets: Vec::new(),
            problems: Vec::new(),
            refresh_pending: false,
        }
    }
}

/// A problem with a glossary file named in `kanwu.toml`, shown there at the entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TomlProblem {
    /// The byte range of the entry in `kanwu.toml`.
    pub span: std::ops::Range<usize>,
    pub message: String,
    /// Errors refuse a file; warnings (a missing file) only say so.
    pub error: bool,
}

/// What to read for one project's glossary files, collected under the session lock.
#[derive(Debug)]
pub struct GlossaryPlan {
    pub root: PathBuf,
    pub targets: Vec<GlossaryFileTarget>,
    /// The texts of the target files open in the editor (read from the buffer, not the disk).
    pub open: HashMap<PathBuf, String>,
    pub readable: Vec<PathBuf>,
    pub allowed_outside: Vec<PathBuf>,
}

/// A glossary file's text as read: `None` when missing, or why it could not be read.
pub type GlossaryText = Result<Option<Arc<str>>, FsError>;

/// The glossary files of one project as read, outside the lock.
#[derive(Debug)]
pub struct GlossaryRead {
    pub root: PathBuf,
    pub targets: Vec<GlossaryFileTarget>,
    /// For each target the server may read: its text (`None`: missing), or why it could not be read.
    pub texts: Vec<(PathBuf, GlossaryText)>,
}

/// Reads the glossary files `plan` accepts with the core guard (blocking: call it off the lock).
pub fn read_glossaries(plan: GlossaryPlan) -> GlossaryRead {
    let texts = plan
        .targets
        .iter()
        .filter(|target| target.refusal.is_none())
        .map(|target| {
            let text = match plan.open.get(&target.path) {
                Some(text) => Ok(Some(Arc::from(text.as_str()))),
                None => match read_glossary_file(&target.path, &plan.readable, &plan.allowed_outside) {
                    Ok((text, _)) => Ok(Some(Arc::from(text))),
                    Err(error) if error.is_not_found() => Ok(None),
                    Err(error) => Err(error),
                },
            };
            (target.path.clone(), text)
        })
        .collect();
    GlossaryRead { root: plan.root, targets: plan.targets, texts }
}

/// Applies a project's glossary files as read; returns whether the glossary in force or an error
/// changed.
pub fn apply(project: &mut Project, read: GlossaryRead) -> bool {
    let state = &mut project.glossary;
    let mut problems = Vec::new();
    for target in &read.targets {
        if let Some(refusal) = &target.refusal {
            problems.push(TomlProblem { span: target.span.clone(), message: refusal.clone(), error: true });
        }
    }
    let mut old: Vec<GlossaryFile> = std::mem::take(&mut state.files);
    let paths: Vec<&PathBuf> = read.texts.iter().map(|(path, _)| path).collect();
    let mut changed = old.len() != paths.len() || old.iter().zip(&paths).any(|(file, path)| &file.path != *path);
    let mut layers_changed = changed;
    for (path, text) in read.texts {
        let target = read.targets.iter().find(|target| target.path == path);
        let span = target.map(|target| target.span.clone()).unwrap_or(0..0);
        let named = target.is_some_and(|target| target.named);
        let mut file = match old.iter().position(|file| file.path == path) {
            Some(index) => old.swap_remove(index),
            None => GlossaryFile::new(path.clone()),
        };
        let text: Option<Arc<str>> = match text {
            Ok(None) => {
                if named {
                    problems.push(TomlProblem { span, message: format!("{}: no such glossary file", path.display()), error: false });
                }
                None
            }
            Ok(Some(text)) => Some(text),
            Err(error) => {
                problems.push(TomlProblem { span, message: format!("cannot read the glossary file {error}"), error: true });
                file.text.clone()
            }
        };
        if text != file.text {
            changed = true;
            file.text = text.clone();
            match text {
                None => {
                    layers_changed |= file.good.is_some();
                    file.good = None;
                    file.error = None;
                }
                Some(text) => match Glossary::parse(&text, Some(&path)) {
                    Ok(glossary) => {
                        file.good = Some((text, Arc::new(glossary)));
                        file.error = None;
                        layers_changed = true;
                    }
                    Err(error) => {
                        eprintln!("kanwu: {error} (the last good glossary stays in force)");
                        file.error = Some(error);
                    }
                },
            }
        }
        state.files.push(file);
    }
    if problems != state.problems {
        for problem in &problems {
            eprintln!("kanwu: {}: {}", project.toml.display(), problem.message);
        }
        state.problems = problems;
        changed = true;
    }
    state.targets = read.targets;
    state.to_clear.extend(old.into_iter().filter(|file| file.published.is_some()).map(|file| file.path));
    if layers_changed {
        let layers: Vec<&Glossary> = state.files.iter().filter_map(|file| file.good.as_ref().map(|(_, glossary)| &**glossary)).collect();
        state.in_force = if layers.is_empty() { BUILTIN.clone() } else { Arc::new(Glossary::layered(Glossary::builtin(), layers)) };
        state.refresh_pending = true;
    }
    changed
}

/// The diagnostic on `kanwu.toml` for a problem with one of its glossary files.
pub fn toml_problem_diagnostic(text: &str, problem: &TomlProblem, encoding: kanwu_core::PositionEncoding) -> lsp::Diagnostic {
    let index = LineIndex::new(text);
    let span = problem.span.start.min(text.len())..problem.span.end.min(text.len());
    let range = to_proto::Text { text, index: &index, encoding }.range(span);
    lsp::Diagnostic {
        range,
        severity: Some(if problem.error { lsp::DiagnosticSeverity::ERROR } else { lsp::DiagnosticSeverity::WARNING }),
        code: Some(lsp::NumberOrString::String("glossary-file".to_string())),
        source: Some("kanwu".to_string()),
        message: problem.message.clone(),
        ..Default::default()
    }
}

/// The glossary terms of one page version.
#[derive(Debug)]
pub struct PageTerms {
    pub version: i32,
    pub glossary: Arc<Glossary>,
    pub text: Arc<str>,
    pub index: LineIndex,
    /// The page structure of this version (outline, folding and the normalized view follow it).
    pub page: Page,
    pub view: NormalizedView,
    /// Every term found, leftmost-longest, in order.
    pub hits: Vec<TermHit>,
}

impl PageTerms {
    /// Finds the terms of `text` (synchronous; linear in the page).
    pub fn compute(version: i32, glossary: Arc<Glossary>, text: Arc<str>) -> PageTerms {
        let page = Page::parse(&text);
        let view = NormalizedView::new(&text, &page);
        let hits = glossary.find_in_view(&view);
        let index = LineIndex::new(&text);
        PageTerms { version, glossary, text, index, page, view, hits }
    }

    /// A converter of byte offsets to LSP positions in `encoding`.
    pub fn converter(&self, encoding: kanwu_core::PositionEncoding) -> to_proto::Text<'_> {
        to_proto::Text { text: &self.text, index: &self.index, encoding }
    }
}

/// What the server keeps about the terms of one open document.
#[derive(Debug, Default)]
pub struct DocumentTerms {
    pub page: Option<Arc<PageTerms>>,
    /// The result id and tokens of the last semantic tokens answer.
    pub tokens: Option<(String, Arc<Vec<lsp::SemanticToken>>)>,
}

impl Session {
    /// What to read for the glossary files of the project at `root`, from the configuration in
    /// force (resolving paths is a stat, never a read).
    pub fn glossary_plan(&self, root: &Path) -> Option<GlossaryPlan> {
        let project = self.projects.get(root)?;
        let readable = self.readable_roots(root);
        let allowed_outside = self.settings.allow_outside.clone();
        let config_dir = project.toml.parent().unwrap_or(root).to_path_buf();
        let targets = glossary_files(project.config.as_ref(), project.toml_text.as_deref(), &config_dir, &readable, &allowed_outside);
        let open: HashMap<PathBuf, String> = self
            .documents
            .values()
            .filter(|document| document.is_glossary)
            .filter_map(|document| Some((document.path.clone()?, document.document.rope.to_string())))
            .filter(|(path, _)| targets.iter().any(|target| &target.path == path))
            .collect();
        Some(GlossaryPlan { root: root.to_path_buf(), targets, open, readable, allowed_outside })
    }

    /// Applies glossary files as read; returns whether anything changed.
    pub fn apply_glossaries(&mut self, read: GlossaryRead) -> bool {
        match self.projects.get_mut(&read.root) {
            Some(project) => apply(project, read),
            None => false,
        }
    }

    /// Whether `path` is a workspace glossary file of a loaded project (read from it, not refused).
    pub fn is_glossary_path(&self, path: &Path) -> bool {
        self.projects.values().any(|project| project.glossary.files.iter().any(|file| file.path == path))
    }

    /// The glossary in force for an open document.
    pub fn glossary_for(&self, uri: &lsp::Uri) -> Arc<Glossary> {
        self.documents
            .get(uri)
            .and_then(|document| document.root.as_ref())
            .and_then(|root| self.projects.get(root))
            .map_or_else(|| BUILTIN.clone(), |project| project.glossary.in_force.clone())
    }

    /// The glossary file of the project of `root` that new entries go to (the first one), when it
    /// may be written: not refused, and inside the workspace folders.
    pub fn target_glossary_file(&self, root: &Path) -> Result<PathBuf, String> {
        let project = self.projects.get(root).ok_or_else(|| format!("{}: no project loaded", root.display()))?;
        let target = project.glossary.targets.first().ok_or_else(|| format!("{}: no glossary file", root.display()))?;
        if let Some(refusal) = &target.refusal {
            return Err(refusal.clone());
        }
        kanwu_core::workspace::fs::ensure_inside(&target.path, &self.roots)
            .map_err(|error| format!("{error}: Kanwu writes only inside the workspace folders"))
    }

    /// The open buffer of a glossary file and its version, if it is open.
    pub fn open_glossary_text(&self, path: &Path) -> Option<(String, Option<i32>)> {
        self.documents
            .values()
            .find(|document| document.path.as_deref() == Some(path))
            .map(|document| (document.document.rope.to_string(), Some(document.document.version)))
    }

    /// The last good text of a loaded glossary file, for positions in it.
    pub fn glossary_good_text(&self, path: &Path) -> Option<Arc<str>> {
        self.projects
            .values()
            .flat_map(|project| &project.glossary.files)
            .find(|file| file.path == path)
            .and_then(|file| file.good.as_ref().map(|(text, _)| text.clone()))
    }
}

impl Inner {
    /// The terms of the current version of an open page (cached per version and glossary).
    pub async fn page_terms(self: &Arc<Self>, uri: &lsp::Uri) -> Option<Arc<PageTerms>> {
        self.settled().await;
        let (snapshot, glossary) = {
            let session = self.lock();
            let document = session.documents.get(uri)?;
            if document.is_config {
                return None;
            }
            let glossary = session.glossary_for(uri);
            if let Some(page) = &document.terms.page {
                if page.version == document.document.version && Arc::ptr_eq(&page.glossary, &glossary) {
                    return Some(page.clone());
                }
            }
            (document.document.snapshot(), glossary)
        };
        let version = snapshot.version;
        let computed = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| PageTerms::compute(version, glossary, snapshot.text())))
        })
        .await;
        let terms = match computed {
            Ok(Ok(terms)) => Arc::new(terms),
            Ok(Err(payload)) => {
                eprintln!("kanwu: glossary matching panicked: {}", crate::guard::panic_message(&*payload));
                return None;
            }
            Err(error) => {
                eprintln!("kanwu: glossary matching failed: {error}");
                return None;
            }
        };
        let mut session = self.lock();
        if let Some(document) = session.documents.get_mut(uri) {
            if document.document.version == version {
                document.terms.page = Some(terms.clone());
            }
        }
        Some(terms)
    }

    /// What follows a reload of configuration and glossaries: pages diagnosed again when the
    /// configuration changed, configuration and glossary errors published, and the client asked to
    /// fetch semantic tokens again when a glossary in force changed.
    pub async fn settle(self: &Arc<Self>, config_changed: bool) {
        if config_changed {
            self.rediagnose_all().await;
        } else {
            self.publish_config_errors().await;
        }
        self.publish_glossary_errors().await;
    }

    /// Pushes (or clears) the error diagnostic of each glossary file, unless a pull client has that
    /// file open and asks for it itself; asks for a semantic tokens refresh after a change.
    pub async fn publish_glossary_errors(self: &Arc<Self>) {
        let mut messages = Vec::new();
        let refresh = {
            let mut session = self.lock();
            let encoding = session.encoding;
            let locale = session.client_locale;
            let pull = session.caps.pull_diagnostics;
            let open: Vec<PathBuf> =
                session.documents.values().filter(|document| document.is_glossary).filter_map(|document| document.path.clone()).collect();
            let mut refresh = false;
            for project in session.projects.values_mut() {
                let state = &mut project.glossary;
                refresh |= std::mem::take(&mut state.refresh_pending);
                for path in state.to_clear.drain(..) {
                    if let Some(uri) = lsp::Uri::from_file_path(&path) {
                        messages.push((uri, Vec::new()));
                    }
                }
                for file in &mut state.files {
                    if pull && open.contains(&file.path) {
                        continue;
                    }
                    if file.error == file.published {
                        continue;
                    }
                    let Some(uri) = lsp::Uri::from_file_path(&file.path) else { continue };
                    let items = match (&file.error, &file.text) {
                        (Some(error), Some(text)) => vec![to_proto::located_error(text, error, encoding, locale)],
                        _ => Vec::new(),
                    };
                    file.published = file.error.clone();
                    messages.push((uri, items));
                }
            }
            refresh && session.caps.semantic_tokens_refresh
        };
        for (uri, diagnostics) in messages {
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
        if refresh {
            if let Err(error) = self.client.semantic_tokens_refresh().await {
                eprintln!("kanwu: workspace/semanticTokens/refresh failed: {error:?}");
            }
        }
    }

    /// The pull report of an open glossary file (its error, if any), or `None` for other documents.
    pub fn glossary_report(&self, uri: &lsp::Uri) -> Option<lsp::DocumentDiagnosticReportResult> {
        let session = self.lock();
        let document = session.documents.get(uri)?;
        if !document.is_glossary {
            return None;
        }
        let path = document.path.as_deref()?;
        let items = session
            .projects
            .values()
            .flat_map(|project| &project.glossary.files)
            .find(|file| file.path == path)
            .and_then(|file| {
                Some(to_proto::located_error(file.text.as_deref()?, file.error.as_ref()?, session.encoding, session.client_locale))
            })
            .into_iter()
            .collect();
        Some(lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport { result_id: None, items },
        })))
    }
}
