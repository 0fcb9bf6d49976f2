//! Tests of the page structure.

use super::*;

fn wraps(text: &str) -> Vec<(usize, usize, BreakKind)> {
    Page::parse(text).breaks.iter().map(|join| (join.from_line, join.to_line, join.kind)).collect()
}

#[test]
fn column_text_wraps_until_the_paragraph_ends() {
    let text = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况，并\n及时上报。\n新的一天开始了。";
    assert_eq!(wraps(text), vec![(0, 1, BreakKind::Wrap), (1, 2, BreakKind::Wrap)]);
}

#[test]
fn a_long_block_keeps_its_column_width_despite_an_overlong_line() {
    // Seventy column lines, a sentence ending exactly at the column's end, and one overlong line:
    // the full line ending a sentence still continues into the next (it fills its column).
    let mut text = String::new();
    for _ in 0..35 {
        text.push_str("社区工作人员每天挨家挨户登记返\n乡人员信息，核对健康状况，并及\n");
    }
    text.push_str("社区工作人员每天挨家挨户登记返乡人员信息并核对健康状况及时上报。\n");
    text.push_str("志愿者连夜清扫积雪，保障道路通。\n下一句话接着写。\n");
    let page = Page::parse(&text);
    let full_sentence_end = 71;
    assert_eq!(page.line_text(&text, full_sentence_end), "志愿者连夜清扫积雪，保障道路通。");
    assert!(page.break_after(full_sentence_end).is_some(), "the full line ending a sentence wraps");
    // A short block keeps its widest line as its column: there the overlong line decides.
    let short = "社区工作人员每天挨家挨户登记返\n社区工作人员每天挨家挨户登记返乡人员信息并核对健康状况及时上报。\n志愿者连夜清扫积雪，保障道路通。\n下一句。\n";
    assert!(Page::parse(short).break_after(2).is_none());
}

#[test]
fn headline_blocks_are_not_wrapped() {
    let text = "迅速行动\n八个工作组奔赴一线\n\n社区工作人员每天挨家挨户登记\n返乡人员信息。";
    let page = Page::parse(text);
    assert_eq!(page.lines[0].kind, LineKind::Headline);
    assert_eq!(page.lines[1].kind, LineKind::Headline);
    assert_eq!(wraps(text), vec![(3, 4, BreakKind::Wrap)]);
}

#[test]
fn blank_split_in_mid_sentence() {
    let text = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况，\n\n并及时上报。";
    assert_eq!(wraps(text), vec![(0, 1, BreakKind::Wrap), (1, 3, BreakKind::BlankSplit)]);
    assert_eq!(Page::parse(text).paragraphs, vec![vec![0, 1, 3]]);
}

#[test]
fn bylines_credits_and_vertical_headings() {
    let text = " 守\n望\n\n□本报记者 李明\n\n村民在卡点值守。 王芳 摄\n\n刘强 摄\n";
    let page = Page::parse(text);
    let kinds: Vec<LineKind> = page.lines.iter().map(|line| line.kind).collect();
    assert_eq!(kinds[..3], [LineKind::Vertical, LineKind::Vertical, LineKind::Blank]);
    assert_eq!(kinds[3], LineKind::Byline);
    assert_eq!(kinds[5], LineKind::Body);
    assert_eq!(kinds[7], LineKind::Credit);
    assert_eq!(page.vertical_runs, vec![VerticalRun { first_line: 0, last_line: 1 }]);
    assert_eq!(credit_suffix_start("村民在卡点值守。 王芳 摄"), Some("村民在卡点值守。 ".len()));
}

#[test]
fn a_lone_carriage_return_ends_a_line() {
    let lf = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况，\n\n并及时上报。\n标题\n";
    for terminator in ["\r", "\r\n"] {
        let text = lf.replace('\n', terminator);
        let (page, expected) = (Page::parse(&text), Page::parse(lf));
        let texts: Vec<&str> = (0..page.lines.len()).map(|index| page.line_text(&text, index)).collect();
        let expected_texts: Vec<&str> = (0..expected.lines.len()).map(|index| expected.line_text(lf, index)).collect();
        assert_eq!(texts, expected_texts, "{terminator:?}");
        let kinds = |page: &Page| page.lines.iter().map(|line| line.kind).collect::<Vec<_>>();
        assert_eq!(kinds(&page), kinds(&expected), "{terminator:?}");
        assert_eq!(wraps(&text), wraps(lf), "{terminator:?}");
        assert_eq!(page.paragraphs, expected.paragraphs, "{terminator:?}");
        for join in &page.breaks {
            let between = &text[join.range.clone()];
            assert!(between.chars().all(|c| c == '\r' || c == '\n'), "{between:?}");
            assert_eq!(between.matches(terminator).count(), join.to_line - join.from_line, "whole terminators: {between:?}");
        }
        assert!(page.lines.iter().all(|line| !text[line.range.clone()].contains('\r')));
        assert_eq!(page.lines.last().unwrap().next_start, text.len());
    }
    // Mixed line ends: each of `\n`, `\r\n` and `\r` ends one line.
    let page = Page::parse("甲\r乙\r\n丙\n丁");
    let ranges: Vec<(Range<usize>, usize)> = page.lines.iter().map(|line| (line.range.clone(), line.next_start)).collect();
    assert_eq!(ranges, vec![(0..3, 4), (4..7, 9), (9..12, 13), (13..16, 16)]);
}

#[test]
fn empty_and_crlf_pages() {
    assert!(Page::parse("").lines.is_empty());
    let page = Page::parse("第一行文字很长很长很长，\r\n第二行。");
    assert_eq!(page.lines[0].range, 0.."第一行文字很长很长很长，".len());
    assert_eq!(page.breaks.len(), 1);
}
