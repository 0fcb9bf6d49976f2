//! `cjk-space`: spaces between Chinese characters or punctuation left by justified-text extraction.
//!
//! Justified text is extracted with a space between every pair of characters of a stretched line
//! (`路 线 决 定 方 向 ，组 织 凝 聚 力 量`). Every flagged run of spaces of one physical line goes
//! into one diagnostic, from the first run to the last, whose single safe fix deletes each run on
//! its own (one edit per run, so an ignored run can be left out of the fix and the rest still
//! applied). A line with a single flagged run keeps a message naming the run's two neighbours.

use super::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::chars::is_han;
use crate::page::LineKind;
use crate::spacing::{between_cjk, inside_quotation, interior_space_runs, SpaceRun};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};
use std::ops::Range;

pub struct CjkSpace;

static INFO: RuleInfo = RuleInfo {
    code: "cjk-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    scope: Scope::Line,
    summary_zh: "两端对齐的文本抽取后在汉字或中文标点之间留下的空格。",
    summary_en: "Spaces between Chinese characters or punctuation left by justified-text extraction.",
    example: "深 化 党 建 引 领 ，激 活",
};

impl Rule for CjkSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let flagged = flagged_runs(cx);
        for line_runs in flagged.chunk_by(|a, b| a.line == b.line) {
            sink.push(line_diagnostic(cx, line_runs));
        }
    }
}

/// The runs of spaces the rule flags, in page order: runs between Chinese characters or
/// punctuation on body lines, except those that stand for a lost quotation mark, separate the
/// halves of a quoted slogan, or lie inside a phrase the configuration says to leave alone.
fn flagged_runs(cx: &Context<'_>) -> Vec<SpaceRun> {
    let runs: Vec<SpaceRun> = interior_space_runs(cx.text, cx.page, &[LineKind::Body]).into_iter().filter(between_cjk).collect();
    let mut per_line = std::collections::HashMap::<usize, usize>::new();
    for run in &runs {
        *per_line.entry(run.line).or_default() += 1;
    }
    let protected = ignored_phrases(cx, &runs);
    runs.into_iter()
        .filter(|run| {
            // On a page that lost its quotation marks, a space between characters stands for a quote.
            if cx.page.lost_quotes && is_han(run.left) && is_han(run.right) {
                return false;
            }
            // A lone space between characters inside a quotation separates the halves of a quoted slogan.
            if per_line[&run.line] == 1 && is_han(run.left) && is_han(run.right) && inside_quotation(cx.text, cx.page, run) {
                return false;
            }
            // A run inside an ignored phrase is left alone, as a diagnostic of its own was before grouping.
            !protected.iter().any(|phrase| phrase.start <= run.range.start && run.range.end <= phrase.end)
        })
        .collect()
}

/// Where the configuration's ignored words and phrases occur on the page, when any run could lie inside one.
fn ignored_phrases(cx: &Context<'_>, runs: &[SpaceRun]) -> Vec<Range<usize>> {
    if cx.config.ignore.is_empty() || runs.is_empty() {
        return Vec::new();
    }
    let Ok(matcher) = aho_corasick::AhoCorasick::new(&cx.config.ignore) else {
        return Vec::new();
    };
    matcher.find_overlapping_iter(cx.text).map(|found| found.range()).collect()
}

/// The one diagnostic of the flagged runs of one line (never empty).
fn line_diagnostic(cx: &Context<'_>, runs: &[SpaceRun]) -> Diagnostic {
    let first = &runs[0];
    let last = &runs[runs.len() - 1];
    let range = first.range.start..last.range.end;
    let edits: Vec<Edit> = runs.iter().map(|run| Edit::delete(run.range.clone())).collect();
    let spaces: usize = runs.iter().map(|run| cx.text[run.range.clone()].chars().count()).sum();
    let (message, title) = if let [run] = runs {
        (single_run_message(run, spaces), Message::new("删除空格", if spaces == 1 { "Remove the space" } else { "Remove the spaces" }))
    } else {
        (line_message(runs.len(), spaces), Message::new("删除这一行的空格", "Remove the spaces of this line"))
    };
    cx.diagnostic(&INFO, range, message, vec![Fix::safe(title, edits)])
}

/// The message of a line with one flagged run of `spaces` spaces, naming its neighbours.
fn single_run_message(run: &SpaceRun, spaces: usize) -> Message {
    let (left, right) = (run.left, run.right);
    if spaces == 1 {
        Message::new(
            format!("“{left}”与“{right}”之间多了一个空格（两端对齐抽取）"),
            format!("A space between “{left}” and “{right}” (justified-text extraction)"),
        )
    } else {
        Message::new(
            format!("“{left}”与“{right}”之间多了 {spaces} 个空格（两端对齐抽取）"),
            format!("{spaces} spaces between “{left}” and “{right}” (justified-text extraction)"),
        )
    }
}

/// The message of a line with `runs` flagged runs (at least two) holding `spaces` spaces in all.
fn line_message(runs: usize, spaces: usize) -> Message {
    let en = if spaces == runs {
        format!("Justified-text extraction: {spaces} spaces")
    } else {
        format!("Justified-text extraction: {spaces} spaces in {runs} places")
    };
    Message::new(format!("两端对齐抽取留下的空格：{runs} 处"), en)
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
    fn a_justified_line_is_one_diagnostic_with_one_edit_per_space() {
        let text = "路 线 决 定 方 向 ，组 织 凝 聚 力 量\n";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic.message.en, "Justified-text extraction: 11 spaces");
        assert_eq!(diagnostic.message.zh, "两端对齐抽取留下的空格：11 处");
        assert_eq!(diagnostic.range, "路".len()..text.find(" 量").unwrap() + 1);
        let edits = &diagnostic.safe_fix().expect("a safe fix").edits;
        assert_eq!(edits.len(), 11);
        assert!(edits.iter().all(|edit| edit.new_text.is_empty() && &text[edit.range.clone()] == " "));
        assert_eq!(fixed(text), "路线决定方向，组织凝聚力量\n");
    }

    #[test]
    fn each_line_gets_its_own_diagnostic() {
        let text = "驻 村 工 作 队 每 天 走 村 入 户 ，\n了 解 群 众 所 需 ，帮 助 解 决 困 难 。\n";
        let diagnostics = found(text);
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert_eq!(diagnostics[0].fixes[0].edits.len(), 11);
        assert_eq!(diagnostics[1].fixes[0].edits.len(), 12);
    }

    #[test]
    fn a_single_run_names_its_neighbours_in_natural_words() {
        let one = found("全镇党员干部 迅速行动，投身疫情防控。");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].message.en, "A space between “部” and “迅” (justified-text extraction)");
        assert_eq!(one[0].message.zh, "“部”与“迅”之间多了一个空格（两端对齐抽取）");
        assert_eq!(one[0].fixes[0].title.en, "Remove the space");
        let four = found("扎实推进    乡村振兴战略，建设美丽乡村。");
        assert_eq!(four[0].message.en, "4 spaces between “进” and “乡” (justified-text extraction)");
        assert_eq!(four[0].message.zh, "“进”与“乡”之间多了 4 个空格（两端对齐抽取）");
        let wide = found("深化  党建 引领，推进   工作");
        assert_eq!(wide.len(), 1);
        assert_eq!(wide[0].message.en, "Justified-text extraction: 6 spaces in 3 places");
        assert_eq!(wide[0].message.zh, "两端对齐抽取留下的空格：3 处");
    }

    #[test]
    fn exemptions_still_hold_inside_a_line() {
        // The lone space of a quoted slogan is kept; a line with more runs has all of them flagged.
        assert!(found("村口挂着“邻里守望一家亲 携手共建幸福村”的横幅。").is_empty());
        let slogan = found("村口挂着“邻里守望 心连心 共建美好家园”的横幅。");
        assert_eq!(slogan.len(), 1);
        assert_eq!(slogan[0].fixes[0].edits.len(), 2);
    }

    #[test]
    fn a_run_inside_an_ignored_phrase_is_left_out_of_the_fix() {
        let config = crate::Config::parse("ignore = [\"党 建\"]\n", None).expect("config parses");
        let text = "深 化 党 建 引 领 ，激 活 发 展 动 能\n";
        let diagnostics: Vec<Diagnostic> = crate::analyze(text, &config).into_iter().filter(|d| d.code == INFO.code).collect();
        assert_eq!(diagnostics.len(), 1);
        let kept: Vec<&str> = diagnostics[0].fixes[0].edits.iter().map(|edit| &text[edit.range.start - 3..edit.range.end + 3]).collect();
        assert_eq!(kept.len(), 10);
        assert!(!kept.contains(&"党 建"), "{kept:?}");
    }
}
