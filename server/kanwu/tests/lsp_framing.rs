//! The real `kanwu serve --stdio` after malformed frames: each malformed frame, sent in one write
//! with a valid hover glued right after it, gets a parse error, and the hover is still answered.

mod support;

use serde_json::{json, Value};
use support::{initialize_params, Client, TempDir};

/// A `Content-Length` frame around `body`.
fn frame(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

#[test]
fn a_valid_request_right_after_a_malformed_frame_is_answered() {
    let dir = TempDir::new("framing");
    let mut client = Client::spawn(dir.path());
    client.initialize(initialize_params("neovim-0.11.4", dir.path()));
    let uri = dir.uri("page.txt");
    client.open(&uri, "两委班子成员深入一线。\n");
    let malformed: Vec<(&str, Vec<u8>)> = vec![
        (
            "a length that is not a number, the body without a newline",
            b"Content-Length: abc\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1}".to_vec(),
        ),
        ("a missing header terminator", b"Content-Length: 12\r\n{\"jsonrpc\":1}".to_vec()),
        ("a length over the limit", b"Content-Length: 99999999999\r\n\r\n{}".to_vec()),
        ("garbage glued to the next header", b"not a header at all".to_vec()),
        ("a length running into the next frame", b"Content-Length: 40\r\n\r\n{\"bad\":}".to_vec()),
    ];
    for (index, (what, bytes)) in malformed.into_iter().enumerate() {
        let id = 1000 + index as i64;
        let hover = json!({
            "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } }
        });
        let mut input = bytes;
        input.extend_from_slice(&frame(&hover));
        client.send_raw(&input);
        let error = client.wait(|message| message.get("id") == Some(&Value::Null) && message.get("error").is_some(), what);
        assert_eq!(error["error"]["code"], -32700, "{what}: {error}");
        let response = client.response(id);
        assert!(response.get("error").is_none(), "{what}: {response}");
        assert!(response.get("result").is_some(), "{what}: {response}");
    }
    assert!(client.stderr().contains("kanwu:"), "the skipped input is logged on stderr");
    assert!(client.shutdown_and_exit().success());
}
