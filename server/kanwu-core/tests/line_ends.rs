//! Pages with `\r` or `\r\n` line ends read, check and fix exactly as the same pages with `\n`:
//! the same diagnostics at the same lines and columns, and fixed text that keeps the page's own
//! line ends (no `\n` brought into a `\r` page, no lone `\r` left in a `\r\n` page).

use kanwu_core::fixer::FixOptions;
use kanwu_core::{analyze, fix_text, Config, LineCol, LineIndex, PositionEncoding};
use std::path::Path;

/// An invented page with column wraps, a paragraph cut by blank lines, a vertical headline,
/// ASCII commas, stray spaces, a repeated line and a line of spaces.
const PAGE: &str = "春\n耕\n备\n播\n\n□本报记者 林晓\n\n社区工作人员每天挨家挨户登记\n返乡人员信息,核对健康状况,\n\n并及时上报,走访 350 多户。  \n   \n志愿者连夜清扫积雪，保障道路畅通。\n志愿者连夜清扫积雪，保障道路畅通。\n\n深 化 党 建 引 领 ，激 活 基 层 治 理\n";

/// The seed pages when they are beside the project (the quality report's pages), else none.
fn seed_pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    ["page-a", "page-b", "page-c", "page-d"]
        .iter()
        .filter_map(|name| std::fs::read_to_string(dir.join(format!("{name}.txt"))).ok())
        .collect()
}

/// Each diagnostic as (code, start, end) in UTF-16 lines and columns.
fn positioned(text: &str) -> Vec<(&'static str, LineCol, LineCol)> {
    let index = LineIndex::new(text);
    analyze(text, &Config::with_defaults())
        .into_iter()
        .map(|d| {
            let at = |offset| index.to_line_col(text, offset, PositionEncoding::Utf16);
            (d.code, at(d.range.start), at(d.range.end))
        })
        .collect()
}

/// Fixes `lf` and its versions with `\r` and `\r\n` line ends, and checks they all agree.
fn check_page_in_every_line_end_style(lf: &str, options: &FixOptions) {
    assert!(!lf.contains('\r'));
    let config = Config::with_defaults();
    let fixed_lf = fix_text(lf, &config, options).text;
    let lf_diagnostics = positioned(lf);
    for terminator in ["\r", "\r\n"] {
        let page = lf.replace('\n', terminator);
        assert_eq!(positioned(&page), lf_diagnostics, "diagnostics of the {terminator:?} page");
        let fixed = fix_text(&page, &config, options).text;
        assert_eq!(fixed, fixed_lf.replace('\n', terminator), "fixed {terminator:?} page");
        match terminator {
            "\r" => assert!(!fixed.contains('\n'), "a \\n in the fixed \\r page"),
            _ => assert_eq!(fixed.matches('\r').count(), fixed.matches("\r\n").count(), "a lone \\r in the fixed \\r\\n page"),
        }
    }
}

#[test]
fn an_invented_page_fixes_alike_with_every_line_end() {
    let config = Config::with_defaults();
    let fixed = fix_text(PAGE, &config, &FixOptions::default()).text;
    // The page exercises what it is meant to: the layout fixes remove line ends.
    for code in ["line-wrap", "blank-split", "vertical-heading", "half-width-punct", "duplicate-line", "blank-line-space", "cjk-space"] {
        assert!(positioned(PAGE).iter().any(|(found, _, _)| *found == code), "{code} not found in the page");
    }
    assert!(fixed.starts_with("春耕备播\n"), "{fixed}");
    assert!(fixed.contains("登记返乡人员信息，核对健康状况，并及时上报，走访350多户。\n"), "{fixed}");
    check_page_in_every_line_end_style(PAGE, &FixOptions::default());
    check_page_in_every_line_end_style(PAGE, &FixOptions { keep_lines: true, ..FixOptions::default() });
}

#[test]
fn the_reported_page_with_a_lone_carriage_return() {
    let text = "第一行文字。\r第二行,文字。\n";
    let positions = positioned(text);
    let comma = positions.iter().find(|(code, _, _)| *code == "half-width-punct").expect("the ASCII comma");
    assert_eq!((comma.1, comma.2), (LineCol { line: 1, col: 3 }, LineCol { line: 1, col: 4 }));
    let only_punctuation = FixOptions { only_rules: vec!["half-width-punct".into()], ..FixOptions::default() };
    assert_eq!(fix_text(text, &Config::with_defaults(), &only_punctuation).text, "第一行文字。\r第二行，文字。\n");
    check_page_in_every_line_end_style(&text.replace('\r', "\n"), &FixOptions::default());
}

#[test]
fn the_seed_pages_fix_alike_with_every_line_end() {
    for page in seed_pages() {
        check_page_in_every_line_end_style(&page, &FixOptions::default());
    }
}
