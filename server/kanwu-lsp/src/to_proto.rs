//! Core values to LSP values: byte ranges to ranges in the negotiated encoding, diagnostics with
//! their fix data, edits.

pub use crate::payload::{DiagnosticData, FixData, SOURCE};
use kanwu_core::{LineIndex, Locale, LocatedError, PositionEncoding, SettingsFile, Severity};
use std::ops::Range;
use tower_lsp_server::ls_types as lsp;

/// Where each rule's documentation lives.
pub const RULE_DOCS: &str = "https://github.com/kanwu-dev/kanwu/blob/main/docs/rules/";

/// A text with its line index: what every conversion from byte offsets needs.
pub struct Text<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: PositionEncoding,
}

impl Text<'_> {
    pub fn position(&self, offset: usize) -> lsp::Position {
        let line_col = self.index.to_line_col(self.text, offset, self.encoding);
        lsp::Position { line: line_col.line, character: line_col.col }
    }

    pub fn range(&self, range: Range<usize>) -> lsp::Range {
        lsp::Range { start: self.position(range.start), end: self.position(range.end) }
    }

    pub fn edit(&self, edit: &kanwu_core::Edit) -> lsp::TextEdit {
        lsp::TextEdit { range: self.range(edit.range.clone()), new_text: edit.new_text.clone() }
    }
}

/// The LSP position of a corpus hit's end point: its line, and its column in the negotiated unit
/// (the index counts every unit while it walks the page, so no text is needed here).
pub fn text_pos(position: &kanwu_core::index::TextPos, encoding: PositionEncoding) -> lsp::Position {
    let character = match encoding {
        PositionEncoding::Utf8 => position.utf8,
        PositionEncoding::Utf16 => position.utf16,
        PositionEncoding::Utf32 => position.chars,
    };
    lsp::Position { line: position.line, character }
}

/// The range of a whole line, from its start to the next line's start (a symbol of a page that is
/// not open, whose columns no one needs).
pub fn whole_line(line: u32) -> lsp::Range {
    lsp::Range { start: lsp::Position { line, character: 0 }, end: lsp::Position { line: line + 1, character: 0 } }
}

/// The LSP range of a corpus hit.
pub fn hit_range(hit: &kanwu_core::index::Hit, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range { start: text_pos(&hit.start, encoding), end: text_pos(&hit.end, encoding) }
}

pub fn encoding_kind(encoding: PositionEncoding) -> lsp::PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// The documentation link of a rule, as text (built once per rule).
pub fn rule_href_str(code: &str) -> Option<&'static str> {
    static HREFS: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> = std::sync::OnceLock::new();
    let hrefs = HREFS.get_or_init(|| {
        kanwu_core::rules::all_rules()
            .iter()
            .map(|rule| {
                let code = rule.info().code;
                (code, &*Box::leak(format!("{RULE_DOCS}{code}.md").into_boxed_str()))
            })
            .collect()
    });
    hrefs.get(code).copied()
}

/// The documentation link of a rule (parsed once per rule).
pub fn rule_href(code: &str) -> Option<lsp::Uri> {
    static HREFS: std::sync::OnceLock<std::collections::HashMap<&'static str, lsp::Uri>> = std::sync::OnceLock::new();
    let hrefs = HREFS.get_or_init(|| {
        kanwu_core::rules::all_rules()
            .iter()
            .filter_map(|rule| {
                let code = rule.info().code;
                format!("{RULE_DOCS}{code}.md").parse().ok().map(|uri| (code, uri))
            })
            .collect()
    });
    hrefs.get(code).cloned().or_else(|| format!("{RULE_DOCS}{code}.md").parse().ok())
}

/// The fixes of a core diagnostic, best first as the rule lists them, with edits in the
/// negotiated encoding.
pub fn fixes(text: &Text<'_>, diagnostic: &kanwu_core::Diagnostic, locale: Locale) -> Vec<FixData> {
    diagnostic
        .fixes
        .iter()
        .map(|fix| FixData {
            title: fix.title.get(locale).to_string(),
            safe: fix.safe,
            preferred: fix.preferred && fix.safe,
            edits: fix.edits.iter().map(|edit| text.edit(edit)).collect(),
        })
        .collect()
}

/// One core diagnostic as an LSP diagnostic, with a documentation link and no `data`.
pub fn diagnostic(text: &Text<'_>, diagnostic: &kanwu_core::Diagnostic, locale: Locale, _version: i32) -> lsp::Diagnostic {
    diagnostic_with(text, diagnostic, locale, None, true)
}

/// One core diagnostic as an LSP diagnostic carrying `data`, with a `codeDescription` link when
/// the client takes one.
pub fn diagnostic_with(
    text: &Text<'_>,
    diagnostic: &kanwu_core::Diagnostic,
    locale: Locale,
    data: Option<DiagnosticData>,
    code_description: bool,
) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: text.range(diagnostic.range.clone()),
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(diagnostic.code.to_string())),
        code_description: if code_description { rule_href(diagnostic.code).map(|href| lsp::CodeDescription { href }) } else { None },
        source: Some(SOURCE.to_string()),
        message: diagnostic.message.get(locale).to_string(),
        related_information: None,
        tags: None,
        data: data.and_then(|data| serde_json::to_value(data).ok()),
    }
}

/// How diagnostics are sent to this client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendOptions {
    /// Whether the client declared `codeDescriptionSupport`.
    pub code_description: bool,
    /// The most diagnostics sent per page (`kanwu.maxProblems`); 0 for no limit.
    pub max_problems: usize,
}

/// The indices of the diagnostics to send under a cap of `max` (0: all): the most severe first,
/// returned in page order.
pub fn capped(diagnostics: &kanwu_core::Findings, max: usize) -> Vec<usize> {
    if max == 0 || diagnostics.len() <= max {
        return (0..diagnostics.len()).collect();
    }
    let level = |severity: kanwu_core::Severity| match severity {
        kanwu_core::Severity::Error => 0,
        kanwu_core::Severity::Warning => 1,
        kanwu_core::Severity::Information => 2,
        kanwu_core::Severity::Hint => 3,
    };
    // Whole levels, most severe first, while they fit; then the first ones of the level that does not.
    let mut counts = [0usize; 4];
    for found in diagnostics.iter() {
        counts[level(found.severity())] += 1;
    }
    let mut left = max;
    let mut quota = [0usize; 4];
    for (slot, count) in quota.iter_mut().zip(counts) {
        *slot = count.min(left);
        left -= *slot;
    }
    diagnostics
        .iter()
        .enumerate()
        .filter(|(_, found)| {
            let slot = &mut quota[level(found.severity())];
            let keep = *slot > 0;
            *slot = slot.saturating_sub(1);
            keep
        })
        .map(|(index, _)| index)
        .collect()
}

/// The note, at the top of the page, that `hidden` more problems were not sent under a cap of `max`.
pub fn cap_notice(hidden: usize, max: usize, locale: Locale) -> lsp::Diagnostic {
    let message = match locale {
        Locale::Zh => format!("本页另有 {hidden} 个问题未显示（每页最多显示 {max} 个）；可在设置 kanwu.maxProblems 中调高上限，设为 0 则不设上限"),
        Locale::En => format!(
            "{hidden} more problems on this page are not shown (at most {max} per page); raise the limit with the setting kanwu.maxProblems, or set it to 0 for no limit"
        ),
    };
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        code: Some(lsp::NumberOrString::String("max-problems".to_string())),
        source: Some(SOURCE.to_string()),
        message,
        ..Default::default()
    }
}

/// An error in a settings file (`kanwu.toml`, a glossary file, the ignored occurrences) as a
/// diagnostic in that file, whose text is `text`: at the error's span, or at its line and column
/// when it has no span. This is the one place such errors become diagnostics.
pub fn located_error(text: &str, error: &LocatedError, encoding: PositionEncoding, locale: Locale) -> lsp::Diagnostic {
    let index = LineIndex::new(text);
    let converter = Text { text, index: &index, encoding };
    let range = if error.span.is_empty() && error.span.start == 0 && (error.line > 1 || error.column > 1) {
        // No span: fall back on the line and column (1-based, columns in characters).
        let line = error.line.saturating_sub(1) as u32;
        let start =
            index.to_offset(text, kanwu_core::LineCol { line, col: error.column.saturating_sub(1) as u32 }, PositionEncoding::Utf32);
        converter.range(start..start)
    } else {
        converter.range(error.span.clone())
    };
    let prefix = match (error.file, locale) {
        (SettingsFile::Config, Locale::Zh) => "kanwu.toml 有误，仍沿用上一份有效配置",
        (SettingsFile::Config, Locale::En) => "kanwu.toml is invalid; the last valid configuration stays in force",
        (SettingsFile::Glossary, Locale::Zh) => "词表文件有误，仍沿用上一份有效词表",
        (SettingsFile::Glossary, Locale::En) => "the glossary file is invalid; the last good glossary stays in force",
        (SettingsFile::Ignored, Locale::Zh) => "忽略记录文件有误",
        (SettingsFile::Ignored, Locale::En) => "the file of ignored occurrences is invalid",
    };
    lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String(error.file.code().to_string())),
        source: Some(SOURCE.to_string()),
        message: format!("{prefix}: {}:{}: {}", error.line, error.column, error.message),
        ..Default::default()
    }
}

/// A glossary entry as hover or documentation content, in Markdown or plain text.
pub fn glossary_markup(entry: &kanwu_core::glossary::Entry, markdown: bool) -> lsp::MarkupContent {
    if markdown {
        lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value: entry.to_markdown() }
    } else {
        lsp::MarkupContent { kind: lsp::MarkupKind::PlainText, value: entry.to_plain_text() }
    }
}

/// The warning, at the top of the page, that the page is in another encoding on disk.
pub fn encoding_notice(notice: &str) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::WARNING),
        code: Some(lsp::NumberOrString::String("encoding".to_string())),
        source: Some(SOURCE.to_string()),
        message: notice.to_string(),
        ..Default::default()
    }
}
