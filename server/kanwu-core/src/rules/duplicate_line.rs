//! `duplicate-line`: a line of running text or a caption that the extraction emitted twice.
//!
//! Text boxes and captions are sometimes extracted twice, and a column's continuation is sometimes
//! emitted once where it stands and once more after the paragraph it ends. A line is reported when
//! its text (spaces ignored) has at least [`MIN_CHARS`] characters and clause punctuation, and
//! either equals an earlier line of the page, or equals the end of the text just before it (the
//! previous paragraph, or the earlier lines of its own paragraph). Bylines, credits, headlines and
//! section marks have no clause punctuation or are too short, so legitimately recurring heads
//! (`◎掠影`, `本报记者 苏晴`) are never reported. Lines are hashed, so the check is linear.
//!
//! The copy reported is the later one, except when the earlier copy stands alone as a paragraph
//! while the later one is joined to the lines around it: then the earlier copy is a column
//! continuation printed out of place, and it is the one deleted.
//!
//! The safe fix deletes the stray copy with its line terminator, and the blank lines before it
//! when it stood between blank lines, so that no double blank is left behind.

use crate::chars::is_horizontal_space;
use crate::page::LineKind;
use crate::rules::{Context, FixSafety, Rule, RuleInfo};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Finds lines that repeat an earlier line of the page.
pub struct DuplicateLine;

static INFO: RuleInfo = RuleInfo {
    code: "duplicate-line",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    summary_zh: "同一页中重复出现的整行文字或图片说明（被提取了两次）。",
    summary_en: "A line or caption that repeats another line of the same page (extracted twice).",
    example: "志愿者连夜清扫积雪，保障道路畅通。⏎志愿者连夜清扫积雪，保障道路畅通。",
};

/// A line needs at least this many characters, spaces not counted, to be reported.
const MIN_CHARS: usize = 8;

/// How many characters of a line a message quotes.
const SHOWN_CHARS: usize = 16;

impl Rule for DuplicateLine {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let lines = &cx.page.lines;
        // Lines compared without their spaces; most lines have none and are borrowed as they are.
        let normalized: Vec<Cow<'_, str>> = lines
            .iter()
            .map(|line| {
                let raw = cx.text.get(line.range.clone()).unwrap_or("");
                if raw.contains(is_horizontal_space) {
                    Cow::Owned(raw.chars().filter(|&c| !is_horizontal_space(c)).collect())
                } else {
                    Cow::Borrowed(raw)
                }
            })
            .collect();
        // Where each line stands in the paragraphs: (paragraph index, position in it).
        let mut place = vec![None; lines.len()];
        for (p, paragraph) in cx.page.paragraphs.iter().enumerate() {
            for (k, &index) in paragraph.iter().enumerate() {
                if let Some(slot) = place.get_mut(index) {
                    *slot = Some((p, k));
                }
            }
        }
        let mut first_seen: HashMap<&str, usize> = HashMap::new();
        let mut reported: HashSet<usize> = HashSet::new();
        for (index, line) in lines.iter().enumerate() {
            let text = normalized[index].as_ref();
            if !eligible(line.kind, text) {
                continue;
            }
            let earlier = match first_seen.get(text) {
                Some(&earlier) => Some(earlier),
                None => {
                    first_seen.insert(text, index);
                    None
                }
            };
            let repeats_tail = earlier.is_none() && place[index].is_some_and(|(p, k)| ends_with_line(cx, &normalized, p, k, text));
            if earlier.is_none() && !repeats_tail {
                continue;
            }
            // Normally the later copy is the stray one. But when the earlier copy stands alone as a
            // paragraph of its own while the later one is woven into its paragraph (`…以党建赋` ⏎⏎
            // `能点燃…`), the earlier copy is a column continuation printed out of place.
            let (stray, other) = match earlier {
                Some(earlier) if !anchored(&place, cx, earlier) && anchored(&place, cx, index) => (earlier, Some(index)),
                _ => (index, earlier),
            };
            if !reported.insert(stray) {
                continue;
            }
            let range = deletion(cx, stray);
            let shown = shorten(text);
            let message = match other {
                Some(other) => Message::new(
                    format!("这一行与第 {} 行重复：“{shown}”", other + 1),
                    format!("This line repeats line {}: “{shown}”", other + 1),
                ),
                None => Message::new(
                    format!("这一行重复了上文末尾的文字：“{shown}”"),
                    format!("This line repeats the end of the text before it: “{shown}”"),
                ),
            };
            sink.push(cx.diagnostic(
                &INFO,
                range.clone(),
                message,
                vec![Fix::safe(Message::new("删除重复的一行", "Delete the repeated line"), vec![Edit::delete(range)])],
            ));
        }
    }
}

/// True when line `index` is joined to another line of its paragraph by a wrap or blank split.
fn anchored(place: &[Option<(usize, usize)>], cx: &Context<'_>, index: usize) -> bool {
    place[index].is_some_and(|(p, _)| cx.page.paragraphs[p].len() > 1)
}

/// Long enough, with clause punctuation, and running text rather than a byline or credit.
fn eligible(kind: LineKind, text: &str) -> bool {
    matches!(kind, LineKind::Body | LineKind::Headline)
        && text.chars().count() >= MIN_CHARS
        && text.contains(['，', '。', '、', '；', '：', '？', '！', ',', ';', '?', '!'])
}

/// Whether the text before line `k` of paragraph `p` (the earlier lines of that paragraph, or the
/// whole previous paragraph when `k` is 0) ends with `text` and is longer than it.
fn ends_with_line(cx: &Context<'_>, normalized: &[Cow<'_, str>], p: usize, k: usize, text: &str) -> bool {
    let paragraphs = &cx.page.paragraphs;
    let before: &[usize] = if k > 0 {
        &paragraphs[p][..k]
    } else if p > 0 {
        &paragraphs[p - 1]
    } else {
        return false;
    };
    // Walk back over the lines, matching `text` from its end.
    let mut rest = text;
    let mut total = 0;
    for &index in before.iter().rev() {
        let line = normalized[index].as_ref();
        total += line.len();
        if rest.is_empty() {
            break;
        }
        if rest.len() <= line.len() {
            if !line.ends_with(rest) {
                return false;
            }
            rest = "";
        } else {
            if !rest.ends_with(line) {
                return false;
            }
            rest = &rest[..rest.len() - line.len()];
        }
    }
    rest.is_empty() && total > text.len()
}

/// The byte range deleted for the repeated line `index`.
fn deletion(cx: &Context<'_>, index: usize) -> std::ops::Range<usize> {
    let lines = &cx.page.lines;
    let line = &lines[index];
    let followed_by_blank = lines.get(index + 1).is_none_or(|next| next.kind == LineKind::Blank);
    let mut start = line.range.start;
    if followed_by_blank {
        let mut first_blank = index;
        while first_blank > 0 && lines[first_blank - 1].kind == LineKind::Blank {
            first_blank -= 1;
        }
        if first_blank < index && first_blank > 0 {
            start = lines[first_blank].range.start;
        }
    }
    start..line.next_start
}

/// At most [`SHOWN_CHARS`] characters of `text`, with `…` when cut.
fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
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
        assert!(found("\n").is_empty());
    }

    #[test]
    fn caption_extracted_twice() {
        let text = "近日，社区党员开展垃圾分类宣传。\n\n近日，社区党员开展垃圾分类宣传。\n\n下一段正文。\n";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(fixed(text), "近日，社区党员开展垃圾分类宣传。\n\n下一段正文。\n");
    }

    #[test]
    fn crlf_no_final_newline_astral() {
        assert_eq!(fixed("𠮷祥村开展排查，确保安全😀。\r\n\r\n𠮷祥村开展排查，确保安全😀。"), "𠮷祥村开展排查，确保安全😀。\r\n");
        assert_eq!(fixed("𠮷祥村开展排查，确保安全😀。\r\n𠮷祥村开展排查，确保安全😀。\r\n后记"), "𠮷祥村开展排查，确保安全😀。\r\n后记");
    }

    #[test]
    fn bylines_and_marks_recur() {
        assert!(found("◎掠影\n\n正文一。\n\n◎掠影\n\n本报记者 苏晴\n本报记者 苏晴\n").is_empty());
    }
}
