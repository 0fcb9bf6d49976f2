//! The real `kanwu serve --stdio` on a page whose lines end in a lone `\r`: diagnostics come at the
//! lines and columns the editor counts (`\r`, `\n` and `\r\n` all end a line, as in the LSP
//! specification), and an incremental edit lands where the editor made it.

mod support;

use serde_json::{json, Value};
use support::{initialize_params, Client, TempDir};

/// The page of the report: the ASCII comma stands at line 1, column 3.
const PAGE: &str = "第一行文字。\r第二行,文字。\n";

/// The UTF-16 line and column of byte `offset`, with `\r`, `\n` and `\r\n` each ending a line
/// (written here apart from the server's `LineIndex`, from the specification).
fn utf16_position(text: &str, offset: usize) -> Value {
    let (mut line, mut character) = (0, 0);
    let mut chars = text[..offset].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                line += 1;
                character = 0;
            }
            _ => character += c.len_utf16(),
        }
    }
    json!({ "line": line, "character": character })
}

/// What the core finds in `text`, as (start, end, code) in UTF-16 positions.
fn expected(text: &str) -> Vec<(Value, Value, String)> {
    kanwu_core::analyze(text, &kanwu_core::Config::with_defaults())
        .into_iter()
        .map(|d| (utf16_position(text, d.range.start), utf16_position(text, d.range.end), d.code.to_string()))
        .collect()
}

fn published(params: &Value) -> Vec<(Value, Value, String)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["range"]["start"].clone(), d["range"]["end"].clone(), d["code"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_lone_carriage_return_ends_a_line_for_diagnostics_and_edits() {
    let dir = TempDir::new("cr-lines");
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("neovim-0.11.4", dir.path());
    params["capabilities"]["general"]["positionEncodings"] = json!(["utf-16"]);
    let result = client.initialize(params);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let first = client.diagnostics(&uri, |params| params["version"] == 1);
    let comma = published(&first).into_iter().find(|(_, _, code)| code == "half-width-punct").expect("the ASCII comma is reported");
    assert_eq!((comma.0, comma.1), (json!({ "line": 1, "character": 3 }), json!({ "line": 1, "character": 4 })));
    assert_eq!(published(&first), expected(PAGE));

    // The editor puts a full-width comma and a new ASCII one at (1,3): the server's copy follows.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 1, "character": 3 }, "end": { "line": 1, "character": 4 } }, "text": "，村;" }
        ] }),
    );
    let edited = "第一行文字。\r第二行，村;文字。\n";
    let second = client.diagnostics(&uri, |params| params["version"] == 2);
    assert_eq!(published(&second), expected(edited));
    let semicolon = published(&second).into_iter().find(|(_, _, code)| code == "half-width-punct").expect("the ASCII semicolon");
    assert_eq!(semicolon.0, json!({ "line": 1, "character": 5 }));
    assert!(client.shutdown_and_exit().success());
}
