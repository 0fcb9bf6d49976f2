//! Tests of the corpus index: hits through wraps and spaces, updates, renames, freezing, storage.

use super::postings::DENSE;
use super::*;

fn index_of(pages: &[(&str, &str)]) -> CorpusIndex {
    let mut index = CorpusIndex::new();
    for (path, text) in pages {
        index.update(Path::new(path), text);
    }
    index
}

#[test]
fn finds_a_term_broken_across_a_line_at_its_original_range() {
    let text = "社区工作人员每天挨家挨户登记\n返乡人员信息，核对健康状况，并\n及时上报。";
    let index = index_of(&[("a.txt", text)]);
    let hits = index.references("登记返乡");
    assert_eq!(hits.len(), 1);
    assert_eq!(&text[hits[0].range.clone()], "登记\n返乡");
    assert_eq!((hits[0].start.line, hits[0].start.chars, hits[0].end.line, hits[0].end.chars), (0, 12, 1, 2));
    assert_eq!(hits[0].start.utf8, 36);
    assert_eq!(index.context(&hits[0], 2), "挨户登记返乡人员");
}

#[test]
fn finds_through_spaces_and_reports_columns() {
    let text = "标题\n\n召开村“ 两\n委”会议，全村 两 委 成员参加。\n";
    let index = index_of(&[("b.txt", text)]);
    let hits = index.references("两委");
    let found: Vec<&str> = hits.iter().map(|hit| &text[hit.range.clone()]).collect();
    assert_eq!(found, ["两\n委", "两 委"]);
    assert_eq!((hits[1].start.line, hits[1].start.utf16, hits[1].end.utf16), (3, 8, 11));
    assert_eq!(index.references("两 委").len(), 2);
}

#[test]
fn rebuilds_the_original_text_exactly() {
    for text in ["", "a", "两 委\n", "标题\r\n\r\n正文 很长\n很长。  \n\n\n结尾 1 2 3", "𠀀字 𠀁\n𠀂"] {
        let index = index_of(&[("c.txt", text)]);
        let id = index.id_of(Path::new("c.txt")).unwrap();
        assert_eq!(index.original_text(id).unwrap(), text);
    }
}

#[test]
fn a_freeze_prepared_while_reading_is_installed_only_if_nothing_changed() {
    let mut index = index_of(&[("a.txt", "党员中心户制度。"), ("b.txt", "两个党员中心户。")]);
    let prepared = index.prepare_freeze();
    assert!(index.install_freeze(prepared));
    assert_eq!(index.frequency("中心户"), (2, 2));
    // A page added after the look was taken: the prepared postings would lose it.
    let prepared = index.prepare_freeze();
    index.update(Path::new("c.txt"), "党员中心户挂牌。");
    assert!(!index.install_freeze(prepared));
    assert_eq!(index.frequency("中心户"), (3, 3));
    index.freeze();
    assert_eq!(index.frequency("中心户"), (3, 3));
}

#[test]
fn adds_changes_removes_and_renames_pages() {
    let mut index = index_of(&[("a.txt", "党员中心户制度。"), ("b.txt", "没有这个词。")]);
    assert_eq!(index.frequency("中心户"), (1, 1));
    index.update(Path::new("b.txt"), "两个党员中心户，党员中心户。");
    assert_eq!(index.frequency("中心户"), (2, 3));
    assert!(index.rename(Path::new("b.txt"), Path::new("c.txt")));
    let hits = index.references("中心户");
    let paths: Vec<&Path> = hits.iter().map(|hit| index.path(hit.page).unwrap()).collect();
    assert_eq!(paths, [Path::new("a.txt"), Path::new("c.txt"), Path::new("c.txt")]);
    assert!(index.remove(Path::new("a.txt")));
    assert_eq!(index.frequency("中心户"), (1, 2));
    assert_eq!(index.len(), 1);
    assert_eq!(index.references("不存在的词"), Vec::new());
    assert_eq!(index.references("户").len(), 2);
}

#[test]
fn compaction_keeps_results() {
    let mut index = CorpusIndex::new();
    for round in 0..1100 {
        index.update(Path::new("a.txt"), &format!("第{round}轮，两委会议。"));
    }
    index.update(Path::new("b.txt"), "两委");
    assert!(index.pages.len() < 1100, "compacted");
    assert_eq!(index.frequency("两委"), (2, 2));
    assert_eq!(index.references("1099轮").len(), 1);
}

#[test]
fn postings_switch_to_bitmaps_and_keep_members() {
    let mut list = Postings::new();
    for id in (0..5000).step_by(3) {
        list.push(id);
    }
    assert!(matches!(list, Postings::Dense { .. }));
    assert_eq!(list.ids(), (0..5000).step_by(3).collect::<Vec<u32>>());
    assert!(list.contains(2997) && !list.contains(2998));
    let mut sparse = Postings::new();
    for id in [5, 300, 70_000] {
        sparse.push(id);
    }
    assert_eq!(sparse.ids(), [5, 300, 70_000]);
    assert!(sparse.contains(300) && !sparse.contains(301));
}

#[test]
fn frozen_and_added_postings_agree() {
    // Enough pages that common bigrams become bitmaps and rare ones stay gap lists.
    let texts: Vec<(PathBuf, String)> = (0..3000)
        .map(|n| {
            (
                PathBuf::from(format!("p{n:04}.txt")),
                format!("第{n}页，两委会议。{}\n党员𠀀中心户{}。\n", if n % 7 == 0 { "驻村工作队" } else { "" }, n % 13),
            )
        })
        .collect();
    let built = CorpusIndex::build(
        &texts.iter().map(|(path, _)| path.clone()).collect::<Vec<_>>(),
        |path| texts.iter().find(|(p, _)| p == path).map(|(_, text)| text.clone()),
        |_| {},
    );
    let mut added = CorpusIndex::new();
    for (path, text) in texts.iter().take(1000) {
        added.update(path, text);
    }
    // The rest arrive after a freeze, so look-ups combine both layouts.
    added.freeze();
    for (path, text) in texts.iter().skip(1000) {
        added.insert(PreparedPage::new(path.clone(), text));
    }
    assert!(built.frozen.counts.iter().any(|count| count & DENSE != 0) && built.frozen.counts.iter().any(|count| count & DENSE == 0));
    for term in ["两委", "驻村工作队", "𠀀中心", "中心户7", "第2999页", "没有"] {
        let a = built.references(term);
        let b = added.references(term);
        assert_eq!(a.len(), b.len(), "{term}");
        for (a, b) in a.iter().zip(&b) {
            assert_eq!((built.path(a.page), &a.range, a.start, a.end), (added.path(b.page), &b.range, b.start, b.end), "{term}");
        }
        assert_eq!(built.frequency(term), added.frequency(term), "{term}");
    }
    assert_eq!(built.frequency("驻村工作队"), (429, 429));
    let hit = &built.references("中心户")[0];
    assert_eq!((hit.start.line, hit.start.utf16, hit.start.chars, hit.start.utf8), (1, 4, 3, 10));
}

#[test]
fn seed_pages_find_a_term_broken_across_a_line() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&seeds) else {
        eprintln!("seed pages not found at {}: skipped", seeds.display());
        return;
    };
    let mut paths: Vec<PathBuf> =
        entries.flatten().map(|entry| entry.path()).filter(|path| path.extension().is_some_and(|ext| ext == "txt")).collect();
    paths.sort();
    let index = CorpusIndex::build(&paths, |path| std::fs::read_to_string(path).ok(), |_| {});
    assert_eq!(index.len(), paths.len());
    // page-a.txt wraps `习近` / `平总书记` across a line.
    let hits = index.references("习近平");
    let broken: Vec<&Hit> = hits.iter().filter(|hit| hit.start.line != hit.end.line).collect();
    assert!(!broken.is_empty(), "{hits:?}");
    for hit in &hits {
        let text = std::fs::read_to_string(index.path(hit.page).unwrap()).unwrap();
        let found: String = text[hit.range.clone()].chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(found, "习近平");
    }
    for path in &paths {
        let id = index.id_of(path).unwrap();
        assert_eq!(index.original_text(id).unwrap(), std::fs::read_to_string(path).unwrap());
    }
    // A one-off search of a page's text finds exactly what the index finds, with the same context.
    for term in ["习近平", "两委", "党员", "疫情防控", "，", "没有这个词语"] {
        for path in &paths {
            let text = std::fs::read_to_string(path).unwrap();
            let id = index.id_of(path).unwrap();
            let indexed: Vec<(Range<usize>, TextPos, TextPos, String)> = index
                .references(term)
                .into_iter()
                .filter(|hit| hit.page == id)
                .map(|hit| (hit.range.clone(), hit.start, hit.end, index.context(&hit, 12)))
                .collect();
            let searched: Vec<(Range<usize>, TextPos, TextPos, String)> =
                search_text(&text, term, 12).into_iter().map(|(hit, context)| (hit.range, hit.start, hit.end, context)).collect();
            assert_eq!(searched, indexed, "{term} in {}", path.display());
        }
    }
}

#[test]
fn may_contain_sees_through_whitespace_only() {
    assert!(may_contain("召开两\n委会议", "两委"));
    assert!(may_contain("两 \u{3000} 委", "两委"));
    assert!(!may_contain("两，委", "两委"));
    assert!(!may_contain("", "两委"));
    assert!(may_contain("a两委", "两 委"));
}

/// The positions the index counts while it walks a page are those `LineIndex` gives for the same
/// offsets, in every unit, whatever the line ends (`\n`, `\r\n`, a lone `\r`), wraps and spaces.
#[test]
fn hit_positions_equal_line_index_positions() {
    use crate::line_index::{LineIndex, PositionEncoding};
    let pieces = ["两委", "两\n委", "两\r\n委", "两\r委", "两 委", "村", "𠮷", "，", "\n", "\r\n", "\r", "\n\n", " ", "a"];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..400 {
        let mut text = String::new();
        for _ in 0..12 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        let index = index_of(&[("p.txt", &text)]);
        let lines = LineIndex::new(&text);
        for hit in index.references("两委") {
            for (offset, position) in [(hit.range.start, hit.start), (hit.range.end, hit.end)] {
                let utf8 = lines.to_line_col(&text, offset, PositionEncoding::Utf8);
                let utf16 = lines.to_line_col(&text, offset, PositionEncoding::Utf16);
                let chars = lines.to_line_col(&text, offset, PositionEncoding::Utf32);
                assert_eq!(
                    (position.line, position.utf8, position.utf16, position.chars),
                    (utf8.line, utf8.col, utf16.col, chars.col),
                    "at {offset} of {text:?}"
                );
            }
        }
    }
}
