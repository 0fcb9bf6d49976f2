//! Property tests of the incremental analysis: after any sequence of edits it gives exactly the
//! diagnostics of `analyze` on the whole page, on the seed pages and on generated text.

use kanwu_core::incremental::IncrementalAnalysis;
use kanwu_core::{analyze, Config};
use proptest::prelude::*;
use std::path::Path;

/// The seed pages joined into one long page (empty when the seeds are not there).
fn seed_page() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).map(|entries| entries.flatten().map(|entry| entry.path()).collect()).unwrap_or_default();
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
    "。",
    "！",
    "？",
    "，",
    "\n",
    "\n\n",
    "\r\n",
    "\n\n\n",
    " ",
    "  ",
    "\u{3000}",
    "“",
    "”",
    "（",
    "）",
    "《",
    "》",
    "社区",
    "工作",
    "人员",
    "每天",
    "挨家挨户",
    "登记",
    "返乡",
    "一支支志愿队伍闻令而动",
    "党员干部深入一线。",
    "700",
    "a",
    "□本报记者 李明",
    "王芳 摄",
    "守\n望\n",
    "的的",
    "…",
    "...",
    "\t",
    "志愿者连夜清扫积雪，保障道路畅通。",
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

/// Whole lines, few enough that pages built from them repeat lines often (`duplicate-line` across
/// chunks, and the text before a chunk's first line) and long enough to be cut into chunks.
const LINES: &[&str] = &[
    "志愿者连夜清扫积雪，保障道路畅通。",
    "社区工作人员每天挨家挨户登记",
    "返乡人员信息，核对健康状况。",
    "",
    "",
    "党员干部深入一线，",
    "筑牢疫情防控的坚固防线。",
    "□本报记者 李明",
    "一支支志愿队伍闻令而动，冲锋在前。",
    "核对健康状况。",
    "闻令而动，冲锋在前。",
    "  ",
    "守",
    "望",
];

/// Column text without a single blank line (one block for the page): full column lines, paragraph
/// ends short of the column, lines as wide as the column that end a sentence, headline-like,
/// byline, credit and one-character lines.
const COLUMN_LINES: &[&str] = &[
    "社区工作人员每天挨家挨户登记返",
    "乡人员信息，核对健康状况，并及",
    "时上报。",
    "志愿者连夜清扫积雪。",
    "一支支志愿队伍闻令而动，冲锋在",
    "前，筑牢疫情防控的坚固防线。",
    "党员干部深入一线，帮助牧民解决",
    "实际困难，群众纷纷点赞。",
    "实际困难，群众纷纷点赞称好了。",
    "□本报记者 李明",
    "王芳 摄",
    "春耕备耕",
    "守",
    "望",
    "  核对健康状况。",
    "闻令而动，冲锋在前。",
    "“两委”班子召开会议（",
    "研究部署）。",
];

/// A line far wider than the column: a few of them (fewer than `page::COLUMN_RANK`) must not move
/// the column width of a long block.
const OVERLONG_LINE: &str = "社区工作人员每天挨家挨户登记返乡人员信息并核对健康状况及时上报。";

fn column_line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(COLUMN_LINES)
}

fn column_edit() -> impl Strategy<Value = (f64, usize, Vec<&'static str>)> {
    (0.0..1.0f64, 0..30usize, prop::collection::vec(column_line(), 0..4))
        .prop_map(|(at, delete, lines)| (at, delete, lines.into_iter().flat_map(|line| [line, "\n"]).collect()))
}

fn line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(LINES)
}

/// An edit made of whole lines: where, how many characters to delete, and the lines to insert.
fn line_edit() -> impl Strategy<Value = (f64, usize, Vec<&'static str>)> {
    (0.0..1.0f64, 0..30usize, prop::collection::vec(line(), 0..4))
        .prop_map(|(at, delete, lines)| (at, delete, lines.into_iter().flat_map(|line| [line, "\n"]).collect()))
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
    fn repeated_lines_after_random_edits(lines in prop::collection::vec(line(), 400..1200), edits in prop::collection::vec(line_edit(), 1..6)) {
        let text: String = lines.iter().flat_map(|line| [*line, "\n"]).collect();
        check_edits(text, &edits)?;
    }

    #[test]
    fn pages_without_blank_lines_after_random_edits(
        lines in prop::collection::vec(column_line(), 600..1500),
        overlong in prop::collection::vec(0.0..1.0f64, 0..6),
        edits in prop::collection::vec(column_edit(), 1..6),
    ) {
        let mut lines = lines;
        for at in overlong {
            let index = ((lines.len() as f64) * at) as usize;
            lines.insert(index, OVERLONG_LINE);
        }
        let text: String = lines.iter().flat_map(|line| [*line, "\n"]).collect();
        prop_assert!(kanwu_core::incremental::chunk_bounds(&text, &Config::with_defaults().tuning).len() > 1, "a long block is cut");
        check_edits(text, &edits)?;
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
    assert_eq!(found.to_vec(), analyze(&edited, &config));
}

#[test]
fn a_chunk_may_open_by_repeating_the_end_of_the_paragraph_before_it() {
    let mut text = String::new();
    let mut n = 0u32;
    while text.len() < 6000 {
        let (a, b) = (char::from_u32(0x4E00 + n * 13).unwrap_or('一'), char::from_u32(0x5E00 + n * 7).unwrap_or('二'));
        text.push_str(&format!("{a}{b}组志愿者连夜清扫积雪，保障道路畅通。\n"));
        n += 1;
    }
    text.push_str("一支支志愿队伍闻令而动，冲锋在前。\n\n");
    let repeated_at = text.len();
    text.push_str("闻令而动，冲锋在前。\n\n社区工作人员每天挨家挨户登记返乡人员信息。\n");
    let bounds = kanwu_core::incremental::chunk_bounds(&text, &kanwu_core::page::Tuning::default());
    assert_eq!(bounds.get(1).map(|range| range.start), Some(repeated_at), "{bounds:?}");

    let config = Config::with_defaults();
    let expected = analyze(&text, &config);
    assert!(
        expected.iter().any(|found| found.code == "duplicate-line" && found.range.contains(&repeated_at)),
        "the whole-page analysis reports the repeated end: {expected:?}"
    );
    let mut incremental = IncrementalAnalysis::new();
    assert_eq!(incremental.analyze(&text, &config), expected);
    text.insert(3, '两');
    assert_eq!(incremental.analyze(&text, &config), analyze(&text, &config));
}

#[test]
fn a_stopped_analysis_leaves_a_cache_that_still_gives_exact_results() {
    let page = seed_page().repeat(2);
    if page.is_empty() {
        return;
    }
    let config = Config::with_defaults();
    let mut incremental = IncrementalAnalysis::new();
    assert!(incremental.analyze_until(&page, &config, &|| true).is_none(), "stopped at once");
    // Stopped half way through the chunks: some are cached, the rest are not.
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let half_way = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) > 8;
    assert!(incremental.analyze_until(&page, &config, &half_way).is_none());
    assert_eq!(incremental.analyze(&page, &config), analyze(&page, &config));
    let mut edited = page.clone();
    let line_start = page.char_indices().find(|&(at, c)| at >= page.len() / 3 && c == '\n').map_or(0, |(at, _)| at + 1);
    edited.insert_str(line_start, "两委");
    assert!(incremental.analyze_until(&edited, &config, &|| true).is_none());
    assert_eq!(incremental.analyze(&edited, &config), analyze(&edited, &config));
}
