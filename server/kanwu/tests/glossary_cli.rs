//! Command-line behaviour of `kanwu glossary list`, `show` and `export`, run as a real process in temporary folders.

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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A workspace glossary that overrides `两委` and adds `打草储草`.
const WORKSPACE: &str = "# A team's glossary.\n\n[[term]]\nterm = \"两委\"\ncategory = \"organization\"\ndefinition = \"本队的定义。\"\nenglish = \"two committees (team gloss)\"\n\n[[term]]\nterm = \"打草储草\"\naliases = [\"打草\"]\ncategory = \"rural\"\ndefinition = \"秋季收割牧草并储备冬春饲草的工作。\"\nenglish = \"haymaking and storing forage\"\n";

#[test]
fn list_and_filter_by_category() {
    let dir = tempfile::tempdir().unwrap();
    let output = kanwu(&["glossary", "list"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.lines().count() >= 250, "{} lines", text.lines().count());
    assert!(text.lines().any(|line| line.starts_with("两委\torganization\t")), "{text}");
    let output = kanwu(&["glossary", "list", "--category", "epidemic"], dir.path());
    let text = stdout(&output);
    assert!(!text.is_empty());
    assert!(text.lines().all(|line| line.split('\t').nth(1) == Some("epidemic")), "{text}");
    let output = kanwu(&["glossary", "list", "--category", "sports"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("sports"));
}

#[test]
fn show_resolves_aliases_and_rejects_unknown_terms() {
    let dir = tempfile::tempdir().unwrap();
    let output = kanwu(&["glossary", "show", "村“两委”"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("两委（党政组织与机构"), "{text}");
    assert!(text.contains("英文：") && text.contains("相关：") && text.contains("builtin.toml:"), "{text}");
    let output = kanwu(&["glossary", "show", "没有这个词"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("没有这个词"), "{}", stderr(&output));
}

#[test]
fn workspace_glossary_from_kanwu_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("terms")).unwrap();
    std::fs::create_dir_all(dir.path().join("pages/a")).unwrap();
    std::fs::write(dir.path().join("kanwu.toml"), "[glossary]\nfiles = [\"terms/team.toml\"]\n").unwrap();
    std::fs::write(dir.path().join("terms/team.toml"), WORKSPACE).unwrap();
    let nested = dir.path().join("pages/a");
    let output = kanwu(&["glossary", "show", "两委"], &nested);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("本队的定义"), "{}", stdout(&output));
    assert!(stdout(&output).contains("team.toml:4"), "{}", stdout(&output));
    let output = kanwu(&["glossary", "show", "打草"], &nested);
    assert!(stdout(&output).starts_with("打草储草"), "{}", stdout(&output));
    // A broken workspace file is reported with its place.
    std::fs::write(
        dir.path().join("terms/team.toml"),
        "[[term]]\nterm = \"甲\"\ncategory = \"party\"\ndefinition = \"定义。\"\nenglish = \"a\"\n",
    )
    .unwrap();
    let output = kanwu(&["glossary", "list"], &nested);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("team.toml:3:12"), "{}", stderr(&output));
}

#[test]
fn default_glossary_beside_kanwu_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kanwu.toml"), "").unwrap();
    std::fs::write(dir.path().join("glossary.toml"), WORKSPACE).unwrap();
    let output = kanwu(&["glossary", "show", "打草储草"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn export_writes_an_editable_file_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let output = kanwu(&["glossary", "export"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(dir.path().join("glossary.toml")).unwrap();
    assert!(written.contains("term = \"两委\""));
    let output = kanwu(&["glossary", "export"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    let output = kanwu(&["glossary", "export", "--output", "mine.toml"], dir.path());
    assert!(output.status.success());
    std::fs::write(dir.path().join("mine.toml"), "old").unwrap();
    let output = kanwu(&["glossary", "export", "--output", "mine.toml", "--force"], dir.path());
    assert!(output.status.success());
    assert_eq!(std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(), written);
    // The exported file is picked up (no kanwu.toml: glossary.toml in the folder) and lists every term.
    let output = kanwu(&["glossary", "list"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
}

/// A glossary file that a `kanwu.toml` names outside its own folder is left out, with a warning
/// at the entry's line and column, unless `--allow-outside` names the folder it lies in.
#[test]
fn glossary_files_outside_the_project_need_allow_outside() {
    let base = tempfile::tempdir().unwrap();
    let project = base.path().join("ws");
    let outside = base.path().join("outside");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.toml"), WORKSPACE).unwrap();
    std::fs::write(project.join("kanwu.toml"), "[glossary]\nfiles = [\"../outside/secret.toml\"]\n").unwrap();

    let output = kanwu(&["glossary", "show", "打草储草"], &project);
    assert_eq!(output.status.code(), Some(1), "the outside file is not read: {}", stdout(&output));
    let warning = stderr(&output);
    assert!(warning.contains("kanwu.toml:2:10: glossary file `../outside/secret.toml`"), "{warning}");
    assert!(warning.contains("outside the workspace") && warning.contains("--allow-outside"), "{warning}");

    let allowed = outside.to_str().unwrap();
    let output = kanwu(&["glossary", "show", "打草储草", "--allow-outside", allowed], &project);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("秋季收割牧草"), "{}", stdout(&output));

    // A device is never read, even where it is allowed: it is refused as no regular file.
    std::fs::write(project.join("kanwu.toml"), "[glossary]\nfiles = [\"/dev/zero\"]\n").unwrap();
    let output = kanwu(&["glossary", "list", "--allow-outside", "/dev"], &project);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("/dev/zero"), "{}", stderr(&output));
    std::fs::write(project.join("kanwu.toml"), "[glossary]\nfiles = [\"../outside/secret.toml\"]\n").unwrap();
    std::fs::write(project.join("page.txt"), "牧民正忙着打草。\n").unwrap();
    let output = kanwu(&["stats", "."], &project);
    assert!(stderr(&output).contains("outside the workspace"), "stats leaves it out too: {}", stderr(&output));
}

/// `glossary export` writes atomically and never through a link that leads out of its folder.
#[test]
fn export_refuses_a_link_that_leads_outside() {
    let base = tempfile::tempdir().unwrap();
    let project = base.path().join("ws");
    std::fs::create_dir_all(&project).unwrap();
    let victim = base.path().join("victim.toml");
    std::fs::write(&victim, "# someone else's file\n").unwrap();
    std::os::unix::fs::symlink(&victim, project.join("glossary.toml")).unwrap();
    let output = kanwu(&["glossary", "export", "--force"], &project);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "# someone else's file\n");
    let output = kanwu(&["glossary", "export", "-o", "new.toml"], &project);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read_to_string(project.join("new.toml")).unwrap().contains("[[term]]"));
}
