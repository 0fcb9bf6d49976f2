//! Runs every rule over its fixture file: invented positives that must be flagged (and fixed as
//! written) and near-misses, legitimate text that looks like the artefact, that must not be.

use kanwu_core::fixer::FixOptions;
use kanwu_core::rules::all_rules;
use kanwu_core::{analyze, fix_text, Config};
use serde::Deserialize;
use std::path::PathBuf;

/// Each rule needs at least this many positives and this many near-misses.
const MINIMUM_CASES: usize = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    /// A `kanwu.toml` the cases are checked under (for rules driven by configuration).
    #[serde(default)]
    config: Option<String>,
    #[serde(default)]
    positive: Vec<Positive>,
    #[serde(default)]
    near_miss: Vec<NearMiss>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Positive {
    text: String,
    /// The text after this rule's safe fixes; absent when the rule only suggests.
    #[serde(default)]
    fixed: Option<String>,
    /// How many diagnostics of this rule the text must produce, when it matters.
    #[serde(default)]
    count: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearMiss {
    text: String,
}

fn fixture_path(code: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(format!("{code}.toml"))
}

#[test]
fn every_rule_passes_its_fixtures() {
    let mut failures = Vec::new();
    for rule in all_rules() {
        let code = rule.info().code;
        let path = fixture_path(code);
        let Ok(source) = std::fs::read_to_string(&path) else {
            failures.push(format!("{code}: missing fixture file {}", path.display()));
            continue;
        };
        let fixture: FixtureFile = match toml::from_str(&source) {
            Ok(fixture) => fixture,
            Err(error) => {
                failures.push(format!("{code}: bad fixture file: {error}"));
                continue;
            }
        };
        let config = match &fixture.config {
            Some(text) => Config::parse(text, None).expect("fixture config parses"),
            None => Config::with_defaults(),
        };
        if fixture.positive.len() < MINIMUM_CASES || fixture.near_miss.len() < MINIMUM_CASES {
            failures.push(format!(
                "{code}: needs {MINIMUM_CASES} positives and {MINIMUM_CASES} near-misses, has {} and {}",
                fixture.positive.len(),
                fixture.near_miss.len()
            ));
        }
        let only_this = FixOptions { only_rules: vec![code.to_string()], keep_lines: false };
        for case in &fixture.positive {
            let found = analyze(&case.text, &config).into_iter().filter(|d| d.code == code).count();
            if found == 0 {
                failures.push(format!("{code}: not flagged: {:?}", case.text));
                continue;
            }
            if let Some(expected) = case.count {
                if found != expected {
                    failures.push(format!("{code}: {found} diagnostics instead of {expected} in {:?}", case.text));
                }
            }
            if let Some(expected) = &case.fixed {
                let fixed = fix_text(&case.text, &config, &only_this).text;
                if &fixed != expected {
                    failures.push(format!("{code}: fix of {:?} gave {:?}, expected {:?}", case.text, fixed, expected));
                }
            }
        }
        for case in &fixture.near_miss {
            let flagged: Vec<_> = analyze(&case.text, &config).into_iter().filter(|d| d.code == code).collect();
            if let Some(first) = flagged.first() {
                failures.push(format!(
                    "{code}: false alarm in {:?} at {:?} ({:?})",
                    case.text,
                    first.range,
                    &case.text.get(first.range.clone()).unwrap_or("?")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} fixture failures:\n{}", failures.len(), failures.join("\n"));
}
