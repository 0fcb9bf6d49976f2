//! A small LSP test client: spawns `kanwu serve --stdio`, exchanges real `Content-Length` frames,
//! answers the server's requests, and checks that nothing but protocol appears on stdout.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for a message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A temporary folder removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("kanwu-lsp-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path.canonicalize().unwrap())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn uri(&self, relative: &str) -> String {
        file_uri(&self.0.join(relative))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `file://` URI for an absolute path (percent-encoding what URIs do not allow raw).
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(byte as char),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}

/// The recorded initialize request of an editor, from `tests/lsp/initialize/`.
pub fn recorded_initialize(editor: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/lsp/initialize").join(format!("{editor}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The params of a recorded initialize request, pointed at `root`.
pub fn initialize_params(editor: &str, root: &Path) -> Value {
    let mut params = recorded_initialize(editor)["params"].clone();
    let uri = file_uri(root);
    params["processId"] = json!(std::process::id());
    params["rootUri"] = json!(uri);
    params["rootPath"] = json!(root.to_string_lossy());
    params["workspaceFolders"] = json!([{ "uri": uri, "name": "ws" }]);
    params
}

enum Incoming {
    Message(Box<Message>),
    Violation(String),
    Closed,
}

/// One message from the server, kept as its raw body and parsed in full only when looked at: the
/// head (method, id, and for `publishDiagnostics` the uri, version and number of diagnostics) is
/// read as the frame arrives, without building a tree of the rest.
pub struct Message {
    body: Vec<u8>,
    /// When the last byte of the frame was read (before any parsing).
    pub received: Instant,
    head: Head,
    value: std::cell::OnceCell<Value>,
}

impl Message {
    pub fn method(&self) -> Option<&str> {
        self.head.method.as_deref()
    }

    /// The id of a response or of a server request.
    pub fn id(&self) -> Option<&Value> {
        self.head.id.as_ref()
    }

    /// `params.uri`, when the params are an object holding a string `uri`.
    pub fn uri(&self) -> Option<&str> {
        self.head.params.uri.as_deref()
    }

    /// `params.version`, when the params are an object holding a numeric `version`.
    pub fn version(&self) -> Option<i64> {
        self.head.params.version
    }

    /// The length of `params.diagnostics`, when the params hold that array.
    pub fn diagnostic_count(&self) -> Option<usize> {
        self.head.params.diagnostics
    }

    /// The size of the body in bytes.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// The whole message, parsed on first use.
    pub fn value(&self) -> &Value {
        self.value.get_or_init(|| serde_json::from_slice(&self.body).expect("checked when read"))
    }

    pub fn into_value(self) -> Value {
        self.value();
        self.value.into_inner().unwrap()
    }

    fn is_response(&self, id: i64) -> bool {
        self.head.method.is_none() && self.head.id.as_ref().and_then(Value::as_i64) == Some(id)
    }

    fn is_publish(&self, uri: &str) -> bool {
        self.method() == Some("textDocument/publishDiagnostics") && self.uri() == Some(uri)
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(&self.body[..self.body.len().min(2000)]))
    }
}

/// The parts of a message read as it arrives; everything else is skipped without allocating.
#[derive(Default, serde::Deserialize)]
struct Head {
    #[serde(default)]
    jsonrpc: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    params: HeadParams,
}

/// `uri`, `version` and the number of `diagnostics` of params that are an object; nothing of
/// params of another shape.
#[derive(Default)]
struct HeadParams {
    uri: Option<String>,
    version: Option<i64>,
    diagnostics: Option<usize>,
}

impl<'de> serde::Deserialize<'de> for HeadParams {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<HeadParams, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Count(usize);
        impl<'de> serde::Deserialize<'de> for Count {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Count, D::Error> {
                struct CountVisitor;
                impl<'de> Visitor<'de> for CountVisitor {
                    type Value = Count;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("any value")
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                        let mut n = 0;
                        while seq.next_element::<IgnoredAny>()?.is_some() {
                            n += 1;
                        }
                        Ok(Count(n))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                        Ok(Count(0))
                    }
                    fn visit_unit<E>(self) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                    fn visit_bool<E>(self, _: bool) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                    fn visit_i64<E>(self, _: i64) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                    fn visit_u64<E>(self, _: u64) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                    fn visit_f64<E>(self, _: f64) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                    fn visit_str<E>(self, _: &str) -> Result<Count, E> {
                        Ok(Count(0))
                    }
                }
                deserializer.deserialize_any(CountVisitor)
            }
        }
        struct ParamsVisitor;
        impl<'de> Visitor<'de> for ParamsVisitor {
            type Value = HeadParams;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeadParams, A::Error> {
                let mut params = HeadParams::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "uri" => params.uri = map.next_value::<Value>()?.as_str().map(str::to_string),
                        "version" => params.version = map.next_value::<Value>()?.as_i64(),
                        "diagnostics" => params.diagnostics = Some(map.next_value::<Count>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(params)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeadParams, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(HeadParams::default())
            }
            fn visit_unit<E>(self) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<HeadParams, E> {
                Ok(HeadParams::default())
            }
        }
        deserializer.deserialize_any(ParamsVisitor)
    }
}

/// A running server and the client side of its stdio.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Incoming>,
    next_id: i64,
    /// Notifications and server requests received but not yet looked at (unparsed).
    backlog: VecDeque<Message>,
    /// Every request the server sent, in order (other messages are not kept).
    pub log: Vec<Value>,
    /// The `kanwu` section returned to `workspace/configuration`.
    pub settings: Arc<Mutex<Value>>,
    /// The server's requests seen so far (method names).
    pub server_requests: Vec<String>,
    violations: Vec<String>,
    stderr: Arc<Mutex<String>>,
    closed: bool,
}

impl Client {
    /// Starts `kanwu serve --stdio` in `cwd`.
    pub fn spawn(cwd: &Path) -> Client {
        Client::spawn_with_env(cwd, &[])
    }

    /// Starts `kanwu serve --stdio` in `cwd` with extra environment variables.
    pub fn spawn_with_env(cwd: &Path, env: &[(&str, &Path)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kanwu"))
            .args(["serve", "--stdio"])
            .envs(env.iter().map(|(name, value)| (*name, *value)))
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kanwu serve");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let (sender, incoming) = mpsc::channel();
        std::thread::spawn(move || read_frames(stdout, sender));
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            backlog: VecDeque::new(),
            log: Vec::new(),
            settings: Arc::new(Mutex::new(Value::Null)),
            server_requests: Vec::new(),
            violations: Vec::new(),
            stderr,
            closed: false,
        }
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes raw bytes to the server's stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend(body);
        self.send_raw(&frame);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        let what = format!("response {id}");
        match self.wait_message(|message| message.is_response(id), TIMEOUT) {
            Some(message) => message.into_value(),
            None => panic!("timed out waiting for {what}; backlog: {:#?}\nstderr:\n{}", self.backlog, self.stderr()),
        }
    }

    /// Sends a request and returns its `result`, failing on an error response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The next message that satisfies `matches`, answering server requests while waiting.
    pub fn wait(&mut self, matches: impl Fn(&Value) -> bool, what: &str) -> Value {
        match self.wait_for(matches, TIMEOUT) {
            Some(message) => message,
            None => panic!("timed out waiting for {what}; backlog: {:#?}\nstderr:\n{}", self.backlog, self.stderr()),
        }
    }

    /// Like `wait`, but gives up after `timeout` and returns `None`.
    pub fn wait_for(&mut self, matches: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        self.wait_message(|message| matches(message.value()), timeout).map(Message::into_value)
    }

    /// The next message satisfying `matches`, which sees the message unparsed (it may parse it
    /// with `Message::value`); gives up after `timeout`.
    pub fn wait_message(&mut self, matches: impl Fn(&Message) -> bool, timeout: Duration) -> Option<Message> {
        if let Some(position) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(position);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            match self.next_message(left) {
                Some(message) if matches(&message) => return Some(message),
                Some(message) => self.backlog.push_back(message),
                None => return None,
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` satisfying `matches`.
    pub fn diagnostics(&mut self, uri: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let found = self.wait_message(|message| message.is_publish(uri) && matches(&message.value()["params"]), TIMEOUT);
        match found {
            Some(message) => message.into_value()["params"].take(),
            None => panic!("timed out waiting for diagnostics of {uri}; backlog: {:#?}\nstderr:\n{}", self.backlog, self.stderr()),
        }
    }

    /// The next `publishDiagnostics` for `uri` whose version satisfies `matches`, unparsed.
    pub fn published(&mut self, uri: &str, matches: impl Fn(i64) -> bool, timeout: Duration) -> Option<Message> {
        self.wait_message(|message| message.is_publish(uri) && message.version().is_some_and(&matches), timeout)
    }

    /// Drops the queued `publishDiagnostics` notifications.
    pub fn drain_diagnostics(&mut self) {
        self.backlog.retain(|message| message.method() != Some("textDocument/publishDiagnostics"));
    }

    /// One message, answering it first when it is a server request.
    fn next_message(&mut self, timeout: Duration) -> Option<Message> {
        let message = match self.incoming.recv_timeout(timeout) {
            Ok(Incoming::Message(message)) => *message,
            Ok(Incoming::Violation(violation)) => {
                self.violations.push(violation.clone());
                panic!("protocol violation on stdout: {violation}");
            }
            Ok(Incoming::Closed) => {
                self.closed = true;
                return None;
            }
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                return None;
            }
        };
        if let (Some(id), Some(method)) = (message.id().cloned(), message.method().map(str::to_string)) {
            let method = method.as_str();
            self.log.push(message.value().clone());
            self.server_requests.push(method.to_string());
            let result = match method {
                "workspace/configuration" => {
                    let settings = self.settings.lock().unwrap().clone();
                    let count = message.value()["params"]["items"].as_array().map_or(1, Vec::len);
                    json!(vec![settings; count])
                }
                _ => Value::Null,
            };
            let reply = json!({ "jsonrpc": "2.0", "id": id, "result": result });
            if self.stdin.is_some() {
                self.send(&reply);
            }
        }
        Some(message)
    }

    /// Initializes with the given params and sends `initialized`; returns the result.
    pub fn initialize(&mut self, params: Value) -> Value {
        let result = self.call("initialize", params);
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1, "text": text } }),
        );
    }

    /// Sends `shutdown` then `exit` and returns the exit status.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        assert!(response.get("error").is_none());
        self.notify("exit", Value::Null);
        self.finish()
    }

    /// Waits for the process to end and checks stdout carried only protocol.
    pub fn finish(mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "server did not exit; stderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(10));
        };
        // Read what is left on stdout: it must all be well-formed frames.
        while let Some(message) = self.next_message(Duration::from_secs(5)) {
            self.backlog.push_back(message);
        }
        assert!(self.violations.is_empty(), "{:?}", self.violations);
        status
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads frames from the server's stdout; anything that is not a frame is a violation.
fn read_frames(stdout: impl Read, sender: mpsc::Sender<Incoming>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        let mut header = String::new();
        loop {
            header.clear();
            match reader.read_line(&mut header) {
                Ok(0) => {
                    let _ = sender.send(Incoming::Closed);
                    return;
                }
                Ok(_) => {}
                Err(error) => {
                    let _ = sender.send(Incoming::Violation(format!("read error: {error}")));
                    return;
                }
            }
            if header == "\r\n" {
                break;
            }
            let Some(line) = header.strip_suffix("\r\n") else {
                let _ = sender.send(Incoming::Violation(format!("header line without CRLF: {header:?}")));
                return;
            };
            match line.split_once(": ") {
                Some((name, value)) if name.eq_ignore_ascii_case("Content-Length") => match value.parse::<usize>() {
                    Ok(value) => length = Some(value),
                    Err(_) => {
                        let _ = sender.send(Incoming::Violation(format!("bad Content-Length: {line:?}")));
                        return;
                    }
                },
                Some((name, _)) if name.eq_ignore_ascii_case("Content-Type") => {}
                _ => {
                    let _ = sender.send(Incoming::Violation(format!("not a header: {line:?}")));
                    return;
                }
            }
        }
        let Some(length) = length else {
            let _ = sender.send(Incoming::Violation("frame without Content-Length".to_string()));
            return;
        };
        let mut body = vec![0; length];
        if let Err(error) = reader.read_exact(&mut body) {
            let _ = sender.send(Incoming::Violation(format!("truncated body: {error}")));
            return;
        }
        let received = Instant::now();
        match serde_json::from_slice::<Head>(&body) {
            Ok(head) if head.jsonrpc.as_deref() == Some("2.0") => {
                let message = Message { body, received, head, value: std::cell::OnceCell::new() };
                if sender.send(Incoming::Message(Box::new(message))).is_err() {
                    return;
                }
            }
            _ => {
                let _ = sender.send(Incoming::Violation(format!("body is not JSON-RPC 2.0: {}", String::from_utf8_lossy(&body))));
                return;
            }
        }
    }
}

/// Replaces volatile parts of a JSON value (the workspace path, result ids) for snapshots.
pub fn normalize(value: &Value, root: &Path) -> Value {
    let text = serde_json::to_string(value).unwrap();
    let uri = file_uri(root);
    let text = text.replace(&uri, "file:///WORKSPACE").replace(&*root.to_string_lossy(), "/WORKSPACE");
    serde_json::from_str(&text).unwrap()
}

/// Applies LSP text edits (UTF-16 or another encoding's columns) to `text`.
pub fn apply_edits(text: &str, edits: &Value, encoding: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            let start = offset(text, &edit["range"]["start"], encoding);
            let end = offset(text, &edit["range"]["end"], encoding);
            (start, end, edit["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort_by_key(|edit| (edit.0, edit.1));
    let mut out = text.to_string();
    for (start, end, new_text) in edits.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// The byte offset of an LSP position in `text`.
pub fn offset(text: &str, position: &Value, encoding: &str) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |newline| start + newline);
    let mut units = 0;
    for (index, c) in text[start..end].char_indices() {
        if units >= character {
            return start + index;
        }
        units += match encoding {
            "utf-8" => c.len_utf8(),
            "utf-32" => 1,
            _ => c.len_utf16(),
        };
    }
    end
}

/// The LSP position of a byte offset of `text`.
pub fn position(text: &str, offset: usize, encoding: &str) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let character: usize = text[line_start..offset]
        .chars()
        .map(|c| match encoding {
            "utf-8" => c.len_utf8(),
            "utf-32" => 1,
            _ => c.len_utf16(),
        })
        .sum();
    json!({ "line": line, "character": character })
}
