//! End-to-end tests of the corpus features through the real `kanwu serve` binary: background indexing with progress, references and rename across open and unopened pages, symbols, workspace symbols and diagnostics, and pages created, changed and deleted on disk.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{initialize_params, position, Client, TempDir};

/// A page whose `两委` is broken across a column wrap, with a headline and a byline.
const PAGE_A: &str = "党建引领乡村振兴\n\n□本报记者 林晓\n\n全旗各嘎查村召开村“两\n委”会议，部署春耕生产工作，\n确保不误农时。\n";

/// An unopened page with `两 委` split by a stray space.
const PAGE_B: &str = "村 两 委 班子成员走访农户。\n";

fn start(editor: &str, name: &str) -> (Client, TempDir, String) {
    let dir = TempDir::new(name);
    dir.write("a.txt", PAGE_A);
    dir.write("b.txt", PAGE_B);
    dir.write("notes/c.txt", "没有那个词。\n");
    let mut client = Client::spawn(dir.path());
    let result = client.initialize(initialize_params(editor, dir.path()));
    let encoding = result["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16").to_string();
    // Indexing reports progress and ends with the file count.
    let begin = client.wait(|message| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "begin", "progress begin");
    assert_eq!(begin["params"]["value"]["percentage"], 0, "{begin}");
    let end = client.wait(|message| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end", "progress end");
    assert!(end["params"]["value"]["message"].as_str().unwrap().starts_with("3/3"), "{end}");
    assert!(client.server_requests.iter().any(|method| method == "window/workDoneProgress/create"));
    (client, dir, encoding)
}

fn references(client: &mut Client, dir: &TempDir, encoding: &str) -> Vec<(String, Value)> {
    let at = position(PAGE_A, PAGE_A.find('两').unwrap(), encoding);
    let result = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": dir.uri("a.txt")}, "position": at, "context": {"includeDeclaration": true}}),
    );
    result["result"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|location| (location["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), location["range"].clone()))
        .collect()
}

/// Asks for references until `accept` holds (the index follows the disk asynchronously).
fn references_until(
    client: &mut Client,
    dir: &TempDir,
    encoding: &str,
    accept: impl Fn(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = references(client, dir, encoding);
        if accept(&found) || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn references_rename_symbols_and_diagnostics_across_the_corpus() {
    let (mut client, dir, encoding) = start("vscode-1.139", "corpus");
    client.open(&dir.uri("a.txt"), PAGE_A);

    // The open page's term is broken across a line; the unopened page's is split by a space.
    let found = references(&mut client, &dir, &encoding);
    let files: Vec<&str> = found.iter().map(|(file, _)| file.as_str()).collect();
    assert_eq!(files, ["a.txt", "b.txt"], "{found:?}");
    // Each occurrence covers just the term asked for: `两\n委` inside `村“两\n委”`, and `两 委` inside
    // the page that lost its quotes, across the wrap and the stray space.
    assert_eq!(found[0].1, json!({"start": {"line": 4, "character": 10}, "end": {"line": 5, "character": 1}}));
    assert_eq!(found[1].1, json!({"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 5}}));

    let highlights = client.request(
        "textDocument/documentHighlight",
        json!({"textDocument": {"uri": dir.uri("a.txt")}, "position": {"line": 5, "character": 0}}),
    );
    assert_eq!(highlights["result"].as_array().unwrap().len(), 1, "{highlights}");

    let prepared = client.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": dir.uri("a.txt")}, "position": {"line": 4, "character": 10}}),
    );
    assert_eq!(prepared["result"]["placeholder"], "两委", "{prepared}");
    let renamed = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": dir.uri("a.txt")}, "position": {"line": 4, "character": 10}, "newName": "三委"}),
    );
    let changes = renamed["result"]["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{renamed}");
    assert_eq!(changes[&dir.uri("b.txt")][0]["newText"], "三委");

    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": dir.uri("a.txt")}}));
    let article = &symbols["result"][0];
    assert_eq!(article["name"], "党建引领乡村振兴", "{symbols}");
    let children: Vec<&str> = article["children"].as_array().unwrap().iter().map(|child| child["detail"].as_str().unwrap()).collect();
    assert_eq!(children, ["headline", "byline"]);
    let folding = client.request("textDocument/foldingRange", json!({"textDocument": {"uri": dir.uri("a.txt")}}));
    assert_eq!(folding["result"][0]["startLine"], 0, "{folding}");
    assert_eq!(folding["result"][0]["endLine"], 6, "{folding}");

    let workspace_symbols = client.request("workspace/symbol", json!({"query": "林晓"}));
    let reporter = &workspace_symbols["result"][0];
    assert_eq!((reporter["name"].as_str(), reporter["containerName"].as_str()), (Some("林晓"), Some("reporter")), "{workspace_symbols}");
    let fuzzy = client.request("workspace/symbol", json!({"query": "党建振兴"}));
    assert!(fuzzy["result"].as_array().unwrap().iter().any(|symbol| symbol["name"] == "党建引领乡村振兴"), "{fuzzy}");

    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let items = report["result"]["items"].as_array().unwrap();
    let b = items.iter().find(|item| item["uri"] == dir.uri("b.txt")).expect("the unopened page is reported");
    assert!(b["items"].as_array().unwrap().iter().any(|diagnostic| diagnostic["code"] == "cjk-space"), "{b}");
    assert!(!items.iter().any(|item| item["uri"] == dir.uri("a.txt")), "open pages are diagnosed on their own");
    assert!(items.iter().all(|item| item["kind"] == "full" && item["resultId"].is_string()), "{report}");

    // Asked again with the result ids it got, every unchanged page is `unchanged`; after a change on
    // disk only that page is re-checked and reported in full.
    let previous: Vec<Value> = items.iter().map(|item| json!({"uri": item["uri"], "value": item["resultId"]})).collect();
    let again = client.request("workspace/diagnostic", json!({"previousResultIds": previous}));
    let again_items = again["result"]["items"].as_array().unwrap();
    assert_eq!(again_items.len(), items.len(), "{again}");
    for item in again_items {
        let before = items.iter().find(|before| before["uri"] == item["uri"]).unwrap();
        assert_eq!((item["kind"].as_str(), &item["resultId"]), (Some("unchanged"), &before["resultId"]), "{again}");
    }
    dir.write("notes/c.txt", "没有那个词 2020年。\n");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": dir.uri("notes/c.txt"), "type": 2}]}));
    let deadline = Instant::now() + Duration::from_secs(15);
    let changed = loop {
        let report = client.request("workspace/diagnostic", json!({"previousResultIds": previous}));
        let items = report["result"]["items"].as_array().unwrap().clone();
        if items.iter().any(|item| item["kind"] == "full") || Instant::now() > deadline {
            break items;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let kinds: Vec<(String, &str)> = changed
        .iter()
        .map(|item| (item["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), item["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("b.txt".to_string(), "unchanged"), ("c.txt".to_string(), "full")], "{changed:?}");
    let c = changed.iter().find(|item| item["kind"] == "full").unwrap();
    assert!(!c["items"].as_array().unwrap().is_empty(), "the stray space is reported: {c}");
    assert_ne!(c["resultId"], previous.iter().find(|item| item["uri"] == c["uri"]).unwrap()["value"]);
    // Without result ids, the cached reports come back in full, with the same ids.
    let fresh = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let fresh_items = fresh["result"]["items"].as_array().unwrap();
    assert!(fresh_items.iter().all(|item| item["kind"] == "full"), "{fresh}");
    assert_eq!(fresh_items.iter().find(|item| item["uri"] == c["uri"]).unwrap()["resultId"], c["resultId"]);

    // Created, changed and deleted on disk, announced by the client's watcher.
    dir.write("d.txt", "新的村两委班子。\n");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": dir.uri("d.txt"), "type": 1}]}));
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 3);
    assert_eq!(found.iter().map(|(file, _)| file.as_str()).collect::<Vec<_>>(), ["a.txt", "b.txt", "d.txt"]);
    dir.write("b.txt", "村委班子成员走访农户。\n");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": dir.uri("b.txt"), "type": 2}]}));
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 2);
    assert_eq!(found.iter().map(|(file, _)| file.as_str()).collect::<Vec<_>>(), ["a.txt", "d.txt"]);
    std::fs::remove_file(dir.path().join("d.txt")).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": dir.uri("d.txt"), "type": 3}]}));
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 1);
    assert_eq!(found.iter().map(|(file, _)| file.as_str()).collect::<Vec<_>>(), ["a.txt"]);

    // Edits of the open page reach the index.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": dir.uri("a.txt"), "version": 2}, "contentChanges": [{"text": format!("{PAGE_A}又开村两委会。\n")}]}),
    );
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 2);
    assert_eq!(found.len(), 2, "{found:?}");
    client.shutdown_and_exit();
}

#[test]
fn references_and_rename_follow_the_editors_text_at_once() {
    let (mut client, dir, encoding) = start("vscode-1.139", "corpus-live");
    let uri = dir.uri("a.txt");
    client.open(&uri, PAGE_A);
    // A new first line moves the term down a line. The index takes an edited page in only once
    // typing pauses; asked at once, references and rename still use the editor's text.
    let edited = format!("编者按：全文如下。\n{PAGE_A}");
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}));
    let at = position(&edited, edited.find('两').unwrap(), &encoding);
    let result = client
        .request("textDocument/references", json!({"textDocument": {"uri": uri}, "position": at, "context": {"includeDeclaration": true}}));
    let in_a: Vec<&Value> =
        result["result"].as_array().unwrap().iter().filter(|location| location["uri"] == uri).map(|location| &location["range"]).collect();
    assert_eq!(in_a, [&json!({"start": {"line": 5, "character": 10}, "end": {"line": 6, "character": 1}})], "{result}");

    // The rename keeps the column wrap inside the occurrence.
    let renamed = client.request("textDocument/rename", json!({"textDocument": {"uri": uri}, "position": at, "newName": "三委"}));
    let edits = &renamed["result"]["changes"][&uri];
    assert_eq!(support::apply_edits(&edited, edits, &encoding), edited.replace("村“两\n委”", "村“三\n委”"), "{renamed}");
    assert_eq!(renamed["result"]["changes"][&dir.uri("b.txt")][0]["newText"], "三委", "{renamed}");
    client.shutdown_and_exit();
}

#[test]
fn progress_only_for_clients_that_declare_it() {
    let dir = TempDir::new("corpus-no-progress");
    dir.write("a.txt", PAGE_A);
    dir.write("b.txt", PAGE_B);
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("vscode-1.139", dir.path());
    params["capabilities"]["window"].as_object_mut().unwrap().remove("workDoneProgress");
    let result = client.initialize(params);
    let encoding = result["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16").to_string();
    client.open(&dir.uri("a.txt"), PAGE_A);
    // The index is built all the same.
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 2);
    assert_eq!(found.len(), 2, "{found:?}");
    let progress = client.wait_for(|message| message["method"] == "$/progress", Duration::from_millis(300));
    assert!(progress.is_none(), "{progress:?}");
    assert!(!client.server_requests.iter().any(|method| method == "window/workDoneProgress/create"), "{:?}", client.server_requests);
    client.shutdown_and_exit();
}

#[test]
fn the_server_polls_pages_for_clients_without_watching() {
    let (mut client, dir, encoding) = start("neovim-0.11.4", "corpus-poll");
    client.open(&dir.uri("a.txt"), PAGE_A);
    let found = references(&mut client, &dir, &encoding);
    assert_eq!(found.len(), 2, "{found:?} {encoding}");
    dir.write("sub/e.txt", "村两委\n");
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 3);
    assert_eq!(found.len(), 3, "{found:?}");
    std::fs::remove_file(dir.path().join("b.txt")).unwrap();
    let found = references_until(&mut client, &dir, &encoding, |found| found.len() == 2);
    assert_eq!(found.iter().map(|(file, _)| file.as_str()).collect::<Vec<_>>(), ["a.txt", "e.txt"]);
    client.shutdown_and_exit();
}
