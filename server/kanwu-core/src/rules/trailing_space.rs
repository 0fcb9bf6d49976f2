//! `trailing-space`: white space left at the end of a line by extraction or by hand editing.

use crate::chars::{excerpt, is_horizontal_space};
use crate::rules::{capitalized, count_en, count_zh, Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds spaces, tabs, no-break and ideographic spaces at the end of a non-blank line.
pub struct TrailingSpace;

static INFO: RuleInfo = RuleInfo {
    code: "trailing-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "非空行行尾多余的空格、制表符或全角空格。",
    summary_en: "Spaces, tabs, no-break or ideographic spaces at the end of a non-blank line.",
    example: "挨家挨户登记。  ⏎",
};

impl Rule for TrailingSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for line in &cx.page.lines {
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            let kept = content.trim_end_matches(is_horizontal_space);
            if kept.is_empty() || kept.len() == content.len() {
                // Blank lines belong to `blank-line-space`.
                continue;
            }
            let range = line.range.start + kept.len()..line.range.end;
            let count = content[kept.len()..].chars().count();
            let shown = excerpt(cx.text, range.start..range.start, 6);
            sink.push(cx.diagnostic(
                &INFO,
                range.clone(),
                Message::new(
                    format!("“{shown}”行尾有{}多余的空白字符", count_zh(count, "个")),
                    format!(
                        "{} after “{shown}”",
                        capitalized(&count_en(count, "a trailing white-space character", "trailing white-space characters"))
                    ),
                ),
                vec![Fix::safe(Message::new("删除行尾空白", "Delete the trailing white space"), vec![Edit::delete(range)])],
            ));
        }
    }
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
    fn empty_and_blank_inputs() {
        assert!(found("").is_empty());
        assert!(found("   \n\t\n").is_empty());
    }

    #[test]
    fn crlf_keeps_the_terminator() {
        assert_eq!(fixed("工作组 \r\n下沉一线\u{3000}\r\n"), "工作组\r\n下沉一线\r\n");
    }

    #[test]
    fn last_line_without_newline_and_astral_neighbours() {
        let text = "吉字𠮷 \t\n😀\u{00A0}";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 2);
        assert_eq!(&text[diagnostics[0].range.clone()], " \t");
        assert_eq!(fixed(text), "吉字𠮷\n😀");
    }

    #[test]
    fn inner_spaces_are_left_alone() {
        assert!(found("同心协力 守望家园\n韩秋 摄").is_empty());
    }
}
