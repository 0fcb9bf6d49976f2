//! Command-line behaviour of `kanwu refs` and `kanwu stats`, run as a real process over folders of invented pages.

use kanwu_core::decode::{encode, PageEncoding};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn kanwu(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kanwu"))
        .args(args)
        .current_dir(dir)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .output()
        .expect("kanwu runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// A page whose `两委` is broken across a column wrap, with a headline and a byline.
const PAGE_A: &str = "党建引领乡村振兴\n\n□本报记者 林晓\n\n全旗各嘎查村召开村“两\n委”会议，部署春耕生产工作，\n确保不误农时。\n";

/// A page with `两 委` split by a stray space, and a photo caption.
const PAGE_B: &str = "村 两 委 班子成员走访农户。\n\n农户在田间劳动\n张雨 摄\n";

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("pages")).unwrap();
    std::fs::write(dir.path().join("pages/a.txt"), PAGE_A).unwrap();
    std::fs::write(dir.path().join("pages/b.txt"), encode(PAGE_B, PageEncoding::Gb18030)).unwrap();
    std::fs::write(dir.path().join("pages/c.bin"), b"\x00\x01binary").unwrap();
    dir
}

#[test]
fn refs_prints_every_occurrence_with_one_based_character_columns() {
    let dir = corpus();
    let output = kanwu(&["refs", "两委", "pages"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("pages/a.txt:5:11: "), "{text}");
    assert!(lines[0].contains("召开村“两委”会议"), "{text}");
    // The GB18030 page is decoded; the stray space does not hide the term.
    assert!(lines[1].starts_with("pages/b.txt:1:3: "), "{text}");
}

#[test]
fn refs_json_has_lsp_shaped_ranges_spanning_the_line_break() {
    let dir = corpus();
    let output = kanwu(&["refs", "两委", "pages", "--format", "json"], dir.path());
    let value: Value = serde_json::from_str(&stdout(&output)).expect("json");
    let hits = value.as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["path"], "pages/a.txt");
    assert_eq!(hits[0]["range"]["start"], serde_json::json!({"line": 4, "character": 10}));
    assert_eq!(hits[0]["range"]["end"], serde_json::json!({"line": 5, "character": 1}));
    assert_eq!(hits[1]["range"]["start"], serde_json::json!({"line": 0, "character": 2}));
    assert_eq!(hits[1]["range"]["end"], serde_json::json!({"line": 0, "character": 5}));
}

#[test]
fn refs_exits_one_when_nothing_is_found() {
    let dir = corpus();
    let output = kanwu(&["refs", "不存在", "pages"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
}

#[test]
fn stats_counts_pages_articles_characters_rules_and_terms() {
    let dir = corpus();
    let output = kanwu(&["stats", "pages", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let value: Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(value["pages"], 2);
    assert_eq!(value["articles"], 1);
    let characters = PAGE_A.chars().chain(PAGE_B.chars()).filter(|c| !c.is_whitespace()).count();
    assert_eq!(value["characters"], characters);
    assert!(value["rules"]["cjk-space"].as_u64().unwrap() >= 1, "{value}");
    let terms = value["terms"].as_array().unwrap();
    assert!(terms.iter().any(|term| term["term"] == "两委" && term["count"] == 2), "{value}");
    let human = stdout(&kanwu(&["stats", "pages"], dir.path()));
    assert!(human.starts_with("pages: 2\narticles: 1\n"), "{human}");
}
