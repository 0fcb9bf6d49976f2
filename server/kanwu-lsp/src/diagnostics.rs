//! Diagnostics: debounced push (`textDocument/publishDiagnostics`) or pull (`textDocument/diagnostic`).
//!
//! Push: every open or change schedules an analysis after the debounce; a newer edit aborts the
//! pending one, and stops a running one at its next chunk (`Job::superseded`; the chunks it
//! finished stay cached); one analysis per page runs at a time, on an immutable snapshot, off the main loop;
//! its result is published only if the page still has that version and the configuration has not
//! changed since (checked while holding the page's lock, which is held until the result is sent,
//! so results of one page reach the client in order).
//!
//! Pull: the client asks; the answer is computed (or taken from the cache) for the current
//! version, with a result id `<generation>.<version>` so an unchanged page answers `unchanged`.

use crate::guard::panic_message;
use crate::server::Inner;
use crate::session::{Analysis, Job};
use crate::to_proto::{self, DiagnosticData, SendOptions, Text};
use kanwu_core::LineIndex;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// Analyses one snapshot (synchronous; run it on the blocking pool for big pages); `None` when a
/// newer edit made it pointless before it was done.
pub fn run_job(job: &Job) -> Option<Analysis> {
    let text = job.snapshot.text();
    // Only the chunks of the page that changed since its last analysis are checked again.
    // Unchanged chunks hand over their cached diagnostics as they are, without a copy.
    let mut incremental = job.incremental.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let (mut diagnostics, _) = incremental.analyze_until(&text, &job.config, &|| job.superseded())?;
    drop(incremental);
    if let Some(key) = &job.page_key {
        job.suppressions.retain_findings(key, &text, &mut diagnostics);
    }
    let index = LineIndex::new(&text);
    Some(Analysis {
        version: job.snapshot.version,
        generation: job.generation,
        text,
        index,
        diagnostics,
        locale: job.locale,
        encoding: job.encoding,
        notice: job.notice.clone(),
    })
}

impl Analysis {
    /// The notes sent before the diagnostics: the page's encoding on disk, and how many problems
    /// the cap left out; with the indices of the diagnostics to send.
    fn selection(&self, options: SendOptions) -> (Vec<lsp::Diagnostic>, Vec<usize>) {
        let chosen = to_proto::capped(&self.diagnostics, options.max_problems);
        let mut notes = Vec::new();
        if let Some(notice) = &self.notice {
            notes.push(to_proto::encoding_notice(notice));
        }
        if chosen.len() < self.diagnostics.len() {
            notes.push(to_proto::cap_notice(self.diagnostics.len() - chosen.len(), options.max_problems, self.locale));
        }
        (notes, chosen)
    }

    /// The diagnostics as LSP values, converted now (they are not kept: a page keeps only the
    /// core's compact diagnostics).
    pub fn proto(&self, options: SendOptions) -> Vec<lsp::Diagnostic> {
        let converter = Text { text: &self.text, index: &self.index, encoding: self.encoding };
        let (mut proto, chosen) = self.selection(options);
        proto.reserve(chosen.len());
        proto.extend(chosen.into_iter().filter_map(|index| {
            let found = self.diagnostics.get(index)?.to_diagnostic();
            let data = DiagnosticData { version: self.version, index: index as u32 };
            Some(to_proto::diagnostic_with(&converter, &found, self.locale, Some(data), options.code_description))
        }));
        proto
    }

    /// The whole `textDocument/publishDiagnostics` frame for `uri`, serialized straight from the
    /// compact diagnostics (no `lsp::Diagnostic` or JSON tree is built for them).
    pub fn publish_frame(&self, uri: &lsp::Uri, options: SendOptions) -> Vec<u8> {
        let converter = Text { text: &self.text, index: &self.index, encoding: self.encoding };
        let (notes, chosen) = self.selection(options);
        let items = wire::Items {
            notes: &notes,
            analysis: self,
            chosen: &chosen,
            converter: &converter,
            code_description: options.code_description,
        };
        wire::frame(uri, &items, Some(self.version))
    }
}

/// The push notification written directly as JSON, bypassing `serde_json::Value`.
pub mod wire {
    use super::*;
    use serde::ser::{SerializeSeq, Serializer};
    use serde::Serialize;

    /// The diagnostics of one publish: notes first, then the chosen core diagnostics.
    pub struct Items<'a> {
        pub notes: &'a [lsp::Diagnostic],
        pub analysis: &'a Analysis,
        pub chosen: &'a [usize],
        pub converter: &'a Text<'a>,
        pub code_description: bool,
    }

    #[derive(Serialize)]
    struct Href {
        href: &'static str,
    }

    /// One diagnostic, in the field order of `lsp::Diagnostic`.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Diagnostic<'a> {
        range: lsp::Range,
        severity: lsp::DiagnosticSeverity,
        code: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        code_description: Option<Href>,
        source: &'static str,
        message: &'a str,
        data: DiagnosticData,
    }

    impl Serialize for Items<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let analysis = self.analysis;
            let mut seq = serializer.serialize_seq(Some(self.notes.len() + self.chosen.len()))?;
            for note in self.notes {
                seq.serialize_element(note)?;
            }
            for &index in self.chosen {
                let Some(found) = analysis.diagnostics.get(index) else { continue };
                seq.serialize_element(&Diagnostic {
                    range: self.converter.range(found.range()),
                    severity: to_proto::severity(found.severity()),
                    code: found.code(),
                    code_description: if self.code_description {
                        to_proto::rule_href_str(found.code()).map(|href| Href { href })
                    } else {
                        None
                    },
                    source: to_proto::SOURCE,
                    message: found.message().get(analysis.locale),
                    data: DiagnosticData { version: analysis.version, index: index as u32 },
                })?;
            }
            seq.end()
        }
    }

    #[derive(Serialize)]
    struct Params<'a, T: Serialize> {
        uri: &'a lsp::Uri,
        diagnostics: &'a T,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<i32>,
    }

    #[derive(Serialize)]
    struct Notification<'a, T: Serialize> {
        jsonrpc: &'static str,
        method: &'static str,
        params: Params<'a, T>,
    }

    /// A framed `textDocument/publishDiagnostics` notification.
    pub fn frame<T: Serialize>(uri: &lsp::Uri, diagnostics: &T, version: Option<i32>) -> Vec<u8> {
        let notification =
            Notification { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: Params { uri, diagnostics, version } };
        let body = serde_json::to_vec(&notification).unwrap_or_default();
        let mut out = Vec::with_capacity(body.len() + 32);
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        out.extend_from_slice(&body);
        out
    }
}

/// Runs a job on the blocking pool; a panic in a rule becomes an error (logged), not a crash;
/// `None` when a newer edit stopped it.
pub async fn run_blocking(job: Job) -> Result<Option<Arc<Analysis>>, String> {
    let handle = tokio::task::spawn_blocking(move || std::panic::catch_unwind(|| run_job(&job)));
    match handle.await {
        Ok(Ok(analysis)) => Ok(analysis.map(Arc::new)),
        Ok(Err(payload)) => Err(format!("analysis panicked: {}", panic_message(&*payload))),
        Err(error) => Err(format!("analysis failed: {error}")),
    }
}

impl Inner {
    /// Schedules the push of diagnostics for `uri` after the debounce (push mode only).
    pub fn schedule(self: &Arc<Self>, uri: &lsp::Uri) {
        let mut session = self.lock();
        if session.caps.pull_diagnostics || session.shutdown {
            return;
        }
        let debounce = Duration::from_millis(session.settings.debounce_ms);
        let options = session.send_options();
        let Some(job) = session.job(uri) else { return };
        let Some(document) = session.documents.get_mut(uri) else { return };
        if let Some(task) = document.task.take() {
            task.abort();
        }
        let lock = document.lock.clone();
        let inner = self.clone();
        let task = tokio::spawn(async move {
            if !debounce.is_zero() {
                tokio::time::sleep(debounce).await;
            }
            let (version, generation) = (job.snapshot.version, job.generation);
            let guard = lock.lock_owned().await;
            if !inner.lock().is_current(&job.uri, version, generation) {
                return;
            }
            let uri = job.uri.clone();
            // The guard moves into the blocking task and comes back with the result, so the page
            // stays locked until the result is published, even if this task is aborted meanwhile.
            // The message is serialized there too, off the threads that handle the protocol.
            let handle = tokio::task::spawn_blocking(move || {
                let result = std::panic::catch_unwind(|| {
                    let analysis = run_job(&job)?;
                    let frame = analysis.publish_frame(&job.uri, options);
                    Some((Arc::new(analysis), frame))
                });
                (result, guard)
            });
            let Ok((result, _guard)) = handle.await else { return };
            let (analysis, frame) = match result {
                Ok(Some(done)) => done,
                // A newer edit came: its own analysis publishes.
                Ok(None) => return,
                Err(payload) => {
                    eprintln!("kanwu: analysis of {} panicked: {}", uri.as_str(), panic_message(&*payload));
                    return;
                }
            };
            {
                let mut session = inner.lock();
                if !session.is_current(&uri, version, generation) || session.send_options() != options {
                    return;
                }
                let Some(document) = session.documents.get_mut(&uri) else { return };
                document.analysis = Some(analysis);
            }
            // The page's own lock (still held) keeps its results in order.
            inner.send_frame(frame);
        });
        document.task = Some(task.abort_handle());
    }

    /// Re-analyses every open page after a configuration change: pushes anew, or asks a pull
    /// client to refresh.
    pub async fn rediagnose_all(self: &Arc<Self>) {
        let (pull, uris) = {
            let session = self.lock();
            (session.caps.pull_diagnostics, session.documents.keys().cloned().collect::<Vec<_>>())
        };
        if pull {
            if let Err(error) = self.client.workspace_diagnostic_refresh().await {
                eprintln!("kanwu: workspace/diagnostic/refresh failed: {error:?}");
            }
        } else {
            for uri in uris {
                self.schedule(&uri);
            }
        }
        self.publish_config_errors().await;
    }

    /// The analysis of the current version of an open page: cached, or computed now.
    pub async fn analysis(self: &Arc<Self>, uri: &lsp::Uri) -> jsonrpc::Result<Option<Arc<Analysis>>> {
        self.settled().await;
        loop {
            let (job, lock) = {
                let session = self.lock();
                if let Some(analysis) = session.current_analysis(uri) {
                    return Ok(Some(analysis));
                }
                let Some(job) = session.job(uri) else { return Ok(None) };
                let Some(document) = session.documents.get(uri) else { return Ok(None) };
                (job, document.lock.clone())
            };
            let _guard = lock.lock().await;
            if let Some(analysis) = self.lock().current_analysis(uri) {
                return Ok(Some(analysis));
            }
            let (version, generation) = (job.snapshot.version, job.generation);
            let Some(analysis) = run_blocking(job).await.map_err(|message| {
                eprintln!("kanwu: {message}");
                internal(message)
            })?
            else {
                // Stopped by a newer edit: answer for the newer text.
                continue;
            };
            let mut session = self.lock();
            if session.is_current(uri, version, generation) {
                if let Some(document) = session.documents.get_mut(uri) {
                    document.analysis = Some(analysis.clone());
                }
                return Ok(Some(analysis));
            }
            // The page changed while it was analysed: answer for the newer text.
        }
    }

    /// `textDocument/diagnostic`.
    pub async fn pull(self: &Arc<Self>, params: lsp::DocumentDiagnosticParams) -> jsonrpc::Result<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let config_report = {
            let session = self.lock();
            match session.documents.get(&uri) {
                Some(document) if document.is_config => {
                    let project = document.path.as_ref().and_then(|path| path.parent()).and_then(|root| session.projects.get(root));
                    Some(project.map(|project| session.toml_diagnostics(project)).unwrap_or_default())
                }
                Some(_) => None,
                None => Some(Vec::new()),
            }
        };
        let full = |result_id: Option<String>, items: Vec<lsp::Diagnostic>| {
            lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport { result_id, items },
            }))
        };
        if let Some(items) = config_report {
            return Ok(full(None, items));
        }
        let Some(analysis) = self.analysis(&uri).await? else {
            return Ok(full(None, Vec::new()));
        };
        let result_id = format!("{}.{}", analysis.generation, analysis.version);
        if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
            return Ok(lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Unchanged(
                lsp::RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport { result_id },
                },
            )));
        }
        let options = self.lock().send_options();
        Ok(full(Some(result_id), analysis.proto(options)))
    }

    /// Pushes (or clears) the error diagnostic of each `kanwu.toml`, unless a pull client has
    /// that file open and asks for it itself.
    pub async fn publish_config_errors(self: &Arc<Self>) {
        let mut messages = Vec::new();
        {
            let mut session = self.lock();
            let pull = session.caps.pull_diagnostics;
            let open: Vec<std::path::PathBuf> =
                session.documents.values().filter(|document| document.is_config).filter_map(|document| document.path.clone()).collect();
            let roots: Vec<std::path::PathBuf> = session.projects.keys().cloned().collect();
            for root in roots {
                let Some(project) = session.projects.get(&root) else { continue };
                if pull && open.contains(&project.toml) {
                    continue;
                }
                let Some(uri) = lsp::Uri::from_file_path(&project.toml) else { continue };
                let items = session.toml_diagnostics(project);
                if items == project.toml_published {
                    continue;
                }
                if let Some(project) = session.projects.get_mut(&root) {
                    project.toml_published = items.clone();
                }
                messages.push((uri, items));
            }
        }
        for (uri, diagnostics) in messages {
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
    }
}

pub fn internal(message: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error { code: jsonrpc::ErrorCode::InternalError, message: message.into().into(), data: None }
}
