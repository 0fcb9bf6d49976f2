//! `repeated-word`: a word printed twice by mistake inside a clause, or a character repeated where a
//! column breaks.
//!
//! Each logical paragraph is rejoined across its wraps and blank splits (the spaces around each line
//! trimmed) and segmented with jieba. Two findings:
//!
//! * **A word or short phrase immediately repeated**: one to three tokens of at least two Chinese
//!   characters in all, followed by the same tokens with nothing between (`储备口罩口罩物资`,
//!   `党员先锋岗党员先锋岗`). Legitimate reduplication is left alone: AABB and ABB forms are single
//!   tokens (`踏踏实实`, `一个个`), AA forms are single characters (`层层`, `看看`), ABAB verbs,
//!   adjectives and onomatopoeia come from an allow-list (`研究研究`, `雪白雪白`, `哗啦哗啦`), as do
//!   numeral-measure pairs (`一步一步`) and `看一看看一看`. The safe fix deletes the second copy.
//!   The same repeat with a space between (`口罩 口罩`) is reported with a suggested fix only, and
//!   not at all on a page that has lost its quotation marks, where the space stands for a quote and
//!   the repeat is two quoted mentions.
//! * **A character repeated across a break** (`…病毒` ⏎ `毒核酸…`): the last character of a line is
//!   also the first of the line it continues into, the pair is not a dictionary word (`层层`, `天天`),
//!   not part of a longer word (`一个` ⏎ `个`, `干` ⏎ `干净净`) and not two words that legitimately
//!   meet (`目的` ⏎ `的确`). When the first copy ends a longer word and the second stands alone as a
//!   content character (`病毒`/`毒`/`核酸`), deleting the second copy is certain and the fix is safe.
//!   When both copies stand alone and the character is a function word (`在`, `都`, `也`), the repeat
//!   is reported with a suggested fix: deletion is very likely right but the segmenter may be wrong.
//!   Everything else (an AA verb `说` ⏎ `说`, a word ending in `的` followed by `的`) is left alone.
//!
//! Lines that `doubled-text` reports are skipped: their repeats belong to that rule.

use crate::chars::{is_chinese_numeral, is_han, is_horizontal_space};
use crate::rules::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::lexicon::{is_dictionary_word, jieba};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use std::ops::Range;

/// Finds words repeated by mistake inside a clause or across a column break.
pub struct RepeatedWord;

static INFO: RuleInfo = RuleInfo {
    code: "repeated-word",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Mixed,
    layout: false,
    scope: Scope::Block,
    summary_zh: "同一分句中词语被误重复，或换行处的字在下一行行首重复。",
    summary_en: "A word repeated by mistake within a clause, or a character repeated across a column break.",
    example: "组织志愿者志愿者上门",
};

/// Words commonly reduplicated as ABAB: verbs (`研究研究`), vivid adjectives (`雪白雪白`),
/// onomatopoeia (`哗啦哗啦`) and set phrases of speech (`谢谢谢谢`, `加油加油`).
const ABAB_WORDS: &[&str] = &[
    // Verbs tried out, "do a little".
    "研究", "讨论", "商量", "学习", "休息", "考虑", "打扫", "收拾", "整理", "活动", "锻炼", "介绍", "了解", "检查", "准备", "帮助", "练习",
    "琢磨", "溜达", "比划", "体验", "尝试", "思考", "交流", "沟通", "放松", "调整", "关心", "指导", "分析", "打听", "清理", "修理", "修改",
    "观察", "参观", "表扬", "批评", "教育", "摸索", "折腾", "熟悉", "品尝", "享受", "感受", "见识", "合计", "思量", "盘算", "掂量", "拾掇",
    "念叨", "比较", "联系", "协调", "梳理", "开导", "凉快", "暖和", "热闹", "高兴", "舒服", "轻松", "快活", "痛快", "乐呵", "开心", "精神",
    "明白", "清醒", "活络", "请教", "问候", "看望", "走动", "串门", // Vivid adjectives.
    "雪白", "通红", "冰凉", "笔直", "漆黑", "火红", "金黄", "蜡黄", "碧绿", "滚烫", "冰冷", "乌黑", "喷香", "粉红", "蔚蓝", "湛蓝", "鲜红",
    "雪亮", "通亮", "透亮", "瓦蓝", "溜圆", "滚圆", "焦黄", "煞白", "黢黑", "崭新", "翠绿", "嫩绿", "稀烂", "精光", "笔挺", "锃亮",
    // Onomatopoeia.
    "哗啦", "嘀嗒", "滴答", "叮当", "叮咚", "扑通", "咕噜", "轰隆", "噼啪", "呼啦", "吱呀", "咯吱", "哐当", "咕咚", "扑哧", "嘎吱", "扑棱",
    // Speech.
    "再见", "你好", "加油", "快点", "慢点", "好的", "是的", "对的", "谢谢", "小心", "来了", "走了", "对了", "行了", "好了", "算了",
];

/// Measure words said step by step after a numeral: `一步一步`, `一点一点`, `一天一天`.
const MEASURE_WORDS: &str = "步次遍点天年月日个件家户层条批把片句回趟圈代轮张种位名棵只朵声滴页行排道座间级茬拨下口身笔";

/// True for a word or phrase that is legitimately said twice in a row: an ABAB word of the
/// allow-list, a numeral and measure word (`一步一步`), `看一看看一看`, or one character repeated
/// (`谢谢谢谢`); shared with `doubled-text`.
pub(super) fn is_legitimate_reduplication(unit: &str) -> bool {
    legitimate_unit(unit)
}

/// True for a word that is commonly said twice as ABAB (`研究研究`, `雪白雪白`); shared with
/// `doubled-text`, which leaves a whole line `研究研究` alone.
fn is_reduplicable_abab(word: &str) -> bool {
    ABAB_WORDS.contains(&word)
}

/// Tags of function words, which legitimately stand alone but are never said twice in a row.
fn is_function_tag(tag: &str) -> bool {
    tag.starts_with('u') || matches!(tag, "p" | "c" | "r" | "d" | "y" | "e")
}

impl Rule for RepeatedWord {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let doubled = cx.doubled_lines();
        for paragraph in &cx.page.paragraphs {
            // A doubled line cuts the paragraph: its repeats belong to `doubled-text`.
            let mut segment: Vec<usize> = Vec::new();
            for &index in paragraph {
                if doubled.get(index).copied().unwrap_or(false) {
                    check_segment(cx, &segment, sink);
                    segment.clear();
                } else {
                    segment.push(index);
                }
            }
            check_segment(cx, &segment, sink);
        }
    }
}

/// The text of consecutive lines of one paragraph, trimmed and joined, with a map back to the page.
struct Joined {
    text: String,
    /// Per line: start in `text`, start in the page, length in bytes.
    pieces: Vec<(usize, usize, usize)>,
}

impl Joined {
    fn build(cx: &Context<'_>, lines: &[usize]) -> Joined {
        let mut text = String::new();
        let mut pieces = Vec::new();
        for &index in lines {
            let Some(line) = cx.page.lines.get(index) else { continue };
            let Some(content) = cx.text.get(line.range.clone()) else { continue };
            let trimmed_start = content.trim_start_matches(is_horizontal_space);
            let trimmed = trimmed_start.trim_end_matches(is_horizontal_space);
            let page_start = line.range.start + (content.len() - trimmed_start.len());
            pieces.push((text.len(), page_start, trimmed.len()));
            text.push_str(trimmed);
        }
        Joined { text, pieces }
    }

    /// The page byte ranges of the joined range `range`, one per line it touches.
    fn page_ranges(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for &(joined_start, page_start, len) in &self.pieces {
            let (from, to) = (range.start.max(joined_start), range.end.min(joined_start + len));
            if from < to {
                out.push(page_start + from - joined_start..page_start + to - joined_start);
            }
        }
        out
    }
}

/// A token of the joined text: byte range and whether it is a word of Chinese text.
struct Token<'a> {
    word: &'a str,
    range: Range<usize>,
}

fn is_word_token(word: &str) -> bool {
    word.chars().any(is_han) && word.chars().all(|c| is_han(c) || c.is_alphanumeric())
}

fn is_space_token(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c == ' ' || c == '\u{00A0}')
}

/// Whether a repeated unit is a legitimate reduplication rather than an error.
fn legitimate_unit(unit: &str) -> bool {
    let chars: Vec<char> = unit.chars().collect();
    if chars.len() < 2 {
        return true;
    }
    if chars.iter().all(|&c| c == chars[0]) {
        // `谢谢谢谢`, `哈哈哈哈`, `慢慢慢慢`.
        return true;
    }
    if is_reduplicable_abab(unit) {
        return true;
    }
    // Numeral and measure word said step by step: `一步一步`, `一次一次`, `两个两个`.
    if chars.len() == 2 && is_chinese_numeral(chars[0]) && MEASURE_WORDS.contains(chars[1]) {
        return true;
    }
    // `看一看看一看`.
    chars.len() == 3 && chars[1] == '一' && chars[0] == chars[2]
}

fn check_segment(cx: &Context<'_>, lines: &[usize], sink: &mut Vec<Diagnostic>) {
    if lines.is_empty() {
        return;
    }
    let joined = Joined::build(cx, lines);
    if joined.text.is_empty() || !has_repeat_candidate(&joined) {
        return;
    }
    let tokens: Vec<Token<'_>> = jieba()
        .cut(&joined.text, false)
        .into_iter()
        .map(|token| Token { word: token.word, range: token.byte_start..token.byte_end })
        .collect();
    let mut flagged: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(found) = repeat_at(&tokens, i) {
            report_repeat(cx, &joined, &tokens, &found, sink);
            flagged.push(tokens[found.first].range.start..tokens[found.end - 1].range.end);
            i = found.end;
        } else if let Some((unit, second)) = partial_repeat_at(&joined.text, &tokens, i) {
            report(cx, &joined, unit, second.clone(), second.clone(), false, sink);
            flagged.push(tokens[i].range.start..second.end);
            i += 2;
        } else {
            i += 1;
        }
    }
    // Characters repeated where one line continues into the next.
    for pair in joined.pieces.windows(2) {
        let at = pair[1].0;
        if pair[0].2 == 0 || pair[1].2 == 0 || flagged.iter().any(|range| range.start < at && at < range.end) {
            continue;
        }
        check_junction(cx, &joined, &tokens, at, sink);
    }
}

/// The longest repeated unit, in characters, that the cheap pre-check looks for.
const CANDIDATE_MAX_CHARS: usize = 12;

/// Segmenting is the costly part: only segments that hold a unit of two or more characters
/// repeated back to back (spaces aside), or a character repeated where one line continues into
/// the next, can hold a finding, so every other segment is skipped without calling jieba.
fn has_repeat_candidate(joined: &Joined) -> bool {
    let chars: Vec<char> = joined.text.chars().filter(|c| !is_space_token(c.encode_utf8(&mut [0; 4]))).collect();
    for k in 2..=CANDIDATE_MAX_CHARS {
        if chars.len() < 2 * k {
            break;
        }
        let mut run = 0;
        for i in k..chars.len() {
            if chars[i] == chars[i - k] && is_han(chars[i]) {
                run += 1;
                if run >= k {
                    return true;
                }
            } else {
                run = 0;
            }
        }
    }
    joined.pieces.windows(2).any(|pair| {
        let before = &joined.text[pair[0].0..pair[0].0 + pair[0].2];
        let after = &joined.text[pair[1].0..pair[1].0 + pair[1].2];
        matches!((before.chars().next_back(), after.chars().next()), (Some(a), Some(b)) if a == b)
    })
}

/// A unit of `m` tokens starting at `first`, repeated up to `end` (exclusive token index), with an
/// optional space token between the first copy and the second.
struct Repeat {
    first: usize,
    tokens_per_unit: usize,
    spaced: bool,
    end: usize,
}

fn repeat_at(tokens: &[Token<'_>], i: usize) -> Option<Repeat> {
    for m in 1..=3 {
        if i + m > tokens.len() || !tokens[i..i + m].iter().all(|t| is_word_token(t.word)) {
            return None;
        }
        let unit: Vec<&str> = tokens[i..i + m].iter().map(|t| t.word).collect();
        let same_at =
            |at: usize| -> bool { at + m <= tokens.len() && tokens[at..at + m].iter().zip(&unit).all(|(token, word)| token.word == *word) };
        let (second, spaced) = if same_at(i + m) {
            (i + m, false)
        } else if i + m < tokens.len() && is_space_token(tokens[i + m].word) && same_at(i + m + 1) {
            (i + m + 1, true)
        } else {
            continue;
        };
        let unit_text: String = unit.concat();
        if legitimate_unit(&unit_text) {
            continue;
        }
        let mut end = second + m;
        if !spaced {
            while same_at(end) {
                end += m;
            }
            // `学习学习再学习`, `坚持坚持再坚持`: a rhetorical repeat, not an error.
            if end < tokens.len() && matches!(tokens[end].word, "再" | "又" | "还" | "更") && same_at(end + 1) {
                return None;
            }
        }
        return Some(Repeat { first: i, tokens_per_unit: m, spaced, end });
    }
    None
}

/// A word repeated across a token boundary where the segmenter merged one copy into a longer word:
/// `深入基层` + `基层`, `坚守` + `坚守岗位`. One copy must be a whole token and the repeated word a
/// dictionary word, so that `大学生` + `学生会` (neither copy whole) is left alone. Returns the word
/// and the joined range of its second copy.
fn partial_repeat_at<'a>(text: &'a str, tokens: &[Token<'a>], i: usize) -> Option<(&'a str, Range<usize>)> {
    let (left, right) = (tokens.get(i)?, tokens.get(i + 1)?);
    if !is_word_token(left.word) || !is_word_token(right.word) {
        return None;
    }
    let (word, second) = if right.word.len() > left.word.len() && right.word.starts_with(left.word) {
        (left.word, right.range.start..right.range.start + left.word.len())
    } else if left.word.len() > right.word.len() && left.word.ends_with(right.word) {
        (right.word, right.range.clone())
    } else {
        return None;
    };
    if word.chars().count() < 2 || !is_dictionary_word(word) || legitimate_unit(word) {
        return None;
    }
    // `坚持坚持再坚持` written with a longer last word: leave rhetorical repeats alone.
    let after = text.get(second.end..)?;
    if let Some(rest) = after.strip_prefix(['再', '又', '还', '更']) {
        if rest.starts_with(word) {
            return None;
        }
    }
    Some((word, second))
}

fn report_repeat(cx: &Context<'_>, joined: &Joined, tokens: &[Token<'_>], found: &Repeat, sink: &mut Vec<Diagnostic>) {
    let m = found.tokens_per_unit;
    let unit_range = tokens[found.first].range.start..tokens[found.first + m - 1].range.end;
    let unit = &joined.text[unit_range.clone()];
    let copies_start = if found.spaced { tokens[found.first + m].range.start } else { unit_range.end };
    let copies_end = tokens[found.end - 1].range.end;
    let second_start = if found.spaced { tokens[found.first + m + 1].range.start } else { unit_range.end };
    report(cx, joined, unit, second_start..copies_end, copies_start..copies_end, found.spaced, sink);
}

/// Reports the repeat of `unit` whose extra copies are `shown` (joined bytes); the fix deletes
/// `deleted` (the copies, and the space before them when `spaced`).
fn report(
    cx: &Context<'_>,
    joined: &Joined,
    unit: &str,
    shown: Range<usize>,
    deleted: Range<usize>,
    spaced: bool,
    sink: &mut Vec<Diagnostic>,
) {
    if spaced && cx.page.lost_quotes {
        // The space stands for a lost quotation mark: two quoted mentions, not an error.
        return;
    }
    let pieces = joined.page_ranges(shown);
    let (Some(first_piece), Some(last_piece)) = (pieces.first(), pieces.last()) else { return };
    let range = first_piece.start..last_piece.end;
    let edits: Vec<Edit> = joined.page_ranges(deleted).into_iter().map(Edit::delete).collect();
    let title = Message::new(format!("删除重复的“{unit}”"), format!("Delete the repeated “{unit}”"));
    let (zh, en, fix) = if spaced {
        (format!("“{unit}”隔着空格重复了一次"), format!("“{unit}” is repeated after a space"), Fix::suggested(title, edits))
    } else {
        (format!("“{unit}”重复了"), format!("“{unit}” is repeated"), Fix::safe(title, edits))
    };
    sink.push(cx.diagnostic(&INFO, range, Message::new(zh, en), vec![fix]));
}

/// The index of the token holding joined byte `at`.
fn token_at(tokens: &[Token<'_>], at: usize) -> Option<usize> {
    let index = tokens.partition_point(|token| token.range.end <= at);
    tokens.get(index).filter(|token| token.range.start <= at).map(|_| index)
}

fn check_junction(cx: &Context<'_>, joined: &Joined, tokens: &[Token<'_>], at: usize, sink: &mut Vec<Diagnostic>) {
    let text = &joined.text;
    let (Some(c1), Some(c2)) = (text[..at].chars().next_back(), text[at..].chars().next()) else { return };
    if c1 != c2 || !is_han(c1) {
        return;
    }
    let pair: String = [c1, c2].iter().collect();
    let before = text[..at - c1.len_utf8()].chars().next_back();
    let mut after = text[at + c2.len_utf8()..].chars();
    let (next, next_next) = (after.next(), after.next());
    if before == Some(c1) || (next.is_some() && next == next_next) {
        // `哈哈` ⏎ `哈`, AABB across the break: `干` ⏎ `干净净`.
        return;
    }
    let (Some(left), Some(right)) = (token_at(tokens, at - c1.len_utf8()), token_at(tokens, at)) else { return };
    if left == right {
        // One word across the break: `一个` ⏎ `个`, `踏踏` ⏎ `实实`.
        return;
    }
    let left_word = tokens[left].word;
    let right_word = tokens[right].word;
    if is_dictionary_word(&format!("{left_word}{c2}")) {
        // ABB: `一道` ⏎ `道`, `红彤` ⏎ `彤`.
        return;
    }
    let left_single = left_word.chars().count() == 1;
    let right_single = right_word.chars().count() == 1;
    let function = jieba().tag(&c1.to_string(), false).first().is_some_and(|tag| is_function_tag(tag.tag));
    let safe = match (left_single, right_single) {
        // `病毒` ⏎ `毒核酸`: the first copy ends a word and the segmenter leaves the second alone,
        // preferring that reading to the reduplication `毒毒` even where it is a word (`活活`).
        (false, true) if !function => true,
        // `他在` ⏎ `在家里`, `也` ⏎ `也许`: a function word said twice, unless the pair is a word
        // (`常常`, `刚刚`) or a reduplication the segmenter knows (`层层`, `人人`).
        (true, _) if function && !is_dictionary_word(&pair) => false,
        _ => return,
    };
    let pieces = joined.page_ranges(at..at + c2.len_utf8());
    let Some(range) = pieces.first().cloned() else { return };
    let shown_left: String = {
        let mut taken: Vec<char> = text[..at].chars().rev().take(6).collect();
        taken.reverse();
        taken.into_iter().collect()
    };
    let shown_right: String = text[at..].chars().take(6).collect();
    let title = Message::new(format!("删除行首重复的“{c2}”"), format!("Delete the repeated “{c2}” at the start of the line"));
    let edits = vec![Edit::delete(range.clone())];
    let fix = if safe { Fix::safe(title, edits) } else { Fix::suggested(title, edits) };
    sink.push(cx.diagnostic(
        &INFO,
        range,
        Message::new(
            format!("“{c2}”在换行处重复：“{shown_left}⏎{shown_right}”"),
            format!("“{c2}” is repeated across the line break: “{shown_left}⏎{shown_right}”"),
        ),
        vec![fix],
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
    fn empty_input() {
        assert!(found("").is_empty());
        assert!(found("\r\n\r\n").is_empty());
    }

    #[test]
    fn word_repeated_in_a_clause() {
        let text = "要储备口罩口罩物资，做到有备无患。";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(&text[diagnostics[0].range.clone()], "口罩");
        assert_eq!(diagnostics[0].range.start, "要储备口罩".len());
        assert_eq!(fixed(text), "要储备口罩物资，做到有备无患。");
    }

    #[test]
    fn crlf_no_final_newline_and_astral() {
        assert_eq!(fixed("村里😀组织组织群众，\r\n𠮷祥村开展排查排查工作"), "村里😀组织群众，\r\n𠮷祥村开展排查工作");
    }

    #[test]
    fn reduplication_is_left_alone() {
        for text in [
            "大家要好好研究研究这个问题。",
            "踏踏实实做事，干干净净做人。",
            "一个个战斗堡垒层层落实。",
            "雪白雪白的羊群。",
            "一步一步往前走。",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn partial_token_repeats() {
        assert_eq!(fixed("要深入基层基层督导检查。"), "要深入基层督导检查。");
        assert_eq!(fixed("他们坚守坚守岗位。"), "他们坚守岗位。");
        assert!(found("他是大学生学生会主席。").is_empty());
    }

    #[test]
    fn spaced_repeats_are_suggested_and_quoted_mentions_left_alone() {
        let text = "各地要全面落实“四早”要求 落实 落实防控措施。";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].safe_fix().is_none());
        assert_eq!(fixed(text), text);
        let lost = "各村普遍设立党员先锋岗 党员先锋岗 就是群众身边的服务站，哪里有困难哪里就有党员的身影，受到欢迎。\n\
                    这种做法被群众亲切地称为 连心桥 ，让党员和群众的距离越来越近，也让农村牧区各项工作推进得更加顺利。";
        assert!(crate::Page::parse(lost).lost_quotes);
        assert!(found(lost).is_empty());
    }

    #[test]
    fn function_word_across_a_break_is_only_suggested() {
        let text = "疫情发生以来，他一直坚守在\n在防控一线，没有休息过一天。";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(&text[diagnostics[0].range.clone()], "在");
        assert!(diagnostics[0].safe_fix().is_none());
        assert!(found("这样做的目的\n的确是为了保护群众。").is_empty());
        assert!(found("要认真总结达到预期目的\n的方法，形成经验。").is_empty());
    }

    #[test]
    fn doubled_lines_are_left_to_doubled_text() {
        assert!(found("近日近日，，社区党员在街道社区党员在街道\n开展活动开展活动。。\n").is_empty());
    }

    #[test]
    fn character_repeated_across_a_wrap() {
        let text = "社区工作人员对返乡人员开展新冠病毒\n毒核酸检测，并及时上报检测结果。";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].safe_fix().is_some());
        assert_eq!(fixed(text), "社区工作人员对返乡人员开展新冠病毒\n核酸检测，并及时上报检测结果。");
    }
}
