//! Renders diagnostics for the terminal (rustc/ruff style), as JSON (LSP-shaped) and as SARIF 2.1.0.

use kanwu_core::chars::display_width;
use kanwu_core::{Diagnostic, LineIndex, Locale, PositionCursor, PositionEncoding, Severity};
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::Path;

/// A position in LSP's shape: 0-based line, UTF-16 character.
#[derive(serde::Serialize)]
struct JsonPosition {
    line: u32,
    character: u32,
}

/// A range in LSP's shape.
#[derive(serde::Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

impl JsonRange {
    fn new(cursor: &mut PositionCursor<'_>, range: &std::ops::Range<usize>) -> JsonRange {
        let start = cursor.position(range.start);
        let end = cursor.position(range.end);
        JsonRange {
            start: JsonPosition { line: start.line, character: start.col },
            end: JsonPosition { line: end.line, character: end.col },
        }
    }
}

#[derive(serde::Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    #[serde(rename = "newText")]
    new_text: &'a str,
}

#[derive(serde::Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    safe: bool,
    preferred: bool,
    edits: Vec<JsonEdit<'a>>,
}

/// One element of the `--format json` array, in the documented key order.
#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    range: JsonRange,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    fixes: Vec<JsonFix<'a>>,
}

/// Writes one page's diagnostics as elements of the `--format json` array, one per line, each
/// preceded by `,\n` unless it is the first of the whole output (`first` tracks that).
pub fn write_json_elements(
    out: &mut impl std::io::Write,
    first: &mut bool,
    path: &Path,
    text: &str,
    diagnostics: &[Diagnostic],
    locale: Locale,
) -> std::io::Result<()> {
    let index = LineIndex::new(text);
    let mut cursor = index.cursor(text, PositionEncoding::Utf16);
    let path = path.to_string_lossy();
    for diagnostic in diagnostics {
        let range = JsonRange::new(&mut cursor, &diagnostic.range);
        let fixes = diagnostic
            .fixes
            .iter()
            .map(|fix| JsonFix {
                title: fix.title.get(locale),
                safe: fix.safe,
                preferred: fix.preferred,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| JsonEdit { range: JsonRange::new(&mut cursor, &edit.range), new_text: &edit.new_text })
                    .collect(),
            })
            .collect();
        let element = JsonDiagnostic {
            path: &path,
            range,
            severity: diagnostic.severity.as_str(),
            code: diagnostic.code,
            message: diagnostic.message.get(locale),
            fixes,
        };
        out.write_all(if *first { b"\n" } else { b",\n" })?;
        *first = false;
        serde_json::to_writer(&mut *out, &element)?;
    }
    Ok(())
}

/// Writes one page's diagnostics as SARIF results, elements of the log's `results` array, one per
/// line, each preceded by `,\n` unless it is the first of the whole output.
pub fn write_sarif_results(
    out: &mut impl std::io::Write,
    first: &mut bool,
    path: &Path,
    text: &str,
    diagnostics: &[Diagnostic],
    locale: Locale,
) -> std::io::Result<()> {
    let index = LineIndex::new(text);
    let mut cursor = index.cursor(text, PositionEncoding::Utf16);
    let uri = path.to_string_lossy().replace('\\', "/");
    for diagnostic in diagnostics {
        let start = cursor.position(diagnostic.range.start);
        let end = cursor.position(diagnostic.range.end);
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information | Severity::Hint => "note",
        };
        let result = json!({
            "ruleId": diagnostic.code,
            "level": level,
            "message": {"text": diagnostic.message.get(locale)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {
                        "startLine": start.line + 1,
                        "startColumn": start.col + 1,
                        "endLine": end.line + 1,
                        "endColumn": end.col + 1,
                    }
                }
            }],
        });
        out.write_all(if *first { b"\n" } else { b",\n" })?;
        *first = false;
        serde_json::to_writer(&mut *out, &result)?;
    }
    Ok(())
}

/// The SARIF log cut where its results go: the text before the elements of `results` (ending in
/// `[`) and the text after them (starting with `]`), so results can be streamed in between.
pub fn sarif_log_around_results(locale: Locale) -> (String, String) {
    // Serializing plain JSON values cannot fail.
    let log = serde_json::to_string_pretty(&sarif_log(locale)).unwrap_or_default();
    let empty = "\"results\": []";
    match log.find(empty) {
        Some(at) => {
            let split = at + empty.len() - 1;
            (log[..split].to_string(), log[split..].to_string())
        }
        None => (log, String::new()),
    }
}

/// The SARIF log with an empty `results` array (the results are streamed into it).
fn sarif_log(locale: Locale) -> Value {
    let rules: Vec<Value> = kanwu_core::rules::all_rules()
        .iter()
        .map(|rule| {
            let info = rule.info();
            let summary = match locale {
                Locale::Zh => info.summary_zh,
                Locale::En => info.summary_en,
            };
            json!({
                "id": info.code,
                "shortDescription": {"text": summary},
                "helpUri": crate::rule_doc_url(info.code),
                "defaultConfiguration": {"level": match info.default_severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    _ => "note",
                }},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kanwu",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/kanwu-dev/kanwu",
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": [],
        }]
    })
}

/// Whether to colour terminal output.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The widest text of a code frame, in display columns (wide characters count 2), not counting the
/// gutter: a frame shows a window of the line around the span, never the whole line.
pub const FRAME_COLUMNS: usize = 100;

/// How much of a long span a frame shows, in display columns, before cutting it with `…`.
const SPAN_COLUMNS: usize = 60;

/// The widest message or fix title shown, in display columns; longer ones are cut with `…`.
const MESSAGE_COLUMNS: usize = 200;

/// The mark of text left out of a frame.
const CUT: char = '…';

/// The word for a severity in human output.
pub fn severity_word(severity: Severity, locale: Locale) -> &'static str {
    match (severity, locale) {
        (Severity::Error, Locale::En) => "error",
        (Severity::Warning, Locale::En) => "warning",
        (Severity::Information, Locale::En) => "info",
        (Severity::Hint, Locale::En) => "hint",
        (Severity::Error, Locale::Zh) => "错误",
        (Severity::Warning, Locale::Zh) => "警告",
        (Severity::Information, Locale::Zh) => "信息",
        (Severity::Hint, Locale::Zh) => "提示",
    }
}

/// Writes one page's diagnostics for a person: `path:line:col: severity[code]: message` and a code
/// frame with the span underlined at its display width. Each frame is a window of at most
/// [`FRAME_COLUMNS`] around the span, found from the span outwards, so rendering a diagnostic costs
/// the window, not the line, and the output is proportional to the number of diagnostics.
pub fn write_human(
    out: &mut impl std::io::Write,
    path: &Path,
    text: &str,
    diagnostics: &[Diagnostic],
    locale: Locale,
    style: Style,
) -> std::io::Result<()> {
    let index = LineIndex::new(text);
    let mut cursor = index.cursor(text, PositionEncoding::Utf32);
    let mut rendered = String::new();
    for diagnostic in diagnostics {
        rendered.clear();
        let start = cursor.position(diagnostic.range.start);
        let colour = match diagnostic.severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information => "1;36",
            Severity::Hint => "1;32",
        };
        let _ = writeln!(
            rendered,
            "{}: {}{}: {}",
            style.paint("1", &format!("{}:{}:{}", path.display(), start.line + 1, start.col + 1)),
            style.paint(colour, severity_word(diagnostic.severity, locale)),
            style.paint(colour, &format!("[{}]", diagnostic.code)),
            clip(diagnostic.message.get(locale), MESSAGE_COLUMNS)
        );
        let line_start = index.line_start(start.line);
        let line_end = index.line_end(start.line);
        let span_start = floor_char_boundary(text, diagnostic.range.start.clamp(line_start, line_end));
        let span_end = floor_char_boundary(text, diagnostic.range.end.clamp(span_start, line_end));
        let frame = Frame::around(text, line_start..line_end, span_start..span_end);
        let number = (start.line + 1).to_string();
        let gutter = " ".repeat(number.len());
        let _ = writeln!(rendered, "{gutter} {}", style.paint("1;34", "|"));
        let _ = writeln!(rendered, "{} {} {}", style.paint("1;34", &number), style.paint("1;34", "|"), frame.shown);
        let mut marker = "^".repeat(frame.caret_width);
        if diagnostic.range.end > line_end {
            marker.push_str(if locale == Locale::Zh { " (至下一行)" } else { " (continues on the next line)" });
        }
        let _ =
            writeln!(rendered, "{gutter} {} {}{}", style.paint("1;34", "|"), " ".repeat(frame.caret_column), style.paint(colour, &marker));
        if let Some(fix) = diagnostic.fixes.first() {
            let safety = match (fix.safe, locale) {
                (true, Locale::Zh) => "可自动修复",
                (true, Locale::En) => "fixable",
                (false, Locale::Zh) => "建议",
                (false, Locale::En) => "suggestion",
            };
            let _ =
                writeln!(rendered, "{gutter} {} {}: {}", style.paint("1;34", "="), safety, clip(fix.title.get(locale), MESSAGE_COLUMNS));
        }
        rendered.push('\n');
        out.write_all(rendered.as_bytes())?;
    }
    Ok(())
}

/// The part of a line a code frame shows, and where its caret goes.
struct Frame {
    /// The window of the line as shown, with `…` where text was left out.
    shown: String,
    /// Display columns before the caret.
    caret_column: usize,
    /// Display columns of the caret (at least one).
    caret_width: usize,
}

impl Frame {
    /// The window of `line` around `span` (both byte ranges of `text`, the span inside the line):
    /// the span (cut after [`SPAN_COLUMNS`]), then context on both sides until [`FRAME_COLUMNS`]
    /// are used, two of them kept for the cut marks. Only the characters shown are visited.
    fn around(text: &str, line: std::ops::Range<usize>, span: std::ops::Range<usize>) -> Frame {
        let budget = FRAME_COLUMNS - 2;
        // The span, up to its budget.
        let (span_shown_end, span_cost) = walk_right(text, span.start, span.end, SPAN_COLUMNS);
        let span_cut = span_shown_end < span.end;
        let remaining = budget - span_cost;
        // A cut span ends the window; otherwise half of what is left goes before the span, the
        // rest after it, and what the right side does not use goes back to the left.
        let (mut left, left_cost) = walk_left(text, line.start, span.start, if span_cut { remaining } else { remaining / 2 });
        let mut right = span_shown_end;
        if !span_cut {
            let (end, right_cost) = walk_right(text, span.end, line.end, remaining - left_cost);
            right = end;
            left = walk_left(text, line.start, left, remaining - left_cost - right_cost).0;
        }
        let mut shown = String::new();
        let mut caret_column = 0;
        if left > line.start {
            shown.push(CUT);
            caret_column += 1;
        }
        for c in text[left..span.start].chars() {
            shown.push(shown_char(c));
            caret_column += shown_width(c);
        }
        let mut caret_width = 0;
        for c in text[span.start..span_shown_end].chars() {
            shown.push(shown_char(c));
            caret_width += shown_width(c);
        }
        let caret_width = if span_cut {
            shown.push(CUT);
            caret_width + 1
        } else {
            for c in text[span.end..right].chars() {
                shown.push(shown_char(c));
            }
            if right < line.end {
                shown.push(CUT);
            }
            caret_width.max(1)
        };
        Frame { shown, caret_column, caret_width }
    }
}

/// Walks right from `from` towards `limit` while the characters' frame cost fits `budget`;
/// returns where it stopped and the cost used.
fn walk_right(text: &str, from: usize, limit: usize, budget: usize) -> (usize, usize) {
    let (mut at, mut used) = (from, 0);
    for c in text[from..limit].chars() {
        let cost = frame_cost(c);
        if used + cost > budget {
            break;
        }
        used += cost;
        at += c.len_utf8();
    }
    (at, used)
}

/// Walks left from `from` towards `limit` while the characters' frame cost fits `budget`;
/// returns where it stopped and the cost used.
fn walk_left(text: &str, limit: usize, from: usize, budget: usize) -> (usize, usize) {
    let (mut at, mut used) = (from, 0);
    for c in text[limit..from].chars().rev() {
        let cost = frame_cost(c);
        if used + cost > budget {
            break;
        }
        used += cost;
        at -= c.len_utf8();
    }
    (at, used)
}

/// How a character of the page is shown in a frame: a tab as one space, other control characters
/// (which could drive the terminal) as `�`.
fn shown_char(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

/// Terminal width of a character as a frame shows it.
fn shown_width(c: char) -> usize {
    display_width(shown_char(c))
}

/// What a character costs of a frame's budget: its width, and at least one, so that a line of
/// zero-width characters still gets a window of bounded length.
fn frame_cost(c: char) -> usize {
    shown_width(c).max(1)
}

/// A message or title as shown: control characters made visible, cut with `…` after `columns`.
fn clip(text: &str, columns: usize) -> std::borrow::Cow<'_, str> {
    let (end, _) = walk_right(text, 0, text.len(), columns);
    if end == text.len() && !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown: String = text[..end].chars().map(shown_char).collect();
    if end < text.len() {
        shown.pop();
        shown.push(CUT);
    }
    std::borrow::Cow::Owned(shown)
}

/// The nearest character boundary at or before `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
