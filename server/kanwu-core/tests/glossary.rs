//! Tests of the glossary: the built-in data's completeness, OCR-aware matching, layering, errors and the real seed pages.

use kanwu_core::glossary::{Category, Glossary, TermHit};
use kanwu_core::Page;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn builtin() -> &'static Glossary {
    Glossary::builtin()
}

/// The term found at the first occurrence of `needle`'s first character in `text`.
fn hit_at(text: &str, needle: &str) -> Option<(String, String)> {
    let page = Page::parse(text);
    let offset = text.find(needle).expect("needle is in the text");
    builtin().term_at(text, &page, offset).map(|hit| (builtin().entry(hit.entry).term.clone(), text[hit.range].to_string()))
}

fn terms_found(text: &str) -> Vec<(String, String)> {
    let page = Page::parse(text);
    builtin()
        .find_in(text, &page)
        .into_iter()
        .map(|TermHit { range, entry }| (builtin().entry(entry).term.clone(), text[range].to_string()))
        .collect()
}

#[test]
fn every_builtin_entry_is_complete() {
    let glossary = builtin();
    assert!(glossary.len() >= 250, "only {} entries", glossary.len());
    let terms: BTreeSet<&str> = glossary.entries().iter().map(|entry| entry.term.as_str()).collect();
    assert_eq!(terms.len(), glossary.len(), "a term is defined twice");
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for entry in glossary.entries() {
        assert!(!entry.term.trim().is_empty());
        assert!(Category::ALL.contains(&entry.category));
        assert!(!entry.definition.trim().is_empty(), "{} has no definition", entry.term);
        assert!(!entry.english.trim().is_empty(), "{} has no English gloss", entry.term);
        assert!(entry.source.path.is_none() && entry.source.line > 0);
        for related in &entry.related {
            assert!(terms.contains(related.as_str()), "{}: related `{related}` is not a term", entry.term);
            assert_ne!(related, &entry.term, "{} relates to itself", entry.term);
        }
        for name in entry.names() {
            if let Some(owner) = owners.insert(name, &entry.term) {
                panic!("`{name}` is used by both `{owner}` and `{}`", entry.term);
            }
        }
    }
    for name in owners.keys() {
        assert_eq!(glossary.lookup(name).map(|entry| entry.term.as_str()), owners.get(name).copied());
    }
}

#[test]
fn every_hover_term_resolves() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/glossary/hover-terms.txt");
    let text = std::fs::read_to_string(&path).expect("hover-terms.txt");
    let terms: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    assert!(terms.len() >= 120, "only {} hover terms", terms.len());
    let missing: Vec<&str> = terms.iter().copied().filter(|term| builtin().lookup(term).is_none()).collect();
    assert!(missing.is_empty(), "hover terms without an entry: {missing:?}");
}

#[test]
fn matching_sees_through_wraps_spaces_and_lost_quotes() {
    for text in ["召开两\n委会议", "召开两 委会议", "召开村“ 两\n委”会议", "召开村 两委 会议"] {
        let page = Page::parse(text);
        let offset = text.find('委').unwrap();
        let hit = builtin().term_at(text, &page, offset).unwrap_or_else(|| panic!("nothing found in {text:?}"));
        assert_eq!(builtin().entry(hit.entry).term, "两委", "{text:?}");
        let found = &text[hit.range.clone()];
        assert!(found.contains('两') && found.contains('委'), "{text:?}: {found:?}");
        // The hit spans the break or the spaces in the original.
        let at_break = text.find(['\n', ' ']).unwrap();
        assert!(hit.range.start < at_break && at_break < hit.range.end, "{text:?}: {:?}", hit.range);
    }
    let (term, found) = hit_at("召开村“ 两\n委”会议", "两").unwrap();
    assert_eq!((term.as_str(), found.as_str()), ("两委", "村“ 两\n委”"));
}

#[test]
fn longest_match_wins() {
    let found = terms_found("推行党员中心户制度，党员带头。");
    assert_eq!(found[0], ("党员中心户".to_string(), "党员中心户".to_string()));
    assert_eq!(hit_at("推行党员中心户制度", "中心").unwrap().0, "党员中心户");
}

#[test]
fn hovering_outside_terms_finds_nothing() {
    assert_eq!(hit_at("今天天气很好。", "天气"), None);
}

#[test]
fn aliases_resolve_to_their_entry() {
    assert_eq!(builtin().lookup("村委会").unwrap().term, "村民委员会");
    assert_eq!(builtin().lookup("村“两委”").unwrap().term, "两委");
    assert_eq!(builtin().lookup("嘎查\"两委\"").unwrap().term, "两委");
    assert_eq!(builtin().lookup("没有的词"), None);
}

#[test]
fn completion_by_prefix_and_initials() {
    let entry = builtin().lookup("两委").unwrap();
    assert_eq!(entry.initials(), "lw");
    let by_initials: Vec<&str> = builtin().complete("lw").iter().map(|entry| entry.term.as_str()).collect();
    assert!(by_initials.contains(&"两委"), "{by_initials:?}");
    let by_prefix: Vec<&str> = builtin().complete("党员").iter().map(|entry| entry.term.as_str()).collect();
    assert!(by_prefix.contains(&"党员中心户"), "{by_prefix:?}");
    assert!(builtin().complete("").is_empty());
}

#[test]
fn hover_renderings_carry_every_part() {
    let entry = builtin().lookup("两委").unwrap();
    let markdown = entry.to_markdown();
    let plain = entry.to_plain_text();
    for text in [&markdown, &plain] {
        assert!(text.contains("两委"));
        assert!(text.contains(entry.category.zh_name()));
        assert!(text.contains("第一书记"));
        assert!(text.contains("村两委"));
        assert!(text.contains("villagers"));
    }
    assert!(markdown.starts_with("**两委**"));
}

const WORKSPACE: &str = "# A team's glossary.\n\n[[term]]\nterm = \"两委\"\ncategory = \"organization\"\ndefinition = \"本队的定义。\"\nenglish = \"two committees (team gloss)\"\n\n[[term]]\nterm = \"打草储草\"\naliases = [\"打草\"]\ncategory = \"rural\"\ndefinition = \"秋季收割牧草并储备冬春饲草的工作。\"\nenglish = \"haymaking and storing forage\"\n";

#[test]
fn workspace_files_override_and_add() {
    let workspace = Glossary::parse(WORKSPACE, Some(Path::new("team/glossary.toml"))).unwrap();
    let glossary = Glossary::layered(builtin(), [&workspace]);
    assert_eq!(glossary.len(), builtin().len() + 1);
    let overridden = glossary.lookup("两委").unwrap();
    assert_eq!(overridden.definition, "本队的定义。");
    assert_eq!(overridden.source.path.as_deref(), Some(Path::new("team/glossary.toml")));
    assert_eq!(overridden.source.line, 4);
    let added = glossary.lookup("打草").unwrap();
    assert_eq!((added.term.as_str(), added.source.line), ("打草储草", 10));
    let text = "牧民正忙着打草。";
    let hits = glossary.find_in(text, &Page::parse(text));
    let added_index = glossary.lookup_index("打草储草").unwrap();
    let hit = hits.iter().find(|hit| hit.entry == added_index).expect("the added term is found");
    assert_eq!(&text[hit.range.clone()], "打草");
    // A name the built-in glossary gave another entry may be taken over by a workspace entry.
    let takeover = "[[term]]\nterm = \"村委会\"\ncategory = \"organization\"\ndefinition = \"定义。\"\nenglish = \"village committee\"\n";
    let takeover = Glossary::parse(takeover, Some(Path::new("g.toml"))).unwrap();
    let glossary = Glossary::layered(builtin(), [&takeover]);
    assert_eq!(glossary.lookup("村委会").unwrap().term, "村委会");
    assert_eq!(glossary.lookup("村民委员会").unwrap().term, "村民委员会");
}

#[test]
fn broken_workspace_files_report_their_place() {
    let syntax = Glossary::parse("[[term]]\nterm = \"两委\ncategory = \"organization\"\n", Some(Path::new("g.toml"))).unwrap_err();
    assert_eq!(syntax.line, 2, "{syntax}");
    assert!(syntax.column >= 1);
    let category = "[[term]]\nterm = \"两委\"\ncategory = \"party\"\ndefinition = \"定义。\"\nenglish = \"x\"\n";
    let error = Glossary::parse(category, Some(Path::new("g.toml"))).unwrap_err();
    assert_eq!((error.line, error.column), (3, 12), "{error}");
    assert!(error.message.contains("party"), "{error}");
    assert_eq!(&category[error.span.clone()], "\"party\"");
    assert!(error.to_string().starts_with("g.toml:3:12:"), "{error}");
    let collision = "[[term]]\nterm = \"甲\"\ncategory = \"role\"\ndefinition = \"定义。\"\nenglish = \"a\"\n\n[[term]]\nterm = \"乙\"\naliases = [\"丙\", \"甲\"]\ncategory = \"role\"\ndefinition = \"定义。\"\nenglish = \"b\"\n";
    let error = Glossary::parse(collision, None).unwrap_err();
    assert_eq!((error.line, error.column), (9, 17), "{error}");
    assert!(error.message.contains("甲") && error.message.contains("line 2"), "{error}");
    let missing = Glossary::parse("[[term]]\nterm = \"甲\"\ncategory = \"role\"\n", None).unwrap_err();
    assert!(missing.message.contains("definition"), "{missing}");
    let unknown =
        Glossary::parse("[[term]]\nterm = \"甲\"\ncategory = \"role\"\ndefinition = \"d\"\nenglish = \"e\"\nnote = \"x\"\n", None)
            .unwrap_err();
    assert_eq!(unknown.line, 6, "{unknown}");
}

#[test]
fn export_round_trips() {
    let exported = Glossary::export_builtin();
    assert!(exported.starts_with('#'));
    let reparsed = Glossary::parse(&exported, Some(Path::new("glossary.toml"))).unwrap();
    assert_eq!(reparsed.len(), builtin().len());
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
}

#[test]
fn glossary_terms_on_the_seed_pages() {
    let mut distinct = BTreeSet::new();
    let mut total = 0;
    let mut pages = 0;
    for name in ["page-a", "page-b", "page-c", "page-d"] {
        let Ok(text) = std::fs::read_to_string(seeds_dir().join(format!("{name}.txt"))) else { continue };
        pages += 1;
        let page = Page::parse(&text);
        let hits = builtin().find_in(&text, &page);
        let mut previous_end = 0;
        for hit in &hits {
            assert!(hit.range.start >= previous_end, "hits overlap on {name}");
            previous_end = hit.range.end;
            // Every hit, read back without breaks and spaces, is a name (or quote-free name) of its entry.
            let bare: String = text[hit.range.clone()].chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(builtin().lookup(&bare).map(|entry| &entry.term), Some(&builtin().entry(hit.entry).term), "{name}: {bare}");
            // Hover anywhere inside the hit finds the same hit.
            assert_eq!(builtin().term_at(&text, &page, hit.range.start).as_ref(), Some(hit));
        }
        let spanning = hits.iter().filter(|hit| text[hit.range.clone()].contains('\n')).count();
        eprintln!("{name}: {} hits, {spanning} across a line break", hits.len());
        total += hits.len();
        distinct.extend(hits.iter().map(|hit| hit.entry));
    }
    if pages < 4 {
        eprintln!("seed pages missing; found {pages}");
        return;
    }
    eprintln!("seed pages: {total} hits of {} distinct terms", distinct.len());
    assert!(distinct.len() >= 50, "only {} distinct terms on the seed pages", distinct.len());
}

/// The README's example of a workspace glossary file parses, so the documented format is the real one.
#[test]
fn the_readme_glossary_example_parses() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    let section = readme.split("### Glossary files").nth(1).expect("a glossary files section");
    let block = section.split("```toml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a toml block");
    let glossary = kanwu_core::glossary::Glossary::parse(block, None).expect("the README's example parses");
    let entry = glossary.lookup("打草场").expect("an alias finds its entry");
    assert_eq!(entry.term, "打草");
}
