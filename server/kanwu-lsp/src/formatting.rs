//! Formatting reflows the page: the safe fixes of the layout rules, returned as minimal edits.
//! The fix loops here also honour the ignored occurrences of the sidecar.

use crate::server::Inner;
use crate::session::Job;
use crate::to_proto::Text;
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
///
/// An ignored occurrence is found on the first pass (its context is the page as it stands);
/// its range is then carried through the edits of each pass, since fixing its neighbours changes
/// the context that identified it.
pub fn fix(text: &str, config: &Config, options: &FixOptions, suppressions: &Suppressions, page_key: Option<&str>) -> String {
    let page_key = page_key.filter(|key| !suppressions.is_empty_for(key));
    let Some(page_key) = page_key else {
        return kanwu_core::fix_text(text, config, options).text;
    };
    let mut current = text.to_string();
    let mut protected: Vec<Range<usize>> = Vec::new();
    for _ in 0..MAX_PASSES {
        let diagnostics = kanwu_core::analyze(&current, config);
        let mut groups: Vec<&[Edit]> = Vec::new();
        for diagnostic in &diagnostics {
            if suppressions.silences(page_key, &current, diagnostic) {
                protected.push(diagnostic.range.clone());
                continue;
            }
            if !options.selects(diagnostic.code) || protected.iter().any(|range| touches(range, &diagnostic.range)) {
                continue;
            }
            if let Some(fix) = diagnostic.safe_fix() {
                groups.push(&fix.edits);
            }
        }
        let (next, accepted) = apply_groups(&current, groups, &protected);
        if accepted.is_empty() || next == current {
            break;
        }
        protected = protected.iter().map(|range| shift(range, &accepted)).collect();
        protected.sort_by_key(|range| (range.start, range.end));
        protected.dedup();
        current = next;
    }
    current
}

/// Whether two ranges share a byte, or are the same (possibly empty) range.
fn touches(a: &Range<usize>, b: &Range<usize>) -> bool {
    a == b
        || (a.start < b.end && b.start < a.end)
        || (a.is_empty() && b.start < a.start && a.start < b.end)
        || (b.is_empty() && a.start < b.start && b.start < a.end)
}

/// Applies edit groups in order, skipping a group that overlaps an accepted edit or a protected
/// range; returns the new text and the accepted edits in text order.
fn apply_groups(text: &str, groups: Vec<&[Edit]>, protected: &[Range<usize>]) -> (String, Vec<Edit>) {
    let mut accepted: Vec<Edit> = Vec::new();
    for group in groups {
        let valid = !group.is_empty()
            && group.iter().all(|edit| {
                edit.range.start <= edit.range.end
                    && edit.range.end <= text.len()
                    && text.is_char_boundary(edit.range.start)
                    && text.is_char_boundary(edit.range.end)
            });
        if !valid {
            continue;
        }
        let clashes = group.iter().enumerate().any(|(index, edit)| {
            accepted.iter().any(|other| overlaps(&other.range, &edit.range))
                || protected.iter().any(|range| touches(range, &edit.range))
                || group[index + 1..].iter().any(|other| overlaps(&other.range, &edit.range))
        });
        if !clashes {
            accepted.extend(group.iter().cloned());
        }
    }
    accepted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in &accepted {
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    (out, accepted)
}

/// As the core's fixer: insertions at one point clash, an insertion inside a range clashes.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Where `range` lies after `edits` (sorted, none touching it) are applied.
fn shift(range: &Range<usize>, edits: &[Edit]) -> Range<usize> {
    let delta: isize = edits
        .iter()
        .filter(|edit| edit.range.end <= range.start && !(edit.range.is_empty() && edit.range.start == range.start && range.is_empty()))
        .map(|edit| edit.new_text.len() as isize - edit.range.len() as isize)
        .sum();
    let start = (range.start as isize + delta) as usize;
    start..start + range.len()
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

/// Byte offset of each line start, plus the text length.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
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
            let options = FixOptions { only_rules: LAYOUT_RULES.iter().map(|code| code.to_string()).collect(), keep_lines: false };
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
        for (a, b) in [("", "x"), ("x", ""), ("a\nb", "a\nc\n"), ("𠮷\n两\n委", "两委\n𠮷"), ("甲\r\n乙\r\n", "甲乙\r\n")] {
            assert_eq!(apply(a, &minimal_edits(a, b)), b, "{a:?} -> {b:?}");
        }
    }
}
