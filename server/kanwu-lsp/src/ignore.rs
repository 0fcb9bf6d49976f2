//! "Ignore this word or phrase" (adds it to the `ignore` list of the workspace's `kanwu.toml`)
//! and "Ignore this occurrence" (records it in the sidecar `.kanwu/ignored.toml`).
//!
//! The word action is a WorkspaceEdit on `kanwu.toml` (creating the file when it is missing and
//! the client can create files) followed by the command `kanwu.ignoreWord`, which makes the word
//! count at once, before the edited file is saved. The occurrence action is the command
//! `kanwu.ignoreOccurrence`, which writes the sidecar; the page is never touched.
//!
//! Both commands carry the page's URI, never a folder or a file: the server derives the project
//! root itself and writes only inside the workspace folders, atomically, never through a link that
//! leads out of them, never over a file that is not a valid `kanwu.toml` or sidecar, or that
//! changed since it was read. A refusal is a JSON-RPC error, also shown to the user.

use crate::server::Inner;
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::suppress::{self, Occurrence, Suppressions};
use kanwu_core::workspace::fs::{self, Expect, WriteRules};
use kanwu_core::workspace::sidecar;
use kanwu_core::{Config, Edit};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub const IGNORE_WORD: &str = "kanwu.ignoreWord";
pub const IGNORE_OCCURRENCE: &str = "kanwu.ignoreOccurrence";

/// The longest text offered for "Ignore this word or phrase", in characters.
pub const MAX_WORD_CHARS: usize = 32;

/// Arguments of `kanwu.ignoreWord`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IgnoreWordArgs {
    /// The page the action was offered on; its project's `kanwu.toml` is edited.
    pub uri: lsp::Uri,
    pub word: String,
    /// The server writes `kanwu.toml` itself (the client could not be given an edit for it).
    #[serde(default)]
    pub write: bool,
}

/// Arguments of `kanwu.ignoreOccurrence`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IgnoreOccurrenceArgs {
    /// The page the occurrence is on; its project's sidecar records it.
    pub uri: lsp::Uri,
    pub occurrence: Occurrence,
}

/// The word an "Ignore this word" action would add for flagged text, if it is one.
pub fn word_of(flagged: &str) -> Option<&str> {
    let word = flagged.trim();
    if word.is_empty() || word.contains('\n') || word.chars().count() > MAX_WORD_CHARS {
        return None;
    }
    Some(word)
}

/// A TOML basic string holding `text`.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The edit of a `kanwu.toml` text that adds `word` to its top-level `ignore` list (creating
/// the key when missing). `None` when the file does not parse, already ignores the word, or the
/// edit would not give a valid file that ignores it.
pub fn add_word_edit(text: &str, word: &str) -> Option<Edit> {
    let config = Config::parse(text, None).ok()?;
    if config.ignore.iter().any(|ignored| ignored == word) {
        return None;
    }
    let quoted = toml_string(word);
    let edit = match find_ignore_array(text) {
        Some((open, last_significant)) => {
            let before = text[..last_significant].chars().next_back();
            if last_significant == open + 1 {
                Edit::insert(last_significant, quoted)
            } else if before == Some(',') {
                Edit::insert(last_significant, format!(" {quoted},"))
            } else {
                Edit::insert(last_significant, format!(", {quoted}"))
            }
        }
        None => Edit::insert(0, format!("ignore = [{quoted}]\n")),
    };
    let (new_text, _) = kanwu_core::fixer::apply_edit_groups(text, [std::slice::from_ref(&edit)]);
    let check = Config::parse(&new_text, None).ok()?;
    check.ignore.iter().any(|ignored| ignored == word).then_some(edit)
}

/// In the top-level table, the byte offset of the `[` of `ignore = [...]` and the offset just
/// past the last token before its closing `]`.
fn find_ignore_array(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix("ignore") {
            let rest_trimmed = rest.trim_start();
            if let Some(value) = rest_trimmed.strip_prefix('=') {
                let value_trimmed = value.trim_start();
                if value_trimmed.starts_with('[') {
                    let open = offset + (line.len() - value_trimmed.len());
                    return scan_array(text, open).map(|last| (open, last));
                }
                return None;
            }
        }
        offset += line.len();
    }
    None
}

/// From the `[` at `open`, the offset just past the last significant character before the
/// matching `]` (skipping strings, comments and whitespace).
fn scan_array(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut last = open + 1;
    let mut index = open;
    while index < bytes.len() {
        match bytes[index] {
            b'[' => {
                depth += 1;
                last = index + 1;
            }
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(last);
                }
                last = index + 1;
            }
            b'#' => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                index += 1;
                while index < bytes.len() && bytes[index] != quote {
                    if quote == b'"' && bytes[index] == b'\\' {
                        index += 1;
                    }
                    index += 1;
                }
                last = index + 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => last = index + 1,
        }
        index += 1;
    }
    None
}

impl Inner {
    /// `workspace/executeCommand`.
    pub async fn execute(self: &Arc<Self>, command: &str, arguments: Vec<serde_json::Value>) -> jsonrpc::Result<Option<serde_json::Value>> {
        let argument = arguments.into_iter().next().unwrap_or(serde_json::Value::Null);
        let outcome = match command {
            IGNORE_WORD => {
                let args: IgnoreWordArgs = serde_json::from_value(argument).map_err(invalid)?;
                self.ignore_word(args).await
            }
            IGNORE_OCCURRENCE => {
                let args: IgnoreOccurrenceArgs = serde_json::from_value(argument).map_err(invalid)?;
                self.ignore_occurrence(args).await
            }
            other => return Err(jsonrpc::Error::invalid_params(format!("unknown command `{other}`"))),
        };
        if let Err(message) = outcome {
            return Err(self.refuse(command, message).await);
        }
        self.rediagnose_all().await;
        Ok(None)
    }

    /// Reports a refused write: on stderr, to the user (`window/showMessage`), and as the error
    /// the request answers with.
    pub async fn refuse(&self, command: &str, message: String) -> jsonrpc::Error {
        let message = format!("{command}: {message}");
        eprintln!("kanwu: {message}");
        self.client.show_message(lsp::MessageType::ERROR, message.clone()).await;
        jsonrpc::Error { code: jsonrpc::ErrorCode::InvalidRequest, message: message.into(), data: None }
    }

    /// The page path of a command's URI and its project root, when that root may be written.
    pub fn writable_page(&self, uri: &lsp::Uri) -> Result<(PathBuf, PathBuf), String> {
        let path = crate::from_proto::path(uri)
            .map(|path| crate::session::canonical(&path))
            .ok_or_else(|| format!("{} is not a file", uri.as_str()))?;
        let root = self.lock().writable_root(&path)?;
        Ok((path, root))
    }

    async fn ignore_word(self: &Arc<Self>, args: IgnoreWordArgs) -> Result<(), String> {
        let (_, root) = self.writable_page(&args.uri)?;
        let toml = root.join(CONFIG_FILE_NAME);
        if args.write {
            let inside = self.lock().roots.clone();
            let word = args.word.clone();
            let target = toml.clone();
            tokio::task::spawn_blocking(move || write_word(&target, &word, &inside))
                .await
                .map_err(|error| format!("cannot update {}: {error}", toml.display()))??;
        }
        {
            let mut session = self.lock();
            let project = session.projects.entry(root.clone()).or_insert_with(|| crate::session::Project::new(root.clone()));
            if !project.pending_ignores.contains(&args.word) {
                project.pending_ignores.push(args.word.clone());
            }
            session.generation += 1;
        }
        self.load_projects(vec![root]).await;
        Ok(())
    }

    async fn ignore_occurrence(self: &Arc<Self>, args: IgnoreOccurrenceArgs) -> Result<(), String> {
        let (page, root) = self.writable_page(&args.uri)?;
        let inside = self.lock().roots.clone();
        let mut occurrence = args.occurrence;
        // The page is the one the URI names, whatever the arguments say.
        occurrence.page = suppress::page_key(&root, &page).ok_or_else(|| format!("{} is not below {}", page.display(), root.display()))?;
        let save_root = root.clone();
        let suppressions = tokio::task::spawn_blocking(move || -> Result<Suppressions, String> {
            let sidecar_path = sidecar::path_for(&save_root);
            if std::fs::symlink_metadata(&sidecar_path).is_ok() {
                fs::ensure_inside(&sidecar_path, &inside).map_err(|error| error.to_string())?;
            }
            let (mut suppressions, stamp) = sidecar::load_stamped(&save_root).map_err(|error| error.to_string())?;
            if suppressions.add(occurrence) {
                sidecar::save(&suppressions, &save_root, &inside, stamp).map_err(|error| error.to_string())?;
            }
            Ok(suppressions)
        })
        .await
        .map_err(|error| format!("cannot record the occurrence: {error}"))??;
        let unknown = self.lock().unknown_projects(std::slice::from_ref(&root));
        if !unknown.is_empty() {
            self.load_projects(unknown).await;
        }
        let mut session = self.lock();
        let project = session.projects.entry(root.clone()).or_insert_with(|| crate::session::Project::new(root.clone()));
        project.suppressions = Arc::new(suppressions);
        session.generation += 1;
        Ok(())
    }
}

/// Adds `word` to the `ignore` list of the file at `toml`, creating it if needed: atomically, only
/// inside `inside`, over a valid `kanwu.toml` unchanged since it was read.
fn write_word(toml: &Path, word: &str, inside: &[PathBuf]) -> Result<(), String> {
    let (text, expect) = match fs::read_settings_text(toml) {
        Ok((text, stamp)) => (text, Expect::Unchanged(stamp)),
        Err(error) if error.is_not_found() => (String::new(), Expect::Absent),
        Err(error) => return Err(format!("cannot update {error}")),
    };
    if let Err(error) = Config::parse(&text, Some(toml)) {
        return Err(format!("cannot update {}: not a valid kanwu.toml ({error}): left as it is", toml.display()));
    }
    let Some(edit) = add_word_edit(&text, word) else { return Ok(()) };
    let (new_text, _) = kanwu_core::fixer::apply_edit_groups(&text, [std::slice::from_ref(&edit)]);
    let rules = WriteRules { inside, expect, format: Some(("kanwu.toml", |text| Config::parse(text, None).is_ok())) };
    fs::write_atomically(toml, new_text.as_bytes(), &rules).map_err(|error| format!("cannot update {error}"))?;
    Ok(())
}

fn invalid(error: serde_json::Error) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(format!("bad command arguments: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(text: &str, word: &str) -> Option<String> {
        let edit = add_word_edit(text, word)?;
        Some(kanwu_core::fixer::apply_edit_groups(text, [std::slice::from_ref(&edit)]).0)
    }

    #[test]
    fn adds_words_to_every_shape_of_list() {
        assert_eq!(added("", "层层").unwrap(), "ignore = [\"层层\"]\n");
        assert_eq!(added("ignore = []\n", "层层").unwrap(), "ignore = [\"层层\"]\n");
        assert_eq!(added("ignore = [\"a\"] # c\n", "b\"").unwrap(), "ignore = [\"a\", \"b\\\"\"] # c\n");
        assert_eq!(added("ignore = [\n  \"a\", # x]\n]\n[rules]\n", "b").unwrap(), "ignore = [\n  \"a\", \"b\", # x]\n]\n[rules]\n");
        assert_eq!(added("[rules]\n", "b").unwrap(), "ignore = [\"b\"]\n[rules]\n");
        assert_eq!(added("ignore = [\"b\"]\n", "b"), None, "already ignored");
        assert_eq!(added("ignore = [\n", "b"), None, "broken file");
    }

    #[test]
    fn offers_short_single_line_words_only() {
        assert_eq!(word_of(" 层层 "), Some("层层"));
        assert_eq!(word_of("\n"), None);
        assert_eq!(word_of(&"字".repeat(40)), None);
    }
}
