//! Scores the rules against the hand labels of the seed pages: per-rule recall and precision, and
//! how much of the edit distance to the clean page `kanwu fix` removes.

use kanwu_core::fixer::FixOptions;
use kanwu_core::{analyze, fix_text, Config, Diagnostic};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One hand label: replace `range` of the raw page with `replacement`; the artefact is of rule `code`.
#[derive(Clone, Debug)]
pub struct Label {
    pub range: Range<usize>,
    pub code: String,
    pub replacement: String,
}

/// A seed page with its labels.
pub struct LabelledPage {
    pub name: String,
    pub raw: String,
    pub labels: Vec<Label>,
}

impl LabelledPage {
    /// The clean page: the raw page with every label applied.
    pub fn clean(&self) -> String {
        let mut out = String::with_capacity(self.raw.len());
        let mut cursor = 0;
        for label in &self.labels {
            out.push_str(&self.raw[cursor..label.range.start]);
            out.push_str(&label.replacement);
            cursor = label.range.end;
        }
        out.push_str(&self.raw[cursor..]);
        out
    }
}

/// The folder of the real pages, beside the project.
pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
}

/// The folder of the hand labels.
pub fn labels_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/quality/labels")
}

/// Loads every seed page that has a label file.
pub fn load_pages() -> Vec<LabelledPage> {
    let mut pages = Vec::new();
    for name in ["page-a", "page-b", "page-c", "page-d"] {
        let raw_path = seeds_dir().join(format!("{name}.txt"));
        let raw = std::fs::read_to_string(&raw_path).unwrap_or_else(|error| panic!("cannot read {}: {error}", raw_path.display()));
        let label_path = labels_dir().join(format!("{name}.tsv"));
        let table = std::fs::read_to_string(&label_path).unwrap_or_else(|error| panic!("cannot read {}: {error}", label_path.display()));
        let mut labels = Vec::new();
        for (number, row) in table.lines().enumerate().skip(1) {
            if row.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = row.splitn(4, '\t').collect();
            assert_eq!(fields.len(), 4, "{}:{}: expected 4 fields", label_path.display(), number + 1);
            let start: usize = fields[0].parse().expect("start offset");
            let end: usize = fields[1].parse().expect("end offset");
            let replacement: String = serde_json::from_str(fields[3]).expect("replacement is a JSON string");
            assert!(
                start <= end && end <= raw.len() && raw.is_char_boundary(start) && raw.is_char_boundary(end),
                "{}:{}: bad range",
                label_path.display(),
                number + 1
            );
            labels.push(Label { range: start..end, code: fields[2].to_string(), replacement });
        }
        labels.sort_by_key(|label| (label.range.start, label.range.end));
        pages.push(LabelledPage { name: name.to_string(), raw, labels });
    }
    pages
}

/// Found, missed and false alarms of one rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub found: usize,
    pub missed: usize,
    pub false_alarms: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.found += other.found;
        self.missed += other.missed;
        self.false_alarms += other.false_alarms;
    }

    /// Share of labelled artefacts that a diagnostic of the right rule found.
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.found + self.missed)
    }

    /// Share of diagnostics that point at a labelled artefact of their rule.
    pub fn precision(&self, true_positives: usize) -> f64 {
        ratio(true_positives, true_positives + self.false_alarms)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The score of one page.
#[derive(Clone, Debug, Default)]
pub struct PageScore {
    pub per_rule: BTreeMap<String, Counts>,
    /// Diagnostics that point at a labelled artefact of their own rule.
    pub true_positive_diagnostics: usize,
    pub false_alarm_examples: Vec<String>,
    pub missed_examples: Vec<String>,
    /// Character edit distance (insertions plus deletions) from raw to clean, and from fixed to clean.
    pub distance_before: usize,
    pub distance_after: usize,
}

impl PageScore {
    /// Totals over all rules.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.per_rule.values() {
            total.add(*counts);
        }
        total
    }

    /// Adds another page's score into this one.
    pub fn absorb(&mut self, other: &PageScore) {
        for (code, counts) in &other.per_rule {
            self.per_rule.entry(code.clone()).or_default().add(*counts);
        }
        self.true_positive_diagnostics += other.true_positive_diagnostics;
        self.distance_before += other.distance_before;
        self.distance_after += other.distance_after;
        self.false_alarm_examples.extend(other.false_alarm_examples.iter().cloned());
        self.missed_examples.extend(other.missed_examples.iter().cloned());
    }

    /// Share of the raw page's distance to the clean page that fixing removed.
    pub fn distance_removed(&self) -> f64 {
        if self.distance_before == 0 {
            return 1.0;
        }
        1.0 - self.distance_after as f64 / self.distance_before as f64
    }
}

/// A label and a diagnostic match when they share a rule and their ranges touch.
fn touches(label: &Range<usize>, diagnostic: &Range<usize>) -> bool {
    if label.is_empty() || diagnostic.is_empty() {
        return diagnostic.start <= label.end && label.start <= diagnostic.end;
    }
    label.start < diagnostic.end && diagnostic.start < label.end
}

/// Scores the diagnostics and the fixed text of one page under `config`.
pub fn score_page(page: &LabelledPage, config: &Config) -> PageScore {
    let diagnostics = analyze(&page.raw, config);
    let fixed = fix_text(&page.raw, config, &FixOptions::default()).text;
    score_with(page, &diagnostics, &fixed)
}

/// Scores only the diagnostics of one page (no fixing), for tuning.
pub fn score_diagnostics(page: &LabelledPage, config: &Config) -> PageScore {
    let diagnostics = analyze(&page.raw, config);
    score_with(page, &diagnostics, &page.raw)
}

/// The places one diagnostic flags, each scored on its own. A fix (the safe one, else the first)
/// whose edits all lie inside the diagnostic's range repairs the places the diagnostic flags, so
/// each edit is one place: a fix grouping several repairs, as `cjk-space` does for a justified
/// line, counts each repair as found or as a false alarm. A diagnostic without such a fix (no fix,
/// or one reaching beyond its range, as `dropped-quote` restoring both marks of a phrase for the
/// one space it flags) is one place, its range.
fn flagged_places(diagnostic: &Diagnostic) -> Vec<Range<usize>> {
    let range = &diagnostic.range;
    let inside = |edit: &kanwu_core::Edit| range.start <= edit.range.start && edit.range.end <= range.end;
    match diagnostic.safe_fix().or(diagnostic.fixes.first()) {
        Some(fix) if !fix.edits.is_empty() && fix.edits.iter().all(inside) => fix.edits.iter().map(|edit| edit.range.clone()).collect(),
        _ => vec![range.clone()],
    }
}

/// Scores given diagnostics and fixed text against the page's labels.
pub fn score_with(page: &LabelledPage, diagnostics: &[Diagnostic], fixed: &str) -> PageScore {
    let mut score = PageScore::default();
    let context = |range: &Range<usize>| {
        let start = floor(&page.raw, range.start.saturating_sub(12));
        let end = ceil(&page.raw, (range.end + 12).min(page.raw.len()));
        format!("{}:{}: {:?}", page.name, range.start, &page.raw[start..end])
    };
    let places: Vec<(&'static str, Range<usize>)> =
        diagnostics.iter().flat_map(|d| flagged_places(d).into_iter().map(move |range| (d.code, range))).collect();
    for label in &page.labels {
        let found = places.iter().any(|(code, range)| *code == label.code && touches(&label.range, range));
        let counts = score.per_rule.entry(label.code.clone()).or_default();
        if found {
            counts.found += 1;
        } else {
            counts.missed += 1;
            score.missed_examples.push(format!("{} {}", label.code, context(&label.range)));
        }
    }
    for (code, range) in &places {
        let hit = page.labels.iter().any(|label| label.code == *code && touches(&label.range, range));
        if hit {
            score.true_positive_diagnostics += 1;
        } else {
            score.per_rule.entry(code.to_string()).or_default().false_alarms += 1;
            score.false_alarm_examples.push(format!("{code} {}", context(range)));
        }
    }
    let clean = page.clean();
    score.distance_before = char_distance(&page.raw, &clean);
    score.distance_after = char_distance(fixed, &clean);
    score
}

/// Characters inserted plus characters deleted to turn `a` into `b`.
pub fn char_distance(a: &str, b: &str) -> usize {
    let diff =
        similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).timeout(std::time::Duration::from_secs(20)).diff_chars(a, b);
    diff.iter_all_changes().filter(|change| change.tag() != similar::ChangeTag::Equal).map(|change| change.value().chars().count()).sum()
}

fn floor(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
}
