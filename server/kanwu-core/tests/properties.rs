//! Property tests: no input makes the core panic, every range it returns is valid, positions round
//! trip, and fixing is idempotent on randomly edited real pages.

use kanwu_core::fixer::FixOptions;
use kanwu_core::{analyze, fix_text, Config, LineCol, LineIndex, Page, PositionEncoding};
use proptest::prelude::*;
use std::path::Path;

/// Characters that exercise the rules: Chinese text, punctuation of both widths, spaces of every
/// kind, digits, line ends, look-alike letters, controls and astral characters.
fn page_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec!['两', '委', '党', '员', '中', '心', '户', '嘎', '查', '书', '记', '层', '个', '一', '近', '日', '造', '谣']),
        3 => prop::sample::select(vec!['，', '。', '、', '“', '”', '（', '）', '《', '》', '…', '⋯', '：', '；']),
        3 => prop::sample::select(vec![' ', '\n', '\n', '\r', '\t', '\u{3000}', '\u{00A0}']),
        2 => prop::sample::select(vec![',', '.', ':', '(', ')', '"', '?', '!', '1', '2', '0', 'a', 'o', 'O', 'Ａ', '１']),
        1 => prop::sample::select(vec!['𠮷', '😀', '\u{FFFD}', '\u{200B}', '\u{FEFF}', '\u{0007}', '□', '◎', '摄']),
    ]
}

fn page_text() -> impl Strategy<Value = String> {
    prop::collection::vec(page_char(), 0..400).prop_map(|chars| chars.into_iter().collect())
}

fn check_ranges(text: &str) {
    let config = Config::with_defaults();
    for diagnostic in analyze(text, &config) {
        let range = diagnostic.range.clone();
        assert!(range.start <= range.end && range.end <= text.len(), "{} range {range:?} out of {}", diagnostic.code, text.len());
        assert!(
            text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
            "{} range {range:?} off a char boundary",
            diagnostic.code
        );
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                assert!(
                    edit.range.end <= text.len() && text.is_char_boundary(edit.range.start) && text.is_char_boundary(edit.range.end),
                    "{} edit {:?}",
                    diagnostic.code,
                    edit.range
                );
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_ranges_are_valid(text in page_text()) {
        check_ranges(&text);
        let fixed = fix_text(&text, &Config::with_defaults(), &FixOptions::default()).text;
        check_ranges(&fixed);
    }

    #[test]
    fn any_unicode_string_is_safe(text in "\\PC{0,200}") {
        check_ranges(&text);
        let _ = Page::parse(&text);
    }

    #[test]
    fn positions_round_trip(text in page_text()) {
        let index = LineIndex::new(&text);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
            for (offset, c) in text.char_indices() {
                if c == '\n' && text[..offset].ends_with('\r') {
                    continue;
                }
                let position = index.to_line_col(&text, offset, encoding);
                prop_assert_eq!(index.to_offset(&text, position, encoding), offset);
            }
            // Positions past the end of a line or the text are clamped, never a panic.
            let _ = index.to_offset(&text, LineCol { line: u32::MAX, col: u32::MAX }, encoding);
        }
    }

    #[test]
    fn paragraphs_cover_every_non_blank_line_once(text in page_text()) {
        let page = Page::parse(&text);
        let mut seen = vec![0; page.lines.len()];
        for paragraph in &page.paragraphs {
            for &line in paragraph {
                seen[line] += 1;
            }
        }
        for (index, line) in page.lines.iter().enumerate() {
            let expected = usize::from(line.kind != kanwu_core::page::LineKind::Blank);
            prop_assert_eq!(seen[index], expected, "line {}", index);
        }
    }
}

/// The seed pages, or invented stand-ins when they are not beside the project.
fn seed_pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let pages: Vec<String> = ["page-a", "page-b", "page-c", "page-d"]
        .iter()
        .filter_map(|name| std::fs::read_to_string(dir.join(format!("{name}.txt"))).ok())
        .collect();
    assert!(!pages.is_empty(), "the seed pages are expected in {}", dir.display());
    pages
}

/// A random edit of a real page: delete, duplicate or insert a slice at character positions.
fn edit(page: &str, at: usize, len: usize, kind: u8, insert: &str) -> String {
    let boundaries: Vec<usize> = page.char_indices().map(|(i, _)| i).chain([page.len()]).collect();
    let start = boundaries[at % boundaries.len()];
    let end = boundaries[(at + len) % boundaries.len()].max(start);
    match kind % 3 {
        0 => format!("{}{}", &page[..start], &page[end..]),
        1 => format!("{}{}{}", &page[..end], &page[start..end], &page[end..]),
        _ => format!("{}{}{}", &page[..start], insert, &page[start..]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn edited_real_pages_are_safe_and_fixing_is_idempotent(
        page in 0usize..4,
        at in 0usize..20_000,
        len in 0usize..200,
        kind in 0u8..3,
        insert in page_text(),
    ) {
        let pages = seed_pages();
        let text = edit(&pages[page % pages.len()], at, len, kind, &insert);
        check_ranges(&text);
        let config = Config::with_defaults();
        let once = fix_text(&text, &config, &FixOptions::default()).text;
        let twice = fix_text(&once, &config, &FixOptions::default()).text;
        prop_assert!(once == twice, "fixing a fixed page changed it");
    }
}

#[test]
fn fixing_the_seed_pages_is_idempotent() {
    let config = Config::with_defaults();
    for text in seed_pages() {
        let once = fix_text(&text, &config, &FixOptions::default()).text;
        let twice = fix_text(&once, &config, &FixOptions::default()).text;
        assert_eq!(once, twice);
    }
}
