//! `blank-split`: a paragraph cut by blank lines in mid-sentence.

use super::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::page::BreakKind;
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

pub struct BlankSplit;

static INFO: RuleInfo = RuleInfo {
    code: "blank-split",
    default_severity: Severity::Warning,
    fix_safety: FixSafety::Safe,
    layout: true,
    scope: Scope::Block,
    summary_zh: "段落在句子中间被空行截断。",
    summary_en: "A paragraph cut by blank lines in mid-sentence.",
    example: "帮助牧民解决难⏎⏎题。",
};

impl Rule for BlankSplit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for join in cx.page.breaks.iter().filter(|join| join.kind == BreakKind::BlankSplit) {
            let message = Message::new(
                "段落在句中被空行截断，下文接续此句",
                "Paragraph cut by blank lines in mid-sentence; the text below continues it",
            );
            let fix = Fix::safe(
                Message::new("删除空行，接续段落", "Remove the blank lines and rejoin the paragraph"),
                vec![Edit::delete(join.range.clone())],
            );
            sink.push(cx.diagnostic(&INFO, join.range.clone(), message, vec![fix]));
        }
    }
}
