//! Random edit sequences through the real language server: hostile text (every kind of line end,
//! astral characters, replacement characters, controls) typed, pasted and deleted at random places.
//! The server must never panic or hang, its copy of each page must stay the editor's (its
//! diagnostics equal the core's `analyze` of the text the test holds), and formatting must give
//! exactly what the core's fixer gives.

mod support;

use kanwu_core::{analyze, fix_page, Config, FixOptions, FixRequest, LineCol, LineIndex, PositionEncoding};
use serde_json::{json, Value};
use support::{initialize_params, Client, TempDir};

/// A small deterministic generator, so a failure names a seed that reproduces it.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "两委",
    "党员中心户",
    "嘎查",
    "第一书记",
    "牧民",
    "合作社",
    "近日",
    "层层",
    "，",
    "。",
    ",",
    ":",
    "（",
    "）",
    "“",
    "”",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\t",
    "\u{3000}",
    "𠮷",
    "\u{FFFD}",
    "\u{200B}",
    "12",
    " 350 ",
    "O",
    "组 织 党 员",
    "习近\n平",
    "……",
    "⋯⋯",
];

fn random_text(random: &mut Random, pieces: usize) -> String {
    (0..pieces).map(|_| PIECES[random.below(PIECES.len())]).collect()
}

/// A random position of `text` an editor can name: a character boundary, never between the `\r`
/// and the `\n` of a CRLF (no LSP position lies there).
fn boundary(random: &mut Random, text: &str) -> usize {
    let mut offset = random.below(text.len() + 1);
    while !text.is_char_boundary(offset) || (text[..offset].ends_with('\r') && text[offset..].starts_with('\n')) {
        offset -= 1;
    }
    offset
}

fn lsp_position(index: &LineIndex, text: &str, offset: usize) -> Value {
    let LineCol { line, col } = index.to_line_col(text, offset, PositionEncoding::Utf8);
    json!({ "line": line, "character": col })
}

/// The diagnostics as (code, start, end) in the client's positions.
fn expected(text: &str) -> Vec<(String, Value, Value)> {
    let index = LineIndex::new(text);
    analyze(text, &Config::with_defaults())
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.code.to_string(),
                lsp_position(&index, text, diagnostic.range.start),
                lsp_position(&index, text, diagnostic.range.end),
            )
        })
        .collect()
}

/// Applies the server's text edits with the core's own position conversion.
fn apply(text: &str, edits: &Value) -> String {
    let index = LineIndex::new(text);
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as u32;
        let col = position["character"].as_u64().unwrap() as u32;
        index.to_offset(text, LineCol { line, col }, PositionEncoding::Utf8)
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|edit| (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]), edit["newText"].as_str().unwrap()))
        .collect();
    edits.sort_by_key(|edit| (edit.0, edit.1));
    let mut out = text.to_string();
    for (start, end, new_text) in edits.into_iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

fn received(params: &Value) -> Vec<(String, Value, Value)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap_or_default().to_string(),
                diagnostic["range"]["start"].clone(),
                diagnostic["range"]["end"].clone(),
            )
        })
        .collect()
}

#[test]
fn random_edits_keep_the_server_in_step_with_the_editor() {
    let dir = TempDir::new("fuzz");
    let mut client = Client::spawn(dir.path());
    let mut params = initialize_params("neovim-0.11.4", dir.path());
    params["initializationOptions"] = json!({ "debounceMs": 0, "maxProblems": 0 });
    let result = client.initialize(params);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8", "{result}");
    for seed in 1..=64u64 {
        let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let uri = dir.uri(&format!("page-{seed}.txt"));
        let mut text = random_text(&mut random, 40);
        client.open(&uri, &text);
        let edits = 12 + random.below(12);
        for version in 2..=(edits as i64 + 1) {
            let start = boundary(&mut random, &text);
            let end = start + boundary(&mut random, &text[start..]).min(24);
            let mut end = end.min(text.len());
            while !text.is_char_boundary(end) || (text[..end].ends_with('\r') && text[end..].starts_with('\n')) {
                end -= 1;
            }
            let pieces = random.below(5);
            let inserted = random_text(&mut random, pieces);
            let index = LineIndex::new(&text);
            let range = json!({ "start": lsp_position(&index, &text, start), "end": lsp_position(&index, &text, end) });
            client.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": inserted }],
                }),
            );
            text.replace_range(start..end, &inserted);
            if random.below(4) == 0 {
                let at = boundary(&mut random, &text);
                let position = lsp_position(&LineIndex::new(&text), &text, at);
                let hover = client.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": position }));
                assert!(hover.get("error").is_none(), "seed {seed}: hover failed: {hover}");
            }
        }
        let last = edits as i64 + 1;
        let published = client.diagnostics(&uri, |params| params["version"] == last);
        assert_eq!(received(&published), expected(&text), "seed {seed}: the server's page drifted from {text:?}");
        // Formatting is the core's fixer with the layout rules, on the same text.
        let formatting = client.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
        );
        let formatted = apply(&text, &formatting["result"]);
        let fixed =
            fix_page(&text, &Config::with_defaults(), &FixRequest { options: FixOptions::layout_only(), ..FixRequest::default() }).text;
        assert_eq!(formatted, fixed, "seed {seed}: formatting differs from the core's fixer on {text:?}");
        client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }
    assert!(!client.stderr().contains("panicked"), "{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}
