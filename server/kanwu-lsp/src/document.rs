//! An open page: a rope edited in place, its version, and cheap immutable snapshots for analysis.

use kanwu_core::PositionEncoding;
use ropey::Rope;
use std::sync::Arc;

/// A position as the client sends it: zero-based line and a column in the negotiated units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientPosition {
    pub line: u32,
    pub col: u32,
}

/// One text change from `textDocument/didChange`; `range` is `None` for a full replacement.
#[derive(Clone, Debug)]
pub struct Change {
    pub range: Option<(ClientPosition, ClientPosition)>,
    pub text: String,
}

/// The text of a document at one version; cloning shares the rope.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub version: i32,
    pub rope: Rope,
}

impl Snapshot {
    /// The whole text as one string (linear in the length: call it off the main loop for big pages).
    pub fn text(&self) -> Arc<str> {
        Arc::from(self.rope.to_string())
    }
}

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document { rope: Rope::from_str(text), version }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot { version: self.version, rope: self.rope.clone() }
    }

    /// Applies the changes of one notification in order; positions out of range are clamped.
    pub fn apply(&mut self, changes: Vec<Change>, version: i32, encoding: PositionEncoding) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some((start, end)) => {
                    let start = crate::from_proto::rope_char(&self.rope, start, encoding);
                    let end = crate::from_proto::rope_char(&self.rope, end, encoding).max(start);
                    if start != end {
                        self.rope.remove(start..end);
                    }
                    if !change.text.is_empty() {
                        self.rope.insert(start, &change.text);
                    }
                }
            }
        }
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, col: u32) -> ClientPosition {
        ClientPosition { line, col }
    }

    #[test]
    fn columns_count_in_each_encoding() {
        let rope = Rope::from_str("𠮷两\r\n委");
        assert_eq!(crate::from_proto::rope_char(&rope, at(0, 2), PositionEncoding::Utf16), 1);
        assert_eq!(crate::from_proto::rope_char(&rope, at(0, 1), PositionEncoding::Utf16), 0, "inside a surrogate pair");
        assert_eq!(crate::from_proto::rope_char(&rope, at(0, 1), PositionEncoding::Utf32), 1);
        assert_eq!(crate::from_proto::rope_char(&rope, at(0, 4), PositionEncoding::Utf8), 1);
        assert_eq!(crate::from_proto::rope_char(&rope, at(0, 99), PositionEncoding::Utf16), 2, "clamped before \\r\\n");
        assert_eq!(crate::from_proto::rope_char(&rope, at(1, 1), PositionEncoding::Utf16), 5);
        assert_eq!(crate::from_proto::rope_char(&rope, at(9, 0), PositionEncoding::Utf16), 5);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "第一行文字。\r第二行,文字。\n";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 3, "\\r, then \\n, then the empty last line");
        let comma = text.chars().position(|c| c == ',').unwrap();
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
            let col = match encoding {
                PositionEncoding::Utf8 => "第二行".len() as u32,
                _ => 3,
            };
            assert_eq!(crate::from_proto::rope_char(&rope, at(1, col), encoding), comma, "{encoding:?}");
            assert_eq!(
                crate::from_proto::rope_char(&rope, at(0, 99), encoding),
                "第一行文字。".chars().count(),
                "clamped before the \\r ({encoding:?})"
            );
        }
        let mut document = Document::new(text, 1);
        let change = Change { range: Some((at(1, 3), at(1, 4))), text: "，".into() };
        document.apply(vec![change], 2, PositionEncoding::Utf16);
        assert_eq!(document.rope.to_string(), "第一行文字。\r第二行，文字。\n");
        // Mixed line ends: `\r\n` is one terminator, a lone `\r` and a `\n` are one each.
        let mut document = Document::new("甲\r\n乙\r丙\n丁", 1);
        let change = Change { range: Some((at(2, 1), at(3, 0))), text: "X".into() };
        document.apply(vec![change], 2, PositionEncoding::Utf16);
        assert_eq!(document.rope.to_string(), "甲\r\n乙\r丙X丁");
        let change = Change { range: Some((at(1, 0), at(1, 1))), text: "Y".into() };
        document.apply(vec![change], 3, PositionEncoding::Utf16);
        assert_eq!(document.rope.to_string(), "甲\r\nY\r丙X丁");
    }

    #[test]
    fn applies_incremental_and_full_changes() {
        let mut document = Document::new("两委\n班子", 1);
        let change = Change { range: Some((at(0, 1), at(1, 1))), text: "X".into() };
        document.apply(vec![change], 2, PositionEncoding::Utf16);
        assert_eq!(document.rope.to_string(), "两X子");
        document.apply(vec![Change { range: None, text: "新".into() }], 3, PositionEncoding::Utf16);
        assert_eq!(document.rope.to_string(), "新");
        assert_eq!(document.version, 3);
    }
}
