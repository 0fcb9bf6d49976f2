//! `known-misreading`: the team's known OCR misreadings, listed in `kanwu.toml` under
//! `[misreadings]` (`接糕 = "接羔"`).
//!
//! Matching is leftmost-longest (aho-corasick), so of `接糕` and `接糕羊` the longer wins.
//! A misreading broken by a line wrap (`接⏎糕`) is found too: the text is searched with the line
//! breaks between two non-blank lines removed (never across a blank line). The fix keeps the line
//! break where it is: only the characters that differ are replaced; when the differing part itself
//! straddles the break, the corrected text goes before the break and the rest after it is deleted.
//! A match that already sits inside the correct form (the correct form contains the misreading)
//! is not reported, so fixing never loops.

use crate::chars::excerpt;
use crate::page::LineKind;
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// Finds the configured misreadings.
pub struct KnownMisreading;

static INFO: RuleInfo = RuleInfo {
    code: "known-misreading",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Block,
    summary_zh: "配置文件 [misreadings] 中登记的已知误识别词。",
    summary_en: "A known misreading listed under [misreadings] in kanwu.toml.",
    example: "开展接糕保育工作",
};

/// The automaton for the last misreading list seen, rebuilt only when the list changes.
type Cached = (Vec<(String, String)>, Arc<AhoCorasick>);
static CACHE: Mutex<Option<Cached>> = Mutex::new(None);

fn automaton(pairs: &[(String, String)]) -> Option<Arc<AhoCorasick>> {
    let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached_pairs, automaton)) = cache.as_ref() {
        if cached_pairs.as_slice() == pairs {
            return Some(Arc::clone(automaton));
        }
    }
    let built =
        AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(pairs.iter().map(|(wrong, _)| wrong.as_str())).ok()?;
    let built = Arc::new(built);
    *cache = Some((pairs.to_vec(), Arc::clone(&built)));
    Some(built)
}

/// The page with wraps removed: `joined` and, for each piece, its start in `joined` and in the page.
struct Joined {
    joined: String,
    pieces: Vec<(usize, usize)>,
}

impl Joined {
    fn build(cx: &Context<'_>) -> Joined {
        let mut joined = String::with_capacity(cx.text.len());
        let mut pieces = Vec::new();
        let lines = &cx.page.lines;
        for (index, line) in lines.iter().enumerate() {
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            let joins_next = line.kind != LineKind::Blank
                && !content.trim().is_empty()
                && lines.get(index + 1).is_some_and(|next| next.kind != LineKind::Blank && !cx.text[next.range.clone()].trim().is_empty());
            pieces.push((joined.len(), line.range.start));
            joined.push_str(content);
            if !joins_next {
                // Keep the terminator, so no match runs across a blank line or paragraph end.
                let terminator = &cx.text[line.range.end..line.next_start];
                if !terminator.is_empty() {
                    pieces.push((joined.len(), line.range.end));
                    joined.push_str(terminator);
                }
            }
        }
        Joined { joined, pieces }
    }

    /// Page offset of a joined offset that starts a character.
    fn start_of(&self, at: usize) -> usize {
        let piece = self.pieces.partition_point(|&(start, _)| start <= at) - 1;
        let (joined_start, page_start) = self.pieces[piece];
        page_start + (at - joined_start)
    }

    /// Page offset just past the character that ends before joined offset `at`.
    fn end_of(&self, at: usize) -> usize {
        let piece = self.pieces.partition_point(|&(start, _)| start < at) - 1;
        let (joined_start, page_start) = self.pieces[piece];
        page_start + (at - joined_start)
    }

    /// Page ranges covered by the joined range `range`, one per piece.
    fn page_ranges(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let first = self.pieces.partition_point(|&(start, _)| start <= range.start) - 1;
        for piece in first..self.pieces.len() {
            let (joined_start, page_start) = self.pieces[piece];
            let joined_end = self.pieces.get(piece + 1).map_or(self.joined.len(), |&(start, _)| start);
            if joined_start >= range.end {
                break;
            }
            let from = range.start.max(joined_start);
            let to = range.end.min(joined_end);
            if from < to {
                out.push(page_start + (from - joined_start)..page_start + (to - joined_start));
            }
        }
        out
    }
}

impl Rule for KnownMisreading {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let pairs = &cx.config.misreadings;
        if pairs.is_empty() || cx.text.is_empty() {
            return;
        }
        let Some(automaton) = automaton(pairs) else { return };
        let joined = Joined::build(cx);
        let hay = joined.joined.as_str();
        for found in automaton.find_iter(hay) {
            let (wrong, right) = &pairs[found.pattern().as_usize()];
            if wrong == right || inside_correct_form(hay, found.start(), wrong, right) {
                continue;
            }
            let start = joined.start_of(found.start());
            let end = joined.end_of(found.end());
            let edits = edits_for(&joined, found.range(), wrong, right);
            if edits.is_empty() {
                continue;
            }
            let shown = excerpt(cx.text, start..end, 3).replace(['\r', '\n'], "⏎");
            let broken = joined.page_ranges(found.range()).len() > 1;
            let (note_zh, note_en) = if broken { ("（跨行）", " (across a line break)") } else { ("", "") };
            sink.push(cx.diagnostic(
                &INFO,
                start..end,
                Message::new(
                    format!("已知误识别“{wrong}”{note_zh}，应为“{right}”：“{shown}”"),
                    format!("Known misreading “{wrong}”{note_en} should be “{right}”: “{shown}”"),
                ),
                vec![Fix::safe(Message::new(format!("改为“{right}”"), format!("Replace with “{right}”")), edits)],
            ));
        }
    }
}

/// True when the misreading found at `start` is part of an occurrence of the correct form
/// (`粮` inside `粮食` for `粮 = "粮食"`).
fn inside_correct_form(hay: &str, start: usize, wrong: &str, right: &str) -> bool {
    right.match_indices(wrong).any(|(k, _)| start >= k && hay.get(start - k..).is_some_and(|rest| rest.starts_with(right)))
}

/// The edits turning the match into the correct form without touching the line break: the
/// common prefix and suffix of both forms are kept.
fn edits_for(joined: &Joined, found: Range<usize>, wrong: &str, right: &str) -> Vec<Edit> {
    let prefix: usize = wrong.chars().zip(right.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let wrong_rest = &wrong[prefix..];
    let right_rest = &right[prefix..];
    let suffix: usize = wrong_rest.chars().rev().zip(right_rest.chars().rev()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let differing = found.start + prefix..found.end - suffix;
    let replacement = &right_rest[..right_rest.len() - suffix];
    let ranges = joined.page_ranges(differing.clone());
    if ranges.is_empty() {
        // Pure insertion: the misreading dropped characters.
        let at = if differing.start > found.start { joined.end_of(differing.start) } else { joined.start_of(differing.start) };
        return vec![Edit::insert(at, replacement)];
    }
    let mut edits = Vec::with_capacity(ranges.len());
    for (k, range) in ranges.into_iter().enumerate() {
        if k == 0 {
            edits.push(Edit::replace(range, replacement));
        } else {
            edits.push(Edit::delete(range));
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::INFO;
    use crate::fixer::FixOptions;
    use crate::{analyze, fix_text, Config, Diagnostic};

    fn config() -> Config {
        Config::parse("[misreadings]\n\"接糕\" = \"接羔\"\n\"接糕羊\" = \"接羔羊\"\n\"粮\" = \"粮食\"\n\"𠮷祥\" = \"吉祥\"\n\"牧民门\" = \"牧民们\"\n", None).unwrap()
    }

    fn found(text: &str) -> Vec<Diagnostic> {
        analyze(text, &config()).into_iter().filter(|d| d.code == INFO.code).collect()
    }

    fn fixed(text: &str) -> String {
        let options = FixOptions { only_rules: vec![INFO.code.to_string()], keep_lines: false };
        fix_text(text, &config(), &options).text
    }

    #[test]
    fn empty_input_and_no_config() {
        assert!(found("").is_empty());
        let none: Vec<_> = analyze("接糕", &Config::with_defaults()).into_iter().filter(|d| d.code == INFO.code).collect();
        assert!(none.is_empty());
    }

    #[test]
    fn across_crlf_wrap_and_not_across_blank_lines() {
        assert_eq!(fixed("开展接\r\n糕工作"), "开展接\r\n羔工作");
        assert_eq!(fixed("开展接糕\r\n工作"), "开展接羔\r\n工作");
        assert!(found("开展接\n\n糕工作").is_empty());
    }

    #[test]
    fn straddling_difference_keeps_the_break() {
        assert_eq!(fixed("牧民\n门都来了"), "牧民\n们都来了");
        assert_eq!(fixed("牧\n民门"), "牧\n民们");
    }

    #[test]
    fn longest_match_astral_emoji_and_no_loop() {
        assert_eq!(fixed("😀接糕羊𠮷祥"), "😀接羔羊吉祥");
        assert!(found("粮食").is_empty());
        assert_eq!(fixed("余粮"), "余粮食");
    }
}
