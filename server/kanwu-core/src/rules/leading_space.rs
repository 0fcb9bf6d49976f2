//! `leading-space`: white space at the start of a line, other than a paragraph's ideographic indent.
//!
//! A paragraph may open with one or two ideographic spaces (U+3000), the indent of Chinese
//! typesetting; everything else at the start of a line (ASCII spaces, tabs, no-break spaces,
//! a third ideographic space, an ideographic indent on a continuation line) is an artefact.
//! A line counts as a paragraph start when the page structure says so, or when the line before it
//! is blank or ends a sentence (`。！？…”` …), so pages that mark paragraphs only by indentation
//! are not flagged line by line.

use crate::chars::{excerpt, is_closing, is_horizontal_space, is_sentence_end};
use crate::page::LineKind;
use crate::rules::{capitalized, count_en, count_zh, Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use std::ops::Range;

/// Finds spaces and tabs at the start of a non-blank line.
pub struct LeadingSpace;

static INFO: RuleInfo = RuleInfo {
    code: "leading-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Block,
    summary_zh: "非空行行首多余的空格或制表符（段首一至两个全角空格的缩进除外）。",
    summary_en: "Spaces or tabs at the start of a non-blank line, except a paragraph's indent of one or two ideographic spaces.",
    example: "  在刚落成的北山路社区",
};

/// The ideographic space used for paragraph indents.
const INDENT: char = '\u{3000}';

impl Rule for LeadingSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let lines = &cx.page.lines;
        let mut paragraph_start = vec![false; lines.len()];
        for paragraph in &cx.page.paragraphs {
            if let Some(&first) = paragraph.first() {
                if let Some(slot) = paragraph_start.get_mut(first) {
                    *slot = true;
                }
            }
        }
        for (index, line) in lines.iter().enumerate() {
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            let rest = content.trim_start_matches(is_horizontal_space);
            if rest.is_empty() || rest.len() == content.len() {
                continue;
            }
            let starts_paragraph = paragraph_start[index] || index == 0 || follows_break(cx, index);
            let lead = &content[..content.len() - rest.len()];
            let deletions = unwanted(lead, line.range.start, starts_paragraph);
            if deletions.is_empty() {
                continue;
            }
            let range = deletions[0].start..deletions[deletions.len() - 1].end;
            let shown = excerpt(cx.text, line.range.start + lead.len()..line.range.start + lead.len(), 6);
            let count = deletions.iter().map(|r| cx.text[r.clone()].chars().count()).sum::<usize>();
            let (zh, en) = if starts_paragraph && lead.contains(INDENT) {
                (
                    format!("“{shown}”行首有{}多余的空白字符（段首只保留一至两个全角空格缩进）", count_zh(count, "个")),
                    format!(
                        "{} before “{shown}” (a paragraph keeps at most two ideographic spaces)",
                        capitalized(&count_en(count, "an extra white-space character", "extra white-space characters"))
                    ),
                )
            } else {
                (
                    format!("“{shown}”行首有{}多余的空白字符", count_zh(count, "个")),
                    format!(
                        "{} before “{shown}”",
                        capitalized(&count_en(count, "a leading white-space character", "leading white-space characters"))
                    ),
                )
            };
            sink.push(cx.diagnostic(
                &INFO,
                range,
                Message::new(zh, en),
                vec![Fix::safe(
                    Message::new("删除行首空白", "Delete the leading white space"),
                    deletions.into_iter().map(Edit::delete).collect(),
                )],
            ));
        }
    }
}

/// True when the line before `index` is blank or ends a sentence, so `index` opens a paragraph.
fn follows_break(cx: &Context<'_>, index: usize) -> bool {
    let Some(previous) = cx.page.lines.get(index.wrapping_sub(1)) else { return true };
    if previous.kind == LineKind::Blank {
        return true;
    }
    let Some(content) = cx.text.get(previous.range.clone()) else { return true };
    let mut tail = content.trim_end_matches(is_horizontal_space).chars().rev();
    match tail.next() {
        None => true,
        Some(c) if is_sentence_end(c) || c == '：' => true,
        Some(c) if is_closing(c) => tail.next().is_some_and(is_sentence_end),
        Some(_) => false,
    }
}

/// The byte ranges of `lead` (which starts at `start`) to delete: everything, or at a paragraph
/// start everything except the first one or two ideographic spaces.
fn unwanted(lead: &str, start: usize, starts_paragraph: bool) -> Vec<Range<usize>> {
    let mut kept_indents = 0;
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (offset, c) in lead.char_indices() {
        if starts_paragraph && c == INDENT && kept_indents < 2 {
            kept_indents += 1;
            continue;
        }
        let range = start + offset..start + offset + c.len_utf8();
        match ranges.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => ranges.push(range),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::INFO;

    use crate::Diagnostic;

    fn found(text: &str) -> Vec<Diagnostic> {
        super::super::test_support::found(INFO.code, text)
    }

    fn fixed(text: &str) -> String {
        super::super::test_support::fixed(INFO.code, text)
    }

    #[test]
    fn empty_and_blank() {
        assert!(found("").is_empty());
        assert!(found("   \n").is_empty());
    }

    #[test]
    fn indents_are_kept_at_paragraph_starts() {
        assert!(found("\u{3000}\u{3000}在刚落成的北山路社区。\n\u{3000}\u{3000}经街道批复。").is_empty());
        assert_eq!(fixed("\u{3000}\u{3000}\u{3000}一线。"), "\u{3000}\u{3000}一线。");
        assert_eq!(fixed(" \u{3000}\u{3000}一线。"), "\u{3000}\u{3000}一线。");
    }

    #[test]
    fn ascii_indent_is_always_flagged() {
        assert_eq!(
            fixed("\u{3000}\u{3000}在刚落成的北山路幸福家园小\n  区，经批复。"),
            "\u{3000}\u{3000}在刚落成的北山路幸福家园小\n区，经批复。"
        );
        assert_eq!(fixed("\t\u{3000}\u{3000}一线。"), "\u{3000}\u{3000}一线。");
    }

    #[test]
    fn crlf_no_final_newline_astral() {
        assert_eq!(fixed("一线。\r\n  𠮷字\r\n\t😀"), "一线。\r\n𠮷字\r\n😀");
    }
}
