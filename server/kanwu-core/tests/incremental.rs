//! Property tests of the incremental analysis: after any sequence of edits it gives exactly the
//! diagnostics of `analyze` on the whole page, on the seed pages and on generated text.

use kanwu_core::incremental::IncrementalAnalysis;
use kanwu_core::{analyze, Config};
use proptest::prelude::*;
use std::path::Path;

/// The seed pages joined into one long page (empty when the seeds are not there).
fn seed_page() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut names: Vec<_> = std::fs::read_dir(&dir).map(|entries| entries.flatten().map(|entry| entry.path()).collect()).unwrap_or_default();
    names.sort();
    let mut page = String::new();
    for name in names.iter().filter(|name| name.extension().is_some_and(|ext| ext == "txt")) {
        if let Ok(bytes) = std::fs::read(name) {
            if let Ok(decoded) = kanwu_core::decode::decode(&bytes) {
                page.push_str(&decoded.text);
                page.push('\n');
            }
        }
    }
    page
}

/// Pieces that matter at chunk cuts and to the rules: sentence ends, blank lines, quotes, spaces.
const PIECES: &[&str] = &[
    "。", "！", "？", "，", "\n", "\n\n", "\r\n", "\n\n\n", " ", "  ", "\u{3000}", "“", "”", "（", "）", "《", "》", "社区", "工作",
    "人员", "每天", "挨家挨户", "登记", "返乡", "一支支志愿队伍闻令而动", "党员干部深入一线。", "700", "a", "□本报记者 李明", "王芳 摄",
    "守\n望\n", "的的", "…", "...", "\t", "志愿者连夜清扫积雪，保障道路畅通。",
];

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(PIECES)
}

/// An edit: where (a fraction of the text), how much to delete (in chars) and what to insert.
fn edit() -> impl Strategy<Value = (f64, usize, Vec<&'static str>)> {
    (0.0..1.0f64, 0..40usize, prop::collection::vec(piece(), 0..4))
}

fn apply(text: &mut String, (at, delete, insert): &(f64, usize, Vec<&'static str>)) {
    let mut start = ((text.len() as f64) * at) as usize;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..].char_indices().nth(*delete).map_or(text.len(), |(offset, _)| start + offset);
    text.replace_range(start..end, &insert.concat());
}

fn check_edits(mut text: String, edits: &[(f64, usize, Vec<&'static str>)]) -> Result<(), TestCaseError> {
    let config = Config::with_defaults();
    let mut incremental = IncrementalAnalysis::new();
    prop_assert_eq!(incremental.analyze(&text, &config), analyze(&text, &config));
    for edit in edits {
        apply(&mut text, edit);
        let expected = analyze(&text, &config);
        let found = incremental.analyze(&text, &config);
        if found != expected {
            let first = found.iter().zip(&expected).position(|(a, b)| a != b).unwrap_or(found.len().min(expected.len()));
            return Err(TestCaseError::fail(format!(
                "after {edit:?}: {} vs {} diagnostics; first difference at {first}: {:?} vs {:?}",
                found.len(),
                expected.len(),
                found.get(first),
                expected.get(first)
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn seed_pages_after_random_edits(edits in prop::collection::vec(edit(), 1..6)) {
        let page = seed_page();
        prop_assume!(!page.is_empty());
        check_edits(page, &edits)?;
    }

    #[test]
    fn generated_text_after_random_edits(pieces in prop::collection::vec(piece(), 1500..3000), edits in prop::collection::vec(edit(), 1..6)) {
        check_edits(pieces.concat(), &edits)?;
    }
}

#[test]
fn an_edit_reanalyses_only_its_chunk() {
    let page = seed_page().repeat(3);
    if page.is_empty() {
        return;
    }
    let config = Config::with_defaults();
    let mut incremental = IncrementalAnalysis::new();
    let (_, first) = incremental.analyze_with_stats(&page, &config);
    assert!(first.chunks > 3, "{first:?}");
    let mut edited = page.clone();
    let middle = (page.len() / 2..page.len()).find(|&at| page.is_char_boundary(at)).unwrap();
    edited.insert(middle, '两');
    let (found, second) = incremental.analyze_with_stats(&edited, &config);
    assert!(second.analysed <= 2, "{second:?}");
    assert_eq!(found, analyze(&edited, &config));
}
