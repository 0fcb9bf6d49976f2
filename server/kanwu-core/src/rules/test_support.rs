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

/// The one never-panics test of every rule (it replaces a copy per rule file): over texts full of
/// what trips text code, every diagnostic's range and every edit lie on character boundaries, and
/// each rule's own fixes apply without a panic.
#[test]
fn every_rule_never_panics_and_edits_on_boundaries() {
    let config = Config::with_defaults();
    let samples = crate::chars::tricky_samples(3000);
    for sample in &samples {
        for diagnostic in analyze(sample, &config) {
            assert!(sample.get(diagnostic.range.clone()).is_some(), "{} {sample:?} {:?}", diagnostic.code, diagnostic.range);
            for edit in diagnostic.fixes.iter().flat_map(|fix| &fix.edits) {
                assert!(sample.get(edit.range.clone()).is_some(), "{} {sample:?} {:?}", diagnostic.code, edit.range);
            }
        }
    }
    for rule in super::all_rules() {
        let options = FixOptions { only_rules: vec![rule.info().code.to_string()], keep_lines: false };
        for sample in &samples {
            let _ = fix_text(sample, &config, &options);
        }
    }
}
