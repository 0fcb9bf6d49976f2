//! Helpers shared by the rules' unit tests: one rule's diagnostics on a text, and the text after
//! one rule's safe fixes.

use crate::fixer::FixOptions;
use crate::{analyze, fix_text, Config, Diagnostic};

/// The diagnostics of rule `code` on `text` under the default configuration.
pub fn found(code: &str, text: &str) -> Vec<Diagnostic> {
    analyze(text, &Config::with_defaults()).into_iter().filter(|d| d.code == code).collect()
}

/// `text` after the safe fixes of rule `code`, applied until nothing changes.
pub fn fixed(code: &str, text: &str) -> String {
    let options = FixOptions { only_rules: vec![code.to_string()], keep_lines: false };
    fix_text(text, &Config::with_defaults(), &options).text
}
