//! Runs of spaces inside lines and what stands on either side of them, shared by the spacing rules.

use crate::chars::{is_cjk, is_plain_space};
use crate::page::{credit_suffix_start, LineKind, Page};
use std::ops::Range;

/// A run of spaces inside a line, with the characters around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceRun {
    pub line: usize,
    /// Byte range of the spaces.
    pub range: Range<usize>,
    pub left: char,
    pub right: char,
}

/// Spaces between characters inside the content of each line (never leading or trailing ones), for
/// lines of the given kinds, stopping before a photo credit at the end of a line.
pub fn interior_space_runs(text: &str, page: &Page, kinds: &[LineKind]) -> Vec<SpaceRun> {
    let mut runs = Vec::new();
    for (index, line) in page.lines.iter().enumerate() {
        if !kinds.contains(&line.kind) {
            continue;
        }
        let content = &text[line.range.clone()];
        let limit = credit_suffix_start(content).unwrap_or(content.len());
        let mut previous: Option<char> = None;
        let mut run_start: Option<usize> = None;
        for (offset, c) in content.char_indices() {
            if offset >= limit {
                break;
            }
            if is_plain_space(c) || (c == '\u{3000}' && previous.is_some()) {
                if run_start.is_none() && previous.is_some() {
                    run_start = Some(offset);
                }
                continue;
            }
            if let (Some(start), Some(left)) = (run_start.take(), previous) {
                runs.push(SpaceRun { line: index, range: line.range.start + start..line.range.start + offset, left, right: c });
            }
            previous = Some(c);
        }
    }
    runs
}

/// True when the run stands inside a “…” quotation on its line, as between the halves of a quoted
/// slogan (`“邻里守望一家亲 携手共建幸福村”`).
pub fn inside_quotation(text: &str, page: &Page, run: &SpaceRun) -> bool {
    let line = &page.lines[run.line];
    let before = &text[line.range.start..run.range.start];
    let after = &text[run.range.end..line.range.end];
    let open = before.rfind('“');
    let close_before = before.rfind('”');
    let opened = match (open, close_before) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    };
    let closes_after = after.find('”').is_some_and(|close| after.find('“').is_none_or(|open| close < open));
    opened && closes_after
}

/// True when both neighbours are Chinese characters or Chinese punctuation.
pub fn between_cjk(run: &SpaceRun) -> bool {
    is_cjk(run.left) && is_cjk(run.right)
}
