//! Page structure: lines, blocks, paragraphs and the line kinds (headline, byline, caption) rules rely on.

use std::ops::Range;

/// What a line of a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// Running text of an article.
    Body,
    /// A headline or section head standing on its own.
    Headline,
    /// `□本报记者 …`, `◎杨柳`, `◎观潮`: bylines and column marks.
    Byline,
    /// A photo credit ending in `摄`.
    Credit,
    /// One character of a headline printed vertically.
    Vertical,
}

/// One line of the page, without its terminator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line's text, excluding `\n` or `\r\n`.
    pub range: Range<usize>,
    /// Byte offset just past the line terminator (equal to `range.end` on the last line without one).
    pub next_start: usize,
    pub kind: LineKind,
}

/// The parsed structure of a page.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub lines: Vec<Line>,
    /// Logical paragraphs as lists of line indices, rejoined across wraps and blank splits.
    pub paragraphs: Vec<Vec<usize>>,
}

impl Page {
    /// Splits a page into lines and classifies them.
    pub fn parse(text: &str) -> Page {
        let mut lines = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let (end, next_start) = match text[start..].find('\n') {
                Some(newline) => {
                    let newline = start + newline;
                    let end = if newline > start && text.as_bytes()[newline - 1] == b'\r' { newline - 1 } else { newline };
                    (end, newline + 1)
                }
                None => (text.len(), text.len()),
            };
            let content = &text[start..end];
            let kind = if content.trim().is_empty() { LineKind::Blank } else { LineKind::Body };
            lines.push(Line { range: start..end, next_start, kind });
            start = next_start;
        }
        let mut paragraphs = Vec::new();
        let mut current = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if line.kind == LineKind::Blank {
                if !current.is_empty() {
                    paragraphs.push(std::mem::take(&mut current));
                }
            } else {
                current.push(index);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        Page { lines, paragraphs }
    }

    /// The text of line `index`.
    pub fn line_text<'a>(&self, text: &'a str, index: usize) -> &'a str {
        &text[self.lines[index].range.clone()]
    }

    /// The index of the line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|line| line.next_start <= offset).min(self.lines.len().saturating_sub(1))
    }
}
