//! Formatting reflows the page: the safe fixes of the layout rules, returned as minimal edits.
//! The fixing itself is the core's one fixer (`kanwu_core::fix_page`), which honours the ignored
//! occurrences of the sidecar.

use crate::server::Inner;
use crate::session::Job;
use crate::to_proto::Text;
use kanwu_core::{Edit, FixOptions, FixRequest, LineIndex};
use std::ops::Range;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The fixed text of a job's page under `options`.
/// It is the core's one fixer, with the page's ignored occurrences.
pub fn fix_job(job: &Job, text: &str, options: &FixOptions) -> String {
    let request = FixRequest {
        options: options.clone(),
        suppressions: job.page_key.as_deref().map(|key| (&*job.suppressions, key)),
        protected: Vec::new(),
    };
    kanwu_core::fix_page(text, &job.config, &request).text
}

/// The smallest set of edits (byte ranges of `old`) that turns `old` into `new`: a line diff
/// whose hunks are then trimmed of their common prefix and suffix.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let diff =
        similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).timeout(std::time::Duration::from_secs(2)).diff_lines(old, new);
    let old_starts = line_starts(old);
    let new_starts = line_starts(new);
    let mut edits = Vec::new();
    let mut hunk: Option<(Range<usize>, Range<usize>)> = None;
    for op in diff.ops() {
        let (old_lines, new_lines) = (op.old_range(), op.new_range());
        let old_bytes = old_starts[old_lines.start]..old_starts[old_lines.end];
        let new_bytes = new_starts[new_lines.start]..new_starts[new_lines.end];
        if matches!(op, similar::DiffOp::Equal { .. }) {
            if let Some((old_range, new_range)) = hunk.take() {
                refine(old, new, old_range, new_range, &mut edits);
            }
            continue;
        }
        hunk = Some(match hunk {
            Some((old_range, new_range)) => (old_range.start..old_bytes.end, new_range.start..new_bytes.end),
            None => (old_bytes, new_bytes),
        });
    }
    if let Some((old_range, new_range)) = hunk {
        refine(old, new, old_range, new_range, &mut edits);
    }
    edits.retain(|edit| !(edit.range.is_empty() && edit.new_text.is_empty()));
    edits
}

/// Byte offset of each line start, plus the text length. Lines end as `similar` cuts them (and as
/// LSP does): at `\n`, `\r\n` or a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (index, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(index + 1);
        }
    }
    if *starts.last().unwrap_or(&0) != text.len() {
        starts.push(text.len());
    }
    starts
}

/// The largest hunk (old plus new bytes) diffed character by character.
const CHAR_DIFF_LIMIT: usize = 64 * 1024;

/// Turns one changed block of lines into edits: a character diff for small blocks (so that
/// joining three lines gives two deletions of a line break), one trimmed replacement otherwise.
fn refine(old: &str, new: &str, old_range: Range<usize>, new_range: Range<usize>, edits: &mut Vec<Edit>) {
    let edit = trimmed(old, new, old_range, new_range);
    let a = &old[edit.range.clone()];
    let b = edit.new_text.as_str();
    if a.len() + b.len() > CHAR_DIFF_LIMIT || a.is_empty() || b.is_empty() {
        edits.push(edit);
        return;
    }
    let diff =
        similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).timeout(std::time::Duration::from_millis(200)).diff_chars(a, b);
    let base = edit.range.start;
    let (mut a_offset, mut b_offset) = (0usize, 0usize);
    let mut pending: Option<Edit> = None;
    for change in diff.iter_all_changes() {
        let value = change.value();
        match change.tag() {
            similar::ChangeTag::Equal => {
                edits.extend(pending.take());
                a_offset += value.len();
                b_offset += value.len();
            }
            similar::ChangeTag::Delete => {
                let start = base + a_offset;
                a_offset += value.len();
                match &mut pending {
                    Some(edit) => edit.range.end = base + a_offset,
                    None => pending = Some(Edit { range: start..base + a_offset, new_text: String::new() }),
                }
            }
            similar::ChangeTag::Insert => {
                b_offset += value.len();
                match &mut pending {
                    Some(edit) => edit.new_text.push_str(value),
                    None => pending = Some(Edit { range: base + a_offset..base + a_offset, new_text: value.to_string() }),
                }
            }
        }
    }
    edits.extend(pending);
    debug_assert_eq!(b_offset, b.len());
}

fn trimmed(old: &str, new: &str, old_range: Range<usize>, new_range: Range<usize>) -> Edit {
    let (a, b) = (&old[old_range.clone()], &new[new_range.clone()]);
    let prefix: usize = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a_rest.chars().rev().zip(b_rest.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    Edit { range: old_range.start + prefix..old_range.end - suffix, new_text: b[prefix..b.len() - suffix].to_string() }
}

/// Converts edits of `text` to LSP edits.
pub fn to_lsp_edits(text: &str, edits: &[Edit], encoding: kanwu_core::PositionEncoding) -> Vec<lsp::TextEdit> {
    let index = LineIndex::new(text);
    let converter = Text { text, index: &index, encoding };
    edits.iter().map(|edit| converter.edit(edit)).collect()
}

impl Inner {
    /// `textDocument/formatting` and `textDocument/rangeFormatting`.
    pub async fn format(self: &Arc<Self>, uri: &lsp::Uri, range: Option<lsp::Range>) -> jsonrpc::Result<Option<Vec<lsp::TextEdit>>> {
        let Some(job) = self.lock().job(uri) else { return Ok(None) };
        let encoding = job.encoding;
        let work = move || {
            let text = job.snapshot.text();
            let options = FixOptions::layout_only();
            let fixed = fix_job(&job, &text, &options);
            let mut edits = minimal_edits(&text, &fixed);
            if let Some(range) = range {
                let index = LineIndex::new(&text);
                let wanted = crate::from_proto::range(&text, &index, range, encoding);
                // Edits that start on the lines of the range (the break ending its last line
                // included: joining a line to the next is formatting that line).
                let start = index.line_start(index.line_of(wanted.start));
                let end = index.line_end(index.line_of(wanted.end));
                edits.retain(|edit| start <= edit.range.start && edit.range.start <= end);
            }
            to_lsp_edits(&text, &edits, encoding)
        };
        let edits = tokio::task::spawn_blocking(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
            .await
            .map_err(|error| crate::diagnostics::internal(format!("formatting failed: {error}")))?
            .map_err(|payload| {
                let message = crate::guard::panic_message(&*payload);
                eprintln!("kanwu: formatting panicked: {message}");
                crate::diagnostics::internal(format!("formatting panicked: {message}"))
            })?;
        Ok(Some(edits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edits: &[Edit]) -> String {
        kanwu_core::fixer::apply_edit_groups(old, edits.iter().map(std::slice::from_ref)).0
    }

    #[test]
    fn edits_are_minimal_and_reproduce_the_new_text() {
        let old = "标题\n\n一名名共产党员挺身而出，一个\n个战斗堡垒巍然矗立。\n末行\n";
        let new = "标题\n\n一名名共产党员挺身而出，一个个战斗堡垒巍然矗立。\n末行\n";
        let edits = minimal_edits(old, new);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].new_text, "");
        let three = "甲\n乙\n丙\n";
        assert_eq!(minimal_edits(three, "甲乙丙\n"), vec![Edit::delete(3..4), Edit::delete(7..8)]);
        assert_eq!(&old[edits[0].range.clone()], "\n");
        assert_eq!(apply(old, &edits), new);
        assert!(minimal_edits(old, old).is_empty());
        for (a, b) in [
            ("", "x"),
            ("x", ""),
            ("a\nb", "a\nc\n"),
            ("𠮷\n两\n委", "两委\n𠮷"),
            ("甲\r\n乙\r\n", "甲乙\r\n"),
            ("甲\r乙\r", "甲乙\r"),
            ("a\r\n b\n平\r（", "a b平\r（"),
        ] {
            assert_eq!(apply(a, &minimal_edits(a, b)), b, "{a:?} -> {b:?}");
        }
    }
}
