//! `dropped-quote`: a space standing where a quotation mark was lost, on a page that lost its quotes.

use super::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::chars::{is_cjk_punct, is_han};
use crate::page::LineKind;
use crate::spacing::{interior_space_runs, SpaceRun};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

pub struct DroppedQuote;

static INFO: RuleInfo = RuleInfo {
    code: "dropped-quote",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Mixed,
    layout: false,
    scope: Scope::Line,
    summary_zh: "页面丢失了引号，原引号处留下空格。",
    summary_en: "A space standing where a quotation mark was lost, on a page that lost its quotation marks.",
    example: "协助村 两委 开展排查",
};

/// The longest phrase, in characters, that two spaces may enclose to be read as one quotation.
const PAIRED_PHRASE_CHARS: usize = 10;

/// A lone space within this many characters of its clause's end (or start) likely opens (or closes) a quote.
const LONE_PHRASE_CHARS: usize = 8;

impl Rule for DroppedQuote {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        if !cx.page.lost_quotes {
            return;
        }
        let runs: Vec<SpaceRun> = interior_space_runs(cx.text, cx.page, &[LineKind::Body, LineKind::Headline])
            .into_iter()
            .filter(|run| is_han(run.left) && is_han(run.right))
            .collect();
        // Group the runs by clause: runs with no punctuation between them on the same line.
        let mut index = 0;
        while index < runs.len() {
            let mut end = index + 1;
            while end < runs.len()
                && runs[end].line == runs[index].line
                && !has_clause_break(&cx.text[runs[end - 1].range.end..runs[end].range.start])
            {
                end += 1;
            }
            check_clause(cx, &runs[index..end], sink);
            index = end;
        }
    }
}

/// Punctuation that ends a clause; a quotation never spans it in these pages' short quotes.
fn has_clause_break(between: &str) -> bool {
    between.contains(|c: char| is_cjk_punct(c) && !matches!(c, '·' | '—') || matches!(c, ',' | ';' | ':' | '!' | '?' | '(' | ')'))
}

/// Pairs the spaces of one clause into quotations, shortest enclosed phrase first, and reports each.
fn check_clause(cx: &Context<'_>, runs: &[SpaceRun], sink: &mut Vec<Diagnostic>) {
    let enclosed: Vec<usize> = runs.windows(2).map(|pair| cx.text[pair[0].range.end..pair[1].range.start].chars().count()).collect();
    // A one-character connector between two quotations (`“白加黑”和“五加二”`) is never itself quoted.
    let is_connector = |i: usize| {
        let between = &cx.text[runs[i].range.end..runs[i + 1].range.start];
        matches!(between, "和" | "与" | "及" | "或" | "的" | "跟" | "同" | "并" | "等" | "是" | "为" | "在")
    };
    let mut order: Vec<usize> = (0..enclosed.len()).filter(|&i| enclosed[i] <= PAIRED_PHRASE_CHARS && !is_connector(i)).collect();
    order.sort_by_key(|&i| (enclosed[i], i));
    let mut paired = vec![false; runs.len()];
    let mut pairs = Vec::new();
    for i in order {
        if !paired[i] && !paired[i + 1] {
            paired[i] = true;
            paired[i + 1] = true;
            pairs.push((i, i + 1));
        }
    }
    for (open, close) in pairs {
        let (open_run, close_run) = (&runs[open], &runs[close]);
        let phrase = &cx.text[open_run.range.end..close_run.range.start];
        let certain = phrase.chars().count() <= cx.config.tuning.quote_certain_chars;
        let edits = vec![Edit::replace(open_run.range.clone(), "“"), Edit::replace(close_run.range.clone(), "”")];
        let title = Message::new(format!("恢复引号：“{phrase}”"), format!("Restore the quotation marks: “{phrase}”"));
        let quote_fix = if certain { Fix::safe(title, edits) } else { Fix::suggested(title, edits) };
        for (run, mark_zh, mark_en) in [(open_run, "前引号", "opening"), (close_run, "后引号", "closing")] {
            let message = Message::new(
                format!("此处空格疑为丢失的{mark_zh}（“{phrase}”）"),
                format!("This space likely stands for a lost {mark_en} quotation mark (“{phrase}”)"),
            );
            sink.push(cx.diagnostic(&INFO, run.range.clone(), message, vec![quote_fix.clone(), delete_fix(run)]));
        }
    }
    let headline = |run: &SpaceRun| cx.page.lines[run.line].kind == LineKind::Headline;
    for (i, run) in runs.iter().enumerate() {
        // In a headline an unpaired space separates the headline's halves.
        if paired[i] || headline(run) {
            continue;
        }
        report_lone_space(cx, run, sink);
    }
}

/// A space with no partner: suggest an opening quote closed before the clause ends, or a closing
/// quote opened at the clause start, whichever phrase is short.
fn report_lone_space(cx: &Context<'_>, run: &SpaceRun, sink: &mut Vec<Diagnostic>) {
    let line = &cx.page.lines[run.line];
    let after = &cx.text[run.range.end..line.range.end];
    let phrase_after_len = after.find(|c: char| !is_han(c)).unwrap_or(after.len());
    let before = &cx.text[line.range.start..run.range.start];
    let phrase_before_start = before.rfind(|c: char| !is_han(c)).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let phrase_after = &after[..phrase_after_len];
    let phrase_before = &before[phrase_before_start..];
    let mut fixes = Vec::new();
    if (1..=LONE_PHRASE_CHARS).contains(&phrase_after.chars().count()) {
        let close_at = run.range.end + phrase_after_len;
        fixes.push(Fix::suggested(
            Message::new(format!("恢复引号：“{phrase_after}”"), format!("Restore the quotation marks: “{phrase_after}”")),
            vec![Edit::replace(run.range.clone(), "“"), Edit::insert(close_at, "”")],
        ));
    }
    if (1..=LONE_PHRASE_CHARS).contains(&phrase_before.chars().count()) {
        let open_at = line.range.start + phrase_before_start;
        fixes.push(Fix::suggested(
            Message::new(format!("恢复引号：“{phrase_before}”"), format!("Restore the quotation marks: “{phrase_before}”")),
            vec![Edit::insert(open_at, "“"), Edit::replace(run.range.clone(), "”")],
        ));
    }
    fixes.push(Fix::suggested(Message::new("改为前引号“", "Replace with an opening quote “"), vec![Edit::replace(run.range.clone(), "“")]));
    fixes.push(Fix::suggested(Message::new("改为后引号”", "Replace with a closing quote ”"), vec![Edit::replace(run.range.clone(), "”")]));
    fixes.push(delete_fix(run));
    let message = Message::new("此处空格疑为丢失的引号", "This space likely stands for a lost quotation mark");
    sink.push(cx.diagnostic(&INFO, run.range.clone(), message, fixes));
}

fn delete_fix(run: &SpaceRun) -> Fix {
    Fix::suggested(Message::new("删除空格", "Remove the space"), vec![Edit::delete(run.range.clone())])
}
