//! `vertical-heading`: a headline printed vertically, extracted one character per line.

use super::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

pub struct VerticalHeading;

static INFO: RuleInfo = RuleInfo {
    code: "vertical-heading",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: true,
    scope: Scope::Block,
    summary_zh: "竖排标题被逐字拆成多行。",
    summary_en: "A headline printed vertically, extracted one character per line.",
    example: "春⏎耕⏎备⏎播",
};

impl Rule for VerticalHeading {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for run in &cx.page.vertical_runs {
            let lines = &cx.page.lines[run.first_line..=run.last_line];
            let joined: String = lines.iter().map(|line| cx.text[line.range.clone()].trim()).collect();
            let first = &lines[0];
            let first_text = &cx.text[first.range.clone()];
            let start = first.range.start + (first_text.len() - first_text.trim_start().len());
            let last = &lines[lines.len() - 1];
            let last_text = &cx.text[last.range.clone()];
            let end = last.range.start + last_text.trim_end().len();
            let message = Message::new(
                format!("竖排标题“{joined}”被拆成逐字一行"),
                format!("Vertical headline “{joined}” extracted one character per line"),
            );
            let fix = Fix::safe(
                Message::new(format!("合并为“{joined}”"), format!("Join into “{joined}”")),
                vec![Edit::replace(start..end, joined.clone())],
            );
            sink.push(cx.diagnostic(&INFO, start..end, message, vec![fix]));
        }
    }
}
