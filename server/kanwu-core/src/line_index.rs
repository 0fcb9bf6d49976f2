//! Converts UTF-8 byte offsets to (line, column) in UTF-8, UTF-16 or UTF-32 units and back.
//!
//! A line ends at `\n`, at `\r\n` or at a lone `\r`, as in the LSP specification; the functions
//! [`line_break_len`] and [`next_line_break`] tell the same line ends to the rest of the core.

/// The unit in which columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    /// Units a character takes in this encoding.
    fn width(self, c: char) -> u32 {
        match self {
            PositionEncoding::Utf8 => c.len_utf8() as u32,
            PositionEncoding::Utf16 => c.len_utf16() as u32,
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A zero-based line and a column in some encoding's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// The length of the line terminator starting at byte `offset` of `text`: 2 for `\r\n`, 1 for `\n`
/// or a lone `\r`, 0 when no line ends there.
pub fn line_break_len(text: &str, offset: usize) -> usize {
    match text.as_bytes().get(offset..) {
        Some([b'\r', b'\n', ..]) => 2,
        Some([b'\n' | b'\r', ..]) => 1,
        _ => 0,
    }
}

/// The first line terminator at or after byte `from`, as the byte range it takes (`\r\n` whole).
pub fn next_line_break(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let at = from + memchr::memchr2(b'\n', b'\r', text.as_bytes().get(from..)?)?;
    Some(at..at + line_break_len(text, at))
}

/// Distance in bytes between the checkpoints kept inside long lines.
const CHECKPOINT_STRIDE: usize = 2048;

/// Line starts of a text plus checkpoints inside long lines, so each conversion scans at most
/// one stride of text whatever the line length.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts; a line ends at `\n`, `\r\n` or a lone `\r`.
    line_starts: Vec<usize>,
    /// Checkpoints inside long lines: (byte offset, line, utf16 column, utf32 column).
    checkpoints: Vec<(usize, u32, u32, u32)>,
    len: usize,
    /// Byte offsets of `\r` characters that precede a `\n` (the start of a two-byte terminator).
    carriage_returns: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut checkpoints = Vec::new();
        let mut carriage_returns = Vec::new();
        let bytes = text.as_bytes();
        let (mut utf16, mut utf32, mut since) = (0u32, 0u32, 0usize);
        let mut line = 0u32;
        for (offset, c) in text.char_indices() {
            if since >= CHECKPOINT_STRIDE {
                checkpoints.push((offset, line, utf16, utf32));
                since = 0;
            }
            let line_ends = match c {
                '\n' => {
                    if offset > 0 && bytes[offset - 1] == b'\r' {
                        carriage_returns.push(offset - 1);
                    }
                    true
                }
                // A `\r` followed by `\n` ends its line at that `\n`; a lone one ends it here.
                '\r' => bytes.get(offset + 1) != Some(&b'\n'),
                _ => false,
            };
            if line_ends {
                line_starts.push(offset + 1);
                line += 1;
                utf16 = 0;
                utf32 = 0;
                since = 0;
                continue;
            }
            utf16 += c.len_utf16() as u32;
            utf32 += 1;
            since += c.len_utf8();
        }
        LineIndex { line_starts, checkpoints, len: text.len(), carriage_returns }
    }

    /// Number of lines (a text ending in a line terminator has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where line `line` starts, or the text length past the last line.
    pub fn line_start(&self, line: u32) -> usize {
        self.line_starts.get(line as usize).copied().unwrap_or(self.len)
    }

    /// Byte offset where the content of `line` ends, before `\r\n`, `\n` or `\r`.
    pub fn line_end(&self, line: u32) -> usize {
        match self.line_starts.get(line as usize + 1) {
            Some(&next) => {
                let newline = next - 1;
                if newline > 0 && self.carriage_returns.binary_search(&(newline - 1)).is_ok() {
                    newline - 1
                } else {
                    newline
                }
            }
            None => self.len,
        }
    }

    /// The line holding byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = offset.min(self.len);
        (self.line_starts.partition_point(|&start| start <= offset) - 1) as u32
    }

    /// The 1-based line and 1-based column in characters of byte `offset`, as messages show a
    /// place in a file (`kanwu.toml:3:7`).
    pub fn display_position(&self, text: &str, offset: usize) -> (usize, usize) {
        let at = self.to_line_col(text, offset, PositionEncoding::Utf32);
        (at.line as usize + 1, at.col as usize + 1)
    }

    /// Converts a byte offset to a line and column; offsets inside a character or past the end are
    /// clamped to the character start or the end.
    pub fn to_line_col(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let (mut cursor, mut col) = self.scan_origin(line, offset, encoding);
        for c in text[cursor..offset].chars() {
            col += encoding.width(c);
            cursor += c.len_utf8();
        }
        debug_assert_eq!(cursor, offset);
        LineCol { line, col }
    }

    /// A converter for many offsets in ascending order (diagnostics sorted by position): each
    /// conversion scans on from the previous one instead of from the line start.
    pub fn cursor<'a>(&'a self, text: &'a str, encoding: PositionEncoding) -> PositionCursor<'a> {
        PositionCursor { index: self, text, encoding, last_offset: usize::MAX, last: LineCol { line: 0, col: 0 } }
    }

    /// Converts a line and column back to a byte offset; a column past the line's end gives the
    /// line's end, a column inside a character gives the character's start, a line past the end
    /// gives the text length.
    pub fn to_offset(&self, text: &str, position: LineCol, encoding: PositionEncoding) -> usize {
        if position.line as usize >= self.line_starts.len() {
            return text.len();
        }
        let end = self.line_end(position.line);
        let start = self.line_start(position.line);
        let (mut cursor, mut col) = (start, 0u32);
        // Jump to the last checkpoint of this line whose column does not pass the target.
        let first = self.checkpoints.partition_point(|point| point.1 < position.line);
        for point in &self.checkpoints[first..] {
            if point.1 != position.line {
                break;
            }
            let point_col = self.checkpoint_col(point, encoding);
            if point_col > position.col {
                break;
            }
            cursor = point.0;
            col = point_col;
        }
        for c in text[cursor..end].chars() {
            let width = encoding.width(c);
            if col + width > position.col {
                return cursor;
            }
            col += width;
            cursor += c.len_utf8();
        }
        cursor.min(end)
    }

    /// Where to start scanning for `offset`: the line start or the nearest checkpoint before it.
    fn scan_origin(&self, line: u32, offset: usize, encoding: PositionEncoding) -> (usize, u32) {
        let start = self.line_start(line);
        let index = self.checkpoints.partition_point(|point| point.0 <= offset);
        if index > 0 {
            let point = &self.checkpoints[index - 1];
            if point.1 == line && point.0 >= start {
                return (point.0, self.checkpoint_col(point, encoding));
            }
        }
        (start, 0)
    }

    fn checkpoint_col(&self, point: &(usize, u32, u32, u32), encoding: PositionEncoding) -> u32 {
        match encoding {
            PositionEncoding::Utf8 => (point.0 - self.line_start(point.1)) as u32,
            PositionEncoding::Utf16 => point.2,
            PositionEncoding::Utf32 => point.3,
        }
    }
}

/// Converts ascending offsets cheaply; any order still gives correct results.
pub struct PositionCursor<'a> {
    index: &'a LineIndex,
    text: &'a str,
    encoding: PositionEncoding,
    last_offset: usize,
    last: LineCol,
}

impl PositionCursor<'_> {
    /// The line and column of byte `offset`.
    pub fn position(&mut self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let position = if self.last_offset != usize::MAX && self.last_offset <= offset && self.last.line == line {
            let col = self.text[self.last_offset..offset].chars().map(|c| self.encoding.width(c)).sum::<u32>() + self.last.col;
            LineCol { line, col }
        } else {
            self.index.to_line_col(self.text, offset, self.encoding)
        };
        self.last_offset = offset;
        self.last = position;
        position
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    fn round_trip(text: &str) {
        let index = LineIndex::new(text);
        for encoding in [Utf8, Utf16, Utf32] {
            for (offset, c) in text.char_indices().chain([(text.len(), ' ')]) {
                if c == '\n' && text[..offset].ends_with('\r') {
                    // The `\n` of a `\r\n` is inside the terminator; it maps back to the line end.
                    continue;
                }
                let position = index.to_line_col(text, offset, encoding);
                let back = index.to_offset(text, position, encoding);
                assert_eq!(back, offset, "{encoding:?} offset {offset} in {text:?} -> {position:?}");
            }
        }
    }

    #[test]
    fn extension_b_takes_two_utf16_units() {
        let text = "𠮷两委\n第一书记";
        let index = LineIndex::new(text);
        let after_ji = "𠮷".len();
        assert_eq!(index.to_line_col(text, after_ji, Utf16), LineCol { line: 0, col: 2 });
        assert_eq!(index.to_line_col(text, after_ji, Utf32), LineCol { line: 0, col: 1 });
        assert_eq!(index.to_line_col(text, after_ji, Utf8), LineCol { line: 0, col: 4 });
        assert_eq!(index.to_offset(text, LineCol { line: 0, col: 1 }, Utf16), 0, "inside a surrogate pair");
        round_trip(text);
    }

    #[test]
    fn emoji_crlf_bom_and_no_final_newline() {
        round_trip("\u{FEFF}标题\r\n正文😀内容\r\n末行");
        let text = "甲\r\n乙";
        let index = LineIndex::new(text);
        assert_eq!(index.line_end(0), "甲".len());
        assert_eq!(index.to_offset(text, LineCol { line: 0, col: 99 }, Utf16), "甲".len());
        assert_eq!(index.to_offset(text, LineCol { line: 7, col: 0 }, Utf16), text.len());
        assert_eq!(index.to_line_col(text, text.len(), Utf16), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "第一行文字。\r第二行,文字。\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_end(0), "第一行文字。".len());
        assert_eq!(index.line_start(1), "第一行文字。\r".len());
        let comma = text.find(',').unwrap();
        for (encoding, col) in [(Utf8, "第二行".len() as u32), (Utf16, 3), (Utf32, 3)] {
            let position = LineCol { line: 1, col };
            assert_eq!(index.to_line_col(text, comma, encoding), position, "{encoding:?}");
            assert_eq!(index.to_offset(text, position, encoding), comma, "{encoding:?}");
            assert_eq!(index.cursor(text, encoding).position(comma), position, "{encoding:?}");
        }
        assert_eq!(index.to_offset(text, LineCol { line: 0, col: 99 }, Utf16), index.line_end(0), "clamped before the \\r");
        round_trip(text);
    }

    #[test]
    fn mixed_line_ends_in_every_encoding() {
        // Lines: `𠮷` (ended by `\r`), `两委` (`\r\n`), `😀x` (`\n`), two empty lines (`\r`, `\r`), `末`.
        let text = "𠮷\r两委\r\n😀x\n\r\r末";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        let starts: Vec<usize> = (0..6).map(|line| index.line_start(line)).collect();
        assert_eq!(starts, vec![0, 5, 13, 19, 20, 21]);
        let ends: Vec<usize> = (0..6).map(|line| index.line_end(line)).collect();
        assert_eq!(ends, vec![4, 11, 18, 19, 20, 24]);
        let x = text.find('x').unwrap();
        // The column of `x` and of the end of `𠮷` (before its `\r`) in each encoding.
        for (encoding, col, ji) in [(Utf8, 4, 4), (Utf16, 2, 2), (Utf32, 1, 1)] {
            assert_eq!(index.to_line_col(text, x, encoding), LineCol { line: 2, col }, "{encoding:?}");
            assert_eq!(index.to_offset(text, LineCol { line: 2, col }, encoding), x, "{encoding:?}");
            let after_ji = LineCol { line: 0, col: ji };
            assert_eq!(index.to_line_col(text, 4, encoding), after_ji, "{encoding:?}");
            assert_eq!(index.to_offset(text, after_ji, encoding), 4, "{encoding:?}");
            // The empty lines between the `\n` and the two lone `\r`.
            assert_eq!(index.to_line_col(text, 19, encoding), LineCol { line: 3, col: 0 }, "{encoding:?}");
            assert_eq!(index.to_offset(text, LineCol { line: 4, col: 5 }, encoding), 20, "{encoding:?}");
        }
        round_trip(text);
        round_trip("\r\r\n\n\r");
        round_trip("两委\r");
    }

    #[test]
    fn line_breaks_are_found_as_the_index_counts_them() {
        let text = "甲\r\n乙\r丙\n丁";
        let mut breaks = Vec::new();
        let mut from = 0;
        while let Some(found) = next_line_break(text, from) {
            from = found.end;
            breaks.push(found);
        }
        assert_eq!(breaks, vec![3..5, 8..9, 12..13]);
        let index = LineIndex::new(text);
        let starts: Vec<usize> = (1..index.line_count() as u32).map(|line| index.line_start(line)).collect();
        assert_eq!(starts, breaks.iter().map(|found| found.end).collect::<Vec<_>>());
        assert_eq!((line_break_len(text, 3), line_break_len(text, 4), line_break_len(text, 0)), (2, 1, 0));
        assert_eq!(next_line_break(text, 99), None);
    }

    #[test]
    fn cursor_agrees_with_direct_conversion_in_any_order() {
        let text = "𠮷两委\r\n第一 书记😀\n末行\r再一行\r";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len(), 3, 0, 9]).collect();
        for encoding in [Utf8, Utf16, Utf32] {
            let mut cursor = index.cursor(text, encoding);
            for &offset in &offsets {
                assert_eq!(cursor.position(offset), index.to_line_col(text, offset, encoding), "{encoding:?} at {offset}");
            }
        }
    }

    #[test]
    fn long_lines_use_checkpoints() {
        let text = "两委𠮷".repeat(2000) + "\nx";
        round_trip(&text);
        let index = LineIndex::new(&text);
        let end = text.len() - 2;
        assert_eq!(index.to_line_col(&text, end, Utf16), LineCol { line: 0, col: 8000 });
        assert_eq!(index.to_offset(&text, LineCol { line: 0, col: 8000 }, Utf16), end);
    }
}
