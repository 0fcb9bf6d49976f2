//! `ellipsis`: ellipses written any way but the Chinese `……`.
//!
//! Flags, within a line:
//! - any run holding the mathematical midline ellipsis `⋯` (U+22EF), which PDF extraction yields
//!   for the Chinese ellipsis (`⋯⋯`, `⋯`);
//! - a run of `…` (U+2026) of odd length; a lone `…` only when Chinese text stands next to it
//!   (a lone `…` after Latin text is the English ellipsis);
//! - three or more ASCII dots `...` next to Chinese text;
//! - three or more `。`, `．`, `·` or `・`.
//!
//! The fix writes `……`: a run of n ellipsis characters becomes max(2, n rounded down to even)
//! `…` (so `………` becomes `……`, `⋯⋯⋯⋯` becomes `…………`); a run of up to six dots becomes `……`
//! and a longer one `…………`.

use crate::chars::{excerpt, is_cjk};
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds non-standard ellipses.
pub struct Ellipsis;

static INFO: RuleInfo = RuleInfo {
    code: "ellipsis",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "不规范的省略号（⋯⋯、...、。。。、单个…），应为“……”。",
    summary_en: "An ellipsis written as ⋯⋯, ..., 。。。 or a lone …, where Chinese uses ……",
    example: "茄子、豆角、南瓜⋯⋯",
};

impl Rule for Ellipsis {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for line in &cx.page.lines {
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            if !content.contains(['…', '⋯', '.', '。', '．', '·', '・']) {
                continue;
            }
            check_line(cx, line.range.start, content, sink);
        }
    }
}

/// The family of a run: characters that are each a whole ellipsis, or dots.
fn family(c: char) -> Option<u8> {
    match c {
        '…' | '⋯' => Some(0),
        '.' => Some(1),
        '。' => Some(2),
        '．' => Some(3),
        '·' => Some(4),
        '・' => Some(5),
        _ => None,
    }
}

fn check_line(cx: &Context<'_>, base: usize, content: &str, sink: &mut Vec<Diagnostic>) {
    let chars: Vec<(usize, char)> = content.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let Some(kind) = family(chars[i].1) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < chars.len() && family(chars[j].1) == Some(kind) {
            j += 1;
        }
        let n = j - i;
        let prev = i.checked_sub(1).map(|k| chars[k].1);
        let next = chars.get(j).map(|&(_, c)| c);
        let chinese_nearby = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        let replacement = match kind {
            0 => {
                let midline = chars[i..j].iter().any(|&(_, c)| c == '⋯');
                let wrong = midline || (n % 2 == 1 && (n > 1 || chinese_nearby));
                wrong.then(|| "…".repeat((n - n % 2).max(2)))
            }
            1 => (n >= 3 && chinese_nearby).then(|| dots(n)),
            _ => (n >= 3).then(|| dots(n)),
        };
        if let Some(replacement) = replacement {
            let start = base + chars[i].0;
            let end = base + chars.get(j).map_or(content.len(), |&(offset, _)| offset);
            let run = &cx.text[start..end];
            let shown = excerpt(cx.text, start..end, 3);
            sink.push(cx.diagnostic(
                &INFO,
                start..end,
                Message::new(
                    format!("省略号“{run}”不规范，应为“{replacement}”：“{shown}”"),
                    format!("Ellipsis “{run}” should be written “{replacement}”: “{shown}”"),
                ),
                vec![Fix::safe(
                    Message::new(format!("改为“{replacement}”"), format!("Replace with “{replacement}”")),
                    vec![Edit::replace(start..end, replacement)],
                )],
            ));
        }
        i = j;
    }
}

/// The Chinese ellipsis for a run of `n` dots: one for up to six dots, two beyond.
fn dots(n: usize) -> String {
    if n <= 6 {
        "……".to_string()
    } else {
        "…………".to_string()
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
        assert!(found("...").is_empty());
    }

    #[test]
    fn crlf_and_no_final_newline() {
        assert_eq!(fixed("青椒⋯⋯\r\n黄瓜。。。\r\n番茄..."), "青椒……\r\n黄瓜……\r\n番茄……");
    }

    #[test]
    fn astral_and_emoji() {
        assert_eq!(fixed("𠮷…𠮷"), "𠮷……𠮷");
        assert!(found("😀…😀").is_empty());
        assert_eq!(fixed("😀⋯⋯"), "😀……");
    }

    #[test]
    fn run_lengths() {
        assert_eq!(fixed("等等………"), "等等……");
        assert_eq!(fixed("等等⋯⋯⋯⋯"), "等等…………");
        assert!(found("等等……还有…………").is_empty());
        assert!(found("Loading… 3.14 1.2.3").is_empty());
    }
}
