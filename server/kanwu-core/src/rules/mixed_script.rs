//! `mixed-script`: a single Latin, Cyrillic or Greek look-alike letter inside a Chinese word.
//!
//! OCR reads `〇` as `o`, `O`, Cyrillic `о` or Greek `Ο`, and `一`/`丨` as `l` or `I`. The rule
//! flags one such letter with Han characters directly on both sides (no spaces):
//! - Latin `o`, `O`, `l`, `I`; the digit `0` only next to a Chinese numeral (`二0二0年`);
//! - any Cyrillic letter;
//! - any Greek letter except the lower-case letters used as scientific symbols
//!   (α β γ δ ε θ λ μ π σ φ ψ ω, as in `γ射线`).
//!
//! Real Latin words are never flagged: two or more letters are not a single letter (`APP`,
//! `卡拉OK`, `PK`), other letters are no look-alikes (`A股`, `B超`, `X光`, `T恤`, `K歌`, `维C`),
//! and a small allow-list keeps `O型` (blood group), `O形`, `O字`, `I型`.
//! The suggested fix (never applied automatically) writes `〇` for a round letter and `一` for an
//! upright one when a neighbour is a Chinese numeral; elsewhere the intended character is not
//! evident and no fix is offered.

use crate::chars::{excerpt, is_chinese_numeral, is_han};
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds look-alike letters inside Chinese words.
pub struct MixedScript;

static INFO: RuleInfo = RuleInfo {
    code: "mixed-script",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Suggested,
    layout: false,
    scope: Scope::Line,
    summary_zh: "汉字词中夹着形近的拉丁、西里尔或希腊字母（如把“〇”识别为 o）。",
    summary_en: "A look-alike Latin, Cyrillic or Greek letter inside a Chinese word (such as o read for 〇).",
    example: "二o二〇年",
};

/// Pairs of a letter and the character after it that form legitimate words.
const ALLOWED: &[(char, char)] = &[('O', '型'), ('O', '形'), ('O', '字'), ('I', '型'), ('Ⅰ', '型')];

/// Greek lower-case letters that stand for themselves in science news.
const GREEK_SYMBOLS: &str = "αβγδεθλμπσφψω";

/// What kind of look-alike a letter is, if any.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Looks like `〇`.
    Round,
    /// Looks like `一` or `丨`.
    Upright,
    /// Another foreign letter.
    Other,
}

fn shape(c: char) -> Option<(Shape, &'static str, &'static str)> {
    let round = matches!(c, 'o' | 'O' | '0' | 'о' | 'О' | 'ο' | 'Ο' | 'σ');
    let upright = matches!(c, 'l' | 'I' | 'І' | 'і' | 'ӏ' | 'Ӏ' | 'Ι' | 'ι');
    let shape = if round {
        Shape::Round
    } else if upright {
        Shape::Upright
    } else {
        Shape::Other
    };
    let code = c as u32;
    if c == '0' {
        Some((shape, "数字", "Digit"))
    } else if matches!(c, 'o' | 'O' | 'l' | 'I') {
        Some((shape, "拉丁字母", "Latin letter"))
    } else if (0x0400..=0x052F).contains(&code) && c.is_alphabetic() {
        Some((shape, "西里尔字母", "Cyrillic letter"))
    } else if (0x0370..=0x03FF).contains(&code) && c.is_alphabetic() && !GREEK_SYMBOLS.contains(c) {
        Some((shape, "希腊字母", "Greek letter"))
    } else {
        None
    }
}

impl Rule for MixedScript {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let text = cx.text;
        let mut window: [Option<(usize, char)>; 3] = [None, None, None];
        for item in text.char_indices() {
            window = [window[1], window[2], Some(item)];
            let [Some((_, before)), Some((offset, c)), Some((_, after))] = window else { continue };
            if !is_han(before) || !is_han(after) {
                continue;
            }
            let Some((shape, script_zh, script_en)) = shape(c) else { continue };
            if c == '0' && !(is_chinese_numeral(before) || is_chinese_numeral(after)) {
                continue;
            }
            if ALLOWED.contains(&(c, after)) {
                continue;
            }
            let numeral = is_chinese_numeral(before) || is_chinese_numeral(after);
            let intended = match shape {
                Shape::Round if numeral => Some('〇'),
                Shape::Upright if numeral => Some('一'),
                _ => None,
            };
            let range = offset..offset + c.len_utf8();
            let shown = excerpt(text, range.clone(), 3);
            let code = format!("U+{:04X}", c as u32);
            let fixes = intended
                .map(|intended| {
                    vec![Fix::suggested(
                        Message::new(format!("改为“{intended}”"), format!("Replace with “{intended}”")),
                        vec![Edit::replace(range.clone(), intended.to_string())],
                    )]
                })
                .unwrap_or_default();
            let (hint_zh, hint_en) = match intended {
                Some(intended) => (format!("，可能是“{intended}”"), format!(", probably “{intended}”")),
                None => (String::new(), String::new()),
            };
            sink.push(cx.diagnostic(
                &INFO,
                range,
                Message::new(
                    format!("汉字间夹有{script_zh}“{c}”（{code}）：“{shown}”{hint_zh}"),
                    format!("{script_en} “{c}” ({code}) between Chinese characters in “{shown}”{hint_en}"),
                ),
                fixes,
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

    #[test]
    fn empty_input() {
        assert!(found("").is_empty());
        assert!(found("o").is_empty());
    }

    #[test]
    fn crlf_and_line_edges() {
        assert!(found("二o\r\n二〇").is_empty());
        assert_eq!(found("二o二〇\r\n年").len(), 1);
    }

    #[test]
    fn astral_and_emoji() {
        assert_eq!(found("𠮷о𠮷").len(), 1);
        assert!(found("😀o😀").is_empty());
    }

    #[test]
    fn suggestion_near_numerals() {
        let diagnostics = found("二o二o年，工о作");
        assert_eq!(diagnostics.len(), 3);
        assert_eq!(diagnostics[0].fixes[0].edits[0].new_text, "〇");
        assert!(diagnostics[2].fixes.is_empty());
        assert!(diagnostics.iter().all(|d| d.safe_fix().is_none()));
    }

    #[test]
    fn real_latin_is_left_alone() {
        assert!(found("下载APP，做B超，是O型血，唱卡拉OK，γ射线，A股").is_empty());
    }
}
