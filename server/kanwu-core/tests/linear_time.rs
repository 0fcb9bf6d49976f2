//! Pathological inputs finish with the right answer: long lines of spaces, brackets or one character
//! give exactly the diagnostics they should (a regression suite; how long they take is measured by
//! the `check` bench's 5 MB and 50 MB pages, never by a timed test).

use kanwu_core::{analyze, Config, Diagnostic};
use std::collections::BTreeMap;

fn counts(diagnostics: &[Diagnostic]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for diagnostic in diagnostics {
        *counts.entry(diagnostic.code).or_default() += 1;
    }
    counts
}

#[test]
fn one_long_justified_line_is_one_diagnostic_with_every_space_in_its_fix() {
    let text = "两 ".repeat(200_000);
    let diagnostics = analyze(&text, &Config::with_defaults());
    assert_eq!(counts(&diagnostics), BTreeMap::from([("cjk-space", 1), ("trailing-space", 1)]));
    let spaces = diagnostics.iter().find(|diagnostic| diagnostic.code == "cjk-space").unwrap();
    assert_eq!(spaces.safe_fix().unwrap().edits.len(), 199_999, "one deletion per space between characters");
}

#[test]
fn one_long_run_of_spaces_is_one_deletion() {
    let text = format!("村民说，甲{}乙。", " ".repeat(1_000_000));
    let diagnostics = analyze(&text, &Config::with_defaults());
    assert_eq!(counts(&diagnostics), BTreeMap::from([("cjk-space", 1)]));
    let start = "村民说，甲".len();
    assert_eq!(diagnostics[0].range, start..start + 1_000_000);
    assert_eq!(diagnostics[0].safe_fix().unwrap().edits.len(), 1);
}

#[test]
fn one_long_line_of_han_and_open_brackets_reports_each_bracket_once() {
    let text = "党（员“中".repeat(100_000);
    let diagnostics = analyze(&text, &Config::with_defaults());
    // Each of the 200,000 opening marks is never closed; the line is one pattern printed over and over.
    assert_eq!(counts(&diagnostics), BTreeMap::from([("doubled-text", 1), ("unbalanced-bracket", 200_000)]));
}
