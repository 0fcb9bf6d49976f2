//! The `LanguageServer` implementation: each method converts its parameters, mutates the session
//! synchronously (never across an `.await`, so edits apply in the order received), then hands
//! longer work to the modules of each method family.

mod capabilities;

use crate::document::{Change, Document};
use crate::from_proto;
use crate::guard;
use crate::session::{canonical, ClientCaps, OpenDocument, Session};
use crate::settings::Settings;
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::Locale;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

/// State shared by the handlers and the background tasks.
pub struct Inner {
    pub client: Client,
    state: Mutex<Session>,
    /// Where whole frames go straight to stdout (the push of diagnostics, serialized off the
    /// protocol threads); `None` when the server runs without that channel.
    output: Option<tokio::sync::mpsc::UnboundedSender<Vec<u8>>>,
    /// Configuration loads begun (synchronously, by the notification that needs them) and not yet
    /// applied: requests that depend on the configuration wait for them (`Inner::settled`), so a
    /// request sent after `didOpen` sees the project that `didOpen` loads off the lock.
    loads_pending: std::sync::atomic::AtomicUsize,
    loads_done: tokio::sync::Notify,
    /// Held by each configuration load from its first poll to its end, so loads apply in the order
    /// of the notifications that began them.
    pub config_loads: tokio::sync::Mutex<()>,
}

/// A configuration load in progress; dropping it marks the load done.
pub struct LoadGuard(Arc<Inner>);

impl Drop for LoadGuard {
    fn drop(&mut self) {
        self.0.loads_pending.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        self.0.loads_done.notify_waiters();
    }
}

impl Inner {
    /// Marks a configuration load as begun; call it before the first `.await` of the notification.
    pub fn begin_load(self: &Arc<Self>) -> LoadGuard {
        self.loads_pending.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        LoadGuard(self.clone())
    }

    /// Waits until the configuration loads begun so far are applied (at most a few seconds, so a
    /// load that never ends cannot hold requests forever).
    pub async fn settled(&self) {
        let wait = async {
            loop {
                let notified = self.loads_done.notified();
                if self.loads_pending.load(std::sync::atomic::Ordering::Acquire) == 0 {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(std::time::Duration::from_secs(5), wait).await.is_err() {
            eprintln!("kanwu: the configuration is still loading after 5 s; answering with what is loaded");
        }
    }

    /// The session; a panic elsewhere never leaves it unusable.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes a whole frame (see `diagnostics::wire`) to the client.
    pub fn send_frame(&self, frame: Vec<u8>) {
        if frame.is_empty() {
            return;
        }
        match &self.output {
            Some(output) => {
                let _ = output.send(frame);
            }
            None => eprintln!("kanwu: no output channel: a frame was dropped"),
        }
    }

    /// Pushes `diagnostics` for `uri` through the same channel as the analyses' pushes, so that the
    /// messages of one page keep their order.
    pub async fn publish(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        if self.output.is_some() {
            self.send_frame(crate::diagnostics::wire::frame(&uri, &diagnostics, version));
        } else {
            self.client.publish_diagnostics(uri, diagnostics, version).await;
        }
    }

    /// Logs to stderr and to the client's log.
    pub async fn log(&self, kind: lsp::MessageType, message: String) {
        eprintln!("kanwu: {message}");
        self.client.log_message(kind, message).await;
    }

    /// Replaces the editor settings; diagnoses again when they changed.
    async fn apply_settings(self: &Arc<Self>, value: &serde_json::Value) {
        if !value.is_object() {
            return;
        }
        let (settings, problems) = Settings::from_json(value);
        for problem in problems {
            self.log(lsp::MessageType::WARNING, problem).await;
        }
        let (changed, allowed_changed) = {
            let mut session = self.lock();
            if session.settings == settings {
                (false, false)
            } else {
                let allowed_changed = session.settings.allow_outside != settings.allow_outside;
                session.settings = settings;
                session.generation += 1;
                (true, allowed_changed)
            }
        };
        if allowed_changed {
            // Glossary files outside the workspace may now be read, or no longer.
            self.reload_configuration().await;
        }
        if changed {
            self.rediagnose_all().await;
        }
    }

    /// Asks the client for the `kanwu` section of its settings.
    async fn fetch_settings(self: &Arc<Self>) {
        let item = lsp::ConfigurationItem { scope_uri: None, section: Some("kanwu".to_string()) };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(value) = values.first() {
                    self.apply_settings(value).await;
                }
            }
            Err(error) => eprintln!("kanwu: workspace/configuration failed: {error:?}"),
        }
    }
}

/// The language server.
pub struct Backend {
    pub inner: Arc<Inner>,
}

impl Backend {
    /// A server that writes its pushed diagnostics as whole frames to `output`.
    pub fn with_output(client: Client, output: tokio::sync::mpsc::UnboundedSender<Vec<u8>>) -> Backend {
        Backend {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(Session::default()),
                output: Some(output),
                loads_pending: Default::default(),
                loads_done: Default::default(),
                config_loads: Default::default(),
            }),
        }
    }
}

fn is_config_path(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == CONFIG_FILE_NAME)
}

/// A warning for a page the editor read as UTF-8 although it is in another encoding on disk.
fn encoding_notice(path: Option<&Path>, text: &str, locale: Locale) -> Option<String> {
    if !text.contains('\u{FFFD}') {
        return None;
    }
    // Read with the core guard: a regular file of at most 64 MiB, never a pipe.
    let kanwu_core::workspace::pages::PageOutcome::Read(read) = kanwu_core::workspace::pages::read_page(path?).ok()? else {
        return None;
    };
    let decoded = read.decoded;
    if matches!(decoded.encoding, kanwu_core::decode::PageEncoding::Utf8) {
        return None;
    }
    if decoded.lossy() {
        return None;
    }
    let name = decoded.encoding.name();
    Some(match locale {
        Locale::Zh => format!("此页在磁盘上是 {name} 编码，编辑器按 UTF-8 打开，出现了乱码；请以 {name} 编码重新打开后再校对"),
        Locale::En => format!("This page is {name} on disk but the editor opened it as UTF-8, so some characters are garbled; reopen it with the {name} encoding before proofreading"),
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        // The segmenter's dictionary (about 0.15 s to load, once per process) is loaded in the
        // background from the first message on, so that the term under a cursor, which must know
        // whether it is part of a longer dictionary word, rarely waits for it.
        tokio::task::spawn_blocking(|| {
            kanwu_core::segment::jieba();
        });
        guard::request("initialize", async {
            let (settings, problems) = params.initialization_options.as_ref().map(Settings::from_json).unwrap_or_default();
            for problem in problems {
                eprintln!("kanwu: initializationOptions: {problem}");
            }
            let mut session = self.inner.lock();
            session.encoding =
                from_proto::negotiate(params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref()));
            session.client_locale = params.locale.as_deref().map(Locale::from_tag).unwrap_or_default();
            session.caps = ClientCaps::from_params(&params.capabilities);
            session.settings = settings;
            #[allow(deprecated)]
            let mut roots: Vec<PathBuf> = match &params.workspace_folders {
                Some(folders) => folders.iter().filter_map(|folder| from_proto::path(&folder.uri)).collect(),
                None => params.root_uri.as_ref().and_then(from_proto::path).into_iter().collect(),
            };
            #[allow(deprecated)]
            if roots.is_empty() {
                roots.extend(params.root_path.as_ref().map(PathBuf::from));
            }
            session.roots = roots.iter().map(|root| canonical(root)).collect();
            let capabilities = capabilities::server_capabilities(session.encoding, session.caps.pull_diagnostics);
            Ok(lsp::InitializeResult {
                capabilities,
                server_info: Some(lsp::ServerInfo { name: "kanwu".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) }),
                offset_encoding: None,
            })
        })
        .await
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let inner = self.inner.clone();
        guard::notification("initialized", async move {
            // The corpus is indexed in the background; open pages are diagnosed meanwhile.
            inner.start_indexing();
            let (configuration, watch) = {
                let session = inner.lock();
                (session.caps.configuration, session.caps.watch_files_dynamic)
            };
            if !(watch && inner.register_watchers().await) {
                inner.start_polling();
            }
            if configuration {
                inner.fetch_settings().await;
            }
        })
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        let mut session = self.inner.lock();
        session.shutdown = true;
        for document in session.documents.values_mut() {
            if let Some(task) = document.task.take() {
                task.abort();
            }
        }
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let inner = self.inner.clone();
        // The project this page needs is loaded below, after an `.await`: requests wait for it.
        let loading = inner.begin_load();
        guard::notification("textDocument/didOpen", async move {
            let item = params.text_document;
            let uri = item.uri;
            let path = from_proto::path(&uri).map(|path| canonical(&path));
            let is_kanwu_toml = path.as_deref().is_some_and(is_config_path);
            // The page on disk is read (with the guard) before the session is locked.
            let locale = inner.lock().client_locale;
            let notice = if is_kanwu_toml { None } else { encoding_notice(path.as_deref(), &item.text, locale) };
            let load = {
                let mut session = inner.lock();
                // A workspace glossary file is configuration too: not a page, reloaded as typed.
                // Only loaded projects are known here; a new project is classified once loaded.
                let is_glossary = !is_kanwu_toml && path.as_deref().is_some_and(|path| session.is_glossary_path(path));
                let is_config = is_kanwu_toml || is_glossary;
                let root = match (&path, is_kanwu_toml) {
                    (Some(path), true) => path.parent().map(Path::to_path_buf),
                    (Some(path), false) => Some(session.root_for(path)),
                    (None, _) => None,
                };
                let previous = session.documents.insert(
                    uri.clone(),
                    OpenDocument {
                        document: Document::new(&item.text, item.version),
                        path: path.clone(),
                        root: root.clone(),
                        is_config,
                        encoding_notice: if is_config { None } else { notice },
                        task: None,
                        analysis: None,
                        lock: Arc::new(tokio::sync::Mutex::new(())),
                        incremental: Default::default(),
                        latest_version: Arc::new(std::sync::atomic::AtomicI32::new(item.version)),
                        is_glossary,
                        terms: Default::default(),
                    },
                );
                if let Some(task) = previous.and_then(|previous| previous.task) {
                    task.abort();
                }
                let load = root.as_ref().map(|root| session.unknown_projects(std::slice::from_ref(root))).unwrap_or_default();
                // An open kanwu.toml counts at once, before any `.await`.
                (load, is_config && session.apply_open_buffer(&uri))
            };
            let (load, mut config_changed) = load;
            if !load.is_empty() {
                config_changed |= inner.load_projects(load).await;
            }
            // Now that its project is loaded (and any load begun before): is the file one of its
            // glossary files?
            let serial = inner.config_loads.lock().await;
            let is_config = {
                let mut session = inner.lock();
                let is_glossary = !is_kanwu_toml && path.as_deref().is_some_and(|path| session.is_glossary_path(path));
                match session.documents.get_mut(&uri) {
                    Some(document) => {
                        if is_glossary && !document.is_glossary {
                            document.is_glossary = true;
                            document.is_config = true;
                            document.encoding_notice = None;
                        }
                        document.is_config
                    }
                    None => return,
                }
            };
            drop(serial);
            if is_config {
                config_changed |= inner.lock().apply_open_buffer(&uri);
                config_changed |= inner.refresh_projects(None).await;
                drop(loading);
                inner.settle(config_changed).await;
            } else {
                drop(loading);
                if config_changed {
                    inner.publish_config_errors().await;
                }
                inner.schedule(&uri);
                inner.index_open(&uri, false);
                inner.publish_glossary_errors().await;
            }
        })
        .await
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let inner = self.inner.clone();
        let loading = inner.begin_load();
        guard::notification("textDocument/didChange", async move {
            let uri = params.text_document.uri;
            let (is_config, config_changed) = {
                let mut session = inner.lock();
                let encoding = session.encoding;
                let Some(document) = session.documents.get_mut(&uri) else {
                    eprintln!("kanwu: didChange for {}, which is not open: ignored", uri.as_str());
                    return;
                };
                let changes = params
                    .content_changes
                    .into_iter()
                    .map(|change| Change {
                        range: change.range.map(|range| (from_proto::client_position(range.start), from_proto::client_position(range.end))),
                        text: change.text,
                    })
                    .collect();
                document.document.apply(changes, params.text_document.version, encoding);
                // An analysis of an older version still running stops at its next chunk.
                document.latest_version.store(document.document.version, std::sync::atomic::Ordering::Release);
                // A wrong-encoding warning ends once the garbled characters are gone (the page was
                // reloaded in its encoding, or repaired by hand).
                if document.encoding_notice.is_some() && !document.document.snapshot().text().contains('\u{FFFD}') {
                    document.encoding_notice = None;
                }
                let is_config = document.is_config;
                (is_config, is_config && session.apply_open_buffer(&uri))
            };
            if is_config {
                let config_changed = inner.refresh_projects(None).await || config_changed;
                drop(loading);
                inner.settle(config_changed).await;
            } else {
                inner.schedule(&uri);
                inner.index_open(&uri, true);
            }
        })
        .await
    }

    async fn did_save(&self, _: lsp::DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let inner = self.inner.clone();
        let loading = inner.begin_load();
        guard::notification("textDocument/didClose", async move {
            let uri = params.text_document.uri;
            let (was_config, push) = {
                let mut session = inner.lock();
                let Some(document) = session.documents.remove(&uri) else {
                    eprintln!("kanwu: didClose for {}, which is not open: ignored", uri.as_str());
                    return;
                };
                if let Some(task) = document.task {
                    task.abort();
                }
                let push = !session.caps.pull_diagnostics;
                (document.is_config, push)
            };
            if was_config {
                let config_changed = inner.refresh_projects(None).await;
                drop(loading);
                inner.settle(config_changed).await;
            } else if push {
                inner.publish(uri, Vec::new(), None).await;
            }
        })
        .await
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let inner = self.inner.clone();
        guard::notification("workspace/didChangeConfiguration", async move {
            let pull = inner.lock().caps.configuration;
            if pull {
                inner.fetch_settings().await;
            } else {
                inner.apply_settings(&params.settings).await;
            }
        })
        .await
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let inner = self.inner.clone();
        inner.pages_changed(&params.changes);
        let loading = inner.begin_load();
        guard::notification("workspace/didChangeWatchedFiles", async move {
            inner.reload_configuration().await;
            drop(loading);
        })
        .await
    }

    async fn diagnostic(&self, params: lsp::DocumentDiagnosticParams) -> Result<lsp::DocumentDiagnosticReportResult> {
        let inner = self.inner.clone();
        guard::request("textDocument/diagnostic", async move {
            // A glossary file opened just before is classified once the loads it waits for end.
            inner.settled().await;
            match inner.glossary_report(&params.text_document.uri) {
                Some(report) => Ok(report),
                None => inner.pull(params).await,
            }
        })
        .await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        let inner = self.inner.clone();
        guard::request("textDocument/codeAction", async move {
            let glossary = inner.glossary_actions(&params).await;
            let mut actions = inner.code_action(params).await?.unwrap_or_default();
            actions.extend(glossary);
            Ok(if actions.is_empty() { None } else { Some(actions) })
        })
        .await
    }

    async fn code_action_resolve(&self, action: lsp::CodeAction) -> Result<lsp::CodeAction> {
        let inner = self.inner.clone();
        guard::request("codeAction/resolve", async move { inner.resolve_code_action(action).await }).await
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        let inner = self.inner.clone();
        guard::request("textDocument/formatting", async move { inner.format(&params.text_document.uri, None).await }).await
    }

    async fn range_formatting(&self, params: lsp::DocumentRangeFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        let inner = self.inner.clone();
        guard::request("textDocument/rangeFormatting", async move { inner.format(&params.text_document.uri, Some(params.range)).await })
            .await
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<serde_json::Value>> {
        let inner = self.inner.clone();
        guard::request("workspace/executeCommand", async move {
            if params.command == crate::add_to_glossary::ADD_TO_GLOSSARY {
                return inner.add_to_glossary(params.arguments).await;
            }
            if params.command == crate::index_state::REINDEX {
                // Re-reads every page of the workspace folders, with progress as at start-up.
                inner.start_indexing();
                return Ok(None);
            }
            inner.execute(&params.command, params.arguments).await
        })
        .await
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let inner = self.inner.clone();
        guard::request("textDocument/hover", async move { Ok(inner.hover(params).await) }).await
    }

    async fn goto_definition(&self, params: lsp::GotoDefinitionParams) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let inner = self.inner.clone();
        guard::request("textDocument/definition", async move { Ok(inner.definition(params).await) }).await
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        let inner = self.inner.clone();
        guard::request("textDocument/completion", async move { Ok(inner.completion(params).await) }).await
    }

    async fn semantic_tokens_full(&self, params: lsp::SemanticTokensParams) -> Result<Option<lsp::SemanticTokensResult>> {
        let inner = self.inner.clone();
        guard::request("textDocument/semanticTokens/full", async move { Ok(inner.semantic_tokens_full(params).await) }).await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: lsp::SemanticTokensDeltaParams,
    ) -> Result<Option<lsp::SemanticTokensFullDeltaResult>> {
        let inner = self.inner.clone();
        guard::request("textDocument/semanticTokens/full/delta", async move { Ok(inner.semantic_tokens_delta(params).await) }).await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let inner = self.inner.clone();
        guard::request("textDocument/references", async move { Ok(inner.references(params).await) }).await
    }

    async fn document_highlight(&self, params: lsp::DocumentHighlightParams) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let inner = self.inner.clone();
        guard::request("textDocument/documentHighlight", async move { Ok(inner.document_highlight(params).await) }).await
    }

    async fn prepare_rename(&self, params: lsp::TextDocumentPositionParams) -> Result<Option<lsp::PrepareRenameResponse>> {
        let inner = self.inner.clone();
        guard::request("textDocument/prepareRename", async move { Ok(inner.prepare_rename(params).await) }).await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let inner = self.inner.clone();
        guard::request("textDocument/rename", async move { inner.rename(params).await }).await
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let inner = self.inner.clone();
        guard::request("textDocument/documentSymbol", async move { Ok(inner.document_symbols(params).await) }).await
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let inner = self.inner.clone();
        guard::request("textDocument/foldingRange", async move { Ok(inner.folding_ranges(params).await) }).await
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let inner = self.inner.clone();
        guard::request("workspace/symbol", async move { Ok(inner.workspace_symbols(params).await) }).await
    }

    async fn workspace_diagnostic(&self, params: lsp::WorkspaceDiagnosticParams) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        let inner = self.inner.clone();
        guard::request("workspace/diagnostic", async move { Ok(inner.workspace_diagnostics(params).await) }).await
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let inner = self.inner.clone();
        guard::notification("workspace/didChangeWorkspaceFolders", async move { inner.folders_changed(&params.event) }).await
    }
}
