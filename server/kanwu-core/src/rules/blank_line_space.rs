//! `blank-line-space`: a line that holds nothing but white space.

use crate::chars::is_horizontal_space;
use crate::rules::{count_en, count_zh, Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds lines made only of spaces, tabs, no-break or ideographic spaces.
pub struct BlankLineSpace;

static INFO: RuleInfo = RuleInfo {
    code: "blank-line-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Page,
    summary_zh: "只含空格、制表符或全角空格的“空行”。",
    summary_en: "A line that contains only spaces, tabs, no-break or ideographic spaces.",
    example: "值守。⏎   ⏎暖心服务",
};

impl Rule for BlankLineSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for (index, line) in cx.page.lines.iter().enumerate() {
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            if content.is_empty() || !content.chars().all(is_horizontal_space) {
                continue;
            }
            let count = content.chars().count();
            let kinds = describe(content);
            let number = index + 1;
            sink.push(cx.diagnostic(
                &INFO,
                line.range.clone(),
                Message::new(
                    format!("第 {number} 行是空行，却含有{}空白字符（{kinds}）", count_zh(count, "个")),
                    format!("Blank line {number} holds {} ({kinds})", count_en(count, "a white-space character", "white-space characters")),
                ),
                vec![Fix::safe(
                    Message::new("清除空行中的空白（保留换行）", "Clear the white space, keeping the line break"),
                    vec![Edit::delete(line.range.clone())],
                )],
            ));
        }
    }
}

/// The code points of a run of white space, without repeats: `U+0020 U+3000`.
fn describe(content: &str) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in content.chars() {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.iter().map(|c| format!("U+{:04X}", *c as u32)).collect::<Vec<_>>().join(" ")
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
    fn empty_input_and_true_blank_lines() {
        assert!(found("").is_empty());
        assert!(found("\n\n\r\n").is_empty());
    }

    #[test]
    fn crlf_and_last_line() {
        assert_eq!(fixed("一线。\r\n \t\r\n快速响应\r\n\u{3000}"), "一线。\r\n\r\n快速响应\r\n");
    }

    #[test]
    fn astral_lines_are_not_blank() {
        assert!(found("𠮷\n 😀 \n").is_empty());
        assert_eq!(found("𠮷\n  \n😀").len(), 1);
    }
}
