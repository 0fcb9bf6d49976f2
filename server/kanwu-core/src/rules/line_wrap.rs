//! `line-wrap`: a hard line break inside a paragraph, left by column text wrapped at the column width.

use super::{Context, FixSafety, Rule, RuleInfo, Scope};
use crate::page::BreakKind;
use crate::types::{Diagnostic, Edit, Fix, Message, Severity};

pub struct LineWrap;

static INFO: RuleInfo = RuleInfo {
    code: "line-wrap",
    default_severity: Severity::Hint,
    fix_safety: FixSafety::Safe,
    layout: true,
    scope: Scope::Block,
    summary_zh: "段落内的硬换行：分栏排版按栏宽折行留下的换行符。",
    summary_en: "A hard line break inside a paragraph, left by column text wrapped at the column width.",
    example: "向全体居民发⏎出通知",
};

impl Rule for LineWrap {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>) {
        for join in cx.page.breaks.iter().filter(|join| join.kind == BreakKind::Wrap) {
            let message = Message::new(
                "段落内的硬换行（分栏折行），应与下一行相连",
                "Line break inside a paragraph (column wrap); the line continues on the next",
            );
            let fix = Fix::safe(Message::new("连接下一行", "Join with the next line"), vec![Edit::delete(join.range.clone())]);
            sink.push(cx.diagnostic(&INFO, join.range.clone(), message, vec![fix]));
        }
    }
}
