//! `num-space`: a stray space between a number and a Chinese character or unit.
//!
//! Extraction from PDF often pads numbers with spaces (`走访 320 多户牧民`, `1月 25日`, `占 78%`).
//! The rule flags a run of ASCII spaces, tabs or no-break spaces inside a line when one side is a
//! number and the other a Chinese character, Chinese punctuation (not dashes or ellipses) or a unit
//! sign (`%`, `‰`, `℃`…). It leaves alone: spaces between two numbers (`1 000`), numbers that
//! belong to a Latin word (`5G 网络`, `iPhone 12 手机`, `G20 峰会`), the ideographic space U+3000,
//! spaces at the start or end of a line (other rules), and bylines and photo credits.

use crate::chars::{excerpt, is_cjk_punct, is_digit, is_han};
use crate::page::LineKind;
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds spaces between numbers and Chinese text.
pub struct NumSpace;

static INFO: RuleInfo = RuleInfo {
    code: "num-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "数字与汉字或单位之间多出的空格。",
    summary_en: "A stray space between a number and a Chinese character or unit.",
    example: "走访 350 多户困难群众",
};

impl Rule for NumSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for line in &cx.page.lines {
            if matches!(line.kind, LineKind::Blank | LineKind::Byline | LineKind::Credit) {
                continue;
            }
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            if looks_like_byline_or_credit(content) {
                continue;
            }
            check_line(cx, line.range.start, content, sink);
        }
    }
}

/// A fallback for pages whose structure does not yet mark bylines and credits:
/// `□本报记者 …`, `◎…`, `…通讯员 …` and lines ending in ` 摄`.
fn looks_like_byline_or_credit(content: &str) -> bool {
    let trimmed = content.trim();
    trimmed.starts_with(['□', '◎', '■', '○', '●'])
        || trimmed.starts_with("本报记者")
        || trimmed.contains("通讯员")
        || (trimmed.ends_with('摄') && trimmed[..trimmed.len() - '摄'.len_utf8()].ends_with(|c: char| c.is_whitespace()))
}

/// Spaces that count: not U+3000, which is an indent or a deliberate ideographic gap.
fn is_gap(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{00A0}')
}

/// Chinese text next to a number: Han characters and Chinese punctuation other than dashes,
/// ellipses and middle dots (which sit between numbers in ranges).
fn is_chinese_side(c: char) -> bool {
    is_han(c) || (is_cjk_punct(c) && !matches!(c, '—' | '…' | '⋯' | '·' | '～' | '﹏' | '．'))
}

/// Unit signs written after a number.
fn is_unit(c: char) -> bool {
    matches!(c, '%' | '‰' | '％' | '℃' | '°' | '㎡' | '㎞' | '㎏' | '㎎' | '㎝' | '㎜' | '㎥' | '￥' | '元')
}

/// Characters inside a number token: digits, separators and a trailing percent sign.
fn is_number_part(c: char) -> bool {
    is_digit(c) || matches!(c, '.' | ',' | ':' | '%' | '‰' | '％')
}

fn check_line(cx: &Context<'_>, base: usize, content: &str, sink: &mut Vec<Diagnostic>) {
    let chars: Vec<(usize, char)> = content.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_gap(chars[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_gap(chars[j].1) {
            j += 1;
        }
        if i > 0 && j < chars.len() {
            if let Some((from, to)) = number_gap(&chars, i, j) {
                let start = base + chars[i].0;
                let end = base + chars[j].0;
                let named_start = base + chars[from].0;
                let named_end = base + chars.get(to).map_or(content.len(), |&(offset, _)| offset);
                let named = excerpt(cx.text, named_start..named_end, 0);
                sink.push(cx.diagnostic(
                    &INFO,
                    start..end,
                    Message::new(
                        format!("数字与汉字之间多了空格：“{named}”"),
                        if j - i == 1 {
                            format!("Stray space between a number and Chinese text in “{named}”")
                        } else {
                            format!("Stray spaces between a number and Chinese text in “{named}”")
                        },
                    ),
                    vec![Fix::safe(
                        Message::new("删除多余空格", if j - i == 1 { "Delete the stray space" } else { "Delete the stray spaces" }),
                        vec![Edit::delete(start..end)],
                    )],
                ));
            }
        }
        i = j;
    }
}

/// When the gap `chars[i..j]` separates a number from Chinese text, the character span
/// `from..to` (number and neighbour) to name in the message.
fn number_gap(chars: &[(usize, char)], i: usize, j: usize) -> Option<(usize, usize)> {
    let left = chars[i - 1].1;
    let right = chars[j].1;
    let latin = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_ascii_alphabetic());
    // Number, then Chinese text or a unit: `700 多个`, `78 %`.
    if (is_digit(left) || (matches!(left, '%' | '‰' | '％') && i >= 2 && is_digit(chars[i - 2].1)))
        && (is_chinese_side(right) || is_unit(right))
    {
        let mut start = i - 1;
        while start > 0 && is_number_part(chars[start - 1].1) {
            start -= 1;
        }
        if !is_digit(chars[start].1) && start + 1 < i && is_digit(chars[start + 1].1) {
            start += 1;
        }
        if start > 0 {
            // A number glued to a Latin word (`G20`, `iPhone 12`) belongs to it.
            if latin(start - 1) {
                return None;
            }
            // `COVID-19 疫情`: a hyphen glues the number to a Latin word.
            if chars[start - 1].1 == '-' && start >= 2 && chars[start - 2].1.is_ascii_alphanumeric() {
                return None;
            }
            let mut k = start;
            while k > 0 && is_gap(chars[k - 1].1) {
                k -= 1;
            }
            if k < start && k > 0 && latin(k - 1) {
                return None;
            }
        }
        return Some((start, j + 1));
    }
    // Chinese text, then a number: `占 78%`, `全旗 77`.
    if is_chinese_side(left) && is_digit(right) {
        let mut end = j;
        while end < chars.len() && is_number_part(chars[end].1) {
            end += 1;
        }
        if latin(end) {
            return None;
        }
        return Some((i - 1, end));
    }
    None
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
        assert!(found(" ").is_empty());
    }

    #[test]
    fn crlf_and_no_final_newline() {
        assert_eq!(fixed("共 64 名党员\r\n下设 6 个小组"), "共64名党员\r\n下设6个小组");
    }

    #[test]
    fn astral_and_emoji_neighbours() {
        assert_eq!(fixed("𠮷 12 𠮷"), "𠮷12𠮷");
        assert!(found("😀 12 😀").is_empty());
    }

    #[test]
    fn message_names_the_text() {
        let diagnostics = found("走访 320 多户牧民");
        assert_eq!(diagnostics.len(), 2);
        assert!(diagnostics[1].message.zh.contains("320 多"), "{:?}", diagnostics[1].message);
    }

    #[test]
    fn leaves_numbers_latin_and_edges() {
        assert!(found("1 000\n 25日").is_empty());
        assert_eq!(found("共有 1 000 人").len(), 2);
        assert!(found("发展 5G 网络").is_empty());
    }
}
