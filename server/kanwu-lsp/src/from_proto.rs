//! LSP values to core values: positions to byte offsets, negotiated encodings, file paths, and the
//! fix data that diagnostics carry back in code action requests.

use crate::document::ClientPosition;
use kanwu_core::{LineCol, LineIndex, PositionEncoding};
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
