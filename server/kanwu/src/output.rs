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

/// Appends one page's diagnostics to `out` as elements of the `--format json` array, one per line,
/// each preceded by `,\n` unless it is the first of the whole output (`first` tracks that).
pub fn write_json_elements(out: &mut Vec<u8>, first: &mut bool, path: &Path, text: &str, diagnostics: &[Diagnostic], locale: Locale) {
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
        out.extend_from_slice(if *first { b"\n" } else { b",\n" });
        *first = false;
        // Serializing plain structs into a byte buffer cannot fail.
        let _ = serde_json::to_writer(&mut *out, &element);
    }
}

/// One page's diagnostics as SARIF results.
pub fn sarif_results(path: &Path, text: &str, diagnostics: &[Diagnostic], locale: Locale) -> Vec<Value> {
    let index = LineIndex::new(text);
    let uri = path.to_string_lossy().replace('\\', "/");
    diagnostics
        .iter()
        .map(|diagnostic| {
            let start = index.to_line_col(text, diagnostic.range.start, PositionEncoding::Utf16);
            let end = index.to_line_col(text, diagnostic.range.end, PositionEncoding::Utf16);
            let level = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "note",
            };
            json!({
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
            })
        })
        .collect()
}

/// The SARIF log around the results of every page.
pub fn sarif_log(results: Vec<Value>, locale: Locale) -> Value {
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
            "results": results,
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

/// One page's diagnostics for a person: `path:line:col: severity[code]: message` and a code frame
/// with the span underlined at its display width.
pub fn human(path: &Path, text: &str, diagnostics: &[Diagnostic], locale: Locale, style: Style) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let start = index.to_line_col(text, diagnostic.range.start, PositionEncoding::Utf32);
        let (label, colour) = match diagnostic.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Information => ("info", "1;36"),
            Severity::Hint => ("hint", "1;32"),
        };
        let _ = writeln!(
            out,
            "{}: {}{}: {}",
            style.paint("1", &format!("{}:{}:{}", path.display(), start.line + 1, start.col + 1)),
            style.paint(colour, label),
            style.paint(colour, &format!("[{}]", diagnostic.code)),
            diagnostic.message.get(locale)
        );
        let line_start = index.line_start(start.line);
        let line_end = index.line_end(start.line);
        let line_text = &text[line_start..line_end];
        let number = (start.line + 1).to_string();
        let gutter = " ".repeat(number.len());
        let shown: String = line_text.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let _ = writeln!(out, "{gutter} {}", style.paint("1;34", "|"));
        let _ = writeln!(out, "{} {} {}", style.paint("1;34", &number), style.paint("1;34", "|"), shown);
        let before: usize = text[line_start..diagnostic.range.start.max(line_start)].chars().map(underline_width).sum();
        let span_end = diagnostic.range.end.min(line_end).max(diagnostic.range.start);
        let span_width: usize = text[diagnostic.range.start.min(span_end)..span_end].chars().map(underline_width).sum::<usize>().max(1);
        let mut marker = "^".repeat(span_width);
        if diagnostic.range.end > line_end {
            marker.push_str(if locale == Locale::Zh { " (至下一行)" } else { " (continues on the next line)" });
        }
        let _ = writeln!(out, "{gutter} {} {}{}", style.paint("1;34", "|"), " ".repeat(before), style.paint(colour, &marker));
        if let Some(fix) = diagnostic.fixes.first() {
            let safety = match (fix.safe, locale) {
                (true, Locale::Zh) => "可自动修复",
                (true, Locale::En) => "fixable",
                (false, Locale::Zh) => "建议",
                (false, Locale::En) => "suggestion",
            };
            let _ = writeln!(out, "{gutter} {} {}: {}", style.paint("1;34", "="), safety, fix.title.get(locale));
        }
        out.push('\n');
    }
    out
}

/// Terminal width of a character in a code frame (tabs are shown as one space).
fn underline_width(c: char) -> usize {
    if c == '\t' {
        1
    } else {
        display_width(c)
    }
}
