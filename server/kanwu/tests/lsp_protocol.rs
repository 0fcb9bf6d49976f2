//! The language server over real stdio: initialize replays, position encodings, document sync
//! under a burst of edits, and robustness (malformed JSON, unknown methods, shutdown and exit).

mod support;

use serde_json::{json, Value};
use support::{initialize_params, normalize, position, Client, TempDir};

/// A page with stray spaces around numbers (num-space) and an ASCII colon (half-width-punct).
const PAGE: &str = "两级工作组共深入 700 多个村和社区\n他说:好\n";

fn start(editor: &str, name: &str) -> (Client, TempDir, Value) {
    let dir = TempDir::new(name);
    let mut client = Client::spawn(dir.path());
    let result = client.initialize(initialize_params(editor, dir.path()));
    (client, dir, result)
}

fn start_with_encodings(encodings: Value, name: &str) -> (Client, TempDir, Value) {
    let dir = TempDir::new(name);
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("vscode-1.139", dir.path());
    params["capabilities"]["general"]["positionEncodings"] = encodings;
    let result = client.initialize(params);
    (client, dir, result)
}

/// The diagnostics the core finds in `text`, as (start, end, code, message) in `encoding`.
fn expected_diagnostics(text: &str, encoding: &str) -> Vec<(Value, Value, String, String)> {
    kanwu_core::analyze(text, &kanwu_core::Config::with_defaults())
        .into_iter()
        .map(|d| {
            (position(text, d.range.start, encoding), position(text, d.range.end, encoding), d.code.to_string(), d.message.en.to_string())
        })
        .collect()
}

/// Compares diagnostic lists, reporting the first difference only.
fn same(actual: Vec<(Value, Value, String, String)>, expected: Vec<(Value, Value, String, String)>, what: &str) {
    if let Some(index) = (0..actual.len().max(expected.len())).find(|&i| actual.get(i) != expected.get(i)) {
        panic!(
            "{what}: {} vs {} diagnostics; first difference at {index}:\n  actual   {:?}\n  expected {:?}",
            actual.len(),
            expected.len(),
            actual.get(index),
            expected.get(index)
        );
    }
}

fn published(params: &Value) -> Vec<(Value, Value, String, String)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"].clone(),
                d["range"]["end"].clone(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn neovim_initialize_is_answered_with_utf8_and_push_diagnostics() {
    let (client, dir, result) = start("neovim-0.11.4", "init-nvim");
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8", "Neovim offers utf-8 first");
    assert!(result["capabilities"].get("diagnosticProvider").is_none(), "Neovim cannot be asked to refresh: push");
    let mut snapshot = normalize(&result, dir.path());
    snapshot["serverInfo"]["version"] = json!("[version]");
    insta::assert_json_snapshot!("initialize_neovim", snapshot);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn vscode_initialize_is_answered_with_utf16_and_pull_diagnostics() {
    let (mut client, dir, result) = start("vscode-1.139", "init-vscode");
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["capabilities"]["diagnosticProvider"]["identifier"], "kanwu");
    let mut snapshot = normalize(&result, dir.path());
    snapshot["serverInfo"]["version"] = json!("[version]");
    insta::assert_json_snapshot!("initialize_vscode", snapshot);
    // VS Code watches files for the server: it is asked to.
    client.wait(|message| message["method"] == "client/registerCapability", "registerCapability");
    let registration = client.log.iter().find(|message| message["method"] == "client/registerCapability").unwrap().clone();
    assert_eq!(registration["params"]["registrations"][0]["method"], "workspace/didChangeWatchedFiles");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn each_position_encoding_counts_extension_b_characters_right() {
    // 𠮷 is one code point, two UTF-16 units and four UTF-8 bytes.
    let text = "𠮷深入 700 多\n";
    for (offered, chosen, start_col) in [
        (json!(["utf-8", "utf-16"]), "utf-8", 10),
        (json!(["utf-16"]), "utf-16", 4),
        (json!(["utf-32", "utf-8"]), "utf-32", 3),
        (json!(["latin-1"]), "utf-16", 4),
        (json!([]), "utf-16", 4),
    ] {
        let (mut client, dir, result) = start_with_encodings(offered.clone(), "encoding");
        assert_eq!(result["capabilities"]["positionEncoding"], chosen, "offered {offered}");
        let uri = dir.uri("p.txt");
        client.open(&uri, text);
        let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
        let first = &report["items"][0];
        assert_eq!(first["code"], "num-space");
        assert_eq!(first["range"]["start"], json!({ "line": 0, "character": start_col }), "{chosen}");
        assert_eq!(published(&json!({ "diagnostics": report["items"] })), expected_diagnostics(text, chosen));
        // An edit addressed in this encoding right after 𠮷 lands right after it.
        let after_ji = position(text, "𠮷".len(), chosen);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": after_ji, "end": after_ji }, "text": "两" }] }),
        );
        let edited = text.replacen("𠮷", "𠮷两", 1);
        let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
        assert_eq!(published(&json!({ "diagnostics": report["items"] })), expected_diagnostics(&edited, chosen));
        assert!(client.shutdown_and_exit().success());
    }
}

/// A small deterministic random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn char_boundary(text: &str, rng: &mut Rng) -> usize {
    // Never inside a \r\n, which editors treat as one line break.
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(index, _)| index)
        .chain([text.len()])
        .filter(|&index| !(index > 0 && text[..index].ends_with('\r') && text[index..].starts_with('\n')))
        .collect();
    boundaries[rng.below(boundaries.len())]
}

/// Hundreds of random incremental edits, several per notification, sent as fast as possible:
/// the server must end with exactly the client's text.
fn burst(editor: &str, encodings: Option<Value>, seed: u64) {
    let dir = TempDir::new("burst");
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params(editor, dir.path());
    if let Some(encodings) = encodings {
        params["capabilities"]["general"]["positionEncodings"] = encodings;
    }
    params["initializationOptions"] = json!({ "debounceMs": 20, "fixAll": { "layout": true } });
    let result = client.initialize(params);
    let encoding = result["capabilities"]["positionEncoding"].as_str().unwrap().to_string();
    let pull = result["capabilities"].get("diagnosticProvider").is_some();
    let uri = dir.uri("burst.txt");
    let mut model = PAGE.repeat(3);
    client.open(&uri, &model);
    let tokens = ["两", "委", "𠮷", " ", "7", "\n", "，", ":", "a", "😀", "\r\n", "深入 700 多"];
    let mut rng = Rng(seed);
    let mut version = 1;
    for _ in 0..400 {
        version += 1;
        let mut changes = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let a = char_boundary(&model, &mut rng);
            let b = char_boundary(&model, &mut rng);
            let (start, end) = (a.min(b), a.max(b));
            // Mostly small deletions.
            let end = if end - start > 12 { start } else { end };
            let inserted: String = (0..rng.below(3)).map(|_| tokens[rng.below(tokens.len())]).collect();
            changes.push(json!({
                "range": { "start": position(&model, start, &encoding), "end": position(&model, end, &encoding) },
                "text": inserted
            }));
            model.replace_range(start..end, &inserted);
        }
        client.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }));
    }
    let final_diagnostics = if pull {
        let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
        json!({ "diagnostics": report["items"] })
    } else {
        client.diagnostics(&uri, |params| params["version"] == version)
    };
    // The model text may contain \r\n pairs split by edits; both sides see the same bytes.
    same(published(&final_diagnostics), expected_diagnostics(&model, &encoding), &format!("after {version} versions"));
    // The whole text, through a fix-all with the layout rules: its edits turn the model into
    // exactly what the core makes of the model.
    let expected = kanwu_core::fix_text(&model, &kanwu_core::Config::with_defaults(), &kanwu_core::FixOptions::default()).text;
    let actions = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source.fixAll.kanwu"] } }),
    );
    let fixed = match actions.as_array().and_then(|actions| actions.first()) {
        Some(action) => {
            // Clients that resolve edits get the action without its edit, to resolve when chosen.
            let action = if action.get("edit").is_none() { client.call("codeAction/resolve", action.clone()) } else { action.clone() };
            let changes = &action["edit"]["documentChanges"][0]["edits"];
            let edits = if changes.is_null() { &action["edit"]["changes"][&uri] } else { changes };
            support::apply_edits(&model, edits, &encoding)
        }
        None => model.clone(),
    };
    assert_eq!(fixed, expected);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_burst_of_random_edits_leaves_the_clients_text_utf16_pull() {
    burst("vscode-1.139", None, 0x9E3779B97F4A7C15);
}

#[test]
fn a_burst_of_random_edits_leaves_the_clients_text_utf8_push() {
    burst("neovim-0.11.4", None, 0xD1B54A32D192ED03);
}

#[test]
fn a_burst_of_random_edits_leaves_the_clients_text_utf32() {
    burst("vscode-1.139", Some(json!(["utf-32"])), 0x2545F4914F6CDD1D);
}

#[test]
fn full_sync_replaces_the_text() {
    let (mut client, dir, _) = start("vscode-1.139", "full-sync");
    let uri = dir.uri("p.txt");
    client.open(&uri, "无误的文字\n");
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": PAGE }] }));
    let report = client.call("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(published(&json!({ "diagnostics": report["items"] })), expected_diagnostics(PAGE, "utf-16"));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn malformed_json_unknown_methods_and_bad_positions_get_answers_and_the_server_goes_on() {
    let (mut client, dir, _) = start("neovim-0.11.4", "robust");
    // Malformed JSON: a parse error with a null id.
    client.send_raw(b"Content-Length: 9\r\n\r\n{\"bad\": }");
    let error = client.wait(|message| message.get("id") == Some(&Value::Null), "parse error");
    assert_eq!(error["error"]["code"], -32700, "{error}");
    // Valid JSON that is not a request: an invalid-request error or a parse error, never a crash.
    client.send_raw(b"Content-Length: 2\r\n\r\n[]");
    let error = client.wait(|message| message.get("id") == Some(&Value::Null), "invalid request");
    assert!(error["error"]["code"] == -32600 || error["error"]["code"] == -32700, "{error}");
    // An unknown request: method not found. An unknown notification: ignored.
    let response = client.request("kanwu/noSuchMethod", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    client.notify("$/noSuchNotification", json!({}));
    // Changes to a document never opened are ignored.
    let ghost = dir.uri("ghost.txt");
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": ghost, "version": 2 }, "contentChanges": [{ "text": "x" }] }));
    // Positions past the end are clamped.
    let uri = dir.uri("p.txt");
    client.open(&uri, PAGE);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 99, "character": 0 }, "end": { "line": 120, "character": 5 } }, "text": "尾" }] }),
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 999 }, "end": { "line": 0, "character": 999 } }, "text": "，" }] }),
    );
    let expected_text = format!("{}，{}尾", &PAGE[..PAGE.find('\n').unwrap()], &PAGE[PAGE.find('\n').unwrap()..]);
    let params = client.diagnostics(&uri, |params| params["version"] == 3);
    assert_eq!(published(&params), expected_diagnostics(&expected_text, "utf-8"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 500, "character": 3 }, "end": { "line": 900, "character": 0 } }, "context": { "diagnostics": [] } }),
    );
    assert!(actions.get("error").is_none(), "{actions}");
    // Requests about unopened documents answer, without error.
    let formatting = client
        .request("textDocument/formatting", json!({ "textDocument": { "uri": ghost }, "options": { "tabSize": 4, "insertSpaces": true } }));
    assert_eq!(formatting["result"], Value::Null, "{formatting}");
    // Bad params: invalid params, not a crash.
    let bad = client.request("textDocument/codeAction", json!({ "textDocument": 3 }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    // Still alive.
    let formatting = client
        .call("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }));
    assert!(formatting.is_array() || formatting.is_null());
    assert!(client.stderr().contains("not open"), "{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_ends_the_process() {
    let (mut client, _dir, _) = start("neovim-0.11.4", "shutdown");
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let after = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": "file:///x.txt" }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(after["error"]["code"], -32600, "{after}");
    client.notify("exit", Value::Null);
    let status = client.finish();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_the_process_with_status_1() {
    let (mut client, _dir, _) = start("neovim-0.11.4", "exit");
    client.notify("exit", Value::Null);
    let status = client.finish();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn requests_before_initialize_are_refused() {
    let dir = TempDir::new("early");
    let mut client = Client::spawn(dir.path());
    let response = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": "file:///x.txt" }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(response["error"]["code"], -32002, "{response}");
    client.initialize(initialize_params("neovim-0.11.4", dir.path()));
    assert!(client.shutdown_and_exit().success());
}
