//! End-to-end tests of what the server may read and write, through the real `kanwu serve` binary:
//! commands never write outside the workspace folders (whatever their arguments say, or through a
//! symlinked sidecar), glossary files outside the workspace are refused on `kanwu.toml`, pipes never
//! freeze the server, and the built-in glossary copy lands in the user's private cache folder.

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use support::{file_uri, initialize_params, position, Client, TempDir};

/// A page with a stray space between Han characters (a `cjk-space` diagnostic at least).
const PAGE: &str = "志愿小队本周走访 居民家中。\n";

/// Starts a server on the workspace folder `ws` (a push client: Neovim), with `options` as its
/// initialization options.
fn start(ws: &Path, cwd: &Path, options: Value) -> Client {
    let mut client = Client::spawn(cwd);
    let mut params = initialize_params("neovim-0.11.4", ws);
    params["initializationOptions"] = options;
    client.initialize(params);
    client
}

/// The first diagnostic pushed for `uri`.
fn first_diagnostic(client: &mut Client, uri: &str) -> Value {
    let params = client.diagnostics(uri, |params| !params["diagnostics"].as_array().unwrap().is_empty());
    params["diagnostics"][0].clone()
}

/// The code action whose command is `command`, offered for `diagnostic`.
fn action_with_command(client: &mut Client, uri: &str, diagnostic: &Value, command: &str) -> Option<Value> {
    let actions = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
    );
    actions.as_array()?.iter().find(|action| action["command"]["command"] == command).cloned()
}

/// Runs a command and returns the whole reply.
fn execute(client: &mut Client, command: &str, argument: Value) -> Value {
    client.request("workspace/executeCommand", json!({ "command": command, "arguments": [argument] }))
}

/// Whether a `window/showMessage` error arrived.
fn error_shown(client: &mut Client) -> bool {
    client.wait_for(|message| message["method"] == "window/showMessage" && message["params"]["type"] == 1, Duration::from_secs(5)).is_some()
}

#[cfg(unix)]
#[test]
fn a_symlinked_sidecar_is_never_written_through() {
    let base = TempDir::new("sidecar-link");
    let ws = base.path().join("ws");
    let outside = base.write("other/file.toml", "# someone else's file\n");
    base.write("ws/page.txt", PAGE);
    std::fs::create_dir_all(ws.join(".kanwu")).unwrap();
    std::os::unix::fs::symlink(&outside, ws.join(".kanwu/ignored.toml")).unwrap();
    let mut client = start(&ws, &ws, json!({ "debounceMs": 0 }));
    let uri = file_uri(&ws.join("page.txt"));
    client.open(&uri, PAGE);
    let diagnostic = first_diagnostic(&mut client, &uri);
    let action = action_with_command(&mut client, &uri, &diagnostic, "kanwu.ignoreOccurrence").expect("ignore this occurrence is offered");
    let reply = client.request("workspace/executeCommand", action["command"].clone());
    assert!(reply.get("error").is_some(), "the client gets an error: {reply}");
    assert!(error_shown(&mut client), "the refusal is shown to the user");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "# someone else's file\n", "the file outside is unchanged");
    assert!(std::fs::symlink_metadata(ws.join(".kanwu/ignored.toml")).unwrap().file_type().is_symlink());
    // A dangling link leading outside is refused too, and creates nothing there.
    std::fs::remove_file(ws.join(".kanwu/ignored.toml")).unwrap();
    let target = base.path().join("other/new.toml");
    std::os::unix::fs::symlink(&target, ws.join(".kanwu/ignored.toml")).unwrap();
    let reply = client.request("workspace/executeCommand", action["command"].clone());
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(!target.exists(), "nothing is created outside");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn commands_never_write_where_their_arguments_point() {
    let base = TempDir::new("command-args");
    let ws = base.path().join("ws");
    let cwd = base.path().join("cwd");
    let outside = base.path().join("outside");
    base.write("ws/page.txt", PAGE);
    base.write("outside/page.txt", PAGE);
    std::fs::create_dir_all(&cwd).unwrap();
    let mut client = start(&ws, &cwd, json!({ "debounceMs": 0 }));
    client.open(&file_uri(&ws.join("page.txt")), PAGE);
    // A path of the client's choosing: refused (the command takes the page's URI, not a path).
    let pwned = outside.join("pwned.txt");
    let reply = execute(&mut client, "kanwu.addToGlossary", json!({ "path": pwned, "term": "校稿会" }));
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(!pwned.exists());
    // A root of the client's choosing, absolute or relative to the server's working directory.
    let reply = execute(&mut client, "kanwu.ignoreWord", json!({ "root": outside, "word": "层层", "write": true }));
    assert!(reply.get("error").is_some(), "{reply}");
    let reply = execute(&mut client, "kanwu.ignoreWord", json!({ "root": "relative", "word": "层层", "write": true }));
    assert!(reply.get("error").is_some(), "{reply}");
    // The URI of a page outside every workspace folder: refused, and shown.
    let outside_page = file_uri(&outside.join("page.txt"));
    let reply = execute(&mut client, "kanwu.ignoreWord", json!({ "uri": outside_page, "word": "层层", "write": true }));
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(error_shown(&mut client));
    let reply = execute(&mut client, "kanwu.addToGlossary", json!({ "uri": outside_page, "term": "校稿会" }));
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(!outside.join("kanwu.toml").exists(), "no kanwu.toml outside");
    assert!(!outside.join("glossary.toml").exists(), "no glossary outside");
    assert!(!cwd.join("relative").exists() && !cwd.join("kanwu.toml").exists(), "nothing relative to the working directory");
    // A page outside every workspace folder gets no write actions.
    client.open(&outside_page, PAGE);
    let diagnostic = first_diagnostic(&mut client, &outside_page);
    assert_eq!(action_with_command(&mut client, &outside_page, &diagnostic, "kanwu.ignoreOccurrence"), None);
    assert_eq!(action_with_command(&mut client, &outside_page, &diagnostic, "kanwu.ignoreWord"), None);
    // The same command for a page inside does write, inside.
    let reply = execute(&mut client, "kanwu.ignoreWord", json!({ "uri": file_uri(&ws.join("page.txt")), "word": "层层", "write": true }));
    assert!(reply.get("error").is_none(), "{reply}");
    assert!(std::fs::read_to_string(ws.join("kanwu.toml")).unwrap().contains("层层"));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_glossary_file_named_outside_the_workspace_is_never_created() {
    let base = TempDir::new("glossary-outside-write");
    let ws = base.path().join("ws");
    let target = base.path().join("out/new.toml");
    std::fs::create_dir_all(base.path().join("out")).unwrap();
    base.write("ws/kanwu.toml", format!("[glossary]\nfiles = [\"{}\"]\n", target.display()));
    let text = "编辑部召开网上评稿会。\n";
    base.write("ws/page.txt", text);
    let mut client = start(&ws, &ws, json!({ "debounceMs": 0 }));
    let uri = file_uri(&ws.join("page.txt"));
    client.open(&uri, text);
    let range =
        json!({ "start": position(text, text.find("网上").unwrap(), "utf-8"), "end": position(text, text.find("。").unwrap(), "utf-8") });
    let actions = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [], "only": ["refactor"] } }),
    );
    assert!(actions.is_null() || actions.as_array().unwrap().is_empty(), "no Add to glossary into a file outside: {actions}");
    let reply = execute(&mut client, "kanwu.addToGlossary", json!({ "uri": uri, "term": "网上评稿会" }));
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(!target.exists(), "nothing is created outside");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn glossary_files_outside_the_workspace_are_refused_on_kanwu_toml() {
    let base = TempDir::new("glossary-outside-read");
    let ws = base.path().join("ws");
    let secret = base.write(
        "outside/secret.toml",
        "[[term]]\nterm = \"密会稿\"\ncategory = \"practice\"\ndefinition = \"不该读到的定义。\"\nenglish = \"secret\"\n",
    );
    let toml = "[glossary]\nfiles = [\"../outside/secret.toml\", \"missing.toml\"]\n";
    base.write("ws/kanwu.toml", toml);
    let text = "今天开密会稿。\n";
    base.write("ws/page.txt", text);
    let mut client = start(&ws, &ws, json!({ "debounceMs": 0 }));
    let uri = file_uri(&ws.join("page.txt"));
    client.open(&uri, text);
    let toml_uri = file_uri(&ws.join("kanwu.toml"));
    let published = client.diagnostics(&toml_uri, |params| params["diagnostics"].as_array().unwrap().len() == 2);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    let column = toml.lines().nth(1).unwrap().find("\"../outside").unwrap();
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 1, "character": column }), "{published}");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("outside the workspace"), "{published}");
    assert_eq!(diagnostics[1]["severity"], 2, "a missing named file is a warning");
    assert!(diagnostics[1]["message"].as_str().unwrap().contains("missing.toml"));
    let hovered = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(text, text.find("密会稿").unwrap(), "utf-8") }),
    );
    assert!(hovered.is_null(), "the file outside is not read: {hovered}");
    assert!(client.stderr().contains("outside the workspace"), "logged to stderr");
    let secret_uri = file_uri(&secret);
    assert!(
        client.wait_for(|message| message["params"]["uri"] == secret_uri.as_str(), Duration::from_millis(500)).is_none(),
        "nothing is published for the file outside"
    );
    assert!(client.shutdown_and_exit().success());
    // Allowed in the user's own settings, it is read.
    let mut client = start(&ws, &ws, json!({ "debounceMs": 0, "allowOutside": [base.path().join("outside")] }));
    client.open(&uri, text);
    let hovered = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(text, text.find("密会稿").unwrap(), "utf-8") }),
    );
    assert!(hovered["contents"]["value"].as_str().unwrap_or("").contains("不该读到的定义"), "{hovered}\n{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}

#[cfg(unix)]
#[test]
fn pipes_as_sidecar_and_glossary_do_not_freeze_the_server() {
    let dir = TempDir::new("pipes");
    dir.write("kanwu.toml", "[glossary]\nfiles = [\"pipe.toml\"]\n");
    dir.write("page.txt", PAGE);
    std::fs::create_dir_all(dir.path().join(".kanwu")).unwrap();
    for pipe in ["pipe.toml", ".kanwu/ignored.toml"] {
        let status = std::process::Command::new("mkfifo").arg(dir.path().join(pipe)).status().unwrap();
        assert!(status.success(), "mkfifo {pipe}");
    }
    let mut client = start(dir.path(), dir.path(), json!({ "debounceMs": 0 }));
    let uri = dir.uri("page.txt");
    client.open(&uri, PAGE);
    let id = client.send_request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": position(PAGE, 0, "utf-8") }));
    let answered = client.wait_for(|message| message["id"] == id && message.get("method").is_none(), Duration::from_secs(5));
    assert!(answered.is_some(), "the hover is answered; stderr:\n{}", client.stderr());
    let published = client.diagnostics(&dir.uri("kanwu.toml"), |params| !params["diagnostics"].as_array().unwrap().is_empty());
    assert!(published["diagnostics"][0]["message"].as_str().unwrap().contains("named pipe"), "{published}");
    assert!(client.shutdown_and_exit().success());
}

#[cfg(unix)]
#[test]
fn the_built_in_glossary_copy_lands_in_the_private_cache_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("cache");
    let cache = dir.path().join("cache");
    let ws = dir.path().join("ws");
    let text = "两委成员列席。\n";
    dir.write("ws/page.txt", text);
    let definition = |client: &mut Client| {
        let uri = file_uri(&ws.join("page.txt"));
        client.open(&uri, text);
        client.call("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": position(text, 0, "utf-8") }))
    };
    let mut client = Client::spawn_with_env(&ws, &[("XDG_CACHE_HOME", &cache)]);
    client.initialize(initialize_params("vscode-1.139", &ws));
    let location = definition(&mut client);
    assert_eq!(location["uri"], file_uri(&cache.join("kanwu/builtin.toml")), "{location}");
    let mode = std::fs::metadata(cache.join("kanwu")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(client.shutdown_and_exit().success());
    // A cache folder others may enter is refused: no location, and a note on stderr.
    std::fs::set_permissions(cache.join("kanwu"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut client = Client::spawn_with_env(&ws, &[("XDG_CACHE_HOME", &cache)]);
    client.initialize(initialize_params("vscode-1.139", &ws));
    assert!(definition(&mut client).is_null());
    assert!(client.stderr().contains("other users"), "{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}
