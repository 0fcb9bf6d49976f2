//! LSP values to core values: positions to byte offsets, negotiated encodings, file paths, and the
//! fix data that diagnostics carry back in code action requests.

use crate::document::ClientPosition;
use kanwu_core::{LineCol, LineIndex, PositionEncoding};
use ropey::Rope;
use std::ops::Range;
use std::path::PathBuf;
use tower_lsp_server::ls_types as lsp;

pub fn client_position(position: lsp::Position) -> ClientPosition {
    ClientPosition { line: position.line, col: position.character }
}

/// A position to a byte offset of `text` (clamped as `LineIndex::to_offset` clamps).
pub fn offset(text: &str, index: &LineIndex, position: lsp::Position, encoding: PositionEncoding) -> usize {
    index.to_offset(text, LineCol { line: position.line, col: position.character }, encoding)
}

/// A range to a byte range of `text`; a reversed range is put in order.
pub fn range(text: &str, index: &LineIndex, range: lsp::Range, encoding: PositionEncoding) -> Range<usize> {
    let start = offset(text, index, range.start, encoding);
    let end = offset(text, index, range.end, encoding);
    start.min(end)..start.max(end)
}

/// The encoding named by the client, if Kanwu speaks it.
pub fn encoding(kind: &lsp::PositionEncodingKind) -> Option<PositionEncoding> {
    match kind.as_str() {
        "utf-8" => Some(PositionEncoding::Utf8),
        "utf-16" => Some(PositionEncoding::Utf16),
        "utf-32" => Some(PositionEncoding::Utf32),
        _ => None,
    }
}

/// The first encoding the client offers that Kanwu speaks, UTF-16 when it offers none.
pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> PositionEncoding {
    offered.unwrap_or_default().iter().find_map(encoding).unwrap_or(PositionEncoding::Utf16)
}

/// The local path of a `file:` URI.
pub fn path(uri: &lsp::Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// Reads the `data` of a diagnostic that Kanwu published.
pub fn diagnostic_data(diagnostic: &lsp::Diagnostic) -> Option<crate::payload::DiagnosticData> {
    if diagnostic.source.as_deref() != Some(crate::payload::SOURCE) {
        return None;
    }
    serde_json::from_value(diagnostic.data.clone()?).ok()
}

/// The rule code of a Kanwu diagnostic.
pub fn code(diagnostic: &lsp::Diagnostic) -> Option<&str> {
    match diagnostic.code.as_ref()? {
        lsp::NumberOrString::String(code) => Some(code),
        lsp::NumberOrString::Number(_) => None,
    }
}

/// The char index in an open document's rope of a client position (how edits of `didChange` are
/// placed): a line past the end gives the end of the text, a column
/// past the line's end gives the line's end, a column inside a character gives its start.
pub fn rope_char(rope: &Rope, position: ClientPosition, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    // A line ends at `\n`, `\r\n` or a lone `\r`, as in the LSP specification and the core's
    // `LineIndex` (the rope is built with ropey's `cr_lines`).
    let mut content = slice.len_chars();
    if content > 0 && slice.char(content - 1) == '\n' {
        content -= 1;
        if content > 0 && slice.char(content - 1) == '\r' {
            content -= 1;
        }
    } else if content > 0 && slice.char(content - 1) == '\r' {
        content -= 1;
    }
    let line_end = line_start + content;
    let col = position.col as usize;
    match encoding {
        PositionEncoding::Utf32 => (line_start + col).min(line_end),
        PositionEncoding::Utf16 => {
            let base = rope.char_to_utf16_cu(line_start);
            let limit = rope.char_to_utf16_cu(line_end);
            rope.utf16_cu_to_char((base + col).min(limit))
        }
        PositionEncoding::Utf8 => {
            let base = rope.char_to_byte(line_start);
            let limit = rope.char_to_byte(line_end);
            rope.byte_to_char((base + col).min(limit))
        }
    }
}
