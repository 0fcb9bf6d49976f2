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
/// whose hunks are then diffed character by character (small ones) or trimmed of their common
/// prefix and suffix. The edits always reproduce `new` exactly: should the diff ever disagree with
/// the texts, one trimmed replacement of the whole text is returned instead.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let old_starts = line_starts(old);
    let new_starts = line_starts(new);
    let old_lines: Vec<&str> = old_starts.windows(2).map(|pair| &old[pair[0]..pair[1]]).collect();
    let new_lines: Vec<&str> = new_starts.windows(2).map(|pair| &new[pair[0]..pair[1]]).collect();
    let mut edits = Vec::new();
    let mut hunk: Option<(Range<usize>, Range<usize>)> = None;
    for op in diff_ops(&old_lines, &new_lines, LINE_DIFF_TIME) {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        let old_bytes = old_starts[old_range.start]..old_starts[old_range.end];
        let new_bytes = new_starts[new_range.start]..new_starts[new_range.end];
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
    if apply_in_order(old, &edits).as_deref() != Some(new) {
        return vec![trimmed(old, new, 0..old.len(), 0..new.len())];
    }
    edits
}

/// How long the line diff may search before settling for a coarser answer.
const LINE_DIFF_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// How long the character diff of one hunk may search.
const CHAR_DIFF_TIME: std::time::Duration = std::time::Duration::from_millis(200);

/// The operations that turn `old` into `new`, by Myers' algorithm, in order and without gaps. They
/// are taken straight from the algorithm: `similar`'s `TextDiff` compacts them afterwards, and that
/// step can leave operations whose indices contradict each other (mitsuhiko/similar#78), which
/// became edits giving another text than the fixer's.
fn diff_ops<T: PartialEq>(old: &[T], new: &[T], time: std::time::Duration) -> Vec<similar::DiffOp> {
    let mut capture = similar::algorithms::Capture::new();
    let deadline = std::time::Instant::now() + time;
    match similar::algorithms::myers::diff_deadline(&mut capture, old, 0..old.len(), new, 0..new.len(), Some(deadline)) {
        Ok(()) => capture.into_ops(),
        Err(never) => match never {},
    }
}

/// `edits` (sorted, not overlapping) applied to `text`; `None` when they are not in order or leave
/// a character boundary.
fn apply_in_order(text: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        out.push_str(text.get(cursor..edit.range.start)?);
        text.get(edit.range.clone())?;
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(text.get(cursor..)?);
    Some(out)
}

/// Byte offset of each line start, plus the text length. Lines end as LSP ends them: at `\n`,
/// `\r\n` or a lone `\r`.
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
    // Each character with its byte offset, and the offset past the last one.
    let offsets = |text: &str| -> (Vec<char>, Vec<usize>) {
        let (chars, mut starts): (Vec<char>, Vec<usize>) = text.char_indices().map(|(at, c)| (c, at)).unzip();
        starts.push(text.len());
        (chars, starts)
    };
    let (a_chars, a_starts) = offsets(a);
    let (b_chars, b_starts) = offsets(b);
    let base = edit.range.start;
    let mut pending: Option<Edit> = None;
    for op in diff_ops(&a_chars, &b_chars, CHAR_DIFF_TIME) {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            edits.extend(pending.take());
            continue;
        }
        let (old_chars, new_chars) = (op.old_range(), op.new_range());
        let range = base + a_starts[old_chars.start]..base + a_starts[old_chars.end];
        let inserted = &b[b_starts[new_chars.start]..b_starts[new_chars.end]];
        match &mut pending {
            Some(edit) => {
                edit.range.end = range.end;
                edit.new_text.push_str(inserted);
            }
            None => pending = Some(Edit { range, new_text: inserted.to_string() }),
        }
    }
    edits.extend(pending);
}

/// One edit replacing `old_range` of `old` by `new_range` of `new`, without their common prefix and suffix.
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
        // A case where `similar`'s compacted operations contradicted each other and the edits
        // moved a blank line (found by the fix-parity property test).
        let before = "党支部党支部党支部。党支部党支２０２１年部党\n支部。\n   \n\n党支部党支部党支部。 350 多户\n\n和的基层畅通群众党支部居民：服务社\n区。清扫村民开展工作一线保障在。\n";
        let after = "党支部。党支部党支2021年部党\n支部。\n\n\n党支部。350多户\n\n和的基层畅通群众党支部居民：服务社\n区。清扫村民开展工作一线保障在。\n";
        assert_eq!(apply(before, &minimal_edits(before, after)), after);
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
