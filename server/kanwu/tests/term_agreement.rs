//! The one term search seen from every face: for terms of the seed pages and invented pages, `kanwu refs`, the server's Find References and the hover's corpus count find the same occurrences, and hand-counted totals are pinned.

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use support::{initialize_params, Client, TempDir};

/// An invented page: a term cut by a column wrap, `党组` on its own and inside `党组\n织`, quotes kept.
const INVENTED_A: &str = "党建引领基层治理\n\n□本报记者 苏和\n\n各嘎查村党组织书记和驻村第一书\n记参加培训。旗直机关党组专题研究，\n部署村“两委”换届工作。全旗党组\n织开展结对帮扶。\n\n党员中心户带头，尖刀班成员分片包联，\n驻 村 工 作 队逐户走访。\n";

/// An invented page that lost its quotation marks and has spaces between characters.
const INVENTED_B: &str = "村 两 委 班子和党员中心\n户一起开会。尖刀班、驻村工作队\n和第一书记共同值守。\n";

/// The terms compared across the faces: glossary terms of the pages, short and long, some inside
/// longer words on some pages.
const TERMS: [&str; 24] = [
    "党支部",
    "两委",
    "党组",
    "合作社",
    "第一书记",
    "嘎查",
    "党员中心户",
    "尖刀班",
    "乡村振兴",
    "驻村工作队",
    "党员",
    "旗",
    "社区",
    "牧民",
    "牧区",
    "盟",
    "农村牧区",
    "村集体经济",
    "嘎查村",
    "基层党组织",
    "脱贫攻坚",
    "党组织书记",
    "包联",
    "志愿服务队",
];

/// Totals counted by hand over the four seed pages and the two invented ones: the seed pages hold
/// 两委 9 times, 第一书记 10, 党组 51 times of which 49 are `党组织` (2 left), 尖刀班 13,
/// 党员中心户 10 and 驻村工作队 7; the invented pages add 2 of each, but only 1 `党组` (the
/// other is `党组\n织`).
const HAND_COUNTED: [(&str, usize); 6] =
    [("两委", 11), ("第一书记", 12), ("党组", 3), ("尖刀班", 15), ("党员中心户", 12), ("驻村工作队", 9)];

/// A corpus folder with the seed pages and the invented pages.
fn corpus() -> TempDir {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let dir = TempDir::new("term-agreement");
    let mut copied = 0;
    for entry in std::fs::read_dir(&seeds).unwrap_or_else(|error| panic!("the seed pages at {}: {error}", seeds.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "txt") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    assert_eq!(copied, 4, "the four seed pages are beside the project");
    dir.write("invented-a.txt", INVENTED_A);
    dir.write("invented-b.txt", INVENTED_B);
    dir
}

/// `kanwu refs TERM` over the folder as (file name, range) pairs.
fn cli_refs(dir: &Path, term: &str) -> Vec<(String, Value)> {
    let output = Command::new(env!("CARGO_BIN_EXE_kanwu")).args(["refs", term, ".", "--format", "json"]).current_dir(dir).output().unwrap();
    assert!(output.status.success(), "kanwu refs {term}: {}", String::from_utf8_lossy(&output.stderr));
    let hits: Value = serde_json::from_slice(&output.stdout).unwrap();
    hits.as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let path = hit["path"].as_str().unwrap();
            (path.rsplit('/').next().unwrap().to_string(), hit["range"].clone())
        })
        .collect()
}

/// The occurrences count of a hover's corpus line (`语料：P 页，N 处`).
fn hover_count(hover: &Value) -> Option<usize> {
    let text = hover["result"]["contents"]["value"].as_str()?;
    let line = text.lines().find(|line| line.starts_with("语料："))?;
    let after = line.split('，').nth(1)?;
    after.trim_end_matches(|c: char| !c.is_ascii_digit()).split(' ').next()?.parse().ok()
}

#[test]
fn refs_references_and_the_hover_count_agree() {
    let dir = corpus();
    let mut client = Client::spawn(dir.path());
    let result = client.initialize(initialize_params("vscode-1.139", dir.path()));
    let encoding = result["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16").to_string();
    client.wait(|message| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end", "indexing to end");
    let mut opened = std::collections::HashSet::new();
    for term in TERMS {
        let cli = cli_refs(dir.path(), term);
        assert!(!cli.is_empty(), "{term} occurs in the corpus");
        // The cursor goes on the first occurrence whose hover is the term's own entry (a longer
        // glossary term may start earlier and take the hover there).
        let mut checked = false;
        for (file, range) in cli.iter().take(20) {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            let offset = support::offset(&text, &range["start"], "utf-16");
            let at = support::position(&text, offset, &encoding);
            let uri = dir.uri(file);
            if opened.insert(file.clone()) {
                client.open(&uri, &text);
            }
            let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": at}));
            let shown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
            if !shown.starts_with(&format!("**{term}**")) {
                continue;
            }
            let references = client.request(
                "textDocument/references",
                json!({"textDocument": {"uri": uri}, "position": at, "context": {"includeDeclaration": true}}),
            );
            let mut from_server: Vec<(String, Value)> = references["result"]
                .as_array()
                .unwrap_or_else(|| panic!("references of {term}: {references}"))
                .iter()
                .map(|location| (location["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), location["range"].clone()))
                .collect();
            let mut from_cli = cli.clone();
            // The CLI reports UTF-16 columns; compare in the server's encoding only when it is the same.
            if encoding == "utf-16" {
                let key = |(file, range): &(String, Value)| (file.clone(), range.to_string());
                from_server.sort_by_key(key);
                from_cli.sort_by_key(key);
                assert_eq!(from_server, from_cli, "{term}: Find References and kanwu refs differ");
            }
            assert_eq!(from_server.len(), cli.len(), "{term}: Find References and kanwu refs count differently");
            assert_eq!(hover_count(&hover), Some(cli.len()), "{term}: the hover's count differs from kanwu refs: {shown}");
            checked = true;
            break;
        }
        assert!(checked, "{term}: no occurrence hovers as the term's own entry");
    }
    for (term, expected) in HAND_COUNTED {
        assert_eq!(cli_refs(dir.path(), term).len(), expected, "{term}: the hand-counted total");
    }
    client.shutdown_and_exit();
}

#[test]
fn stats_counts_each_term_as_refs_finds_it() {
    let dir = corpus();
    let output = Command::new(env!("CARGO_BIN_EXE_kanwu"))
        .args(["stats", ".", "--format", "json", "--top", "1000"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counts: std::collections::HashMap<String, usize> = stats["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|term| (term["term"].as_str().unwrap().to_string(), term["count"].as_u64().unwrap() as usize))
        .collect();
    for term in TERMS {
        assert_eq!(counts.get(term).copied().unwrap_or(0), cli_refs(dir.path(), term).len(), "{term}: kanwu stats and kanwu refs differ");
    }
    // 党组 inside 党组织 is not counted as 党组.
    assert_eq!(counts.get("党组").copied(), Some(3), "{stats}");
}
