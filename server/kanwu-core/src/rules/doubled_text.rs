//! `doubled-text`: fake-bold print extracted twice, every run of a line printed twice back to back.
//!
//! Fake-bold type is drawn twice with a small offset; some extractors then emit every text span
//! twice: `日前日前，，北川县…在清北川县…在清`. Spans end at punctuation and at the printed line's
//! end, so a doubled line is a sequence of *squares* `XX` (`日前`+`日前`, `，`+`，`), separated at
//! most by single spaces (`本报记者本报记者 李明李明 摄摄`).
//!
//! Detection works on each block of non-blank lines with the line terminators made transparent, so
//! that a square the extraction cut across a line break (`…在清北川` ⏎ `县…在清`) is still seen. A
//! dynamic programme over the block finds the decomposition into squares and single characters
//! that leaves the fewest characters outside squares (then the fewest squares crossing a break,
//! then the fewest squares); squares have halves of at most [`MAX_HALF`] characters and compare by
//! rolling hash, so the work is linear in the text. A line is doubled when every character of it
//! (spaces aside) lies in a square, and the lines chained to it by squares crossing a break are too,
//! and the chain holds enough doubled material: two squares of Chinese text or Chinese punctuation
//! with one of at least two Chinese characters, or, for a line alone, the whole line as one square
//! `XX` with `X` at least two Chinese characters, not all one character and not a word that is
//! commonly reduplicated (`研究研究`). Reduplication in running text (`一个个`, `踏踏实实`,
//! `看看`) never covers a whole line and is left alone.
//!
//! A single line that fails those tests may be one caption extracted twice whose copies differ in
//! which runs were doubled (`近日近日，，某某…学习近日，，某某…学习`); `check_copied_line` keeps each
//! doubled run once and flags the line when what is left is one text twice over, so that one fix
//! repairs it completely.

use crate::chars::{is_han, is_horizontal_space};
use crate::page::LineKind;
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use std::ops::Range;

/// Finds lines whose runs are each printed twice.
pub struct DoubledText;

static INFO: RuleInfo = RuleInfo {
    code: "doubled-text",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Block,
    summary_zh: "伪粗体文字被提取两遍：一行中每段文字都紧接着重复一次。",
    summary_en: "Fake-bold print extracted twice: every run of a line is immediately repeated.",
    example: "日前日前，，北川县某校团员在清北川县某校团员在清",
};

/// The longest half of a square, in characters; longer spans are not looked for.
const MAX_HALF: usize = 64;

/// How many characters of a line a message quotes.
const SHOWN_CHARS: usize = 16;

impl Rule for DoubledText {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for found in cx.doubled() {
            let line = &cx.page.lines[found.line];
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            let fixed = apply_local(cx.text, line.range.clone(), &found.edits);
            let shown = shorten(content.trim_matches(is_horizontal_space));
            let shown_fixed = shorten(fixed.trim_matches(is_horizontal_space));
            sink.push(cx.diagnostic(
                &INFO,
                line.range.clone(),
                Message::new(
                    format!("“{shown}”一行的文字都重复了一遍（伪粗体被提取两次），应为“{shown_fixed}”"),
                    format!("Every run of “{shown}” is printed twice (fake-bold text extracted twice); it should read “{shown_fixed}”"),
                ),
                vec![Fix::safe(Message::new("删除重复的文字", "Keep each run once"), found.edits.clone())],
            ));
        }
    }
}

/// A doubled line and the deletions that leave each of its runs once.
pub(super) struct DoubledLine {
    pub line: usize,
    pub edits: Vec<Edit>,
}

/// One character of a block: the character, its byte offset in the page and its line index.
#[derive(Clone, Copy)]
struct Ch {
    c: char,
    at: usize,
    line: usize,
}

/// A square found in a block: `half` characters starting at character `start`, printed twice.
#[derive(Clone, Copy)]
struct Square {
    start: usize,
    half: usize,
}

/// The doubled lines of the page with their edits.
pub(super) fn find(cx: &Context<'_>) -> Vec<DoubledLine> {
    let lines = &cx.page.lines;
    let mut out = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].kind == LineKind::Blank {
            index += 1;
            continue;
        }
        let first = index;
        while index < lines.len() && lines[index].kind != LineKind::Blank {
            index += 1;
        }
        check_block(cx, first..index, &mut out);
    }
    out
}

/// Polynomial hashes modulo the Mersenne prime 2⁶¹−1 over a block's characters.
struct Hashes {
    prefix: Vec<u64>,
    powers: Vec<u64>,
}

const MODULUS: u64 = (1 << 61) - 1;
const BASE: u64 = 1_000_003;

fn mul_mod(a: u64, b: u64) -> u64 {
    let product = (a as u128) * (b as u128);
    let folded = (product & MODULUS as u128) + (product >> 61);
    let folded = folded as u64;
    if folded >= MODULUS {
        folded - MODULUS
    } else {
        folded
    }
}

impl Hashes {
    fn new(chars: &[Ch]) -> Hashes {
        let mut prefix = Vec::with_capacity(chars.len() + 1);
        let mut powers = Vec::with_capacity(chars.len() + 1);
        prefix.push(0);
        powers.push(1);
        for ch in chars {
            let last = *prefix.last().unwrap_or(&0);
            let next = (mul_mod(last, BASE) + ch.c as u64 + 1) % MODULUS;
            prefix.push(next);
            let power = *powers.last().unwrap_or(&1);
            powers.push(mul_mod(power, BASE));
        }
        Hashes { prefix, powers }
    }

    /// Hash of characters `start..end`.
    fn of(&self, start: usize, end: usize) -> u64 {
        let shifted = mul_mod(self.prefix[start], self.powers[end - start]);
        (self.prefix[end] + MODULUS - shifted) % MODULUS
    }
}

/// The best decomposition of a prefix: characters outside squares, squares crossing a line break,
/// squares; and how the prefix ends.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    loose: u32,
    crossing: u32,
    squares: u32,
}

#[derive(Clone, Copy)]
enum Step {
    Start,
    Single,
    Square(usize),
}

fn check_block(cx: &Context<'_>, block: Range<usize>, out: &mut Vec<DoubledLine>) {
    let lines = &cx.page.lines;
    let mut chars = Vec::new();
    for index in block.clone() {
        let Some(content) = cx.text.get(lines[index].range.clone()) else { return };
        let start = lines[index].range.start;
        chars.extend(content.char_indices().map(|(offset, c)| Ch { c, at: start + offset, line: index }));
    }
    let n = chars.len();
    if n < 4 {
        return;
    }
    let hashes = Hashes::new(&chars);
    // For each character, the next position holding the same character: a square's second half
    // starts with the first half's character, so only those positions are tried as halves.
    let mut next_same = vec![usize::MAX; n];
    let mut by_char: Vec<(char, usize)> = chars.iter().enumerate().map(|(i, ch)| (ch.c, i)).collect();
    by_char.sort_unstable();
    for pair in by_char.windows(2) {
        if pair[0].0 == pair[1].0 {
            next_same[pair[0].1] = pair[1].1;
        }
    }
    let unreached = Score { loose: u32::MAX, crossing: 0, squares: 0 };
    let mut best = vec![unreached; n + 1];
    let mut step = vec![Step::Start; n + 1];
    best[0] = Score { loose: 0, crossing: 0, squares: 0 };
    for i in 0..n {
        let here = best[i];
        if here.loose == u32::MAX {
            continue;
        }
        let single_cost = u32::from(!is_horizontal_space(chars[i].c));
        let single = Score { loose: here.loose + single_cost, ..here };
        if single < best[i + 1] {
            best[i + 1] = single;
            step[i + 1] = Step::Single;
        }
        if is_horizontal_space(chars[i].c) {
            continue;
        }
        let mut partner = next_same[i];
        while partner != usize::MAX && partner - i <= MAX_HALF {
            let half = partner - i;
            partner = next_same[partner];
            let end = i + 2 * half;
            if end > n {
                break;
            }
            if is_horizontal_space(chars[i + half - 1].c) {
                continue;
            }
            let (first_line, last_line) = (chars[i].line, chars[end - 1].line);
            if last_line > first_line + 1 {
                break;
            }
            if hashes.of(i, i + half) != hashes.of(i + half, end) {
                continue;
            }
            let candidate =
                Score { loose: here.loose, crossing: here.crossing + u32::from(last_line != first_line), squares: here.squares + 1 };
            if candidate < best[end] {
                best[end] = candidate;
                step[end] = Step::Square(half);
            }
        }
    }
    // Walk back over the chosen decomposition.
    let mut squares = Vec::new();
    let mut loose_on = vec![0usize; block.len()];
    let mut position = n;
    while position > 0 {
        match step[position] {
            Step::Square(half) => {
                position -= 2 * half;
                squares.push(Square { start: position, half });
            }
            Step::Single | Step::Start => {
                position -= 1;
                if !is_horizontal_space(chars[position].c) {
                    loose_on[chars[position].line - block.start] += 1;
                }
            }
        }
    }
    squares.reverse();
    // A square whose halves differ (a hash collision) leaves its lines unflagged.
    for square in &squares {
        let same = (0..square.half).all(|k| chars[square.start + k].c == chars[square.start + square.half + k].c);
        if !same {
            for ch in &chars[square.start..square.start + 2 * square.half] {
                loose_on[ch.line - block.start] += 1;
            }
        }
    }
    // Chains of lines joined by squares that cross a break are judged together.
    let mut joined_to_next = vec![false; block.len()];
    for square in &squares {
        let (first, last) = (chars[square.start].line, chars[square.start + 2 * square.half - 1].line);
        if last != first {
            joined_to_next[first - block.start] = true;
        }
    }
    let mut square_index = 0;
    let mut line = block.start;
    while line < block.end {
        let chain_start = line;
        while joined_to_next[line - block.start] && line + 1 < block.end {
            line += 1;
        }
        let chain = chain_start..line + 1;
        line += 1;
        // Squares of this chain, in order.
        while square_index < squares.len() && chars[squares[square_index].start].line < chain.start {
            square_index += 1;
        }
        let mut chain_squares = Vec::new();
        while square_index < squares.len() && chars[squares[square_index].start].line < chain.end {
            chain_squares.push(squares[square_index]);
            square_index += 1;
        }
        let clean = chain.clone().all(|index| loose_on[index - block.start] == 0);
        if clean && !chain_squares.is_empty() && enough_doubling(cx, &chars, &chain, &chain_squares) {
            emit_chain(cx, &chars, &chain, &chain_squares, out);
            continue;
        }
        if chain.len() == 1 {
            check_copied_line(cx, &chars, &hashes, chain.start, out);
        }
    }
}

/// A line that is one caption extracted twice, where either copy may have some of its runs
/// doubled as well (`近日近日，，某某…学习近日，，某某…学习`): the copies differ, so the line is no
/// square, and taking one copy away would still leave `近日近日，，`. The line is reduced by
/// keeping every doubled run once (only runs that are evidence of doubling: see
/// [`collapsible_half`]); when what is left is one text `CC` twice, with `C` at least two Chinese
/// characters, and some doubled run was kept once on the way, the line is doubled: its fix keeps
/// the first copy, with its doubled runs once, and deletes the second.
fn check_copied_line(cx: &Context<'_>, chars: &[Ch], hashes: &Hashes, line: usize, out: &mut Vec<DoubledLine>) {
    if cx.page.lines[line].kind == LineKind::Vertical {
        return;
    }
    // The line's characters are one stretch of the block's.
    let start = chars.partition_point(|ch| ch.line < line);
    let end = chars.partition_point(|ch| ch.line <= line);
    let on_line = &chars[start..end];
    let n = on_line.len();
    if !(6..=4 * MAX_HALF).contains(&n) {
        return;
    }
    // Fake bold doubles the marks of a caption too (`，，`): a line without a doubled mark is not
    // read further (this keeps the search below off almost every line).
    if !on_line.windows(2).any(|pair| pair[0].c == pair[1].c && is_evidence_punct(pair[0].c)) {
        return;
    }
    // The reduced line: the characters kept, each with its index on the line; and the doubled
    // runs dropped, as ranges of indices.
    let mut kept: Vec<(char, usize)> = Vec::with_capacity(n);
    let mut dropped: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < n {
        let at = start + i;
        let half = (1..=MAX_HALF.min((n - i) / 2)).find(|&half| {
            hashes.of(at, at + half) == hashes.of(at + half, at + 2 * half)
                && (0..half).all(|k| on_line[i + k].c == on_line[i + half + k].c)
                && collapsible_half(&on_line[i..i + half])
        });
        match half {
            Some(half) => {
                kept.extend((i..i + half).map(|k| (on_line[k].c, k)));
                dropped.push(i + half..i + 2 * half);
                i += 2 * half;
            }
            None => {
                kept.push((on_line[i].c, i));
                i += 1;
            }
        }
    }
    // Spaces between the copies are not part of either.
    let content: Vec<(char, usize)> = kept.into_iter().filter(|(c, _)| !is_horizontal_space(*c)).collect();
    if dropped.is_empty() || !content.len().is_multiple_of(2) {
        return;
    }
    let half = content.len() / 2;
    let (first, second) = content.split_at(half);
    if first.iter().zip(second).any(|(a, b)| a.0 != b.0) || first.iter().filter(|(c, _)| is_han(*c)).count() < 2 {
        return;
    }
    // Everything from the start of the second copy goes, with the doubled runs of the first.
    let second_start = second[0].1;
    let byte_range = |from: usize, to: usize| -> Range<usize> {
        let last = on_line[to - 1];
        on_line[from].at..last.at + last.c.len_utf8()
    };
    let mut ranges: Vec<Range<usize>> =
        dropped.iter().filter(|run| run.end <= second_start).map(|run| byte_range(run.start, run.end)).collect();
    let line_end = cx.page.lines[line].range.end;
    let from = first.last().map_or(second_start, |last| last.1 + 1);
    ranges.push(on_line[from].at..line_end);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    out.push(DoubledLine { line, edits: merged.into_iter().map(Edit::delete).collect() });
}

/// Whether a run printed twice inside a copied line is evidence of doubling, to be kept once:
/// a mark never printed twice in running text (`，，`), or at least two different Chinese
/// characters that are not a word commonly said twice (`近日近日`, but not `某某`, `研究研究`).
fn collapsible_half(half: &[Ch]) -> bool {
    if half.iter().all(|ch| is_evidence_punct(ch.c)) {
        return true;
    }
    let Some(first) = half.first() else { return false };
    if half.len() < 2 || !half.iter().all(|ch| is_han(ch.c)) || half.iter().all(|ch| ch.c == first.c) {
        return false;
    }
    let text: String = half.iter().map(|ch| ch.c).collect();
    !super::repeated_word::is_legitimate_reduplication(&text)
}

/// Whether the squares of a chain of clean lines are enough to call its lines doubled.
fn enough_doubling(cx: &Context<'_>, chars: &[Ch], chain: &Range<usize>, squares: &[Square]) -> bool {
    let half_text = |square: &Square| -> String { chars[square.start..square.start + square.half].iter().map(|ch| ch.c).collect() };
    if chain.len() == 1 && squares.len() == 1 {
        // The whole line as one square: `宣誓宣誓`.
        let line = &cx.page.lines[chain.start];
        if line.kind == LineKind::Vertical {
            return false;
        }
        let x = half_text(&squares[0]);
        let count = x.chars().count();
        let mut distinct = x.chars();
        let first = distinct.next();
        return count >= 2
            && x.chars().all(is_han)
            && !distinct.all(|c| Some(c) == first)
            && !super::repeated_word::is_legitimate_reduplication(&x);
    }
    let mut evidence = 0;
    let mut strong = false;
    for square in squares {
        let x = half_text(square);
        let han = x.chars().filter(|&c| is_han(c)).count();
        let punct = x.chars().any(is_evidence_punct);
        if han == 0 && !punct {
            continue;
        }
        if x.chars().count() >= 2 && super::repeated_word::is_legitimate_reduplication(&x) {
            continue;
        }
        evidence += 1;
        let mut letters = x.chars().filter(|&c| is_han(c));
        let first = letters.next();
        if han >= 2 && !letters.all(|c| Some(c) == first) {
            strong = true;
        }
    }
    evidence >= 2 && strong
}

/// Punctuation that is never printed twice in running text (ellipses, dashes, `！！` are).
fn is_evidence_punct(c: char) -> bool {
    matches!(c, '，' | '。' | '、' | '；' | '：' | ',' | ';' | ':' | '“' | '”' | '‘' | '’' | '《' | '》' | '（' | '）')
}

/// Builds the per-line deletions of a flagged chain.
fn emit_chain(cx: &Context<'_>, chars: &[Ch], chain: &Range<usize>, squares: &[Square], out: &mut Vec<DoubledLine>) {
    let lines = &cx.page.lines;
    let mut deletions: Vec<Vec<Range<usize>>> = vec![Vec::new(); chain.len()];
    let byte_range = |from: usize, to: usize| -> Range<usize> {
        let last = chars[to - 1];
        chars[from].at..last.at + last.c.len_utf8()
    };
    for square in squares {
        let (start, half) = (square.start, square.half);
        let first_line = chars[start].line;
        let on_first = (start..start + 2 * half).take_while(|&k| chars[k].line == first_line).count();
        let window = if on_first == 2 * half {
            start + half
        } else if on_first > half {
            start + on_first - half
        } else if on_first < half {
            start + on_first
        } else {
            // The break falls between the copies: drop the copy whose line has other text.
            let line_start = lines[first_line].range.start;
            let before = cx.text.get(line_start..chars[start].at).unwrap_or("");
            if before.trim_matches(is_horizontal_space).is_empty() {
                start + half
            } else {
                start
            }
        };
        let line = chars[window].line;
        deletions[line - chain.start].push(byte_range(window, window + half));
    }
    for (offset, mut ranges) in deletions.into_iter().enumerate() {
        let index = chain.start + offset;
        if ranges.is_empty() {
            continue;
        }
        ranges.sort_by_key(|range| range.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for range in ranges {
            match merged.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => merged.push(range),
            }
        }
        let line = &lines[index];
        let mut edits: Vec<Edit> = merged.into_iter().map(Edit::delete).collect();
        let left = apply_local(cx.text, line.range.clone(), &edits);
        if left.trim_matches(is_horizontal_space).is_empty() {
            // Nothing of the line is left: take the line away with its terminator.
            if line.next_start > line.range.end {
                edits = vec![Edit::delete(line.range.start..line.next_start)];
            } else if index > 0 {
                let previous = &lines[index - 1];
                edits = vec![Edit::delete(previous.range.end..line.range.end)];
            }
        }
        out.push(DoubledLine { line: index, edits });
    }
}

/// The text of `range` after deleting the parts of it that `edits` delete.
fn apply_local(text: &str, range: Range<usize>, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut cursor = range.start;
    let mut sorted: Vec<&Edit> = edits.iter().filter(|edit| edit.range.start >= range.start && edit.range.end <= range.end).collect();
    sorted.sort_by_key(|edit| edit.range.start);
    for edit in sorted {
        if edit.range.start < cursor {
            continue;
        }
        out.push_str(text.get(cursor..edit.range.start).unwrap_or(""));
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(text.get(cursor..range.end).unwrap_or(""));
    out
}

/// At most [`SHOWN_CHARS`] characters of `text`, with `…` when cut.
fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests;
