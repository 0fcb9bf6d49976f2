//! `unbalanced-bracket`: quotes, brackets and book-title marks without a partner in a paragraph.
//!
//! Pairs checked: “” ‘’ （） () 《》 〈〉 「」 『』 【】 〔〕, nesting aware, within a logical
//! paragraph (`page.paragraphs`, which rejoins wrapped lines and blank-line splits; as a fallback,
//! a paragraph that stops mid-sentence — no sentence-ending mark — runs on into the next one).
//! Full- and half-width parentheses pair with each other (`（APP)` is left to `half-width-punct`).
//! Not flagged:
//! - a quotation running over several paragraphs where each continuing paragraph opens with `“`
//!   (or `「`): the `“` left open at the end of a paragraph is legitimate when the next paragraph
//!   opens with one;
//! - `’` between Latin letters or digits (an apostrophe: `Xi’an`);
//! - `)` or `）` closing a list number at the start of a line (`1）`, `一）`, `a)`).
//!
//! Crossed pairs (`“（”）`) report the inner opener and the stray closer. The only fix is a
//! suggestion, offered where the missing partner's place is evident: two opening quotes in a row
//! with nothing closed between (`“敲门“行动`) or two closing quotes (`”敲门”`), where the second
//! (first) mark is most likely the partner printed the wrong way round.

use crate::chars::{excerpt, is_chinese_numeral, is_closing, is_horizontal_space, is_sentence_end};
use crate::page::LineKind;
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

/// Finds unpaired quotes and brackets.
pub struct UnbalancedBracket;

static INFO: RuleInfo = RuleInfo {
    code: "unbalanced-bracket",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Suggested,
    layout: false,
    scope: Scope::Block,
    summary_zh: "段落中没有配对的引号、括号或书名号。",
    summary_en: "A quote, bracket or book-title mark without its partner in the paragraph.",
    example: "向全体居民发出《告知书，提醒大家",
};

/// The closer of an opener.
fn closer_of(open: char) -> Option<char> {
    Some(match open {
        '“' => '”',
        '‘' => '’',
        '（' => '）',
        '(' => ')',
        '《' => '》',
        '〈' => '〉',
        '「' => '」',
        '『' => '』',
        '【' => '】',
        '〔' => '〕',
        _ => return None,
    })
}

/// The opener of a closer.
fn opener_of(close: char) -> Option<char> {
    Some(match close {
        '”' => '“',
        '’' => '‘',
        '）' => '（',
        ')' => '(',
        '》' => '《',
        '〉' => '〈',
        '」' => '「',
        '』' => '『',
        '】' => '【',
        '〕' => '〔',
        _ => return None,
    })
}

fn pairs(open: char, close: char) -> bool {
    closer_of(open) == Some(close) || (matches!(open, '(' | '（') && matches!(close, ')' | '）'))
}

fn is_quote(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’')
}

impl Rule for UnbalancedBracket {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let groups = groups(cx);
        for (k, group) in groups.iter().enumerate() {
            let continues_quote = groups.get(k + 1).and_then(|next| first_char(cx, next)).filter(|&c| matches!(c, '“' | '「'));
            Checker { cx, sink: &mut *sink, stack: Vec::new(), pending: None }.run(group, continues_quote);
        }
    }
}

/// Paragraphs (plus non-blank lines no paragraph holds), in page order, with a paragraph that
/// stops mid-sentence joined to the next.
fn groups(cx: &Context<'_>) -> Vec<Vec<usize>> {
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
        if !covered[i] && line.kind != LineKind::Blank && !line.range.is_empty() {
            groups.push(vec![i]);
        }
    }
    groups.sort_by_key(|group| group[0]);
    let mut merged: Vec<Vec<usize>> = Vec::with_capacity(groups.len());
    for group in groups {
        if let Some(last) = merged.last_mut() {
            if runs_on(cx, last, &group) {
                last.extend(group);
                continue;
            }
        }
        merged.push(group);
    }
    merged
}

/// True when `group` stops mid-sentence and `next` carries on the same running text.
fn runs_on(cx: &Context<'_>, group: &[usize], next: &[usize]) -> bool {
    let lines = &cx.page.lines;
    let body = |i: usize| lines.get(i).is_some_and(|line| line.kind == LineKind::Body);
    let (Some(&last), Some(&first)) = (group.last(), next.first()) else { return false };
    if !body(last) || !body(first) || first <= last {
        return false;
    }
    let tail = cx.text[lines[last].range.clone()].trim_end_matches(is_horizontal_space);
    match tail.chars().next_back() {
        Some(c) => !(is_sentence_end(c) || is_closing(c) || matches!(c, '：' | ':' | '—')),
        None => false,
    }
}

/// The first character of a group after its indent.
fn first_char(cx: &Context<'_>, group: &[usize]) -> Option<char> {
    let line = cx.page.lines.get(*group.first()?)?;
    cx.text.get(line.range.clone())?.trim_start_matches(is_horizontal_space).chars().next()
}

struct Checker<'a, 'b> {
    cx: &'a Context<'b>,
    sink: &'a mut Vec<Diagnostic>,
    /// Open marks: offset and character.
    stack: Vec<(usize, char)>,
    /// The last unmatched closing quote, while nothing else has happened since.
    pending: Option<(usize, char)>,
}

impl Checker<'_, '_> {
    fn run(&mut self, group: &[usize], continues_quote: Option<char>) {
        let text = self.cx.text;
        let mut prev: Option<char> = None;
        for &index in group {
            let line = &self.cx.page.lines[index];
            let Some(content) = text.get(line.range.clone()) else { continue };
            let mut chars = content.char_indices().peekable();
            while let Some((local, c)) = chars.next() {
                let next = chars.peek().map(|&(_, c)| c);
                let offset = line.range.start + local;
                if closer_of(c).is_some() {
                    self.flush_pending();
                    self.stack.push((offset, c));
                } else if opener_of(c).is_some() {
                    let apostrophe = c == '’'
                        && prev.is_some_and(|p| p.is_alphanumeric() && !crate::chars::is_han(p))
                        && next.is_some_and(|n| n.is_alphanumeric() && !crate::chars::is_han(n));
                    if !apostrophe && !list_marker(&content[..local], c) {
                        self.close(offset, c);
                    }
                }
                prev = Some(c);
            }
        }
        self.flush_pending();
        let mut remaining = std::mem::take(&mut self.stack);
        if let Some(quote) = continues_quote {
            if let Some(position) = remaining.iter().position(|&(_, c)| c == quote) {
                remaining.remove(position);
            }
        }
        let mut k = 0;
        while k < remaining.len() {
            let (offset, c) = remaining[k];
            if let Some(&(upper, upper_c)) = remaining.get(k + 1) {
                if upper_c == c && is_quote(c) {
                    self.reversed(upper, c, offset);
                    k += 2;
                    continue;
                }
            }
            self.unclosed(offset, c);
            k += 1;
        }
    }

    fn close(&mut self, offset: usize, c: char) {
        match self.stack.iter().rposition(|&(_, open)| pairs(open, c)) {
            Some(position) => {
                self.flush_pending();
                let crossed: Vec<(usize, char)> = self.stack.drain(position..).skip(1).collect();
                for (open_offset, open) in crossed {
                    self.unclosed(open_offset, open);
                }
            }
            None => {
                if let Some((pending, pending_c)) = self.pending {
                    if pending_c == c && is_quote(c) && self.stack.is_empty() {
                        self.pending = None;
                        self.reversed(pending, c, offset);
                        return;
                    }
                }
                self.flush_pending();
                if self.stack.is_empty() && is_quote(c) {
                    self.pending = Some((offset, c));
                } else {
                    self.unmatched(offset, c);
                }
            }
        }
    }

    fn flush_pending(&mut self) {
        if let Some((offset, c)) = self.pending.take() {
            self.unmatched(offset, c);
        }
    }

    fn unclosed(&mut self, offset: usize, open: char) {
        let close = closer_of(open).unwrap_or(open);
        let range = offset..offset + open.len_utf8();
        let shown = excerpt(self.cx.text, range.clone(), 6);
        self.sink.push(self.cx.diagnostic(
            &INFO,
            range,
            Message::new(
                format!("“{open}”在本段中没有配对的“{close}”：“{shown}”"),
                format!("“{open}” has no matching “{close}” in this paragraph: “{shown}”"),
            ),
            Vec::new(),
        ));
    }

    fn unmatched(&mut self, offset: usize, close: char) {
        let open = opener_of(close).unwrap_or(close);
        let range = offset..offset + close.len_utf8();
        let shown = excerpt(self.cx.text, range.clone(), 6);
        self.sink.push(self.cx.diagnostic(
            &INFO,
            range,
            Message::new(
                format!("“{close}”在本段中前面没有配对的“{open}”：“{shown}”"),
                format!("“{close}” has no matching “{open}” before it in this paragraph: “{shown}”"),
            ),
            Vec::new(),
        ));
    }

    /// Two quotes of one direction in a row: the mark at `offset` is probably its partner at
    /// `other` printed the wrong way round.
    fn reversed(&mut self, offset: usize, c: char, other: usize) {
        let partner = closer_of(c).or_else(|| opener_of(c)).unwrap_or(c);
        let range = offset..offset + c.len_utf8();
        let (from, to) = (offset.min(other), offset.max(other) + c.len_utf8());
        let shown = excerpt(self.cx.text, from..to, 2);
        self.sink.push(self.cx.diagnostic(
            &INFO,
            range.clone(),
            Message::new(
                format!("“{shown}”中两个“{c}”连用，此处可能应为“{partner}”"),
                format!("Two “{c}” in a row in “{shown}”; this one is probably “{partner}”"),
            ),
            vec![Fix::suggested(
                Message::new(format!("改为“{partner}”"), format!("Replace with “{partner}”")),
                vec![Edit::replace(range, partner.to_string())],
            )],
        ));
    }
}

/// True when `close` ends a list number at the start of a line (`1）`, `一）`, `a)`).
fn list_marker(before: &str, close: char) -> bool {
    if !matches!(close, ')' | '）') {
        return false;
    }
    let label = before.trim_start_matches(is_horizontal_space);
    let mut chars = label.chars();
    match (chars.next(), chars.clone().next()) {
        (None, _) => false,
        (Some(c), None) if c.is_ascii_alphabetic() => true,
        _ => label.chars().all(|c| c.is_ascii_digit() || is_chinese_numeral(c)),
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
        assert!(found("\n\n").is_empty());
    }

    #[test]
    fn crlf_wraps_and_no_final_newline() {
        assert!(found("开展“敲门”\r\n行动，发放《告知\r\n书》").is_empty());
        assert_eq!(found("开展“敲门\r\n行动。\r\n\r\n下一段。").len(), 1);
    }

    #[test]
    fn astral_and_emoji() {
        assert!(found("“𠮷”（😀）").is_empty());
        assert_eq!(found("𠮷“😀").len(), 1);
    }

    #[test]
    fn reversed_quote_gets_a_suggestion() {
        let diagnostics = found("开展“敲门“行动。");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].fixes[0].edits[0].new_text, "”");
        assert!(diagnostics[0].safe_fix().is_none());
    }

    #[test]
    fn multi_paragraph_quotation() {
        assert!(found("他说：“第一，要坚持。\n\n“第二，要落实。\n\n“第三，要总结。”").is_empty());
    }
}
