//! The glossary in the language server over real stdio: hover (Markdown and plain text, OCR-aware, with the corpus frequency), go to definition, completion, semantic tokens (full and delta), "Add to glossary", and workspace glossary files that break and are repaired without a restart.

mod support;

use kanwu_core::glossary::{Entry, Glossary};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{apply_edits, initialize_params, normalize, position, Client, TempDir};

/// A workspace glossary with one invented term.
const GOOD_GLOSSARY: &str = "# Team glossary.\n\n[[term]]\nterm = \"校稿会\"\naliases = [\"校稿例会\"]\ncategory = \"practice\"\ndefinition = \"编辑部每周核对扫描版面的会议。\"\nenglish = \"proofreading meeting\"\nrelated = [\"两委\"]\n";

/// The same glossary repaired with a new definition.
const FIXED_GLOSSARY: &str = "# Team glossary.\n\n[[term]]\nterm = \"校稿会\"\ncategory = \"practice\"\ndefinition = \"编辑部每天核对扫描版面的会议。\"\nenglish = \"proofreading meeting\"\n";

/// A broken glossary: an unknown category on line 6.
const BROKEN_GLOSSARY: &str = "# Team glossary.\n\n[[term]]\nterm = \"校稿会\"\ndefinition = \"编辑部每天核对扫描版面的会议。\"\ncategory = \"meeting\"\nenglish = \"proofreading meeting\"\n";

fn start(editor: &str, name: &str, edit: impl FnOnce(&mut Value)) -> (Client, TempDir, Value) {
    let dir = TempDir::new(name);
    start_in(editor, dir, edit)
}

fn start_in(editor: &str, dir: TempDir, edit: impl FnOnce(&mut Value)) -> (Client, TempDir, Value) {
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params(editor, dir.path());
    params["initializationOptions"] = json!({ "debounceMs": 0 });
    edit(&mut params);
    let result = client.initialize(params);
    (client, dir, result)
}

fn two_committees() -> &'static Entry {
    Glossary::builtin().lookup("两委").expect("两委 is built in")
}

fn hover(client: &mut Client, uri: &str, at: &Value) -> Value {
    client.call("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": at }))
}

/// The hover at the first character of `needle` (after `skip` characters) in `text`.
fn hover_at(client: &mut Client, uri: &str, text: &str, needle: &str, skip: usize, encoding: &str) -> Value {
    let mut offset = text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
    for c in text[offset..].chars().take(skip) {
        offset += c.len_utf8();
    }
    hover(client, uri, &position(text, offset, encoding))
}

/// Hovers until `accept` holds (the server's watcher needs a moment), failing after 20 s.
fn hover_until(client: &mut Client, uri: &str, at: &Value, accept: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let result = hover(client, uri, at);
        if accept(&result) {
            return result;
        }
        assert!(Instant::now() < deadline, "hover never became acceptable: {result}\nstderr:\n{}", client.stderr());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn hover_shows_the_entry_from_any_character_even_across_breaks() {
    let (mut client, dir, result) = start("vscode-1.139", "hover", |_| {});
    assert_eq!(result["capabilities"]["hoverProvider"], true);
    let entry = two_committees();
    let cases = [
        ("plain.txt", "全村两委班子成员到齐。\n", "两委", 0),
        ("plain-second.txt", "全村两委班子成员到齐。\n", "两委", 1),
        ("wrapped.txt", "会议由村党支部书记主持，召开两\n委联席会议研究部署。\n", "两\n委", 2),
        ("quoted.txt", "这次召开了村“ 两\n委”会议。\n", "两\n委", 0),
        ("spaced.txt", "全村两 委班子成员到齐。\n", "两 委", 2),
    ];
    for (name, text, needle, skip) in cases {
        let uri = dir.uri(name);
        client.open(&uri, text);
        let result = hover_at(&mut client, &uri, text, needle, skip, "utf-16");
        assert_eq!(result["contents"]["kind"], "markdown", "{name}: {result}");
        let value = result["contents"]["value"].as_str().unwrap();
        assert!(value.contains(&entry.definition), "{name}: {value}");
        assert!(value.contains("**两委**"), "{name}: {value}");
        assert!(value.contains(&entry.english), "{name}: {value}");
        assert!(value.contains("别称") && value.contains("村两委"), "{name}: {value}");
    }
    // The hover range covers the whole term, across the line break.
    let text = "会议由村党支部书记主持，召开两\n委联席会议研究部署。\n";
    let result = hover_at(&mut client, &dir.uri("wrapped.txt"), text, "两\n委", 2, "utf-16");
    assert_eq!(result["range"], json!({ "start": { "line": 0, "character": 14 }, "end": { "line": 1, "character": 1 } }));
    // The entry opens the hover; the corpus line closes it once the five open pages are indexed.
    let at = position(text, text.find("两\n委").unwrap(), "utf-16");
    let result = hover_until(&mut client, &dir.uri("wrapped.txt"), &at, |result| {
        result["contents"]["value"].as_str().is_some_and(|value| value.contains("5 页"))
    });
    let value = result["contents"]["value"].as_str().unwrap();
    let markdown = entry.to_markdown();
    assert!(value.starts_with(&markdown), "{value}");
    assert!(value.ends_with("\n\n语料：5 页，5 处 (corpus: 5 pages, 5 occurrences)\n"), "{value}");
    insta::assert_json_snapshot!(
        "hover_wrapped_two_committees",
        json!({ "kind": result["contents"]["kind"], "value": value, "range": result["range"] })
    );
    // Nothing to say outside a term.
    let nothing = hover(&mut client, &dir.uri("plain.txt"), &json!({ "line": 0, "character": 0 }));
    assert_eq!(nothing, Value::Null);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn hover_is_plain_text_for_clients_that_ask_for_it() {
    let (mut client, dir, _) = start("neovim-0.11.4", "hover-plain", |params| {
        params["capabilities"]["textDocument"]["hover"]["contentFormat"] = json!(["plaintext", "markdown"]);
    });
    let uri = dir.uri("page.txt");
    let text = "全村党员中心户带头示范。\n";
    client.open(&uri, text);
    let result = hover_at(&mut client, &uri, text, "中心户", 1, "utf-8");
    assert_eq!(result["contents"]["kind"], "plaintext");
    let entry = Glossary::builtin().lookup("党员中心户").unwrap();
    let value = result["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with(&entry.to_plain_text()), "{value}");
    assert!(!value.contains("**"), "no Markdown: {value}");
    // Neovim negotiates UTF-8: columns count bytes.
    assert_eq!(result["range"]["start"], json!({ "line": 0, "character": "全村".len() }));
    assert!(client.shutdown_and_exit().success());
}

/// Two pages on disk with known counts of 两委: three on the first (one broken across a line, one
/// split by a space), one on the second.
const FREQUENCY_PAGES: [(&str, &str); 2] =
    [("one.txt", "全村两委班子成员到齐，召开两\n委会议，两 委成员发言。\n"), ("two.txt", "嘎查两委换届。\n")];

#[test]
fn hover_adds_how_often_the_corpus_uses_the_term() {
    for (editor, plain) in [("vscode-1.139", false), ("neovim-0.11.4", true)] {
        let dir = TempDir::new(if plain { "hover-frequency-plain" } else { "hover-frequency" });
        for (name, text) in FREQUENCY_PAGES {
            dir.write(name, text);
        }
        let (mut client, dir, _) = start_in(editor, dir, |params| {
            if plain {
                params["capabilities"]["textDocument"]["hover"]["contentFormat"] = json!(["plaintext"]);
            }
        });
        let (name, text) = FREQUENCY_PAGES[1];
        let uri = dir.uri(name);
        client.open(&uri, text);
        let encoding = if plain { "utf-8" } else { "utf-16" };
        let at = position(text, text.find("两委").unwrap(), encoding);
        let line = "语料：2 页，4 处 (corpus: 2 pages, 4 occurrences)\n";
        let result =
            hover_until(&mut client, &uri, &at, |result| result["contents"]["value"].as_str().is_some_and(|value| value.contains(line)));
        let value = result["contents"]["value"].as_str().unwrap();
        let entry = two_committees();
        if plain {
            assert_eq!(result["contents"]["kind"], "plaintext");
            assert_eq!(value, format!("{}{line}", entry.to_plain_text()), "one more `key：value` line");
        } else {
            assert_eq!(result["contents"]["kind"], "markdown");
            assert_eq!(value, format!("{}\n{line}", entry.to_markdown()), "a paragraph of its own");
        }
        assert!(client.shutdown_and_exit().success());
    }
}

#[test]
fn definition_opens_the_workspace_glossary_entry() {
    let dir = TempDir::new("definition");
    dir.write("glossary.toml", GOOD_GLOSSARY);
    // The built-in copy goes to the user's cache folder: a private one of the test's own.
    let cache = TempDir::new("definition-cache");
    let mut client = Client::spawn_with_env(dir.path(), &[("XDG_CACHE_HOME", cache.path())]);
    let mut params = initialize_params("vscode-1.139", dir.path());
    params["initializationOptions"] = json!({ "debounceMs": 0 });
    let result = client.initialize(params);
    assert_eq!(result["capabilities"]["definitionProvider"], true);
    let uri = dir.uri("page.txt");
    let text = "本周校稿会照常召开，两委成员列席。\n";
    client.open(&uri, text);
    let at = position(text, text.find("稿会").unwrap(), "utf-16");
    let location = client.call("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": at }));
    assert_eq!(location["uri"], dir.uri("glossary.toml"));
    // `term = "校稿会"` is on line 4 (0-based 3); the range is the quoted string.
    assert_eq!(location["range"], json!({ "start": { "line": 3, "character": 7 }, "end": { "line": 3, "character": 12 } }));
    // The workspace term hovers too, with the built-in glossary still in force beside it.
    let hovered = hover_at(&mut client, &uri, text, "校稿会", 0, "utf-16");
    assert!(hovered["contents"]["value"].as_str().unwrap().contains("编辑部每周核对扫描版面的会议。"), "{hovered}");
    // A built-in term: the read-only copy of the built-in glossary, at the entry.
    let at = position(text, text.find("两委").unwrap(), "utf-16");
    let builtin = client.call("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": at }));
    let builtin_uri = builtin["uri"].as_str().unwrap();
    assert!(builtin_uri.ends_with("/builtin.toml"), "{builtin}");
    let builtin_path = builtin_uri.strip_prefix("file://").unwrap();
    let copy = std::fs::read_to_string(builtin_path).unwrap();
    assert_eq!(copy, Glossary::export_builtin());
    let line = builtin["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert_eq!(copy.lines().nth(line), Some("term = \"两委\""));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn completion_offers_terms_by_pinyin_initials_and_prefix() {
    let (mut client, dir, result) = start("vscode-1.139", "completion", |_| {});
    assert!(result["capabilities"]["completionProvider"].is_object());
    let uri = dir.uri("page.txt");
    let text = "会议由村lw\n召开党员中\n";
    client.open(&uri, text);
    let list = client.call("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 6 } }));
    let items = list["items"].as_array().unwrap();
    let item = items.iter().find(|item| item["label"] == "两委").unwrap_or_else(|| panic!("两委 not offered: {list}"));
    assert_eq!(
        item["textEdit"],
        json!({ "range": { "start": { "line": 0, "character": 4 }, "end": { "line": 0, "character": 6 } }, "newText": "两委" })
    );
    assert_eq!(item["documentation"]["kind"], "markdown");
    assert!(item["documentation"]["value"].as_str().unwrap().contains(&two_committees().definition));
    assert_eq!(item["filterText"], "lw");
    let edited = apply_edits(text, &json!([item["textEdit"]]), "utf-16");
    assert!(edited.starts_with("会议由村两委\n"), "{edited}");
    // By prefix: 党员中 offers 党员中心户, replacing the three typed characters.
    let list = client.call("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 5 } }));
    let item = list["items"].as_array().unwrap().iter().find(|item| item["label"] == "党员中心户").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(item["textEdit"]["range"]["start"], json!({ "line": 1, "character": 2 }));
    assert!(client.shutdown_and_exit().success());
}

/// Decodes relative semantic tokens into (line, start, length, modifiers).
fn decode(data: &Value) -> Vec<(u64, u64, u64, u64)> {
    let numbers: Vec<u64> = data.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    let (mut line, mut start) = (0, 0);
    numbers
        .chunks(5)
        .map(|token| {
            line += token[0];
            start = if token[0] == 0 { start + token[1] } else { token[1] };
            assert_eq!(token[3], 0, "the one token type is `term`");
            (line, start, token[2], token[4])
        })
        .collect()
}

#[test]
fn semantic_tokens_full_and_delta() {
    let (mut client, dir, result) = start("vscode-1.139", "tokens", |_| {});
    let provider = &result["capabilities"]["semanticTokensProvider"];
    assert_eq!(provider["legend"]["tokenTypes"], json!(["term"]));
    assert_eq!(
        provider["legend"]["tokenModifiers"],
        json!(["organization", "role", "formula", "practice", "administrative", "culture", "rural", "epidemic"])
    );
    assert_eq!(provider["full"], json!({ "delta": true }));
    let uri = dir.uri("page.txt");
    let text = "两委和党员中心户带头。\n会议由村党支部书记主持，召开两\n委联席会议。\n";
    client.open(&uri, text);
    let full = client.call("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }));
    let tokens = decode(&full["data"]);
    let organization = 1 << 0;
    assert_eq!(tokens[0], (0, 0, 2, organization), "{tokens:?}");
    assert_eq!(tokens[1].0..tokens[1].2, 0..5, "党员中心户 at line 0, five units long: {tokens:?}");
    // 两 / 委 across the line break: one token per line.
    let wrapped: Vec<_> = tokens.iter().filter(|token| token.3 == organization && token.2 == 1).collect();
    assert_eq!(wrapped, [&(1, 14, 1, organization), &(2, 0, 1, organization)], "{tokens:?}");
    insta::assert_json_snapshot!("semantic_tokens_full", tokens);
    let first_id = full["resultId"].as_str().unwrap().to_string();

    // An edit: a term added at the start of line 2.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "第一书记和" }] }),
    );
    let delta =
        client.call("textDocument/semanticTokens/full/delta", json!({ "textDocument": { "uri": uri }, "previousResultId": first_id }));
    let edits = delta["edits"].as_array().unwrap_or_else(|| panic!("a delta: {delta}"));
    assert_ne!(delta["resultId"], json!(first_id));
    // The edits turn the old data into what a full request now returns.
    let mut data: Vec<Value> = full["data"].as_array().unwrap().clone();
    for edit in edits.iter().rev() {
        let start = edit["start"].as_u64().unwrap() as usize;
        let delete = edit["deleteCount"].as_u64().unwrap() as usize;
        let insert = edit["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..start + delete, insert);
    }
    let now = client.call("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(Value::Array(data), now["data"]);
    let role = 1 << 1;
    assert_eq!(decode(&now["data"])[0], (0, 0, 4, role), "第一书记 is a role");
    // An unknown previous id gets full tokens.
    let unknown =
        client.call("textDocument/semanticTokens/full/delta", json!({ "textDocument": { "uri": uri }, "previousResultId": "nope" }));
    assert_eq!(unknown["data"], now["data"]);
    assert!(client.shutdown_and_exit().success());
}

fn add_to_glossary(client: &mut Client, uri: &str, range: Value) -> Value {
    client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [], "only": ["refactor"], "triggerKind": 1 } }),
    )
}

#[test]
fn add_to_glossary_appends_a_skeleton_to_the_workspace_glossary() {
    let (mut client, dir, result) = start("vscode-1.139", "add", |_| {});
    assert!(result["capabilities"]["codeActionProvider"]["codeActionKinds"].as_array().unwrap().contains(&json!("refactor")));
    let uri = dir.uri("page.txt");
    let text = "编辑部召开网上\n评 稿会。\n";
    client.open(&uri, text);
    // The selection 网上\n评 稿会 spans a wrap and a spurious space.
    let range =
        json!({ "start": position(text, text.find("网上").unwrap(), "utf-16"), "end": position(text, text.find("。").unwrap(), "utf-16") });
    let actions = add_to_glossary(&mut client, &uri, range.clone());
    let action = &actions[0];
    assert_eq!(action["kind"], "refactor");
    assert_eq!(action["title"], "Add “网上评稿会” to the glossary (glossary.toml)");
    // No glossary.toml yet: the edit creates it, then fills it.
    let changes = action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes[0]["kind"], "create");
    assert_eq!(changes[0]["uri"], dir.uri("glossary.toml"));
    let created = apply_edits("", &changes[1]["edits"], "utf-16");
    insta::assert_snapshot!("add_to_glossary_created", created);
    let parsed = Glossary::parse(&created, None).expect("the skeleton parses");
    assert_eq!(parsed.entry(0).term, "网上评稿会");
    // Saved: the new term hovers at once (the client watches the files here).
    dir.write("glossary.toml", &created);
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": dir.uri("glossary.toml"), "type": 1 }] }));
    let hovered = hover_until(&mut client, &uri, &position(text, text.find("评").unwrap(), "utf-16"), |result| !result.is_null());
    assert!(hovered["contents"]["value"].as_str().unwrap().contains("网上评稿会"), "{hovered}");
    // The file exists now: the next action appends at its end.
    let other = dir.uri("other.txt");
    let other_text = "今天的版面会开完了。\n";
    client.open(&other, other_text);
    let range =
        json!({ "start": position(other_text, 0, "utf-16"), "end": position(other_text, other_text.find("开").unwrap(), "utf-16") });
    let actions = add_to_glossary(&mut client, &other, range);
    let edits = &actions[0]["edit"]["documentChanges"][0]["edits"];
    let appended = apply_edits(&created, edits, "utf-16");
    assert!(appended.starts_with(&created));
    let parsed = Glossary::parse(&appended, None).expect("still parses");
    assert_eq!(parsed.entries().iter().map(|entry| entry.term.as_str()).collect::<Vec<_>>(), ["网上评稿会", "今天的版面会"]);
    // A known term, an empty selection or a selection without Chinese offers nothing.
    let known = add_to_glossary(&mut client, &uri, json!({ "start": { "line": 0, "character": 5 }, "end": { "line": 1, "character": 4 } }));
    assert_eq!(known, Value::Null);
    let empty = add_to_glossary(&mut client, &uri, json!({ "start": { "line": 0, "character": 1 }, "end": { "line": 0, "character": 1 } }));
    assert_eq!(empty, Value::Null);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn add_to_glossary_uses_a_command_for_clients_that_cannot_create_files() {
    let dir = TempDir::new("add-command");
    dir.write("kanwu.toml", "[glossary]\nfiles = [\"terms/team.toml\"]\n");
    let (mut client, dir, _) = start_in("neovim-0.11.4", dir, |_| {});
    let uri = dir.uri("page.txt");
    let text = "编辑部召开网上评稿会。\n";
    client.open(&uri, text);
    let range =
        json!({ "start": position(text, text.find("网上").unwrap(), "utf-8"), "end": position(text, text.find("。").unwrap(), "utf-8") });
    let actions = add_to_glossary(&mut client, &uri, range);
    let action = &actions[0];
    assert!(action["edit"].is_null(), "{action}");
    assert_eq!(action["command"]["command"], "kanwu.addToGlossary");
    std::fs::create_dir_all(dir.path().join("terms")).unwrap();
    client.call("workspace/executeCommand", json!({ "command": "kanwu.addToGlossary", "arguments": action["command"]["arguments"] }));
    let written = std::fs::read_to_string(dir.path().join("terms/team.toml")).unwrap();
    assert_eq!(Glossary::parse(&written, None).unwrap().entry(0).term, "网上评稿会");
    // The command reloads at once.
    let hovered = hover_at(&mut client, &uri, text, "评稿会", 0, "utf-8");
    assert!(hovered["contents"]["value"].as_str().unwrap().contains("网上评稿会"), "{hovered}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_broken_workspace_glossary_is_a_diagnostic_and_the_last_good_one_stays() {
    // Neovim cannot watch files for the server: the server polls, as for kanwu.toml.
    let dir = TempDir::new("broken");
    dir.write("glossary.toml", GOOD_GLOSSARY);
    let (mut client, dir, _) = start_in("neovim-0.11.4", dir, |_| {});
    let uri = dir.uri("page.txt");
    let text = "本周校稿会照常召开。\n";
    client.open(&uri, text);
    let at = position(text, text.find("稿会").unwrap(), "utf-8");
    let first = hover(&mut client, &uri, &at);
    assert!(first["contents"]["value"].as_str().unwrap().contains("每周"), "{first}");
    std::thread::sleep(Duration::from_millis(600));

    dir.write("glossary.toml", BROKEN_GLOSSARY);
    let glossary_uri = dir.uri("glossary.toml");
    let error = client.diagnostics(&glossary_uri, |params| !params["diagnostics"].as_array().unwrap().is_empty());
    let diagnostic = &error["diagnostics"][0];
    // `category = "meeting"` on line 6 (0-based 5), the value from column 12 (UTF-8 bytes).
    assert_eq!(diagnostic["range"], json!({ "start": { "line": 5, "character": 11 }, "end": { "line": 5, "character": 20 } }));
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["code"], "glossary");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(message.contains("6:12") && message.contains("meeting"), "{message}");
    insta::assert_json_snapshot!("broken_glossary", normalize(&error, dir.path()));
    // The last good glossary still answers hovers.
    let still = hover(&mut client, &uri, &at);
    assert!(still["contents"]["value"].as_str().unwrap().contains("每周"), "{still}");

    // Repaired: the error goes and the new definition applies, without a restart.
    dir.write("glossary.toml", FIXED_GLOSSARY);
    client.diagnostics(&glossary_uri, |params| params["diagnostics"].as_array().unwrap().is_empty());
    let fixed =
        hover_until(&mut client, &uri, &at, |result| result["contents"]["value"].as_str().is_some_and(|value| value.contains("每天")));
    assert!(!fixed["contents"]["value"].as_str().unwrap().contains("校稿例会"), "the alias was dropped");
    assert!(client.stderr().contains("meeting"), "logged to stderr");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn an_open_glossary_applies_as_typed_and_reports_through_pull() {
    let dir = TempDir::new("open-glossary");
    dir.write("glossary.toml", GOOD_GLOSSARY);
    let (mut client, dir, _) = start_in("vscode-1.139", dir, |_| {});
    let uri = dir.uri("page.txt");
    let text = "本周校稿会照常召开。\n";
    client.open(&uri, text);
    let at = position(text, text.find("稿会").unwrap(), "utf-16");
    let glossary_uri = dir.uri("glossary.toml");
    client.open(&glossary_uri, BROKEN_GLOSSARY);
    let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": glossary_uri } }));
    assert_eq!(report["items"][0]["range"]["start"], json!({ "line": 5, "character": 11 }));
    assert_eq!(report["items"][0]["code"], "glossary");
    assert!(hover(&mut client, &uri, &at)["contents"]["value"].as_str().unwrap().contains("每周"));
    // Typing the repair applies it at once; the semantic tokens are refreshed.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": glossary_uri, "version": 2 }, "contentChanges": [{ "text": FIXED_GLOSSARY }] }),
    );
    let fixed =
        hover_until(&mut client, &uri, &at, |result| result["contents"]["value"].as_str().is_some_and(|value| value.contains("每天")));
    assert!(fixed["range"].is_object());
    let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": glossary_uri } }));
    assert_eq!(report["items"], json!([]));
    client.wait(|message| message["method"] == "workspace/semanticTokens/refresh", "workspace/semanticTokens/refresh");
    assert!(client.shutdown_and_exit().success());
}
