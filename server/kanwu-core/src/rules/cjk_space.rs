//! `cjk-space`: spaces between Chinese characters or punctuation left by justified-text extraction.

use super::{Context, FixSafety, Rule, RuleInfo};
use crate::chars::is_han;
use crate::page::LineKind;
use crate::spacing::{between_cjk, inside_quotation, interior_space_runs};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

pub struct CjkSpace;

static INFO: RuleInfo = RuleInfo {
    code: "cjk-space",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: false,
    summary_zh: "两端对齐的文本抽取后在汉字或中文标点之间留下的空格。",
    summary_en: "Spaces between Chinese characters or punctuation left by justified-text extraction.",
    example: "深 化 党 建 引 领 ，激 活",
};

impl Rule for CjkSpace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        let runs = interior_space_runs(cx.text, cx.page, &[LineKind::Body]);
        let mut per_line = std::collections::HashMap::<usize, usize>::new();
        for run in runs.iter().filter(|run| between_cjk(run)) {
            *per_line.entry(run.line).or_default() += 1;
        }
        for run in runs.iter().filter(|run| between_cjk(run)) {
            // On a page that lost its quotation marks, a space between characters stands for a quote.
            if cx.page.lost_quotes && is_han(run.left) && is_han(run.right) {
                continue;
            }
            // A lone space between characters inside a quotation separates the halves of a quoted slogan.
            if per_line[&run.line] == 1 && is_han(run.left) && is_han(run.right) && inside_quotation(cx.text, cx.page, run) {
                continue;
            }
            let spaces = &cx.text[run.range.clone()];
            let message = Message::new(
                format!("“{}”与“{}”之间多出{}个空格（两端对齐抽取）", run.left, run.right, spaces.chars().count()),
                format!("{} space(s) between “{}” and “{}” (justified-text extraction)", spaces.chars().count(), run.left, run.right),
            );
            let fix = Fix::safe(Message::new("删除空格", "Remove the spaces"), vec![Edit::delete(run.range.clone())]);
            sink.push(cx.diagnostic(&INFO, run.range.clone(), message, vec![fix]));
        }
    }
}
