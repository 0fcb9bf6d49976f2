//! Formatting reflows the page: the safe fixes of the layout rules, returned as minimal edits.
//! The fix loops here also honour the ignored occurrences of the sidecar.

use crate::server::Inner;
use crate::session::Job;
use crate::to_proto::Text;
use kanwu_core::fixer::apply_safe_fixes;
use kanwu_core::suppress::Suppressions;
use kanwu_core::{Config, Edit, FixOptions, LineIndex};
use std::ops::Range;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The rules that change line structure, which formatting applies.
pub const LAYOUT_RULES: [&str; 3] = ["line-wrap", "blank-split", "vertical-heading"];

/// The most passes a fix loop makes (as `kanwu_core::fix_text`).
const MAX_PASSES: usize = 8;

/// Applies the safe fixes selected by `options` until nothing changes, leaving alone the
/// occurrences that `suppressions` silences on page `page_key`.
pub fn fix(text: &str, config: &Config, options: &FixOptions, suppressions: &Suppressions, page_key: Option<&str>) -> String {
    let page_key = page_key.filter(|key| !suppressions.is_empty_for(key));
    let Some(page_key) = page_key else {
        return kanwu_core::fix_text(text, config, options).text;
    };
    let mut current = text.to_string();
    for _ in 0..MAX_PASSES {
        let mut diagnostics = kanwu_core::analyze(&current, config);
        suppressions.retain(page_key, &current, &mut diagnostics);
        let selected = diagnostics.iter().filter(|diagnostic| options.selects(diagnostic.code));
        let (next, count) = apply_safe_fixes(&current, selected);
        if count == 0 || next == current {
            break;
        }
        current = next;
    }
    current
}

/// The fixed text of a job's page under `options`.
pub fn fix_job(job: &Job, text: &str, options: &FixOptions) -> String {
    fix(text, &job.config, options, &job.suppressions, job.page_key.as_deref())
}

/// The smallest set of edits (byte ranges of `old`) that turns `old` into `new`: a line diff
/// whose hunks are then trimmed of their common prefix and suffix.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new);
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
                edits.push(trimmed(old, new, old_range, new_range));
            }
            continue;
        }
        hunk = Some(match hunk {
            Some((old_range, new_range)) => (old_range.start..old_bytes.end, new_range.start..new_bytes.end),
            None => (old_bytes, new_bytes),
        });
    }
    if let Some((old_range, new_range)) = hunk {
        edits.push(trimmed(old, new, old_range, new_range));
    }
    edits.retain(|edit| !(edit.range.is_empty() && edit.new_text.is_empty()));
    edits
}

/// Byte offset of each line start, plus the text length.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
    if *starts.last().unwrap_or(&0) != text.len() {
        starts.push(text.len());
    }
    starts
}

fn trimmed(old: &str, new: &str, old_range: Range<usize>, new_range: Range<usize>) -> Edit {
    let (a, b) = (&old[old_range.clone()], &new[new_range.clone()]);
    let prefix: usize = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a_rest.chars().rev().zip(b_rest.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    Edit {
        range: old_range.start + prefix..old_range.end - suffix,
        new_text: b[prefix..b.len() - suffix].to_string(),
    }
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
            let options = FixOptions { only_rules: LAYOUT_RULES.iter().map(|code| code.to_string()).collect(), keep_lines: false };
            let fixed = fix_job(&job, &text, &options);
            let mut edits = minimal_edits(&text, &fixed);
            if let Some(range) = range {
                let index = LineIndex::new(&text);
                let wanted = crate::from_proto::range(&text, &index, range, encoding);
                // Whole lines of the requested range.
                let start = index.line_start(index.line_of(wanted.start));
                let end = index.line_end(index.line_of(wanted.end));
                edits.retain(|edit| edit.range.start <= end && edit.range.end >= start);
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
        assert_eq!(&old[edits[0].range.clone()], "\n");
        assert_eq!(apply(old, &edits), new);
        assert!(minimal_edits(old, old).is_empty());
        for (a, b) in [("", "x"), ("x", ""), ("a\nb", "a\nc\n"), ("𠮷\n两\n委", "两委\n𠮷"), ("甲\r\n乙\r\n", "甲乙\r\n")] {
            assert_eq!(apply(a, &minimal_edits(a, b)), b, "{a:?} -> {b:?}");
        }
    }
}
