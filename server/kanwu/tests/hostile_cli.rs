//! The command line under hostile input and hostile surroundings, run as a real process: code frames
//! of very long lines stay a bounded window, a closed output pipe ends every subcommand quietly,
//! the progress bar appears only on a terminal, and summaries say what happened.

use kanwu_core::chars::str_display_width;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The widest code-frame text the human output may show (see `output::FRAME_COLUMNS`).
const FRAME_COLUMNS: usize = 100;

fn command(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kanwu"));
    command.args(args).current_dir(dir).env("LANG", "C.UTF-8").env_remove("LC_ALL").env_remove("LC_MESSAGES").env("NO_COLOR", "1");
    command
}

fn kanwu(args: &[&str], dir: &Path) -> Output {
    command(args, dir).output().expect("kanwu runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn corpus(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A page of one line of about 300 KB, full of artefacts: spaced numbers, ASCII commas, spaces
/// between Chinese characters, full-width digits and a character outside the BMP.
fn one_line_page() -> String {
    let pieces = ["全旗 56 个", "两委𠮷干部", "服务队,帮助", "牧民解决难题。", "组 织 党 员", "ＡＢＣ１２３"];
    let mut page = String::new();
    let mut next = 0usize;
    while page.len() < 300_000 {
        // A fixed, irregular order, so the line is not one short period repeated.
        next = (next * 7 + 3) % pieces.len();
        page.push_str(pieces[next]);
    }
    page.push('\n');
    page
}

/// The code-frame lines of human output (`N | text`), without their gutter.
fn frame_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.split_once(" | ")?;
            number.chars().all(|c| c.is_ascii_digit()).then_some(rest)
        })
        .filter(|rest| !rest.is_empty())
        .collect()
}

/// The caret lines of human output (`  | ^^^`), without their gutter.
fn caret_lines(output: &str) -> Vec<&str> {
    output.lines().filter_map(|line| line.trim_start().strip_prefix("| ")).filter(|rest| rest.contains('^')).collect()
}

#[test]
fn frames_of_a_300_kb_line_are_windows_and_the_output_is_proportional_to_the_diagnostics() {
    let page = one_line_page();
    let dir = corpus(&[("page.txt", &page)]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let diagnostics = text.lines().filter(|line| line.starts_with("page.txt:1:")).count();
    assert!(diagnostics > 10_000, "the page is full of artefacts: {diagnostics}");
    let frames = frame_lines(&text);
    assert_eq!(frames.len(), diagnostics, "one frame per diagnostic");
    for frame in &frames {
        assert!(str_display_width(frame) <= FRAME_COLUMNS, "a frame wider than {FRAME_COLUMNS} columns: {frame}");
    }
    for caret in caret_lines(&text) {
        assert!(caret.trim_end().len() <= FRAME_COLUMNS, "a caret past the frame: {caret}");
    }
    // A diagnostic's header, frame, caret and fix lines take well under 1 KB: the output grows
    // with the diagnostics, never with the line (the whole line per diagnostic was gigabytes).
    assert!(text.len() < diagnostics * 1024, "{} bytes for {diagnostics} diagnostics", text.len());
    assert!(frames.iter().any(|frame| frame.starts_with('…') && frame.ends_with('…')), "frames inside the line are cut on both sides");
}

#[test]
fn the_window_keeps_the_span_in_view_marks_cuts_and_counts_wide_characters_as_two() {
    // An ASCII comma in the middle of 400 Chinese characters, and one near the end of the line.
    let before = "党".repeat(200);
    let after = "员".repeat(200);
    let page = format!("{before},{after},干部\n");
    let dir = corpus(&[("page.txt", &page)]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    let text = stdout(&output);
    let frames = frame_lines(&text);
    let carets = caret_lines(&text);
    assert_eq!(frames.len(), 2, "{text}");
    for (frame, caret) in frames.iter().zip(&carets) {
        assert!(str_display_width(frame) <= FRAME_COLUMNS, "{frame}");
        let comma = frame.find(',').unwrap_or_else(|| panic!("the span is in view: {frame}"));
        // The caret stands under the comma: every Chinese character before it is two columns.
        let caret_column = caret.find('^').unwrap();
        assert_eq!(caret_column, str_display_width(&frame[..comma]), "{frame}\n{caret}");
        assert!(frame.starts_with('…'), "the cut start is marked: {frame}");
    }
    assert!(frames[0].ends_with('…'), "the cut end is marked: {}", frames[0]);
    assert!(frames[1].ends_with("干部"), "the line's own end is not marked: {}", frames[1]);
    // Wide characters count two: the window holds about half as many Chinese characters as columns.
    let han = frames[0].chars().filter(|&c| c == '党' || c == '员').count();
    assert!((45..=50).contains(&han), "{han} Chinese characters in a frame of {FRAME_COLUMNS} columns: {}", frames[0]);
}

#[test]
fn a_run_of_100000_zero_width_characters_gets_a_short_frame_cut_inside_the_span() {
    let page = format!("党员{}干部，服务群众。\n", "\u{200B}".repeat(100_000));
    let dir = corpus(&[("page.txt", &page)]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("[control-char]"), "{text}");
    assert!(text.len() < 4096, "{} bytes of output for a 300 KB line", text.len());
    let frames = frame_lines(&text);
    assert!(frames.iter().all(|frame| frame.chars().count() <= FRAME_COLUMNS), "{frames:?}");
    assert!(frames.iter().all(|frame| frame.starts_with("党员") && frame.ends_with('…')), "{frames:?}");
}

#[test]
fn control_characters_of_a_page_never_reach_the_terminal() {
    let dir = corpus(&[("page.txt", "党员\u{1b}[2J干部 , 群众\n")]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    let text = stdout(&output);
    assert!(!text.contains('\u{1b}'), "an escape sequence of the page was printed: {text:?}");
    assert!(frame_lines(&text).iter().any(|frame| frame.contains("党员\u{FFFD}[2J干部")), "{text}");
}

/// Runs a subcommand with its stdout a pipe that is closed before it writes, and returns what
/// it printed on stderr and how it exited.
fn run_with_closed_stdout(args: &[&str], dir: &Path) -> (String, Option<i32>) {
    let mut child = command(args, dir).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kanwu starts");
    // The reading end goes away at once: every write of the child finds the pipe closed.
    drop(child.stdout.take());
    let mut error = String::new();
    child.stderr.take().unwrap().read_to_string(&mut error).unwrap();
    let status = child.wait().unwrap();
    (error, status.code())
}

#[test]
fn every_subcommand_ends_quietly_when_its_output_pipe_is_closed() {
    let page = "全旗 56 个嘎查村全部建立了服务队,帮助牧民解决难\n题。组 织 党 员 深 入 一 线。村“两委”班子。\n";
    let pages: Vec<(String, &str)> = (0..40).map(|n| (format!("pages/p{n:02}.txt"), page)).collect();
    let files: Vec<(&str, &str)> = pages.iter().map(|(name, text)| (name.as_str(), *text)).collect();
    let dir = corpus(&files);
    let runs: [&[&str]; 12] = [
        &["check", "pages"],
        &["check", "--format", "json", "pages"],
        &["check", "--format", "sarif", "pages"],
        &["fix", "--stdout", "pages/p00.txt"],
        &["fix", "--diff", "pages"],
        &["rules"],
        &["glossary", "list"],
        &["glossary", "show", "党组"],
        &["glossary", "export", "--output", "-"],
        &["refs", "两委", "pages"],
        &["stats", "pages"],
        &["stats", "--format", "json", "pages"],
    ];
    for args in runs {
        let (error, status) = run_with_closed_stdout(args, dir.path());
        assert!(
            !error.contains("panicked") && !error.contains("Broken pipe") && !error.contains("failed printing"),
            "kanwu {args:?}: {error}"
        );
        assert_ne!(status, Some(101), "kanwu {args:?} panicked: {error}");
        assert_ne!(status, Some(2), "kanwu {args:?} reported an error: {error}");
    }
}

#[test]
fn the_progress_bar_is_drawn_on_a_terminal_and_never_into_a_pipe() {
    let pages: Vec<(String, &str)> = (0..5).map(|n| (format!("pages/p{n}.txt"), "组 织 党 员。\n")).collect();
    let files: Vec<(&str, &str)> = pages.iter().map(|(name, text)| (name.as_str(), *text)).collect();
    let dir = corpus(&files);
    for args in [&["check", "pages"][..], &["stats", "pages"], &["refs", "党员", "pages"]] {
        let piped = kanwu(args, dir.path());
        assert!(!stderr(&piped).contains("pages,") && !stderr(&piped).contains('\r'), "kanwu {args:?}: {}", stderr(&piped));
        // `script` runs the command on a pseudo-terminal; its stdout goes to a file, so what
        // `script` records is the command's stderr.
        let line = format!("{} {} > {}", env!("CARGO_BIN_EXE_kanwu"), args.join(" "), dir.path().join("out.txt").display());
        let on_terminal = Command::new("script").args(["-qec", &line, "/dev/null"]).current_dir(dir.path()).env("LANG", "C.UTF-8").output();
        let on_terminal = on_terminal.expect("`script` (util-linux) runs a command on a pseudo-terminal");
        let recorded = String::from_utf8_lossy(&on_terminal.stdout);
        assert!(recorded.contains("/5 pages"), "kanwu {args:?} on a terminal: {recorded:?}");
    }
}

#[test]
fn the_summary_counts_problems_per_rule_in_both_languages() {
    let dir = corpus(&[("page.txt", "全旗 56 个嘎查村,组 织 党 员。\n")]);
    let english = stdout(&kanwu(&["check", "page.txt"], dir.path()));
    assert!(english.contains("\n  cjk-space: 1\n"), "{english}");
    assert!(english.contains("\n  num-space: 2\n"), "{english}");
    let chinese = stdout(&kanwu(&["check", "--locale", "zh", "page.txt"], dir.path()));
    assert!(chinese.contains("\n  cjk-space：1 处\n"), "{chinese}");
}

#[test]
fn unreadable_pages_are_counted_apart_from_checked_ones() {
    let dir = corpus(&[("page.txt", "全旗 56 个嘎查村。\n")]);
    // Reading `/proc/self/mem` from its start fails (nothing is mapped there), even for root.
    let output = kanwu(&["check", "page.txt", "/proc/self/mem"], dir.path());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Checked 1 page (1 could not be read):"), "{text}");
    let chinese = stdout(&kanwu(&["check", "--locale", "zh", "page.txt", "/proc/self/mem"], dir.path()));
    assert!(chinese.contains("共检查 1 页（1 页无法读取）"), "{chinese}");
}

#[test]
fn severity_words_and_the_rule_table_are_chinese_under_locale_zh() {
    let dir = corpus(&[("page.txt", "全旗 56 个嘎查村。\n")]);
    let text = stdout(&kanwu(&["check", "--locale", "zh", "page.txt"], dir.path()));
    assert!(text.contains(": 警告[num-space]: "), "{text}");
    assert!(!text.contains("warning"), "{text}");
    let table = stdout(&kanwu(&["rules", "--locale", "zh"], dir.path()));
    assert!(table.starts_with("| 规则 | 默认级别 | 修复 | 示例 | 说明 |\n"), "{table}");
    let line_wrap = table.lines().find(|line| line.contains("`line-wrap`")).expect("a line-wrap row");
    assert!(line_wrap.contains("| 提示 | 安全修复 |"), "{line_wrap}");
    for english in ["warning", "hint", "error", "safe", "suggested"] {
        assert!(!table.contains(&format!("| {english} ")), "`{english}` left in the Chinese table:\n{table}");
    }
    let english = stdout(&kanwu(&["rules", "--locale", "en"], dir.path()));
    assert!(english.starts_with("| code | default severity | fixes | example |\n"), "{english}");
}

#[test]
fn refs_without_a_hit_says_so_and_exits_1() {
    let dir = corpus(&[("a.txt", "党员干部。\n"), ("b.txt", "群众。\n")]);
    let output = kanwu(&["refs", "不存在的词", "."], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("No occurrence of `不存在的词` in 2 pages."), "{}", stderr(&output));
}

#[test]
fn a_bad_glob_in_kanwu_toml_is_reported_with_its_line_and_column() {
    let dir = corpus(&[("kanwu.toml", "# pages\nexclude = [\"drafts/[old\"]\n"), ("page.txt", "党员干部。\n")]);
    let output = kanwu(&["check", "."], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("kanwu.toml:2:12: `exclude`: bad glob \"drafts/[old\""), "{}", stderr(&output));
}

#[test]
fn an_unknown_locale_in_kanwu_toml_is_rejected_with_its_place() {
    let dir = corpus(&[("kanwu.toml", "locale = \"klingon\"\n"), ("page.txt", "党员干部。\n")]);
    let output = kanwu(&["check", "page.txt"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("kanwu.toml:1:10: unknown locale \"klingon\""), "{}", stderr(&output));
    std::fs::write(dir.path().join("kanwu.toml"), "locale = \"zh-CN\"\n").unwrap();
    assert!(stdout(&kanwu(&["check", "page.txt"], dir.path())).contains("共检查 1 页"));
}

#[test]
fn a_missing_glossary_file_is_a_warning_naming_kanwu_toml_and_the_file() {
    let dir = corpus(&[("kanwu.toml", "[glossary]\nfiles = [\"missing.toml\"]\n"), ("page.txt", "村“两委”班子。\n")]);
    for args in [&["glossary", "list"][..], &["glossary", "show", "两委"], &["stats", "."]] {
        let output = kanwu(args, dir.path());
        assert_eq!(output.status.code(), Some(0), "kanwu {args:?}: {}", stderr(&output));
        let warning = stderr(&output);
        assert!(
            warning.contains("warning: ") && warning.contains("kanwu.toml") && warning.contains("`missing.toml`"),
            "kanwu {args:?}: {warning}"
        );
        assert!(!stdout(&output).is_empty(), "kanwu {args:?} goes on with the built-in glossary");
    }
}
