//! `kanwu fix` and `kanwu check`, run as a real process, on pages whose lines end in a lone `\r`
//! or in `\r\n`: fixed pages keep their own line ends, and positions count `\r` as a line end.

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

/// A page with a column wrap, a paragraph cut by blank lines, ASCII commas and a spaced number.
const PAGE: &str = "□本报记者 林晓\n\n社区工作人员每天挨家挨户登记\n返乡人员信息,核对健康状况,\n\n并及时上报,走访 350 多户。\n";

#[test]
fn fix_keeps_the_line_ends_of_cr_and_crlf_pages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lf.txt"), PAGE).unwrap();
    let lf = kanwu(&["fix", "lf.txt"], dir.path());
    assert!(lf.status.success(), "{}", String::from_utf8_lossy(&lf.stderr));
    let fixed_lf = std::fs::read_to_string(dir.path().join("lf.txt")).unwrap();
    assert_ne!(fixed_lf, PAGE, "the page has fixes to apply");
    for (name, terminator) in [("cr.txt", "\r"), ("crlf.txt", "\r\n")] {
        std::fs::write(dir.path().join(name), PAGE.replace('\n', terminator)).unwrap();
        let output = kanwu(&["fix", name], dir.path());
        assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        let fixed = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(fixed, fixed_lf.replace('\n', terminator), "{name}");
    }
    let cr = std::fs::read_to_string(dir.path().join("cr.txt")).unwrap();
    assert!(!cr.contains('\n') && cr.ends_with('\r'), "{cr:?}");
}

#[test]
fn check_counts_a_lone_carriage_return_as_a_line_end() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page.txt"), "第一行文字。\r第二行,文字。\n").unwrap();
    let output = kanwu(&["check", "--format", "json", "page.txt"], dir.path());
    let found: Value = serde_json::from_slice(&output.stdout).expect("one JSON array");
    let comma = found.as_array().unwrap().iter().find(|d| d["code"] == "half-width-punct").expect("the ASCII comma");
    assert_eq!(comma["range"]["start"], serde_json::json!({ "line": 1, "character": 3 }), "{comma}");
}
