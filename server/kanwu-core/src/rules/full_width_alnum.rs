//! `full-width-alnum`: full-width Latin letters and digits (ＡＢＣ１２３) that belong in ASCII.
//!
//! One diagnostic per run. A full-width full stop `．` between two full-width digits is taken as
//! a decimal point and becomes `.` with the run (`３．５` → `3.5`); every other full-width
//! punctuation mark (，（）％ …) is left alone.

use crate::chars::excerpt;
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds runs of full-width letters and digits.
pub struct FullWidthAlnum;

static INFO: RuleInfo = RuleInfo {
    code: "full-width-alnum",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "全角字母或数字（ＡＢＣ１２３），应为半角。",
    summary_en: "Full-width Latin letters or digits (ＡＢＣ１２３) where ASCII belongs.",
    example: "２０２１年，开办农民夜校１２期",
};

fn is_full_width_alnum(c: char) -> bool {
    matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

fn is_full_width_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

/// The ASCII form of a full-width letter, digit or decimal point.
fn narrow(c: char) -> char {
    if c == '．' {
        return '.';
    }
    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
}

/// What a run holds, in Chinese and English: digits (a decimal point among them), letters, or both.
fn kind_of(run: &str) -> (&'static str, &'static str) {
    let digits = run.chars().filter(|&c| is_full_width_digit(c)).count();
    let letters = run.chars().filter(|&c| is_full_width_alnum(c) && !is_full_width_digit(c)).count();
    match (letters, digits) {
        (0, 1) => ("数字", "digit"),
        (0, _) => ("数字", "digits"),
        (1, 0) => ("字母", "letter"),
        (_, 0) => ("字母", "letters"),
        _ => ("字母和数字", "letters and digits"),
    }
}

impl Rule for FullWidthAlnum {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let text = cx.text;
        let mut iter = text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            if !is_full_width_alnum(c) {
                continue;
            }
            let mut end = start + c.len_utf8();
            let mut last = c;
            while let Some(&(offset, next)) = iter.peek() {
                let decimal_point = next == '．'
                    && is_full_width_digit(last)
                    && text[offset + next.len_utf8()..].chars().next().is_some_and(is_full_width_digit);
                if !(is_full_width_alnum(next) || decimal_point) {
                    break;
                }
                iter.next();
                end = offset + next.len_utf8();
                last = next;
            }
            let run = &text[start..end];
            let ascii: String = run.chars().map(narrow).collect();
            let shown = excerpt(text, start..end, 2);
            let (kind_zh, kind_en) = kind_of(run);
            sink.push(cx.diagnostic(
                &INFO,
                start..end,
                Message::new(
                    format!("全角{kind_zh}“{run}”应为半角“{ascii}”：“{shown}”"),
                    format!("Full-width {kind_en} “{run}” should be ASCII “{ascii}”: “{shown}”"),
                ),
                vec![Fix::safe(
                    Message::new(format!("改为半角“{ascii}”"), format!("Replace with “{ascii}”")),
                    vec![Edit::replace(start..end, ascii)],
                )],
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
    fn empty_input() {
        assert!(found("").is_empty());
    }

    #[test]
    fn crlf_and_no_final_newline() {
        assert_eq!(fixed("２０２０年\r\nＡＰＰ"), "2020年\r\nAPP");
    }

    #[test]
    fn astral_emoji_and_punctuation() {
        assert_eq!(fixed("𠮷１😀ｂ，（３．５％）３．"), "𠮷1😀b，（3.5％）3．");
        assert_eq!(found("３．５").len(), 1);
        assert!(found("，。（）％！Ⅲ①").is_empty());
    }
}
