//! `control-char`: invisible control and format characters left by extraction.
//!
//! Flags C0 controls other than line feed, carriage return and tab (form feeds from
//! `pdftotext` included), DEL, C1 controls, the soft hyphen, zero-width space / non-joiner /
//! joiner (U+200B–U+200D), the word joiner U+2060, bidirectional controls (U+061C, U+200E,
//! U+200F, U+202A–U+202E, U+2066–U+2069), and U+FEFF anywhere but at offset 0 (where it is a
//! byte-order mark). A zero-width joiner between two emoji is part of an emoji sequence and is
//! left alone. One diagnostic per run; the safe fix deletes the run.

use crate::chars::excerpt;
use crate::rules::{capitalized, count_en, count_zh, Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds stray control and format characters.
pub struct ControlChar;

static INFO: RuleInfo = RuleInfo {
    code: "control-char",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "不可见的控制字符、零宽字符、双向控制符、软连字符或文中的 BOM。",
    summary_en: "Invisible control, zero-width, bidirectional or soft-hyphen characters, or a BOM inside the text.",
    example: "党员\u{200B}干部",
};

/// A short name of a flagged character, in Chinese and English.
fn name(c: char) -> (&'static str, &'static str) {
    match c {
        '\u{200B}' => ("零宽空格", "zero-width space"),
        '\u{200C}' => ("零宽不连字", "zero-width non-joiner"),
        '\u{200D}' => ("零宽连字", "zero-width joiner"),
        '\u{2060}' => ("词连接符", "word joiner"),
        '\u{FEFF}' => ("文中的 BOM", "byte-order mark inside the text"),
        '\u{00AD}' => ("软连字符", "soft hyphen"),
        '\u{000C}' => ("换页符", "form feed"),
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => ("双向控制符", "bidirectional control"),
        _ => ("控制字符", "control character"),
    }
}

fn is_candidate(c: char) -> bool {
    matches!(c,
        '\u{0000}'..='\u{0008}' | '\u{000B}' | '\u{000C}' | '\u{000E}'..='\u{001F}' | '\u{007F}'..='\u{009F}'
        | '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Pictographs that zero-width joiners glue into one emoji (👨‍👩‍👧, 🏳️‍🌈).
fn is_emoji_part(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F)
}

impl Rule for ControlChar {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let text = cx.text;
        let mut run: Option<(usize, usize, Vec<char>)> = None;
        let mut prev: Option<char> = None;
        let mut iter = text.char_indices().peekable();
        while let Some((offset, c)) = iter.next() {
            let next = iter.peek().map(|&(_, c)| c);
            let stray = is_candidate(c)
                && !(c == '\u{FEFF}' && offset == 0)
                && !(c == '\u{200D}' && prev.is_some_and(is_emoji_part) && next.is_some_and(is_emoji_part));
            if stray {
                match &mut run {
                    Some((_, end, chars)) if *end == offset => {
                        *end = offset + c.len_utf8();
                        if !chars.contains(&c) {
                            chars.push(c);
                        }
                    }
                    _ => {
                        if let Some(done) = run.take() {
                            report(cx, done, sink);
                        }
                        run = Some((offset, offset + c.len_utf8(), vec![c]));
                    }
                }
            }
            prev = Some(c);
        }
        if let Some(done) = run {
            report(cx, done, sink);
        }
    }
}

fn report(cx: &Context<'_>, (start, end, chars): (usize, usize, Vec<char>), sink: &mut Vec<Diagnostic>) {
    let codes = chars.iter().map(|c| format!("U+{:04X}", *c as u32)).collect::<Vec<_>>().join(" ");
    let (zh_name, en_name) = name(chars[0]);
    let count = cx.text[start..end].chars().count();
    let shown: String = excerpt(cx.text, start..end, 3).chars().filter(|&c| !is_candidate(c)).collect();
    sink.push(cx.diagnostic(
        &INFO,
        start..end,
        Message::new(
            format!("“{shown}”中有{}不可见字符（{zh_name} {codes}）", count_zh(count, "个")),
            format!("{} ({en_name} {codes}) in “{shown}”", capitalized(&count_en(count, "an invisible character", "invisible characters"))),
        ),
        vec![Fix::safe(
            Message::new("删除不可见字符", if count == 1 { "Delete the invisible character" } else { "Delete the invisible characters" }),
            vec![Edit::delete(start..end)],
        )],
    ));
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
    fn empty_input_and_leading_bom() {
        assert!(found("").is_empty());
        assert!(found("\u{FEFF}党员").is_empty());
        assert_eq!(fixed("党\u{FEFF}员"), "党员");
    }

    #[test]
    fn crlf_tab_and_no_final_newline() {
        assert!(found("党员\t干部\r\n群众").is_empty());
        assert_eq!(fixed("党员\u{200B}\u{200B}干部\r\n群众\u{0C}"), "党员干部\r\n群众");
    }

    #[test]
    fn astral_and_emoji() {
        assert_eq!(fixed("𠮷\u{00AD}𠮷"), "𠮷𠮷");
        assert!(found("👨\u{200D}👩\u{200D}👧").is_empty());
        assert_eq!(fixed("党\u{200D}员"), "党员");
    }
}
