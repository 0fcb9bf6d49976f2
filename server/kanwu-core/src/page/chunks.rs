//! Where a page is cut into chunks for the incremental analysis, and what a chunk is told of the
//! blocks it shares with the chunks beside it.
//!
//! A chunk ends after a line ending a sentence (`。`, `！` or `？` as its very last character), and
//! the next chunk starts with a line whose first character is a Chinese character; a chunk is at
//! least [`MIN_CHUNK`] bytes long. Between the two lines there are either
//!
//! - blank lines (only truly empty lines count here, so a line of spaces never makes such a cut):
//!   then no block crosses the cut (blocks are separated by blank lines), so no wrap, headline block
//!   or vertical heading does; the line before it cannot be continued by a blank split (it does not
//!   end in mid-sentence); or
//! - nothing, inside a block, when the line before the cut is certainly no full column line: among
//!   the up to [`LOOK_BACK`] lines of its block before it are enough certain body lines that the
//!   block is no headline block, and one of them is wider than it by more than the slack of a full
//!   line. That line ends its paragraph whatever the rest of the block holds, so no wrap crosses the
//!   cut. The decisions that read the whole block (its column width, its line counts) get what the
//!   chunk cannot see of it from the chunks beside it ([`BlockOutside`], from each
//!   chunk's edge blocks): a chunk is cached per text *and* per those values, so it is parsed again
//!   only when its block's column width changes. A long block's column width is the width that
//!   [`COLUMN_RANK`] of its body lines reach, so the cut rule asks for that many wider
//!   lines before the cut, and typing a line wider (or a few overlong lines) does not move it.
//!
//! Either way no line- or block-scope rule carries a paragraph on across a cut (bracket pairing
//! stops at a sentence end and only looks ahead for an opening quotation mark), and message
//! excerpts stop at line breaks; page-scope rules are not run per chunk.
//! Because cut points depend only on the text around them, an edit moves at most the cuts next to
//! it, and the chunks further away keep their text and their cached results.

use super::{
    blocks, classify_lines, content_width, ends_sentence, find_vertical_runs, is_byline, is_credit_line, is_line_space, split_lines,
    LineKind, Tuning, HEADLINE_MAX_LINES, SPLIT_MIN_LINES,
};
use crate::line_index::next_line_break;
use std::collections::VecDeque;
use std::ops::Range;

/// The smallest chunk, in bytes: smaller chunks would cost more in bookkeeping than they save.
pub const MIN_CHUNK: usize = 4096;

/// What a part of a page is told of a block it shares with the text before or after it: the
/// block's column width, and the widest line and line counts of the block's lines outside the part,
/// as far as any decision about the block reads them (counts are kept only up to the largest count
/// a decision compares with).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BlockOutside {
    /// The column width of the whole block (0: not told, found from the part's own lines).
    pub column: usize,
    /// The widest line of any kind.
    pub width: usize,
    /// How many lines.
    pub lines: usize,
    /// How many body lines (before headline blocks are marked).
    pub body_lines: usize,
}

impl BlockOutside {
    /// The two together (what lies before and after a part that is inside one block).
    pub fn and(self, other: BlockOutside) -> BlockOutside {
        BlockOutside {
            column: self.column.max(other.column),
            width: self.width.max(other.width),
            lines: (self.lines + other.lines).min(SPLIT_MIN_LINES),
            body_lines: (self.body_lines + other.body_lines).min(HEADLINE_MAX_LINES + 1),
        }
    }
}

/// A block of at least this many body lines is column text of many paragraphs run together (a page
/// extracted without blank lines): its column width is the width that [`COLUMN_RANK`] of its body
/// lines reach, which a few overlong lines cannot move (nor one line typed wider); a shorter
/// block's is its widest body line.
pub const LONG_BLOCK_BODY_LINES: usize = 64;

/// In a long block, the column width is the width of its `COLUMN_RANK`-th widest body line.
pub const COLUMN_RANK: usize = 8;

/// Widths from this one on are counted together.
const COUNTED_WIDTHS: usize = 256;

/// The lines of a block, or of a part of one: how many body lines there are of each width, the
/// widest body line and line, and the line counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockShape {
    counts: Vec<u32>,
    body_width: usize,
    width: usize,
    lines: usize,
    body_lines: usize,
}

impl BlockShape {
    pub(super) fn add_line(&mut self, width: usize, body: bool) {
        self.width = self.width.max(width);
        self.lines += 1;
        if body {
            let bucket = width.min(COUNTED_WIDTHS - 1);
            if self.counts.len() <= bucket {
                self.counts.resize(bucket + 1, 0);
            }
            self.counts[bucket] += 1;
            self.body_width = self.body_width.max(width);
            self.body_lines += 1;
        }
    }

    /// Both parts of one block together.
    pub fn and(&self, other: &BlockShape) -> BlockShape {
        let mut counts = self.counts.clone();
        if counts.len() < other.counts.len() {
            counts.resize(other.counts.len(), 0);
        }
        for (count, more) in counts.iter_mut().zip(&other.counts) {
            *count += more;
        }
        BlockShape {
            counts,
            body_width: self.body_width.max(other.body_width),
            width: self.width.max(other.width),
            lines: self.lines + other.lines,
            body_lines: self.body_lines + other.body_lines,
        }
    }

    /// The block's column width (see [`LONG_BLOCK_BODY_LINES`]).
    pub fn column_width(&self) -> usize {
        if self.body_lines < LONG_BLOCK_BODY_LINES {
            return self.body_width;
        }
        let mut seen = 0;
        for (width, &count) in self.counts.iter().enumerate().rev() {
            seen += count as usize;
            if seen >= COLUMN_RANK {
                return width;
            }
        }
        0
    }

    /// What a part of the block is told of this other part of it, with the whole block's column.
    pub fn outside(&self, column: usize) -> BlockOutside {
        BlockOutside {
            column,
            width: self.width,
            lines: self.lines.min(SPLIT_MIN_LINES),
            body_lines: self.body_lines.min(HEADLINE_MAX_LINES + 1),
        }
    }
}

/// The first and the last block of `text` as parts of blocks that may go on before or after it,
/// when they touch its start or its end (`None` when the text starts or ends between blocks), and
/// whether `text` is one block from start to end.
pub fn block_edges(text: &str) -> (Option<BlockShape>, Option<BlockShape>, bool) {
    let mut lines = split_lines(text);
    classify_lines(text, &mut lines);
    find_vertical_runs(text, &mut lines);
    let blocks = blocks(&lines);
    let shape = |block: &Range<usize>| {
        let mut shape = BlockShape::default();
        for line in &lines[block.clone()] {
            shape.add_line(content_width(&text[line.range.clone()]), line.kind == LineKind::Body);
        }
        shape
    };
    let first = blocks.first().filter(|block| block.start == 0).map(shape);
    let last = blocks.last().filter(|block| block.end == lines.len()).map(shape);
    let whole = blocks.len() == 1 && first.is_some() && last.is_some();
    (first, last, whole)
}

/// Whether `content` (a line without its terminator) is certainly a body line of a long block:
/// not blank, not a byline or credit, and of two characters or more (so never part of a vertical
/// headline). The incremental analysis cuts long blocks only next to such lines.
pub fn is_certain_body(content: &str) -> bool {
    let content = content.trim_matches(is_line_space);
    content.chars().nth(1).is_some() && !is_byline(content) && !is_credit_line(content)
}

/// Whether a line that ends `content` is certainly not a full column line once it is known that the
/// block has [`COLUMN_RANK`] body lines at least `wide` wide (so its column is at least that wide):
/// it is then a paragraph's end and never wraps.
pub fn short_of(content: &str, wide: usize, tuning: &Tuning) -> bool {
    ends_sentence(content) && content_width(content) + tuning.full_line_slack < wide
}

/// Whether the line before the one starting at `start` (a line start after the first) is empty.
/// Its terminator (`\n`, `\r\n` or a lone `\r`) is dropped; the line is empty when the text or
/// another terminator ends right before it.
pub(crate) fn previous_line_is_empty(text: &str, start: usize) -> bool {
    let before = text[..start].strip_suffix('\n').unwrap_or(&text[..start]);
    let before = before.strip_suffix('\r').unwrap_or(before);
    before.is_empty() || before.ends_with(['\n', '\r'])
}

/// How many lines before a cut inside a block are looked at for a wider body line.
pub const LOOK_BACK: usize = 16;

/// Cuts `text` into chunks at the safe places described in the module documentation.
pub fn chunk_bounds(text: &str, tuning: &Tuning) -> Vec<Range<usize>> {
    let mut bounds = Vec::new();
    let mut start = 0;
    let (mut sentence_ended, mut blank_since) = (false, false);
    let mut line_start = 0;
    // The last lines of the current block (content ranges), the line before a cut last.
    let mut recent: VecDeque<Range<usize>> = VecDeque::with_capacity(LOOK_BACK + 2);
    while line_start < text.len() {
        // Lines end as the page structure ends them, so a cut never falls inside a `\r\n`.
        let (line_end, next_line_start) =
            next_line_break(text, line_start).map_or((text.len(), text.len()), |found| (found.start, found.end));
        let content = &text[line_start..line_end];
        if content.is_empty() {
            blank_since = true;
            recent.clear();
        } else {
            let first_is_han = content.chars().next().is_some_and(crate::chars::is_han);
            if sentence_ended
                && first_is_han
                && line_start - start >= MIN_CHUNK
                && (blank_since || short_in_its_block(text, &recent, tuning))
            {
                bounds.push(start..line_start);
                start = line_start;
            }
            sentence_ended = content.ends_with(['。', '！', '？']);
            blank_since = false;
            if is_blank_content(content) {
                // A line of spaces ends a block for the page, though not a chunk.
                recent.clear();
            } else {
                recent.push_back(line_start..line_start + content.len());
                if recent.len() > LOOK_BACK + 1 {
                    recent.pop_front();
                }
            }
        }
        line_start = next_line_start;
    }
    if start < text.len() || bounds.is_empty() {
        bounds.push(start..text.len());
    }
    bounds
}

/// Whether the last of `recent` (the lines of a block so far) certainly ends a paragraph short of
/// the block's column width, so that the block can be cut after it: among the lines before it are
/// [`COLUMN_RANK`] certain body lines each wider than it by more than the slack of a full line. The
/// block's column is then at least that wide, whether it is its widest body line or (a long block)
/// the width that `COLUMN_RANK` of them reach, and the block is no headline block.
fn short_in_its_block(text: &str, recent: &VecDeque<Range<usize>>, tuning: &Tuning) -> bool {
    let Some(last) = recent.back() else { return false };
    let mut widths: Vec<usize> = recent
        .iter()
        .take(recent.len() - 1)
        .map(|range| &text[range.clone()])
        .filter(|content| is_certain_body(content))
        .map(content_width)
        .collect();
    if widths.len() < COLUMN_RANK {
        return false;
    }
    widths.sort_unstable_by(|a, b| b.cmp(a));
    short_of(&text[last.clone()], widths[COLUMN_RANK - 1], tuning)
}

/// A line of nothing but spaces (a blank line for the page).
fn is_blank_content(content: &str) -> bool {
    content.chars().all(|c| c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_after_a_sentence_and_blank_lines() {
        let paragraph = "社区工作人员每天挨家挨户登记返乡人员信息，核对健康状况。\n".repeat(100);
        let text = format!("{paragraph}\n{paragraph}\n，{paragraph}");
        let bounds = chunk_bounds(&text, &Tuning::default());
        assert_eq!(bounds.len(), 2, "{bounds:?}");
        assert_eq!(bounds[0], 0..paragraph.len() + 1);
        assert_eq!(bounds[1].end, text.len());
        assert_eq!(chunk_bounds("", &Tuning::default()), vec![0..0]);
    }

    #[test]
    fn cuts_pages_with_any_line_end_alike() {
        let paragraph = "社区工作人员每天挨家挨户登记返乡人员信息，核对健康状况。\n".repeat(100);
        let lf = format!("{paragraph}\n{paragraph}\n，{paragraph}\n{paragraph}");
        let lf_bounds = chunk_bounds(&lf, &Tuning::default());
        assert!(lf_bounds.len() > 1);
        for terminator in ["\r", "\r\n"] {
            let text = lf.replace('\n', terminator);
            let bounds = chunk_bounds(&text, &Tuning::default());
            // The same cuts, each at the start of a line: never between a `\r` and its `\n`.
            let lines_before = |text: &str, at: usize| crate::LineIndex::new(text).line_of(at);
            let cut_lines: Vec<u32> = bounds.iter().map(|range| lines_before(&text, range.start)).collect();
            let lf_cut_lines: Vec<u32> = lf_bounds.iter().map(|range| lines_before(&lf, range.start)).collect();
            assert_eq!(cut_lines, lf_cut_lines, "{terminator:?}");
            for (range, lf_range) in bounds.iter().zip(&lf_bounds).skip(1) {
                let cut = range.start;
                assert!(text[..cut].ends_with(terminator) && !text[cut..].starts_with('\n'), "{terminator:?} cut at {cut}");
                assert_eq!(previous_line_is_empty(&text, cut), previous_line_is_empty(&lf, lf_range.start), "{terminator:?} cut at {cut}");
            }
        }
        assert!(previous_line_is_empty("甲\r\r乙", 5) && !previous_line_is_empty("甲\r乙", 4) && previous_line_is_empty("甲\r\r\n乙", 6));
    }
}
