//! The OCR-aware normalized view of a page: wrapped lines joined and spurious spaces dropped, with a compact map back to the original.
//!
//! Searches that should see through extraction artefacts (the glossary, and anything else that looks
//! for words) run on [`NormalizedView::as_str`] and map their hits back with
//! [`NormalizedView::original_range`]. The normalized text is always a subsequence of the original:
//! it is made by cutting byte ranges out, never by inserting or replacing characters, so every
//! normalized character is the very character at its mapped original offset.
//!
//! What is cut:
//! - the breaks inside paragraphs (`page.breaks`, wraps and blank splits), with the spaces at the
//!   edges of the two lines, unless both sides are Latin letters or digits (joining would merge words);
//! - the line breaks inside a vertical headline (`page.vertical_runs`);
//! - any single line break between two Han characters, even where the page structure kept it
//!   (`村“ 两` / `委”`);
//! - runs of spaces inside a line between two characters that are each Chinese (character or
//!   punctuation) or a digit, as `page::content_width` judges them; on a page that lost its quotation
//!   marks these are the spaces where the quotes stood, and they go too.

use crate::chars::{is_cjk, is_digit, is_han, is_plain_space};
use crate::page::{BreakKind, Page};
use std::ops::Range;

/// One kept stretch of the original: `len` bytes at `original` appear at `normalized`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    normalized: usize,
    original: usize,
    len: usize,
}

/// A page's text with extraction artefacts cut out, and the map back to original byte offsets.
///
/// The map holds one entry per kept stretch, so its size grows with the number of cuts, not with
/// the length of the text.
#[derive(Clone, Debug)]
pub struct NormalizedView {
    text: String,
    runs: Vec<Run>,
    original_len: usize,
}

impl NormalizedView {
    /// Builds the normalized view of `text`, whose structure `page` was parsed from it.
    pub fn new(text: &str, page: &Page) -> NormalizedView {
        let mut cuts = Vec::new();
        collect_break_cuts(text, page, &mut cuts);
        collect_vertical_cuts(text, page, &mut cuts);
        collect_han_line_cuts(text, page, &mut cuts);
        collect_space_cuts(text, page, &mut cuts);
        NormalizedView::from_cuts(text, cuts)
    }

    /// Builds the view by removing `cuts` (byte ranges on character boundaries, in any order, possibly
    /// overlapping) from `text`.
    fn from_cuts(text: &str, mut cuts: Vec<Range<usize>>) -> NormalizedView {
        cuts.retain(|cut| cut.start < cut.end);
        cuts.sort_unstable_by_key(|cut| (cut.start, cut.end));
        let mut normalized = String::with_capacity(text.len());
        let mut runs = Vec::with_capacity(cuts.len() + 1);
        let mut kept_from = 0;
        let mut keep = |from: usize, to: usize, normalized: &mut String| {
            if from < to {
                runs.push(Run { normalized: normalized.len(), original: from, len: to - from });
                normalized.push_str(&text[from..to]);
            }
        };
        for cut in cuts {
            if cut.start > kept_from {
                keep(kept_from, cut.start, &mut normalized);
            }
            kept_from = kept_from.max(cut.end);
        }
        keep(kept_from, text.len(), &mut normalized);
        normalized.shrink_to_fit();
        NormalizedView { text: normalized, runs, original_len: text.len() }
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original byte offset of normalized byte `norm_offset`. The end of the normalized text maps
    /// to the end of the last kept stretch (trailing cut text is not included).
    pub fn to_original(&self, norm_offset: usize) -> usize {
        let index = self.runs.partition_point(|run| run.normalized <= norm_offset);
        match index.checked_sub(1).map(|i| self.runs[i]) {
            Some(run) if norm_offset < run.normalized + run.len => run.original + (norm_offset - run.normalized),
            Some(run) => run.original + run.len,
            None => 0,
        }
    }

    /// The original byte range of a normalized range: from its first character to the end of its last
    /// one, so a hit joined across a line break spans the break (and the cut spaces) in the original.
    pub fn original_range(&self, norm_range: Range<usize>) -> Range<usize> {
        let start = self.to_original(norm_range.start);
        if norm_range.end <= norm_range.start {
            return start..start;
        }
        // The last byte of the range lies inside a kept stretch, so its successor is the end.
        let end = self.to_original(norm_range.end - 1) + 1;
        start..end
    }

    /// The normalized byte offset of original byte `orig_offset`; an offset inside cut text maps to
    /// the next kept character.
    pub fn to_normalized(&self, orig_offset: usize) -> usize {
        let index = self.runs.partition_point(|run| run.original <= orig_offset);
        match index.checked_sub(1).map(|i| self.runs[i]) {
            Some(run) if orig_offset < run.original + run.len => run.normalized + (orig_offset - run.original),
            Some(run) => run.normalized + run.len,
            None => 0,
        }
    }

    /// The normalized text of an original byte range: what the range shows once wraps and spurious
    /// spaces inside it are cut (a selection's text as a term would be matched).
    pub fn normalized_slice(&self, original: Range<usize>) -> &str {
        let start = self.to_normalized(original.start.min(self.original_len));
        let end = self.to_normalized(original.end.min(self.original_len)).max(start);
        &self.text[start..end]
    }

    /// The length in bytes of the original text.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// The kept stretches in order, each as `(normalized offset, original offset, length in bytes)`;
    /// the original text between two stretches is what the view cut out.
    pub fn stretches(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.runs.iter().map(|run| (run.normalized, run.original, run.len))
    }

    /// How many stretches of the original the view keeps (the size of its map).
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }
}

/// Spaces that may stand at the edges of a line's content, U+3000 included. A `\r` is never one:
/// it ends a line (alone or in `\r\n`), and skipping over it would cross into the next line.
fn is_edge_space(c: char) -> bool {
    is_plain_space(c) || c == '\u{3000}'
}

/// Where the spaces ending `text[..offset]` begin.
fn skip_spaces_back(text: &str, offset: usize) -> usize {
    offset - text[..offset].chars().rev().take_while(|&c| is_edge_space(c)).map(char::len_utf8).sum::<usize>()
}

/// Where the spaces starting `text[offset..]` end.
fn skip_spaces_forward(text: &str, offset: usize) -> usize {
    offset + text[offset..].chars().take_while(|&c| is_edge_space(c)).map(char::len_utf8).sum::<usize>()
}

/// Latin letters and digits, which a join must not glue into one word.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The breaks inside paragraphs, widened over the spaces at the edges of the joined lines.
fn collect_break_cuts(text: &str, page: &Page, cuts: &mut Vec<Range<usize>>) {
    for join in &page.breaks {
        if !matches!(join.kind, BreakKind::Wrap | BreakKind::BlankSplit) {
            continue;
        }
        let start = skip_spaces_back(text, join.range.start);
        let end = skip_spaces_forward(text, join.range.end);
        let left = text[..start].chars().next_back();
        let right = text[end..].chars().next();
        if let (Some(left), Some(right)) = (left, right) {
            if is_word_char(left) && is_word_char(right) {
                continue;
            }
        }
        cuts.push(start..end);
    }
}

/// The line breaks (and spaces around the character) between the lines of a vertical headline.
fn collect_vertical_cuts(text: &str, page: &Page, cuts: &mut Vec<Range<usize>>) {
    for run in &page.vertical_runs {
        for index in run.first_line..run.last_line {
            let start = skip_spaces_back(text, page.lines[index].range.end);
            let end = skip_spaces_forward(text, page.lines[index + 1].range.start);
            cuts.push(start..end);
        }
    }
}

/// A single line break (with the spaces around it) between a line ending in a Han character and the
/// next line starting with one.
fn collect_han_line_cuts(text: &str, page: &Page, cuts: &mut Vec<Range<usize>>) {
    for pair in page.lines.windows(2) {
        let start = skip_spaces_back(text, pair[0].range.end);
        let end = skip_spaces_forward(text, pair[1].range.start);
        // Only a line break and spaces: a blank line between the two is a paragraph boundary.
        if end > pair[1].range.end || start < pair[0].range.start {
            continue;
        }
        let left = text[pair[0].range.start..start].chars().next_back();
        let right = text[end..pair[1].range.end].chars().next();
        if left.is_some_and(is_han) && right.is_some_and(is_han) {
            cuts.push(start..end);
        }
    }
}

/// A character next to which extraction spaces are spurious: Chinese, Chinese punctuation or a digit.
fn is_tight(c: char) -> bool {
    is_cjk(c) || is_digit(c)
}

/// Runs of spaces inside a line whose neighbours are both tight characters.
fn collect_space_cuts(text: &str, page: &Page, cuts: &mut Vec<Range<usize>>) {
    // On a page that lost its quotation marks, the spaces where the quotes stood are also cut; they
    // stand between Chinese characters, which the rule below already covers, and U+3000 counts too.
    let ideographic_counts = page.lost_quotes;
    for line in &page.lines {
        let content = &text[line.range.clone()];
        let mut previous: Option<char> = None;
        let mut run_start: Option<usize> = None;
        for (offset, c) in content.char_indices() {
            let space = is_plain_space(c) || (ideographic_counts && c == '\u{3000}');
            if space && previous.is_some() {
                run_start.get_or_insert(offset);
                continue;
            }
            if let (Some(start), Some(left)) = (run_start.take(), previous) {
                if is_tight(left) && is_tight(c) {
                    cuts.push(line.range.start + start..line.range.start + offset);
                }
            }
            previous = Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn view(text: &str) -> NormalizedView {
        NormalizedView::new(text, &Page::parse(text))
    }

    #[test]
    fn joins_a_wrapped_line_and_drops_spaces() {
        let text = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况，并\n及时上报。";
        let normalized = view(text);
        assert_eq!(normalized.as_str(), "社区工作人员每天挨家挨户登记返乡人员信息，核对健康状况，并及时上报。");
        let at = normalized.as_str().find("登记返乡").unwrap();
        let range = normalized.original_range(at..at + "登记返乡".len());
        assert_eq!(&text[range], "登记\n返乡");
    }

    #[test]
    fn joins_han_across_a_kept_line_break() {
        let text = "召开村“ 两\n委”会议。";
        let normalized = view(text);
        assert_eq!(normalized.as_str(), "召开村“两委”会议。");
        let at = normalized.as_str().find("两委").unwrap();
        let range = normalized.original_range(at..at + "两委".len());
        assert_eq!(&text[range.clone()], "两\n委");
        assert_eq!(normalized.to_normalized(range.start), at);
        // The line break itself maps to the next kept character.
        assert_eq!(normalized.to_normalized(text.find('\n').unwrap()), at + "两".len());
        assert_eq!(normalized.normalized_slice(text.find("村").unwrap()..text.len()), "村“两委”会议。");
    }

    #[test]
    fn drops_spaces_between_chinese_and_digits_only() {
        let text = "全旗 56 个嘎查村 两 委 and Word 2020";
        assert_eq!(view(text).as_str(), "全旗56个嘎查村两委 and Word 2020");
    }

    #[test]
    fn joins_vertical_headlines() {
        let text = " 守\n望\n相\n助\n\n正文很长很长很长。";
        assert!(view(text).as_str().starts_with(" 守望相助\n\n"), "{:?}", view(text).as_str());
    }

    #[test]
    fn keeps_blank_lines_between_paragraphs() {
        let text = "第一段结束。\n\n第二段开始。";
        assert_eq!(view(text).as_str(), text);
        assert_eq!(view(text).run_count(), 1);
    }

    #[test]
    fn maps_the_ends() {
        let text = "两 委\n";
        let normalized = view(text);
        assert_eq!(normalized.as_str(), "两委\n");
        assert_eq!(normalized.to_original(0), 0);
        assert_eq!(normalized.to_original(normalized.as_str().len()), text.len());
        assert_eq!(normalized.to_normalized(text.len()), normalized.as_str().len());
        let empty = view("");
        assert_eq!((empty.as_str(), empty.to_original(0), empty.to_normalized(0)), ("", 0, 0));
    }

    /// Text from a small alphabet rich in the characters the cuts look at.
    fn page_text() -> impl Strategy<Value = String> {
        let alphabet = prop::sample::select(vec![
            '两', '委', '村', '党', '员', '“', '”', '，', '。', ' ', ' ', '\u{3000}', '\n', '\n', '\r', '1', '5', 'a', 'B', '\t',
        ]);
        prop::collection::vec(alphabet, 0..120).prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn mapping_is_monotonic_and_faithful(text in page_text()) {
            let normalized = view(&text);
            let mut last = None;
            for (offset, c) in normalized.as_str().char_indices() {
                let original = normalized.to_original(offset);
                prop_assert_eq!(text[original..].chars().next(), Some(c));
                if let Some(last) = last {
                    prop_assert!(original > last, "not monotonic at {}", offset);
                }
                prop_assert_eq!(normalized.to_normalized(original), offset);
                let range = normalized.original_range(offset..offset + c.len_utf8());
                let expected = c.to_string();
                prop_assert_eq!(&text[range], expected.as_str());
                last = Some(original);
            }
            // Every original offset maps into the normalized text, in order.
            let mut previous = 0;
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let mapped = normalized.to_normalized(offset);
                prop_assert!(mapped >= previous && mapped <= normalized.as_str().len());
                prop_assert!(normalized.as_str().is_char_boundary(mapped));
                previous = mapped;
            }
            prop_assert!(normalized.run_count() <= text.len() / 2 + 2);
        }
    }
}
