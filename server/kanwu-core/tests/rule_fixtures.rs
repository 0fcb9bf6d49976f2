//! Runs every rule over its fixture file: invented positives that must be flagged (and fixed as
//! written) and near-misses, legitimate text that looks like the artefact, that must not be.

use kanwu_core::chars::is_han;
use kanwu_core::fixer::FixOptions;
use kanwu_core::page::{LineKind, Page};
use kanwu_core::rules::all_rules;
use kanwu_core::spacing::{between_cjk, inside_quotation, interior_space_runs};
use kanwu_core::{analyze, fix_text, Config, Edit};
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

/// The `cjk-space` edits as the rule computed them before it grouped a line's runs: one deletion
/// per flagged run of spaces, with the same exemptions (lost quotes, the lone space of a quoted
/// slogan). Kept as the oracle the grouped fixes are compared with.
fn per_run_cjk_space_edits(text: &str, config: &Config) -> Vec<Edit> {
    let page = Page::parse_tuned(text, &config.tuning);
    let runs = interior_space_runs(text, &page, &[LineKind::Body]);
    let mut per_line = std::collections::HashMap::<usize, usize>::new();
    for run in runs.iter().filter(|run| between_cjk(run)) {
        *per_line.entry(run.line).or_default() += 1;
    }
    let mut edits = Vec::new();
    for run in runs.iter().filter(|run| between_cjk(run)) {
        if page.lost_quotes && is_han(run.left) && is_han(run.right) {
            continue;
        }
        if per_line[&run.line] == 1 && is_han(run.left) && is_han(run.right) && inside_quotation(text, &page, run) {
            continue;
        }
        edits.push(Edit::delete(run.range.clone()));
    }
    edits
}

/// Every fixture text of every rule (positives and near-misses).
fn all_fixture_texts() -> Vec<String> {
    let mut texts = Vec::new();
    for rule in all_rules() {
        let source = std::fs::read_to_string(fixture_path(rule.info().code)).expect("fixture file");
        let fixture: FixtureFile = toml::from_str(&source).expect("fixture file parses");
        texts.extend(fixture.positive.into_iter().map(|case| case.text));
        texts.extend(fixture.near_miss.into_iter().map(|case| case.text));
    }
    texts
}

/// The real seed pages beside the project, by name.
fn seed_pages() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    ["page-a", "page-b", "page-c", "page-d"]
        .iter()
        .map(|name| {
            let path = dir.join(format!("{name}.txt"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (name.to_string(), text)
        })
        .collect()
}

/// Checks one text: at most one `cjk-space` diagnostic per line, each within its line, and the
/// edits of their fixes exactly the per-run edits. Returns the diagnostics and the edits.
fn check_cjk_space_grouping(name: &str, text: &str, failures: &mut Vec<String>) -> (usize, usize) {
    let config = Config::with_defaults();
    let page = Page::parse_tuned(text, &config.tuning);
    let diagnostics: Vec<_> = analyze(text, &config).into_iter().filter(|d| d.code == "cjk-space").collect();
    let line_of = |offset: usize| page.lines.iter().position(|line| line.range.start <= offset && offset <= line.range.end);
    let mut lines_seen = std::collections::HashSet::new();
    let mut grouped: Vec<(usize, usize, String)> = Vec::new();
    for diagnostic in &diagnostics {
        let line = line_of(diagnostic.range.start);
        if line.is_none() || line != line_of(diagnostic.range.end) {
            failures.push(format!("{name}: cjk-space diagnostic {:?} is not inside one line", diagnostic.range));
        }
        if !lines_seen.insert(line) {
            failures.push(format!("{name}: a second cjk-space diagnostic on line {line:?} at {:?}", diagnostic.range));
        }
        let Some(fix) = diagnostic.safe_fix() else {
            failures.push(format!("{name}: cjk-space diagnostic {:?} without a safe fix", diagnostic.range));
            continue;
        };
        if fix.edits.iter().any(|edit| edit.range.start < diagnostic.range.start || edit.range.end > diagnostic.range.end) {
            failures.push(format!("{name}: an edit outside its diagnostic {:?}", diagnostic.range));
        }
        grouped.extend(fix.edits.iter().map(|edit| (edit.range.start, edit.range.end, edit.new_text.clone())));
    }
    let mut expected: Vec<(usize, usize, String)> =
        per_run_cjk_space_edits(text, &config).into_iter().map(|edit| (edit.range.start, edit.range.end, edit.new_text)).collect();
    grouped.sort();
    expected.sort();
    if grouped != expected {
        failures.push(format!("{name}: grouped edits {grouped:?} differ from the per-space edits {expected:?}"));
    }
    (diagnostics.len(), expected.len())
}

#[test]
fn cjk_space_gives_one_diagnostic_per_line_with_exactly_the_per_space_edits() {
    let mut failures = Vec::new();
    for (index, text) in all_fixture_texts().iter().enumerate() {
        check_cjk_space_grouping(&format!("fixture text {index} {text:?}"), text, &mut failures);
    }
    for (name, text) in seed_pages() {
        let (diagnostics, edits) = check_cjk_space_grouping(&name, &text, &mut failures);
        println!("{name}: {diagnostics} cjk-space diagnostics holding {edits} per-space edits");
        if edits > 0 && diagnostics >= edits {
            failures.push(format!("{name}: {diagnostics} diagnostics for {edits} spaces: the lines are not grouped"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Phrases that betray a message written for no particular count or the wrong kind of character,
/// looked for outside the page text the message quotes (`“161 个”` is the page's own).
fn awkward(message: &str) -> Option<&'static str> {
    let mut own = String::new();
    let mut depth = 0usize;
    for c in message.chars() {
        match c {
            '“' => depth += 1,
            '”' => depth = depth.saturating_sub(1),
            _ if depth == 0 => own.push(c),
            _ => {}
        }
    }
    let wrong_kind = message.contains("Latin letter “0”") || message.contains("拉丁字母“0”");
    if wrong_kind {
        return Some("a digit called a letter");
    }
    ["(s)", "1 个", "字母数字"].into_iter().find(|phrase| own.contains(phrase))
}

#[test]
fn messages_read_naturally_in_both_languages() {
    let config = Config::with_defaults();
    let mut texts = all_fixture_texts();
    texts.extend(seed_pages().into_iter().map(|(_, text)| text));
    let mut failures = Vec::new();
    for text in &texts {
        for diagnostic in analyze(text, &config) {
            let titles = diagnostic.fixes.iter().flat_map(|fix| [&fix.title.zh, &fix.title.en]);
            for message in [&diagnostic.message.zh, &diagnostic.message.en].into_iter().chain(titles) {
                if let Some(phrase) = awkward(message) {
                    failures.push(format!("{}: {phrase:?} in {message:?}", diagnostic.code));
                }
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "{} awkward messages:\n{}", failures.len(), failures.join("\n"));

    // One of a kind is said in the singular, more in the plural, in both languages.
    let message_of = |code: &str, text: &str| {
        let diagnostic = analyze(text, &config).into_iter().find(|d| d.code == code).unwrap_or_else(|| panic!("{code} in {text:?}"));
        (diagnostic.message.zh.to_string(), diagnostic.message.en.to_string(), diagnostic.fixes.first().map(|fix| fix.title.en.to_string()))
    };
    let (zh, en, _) = message_of("trailing-space", "挨家挨户登记。 \n下一行。\n");
    assert!(en.starts_with("A trailing white-space character after"), "{en}");
    assert!(zh.contains("行尾有一个多余的空白字符"), "{zh}");
    let (zh, en, _) = message_of("trailing-space", "挨家挨户登记。   \n下一行。\n");
    assert!(en.starts_with("3 trailing white-space characters after"), "{en}");
    assert!(zh.contains("行尾有 3 个多余的空白字符"), "{zh}");
    let (_, en, title) = message_of("replacement-char", "东岭村养殖合作社社员赵春\u{FFFD}\n");
    assert!(en.starts_with("A replacement character U+FFFD"), "{en}");
    assert_eq!(title.as_deref(), Some("Delete the replacement character"));
    let (zh, en, _) = message_of("mixed-script", "二0二〇年\n");
    assert!(en.starts_with("Digit “0”"), "{en}");
    assert!(zh.contains("汉字间夹有数字“0”"), "{zh}");
    let (zh, en, _) = message_of("full-width-alnum", "开办农民夜校１２期\n");
    assert!(en.starts_with("Full-width digits “１２”"), "{en}");
    assert!(zh.starts_with("全角数字“１２”"), "{zh}");
    let (_, en, _) = message_of("full-width-alnum", "做Ｂ超检查\n");
    assert!(en.starts_with("Full-width letter “Ｂ”"), "{en}");
}

/// Where a byte offset of a fixture text is, as `line:column` (both from 1, columns in characters).
fn line_col(text: &str, index: &kanwu_core::LineIndex, offset: usize) -> String {
    let at = index.to_line_col(text, offset, kanwu_core::PositionEncoding::Utf32);
    format!("{}:{}", at.line + 1, at.col + 1)
}

/// Every positive's diagnostics of its rule, one line each: range, flagged text, and the message in
/// both languages. Snapshotted per rule (`tests/snapshots/rule_fixtures__<code>.snap`), so a change to
/// where a rule points or what it says shows in review, not only a change to how many it finds.
#[test]
fn every_positive_pins_its_ranges_and_messages() {
    for rule in all_rules() {
        let code = rule.info().code;
        let source = std::fs::read_to_string(fixture_path(code)).expect("fixture file");
        let fixture: FixtureFile = toml::from_str(&source).expect("fixture file parses");
        let config = match &fixture.config {
            Some(text) => Config::parse(text, None).expect("fixture config parses"),
            None => Config::with_defaults(),
        };
        let mut report = String::new();
        for (number, case) in fixture.positive.iter().enumerate() {
            let index = kanwu_core::LineIndex::new(&case.text);
            report.push_str(&format!("# positive {}: {:?}\n", number + 1, case.text));
            for diagnostic in analyze(&case.text, &config).into_iter().filter(|d| d.code == code) {
                let range = diagnostic.range.clone();
                report.push_str(&format!(
                    "{}-{} {:?}\n  zh: {}\n  en: {}\n",
                    line_col(&case.text, &index, range.start),
                    line_col(&case.text, &index, range.end),
                    case.text.get(range).unwrap_or("?"),
                    diagnostic.message.zh,
                    diagnostic.message.en
                ));
            }
        }
        insta::assert_snapshot!(code, report);
    }
}
