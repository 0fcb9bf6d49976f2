//! One fixer, proven: random OCR-damaged pages with random sidecars of ignored occurrences give the
//! same text through the real server as through the real command line on a copy of the folder.
//!
//! - `source.fixAll` with default settings equals `kanwu fix --keep-lines`;
//! - `source.fixAll` with `fixAll.layout = true` equals `kanwu fix`;
//! - `textDocument/formatting` equals `kanwu fix --rule line-wrap --rule blank-split --rule vertical-heading`.
//!
//! Each case is a folder of one to three pages with its own `kanwu.toml` (a few configurations are
//! drawn) and `.kanwu/ignored.toml`: some entries are written with the core's suppress API before
//! the pages are opened, others recorded by the server's own "Ignore this occurrence" action. Two
//! servers (default settings, and `fixAll.layout = true`) serve every case of the run.

mod support;

use kanwu_core::suppress::{Occurrence, Suppressions};
use kanwu_core::workspace::sidecar;
use kanwu_core::{analyze, Config, LineCol, LineIndex, PositionEncoding};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::path::Path;
use std::process::Command;
use support::{file_uri, initialize_params, Client, TempDir};

/// Words of invented village news, with glossary terms among them.
const WORDS: &[&str] = &[
    "党支部",
    "两委",
    "合作社",
    "第一书记",
    "牧民",
    "村民",
    "志愿者",
    "开展",
    "走访",
    "慰问",
    "活动",
    "组织",
    "党员",
    "深入",
    "一线",
    "近日",
    "社区",
    "群众",
    "困难",
    "解决",
    "帮助",
    "工作",
    "乡村",
    "振兴",
    "产业",
    "发展",
    "养殖",
    "种植",
    "基层",
    "服务",
    "保障",
    "道路",
    "畅通",
    "积雪",
    "清扫",
    "连夜",
    "居民",
    "通知",
    "发出",
    "全体",
    "北川县",
    "东岭村",
    "嘎查",
    "干部",
    "学习",
    "的",
    "了",
    "在",
    "和",
    "为",
    "将",
];

/// Punctuation inside a sentence.
const INNER_PUNCT: &[&str] = &["，", "、", "；", "：", "“", "”"];

/// Headlines, set across or (damaged) one character per line.
const HEADLINES: &[&str] = &["春耕备播", "党建引领乡村振兴", "志愿服务暖人心", "牧区新貌"];

/// The configurations a case folder's `kanwu.toml` may hold.
const CONFIGS: &[&str] = &[
    "",
    "ignore = [\"两委\"]\n",
    "[rules]\ncjk-space = \"off\"\n",
    "[rules]\nline-wrap = \"off\"\nhalf-width-punct = \"hint\"\n",
    "[misreadings]\n接糕 = \"接羔\"\n",
];

/// One kind of OCR damage, applied at a place chosen by the number it comes with.
#[derive(Clone, Copy, Debug)]
enum Damage {
    /// Spaces between every character of a line (a justified line read badly).
    Justify,
    /// One stray space between two characters.
    Space,
    /// The line's Chinese punctuation read as ASCII.
    AsciiPunct,
    /// Two characters read twice.
    Repeat,
    /// A blank line splitting a paragraph.
    BlankSplit,
    /// Spaces at the end of a line.
    Trailing,
    /// Spaces at the start of a line.
    Leading,
    /// A line read twice.
    DuplicateLine,
    /// A number with spaces around it.
    NumberSpace,
    /// Full-width digits.
    FullWidth,
    /// An ellipsis written with dots.
    Dots,
    /// A zero-width space.
    ZeroWidth,
    /// A misreading the team knows.
    Misreading,
    /// A phrase whose quotation marks were read as spaces.
    DroppedQuote,
    /// A line of spaces between paragraphs.
    SpacesLine,
    /// A tab or an ideographic space inside a line.
    OddSpace,
    /// A Latin letter O for 〇.
    MixedScript,
    /// An opening bracket never closed.
    Bracket,
}

const DAMAGES: &[Damage] = &[
    Damage::Justify,
    Damage::Space,
    Damage::AsciiPunct,
    Damage::Repeat,
    Damage::BlankSplit,
    Damage::Trailing,
    Damage::Leading,
    Damage::DuplicateLine,
    Damage::NumberSpace,
    Damage::FullWidth,
    Damage::Dots,
    Damage::ZeroWidth,
    Damage::Misreading,
    Damage::DroppedQuote,
    Damage::SpacesLine,
    Damage::OddSpace,
    Damage::MixedScript,
    Damage::Bracket,
];

/// How an ignored occurrence is recorded.
#[derive(Clone, Copy, Debug)]
enum Pick {
    /// With the core's suppress API, for a diagnostic's whole range, before the page is opened.
    CoreWhole,
    /// With the core's suppress API, for one edit of a diagnostic's fix (an entry written before
    /// the spaces of a line were grouped), before the page is opened.
    CoreEdit,
    /// Through the server's "Ignore this occurrence" action on a diagnostic it reports.
    Server,
}

/// One page of a case: its text and the occurrences to ignore on it (each chosen by a number).
#[derive(Clone, Debug)]
struct PageCase {
    text: String,
    picks: Vec<(Pick, usize)>,
}

/// One case: a folder with a `kanwu.toml` and a few pages.
#[derive(Clone, Debug)]
struct Case {
    config: usize,
    pages: Vec<PageCase>,
}

/// A sentence of 3 to 9 words, maybe with inner punctuation, ending with a full stop.
fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(WORDS), prop::option::weighted(0.2, prop::sample::select(INNER_PUNCT))), 3..10).prop_map(
        |words| {
            let mut out = String::new();
            for (word, punct) in words {
                out.push_str(word);
                out.extend(punct);
            }
            out.push('。');
            out
        },
    )
}

/// A page: maybe a headline, then paragraphs set in a column `width` characters wide, then damage.
fn page_text() -> impl Strategy<Value = String> {
    (
        prop::option::of((prop::sample::select(HEADLINES), any::<bool>())),
        prop::collection::vec(prop::collection::vec(sentence(), 1..4), 1..4),
        10usize..22,
        prop::collection::vec((prop::sample::select(DAMAGES), any::<u16>()), 0..6),
        any::<bool>(),
        prop::sample::select(&["\n", "\n", "\n", "\n", "\r\n", "\r"][..]),
        any::<bool>(),
    )
        .prop_map(|(headline, paragraphs, width, damages, blank_between, line_end, final_break)| {
            let mut lines: Vec<String> = Vec::new();
            if let Some((headline, vertical)) = headline {
                if vertical {
                    lines.extend(headline.chars().map(String::from));
                } else {
                    lines.push(headline.to_string());
                }
                lines.push(String::new());
            }
            for (index, paragraph) in paragraphs.iter().enumerate() {
                if index > 0 && blank_between {
                    lines.push(String::new());
                }
                let chars: Vec<char> = paragraph.concat().chars().collect();
                lines.extend(chars.chunks(width).map(|chunk| chunk.iter().collect::<String>()));
            }
            for (damage, at) in damages {
                damage_lines(&mut lines, damage, at as usize);
            }
            let mut text = lines.join(line_end);
            if final_break {
                text.push_str(line_end);
            }
            text
        })
}

/// Applies one damage to the page's lines, at the line (and character) `at` chooses.
fn damage_lines(lines: &mut Vec<String>, damage: Damage, at: usize) {
    if lines.is_empty() {
        return;
    }
    let line = at % lines.len();
    let chars: Vec<char> = lines[line].chars().collect();
    let column = if chars.is_empty() { 0 } else { (at / lines.len()) % (chars.len() + 1) };
    let insert = |lines: &mut Vec<String>, piece: &str| {
        let mut out: String = chars[..column].iter().collect();
        out.push_str(piece);
        out.extend(&chars[column..]);
        lines[line] = out;
    };
    match damage {
        Damage::Justify => lines[line] = chars.iter().map(char::to_string).collect::<Vec<_>>().join(" "),
        Damage::Space => insert(lines, " "),
        Damage::AsciiPunct => {
            lines[line] = chars
                .iter()
                .map(|&c| match c {
                    '，' => ',',
                    '。' => '.',
                    '：' => ':',
                    '；' => ';',
                    other => other,
                })
                .collect()
        }
        Damage::Repeat => {
            let twice: String = chars[column.min(chars.len())..(column + 2).min(chars.len())].iter().collect();
            insert(lines, &twice);
        }
        Damage::BlankSplit => lines.insert(line + 1, String::new()),
        Damage::Trailing => lines[line].push_str(if at.is_multiple_of(2) { "  " } else { "\u{3000}" }),
        Damage::Leading => lines[line].insert_str(0, "  "),
        Damage::DuplicateLine => {
            let copy = lines[line].clone();
            lines.insert(line, copy);
        }
        Damage::NumberSpace => insert(lines, " 350 多户"),
        Damage::FullWidth => insert(lines, "２０２１年"),
        Damage::Dots => insert(lines, if at.is_multiple_of(2) { "..." } else { "。。。" }),
        Damage::ZeroWidth => insert(lines, "\u{200B}"),
        Damage::Misreading => insert(lines, "接糕"),
        Damage::DroppedQuote => insert(lines, "村 两委 开展"),
        Damage::SpacesLine => lines.insert(line + 1, "   ".to_string()),
        Damage::OddSpace => insert(lines, if at.is_multiple_of(2) { "\t" } else { "\u{3000}" }),
        Damage::MixedScript => insert(lines, "二O二O年"),
        Damage::Bracket => insert(lines, "（"),
    }
}

fn case() -> impl Strategy<Value = Case> {
    let pick = (prop::sample::select(&[Pick::CoreWhole, Pick::CoreEdit, Pick::Server][..]), any::<usize>());
    let page = (page_text(), prop::collection::vec(pick, 0..4)).prop_map(|(text, picks)| PageCase { text, picks });
    (0..CONFIGS.len(), prop::collection::vec(page, 1..4)).prop_map(|(config, pages)| Case { config, pages })
}

/// The two servers of a run and the workspace folder they serve.
struct Servers {
    workspace: TempDir,
    /// Default settings: fix-all leaves the lines alone; formatting is asked of this one too.
    plain: Client,
    /// `fixAll.layout = true`.
    layout: Client,
    encoding: PositionEncoding,
    /// How many case folders were made (each case, shrinking included, gets a fresh one).
    cases: usize,
    /// How many pages some fixing changed, and how many occurrences were ignored, over the run:
    /// a run that fixed nothing or ignored nothing would prove nothing.
    changed_pages: usize,
    ignored: usize,
}

impl Servers {
    fn start() -> Servers {
        let workspace = TempDir::new("fix-parity");
        let (plain, encoding) = start_server(workspace.path(), json!({}));
        let (layout, _) = start_server(workspace.path(), json!({ "fixAll": { "layout": true } }));
        Servers { workspace, plain, layout, encoding, cases: 0, changed_pages: 0, ignored: 0 }
    }
}

/// Starts a server on `root` (the recorded VS Code initialize) with `settings` as initialization
/// options and as the answer to `workspace/configuration`; returns it with the position encoding.
fn start_server(root: &Path, settings: Value) -> (Client, PositionEncoding) {
    let mut client = Client::spawn(root);
    *client.settings.lock().unwrap() = settings.clone();
    let mut params = initialize_params("vscode-1.139", root);
    params["initializationOptions"] = settings;
    let result = client.initialize(params);
    let encoding = match result["capabilities"]["positionEncoding"].as_str() {
        Some("utf-8") => PositionEncoding::Utf8,
        Some("utf-32") => PositionEncoding::Utf32,
        _ => PositionEncoding::Utf16,
    };
    (client, encoding)
}

/// Applies LSP text edits to `text`, converting positions with the core's `LineIndex` (every line
/// end LSP knows).
fn apply_lsp_edits(text: &str, edits: &Value, encoding: PositionEncoding) -> String {
    let index = LineIndex::new(text);
    let offset = |position: &Value| {
        let at = LineCol { line: position["line"].as_u64().unwrap() as u32, col: position["character"].as_u64().unwrap() as u32 };
        index.to_offset(text, at, encoding)
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|edit| (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]), edit["newText"].as_str().unwrap().to_string()))
        .collect();
    edits.sort_by_key(|edit| (edit.0, edit.1));
    let mut out = text.to_string();
    for (start, end, new_text) in edits.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// The edits of `uri` in a WorkspaceEdit (either shape).
fn edits_of(edit: &Value, uri: &str) -> Value {
    if let Some(changes) = edit["documentChanges"].as_array() {
        let edits = changes
            .iter()
            .filter(|change| change["textDocument"]["uri"] == uri)
            .flat_map(|change| change["edits"].as_array().unwrap().clone());
        return Value::Array(edits.collect());
    }
    edit["changes"][uri].clone()
}

/// The page's text after the server's `source.fixAll` action (resolved when offered without its
/// edit); the text itself when none is offered.
fn fix_all(client: &mut Client, uri: &str, text: &str, encoding: PositionEncoding) -> String {
    let params = json!({
        "textDocument": { "uri": uri },
        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
        "context": { "diagnostics": [], "only": ["source.fixAll"], "triggerKind": 1 },
    });
    let actions = client.call("textDocument/codeAction", params);
    let Some(actions) = actions.as_array() else { return text.to_string() };
    assert_eq!(actions.len(), 1, "one fix-all action: {actions:?}");
    let action = if actions[0].get("edit").is_some() { actions[0].clone() } else { client.call("codeAction/resolve", actions[0].clone()) };
    apply_lsp_edits(text, &edits_of(&action["edit"], uri), encoding)
}

/// The page's text after `textDocument/formatting`.
fn formatted(client: &mut Client, uri: &str, text: &str, encoding: PositionEncoding) -> String {
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } });
    let edits = client.call("textDocument/formatting", params);
    apply_lsp_edits(text, &edits, encoding)
}

/// Records an occurrence through the server's own ignore action: pulls the page's diagnostics,
/// takes the `choice`-th (modulo their number), asks for its quick-fixes and runs the "Ignore this
/// occurrence" command they offer. Nothing happens when the page has no diagnostic.
fn ignore_through_server(client: &mut Client, uri: &str, choice: usize) {
    let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    let items = report["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return;
    }
    let diagnostic = &items[choice % items.len()];
    let params = json!({
        "textDocument": { "uri": uri },
        "range": diagnostic["range"],
        "context": { "diagnostics": [diagnostic], "only": ["quickfix"], "triggerKind": 1 },
    });
    let actions = client.call("textDocument/codeAction", params);
    let command = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|action| action["command"]["command"] == "kanwu.ignoreOccurrence")
        .map(|action| action["command"].clone());
    // The encoding diagnostic offers no ignore action; others always do inside the workspace.
    let Some(command) = command else {
        assert_eq!(diagnostic["code"], "encoding", "no ignore action for {diagnostic}");
        return;
    };
    client.call("workspace/executeCommand", json!({ "command": command["command"], "arguments": command["arguments"] }));
}

/// The sidecar entry a core pick records on `text` (the page `key`), if the page has a diagnostic.
fn core_entry(key: &str, text: &str, config: &Config, pick: Pick, choice: usize) -> Option<Occurrence> {
    let diagnostics = analyze(text, config);
    if diagnostics.is_empty() {
        return None;
    }
    let diagnostic = &diagnostics[choice % diagnostics.len()];
    match (pick, diagnostic.fixes.first()) {
        (Pick::CoreEdit, Some(fix)) if !fix.edits.is_empty() => {
            let edit = &fix.edits[(choice / diagnostics.len()) % fix.edits.len()];
            Some(Occurrence::at(key, text, diagnostic.code, edit.range.clone()))
        }
        _ => Some(Occurrence::of(key, text, diagnostic)),
    }
}

/// Copies a case folder (its `kanwu.toml`, sidecar and pages) to `to`.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs `kanwu fix <args> <folder>` on a copy of `case_dir` at `copy` and returns the fixed pages.
fn cli_fix(case_dir: &Path, copy: &Path, args: &[&str], names: &[String]) -> Result<Vec<String>, TestCaseError> {
    copy_folder(case_dir, copy);
    let output = Command::new(env!("CARGO_BIN_EXE_kanwu")).arg("fix").args(args).arg(copy).output().expect("run kanwu fix");
    prop_assert!(output.status.success(), "kanwu fix {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    Ok(names.iter().map(|name| std::fs::read_to_string(copy.join(name)).unwrap()).collect())
}

/// One case through both servers and the command line.
fn check_case(servers: &mut Servers, case: &Case) -> Result<(), TestCaseError> {
    servers.cases += 1;
    let folder = format!("case-{}", servers.cases);
    let case_dir = servers.workspace.path().join(&folder);
    let config_text = CONFIGS[case.config];
    std::fs::create_dir_all(&case_dir).unwrap();
    std::fs::write(case_dir.join("kanwu.toml"), config_text).unwrap();
    let config = Config::parse(config_text, None).expect("a valid configuration");
    let names: Vec<String> = (0..case.pages.len()).map(|index| format!("page-{index}.txt")).collect();
    let uris: Vec<String> = names.iter().map(|name| file_uri(&case_dir.join(name))).collect();

    // Entries written with the core's suppress API, before any server sees the folder.
    let mut entries = Suppressions::default();
    for (page, name) in case.pages.iter().zip(&names) {
        std::fs::write(case_dir.join(name), &page.text).unwrap();
        for &(pick, choice) in &page.picks {
            if matches!(pick, Pick::Server) {
                continue;
            }
            if let Some(entry) = core_entry(name, &page.text, &config, pick, choice) {
                entries.add(entry);
            }
        }
    }
    if !entries.occurrences.is_empty() {
        std::fs::create_dir_all(case_dir.join(".kanwu")).unwrap();
        std::fs::write(sidecar::path_for(&case_dir), entries.to_toml()).unwrap();
    }

    // Entries recorded by the server's ignore action (written to the same sidecar).
    let encoding = servers.encoding;
    for (page, uri) in case.pages.iter().zip(&uris) {
        servers.plain.open(uri, &page.text);
        for &(pick, choice) in &page.picks {
            if matches!(pick, Pick::Server) {
                ignore_through_server(&mut servers.plain, uri, choice);
            }
        }
    }
    // The second server reads the folder once the sidecar is complete.
    for (page, uri) in case.pages.iter().zip(&uris) {
        servers.layout.open(uri, &page.text);
    }

    let mut keep_lines = Vec::new();
    let mut with_layout = Vec::new();
    let mut formatting = Vec::new();
    for (page, uri) in case.pages.iter().zip(&uris) {
        keep_lines.push(fix_all(&mut servers.plain, uri, &page.text, encoding));
        formatting.push(formatted(&mut servers.plain, uri, &page.text, encoding));
        with_layout.push(fix_all(&mut servers.layout, uri, &page.text, encoding));
    }
    for uri in &uris {
        for client in [&mut servers.plain, &mut servers.layout] {
            client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        }
    }

    let copies = TempDir::new("fix-parity-copies");
    let cli_keep_lines = cli_fix(&case_dir, &copies.path().join("keep-lines"), &["--keep-lines"], &names)?;
    let cli_full = cli_fix(&case_dir, &copies.path().join("full"), &[], &names)?;
    let layout_rules = ["--rule", "line-wrap", "--rule", "blank-split", "--rule", "vertical-heading"];
    let cli_layout = cli_fix(&case_dir, &copies.path().join("layout"), &layout_rules, &names)?;
    let sidecar_now = std::fs::read_to_string(sidecar::path_for(&case_dir)).unwrap_or_default();
    servers.ignored += Suppressions::parse(&sidecar_now).map_or(0, |entries| entries.occurrences.len());
    for (index, name) in names.iter().enumerate() {
        let page = &case.pages[index].text;
        if cli_full[index] != *page {
            servers.changed_pages += 1;
        }
        prop_assert_eq!(
            &keep_lines[index],
            &cli_keep_lines[index],
            "fix-all vs kanwu fix --keep-lines on {} of {:?}\nsidecar:\n{}",
            name,
            page,
            sidecar_now
        );
        prop_assert_eq!(
            &with_layout[index],
            &cli_full[index],
            "fix-all (layout) vs kanwu fix on {} of {:?}\nsidecar:\n{}",
            name,
            page,
            sidecar_now
        );
        prop_assert_eq!(
            &formatting[index],
            &cli_layout[index],
            "formatting vs kanwu fix --rule <layout> on {} of {:?}\nsidecar:\n{}",
            name,
            page,
            sidecar_now
        );
    }
    Ok(())
}

/// How many cases a run tries: `PROPTEST_CASES` (as for the other property tests), at most 24,
/// since each case starts `kanwu fix` three times.
fn case_count() -> u32 {
    let asked = std::env::var("PROPTEST_CASES").ok().and_then(|value| value.parse::<u32>().ok()).unwrap_or(24);
    asked.clamp(1, 24)
}

#[test]
fn server_fix_all_and_formatting_equal_kanwu_fix() {
    let servers = RefCell::new(Servers::start());
    let config = ProptestConfig { cases: case_count(), max_shrink_iters: 64, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| check_case(&mut servers.borrow_mut(), &case));
    let servers = servers.into_inner();
    let (cases, changed_pages, ignored) = (servers.cases, servers.changed_pages, servers.ignored);
    eprintln!("fix parity: {cases} case folders, {changed_pages} pages changed by fixing, {ignored} occurrences ignored");
    for client in [servers.plain, servers.layout] {
        assert!(client.shutdown_and_exit().success());
    }
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(changed_pages > 0 && ignored > 0, "a run must fix pages and ignore occurrences: {changed_pages} changed, {ignored} ignored");
}
