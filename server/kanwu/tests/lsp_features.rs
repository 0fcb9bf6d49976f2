//! The language server's features over real stdio: push and pull diagnostics, code actions of
//! every kind, the ignore actions, formatting, settings and `kanwu.toml` changes.

mod support;

use kanwu_core::{fix_text, Config, FixOptions};
use serde_json::{json, Value};
use std::time::Duration;
use support::{apply_edits, initialize_params, normalize, Client, TempDir};

/// Latin O for 〇 (mixed-script, suggested fix), stray spaces around a number (num-space, safe),
/// an ASCII colon (half-width-punct, safe) and column wraps (line-wrap, layout).
const PAGE: &str = "公元二O二O年，两级工作组共深入 700 多个村和社区。他说:好\n一名名共产党员挺身而出，一个\n个战斗堡垒巍然矗立。\n\n标题\n";

const DOCS: &str = "https://github.com/kanwu-dev/kanwu/blob/main/docs/rules/";

fn start(editor: &str, name: &str, options: Value) -> (Client, TempDir, Value) {
    let dir = TempDir::new(name);
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params(editor, dir.path());
    params["initializationOptions"] = options;
    let result = client.initialize(params);
    (client, dir, result)
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

fn pull(client: &mut Client, uri: &str, previous: Option<&str>) -> Value {
    let mut params = json!({ "textDocument": { "uri": uri } });
    if let Some(previous) = previous {
        params["previousResultId"] = json!(previous);
    }
    client.call("textDocument/diagnostic", params)
}

fn code_actions(client: &mut Client, uri: &str, range: &Value, diagnostics: Value, only: Option<Value>) -> Value {
    let mut context = json!({ "diagnostics": diagnostics, "triggerKind": 1 });
    if let Some(only) = only {
        context["only"] = only;
    }
    client.call("textDocument/codeAction", json!({ "textDocument": { "uri": uri }, "range": range, "context": context }))
}

/// The action with its edit: as offered, or resolved by `codeAction/resolve` when the server left
/// the edit to be computed on demand (it carries `data` then).
fn resolved(client: &mut Client, action: &Value) -> Value {
    if action.get("edit").is_some() {
        return action.clone();
    }
    assert!(action.get("data").is_some(), "an action without an edit carries data to resolve it: {action}");
    client.call("codeAction/resolve", action.clone())
}

/// The edits of `uri` in a WorkspaceEdit (either shape).
fn edits_of(edit: &Value, uri: &str) -> Value {
    if let Some(changes) = edit["documentChanges"].as_array() {
        let mut all = Vec::new();
        for change in changes {
            if change["textDocument"]["uri"] == uri {
                all.extend(change["edits"].as_array().unwrap().iter().cloned());
            }
        }
        return Value::Array(all);
    }
    edit["changes"][uri].clone()
}

fn wait_for_refresh(client: &mut Client) {
    client.wait(|message| message["method"] == "workspace/diagnostic/refresh", "workspace/diagnostic/refresh");
}

#[test]
fn pushed_diagnostics_carry_source_code_link_and_fix_data() {
    let (mut client, dir, _) = start("neovim-0.11.4", "push", json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    let diagnostics = params["diagnostics"].as_array().unwrap();
    assert_eq!(
        codes(&params["diagnostics"]),
        ["mixed-script", "mixed-script", "num-space", "num-space", "half-width-punct", "line-wrap", "line-wrap"]
    );
    for diagnostic in diagnostics {
        let code = diagnostic["code"].as_str().unwrap();
        assert_eq!(diagnostic["source"], "kanwu");
        // Neovim does not declare `codeDescriptionSupport`: no link is sent.
        assert!(diagnostic.get("codeDescription").is_none(), "{code}: {diagnostic}");
        // The data only points back into the server's analysis of that version.
        assert_eq!(diagnostic["data"]["version"], 1);
        assert!(diagnostic["data"]["index"].is_u64(), "{diagnostic}");
        assert!(diagnostic["data"].get("fixes").is_none(), "{diagnostic}");
    }
    // Neovim's encoding is UTF-8: columns count bytes.
    assert_eq!(diagnostics[2]["range"]["start"], json!({ "line": 0, "character": "公元二O二O年，两级工作组共深入".len() }));
    insta::assert_json_snapshot!("push_diagnostics", normalize(&params, dir.path()));
    // Closing the page clears its diagnostics.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let cleared = client.diagnostics(&uri, |params| params["diagnostics"].as_array().unwrap().is_empty());
    assert_eq!(cleared["diagnostics"], json!([]));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn pull_diagnostics_use_result_ids_and_nothing_is_pushed() {
    let (mut client, dir, _) = start("vscode-1.139", "pull", json!({}));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let first = pull(&mut client, &uri, None);
    assert_eq!(first["kind"], "full");
    assert_eq!(codes(&first["items"]).len(), 7);
    // VS Code declares `codeDescriptionSupport`: each diagnostic links to its rule's page.
    for item in first["items"].as_array().unwrap() {
        assert_eq!(item["codeDescription"]["href"], format!("{DOCS}{}.md", item["code"].as_str().unwrap()));
    }
    let id = first["resultId"].as_str().unwrap().to_string();
    let again = pull(&mut client, &uri, Some(&id));
    assert_eq!(again, json!({ "kind": "unchanged", "resultId": id }));
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 16 }, "end": { "line": 0, "character": 17 } }, "text": "" }] }),
    );
    let changed = pull(&mut client, &uri, Some(&id));
    assert_eq!(changed["kind"], "full");
    assert_ne!(changed["resultId"], json!(id));
    assert_eq!(codes(&changed["items"]).iter().filter(|code| *code == "num-space").count(), 1);
    // Never both: no publishDiagnostics for the page.
    let pushed = client.wait_for(|message| message["method"] == "textDocument/publishDiagnostics", Duration::from_millis(800));
    assert!(pushed.is_none(), "{pushed:?}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn max_problems_caps_each_page_keeping_the_most_severe_in_page_order() {
    let (mut client, dir, _) = start("neovim-0.11.4", "max-problems", json!({ "debounceMs": 0, "maxProblems": 3 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let all = kanwu_core::analyze(PAGE, &Config::with_defaults());
    assert!(all.len() > 3, "the page needs more artefacts than the cap");
    let mut kept: Vec<usize> = (0..all.len()).collect();
    kept.sort_by_key(|&index| (all[index].severity, index));
    kept.truncate(3);
    kept.sort_unstable();
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    let items = params["diagnostics"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{params:#}");
    // First, one Information note at the top of the page saying how many were left out.
    assert_eq!(items[0]["code"], "max-problems");
    assert_eq!(items[0]["severity"], 3);
    assert_eq!(items[0]["range"], json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }));
    let note = items[0]["message"].as_str().unwrap();
    assert!(note.contains(&format!("{} more problems", all.len() - 3)) && note.contains("kanwu.maxProblems"), "{note}");
    let shown: Vec<String> = items[1..].iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(shown, kept.iter().map(|&index| all[index].code.to_string()).collect::<Vec<_>>());
    // The quick-fixes of a shown diagnostic are found again from its small data.
    let first = items[1].clone();
    let actions = code_actions(&mut client, &uri, &first["range"], json!([first]), Some(json!(["quickfix"])));
    let title = actions[0]["title"].as_str().unwrap();
    assert!(all[kept[0]].fixes.iter().any(|fix| fix.title.en == title), "{actions:#}");
    // No cap: everything is pushed, without the note.
    *client.settings.lock().unwrap() = json!({ "debounceMs": 0, "maxProblems": 0 });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let params = client.diagnostics(&uri, |params| params["diagnostics"].as_array().unwrap().len() == all.len());
    assert!(params["diagnostics"].as_array().unwrap().iter().all(|d| d["code"] != "max-problems"));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn messages_follow_the_client_locale_and_the_locale_setting() {
    let dir = TempDir::new("locale");
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("vscode-1.139", dir.path());
    params["locale"] = json!("zh-CN");
    client.initialize(params);
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let expected: Vec<(String, String)> = kanwu_core::analyze(PAGE, &Config::with_defaults())
        .into_iter()
        .map(|d| (d.message.zh.into_owned(), d.message.en.into_owned()))
        .collect();
    let report = pull(&mut client, &uri, None);
    let messages: Vec<&str> = report["items"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(messages, expected.iter().map(|(zh, _)| zh.as_str()).collect::<Vec<_>>());
    // The setting wins over the client's locale.
    *client.settings.lock().unwrap() = json!({ "locale": "en" });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    wait_for_refresh(&mut client);
    let report = pull(&mut client, &uri, None);
    let messages: Vec<&str> = report["items"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(messages, expected.iter().map(|(_, en)| en.as_str()).collect::<Vec<_>>());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn code_actions_of_every_kind() {
    let (mut client, dir, _) = start("vscode-1.139", "actions", json!({}));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let items = pull(&mut client, &uri, None)["items"].clone();
    let num_space = items.as_array().unwrap().iter().find(|d| d["code"] == "num-space").unwrap().clone();
    let mixed = items.as_array().unwrap().iter().find(|d| d["code"] == "mixed-script").unwrap().clone();

    // At the first num-space diagnostic: its fix (preferred), fix all num-space, the ignore actions, fix-all.
    let actions = code_actions(&mut client, &uri, &num_space["range"], json!([num_space]), None);
    insta::assert_json_snapshot!("code_actions_num_space", normalize(&actions, dir.path()));
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Delete the stray space",
            "Fix all `num-space` problems in this file",
            "Ignore this occurrence of `num-space`",
            "Fix all safely fixable problems (kanwu)"
        ]
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    let single = apply_edits(PAGE, &edits_of(&actions[0]["edit"], &uri), "utf-16");
    assert_eq!(single, PAGE.replacen("深入 700", "深入700", 1));
    // VS Code resolves edits lazily: the fix-all actions come without their edit.
    assert!(actions[1].get("edit").is_none() && actions[3].get("edit").is_none(), "fix-all edits are left to resolve");
    let all_num = apply_edits(PAGE, &edits_of(&resolved(&mut client, &actions[1])["edit"], &uri), "utf-16");
    let only_num = FixOptions { only_rules: vec!["num-space".into()], keep_lines: false };
    assert_eq!(all_num, fix_text(PAGE, &Config::with_defaults(), &only_num).text);
    assert_eq!(actions[2]["command"]["command"], "kanwu.ignoreOccurrence");
    assert_eq!(actions[3]["kind"], "source.fixAll.kanwu");
    // Fix-all keeps the line structure by default.
    let offered_fix_all = actions[3].clone();
    let fix_all = resolved(&mut client, &offered_fix_all);
    let fixed = apply_edits(PAGE, &edits_of(&fix_all["edit"], &uri), "utf-16");
    assert_eq!(fixed, fix_text(PAGE, &Config::with_defaults(), &FixOptions { keep_lines: true, ..Default::default() }).text);
    assert_eq!(fixed.lines().count(), PAGE.lines().count());

    // At a mixed-script diagnostic: a suggested fix (not preferred) and "ignore this word".
    let actions = code_actions(&mut client, &uri, &mixed["range"], json!([mixed]), Some(json!(["quickfix"])));
    insta::assert_json_snapshot!("code_actions_mixed_script", normalize(&actions, dir.path()));
    let actions = actions.as_array().unwrap();
    assert!(actions[0].get("isPreferred").is_none(), "a suggested fix is not preferred: {}", actions[0]);
    let word = actions.iter().find(|a| a["command"]["command"] == "kanwu.ignoreWord").expect("ignore word action");
    assert_eq!(word["title"], "Ignore “O” in this workspace (kanwu.toml)");
    assert!(actions.iter().all(|a| a["kind"] == "quickfix"));

    // Only the source action when asked for it, with the layout when the setting says so.
    let only = code_actions(&mut client, &uri, &num_space["range"], json!([]), Some(json!(["source.fixAll"])));
    assert_eq!(only.as_array().unwrap().len(), 1);
    *client.settings.lock().unwrap() = json!({ "fixAll": { "layout": true } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    wait_for_refresh(&mut client);
    let only = code_actions(&mut client, &uri, &num_space["range"], json!([]), Some(json!(["source.fixAll.kanwu"])));
    let fixed = apply_edits(PAGE, &edits_of(&resolved(&mut client, &only[0])["edit"], &uri), "utf-16");
    assert_eq!(fixed, fix_text(PAGE, &Config::with_defaults(), &FixOptions::default()).text);
    assert!(fixed.lines().count() < PAGE.lines().count());

    // Nothing to fix, nothing offered (at a cursor: a selection would offer "Add to glossary").
    let clean = dir.uri("clean.txt");
    client.open(&clean, "一名名共产党员挺身而出。\n");
    let none = code_actions(
        &mut client,
        &clean,
        &json!({ "start": { "line": 0, "character": 3 }, "end": { "line": 0, "character": 3 } }),
        json!([]),
        None,
    );
    assert_eq!(none, Value::Null);
    // Stale diagnostics (an older version) are not acted on.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 4, "character": 0 }, "end": { "line": 4, "character": 0 } }, "text": "副" }] }),
    );
    let stale = code_actions(&mut client, &uri, &num_space["range"], json!([num_space]), Some(json!(["quickfix"])));
    let stale_titles: Vec<&str> = stale.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(stale_titles[0], "Delete the stray space", "recomputed for the current version");
    assert!(stale
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["edit"].is_null() || a["edit"]["documentChanges"][0]["textDocument"]["version"] == 2));
    // A fix-all offered for version 1 is not resolved against version 2: the client asks again.
    let outdated = client.request("codeAction/resolve", offered_fix_all);
    assert_eq!(outdated["error"]["code"], -32801, "{outdated}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn fix_all_edits_come_with_the_actions_for_clients_that_cannot_resolve_them() {
    let dir = TempDir::new("actions-no-resolve");
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("vscode-1.139", dir.path());
    params["capabilities"]["textDocument"]["codeAction"].as_object_mut().unwrap().remove("resolveSupport");
    let result = client.initialize(params);
    assert_eq!(result["capabilities"]["codeActionProvider"]["resolveProvider"], true);
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
    let only = code_actions(&mut client, &uri, &range, json!([]), Some(json!(["source.fixAll.kanwu"])));
    let action = &only.as_array().unwrap()[0];
    assert!(action.get("data").is_none(), "nothing left to resolve: {action}");
    let fixed = apply_edits(PAGE, &edits_of(&action["edit"], &uri), "utf-16");
    assert_eq!(fixed, fix_text(PAGE, &Config::with_defaults(), &FixOptions { keep_lines: true, ..Default::default() }).text);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn ignore_word_writes_kanwu_toml_when_the_client_cannot_create_it() {
    // Neovim takes no documentChanges: the server writes kanwu.toml itself.
    let (mut client, dir, _) = start("neovim-0.11.4", "ignore-word-nvim", json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    let mixed = params["diagnostics"][0].clone();
    let actions = code_actions(&mut client, &uri, &mixed["range"], json!([mixed]), None);
    let word = actions.as_array().unwrap().iter().find(|a| a["command"]["command"] == "kanwu.ignoreWord").unwrap().clone();
    assert!(word.get("edit").is_none(), "{word}");
    client.call("workspace/executeCommand", word["command"].clone());
    let toml = std::fs::read_to_string(dir.path().join("kanwu.toml")).unwrap();
    assert_eq!(toml, "ignore = [\"O\"]\n");
    let params = client.diagnostics(&uri, |params| !codes(&params["diagnostics"]).contains(&"mixed-script".to_string()));
    assert_eq!(codes(&params["diagnostics"]).len(), 5);
    assert_eq!(std::fs::read_to_string(dir.path().join("page.txt")).ok(), None, "the page is never written");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn ignore_word_is_a_workspace_edit_of_kanwu_toml() {
    let (mut client, dir, _) = start("vscode-1.139", "ignore-word-vscode", json!({}));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let items = pull(&mut client, &uri, None)["items"].clone();
    let mixed = items[0].clone();
    let toml_uri = dir.uri("kanwu.toml");

    // No kanwu.toml yet: the edit creates it.
    let actions = code_actions(&mut client, &uri, &mixed["range"], json!([mixed]), Some(json!(["quickfix"])));
    let word = actions.as_array().unwrap().iter().find(|a| a["command"]["command"] == "kanwu.ignoreWord").unwrap().clone();
    let changes = word["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes[0], json!({ "kind": "create", "uri": toml_uri, "options": { "overwrite": false, "ignoreIfExists": true } }));
    assert_eq!(
        edits_of(&word["edit"], &toml_uri),
        json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "newText": "ignore = [\"O\"]\n" }])
    );
    // The client applies the edit (unsaved) and runs the command: the diagnostic is gone at once.
    client.call("workspace/executeCommand", word["command"].clone());
    wait_for_refresh(&mut client);
    assert!(!codes(&pull(&mut client, &uri, None)["items"]).contains(&"mixed-script".to_string()));

    // With a kanwu.toml on disk, the edit extends its list.
    let other = TempDir::new("ignore-word-existing");
    std::fs::write(other.path().join("kanwu.toml"), "# team settings\nignore = [\"层层\"]\n\n[rules]\nline-wrap = \"off\"\n").unwrap();
    let (mut client2, _) = (Client::spawn(other.path()), ());
    client2.initialize(initialize_params("vscode-1.139", other.path()));
    let uri2 = other.uri("page.txt");
    client2.open(&uri2, PAGE);
    let items = pull(&mut client2, &uri2, None)["items"].clone();
    assert!(!codes(&items).contains(&"line-wrap".to_string()), "kanwu.toml is read");
    let actions = code_actions(&mut client2, &uri2, &items[0]["range"], json!([items[0]]), None);
    let word = actions.as_array().unwrap().iter().find(|a| a["command"]["command"] == "kanwu.ignoreWord").unwrap().clone();
    let toml_text = std::fs::read_to_string(other.path().join("kanwu.toml")).unwrap();
    let edited = apply_edits(&toml_text, &edits_of(&word["edit"], &other.uri("kanwu.toml")), "utf-16");
    assert_eq!(edited, "# team settings\nignore = [\"层层\", \"O\"]\n\n[rules]\nline-wrap = \"off\"\n");
    assert!(client2.shutdown_and_exit().success());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn ignore_occurrence_uses_the_sidecar_and_survives_edits_elsewhere() {
    let (mut client, dir, _) = start("neovim-0.11.4", "ignore-occurrence", json!({ "debounceMs": 0 }));
    let page_path = dir.write("2020/page.txt", PAGE);
    let uri = dir.uri("2020/page.txt");
    client.open(&uri, PAGE);
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    let num_space = params["diagnostics"][2].clone();
    assert_eq!(num_space["code"], "num-space");
    let actions = code_actions(&mut client, &uri, &num_space["range"], json!([num_space]), None);
    let ignore = actions.as_array().unwrap().iter().find(|a| a["command"]["command"] == "kanwu.ignoreOccurrence").unwrap().clone();
    client.drain_diagnostics();
    client.call("workspace/executeCommand", ignore["command"].clone());
    let sidecar = std::fs::read_to_string(dir.path().join(".kanwu/ignored.toml")).unwrap();
    let parsed = kanwu_core::suppress::Suppressions::parse(&sidecar).unwrap();
    assert_eq!(parsed.occurrences.len(), 1);
    assert_eq!(parsed.occurrences[0].page, "2020/page.txt");
    assert_eq!(parsed.occurrences[0].code, "num-space");
    assert_eq!(parsed.occurrences[0].text, " ");
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    assert_eq!(codes(&params["diagnostics"]).iter().filter(|c| *c == "num-space").count(), 1, "only the other one is left");
    assert_eq!(std::fs::read_to_string(&page_path).unwrap(), PAGE, "the page is untouched");
    // An edit elsewhere (a new first line) keeps the occurrence ignored.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "新闻\n\n" }] }),
    );
    let params = client.diagnostics(&uri, |params| params["version"] == 2);
    assert_eq!(codes(&params["diagnostics"]).iter().filter(|c| *c == "num-space").count(), 1);
    // Fix-all leaves the ignored occurrence alone.
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
    let fix_all = code_actions(&mut client, &uri, &range, json!([]), Some(json!(["source.fixAll.kanwu"])));
    let text = format!("新闻\n\n{PAGE}");
    let fixed = apply_edits(&text, &edits_of(&resolved(&mut client, &fix_all[0])["edit"], &uri), "utf-8");
    assert!(fixed.contains("深入 700多"), "{fixed}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn formatting_reflows_with_the_layout_rules() {
    let (mut client, dir, _) = start("vscode-1.139", "format", json!({}));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let edits = client.call("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options }));
    let layout = FixOptions { only_rules: vec!["line-wrap".into(), "blank-split".into(), "vertical-heading".into()], keep_lines: false };
    let expected = fix_text(PAGE, &Config::with_defaults(), &layout).text;
    assert_ne!(expected, PAGE);
    assert_eq!(apply_edits(PAGE, &edits, "utf-16"), expected);
    assert_eq!(
        expected,
        "公元二O二O年，两级工作组共深入 700 多个村和社区。他说:好一名名共产党员挺身而出，一个个战斗堡垒巍然矗立。\n\n标题\n"
    );
    // Minimal edits: each removes one line break.
    insta::assert_json_snapshot!("formatting_edits", edits);
    assert!(edits.as_array().unwrap().iter().all(|edit| edit["newText"] == ""));

    // Range formatting touches only the lines of the range.
    let range = json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 3 } });
    let ranged = client.call("textDocument/rangeFormatting", json!({ "textDocument": { "uri": uri }, "range": range, "options": options }));
    assert_eq!(ranged.as_array().unwrap().len(), 1, "{ranged}");
    assert_eq!(ranged[0]["range"]["start"]["line"], 1);
    assert_eq!(apply_edits(PAGE, &ranged, "utf-16"), PAGE.replacen("一个\n个", "一个个", 1));

    // A page without layout artefacts is left as it is.
    let plain = "标题\n\n一名名共产党员挺身而出，一个个战斗堡垒巍然矗立。\n";
    let plain_uri = dir.uri("plain.txt");
    client.open(&plain_uri, plain);
    assert_eq!(fix_text(plain, &Config::with_defaults(), &layout).text, plain);
    let none = client.call("textDocument/formatting", json!({ "textDocument": { "uri": plain_uri }, "options": options }));
    assert_eq!(none, json!([]));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn settings_change_rules_severities_and_ignore_list() {
    let (mut client, dir, _) = start("neovim-0.11.4", "settings", json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    client.diagnostics(&uri, |params| params["version"] == 1);
    *client.settings.lock().unwrap() = json!({ "rules": { "num-space": "off", "half-width-punct": "hint" }, "ignore": ["二O二O"] });
    client.drain_diagnostics();
    client.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
    let params = client.diagnostics(&uri, |_| true);
    assert_eq!(codes(&params["diagnostics"]), ["half-width-punct", "line-wrap", "line-wrap"]);
    assert_eq!(params["diagnostics"][0]["severity"], 4, "hint");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn kanwu_toml_is_watched_by_the_server_when_the_client_cannot() {
    // Neovim on Linux cannot watch files for the server: the server polls.
    let (mut client, dir, _) = start("neovim-0.11.4", "toml-poll", json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    client.diagnostics(&uri, |params| params["version"] == 1);
    assert!(!client.server_requests.iter().any(|method| method == "client/registerCapability"));
    std::thread::sleep(Duration::from_millis(600));
    dir.write("kanwu.toml", "[rules]\nnum-space = \"off\"\n");
    let params = client.diagnostics(&uri, |params| !codes(&params["diagnostics"]).contains(&"num-space".to_string()));
    assert_eq!(codes(&params["diagnostics"]).len(), 5);

    // A broken kanwu.toml: an error in that file, at its place; the last good config stays.
    client.drain_diagnostics();
    dir.write("kanwu.toml", "[rules]\nnum-space = \"off\"\nno-such-rule = \"hint\"\n");
    let toml_uri = dir.uri("kanwu.toml");
    let error = client.diagnostics(&toml_uri, |params| !params["diagnostics"].as_array().unwrap().is_empty());
    let diagnostic = &error["diagnostics"][0];
    assert_eq!(diagnostic["range"]["start"], json!({ "line": 2, "character": 0 }));
    assert_eq!(diagnostic["severity"], 1);
    assert!(diagnostic["message"].as_str().unwrap().contains("no-such-rule"), "{diagnostic}");
    assert!(diagnostic["message"].as_str().unwrap().contains("3:1"), "{diagnostic}");
    insta::assert_json_snapshot!("broken_kanwu_toml", normalize(&error, dir.path()));
    let pushed =
        client.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri, Duration::from_millis(300));
    if let Some(pushed) = pushed {
        assert!(!codes(&pushed["params"]["diagnostics"]).contains(&"num-space".to_string()), "last good config in force");
    }
    // Repaired: the error goes, the new config applies.
    dir.write("kanwu.toml", "[rules]\nline-wrap = \"off\"\n");
    client.diagnostics(&toml_uri, |params| params["diagnostics"].as_array().unwrap().is_empty());
    let params = client.diagnostics(&uri, |params| codes(&params["diagnostics"]).contains(&"num-space".to_string()));
    assert!(!codes(&params["diagnostics"]).contains(&"line-wrap".to_string()));
    assert!(client.stderr().contains("no-such-rule"), "logged to stderr");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn kanwu_toml_is_watched_by_the_client_when_it_can() {
    let (mut client, dir, _) = start("vscode-1.139", "toml-client", json!({}));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let registration = client.wait(|m| m["method"] == "client/registerCapability", "registerCapability");
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/kanwu.toml");
    assert_eq!(codes(&pull(&mut client, &uri, None)["items"]).len(), 7);
    dir.write("kanwu.toml", "ignore = [\"700\"]\n[rules]\nmixed-script = \"off\"\n");
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": dir.uri("kanwu.toml"), "type": 1 }] }));
    wait_for_refresh(&mut client);
    assert_eq!(codes(&pull(&mut client, &uri, None)["items"]), ["num-space", "num-space", "half-width-punct", "line-wrap", "line-wrap"]);
    // An open kanwu.toml counts as it is typed; its errors come back through pull.
    let toml_uri = dir.uri("kanwu.toml");
    client.open(&toml_uri, "[rules]\nmixed-script = \"loud\"\n");
    let report = pull(&mut client, &toml_uri, None);
    assert_eq!(report["items"][0]["range"]["start"], json!({ "line": 1, "character": 15 }));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_gb18030_page_opened_as_utf8_gets_a_warning() {
    let (mut client, dir, _) = start("neovim-0.11.4", "gb18030", json!({ "debounceMs": 0 }));
    let text = "志愿小队本周走访 300 多户居民\n";
    let bytes = kanwu_core::decode::encode(text, kanwu_core::decode::PageEncoding::Gb18030);
    dir.write("gb.txt", &bytes);
    let uri = dir.uri("gb.txt");
    client.open(&uri, &String::from_utf8_lossy(&bytes));
    let params = client.diagnostics(&uri, |params| params["version"] == 1);
    let first = &params["diagnostics"][0];
    assert_eq!(first["code"], "encoding");
    assert!(first["message"].as_str().unwrap().contains("GB18030"), "{first}");
    // Reloaded in its encoding (the editor replaces the whole text), the warning goes away.
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}));
    let params = client.diagnostics(&uri, |params| params["version"] == 2);
    let codes: Vec<&Value> = params["diagnostics"].as_array().unwrap().iter().map(|diagnostic| &diagnostic["code"]).collect();
    assert!(!codes.iter().any(|code| *code == "encoding"), "{codes:?}");
    assert!(codes.iter().any(|code| *code == "num-space"), "{codes:?}");
    assert!(client.shutdown_and_exit().success());
}
