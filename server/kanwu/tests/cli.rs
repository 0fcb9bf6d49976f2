//! Command-line behaviour of `kanwu check`, `kanwu fix` and `kanwu rules`, run as a real process
//! over folders of invented pages.

use kanwu_core::decode::{encode, PageEncoding};
use serde_json::Value;
use std::path::{Path, PathBuf};
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A page with a justified line, a spaced number, ASCII commas and a column wrap.
const PAGE: &str = "□本报记者 林晓\n\n全旗 56 个嘎查村全部建立了服务队,帮助牧民解决难\n题。组 织 党 员 深 入 一 线。\n";

/// A page with nothing to report.
const CLEAN: &str = "□本报记者 林晓\n\n全旗56个嘎查村全部建立了服务队，帮助牧民解决难题。\n";

fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn human_output_reads_like_a_compiler() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("human_check", stdout(&output));
}

#[test]
fn human_output_in_chinese() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["check", "--locale", "zh", "page.txt"], dir.path());
    let text = stdout(&output);
    assert!(text.contains("共检查 1 页"), "{text}");
    assert!(text.contains("空格"), "{text}");
    let from_env = Command::new(env!("CARGO_BIN_EXE_kanwu"))
        .args(["check", "page.txt"])
        .current_dir(dir.path())
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert!(stdout(&from_env).contains("共检查 1 页"));
}

#[test]
fn json_output_is_one_lsp_shaped_array() {
    let dir = corpus(&[("a/page.txt", PAGE.as_bytes()), ("b/ext.txt", "𠮷甲 乙。\n".as_bytes())]);
    let output = kanwu(&["check", "--format", "json", "."], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let array: Vec<Value> = serde_json::from_str(&stdout(&output)).expect("one JSON array");
    assert!(array.len() >= 5, "{array:#?}");
    let first = &array[0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["path", "range", "severity", "code", "message", "fixes"]);
    assert_eq!(first["path"], "./a/page.txt");
    // 𠮷 is two UTF-16 code units: the space after 𠮷甲 starts at character 3.
    let ext = array.iter().find(|item| item["path"] == "./b/ext.txt" && item["code"] == "cjk-space").expect("cjk-space in ext.txt");
    assert_eq!(ext["range"]["start"], serde_json::json!({"line": 0, "character": 3}));
    assert_eq!(ext["fixes"][0]["safe"], true);
    assert_eq!(ext["fixes"][0]["edits"][0]["newText"], "");
    insta::assert_json_snapshot!("json_check", array);
}

#[test]
fn sarif_output_is_2_1_0_in_utf16_columns() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["check", "--format", "sarif", "page.txt"], dir.path());
    let log: Value = serde_json::from_str(&stdout(&output)).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["columnKind"], "utf16CodeUnits");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|result| result["ruleId"] == "num-space"));
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1);
    assert!(log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len() >= 15);
}

#[test]
fn exit_codes_are_zero_one_two_and_two_wins() {
    let dir = corpus(&[("clean.txt", CLEAN.as_bytes()), ("page.txt", PAGE.as_bytes())]);
    assert_eq!(kanwu(&["check", "clean.txt"], dir.path()).status.code(), Some(0));
    assert_eq!(kanwu(&["check", "page.txt"], dir.path()).status.code(), Some(1));
    assert_eq!(kanwu(&["check", "--exit-zero", "page.txt"], dir.path()).status.code(), Some(0));
    let missing = kanwu(&["check", "page.txt", "missing.txt"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("missing.txt"), "{}", stderr(&missing));
}

#[test]
fn broken_config_is_an_error_with_its_place() {
    let dir = corpus(&[("kanwu.toml", b"[rules]\nline-wrap = \"loud\"\n"), ("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("kanwu.toml:2:13"), "{message}");
    assert!(message.contains("loud"), "{message}");
}

#[test]
fn config_turns_rules_off_sets_severity_and_filters_files() {
    let config = "exclude = [\"drafts/**\"]\nignore = [\"全旗 56\"]\n[rules]\nhalf-width-punct = \"off\"\ncjk-space = \"hint\"\n";
    let dir = corpus(&[
        ("kanwu.toml", config.as_bytes()),
        ("page.txt", PAGE.as_bytes()),
        ("drafts/old.txt", PAGE.as_bytes()),
        ("notes.md", PAGE.as_bytes()),
    ]);
    let output = kanwu(&["check", "--format", "json", "."], dir.path());
    let array: Vec<Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(array.iter().all(|item| item["path"] == "./page.txt"), "drafts and .md are not checked");
    assert!(array.iter().all(|item| item["code"] != "half-width-punct"));
    assert!(array.iter().filter(|item| item["code"] == "cjk-space").all(|item| item["severity"] == "hint"));
    // The first num-space (全旗 56) lies inside an ignored phrase; the second (56 个) does not.
    assert_eq!(array.iter().filter(|item| item["code"] == "num-space").count(), 1);
}

#[test]
fn ignored_occurrences_in_the_sidecar_are_honoured() {
    let sidecar = "[[occurrence]]\npage = \"page.txt\"\ncode = \"num-space\"\ntext = \" \"\nbefore = \"林晓\\n\\n全旗\"\nafter = \"56 个嘎查村全部建\"\n";
    let dir = corpus(&[(".kanwu/ignored.toml", sidecar.as_bytes()), ("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["check", "--format", "json", "page.txt"], dir.path());
    let array: Vec<Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(array.iter().filter(|item| item["code"] == "num-space").count(), 1, "{array:#?}");
}

#[test]
fn fix_writes_once_and_is_idempotent() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let output = kanwu(&["fix", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fixed = std::fs::read_to_string(dir.path().join("page.txt")).unwrap();
    assert_eq!(fixed, "□本报记者 林晓\n\n全旗56个嘎查村全部建立了服务队，帮助牧民解决难题。组织党员深入一线。\n");
    let modified = std::fs::metadata(dir.path().join("page.txt")).unwrap().modified().unwrap();
    let again = kanwu(&["fix", "page.txt"], dir.path());
    assert!(stderr(&again).contains("Fixed 0 artefacts in 0 of 1 page"), "{}", stderr(&again));
    assert_eq!(std::fs::metadata(dir.path().join("page.txt")).unwrap().modified().unwrap(), modified, "an unchanged page is not rewritten");
    assert_eq!(kanwu(&["check", "page.txt"], dir.path()).status.code(), Some(0));
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
}

#[test]
fn fix_stdout_and_diff_write_nothing() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let printed = kanwu(&["fix", "--stdout", "page.txt"], dir.path());
    assert!(stdout(&printed).contains("全旗56个嘎查村"));
    let diff = kanwu(&["fix", "--diff", "page.txt"], dir.path());
    let text = stdout(&diff);
    assert!(text.contains("--- a/page.txt") && text.contains("+++ b/page.txt"), "{text}");
    assert!(text.contains("-全旗 56 个") && text.contains("+全旗56个"), "{text}");
    assert_eq!(std::fs::read_to_string(dir.path().join("page.txt")).unwrap(), PAGE);
    std::fs::write(dir.path().join("other.txt"), PAGE).unwrap();
    let two = kanwu(&["fix", "--stdout", "."], dir.path());
    assert_eq!(two.status.code(), Some(2), "--stdout wants one page");
}

#[test]
fn fix_by_rule_and_keep_lines() {
    let dir = corpus(&[("page.txt", PAGE.as_bytes())]);
    let only = kanwu(&["fix", "--stdout", "--rule", "num-space", "page.txt"], dir.path());
    assert_eq!(stdout(&only), PAGE.replace("全旗 56 个", "全旗56个"));
    let kept = kanwu(&["fix", "--stdout", "--keep-lines", "page.txt"], dir.path());
    assert_eq!(stdout(&kept).lines().count(), PAGE.lines().count(), "line structure kept");
    assert!(!stdout(&kept).contains(','));
    let unknown = kanwu(&["fix", "--rule", "no-such-rule", "page.txt"], dir.path());
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn pages_keep_their_encoding_through_fix() {
    for encoding in [PageEncoding::Gb18030, PageEncoding::Utf16Le, PageEncoding::Utf8Bom] {
        let dir = corpus(&[("page.txt", &encode(PAGE, encoding))]);
        let check = kanwu(&["check", "page.txt"], dir.path());
        assert_eq!(check.status.code(), Some(1));
        assert!(stderr(&check).contains(encoding.name()), "a note names {}: {}", encoding.name(), stderr(&check));
        kanwu(&["fix", "page.txt"], dir.path());
        let bytes = std::fs::read(dir.path().join("page.txt")).unwrap();
        let decoded = kanwu_core::decode::decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, encoding);
        assert!(decoded.text.contains("全旗56个嘎查村"));
    }
}

#[test]
fn binary_files_are_skipped_with_a_note() {
    let dir = corpus(&[("scan.txt", b"\x00\x01\x02PNG\x00"), ("page.txt", CLEAN.as_bytes())]);
    let output = kanwu(&["check", "."], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("binary"), "{}", stderr(&output));
}

#[test]
fn readme_rule_table_matches_the_rules() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let output = kanwu(&["rules"], Path::new(env!("CARGO_MANIFEST_DIR")));
    let table = stdout(&output);
    assert!(readme.contains(&table), "README.md's rule table is out of date; paste `kanwu rules` into it:\n{table}");
    for line in table.lines().skip(2) {
        let code = line.split('`').nth(1).unwrap();
        let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../docs/rules/{code}.md"));
        assert!(doc.is_file(), "missing documentation page {}", doc.display());
    }
}
