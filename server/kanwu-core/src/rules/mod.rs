//! The rule registry: every rule lives in a file of its own and registers here with a stable code.

#[cfg(test)]
mod test_support;

mod chunked;

pub use chunked::{ChunkFacts, ChunkReports, ChunkView, ChunkedCheck, ChunkedPage, ChunkedRule, Comparison};

use crate::config::Config;
use crate::page::Page;
use crate::types::{Diagnostic, Fix, Message, Severity};
use std::ops::Range;

/// Whether a rule's fixes are applied by fix-all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixSafety {
    /// Every fix the rule offers is safe.
    Safe,
    /// The rule only suggests fixes.
    Suggested,
    /// Safe where the context makes the repair certain, suggested elsewhere.
    Mixed,
    /// The rule reports without offering a fix.
    None,
}

impl FixSafety {
    /// The word used in the rule table.
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Suggested => "suggested",
            FixSafety::Mixed => "safe where certain, else suggested",
            FixSafety::None => "none",
        }
    }
}

/// How much of a page a rule reads to decide about one place in it. The incremental analysis runs
/// line and block rules on each chunk of a page on its own; page rules see the whole page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The line the place is on (its text, and the kind the page structure gives it).
    Line,
    /// The lines around the place in its block or paragraph (wraps, blank splits, pairing).
    Block,
    /// The whole page: the rule compares distant lines, or its messages quote page line numbers.
    /// Such a rule runs over the whole page, or through facts kept per chunk when it offers a
    /// [`ChunkedCheck`] ([`Rule::chunked`]).
    Page,
}

impl Scope {
    /// The word used in the rule table.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Line => "line",
            Scope::Block => "block",
            Scope::Page => "page",
        }
    }
}

/// What a rule is, independent of any page.
#[derive(Debug)]
pub struct RuleInfo {
    /// The stable code that scripts and settings name.
    pub code: &'static str,
    pub default_severity: Severity,
    pub fix_safety: FixSafety,
    /// Layout rules change line structure; `--keep-lines` and fix-all leave them alone.
    pub layout: bool,
    /// How much of the page the rule reads, which tells the incremental analysis how to run it.
    pub scope: Scope,
    /// One sentence in Chinese saying what the rule finds.
    pub summary_zh: &'static str,
    /// One sentence in English saying what the rule finds.
    pub summary_en: &'static str,
    /// A short example of flagged text, with `⏎` for a line break.
    pub example: &'static str,
}

/// What a rule sees while checking one page.
pub struct Context<'a> {
    pub text: &'a str,
    pub page: &'a Page,
    pub config: &'a Config,
    /// What the rest of the corpus says, when the face gave it (read it through [`Context::evidence`]).
    evidence: crate::evidence::Evidence<'a>,
    /// Whether a rule asked for the evidence, so that a cached result is reused under other
    /// evidence only when no rule looked at it.
    evidence_used: std::cell::Cell<bool>,
    /// Results that several rules need, computed once per page on first use.
    cache: PageCache,
}

/// Per-page results shared between rules.
#[derive(Default)]
struct PageCache {
    doubled: std::cell::OnceCell<Vec<doubled_text::DoubledLine>>,
}

impl<'a> Context<'a> {
    /// The context of one page.
    pub fn new(text: &'a str, page: &'a Page, config: &'a Config) -> Context<'a> {
        Context::with_evidence(text, page, config, crate::evidence::Evidence::NONE)
    }

    /// The context of one page checked with corpus evidence.
    pub fn with_evidence(text: &'a str, page: &'a Page, config: &'a Config, evidence: crate::evidence::Evidence<'a>) -> Context<'a> {
        Context { text, page, config, evidence, evidence_used: std::cell::Cell::new(false), cache: PageCache::default() }
    }

    /// The corpus evidence of this analysis (none when the face gave none); asking marks the
    /// result as depending on it.
    pub fn evidence(&self) -> crate::evidence::Evidence<'a> {
        self.evidence_used.set(true);
        self.evidence
    }

    /// Whether any rule asked for the evidence.
    pub fn consulted_evidence(&self) -> bool {
        self.evidence_used.get()
    }

    /// The lines that are fake-bold text extracted twice (`doubled-text`), found once per page.
    fn doubled(&self) -> &[doubled_text::DoubledLine] {
        self.cache.doubled.get_or_init(|| doubled_text::find(self))
    }

    /// Per line of the page, whether it is fake-bold text extracted twice (other rules leave those alone).
    pub fn doubled_lines(&self) -> Vec<bool> {
        let mut flags = vec![false; self.page.lines.len()];
        for found in self.doubled() {
            flags[found.line] = true;
        }
        flags
    }
}

impl Context<'_> {
    /// A diagnostic of `info` over `range` at the rule's default severity; the caller adds fixes.
    pub fn diagnostic(&self, info: &'static RuleInfo, range: Range<usize>, message: Message, fixes: Vec<Fix>) -> Diagnostic {
        Diagnostic { range, code: info.code, severity: info.default_severity, message, fixes }
    }
}

/// `count` things in English, with the singular for one: `a space` or `3 spaces` (`one` is the
/// whole singular phrase, `many` the plural noun).
pub(crate) fn count_en(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        one.to_string()
    } else {
        format!("{count} {many}")
    }
}

/// `text` with its first letter in upper case, to start a message.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `count` with a Chinese measure word, one written as a word: `一个`, `3 个`.
pub(crate) fn count_zh(count: usize, measure: &str) -> String {
    if count == 1 {
        format!("一{measure}")
    } else {
        format!(" {count} {measure}")
    }
}

/// A check over one page.
pub trait Rule: Send + Sync {
    /// The rule's code, severity and documentation.
    fn info(&self) -> &'static RuleInfo;
    /// Appends the rule's findings on the page to `sink`.
    fn check(&self, cx: &Context<'_>, sink: &mut Vec<Diagnostic>);
    /// A page-scope rule that can compare a page through facts gathered per chunk returns itself
    /// here (see [`ChunkedRule`]); the incremental analysis then keeps its work per chunk instead
    /// of running [`Rule::check`] over the whole page at every update.
    fn chunked(&self) -> Option<&dyn ChunkedCheck> {
        None
    }
}

/// Every rule Kanwu knows, in the order their diagnostics are reported for equal ranges.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Looks a rule up by its code.
pub fn rule_info(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().map(|rule| rule.info()).find(|info| info.code == code)
}

/// The codes of the rules that change line structure.
pub fn is_layout_rule(code: &str) -> bool {
    rule_info(code).is_some_and(|info| info.layout)
}

/// Declares each rule's module and lists the rule in [`RULES`]: registering a rule is one line
/// here, `module::RuleType`, in the order its diagnostics are reported for equal ranges.
macro_rules! registry {
    ($($module:ident::$rule:ident),* $(,)?) => {
        $(mod $module;)*
        static RULES: &[&dyn Rule] = &[$(&$module::$rule),*];
    };
}

registry! {
    // Layout and structure rules, which read the page structure.
    line_wrap::LineWrap,
    blank_split::BlankSplit,
    vertical_heading::VerticalHeading,
    cjk_space::CjkSpace,
    dropped_quote::DroppedQuote,
    // Character-level rules, which read lines and paragraphs.
    doubled_text::DoubledText,
    repeated_word::RepeatedWord,
    duplicate_line::DuplicateLine,
    num_space::NumSpace,
    half_width_punct::HalfWidthPunct,
    ellipsis::Ellipsis,
    full_width_alnum::FullWidthAlnum,
    replacement_char::ReplacementChar,
    control_char::ControlChar,
    mixed_script::MixedScript,
    trailing_space::TrailingSpace,
    leading_space::LeadingSpace,
    blank_line_space::BlankLineSpace,
    known_misreading::KnownMisreading,
    compat_ideograph::CompatIdeograph,
    unbalanced_bracket::UnbalancedBracket,
}
