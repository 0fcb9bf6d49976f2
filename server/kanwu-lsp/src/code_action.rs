//! `textDocument/codeAction`: quick-fixes, "fix all <code>", the ignore actions and
//! `source.fixAll.kanwu`.
//!
//! Order (stable): the fixes of each diagnostic in document order (preferred first); one "fix
//! all `<code>` in this file" per code with at least two safe fixes in the file; the two ignore
//! actions of each diagnostic; then `source.fixAll.kanwu`. Nothing is offered that would not
//! change anything.

use crate::formatting::{fix_job, minimal_edits, to_lsp_edits};
use crate::from_proto;
use crate::ignore::{self, IgnoreOccurrenceArgs, IgnoreWordArgs};
use crate::server::Inner;
use crate::session::{Analysis, Job};
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::suppress::Occurrence;
use kanwu_core::{FixOptions, Locale};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The kind of the fix-all source action.
pub const FIX_ALL_KIND: &str = "source.fixAll.kanwu";

fn tr(locale: Locale, zh: String, en: String) -> String {
    match locale {
        Locale::Zh => zh,
        Locale::En => en,
    }
}

/// Whether an action of `kind` is wanted by a request that asked for `only`.
fn wanted(only: Option<&[lsp::CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|wanted| {
            let wanted = wanted.as_str();
            kind == wanted || (kind.starts_with(wanted) && kind.as_bytes().get(wanted.len()) == Some(&b'.'))
        }),
    }
}

/// What the action builder needs from the session.
struct Context {
    job: Job,
    document_changes: bool,
    create_files: bool,
    fix_all_layout: bool,
    /// Whether diagnostics built here carry a `codeDescription` link.
    code_description: bool,
    /// Whether fix-all edits are left to `codeAction/resolve`.
    resolve: bool,
    root: Option<PathBuf>,
    /// The text of `kanwu.toml` (open buffer or disk) and its open version, or `None` when missing.
    toml: Option<(String, Option<i32>)>,
}

impl Inner {
    pub async fn code_action(self: &Arc<Self>, params: lsp::CodeActionParams) -> jsonrpc::Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let Some(analysis) = self.analysis(&uri).await? else { return Ok(None) };
        let (mut context, toml_to_read) = {
            let session = self.lock();
            let Some(job) = session.job(&uri) else { return Ok(None) };
            if job.snapshot.version != analysis.version {
                // Edited meanwhile: the client asks again for the new text.
                return Ok(None);
            }
            let document = session.documents.get(&uri);
            // Pages outside every workspace folder get no write actions.
            let root = document
                .and_then(|document| Some((document.root.clone()?, document.path.as_deref()?)))
                .and_then(|(root, path)| session.writable_root(path).ok().filter(|writable| *writable == root));
            let mut toml_to_read = None;
            let toml = root.as_ref().and_then(|root| {
                let path = root.join(CONFIG_FILE_NAME);
                match session.uri_of_path(&path) {
                    Some(toml_uri) => {
                        session.documents.get(&toml_uri).map(|open| (open.document.rope.to_string(), Some(open.document.version)))
                    }
                    None => {
                        // Read below, once the lock is released.
                        toml_to_read = Some(path);
                        None
                    }
                }
            });
            let context = Context {
                job,
                document_changes: session.caps.document_changes,
                create_files: session.caps.create_files && session.caps.document_changes,
                fix_all_layout: session.settings.fix_all_layout,
                code_description: session.caps.code_description,
                resolve: session.caps.code_action_resolve,
                root,
                toml,
            };
            (context, toml_to_read)
        };
        if let Some(path) = toml_to_read {
            context.toml =
                tokio::task::spawn_blocking(move || crate::workspace::read_text(&path).ok().map(|text| (text, None))).await.ok().flatten();
        }
        let work = move || build(&params, &analysis, &context);
        let actions = tokio::task::spawn_blocking(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
            .await
            .map_err(|error| crate::diagnostics::internal(format!("code actions failed: {error}")))?
            .map_err(|payload| {
                let message = crate::guard::panic_message(&*payload);
                eprintln!("kanwu: code actions panicked: {message}");
                crate::diagnostics::internal(format!("code actions panicked: {message}"))
            })?;
        Ok(if actions.is_empty() { None } else { Some(actions) })
    }
}

fn build(params: &lsp::CodeActionParams, analysis: &Analysis, context: &Context) -> Vec<lsp::CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let job = &context.job;
    let locale = job.locale;
    let text: &str = &analysis.text;
    let index = &analysis.index;
    let only = params.context.only.as_deref();
    let version = analysis.version;
    let mut actions: Vec<lsp::CodeAction> = Vec::new();

    // The diagnostics to act on, each with its index among the analysis' core diagnostics: those
    // the client sent whose data still names a finding of this version, else ours in the range.
    let converter = crate::to_proto::Text { text, index, encoding: analysis.encoding };
    let mut found: Vec<(lsp::Diagnostic, usize)> = params
        .context
        .diagnostics
        .iter()
        .filter_map(|diagnostic| {
            let data = from_proto::diagnostic_data(diagnostic)?;
            let position = data.index as usize;
            let core = analysis.diagnostics.get(position).filter(|_| data.version == version)?;
            // The same version under another configuration may number its findings differently.
            let same = from_proto::code(diagnostic) == Some(core.code()) && converter.range(core.range()) == diagnostic.range;
            same.then(|| (diagnostic.clone(), position))
        })
        .collect();
    if found.is_empty() {
        let wanted_range = from_proto::range(text, index, params.range, job.encoding);
        found = analysis
            .diagnostics
            .iter()
            .enumerate()
            .filter(|(_, core)| core.range().start <= wanted_range.end && core.range().end >= wanted_range.start)
            .map(|(position, core)| {
                let data = crate::to_proto::DiagnosticData { version, index: position as u32 };
                let core = core.to_diagnostic();
                (crate::to_proto::diagnostic_with(&converter, &core, analysis.locale, Some(data), context.code_description), position)
            })
            .collect();
    }
    found.sort_by(|(a, _), (b, _)| {
        (a.range.start.line, a.range.start.character, a.range.end.line, a.range.end.character, from_proto::code(a)).cmp(&(
            b.range.start.line,
            b.range.start.character,
            b.range.end.line,
            b.range.end.character,
            from_proto::code(b),
        ))
    });
    found.dedup_by(|a, b| a.1 == b.1);
    let (diagnostics, positions): (Vec<lsp::Diagnostic>, Vec<usize>) = found.into_iter().unzip();

    let edit_of = |edits: Vec<lsp::TextEdit>| workspace_edit(uri, version, edits, context.document_changes);

    if wanted(only, "quickfix") {
        // Each diagnostic's own fixes.
        for (diagnostic, &position) in diagnostics.iter().zip(&positions) {
            let Some(core) = analysis.diagnostics.get(position) else { continue };
            let mut fixes = crate::to_proto::fixes(&converter, &core.to_diagnostic(), analysis.locale);
            fixes.sort_by_key(|fix| !fix.preferred);
            for fix in fixes {
                if fix.edits.is_empty() {
                    continue;
                }
                actions.push(lsp::CodeAction {
                    title: fix.title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit_of(fix.edits.clone())),
                    is_preferred: fix.preferred.then_some(true),
                    ..Default::default()
                });
            }
        }
        // Fix all of one code, where the file has at least two safe fixes of it.
        let mut safe_counts: HashMap<&str, usize> = HashMap::new();
        for found in analysis.diagnostics.iter() {
            if found.has_safe_fix() {
                *safe_counts.entry(found.code()).or_default() += 1;
            }
        }
        let mut done: Vec<String> = Vec::new();
        for diagnostic in &diagnostics {
            let Some(code) = from_proto::code(diagnostic) else { continue };
            if done.iter().any(|seen| seen == code) || safe_counts.get(code).copied().unwrap_or(0) < 2 {
                continue;
            }
            done.push(code.to_string());
            // With a resolving client the edit is computed only when this action is chosen: the
            // file has at least two safe fixes of the code, so there is something to change.
            let fix_all = FixAll { uri: uri.clone(), version, code: Some(code.to_string()), layout: true };
            let (edit, data) = if context.resolve {
                (None, serde_json::to_value(&fix_all).ok())
            } else {
                let Some(edit) = fix_all.edit(job, text, context.document_changes) else { continue };
                (Some(edit), None)
            };
            let related: Vec<lsp::Diagnostic> = diagnostics.iter().filter(|other| from_proto::code(other) == Some(code)).cloned().collect();
            actions.push(lsp::CodeAction {
                title: tr(locale, format!("修正本文件中所有 {code} 问题"), format!("Fix all `{code}` problems in this file")),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(related),
                edit,
                data,
                ..Default::default()
            });
        }
        // Ignore actions.
        for diagnostic in &diagnostics {
            let Some(code) = from_proto::code(diagnostic) else { continue };
            if code == "encoding" {
                continue;
            }
            let range = from_proto::range(text, index, diagnostic.range, job.encoding);
            if let Some(action) = ignore_word_action(context, diagnostic, &text[range.clone()]) {
                actions.push(action);
            }
            if let (Some(_), Some(page)) = (&context.root, &job.page_key) {
                let occurrence = Occurrence::at(page, text, code, range);
                let args = IgnoreOccurrenceArgs { uri: uri.clone(), occurrence };
                let title = tr(locale, format!("忽略此处的 {code}"), format!("Ignore this occurrence of `{code}`"));
                actions.push(lsp::CodeAction {
                    title: title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    command: Some(lsp::Command {
                        title,
                        command: ignore::IGNORE_OCCURRENCE.to_string(),
                        arguments: Some(vec![serde_json::to_value(args).unwrap_or_default()]),
                    }),
                    ..Default::default()
                });
            }
        }
    }

    if wanted(only, FIX_ALL_KIND) {
        let fix_all = FixAll { uri: uri.clone(), version, code: None, layout: context.fix_all_layout };
        let (edit, data) = if context.resolve {
            // Something to change: a safe fix of a rule the fixer will select (layout rules only
            // when asked), decided by the fixer's own options.
            let options = fix_all.options();
            let any = analysis.diagnostics.iter().any(|found| found.has_safe_fix() && options.selects(found.code()));
            (None, any.then(|| serde_json::to_value(&fix_all).ok()).flatten())
        } else {
            (fix_all.edit(job, text, context.document_changes), None)
        };
        if edit.is_some() || data.is_some() {
            actions.push(lsp::CodeAction {
                title: tr(locale, "修正所有可安全修正的问题（kanwu）".to_string(), "Fix all safely fixable problems (kanwu)".to_string()),
                kind: Some(lsp::CodeActionKind::from(FIX_ALL_KIND)),
                edit,
                data,
                ..Default::default()
            });
        }
    }

    actions.into_iter().map(lsp::CodeActionOrCommand::CodeAction).collect()
}

/// A fix-all action's work, carried in its `data` until the client resolves it: every safe fix of
/// `code` (or of every rule) in version `version` of `uri`, with or without the layout rules.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kanwu", rename = "fixAll")]
pub struct FixAll {
    uri: lsp::Uri,
    version: i32,
    code: Option<String>,
    layout: bool,
}

impl FixAll {
    /// The edit of the page (`None` when nothing would change).
    /// What the fixer is asked to apply: the one code, or every rule (the layout rules only with
    /// `layout`).
    fn options(&self) -> FixOptions {
        FixOptions { only_rules: self.code.iter().cloned().collect(), keep_lines: !self.layout }
    }

    fn edit(&self, job: &Job, text: &str, document_changes: bool) -> Option<lsp::WorkspaceEdit> {
        let fixed = fix_job(job, text, &self.options());
        let edits = minimal_edits(text, &fixed);
        if edits.is_empty() {
            return None;
        }
        Some(workspace_edit(&self.uri, self.version, to_lsp_edits(text, &edits, job.encoding), document_changes))
    }
}

impl Inner {
    /// `codeAction/resolve`: computes the edit of a fix-all action for the version it was offered
    /// for; other actions come back unchanged.
    pub async fn resolve_code_action(self: &Arc<Self>, mut action: lsp::CodeAction) -> jsonrpc::Result<lsp::CodeAction> {
        let Some(fix_all) = action.data.clone().and_then(|data| serde_json::from_value::<FixAll>(data).ok()) else {
            return Ok(action);
        };
        let Some(analysis) = self.analysis(&fix_all.uri).await? else {
            return Err(jsonrpc::Error::invalid_params(format!("{} is not open", fix_all.uri.as_str())));
        };
        let (job, document_changes) = {
            let session = self.lock();
            (session.job(&fix_all.uri), session.caps.document_changes)
        };
        let Some(job) = job.filter(|job| job.snapshot.version == fix_all.version && analysis.version == fix_all.version) else {
            // The page changed since the action was offered: the client asks for actions again.
            return Err(jsonrpc::Error { code: jsonrpc::ErrorCode::ContentModified, message: "content modified".into(), data: None });
        };
        let text = analysis.text.clone();
        let work = move || fix_all.edit(&job, &text, document_changes);
        action.edit = tokio::task::spawn_blocking(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
            .await
            .map_err(|error| crate::diagnostics::internal(format!("fix-all failed: {error}")))?
            .map_err(|payload| crate::diagnostics::internal(format!("fix-all panicked: {}", crate::guard::panic_message(&*payload))))?;
        Ok(action)
    }
}

/// "Ignore this word or phrase": an edit of `kanwu.toml` plus the command that applies it at once.
fn ignore_word_action(context: &Context, diagnostic: &lsp::Diagnostic, flagged: &str) -> Option<lsp::CodeAction> {
    let root = context.root.as_ref()?;
    let word = ignore::word_of(flagged)?;
    let locale = context.job.locale;
    let toml_path = root.join(CONFIG_FILE_NAME);
    let toml_uri = lsp::Uri::from_file_path(&toml_path)?;
    let title = tr(locale, format!("在本工作区忽略“{word}”（写入 kanwu.toml）"), format!("Ignore “{word}” in this workspace (kanwu.toml)"));
    let (edit, write) = match &context.toml {
        Some((text, version)) => {
            let edit = ignore::add_word_edit(text, word)?;
            let edits = to_lsp_edits(text, &[edit], context.job.encoding);
            let edit = if context.document_changes {
                lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: toml_uri, version: *version },
                        edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                    }])),
                    ..Default::default()
                }
            } else {
                lsp::WorkspaceEdit { changes: Some([(toml_uri, edits)].into_iter().collect()), ..Default::default() }
            };
            (Some(edit), false)
        }
        None if context.create_files => {
            let edit = ignore::add_word_edit("", word)?;
            let insert = lsp::TextEdit { range: lsp::Range::default(), new_text: edit.new_text };
            let edit = lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(vec![
                    lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                        uri: toml_uri.clone(),
                        options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                        annotation_id: None,
                    })),
                    lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: toml_uri, version: None },
                        edits: vec![lsp::OneOf::Left(insert)],
                    }),
                ])),
                ..Default::default()
            };
            (Some(edit), false)
        }
        // The client cannot create the file: the command writes it.
        None => (None, true),
    };
    let args = IgnoreWordArgs { uri: context.job.uri.clone(), word: word.to_string(), write };
    Some(lsp::CodeAction {
        title: title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit,
        command: Some(lsp::Command {
            title,
            command: ignore::IGNORE_WORD.to_string(),
            arguments: Some(vec![serde_json::to_value(args).unwrap_or_default()]),
        }),
        ..Default::default()
    })
}

/// An edit of one document, versioned when the client takes `documentChanges`.
fn workspace_edit(uri: &lsp::Uri, version: i32, edits: Vec<lsp::TextEdit>, document_changes: bool) -> lsp::WorkspaceEdit {
    if document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(version) },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit { changes: Some([(uri.clone(), edits)].into_iter().collect()), ..Default::default() }
    }
}
