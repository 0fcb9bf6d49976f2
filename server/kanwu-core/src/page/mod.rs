//! Page structure: lines, blocks, paragraphs and the line kinds (headline, byline, credit) rules rely on.
//!
//! A page is read as blocks of non-blank lines. Inside a block, column text is hard-wrapped: a line
//! continues into the next unless it ends a paragraph (sentence-final punctuation on a line shorter
//! than the block's column width: its widest body line, or in a long block the width that
//! [`COLUMN_RANK`] body lines reach) or is a headline, byline or credit. Across blank lines, a
//! paragraph continues when it was cut in mid-sentence. The joins found here drive the layout rules,
//! the reflow formatter and the normalized view.

use crate::chars::{display_width, is_cjk, is_cjk_punct, is_digit, is_han, is_plain_space};
use crate::line_index::next_line_break;
use std::ops::Range;

/// What a line of a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// Running text of an article or a caption.
    Body,
    /// A headline or section head standing on its own.
    Headline,
    /// `□本报记者 …`, `◎杨柳`, `◎观潮`: bylines and column marks.
    Byline,
    /// A photo credit standing alone (`葛文博 摄`).
    Credit,
    /// One character of a headline printed vertically.
    Vertical,
}

/// One line of the page, without its terminator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line's text, excluding its terminator (`\n`, `\r\n` or `\r`).
    pub range: Range<usize>,
    /// Byte offset just past the line terminator (equal to `range.end` on the last line without one).
    pub next_start: usize,
    pub kind: LineKind,
}

/// How a paragraph continues from one line to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// A hard line break inside a paragraph (column wrap).
    Wrap,
    /// A paragraph cut by blank lines in mid-sentence.
    BlankSplit,
}

/// A break inside a paragraph: deleting `range` joins `from_line` to `to_line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub from_line: usize,
    pub to_line: usize,
    pub kind: BreakKind,
    /// The line terminator (and any blank lines) between the two lines' text.
    pub range: Range<usize>,
}

/// A headline printed one character per line: lines `lines` (inclusive range of indices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerticalRun {
    pub first_line: usize,
    pub last_line: usize,
}

/// The parsed structure of a page.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub lines: Vec<Line>,
    /// Every break inside a paragraph, in page order.
    pub breaks: Vec<Break>,
    /// Logical paragraphs as lists of line indices, rejoined across wraps and blank splits.
    pub paragraphs: Vec<Vec<usize>>,
    /// Headlines printed vertically, one character per line.
    pub vertical_runs: Vec<VerticalRun>,
    /// True when the page has lost its quotation marks, leaving spaces where they stood.
    pub lost_quotes: bool,
}

/// The thresholds of the page reading, kept together so the quality report can tune them on some
/// pages and score them on another (leave-one-page-out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// A line of at most this many characters without clause punctuation may be a headline.
    pub headline_max_chars: usize,
    /// How many display columns short of its block's width a line may fall and still count as full.
    pub full_line_slack: usize,
    /// The longest phrase, in characters, between two spaces that `dropped-quote` restores as a
    /// quotation with a safe fix.
    pub quote_certain_chars: usize,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning { headline_max_chars: 24, full_line_slack: 4, quote_certain_chars: 6 }
    }
}

/// A line whose text is at most this many characters may be a headline (the default tuning).
const HEADLINE_MAX_CHARS: usize = 24;

/// A block of at least this many lines may hold a paragraph cut by blank lines at its end.
const SPLIT_MIN_LINES: usize = 2;

/// A block of at most this many lines may be a headline block.
const HEADLINE_MAX_LINES: usize = 3;

/// A page with fewer isolated spaces between Chinese characters than this has not lost its quotes.
const LOST_QUOTE_MIN_SPACES: usize = 3;

impl Page {
    /// Splits a page into lines, classifies them and finds the breaks inside paragraphs.
    pub fn parse(text: &str) -> Page {
        Page::parse_tuned(text, &Tuning::default())
    }

    /// Like [`Page::parse`], with explicit thresholds.
    pub fn parse_tuned(text: &str, tuning: &Tuning) -> Page {
        Page::parse_within(text, tuning, BlockOutside::default(), BlockOutside::default())
    }

    /// Parses a part of a page that may begin or end inside a block: `before` describes the lines
    /// of its first block that come before the part, `after` those of its last block that come
    /// after it (both empty when the part starts or ends between blocks).
    pub fn parse_within(text: &str, tuning: &Tuning, before: BlockOutside, after: BlockOutside) -> Page {
        let mut lines = split_lines(text);
        classify_lines(text, &mut lines);
        let vertical_runs = find_vertical_runs(text, &mut lines);
        let blocks = blocks(&lines);
        let mut breaks = Vec::new();
        let widths: Vec<usize> = lines.iter().map(|line| content_width(&text[line.range.clone()])).collect();
        let outside = |block: &Range<usize>| {
            let mut outside = BlockOutside::default();
            if block.start == 0 {
                outside = outside.and(before);
            }
            if block.end == lines.len() {
                outside = outside.and(after);
            }
            outside
        };
        let outsides: Vec<BlockOutside> = blocks.iter().map(outside).collect();
        // Each block's column width: told from outside for a block the text shares with its
        // neighbours, else from its own lines (before headline blocks are marked: a headline block
        // has no body line left to wrap).
        let columns: Vec<usize> = blocks
            .iter()
            .zip(&outsides)
            .map(|(block, outside)| {
                if outside.column > 0 {
                    return outside.column;
                }
                let mut shape = BlockShape::default();
                for index in block.clone() {
                    shape.add_line(widths[index], lines[index].kind == LineKind::Body);
                }
                shape.column_width()
            })
            .collect();
        for (block, outside) in blocks.iter().zip(&outsides) {
            mark_headline_block(text, &mut lines, block, tuning, outside);
        }
        for (block, column) in blocks.iter().zip(&columns) {
            find_wraps(text, &lines, &widths, block, tuning, *column, &mut breaks);
        }
        for (pair, outside) in blocks.windows(2).zip(&outsides) {
            if let Some(split) = find_blank_split(text, &lines, &widths, &pair[0], &pair[1], tuning, outside) {
                breaks.push(split);
            }
        }
        breaks.sort_by_key(|join| join.from_line);
        let paragraphs = paragraphs(&lines, &breaks);
        let lost_quotes = detect_lost_quotes(text, &lines);
        Page { lines, breaks, paragraphs, vertical_runs, lost_quotes }
    }

    /// The text of line `index`.
    pub fn line_text<'a>(&self, text: &'a str, index: usize) -> &'a str {
        &text[self.lines[index].range.clone()]
    }

    /// The index of the line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|line| line.next_start <= offset).min(self.lines.len().saturating_sub(1))
    }

    /// The break that continues line `index` into a later line, if the paragraph goes on.
    pub fn break_after(&self, index: usize) -> Option<&Break> {
        let at = self.breaks.partition_point(|join| join.from_line < index);
        self.breaks.get(at).filter(|join| join.from_line == index)
    }
}

pub mod chunks;

pub use chunks::{block_edges, is_certain_body, short_of, BlockOutside, BlockShape, COLUMN_RANK, LONG_BLOCK_BODY_LINES};

/// Splits text into lines at `\n`, `\r\n` and a lone `\r` (the line ends of the LSP specification
/// and of [`crate::LineIndex`]), leaving the terminators out of the lines.
fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let (end, next_start) = match next_line_break(text, start) {
            Some(terminator) => (terminator.start, terminator.end),
            None => (text.len(), text.len()),
        };
        lines.push(Line { range: start..end, next_start, kind: LineKind::Body });
        start = next_start;
    }
    lines
}

/// Marks blank lines, bylines and credits, which can be told from the line alone.
fn classify_lines(text: &str, lines: &mut [Line]) {
    for line in lines.iter_mut() {
        let content = text[line.range.clone()].trim_matches(is_line_space);
        line.kind = if content.is_empty() {
            LineKind::Blank
        } else if is_byline(content) {
            LineKind::Byline
        } else if is_credit_line(content) {
            LineKind::Credit
        } else {
            LineKind::Body
        };
    }
}

/// Spaces that may surround a line's content, U+3000 included (a line never holds a `\r`: every
/// `\r` ends a line or belongs to a `\r\n`).
fn is_line_space(c: char) -> bool {
    is_plain_space(c) || c == '\u{3000}'
}

/// `□本报记者 何帆`, `◎杨柳`, `◎观潮`, `■特约评论员 …`: a mark followed by a name or column title.
pub fn is_byline(content: &str) -> bool {
    let mut chars = content.chars();
    let Some(first) = chars.next() else { return false };
    if matches!(first, '□' | '■' | '◎' | '●' | '◆' | '◇' | '○' | '☆' | '★' | '▲' | '△') {
        let rest: String = chars.collect();
        return rest.chars().count() <= 40 && !rest.contains(['。', '，', '；']);
    }
    false
}

/// A line made only of a photo credit: names or titles separated by spaces, ending in `摄`.
pub fn is_credit_line(content: &str) -> bool {
    credit_suffix_start(content) == Some(0)
}

/// Where a photo credit (`韩秋 摄`, `本报记者 乔岚 通讯员 邓振宇 摄`) begins at the end of `content`,
/// as a byte offset into `content`, if the line ends with one.
pub fn credit_suffix_start(content: &str) -> Option<usize> {
    let trimmed = content.trim_end_matches(is_line_space);
    let body = trimmed.strip_suffix('摄')?;
    // Fake-bold print extracted twice leaves `摄摄`; the credit is still a credit.
    let body = body.strip_suffix('摄').unwrap_or(body);
    if !body.ends_with(|c: char| is_plain_space(c) || c == '\u{3000}') {
        return None;
    }
    // Walk back over space-separated name tokens of Han characters (or Latin names).
    let mut start = body.trim_end_matches(is_line_space).len();
    let mut tokens = 0;
    loop {
        let before = &content[..start];
        let token_len: usize = before.chars().rev().take_while(|&c| is_han(c) || c.is_alphabetic() || c == '·').map(char::len_utf8).sum();
        if token_len == 0 || before[before.len() - token_len..].chars().count() > 8 {
            break;
        }
        start -= token_len;
        tokens += 1;
        let spaces: usize = content[..start].chars().rev().take_while(|&c| is_plain_space(c) || c == '\u{3000}').map(char::len_utf8).sum();
        if spaces == 0 || start == spaces {
            if start == spaces {
                start = 0;
            }
            break;
        }
        // A token followed by sentence punctuation before the spaces ends the credit.
        let preceding = content[..start - spaces].chars().next_back();
        if preceding.is_some_and(|c| !(is_han(c) || c.is_alphabetic() || c == '·')) {
            start -= spaces;
            break;
        }
        start -= spaces;
        if tokens >= 6 {
            break;
        }
    }
    if tokens == 0 {
        return None;
    }
    // Skip back past the spaces before the credit so the credit starts at its first name.
    let start = content[start..].len() - content[start..].trim_start_matches(is_line_space).len() + start;
    Some(start)
}

/// Runs of two or more lines holding one Chinese character each: a headline printed vertically.
fn find_vertical_runs(text: &str, lines: &mut [Line]) -> Vec<VerticalRun> {
    let single = |line: &Line| {
        let content = text[line.range.clone()].trim_matches(is_line_space);
        let mut chars = content.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_han(c))
    };
    let mut runs = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].kind == LineKind::Body && single(&lines[index]) {
            let first = index;
            while index + 1 < lines.len() && lines[index + 1].kind == LineKind::Body && single(&lines[index + 1]) {
                index += 1;
            }
            if index > first {
                for line in &mut lines[first..=index] {
                    line.kind = LineKind::Vertical;
                }
                runs.push(VerticalRun { first_line: first, last_line: index });
            }
        }
        index += 1;
    }
    runs
}

/// Maximal runs of non-blank lines, as index ranges.
fn blocks(lines: &[Line]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut start = None;
    for (index, line) in lines.iter().enumerate() {
        match (line.kind == LineKind::Blank, start) {
            (true, Some(first)) => {
                blocks.push(first..index);
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    if let Some(first) = start {
        blocks.push(first..lines.len());
    }
    blocks
}

/// Display width of a line after removing the spaces that extraction put between characters.
/// Linear in the line's length: each run of spaces is judged once by its two neighbours.
pub fn content_width(line: &str) -> usize {
    let trimmed = line.trim_matches(is_line_space);
    let mut width = 0;
    let mut previous: Option<char> = None;
    let mut pending_spaces = 0;
    for c in trimmed.chars() {
        if is_plain_space(c) {
            pending_spaces += display_width(c);
            continue;
        }
        if pending_spaces > 0 {
            let spurious = previous.is_some_and(|l| is_cjk(l) || is_digit(l)) && (is_cjk(c) || is_digit(c));
            if !spurious {
                width += pending_spaces;
            }
            pending_spaces = 0;
        }
        width += display_width(c);
        previous = Some(c);
    }
    width
}

/// Sentence punctuation that a headline never contains.
fn has_clause_punctuation(content: &str) -> bool {
    content.contains(['，', '。', '、', '；', ',', ';'])
}

/// Marks a short block without clause punctuation as a headline block (`春耕备耕` / `15支服务队走进牧区`).
fn mark_headline_block(text: &str, lines: &mut [Line], block: &Range<usize>, tuning: &Tuning, outside: &BlockOutside) {
    let body: Vec<usize> = block.clone().filter(|&index| lines[index].kind == LineKind::Body).collect();
    if body.is_empty() || body.len() + outside.body_lines > HEADLINE_MAX_LINES {
        return;
    }
    // A body line that starts or ends a multi-kind block next to a byline or credit keeps its kind
    // only when it is itself headline-like.
    let headline_like = body
        .iter()
        .all(|&index| is_headline_like_within(text[lines[index].range.clone()].trim_matches(is_line_space), tuning.headline_max_chars));
    if headline_like {
        for index in body {
            lines[index].kind = LineKind::Headline;
        }
    }
}

/// Short, without clause punctuation and not ending in a comma-like mark: reads as a headline.
pub fn is_headline_like(content: &str) -> bool {
    is_headline_like_within(content, HEADLINE_MAX_CHARS)
}

fn is_headline_like_within(content: &str, max_chars: usize) -> bool {
    let count = content.chars().filter(|c| !is_plain_space(*c)).count();
    count > 0
        && count <= max_chars
        && !has_clause_punctuation(content)
        && content.chars().any(is_han)
        && !content.trim_end_matches(is_line_space).ends_with(['《', '“', '‘', '（', '(', '—', '、'])
}

/// The last non-space character of a line.
fn last_char(content: &str) -> Option<char> {
    content.trim_end_matches(is_line_space).chars().next_back()
}

/// True when a line's text ends a sentence: `。`, `！`, `？`, `…`, possibly followed by closing marks.
fn ends_sentence(content: &str) -> bool {
    let trimmed = content.trim_end_matches(is_line_space);
    let core = trimmed.trim_end_matches(['”', '’', '）', ')', '」', '』', '】', '》']);
    match core.chars().next_back() {
        Some(c) => matches!(c, '。' | '！' | '？' | '!' | '?' | '…' | '.' | '；' | ';' | '：' | ':'),
        None => false,
    }
}

/// True when a line ends in the middle of a clause: a character, a comma-like mark or an opening mark.
fn ends_mid_sentence(content: &str) -> bool {
    match last_char(content) {
        Some(c) if is_han(c) || is_digit(c) || c.is_alphanumeric() => true,
        Some(c) => matches!(c, '，' | '、' | ',' | '“' | '‘' | '（' | '(' | '《' | '—' | '·' | '－' | '-' | '+' | '＋'),
        None => false,
    }
}

/// The break range between the end of `from`'s text and the start of `to`'s text.
fn break_range(lines: &[Line], from: usize, to: usize) -> Range<usize> {
    lines[from].range.end..lines[to].range.start
}

/// Column wraps inside one block: every line of running text continues into the next line unless
/// it ends a paragraph short of the block's column width `body_width`.
fn find_wraps(
    text: &str,
    lines: &[Line],
    widths: &[usize],
    block: &Range<usize>,
    tuning: &Tuning,
    body_width: usize,
    breaks: &mut Vec<Break>,
) {
    for index in block.start..block.end.saturating_sub(1) {
        let (line, next) = (&lines[index], &lines[index + 1]);
        if line.kind != LineKind::Body || next.kind != LineKind::Body {
            continue;
        }
        let content = &text[line.range.clone()];
        if credit_suffix_start(content).is_some() {
            continue;
        }
        // Leading spaces on the next line may be an indent that starts a new paragraph.
        let next_content = &text[next.range.clone()];
        if next_content.starts_with(['\u{3000}', '\t']) || next_content.starts_with("  ") {
            continue;
        }
        let full = widths[index] + tuning.full_line_slack >= body_width;
        let wraps = if ends_sentence(content) { full && widths[index] > 0 } else { true };
        if wraps {
            breaks.push(Break { from_line: index, to_line: index + 1, kind: BreakKind::Wrap, range: break_range(lines, index, index + 1) });
        }
    }
}

/// A paragraph cut by blank lines: the last line of `first` ends mid-sentence and the first line of
/// `second` carries the sentence on.
fn find_blank_split(
    text: &str,
    lines: &[Line],
    widths: &[usize],
    first: &Range<usize>,
    second: &Range<usize>,
    tuning: &Tuning,
    outside: &BlockOutside,
) -> Option<Break> {
    let from = first.end - 1;
    let to = second.start;
    if lines[from].kind != LineKind::Body || lines[to].kind != LineKind::Body {
        return None;
    }
    let last = &text[lines[from].range.clone()];
    let next = &text[lines[to].range.clone()];
    if !ends_mid_sentence(last) || credit_suffix_start(last).is_some() {
        return None;
    }
    if next.starts_with(['\u{3000}', '\t']) {
        return None;
    }
    // Column text: the cut line fills its column.
    let block_width = first.clone().map(|i| widths[i]).max().unwrap_or(0).max(outside.width);
    let in_column = first.len() + outside.lines >= SPLIT_MIN_LINES && widths[from] + tuning.full_line_slack >= block_width;
    let body_like = in_column || has_clause_punctuation(last) || last.trim().chars().count() > tuning.headline_max_chars;
    let continues = continuation_evidence(last, next);
    if body_like || continues {
        Some(Break { from_line: from, to_line: to, kind: BreakKind::BlankSplit, range: break_range(lines, from, to) })
    } else {
        None
    }
}

/// Signs that `next` continues the sentence `last` left unfinished: the first clause of `next` is a
/// fragment of one or two characters (`来，…`), or the characters on either side of the cut form a
/// word of the dictionary (`起`+`来`).
fn continuation_evidence(last: &str, next: &str) -> bool {
    let next = next.trim_start_matches(is_line_space);
    let fragment = next.chars().take_while(|c| !is_cjk_punct(*c) && !matches!(c, ',' | ';' | ':')).count();
    if fragment <= 2 && next.chars().nth(fragment).is_some() {
        return true;
    }
    let (Some(left), Some(right)) = (last_char(last), next.chars().next()) else {
        return false;
    };
    if !(is_han(left) && is_han(right)) {
        return false;
    }
    let pair: String = [left, right].iter().collect();
    crate::lexicon::is_dictionary_word(&pair)
}

/// Groups lines into logical paragraphs by following the breaks.
fn paragraphs(lines: &[Line], breaks: &[Break]) -> Vec<Vec<usize>> {
    let mut continues_into = vec![None; lines.len()];
    let mut continued = vec![false; lines.len()];
    for join in breaks {
        continues_into[join.from_line] = Some(join.to_line);
        continued[join.to_line] = true;
    }
    let mut paragraphs = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if line.kind == LineKind::Blank || continued[index] {
            continue;
        }
        let mut paragraph = vec![index];
        let mut current = index;
        while let Some(next) = continues_into[current] {
            paragraph.push(next);
            current = next;
        }
        paragraphs.push(paragraph);
    }
    paragraphs
}

/// A page has lost its quotation marks when it has none at all, yet its running text holds several
/// single spaces between Chinese characters where quotes would stand.
fn detect_lost_quotes(text: &str, lines: &[Line]) -> bool {
    let (has_quotes, isolated) = quote_evidence(text, lines);
    lost_quotes_from(has_quotes, isolated)
}

/// The page-wide decision of [`detect_lost_quotes`] from the evidence of all parts of a page.
pub(crate) fn lost_quotes_from(has_quotes: bool, isolated: usize) -> bool {
    !has_quotes && isolated >= LOST_QUOTE_MIN_SPACES
}

/// What [`detect_lost_quotes`] weighs, for one page or one part of it: whether it holds a quotation
/// mark, and how many isolated spaces between Chinese characters its long body lines hold. Parts
/// add up, so the incremental analysis decides for the whole page from its chunks.
pub(crate) fn quote_evidence(text: &str, lines: &[Line]) -> (bool, usize) {
    if text.contains(['“', '”', '"', '「', '」']) {
        return (true, 0);
    }
    let mut isolated = 0;
    for line in lines.iter().filter(|line| line.kind == LineKind::Body) {
        let content = &text[line.range.clone()];
        let chars: Vec<char> = content.chars().collect();
        if chars.len() < 2 * HEADLINE_MAX_CHARS {
            continue;
        }
        let spaced = chars.windows(3).filter(|w| is_plain_space(w[1]) && is_cjk(w[0]) && is_cjk(w[2])).count();
        // Justified text spaces nearly every character; lost quotes leave a few spaces in long lines.
        if spaced > 0 && spaced * 4 < chars.len() {
            isolated += spaced;
        }
    }
    (false, isolated)
}

#[cfg(test)]
mod tests;
