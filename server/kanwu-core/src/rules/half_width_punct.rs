//! `half-width-punct`: ASCII punctuation `, : ; ? ! ( ) "` standing in Chinese text.
//!
//! A mark is in Chinese text when a neighbour (across a wrapped line, within a paragraph) is a Han
//! character or Chinese punctuation. It is left alone:
//! - between two digits (`1,000`, `3:30`, `12:00`, a score `3:1`);
//! - inside URLs (`http://…`, `www.…`) and e-mail addresses;
//! - `!` and `?` right after a Latin letter, which end a Latin word or phrase (`SOS!`);
//! - marks with no Chinese neighbour (`Yes, we can`).
//!
//! Parentheses are paired within the paragraph: a pair is Chinese, and both halves are flagged,
//! when its content holds Chinese, or the mark before `(` is Chinese, or (after a non-Latin
//! character or line start) the mark after `)` is Chinese. So `客户端(APP)` becomes `客户端（APP）`
//! as Chinese typesetting wants, while `f(x)` and `World Health Organization (WHO)` stay.
//! Straight quotes become `“` or `”`: opening after the start of a paragraph, a space, an opening
//! bracket or a colon; closing before Chinese punctuation, a closing bracket or a space;
//! otherwise alternating within the paragraph.

use crate::chars::{is_cjk, is_digit, is_opening};
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use regex::Regex;
use std::sync::LazyLock;

/// Finds ASCII punctuation in Chinese text.
pub struct HalfWidthPunct;

static INFO: RuleInfo = RuleInfo {
    code: "half-width-punct",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Block,
    summary_zh: "中文语境中的半角标点 , : ; ? ! ( ) \"，应为全角。",
    summary_en: "ASCII punctuation , : ; ? ! ( ) \" inside Chinese text, where full-width marks belong.",
    example: "2016年,李海峰返乡创业",
};

/// URLs and e-mail addresses, whose punctuation is never Chinese.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)(?:\b(?:https?|ftp)://|\bwww\.)[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").expect("valid regex")
});

impl Rule for HalfWidthPunct {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for group in line_groups(cx) {
            check_group(cx, &group, sink);
        }
    }
}

/// The page's paragraphs, then every non-blank line no paragraph holds, each on its own.
fn line_groups(cx: &Context<'_>) -> Vec<Vec<usize>> {
    let lines = &cx.page.lines;
    let mut covered = vec![false; lines.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for paragraph in &cx.page.paragraphs {
        let group: Vec<usize> = paragraph.iter().copied().filter(|&i| i < lines.len() && !covered[i]).collect();
        for &i in &group {
            covered[i] = true;
        }
        if !group.is_empty() {
            groups.push(group);
        }
    }
    for (i, line) in lines.iter().enumerate() {
        if !covered[i] && !line.range.is_empty() {
            groups.push(vec![i]);
        }
    }
    groups
}

/// One character of a paragraph: byte offset in the page, the character, and whether it lies in
/// a URL or e-mail address.
struct Slot {
    offset: usize,
    c: char,
    protected: bool,
}

fn check_group(cx: &Context<'_>, group: &[usize], sink: &mut Vec<Diagnostic>) {
    let interesting = group.iter().any(|&index| {
        cx.text
            .get(cx.page.lines[index].range.clone())
            .is_some_and(|content| content.bytes().any(|b| matches!(b, b',' | b':' | b';' | b'?' | b'!' | b'(' | b')' | b'"')))
    });
    if !interesting {
        return;
    }
    let mut slots: Vec<Slot> = Vec::new();
    for &index in group {
        let line = &cx.page.lines[index];
        let Some(content) = cx.text.get(line.range.clone()) else { continue };
        // Most lines hold no address: skip the regex unless one could be there.
        let may_hold_address = content.contains("://") || content.contains("www.") || content.contains("WWW.") || content.contains('@');
        let mut urls = URL.find_iter(if may_hold_address { content } else { "" }).map(|m| {
            let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            m.start()..m.start() + trimmed.len()
        });
        let mut current = urls.next();
        for (offset, c) in content.char_indices() {
            while current.as_ref().is_some_and(|range| range.end <= offset) {
                current = urls.next();
            }
            let protected = current.as_ref().is_some_and(|range| range.start <= offset && offset < range.end);
            slots.push(Slot { offset: line.range.start + offset, c, protected });
        }
    }
    let at = |k: Option<usize>| k.and_then(|k| slots.get(k)).map(|slot| slot.c);
    // Prefix counts of Chinese characters, to ask whether a parenthesis pair holds Chinese.
    let mut chinese_before = Vec::with_capacity(slots.len() + 1);
    chinese_before.push(0usize);
    for slot in &slots {
        chinese_before.push(chinese_before.last().copied().unwrap_or(0) + usize::from(is_cjk(slot.c)));
    }
    let mut flagged = vec![false; slots.len()];
    // Parentheses: pair them, then judge each pair as a whole.
    let mut stack: Vec<usize> = Vec::new();
    let mut paired = vec![false; slots.len()];
    for k in 0..slots.len() {
        if slots[k].protected {
            continue;
        }
        match slots[k].c {
            '(' => stack.push(k),
            ')' => {
                if let Some(open) = stack.pop() {
                    paired[open] = true;
                    paired[k] = true;
                    let before = at(open.checked_sub(1));
                    let after = at(Some(k + 1));
                    let holds_chinese = chinese_before[k] > chinese_before[open + 1];
                    let chinese = holds_chinese
                        || before.is_some_and(is_cjk)
                        || (!before.is_some_and(|c| c.is_ascii_alphanumeric()) && after.is_some_and(is_cjk));
                    if chinese {
                        flagged[open] = true;
                        flagged[k] = true;
                    }
                }
            }
            _ => {}
        }
    }
    let mut quote_open = false;
    for k in 0..slots.len() {
        let slot = &slots[k];
        if slot.protected {
            continue;
        }
        let prev = at(k.checked_sub(1));
        let next = at(Some(k + 1));
        let replacement = match slot.c {
            ',' | ':' | ';' => {
                if prev.is_some_and(is_digit) && next.is_some_and(is_digit) {
                    continue;
                }
                if !(prev.is_some_and(is_cjk) || next.is_some_and(is_cjk)) {
                    continue;
                }
                match slot.c {
                    ',' => '，',
                    ':' => '：',
                    _ => '；',
                }
            }
            '?' | '!' => {
                let mut p = k;
                while p > 0 && matches!(slots[p - 1].c, '?' | '!') {
                    p -= 1;
                }
                let mut n = k + 1;
                while n < slots.len() && matches!(slots[n].c, '?' | '!') {
                    n += 1;
                }
                let prev = at(p.checked_sub(1));
                if prev.is_some_and(|c| c.is_ascii_alphabetic()) {
                    continue;
                }
                if !(prev.is_some_and(is_cjk) || at(Some(n)).is_some_and(is_cjk)) {
                    continue;
                }
                if slot.c == '?' {
                    '？'
                } else {
                    '！'
                }
            }
            '(' | ')' => {
                let chinese = if paired[k] { flagged[k] } else { prev.is_some_and(is_cjk) || next.is_some_and(is_cjk) };
                if !chinese {
                    continue;
                }
                if slot.c == '(' {
                    '（'
                } else {
                    '）'
                }
            }
            '"' => {
                let opening = if prev.is_none_or(|c| c.is_whitespace() || is_opening(c) || matches!(c, '：' | ':' | '\u{3000}')) {
                    true
                } else if next.is_none_or(|c| {
                    c.is_whitespace()
                        || matches!(c, '，' | '。' | '；' | '、' | '！' | '？' | '：' | ',' | '.' | ';' | '!' | '?')
                        || crate::chars::is_closing(c)
                }) {
                    false
                } else {
                    !quote_open
                };
                quote_open = opening;
                // Look past ASCII marks next to the quote (`吗?"`, `,"好`) for the Chinese context.
                let ascii_mark = |c: char| matches!(c, ',' | '.' | ';' | ':' | '?' | '!');
                let mut p = k;
                while p > 0 && ascii_mark(slots[p - 1].c) {
                    p -= 1;
                }
                let mut n = k + 1;
                while n < slots.len() && ascii_mark(slots[n].c) {
                    n += 1;
                }
                if !(at(p.checked_sub(1)).is_some_and(is_cjk) || at(Some(n)).is_some_and(is_cjk)) {
                    continue;
                }
                if opening {
                    '“'
                } else {
                    '”'
                }
            }
            _ => continue,
        };
        let range = slot.offset..slot.offset + slot.c.len_utf8();
        let shown = excerpt_slots(&slots, k);
        let half = slot.c;
        sink.push(cx.diagnostic(
            &INFO,
            range.clone(),
            Message::new(
                format!("中文中的半角标点“{half}”应为全角“{replacement}”：“{shown}”"),
                format!("ASCII “{half}” in Chinese text should be “{replacement}”: “{shown}”"),
            ),
            vec![Fix::safe(
                Message::new(format!("改为全角“{replacement}”"), format!("Replace with “{replacement}”")),
                vec![Edit::replace(range, replacement.to_string())],
            )],
        ));
    }
}

/// Up to three characters either side of slot `k`, for the message.
fn excerpt_slots(slots: &[Slot], k: usize) -> String {
    let from = k.saturating_sub(3);
    let to = (k + 4).min(slots.len());
    slots[from..to].iter().map(|slot| slot.c).collect()
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
        assert!(found("\n\n").is_empty());
    }

    #[test]
    fn crlf_and_wrapped_lines() {
        assert_eq!(fixed("村里分配到户,\r\n每户一份;\r\n好吗?"), "村里分配到户，\r\n每户一份；\r\n好吗？");
    }

    #[test]
    fn astral_and_emoji_neighbours() {
        assert_eq!(fixed("𠮷,𠮷"), "𠮷，𠮷");
        assert!(found("😀,😀").is_empty());
    }

    #[test]
    fn quotes_alternate() {
        assert_eq!(fixed("他说:\"好的,马上安排!\"大家组建\"尖刀班\"\"战斗队\"等"), "他说：“好的，马上安排！”大家组建“尖刀班”“战斗队”等");
    }

    #[test]
    fn numbers_urls_latin() {
        assert!(found("收入1,000元，3:30出发，比分3:1，网址https://www.example.com/a?b=1,c=2，喊SOS!").is_empty());
    }
}
