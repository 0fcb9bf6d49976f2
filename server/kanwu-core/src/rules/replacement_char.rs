//! `replacement-char`: U+FFFD, the mark a decoder leaves where it could not read a character.

use crate::chars::excerpt;
use crate::rules::{capitalized, count_en, count_zh, Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds runs of the replacement character U+FFFD.
pub struct ReplacementChar;

static INFO: RuleInfo = RuleInfo {
    code: "replacement-char",
    default_severity: Severity::Error,
    fix_safety: FixSafety::Suggested,
    layout: false,
    scope: Scope::Line,
    summary_zh: "替换字符 U+FFFD（�）：原字在解码或识别时丢失。",
    summary_en: "The replacement character U+FFFD (�): a character lost in decoding or recognition.",
    example: "东岭村养殖合作社社员赵春�",
};

impl Rule for ReplacementChar {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let text = cx.text;
        let mut search = 0;
        while let Some(found) = text.get(search..).and_then(|rest| rest.find('\u{FFFD}')) {
            let start = search + found;
            let run = text[start..].chars().take_while(|&c| c == '\u{FFFD}').count();
            let end = start + run * '\u{FFFD}'.len_utf8();
            let shown = excerpt(text, start..end, 4);
            sink.push(cx.diagnostic(
                &INFO,
                start..end,
                Message::new(
                    format!("“{shown}”中有{}替换字符 U+FFFD，原字已丢失，请对照原版补上", count_zh(run, "个")),
                    format!(
                        "{} U+FFFD in “{shown}”: the original text was lost; restore it from the printed page",
                        capitalized(&count_en(run, "a replacement character", "replacement characters"))
                    ),
                ),
                vec![Fix::suggested(
                    Message::new(
                        "删除替换字符",
                        if run == 1 { "Delete the replacement character" } else { "Delete the replacement characters" },
                    ),
                    vec![Edit::delete(start..end)],
                )],
            ));
            search = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::INFO;
    use crate::fixer::FixOptions;
    use crate::{fix_text, Config, Diagnostic};

    fn found(text: &str) -> Vec<Diagnostic> {
        super::super::test_support::found(INFO.code, text)
    }

    #[test]
    fn empty_input() {
        assert!(found("").is_empty());
    }

    #[test]
    fn runs_crlf_astral_and_no_safe_fix() {
        let text = "𠮷\u{FFFD}\u{FFFD}😀\r\n村\u{FFFD}";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 2);
        assert_eq!(&text[diagnostics[0].range.clone()], "\u{FFFD}\u{FFFD}");
        assert!(diagnostics.iter().all(|d| d.safe_fix().is_none()));
        let options = FixOptions { only_rules: vec![INFO.code.to_string()], keep_lines: false };
        assert_eq!(fix_text(text, &Config::with_defaults(), &options).text, text);
    }
}
