//! End-to-end tests of the server's commands through the real `kanwu serve` binary: "Reindex
//! corpus" picks up pages that changed on disk without any notification, and references from an
//! alias find every spelling of the glossary entry.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{initialize_params, position, Client, TempDir};

/// An open page naming the village committees by an alias.
const OPEN: &str = "嘎查两委成员连夜走访牧户。\n";

fn reference_files(client: &mut Client, dir: &TempDir, encoding: &str) -> Vec<String> {
    let at = position(OPEN, OPEN.find("两委").unwrap(), encoding);
    let result = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": dir.uri("open.txt")}, "position": at, "context": {"includeDeclaration": true}}),
    );
    let mut files: Vec<String> = result["result"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|location: &Value| location["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn reindex_reads_pages_changed_behind_the_servers_back_and_aliases_find_the_entry() {
    let dir = TempDir::new("commands");
    dir.write("open.txt", OPEN);
    dir.write("other.txt", "村“两委”班子召开会议。\n");
    let mut client = Client::spawn(dir.path());
    let result = client.initialize(initialize_params("vscode-1.139", dir.path()));
    let encoding = result["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16").to_string();
    let commands = result["capabilities"]["executeCommandProvider"]["commands"].as_array().unwrap().clone();
    assert!(commands.iter().any(|command| command == "kanwu.reindex"), "{commands:?}");
    client.wait(|message| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end", "first index");
    client.open(&dir.uri("open.txt"), OPEN);
    // The alias 嘎查两委 under the cursor finds the entry's other spellings in the other page.
    assert_eq!(reference_files(&mut client, &dir, &encoding), ["open.txt", "other.txt"]);
    // A page written behind the server's back (no watched-file event) appears after a reindex.
    dir.write("late.txt", "两委干部带头值守。\n");
    let reply = client.request("workspace/executeCommand", json!({"command": "kanwu.reindex", "arguments": []}));
    assert!(reply.get("error").is_none(), "{reply}");
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut files = Vec::new();
    while Instant::now() < deadline {
        files = reference_files(&mut client, &dir, &encoding);
        if files.len() == 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(files, ["late.txt", "open.txt", "other.txt"]);
    assert!(client.shutdown_and_exit().success());
}
