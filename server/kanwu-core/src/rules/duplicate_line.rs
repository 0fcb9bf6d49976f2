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
use crate::page::{Line, LineKind};
use crate::rules::{ChunkedCheck, ChunkedPage, ChunkedRule, Comparison, Context, FixSafety, Rule, RuleInfo, Scope};
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
    scope: Scope::Page,
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
        let facts = line_facts(cx, false);
        let keyed: Vec<&LineFact<'_>> = facts.iter().collect();
        // On a whole page every line's tail is known, so the fallback is never asked.
        for decision in decide(&keyed, |_| false) {
            let key = keyed[decision.stray].key.as_deref().unwrap_or("");
            sink.push(diagnostic(&cx.page.lines, decision.stray, decision.other, key));
        }
    }

    fn chunked(&self) -> Option<&dyn ChunkedCheck> {
        Some(self)
    }
}

/// The incremental analysis keeps each chunk's line facts, compares them over the page, and keeps
/// each chunk's diagnostics while its decisions (lines numbered within the chunk, the repeated line
/// on the page) stay the same.
impl ChunkedRule for DuplicateLine {
    type Facts = Vec<LineFact<'static>>;
    type Report = Decision;

    fn facts(&self, cx: &Context<'_>) -> Vec<LineFact<'static>> {
        line_facts(cx, true).into_iter().map(LineFact::into_owned).collect()
    }

    fn compare(&self, page: &ChunkedPage<'_, Vec<LineFact<'static>>>) -> Comparison<Decision> {
        let first_lines: Vec<usize> = page.chunks.iter().map(|chunk| chunk.first_line).collect();
        let chunk_of = |line: usize| first_lines.partition_point(|&first| first <= line).saturating_sub(1);
        let facts: Vec<&LineFact<'static>> = page.chunks.iter().flat_map(|chunk| chunk.facts.iter()).collect();
        // A tail left unknown belongs to the first line of a chunk's first paragraph: the text before
        // it is the previous paragraph of the page.
        let unknown_tail = |line: usize| {
            let Some(chunk) = page.chunks.get(chunk_of(line)) else { return false };
            let Some(key) = facts.get(line).and_then(|fact| fact.key.as_deref()) else { return false };
            let normalized = |index: usize| {
                let range = page.page.lines.get(index).map_or(0..0, |line| line.range.clone());
                without_spaces(page.text.get(range).unwrap_or(""))
            };
            ends_with_line(&page.page.paragraphs, normalized, chunk.first_paragraph, 0, key)
        };
        let mut per_chunk: Vec<Vec<Decision>> = vec![Vec::new(); page.chunks.len()];
        let mut whole = Vec::new();
        for decision in decide(&facts, unknown_tail) {
            let chunk = chunk_of(decision.stray);
            let local = decision.stray - first_lines[chunk];
            if local == 0 && chunk > 0 {
                // Its deletion may take the blank lines that end the chunk before.
                let key = page.chunks[chunk].facts.first().and_then(|fact| fact.key.as_deref());
                whole.push(diagnostic(&page.page.lines, decision.stray, decision.other, key.unwrap_or("")));
            } else {
                per_chunk[chunk].push(Decision { stray: local, other: decision.other });
            }
        }
        Comparison { per_chunk, whole }
    }

    fn diagnostics(&self, cx: &Context<'_>, facts: &Vec<LineFact<'static>>, reports: &[Decision]) -> Vec<Diagnostic> {
        reports
            .iter()
            .map(|decision| {
                let key = facts.get(decision.stray).and_then(|fact| fact.key.as_deref()).unwrap_or("");
                diagnostic(&cx.page.lines, decision.stray, decision.other, key)
            })
            .collect()
    }
}

/// What this rule knows of one line before lines are compared, found from its page (or chunk of
/// a page) alone, so that the incremental analysis can keep it per chunk.
#[derive(Clone, Debug)]
pub struct LineFact<'a> {
    /// The line's text without spaces, when the line can be reported at all (see [`eligible`]).
    key: Option<Cow<'a, str>>,
    /// Whether the line is joined to another line of its paragraph by a wrap or blank split.
    anchored: bool,
    /// Whether the text just before the line (the earlier lines of its paragraph, or the whole
    /// previous paragraph) ends with the line's text and is longer; `None` when that text may lie
    /// before the part of the page that was looked at (the first line of its first paragraph).
    tail: Option<bool>,
}

impl LineFact<'_> {
    /// The same facts, owning their text.
    fn into_owned(self) -> LineFact<'static> {
        LineFact { key: self.key.map(|key| Cow::Owned(key.into_owned())), anchored: self.anchored, tail: self.tail }
    }
}

/// One line to report: the stray copy and, when it repeats another line, that line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    stray: usize,
    other: Option<usize>,
}

/// The facts of every line of `cx.page`. With `continued`, the page is a chunk that may follow
/// other text, and the tail of the first line of its first paragraph is left unknown.
fn line_facts<'a>(cx: &Context<'a>, continued: bool) -> Vec<LineFact<'a>> {
    let lines = &cx.page.lines;
    let text: &'a str = cx.text;
    // Lines compared without their spaces; most lines have none and are borrowed as they are.
    let normalized: Vec<Cow<'a, str>> = lines.iter().map(|line| without_spaces(text.get(line.range.clone()).unwrap_or(""))).collect();
    // Where each line stands in the paragraphs: (paragraph index, position in it).
    let mut place = vec![None; lines.len()];
    for (p, paragraph) in cx.page.paragraphs.iter().enumerate() {
        for (k, &index) in paragraph.iter().enumerate() {
            if let Some(slot) = place.get_mut(index) {
                *slot = Some((p, k));
            }
        }
    }
    let mut facts = Vec::with_capacity(lines.len());
    for (index, (line, key)) in lines.iter().zip(normalized.iter()).enumerate() {
        let anchored = place[index].is_some_and(|(p, _)| cx.page.paragraphs[p].len() > 1);
        if !eligible(line.kind, key) {
            facts.push(LineFact { key: None, anchored, tail: Some(false) });
            continue;
        }
        let tail = match place[index] {
            None => Some(false),
            Some((0, 0)) if continued => None,
            Some((p, k)) => Some(ends_with_line(&cx.page.paragraphs, |line| Cow::Borrowed(normalized[line].as_ref()), p, k, key)),
        };
        facts.push(LineFact { key: Some(key.clone()), anchored, tail });
    }
    facts
}

/// Compares the lines of a whole page, given the facts of each line in page order: which lines
/// to report, in order. `unknown_tail` answers for a line whose tail its facts leave unknown.
fn decide(facts: &[&LineFact<'_>], mut unknown_tail: impl FnMut(usize) -> bool) -> Vec<Decision> {
    let mut first_seen: HashMap<&str, usize, foldhash::fast::FixedState> = HashMap::default();
    let mut reported: HashSet<usize, foldhash::fast::FixedState> = HashSet::default();
    let mut decisions = Vec::new();
    for (index, fact) in facts.iter().enumerate() {
        let Some(text) = fact.key.as_deref() else { continue };
        let earlier = match first_seen.get(text) {
            Some(&earlier) => Some(earlier),
            None => {
                first_seen.insert(text, index);
                None
            }
        };
        let repeats_tail = earlier.is_none() && fact.tail.unwrap_or_else(|| unknown_tail(index));
        if earlier.is_none() && !repeats_tail {
            continue;
        }
        // Normally the later copy is the stray one. But when the earlier copy stands alone as a
        // paragraph of its own while the later one is woven into its paragraph (`…以党建赋` ⏎⏎
        // `能点燃…`), the earlier copy is a column continuation printed out of place.
        let decision = match earlier {
            Some(earlier) if !facts[earlier].anchored && fact.anchored => Decision { stray: earlier, other: Some(index) },
            _ => Decision { stray: index, other: earlier },
        };
        if reported.insert(decision.stray) {
            decisions.push(decision);
        }
    }
    decisions
}

/// The diagnostic for the stray line `stray` of `lines`, whose text without spaces is `key`;
/// `other` is the line it repeats, numbered on the whole page.
fn diagnostic(lines: &[Line], stray: usize, other: Option<usize>, key: &str) -> Diagnostic {
    let range = deletion(lines, stray);
    let shown = shorten(key);
    let message = match other {
        Some(other) => {
            Message::new(format!("这一行与第 {} 行重复：“{shown}”", other + 1), format!("This line repeats line {}: “{shown}”", other + 1))
        }
        None => Message::new(
            format!("这一行重复了上文末尾的文字：“{shown}”"),
            format!("This line repeats the end of the text before it: “{shown}”"),
        ),
    };
    Diagnostic {
        range: range.clone(),
        code: INFO.code,
        severity: INFO.default_severity,
        message,
        fixes: vec![Fix::safe(Message::new("删除重复的一行", "Delete the repeated line"), vec![Edit::delete(range)])],
    }
}

/// `line` without its horizontal spaces (borrowed when it has none).
fn without_spaces(line: &str) -> Cow<'_, str> {
    if line.contains(is_horizontal_space) {
        Cow::Owned(line.chars().filter(|&c| !is_horizontal_space(c)).collect())
    } else {
        Cow::Borrowed(line)
    }
}

/// Long enough, with clause punctuation, and running text rather than a byline or credit.
fn eligible(kind: LineKind, text: &str) -> bool {
    matches!(kind, LineKind::Body | LineKind::Headline)
        && text.chars().count() >= MIN_CHARS
        && text.contains(['，', '。', '、', '；', '：', '？', '！', ',', ';', '?', '!'])
}

/// Whether the text before line `k` of paragraph `p` (the earlier lines of that paragraph, or the
/// whole previous paragraph when `k` is 0) ends with `text` and is longer than it; `normalized`
/// gives a line's text without spaces.
fn ends_with_line<'s>(paragraphs: &[Vec<usize>], normalized: impl Fn(usize) -> Cow<'s, str>, p: usize, k: usize, text: &str) -> bool {
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
        let line = normalized(index);
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
            if !rest.ends_with(line.as_ref()) {
                return false;
            }
            rest = &rest[..rest.len() - line.len()];
        }
    }
    rest.is_empty() && total > text.len()
}

/// The byte range deleted for the repeated line `index`.
fn deletion(lines: &[Line], index: usize) -> std::ops::Range<usize> {
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
