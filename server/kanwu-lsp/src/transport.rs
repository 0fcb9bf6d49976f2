//! A guard in front of the protocol library's framing.
//!
//! `tower-lsp-server` stops reading its input after the first frame it cannot decode (its framed
//! reader ends on a decoder error), so one malformed message would end the session. This module
//! reads the frames itself: a frame whose body is not JSON is answered with a parse error, a JSON
//! body that is not a JSON-RPC message with an invalid-request error, and garbage between frames
//! is skipped; only valid messages reach the library. Its output is parsed back into whole frames
//! so that these error responses never land inside another message.
//!
//! After anything malformed (a header line that is not a header, a length that is not a number or
//! is over [`MAX_FRAME`], a header block that never ends, a body that is not JSON) the reader
//! resynchronises on the next `Content-Length:` in the input, wherever it starts: at the start of a
//! line, in the middle of one, or glued to the end of the garbage. So a malformed frame costs one
//! parse error and never the valid frame that follows it.

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// The largest message accepted (a 2 MB page is about 6 MB of JSON with escapes).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// The longest header block accepted: real clients send one or two short header lines.
const MAX_HEADER: usize = 16 * 1024;

/// The header the reader resynchronises on, in lower case (matched case-insensitively).
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// How many bytes are read from the input at a time.
const READ_CHUNK: usize = 1 << 16;

/// At most this much of a stretch of garbage is kept to be logged.
const GARBAGE_SHOWN: usize = 80;

/// What one read from a stream of frames gave.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// Bytes that do not make a frame (the start of them, for the log); the reader skips them up
    /// to the next `Content-Length:`.
    Garbage(String),
    Eof,
}

/// Reads `Content-Length` frames from a byte stream, resynchronising after malformed input.
pub struct FrameReader<R> {
    input: R,
    /// Bytes read but not yet consumed: `buffer[start..]`.
    buffer: Vec<u8>,
    start: usize,
    /// The input has ended.
    ended: bool,
    /// Malformed input was seen: skip to the next `Content-Length:` before reading headers.
    resyncing: bool,
}

/// What the header block at the start of the buffered input says.
enum Headers {
    /// A complete header block of `len` bytes announcing a body of `length` bytes.
    Complete { len: usize, length: usize },
    /// Only blank lines so far, `len` bytes of them (skipped between frames).
    Blank { len: usize },
    /// Not a header block.
    Malformed,
    /// More input is needed to tell.
    Incomplete,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader { input, buffer: Vec::with_capacity(READ_CHUNK), start: 0, ended: false, resyncing: false }
    }

    /// The bytes read but not yet consumed.
    fn pending(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, count: usize) {
        self.start += count;
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
    }

    /// Reads more input into the buffer; false at the end of the input.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        if self.start > 0 && self.start * 2 >= self.buffer.len() {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        let before = self.buffer.len();
        self.buffer.resize(before + READ_CHUNK, 0);
        let read = self.input.read(&mut self.buffer[before..]).await;
        let count = *read.as_ref().unwrap_or(&0);
        self.buffer.truncate(before + count);
        read?;
        if count == 0 {
            self.ended = true;
        }
        Ok(count > 0)
    }

    /// Reads the next frame: header lines up to an empty line, then `Content-Length` bytes.
    pub async fn next_frame(&mut self) -> std::io::Result<Frame> {
        loop {
            if self.resyncing && !self.skip_to_content_length().await? {
                return Ok(Frame::Eof);
            }
            self.resyncing = false;
            match parse_headers(self.pending()) {
                Headers::Complete { len, length } => {
                    self.consume(len);
                    return self.read_body(length).await;
                }
                Headers::Blank { len } => self.consume(len),
                Headers::Malformed => return Ok(self.malformed()),
                Headers::Incomplete => {
                    if !self.fill().await? {
                        // The input ended inside a header block: what is left is garbage.
                        if self.pending().iter().all(u8::is_ascii_whitespace) {
                            return Ok(Frame::Eof);
                        }
                        return Ok(self.malformed());
                    }
                }
            }
        }
    }

    /// Reports the malformed input at the start of the buffer and arranges to skip past it.
    fn malformed(&mut self) -> Frame {
        let shown = &self.pending()[..self.pending().len().min(GARBAGE_SHOWN)];
        let garbage = String::from_utf8_lossy(shown).into_owned();
        // Skip at least one byte, so that a malformed `Content-Length:` header is not found again.
        self.consume(1.min(self.pending().len()));
        self.resyncing = true;
        Frame::Garbage(garbage)
    }

    /// Drops input up to the next `Content-Length:` (case-insensitive), wherever it starts; false
    /// when the input ends first.
    async fn skip_to_content_length(&mut self) -> std::io::Result<bool> {
        loop {
            match find_content_length(self.pending()) {
                Some(at) => {
                    self.consume(at);
                    return Ok(true);
                }
                None => {
                    // Keep only a tail that may be the start of the header, cut by the read.
                    let keep = CONTENT_LENGTH.len() - 1;
                    let drop = self.pending().len().saturating_sub(keep);
                    self.consume(drop);
                    if !self.fill().await? {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Reads a body of `length` bytes (growing the buffer as bytes arrive, not all at once).
    async fn read_body(&mut self, length: usize) -> std::io::Result<Frame> {
        let buffered = self.pending().len().min(length);
        let mut body = self.pending()[..buffered].to_vec();
        self.consume(buffered);
        if body.len() < length {
            (&mut self.input).take((length - body.len()) as u64).read_to_end(&mut body).await?;
            if body.len() < length {
                self.ended = true;
                return Ok(Frame::Eof);
            }
        }
        Ok(Frame::Body(body))
    }

    /// After a body that is not JSON, resynchronises on the next `Content-Length:` after the
    /// body's first byte, looking inside the body too: a frame whose length ran into the next frame
    /// (even into the middle of its header) then loses only itself.
    pub fn resync_in_body(&mut self, body: &[u8]) {
        let inside = body.get(1..).unwrap_or_default();
        let (rest, resyncing) = match find_content_length(inside) {
            Some(at) => (&inside[at..], false),
            // Only the body's tail can be the start of a header that goes on after it.
            None => (&inside[inside.len().saturating_sub(CONTENT_LENGTH.len() - 1)..], true),
        };
        let mut buffer = rest.to_vec();
        buffer.extend_from_slice(self.pending());
        self.buffer = buffer;
        self.start = 0;
        self.resyncing = resyncing;
    }
}

/// Where `content-length:` (in any case) first starts in `bytes`.
fn find_content_length(bytes: &[u8]) -> Option<usize> {
    bytes.windows(CONTENT_LENGTH.len()).position(|window| window.eq_ignore_ascii_case(CONTENT_LENGTH))
}

/// How many bytes of empty lines (`\n` or `\r\n`) start `bytes`.
fn leading_blank_lines(bytes: &[u8]) -> usize {
    let mut at = 0;
    loop {
        if bytes[at..].starts_with(b"\n") {
            at += 1;
        } else if bytes[at..].starts_with(b"\r\n") {
            at += 2;
        } else {
            return at;
        }
    }
}

/// Whether `partial`, the start of a line not yet ended, may still become a header line that
/// [`parse_headers`] accepts (so more input is worth waiting for).
fn could_start_header(partial: &[u8]) -> bool {
    if partial == b"\r" {
        return true;
    }
    let (name, value) = match partial.iter().position(|&byte| byte == b':') {
        Some(colon) => (&partial[..colon], Some(&partial[colon + 1..])),
        None => (partial, None),
    };
    let name = name.trim_ascii_start();
    let trimmed = name.trim_ascii_end();
    let is_length = trimmed.eq_ignore_ascii_case(b"content-length");
    let is_type = trimmed.eq_ignore_ascii_case(b"content-type");
    match value {
        // A name still being typed, or a whole name followed by spaces before its colon.
        None if trimmed.len() < name.len() => is_length || is_type,
        None => [&b"content-length"[..], b"content-type"]
            .iter()
            .any(|full| name.len() <= full.len() && name.eq_ignore_ascii_case(&full[..name.len()])),
        Some(value) if is_length => {
            let value = value.strip_suffix(b"\r").unwrap_or(value);
            value.iter().all(|byte| byte.is_ascii_digit() || *byte == b' ' || *byte == b'\t')
        }
        Some(_) => is_type,
    }
}

/// Reads the header block at the start of `bytes`: `Content-Length` and `Content-Type` lines ended
/// by `\r\n` (or `\n`), then an empty line.
fn parse_headers(bytes: &[u8]) -> Headers {
    let blank = leading_blank_lines(bytes);
    if blank > 0 {
        return Headers::Blank { len: blank };
    }
    let mut at = 0;
    let mut length: Option<usize> = None;
    loop {
        let Some(newline) = bytes[at..].iter().position(|&byte| byte == b'\n') else {
            let partial = &bytes[at..];
            return if bytes.len() <= MAX_HEADER && could_start_header(partial) { Headers::Incomplete } else { Headers::Malformed };
        };
        let line = &bytes[at..at + newline];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += newline + 1;
        if at > MAX_HEADER {
            return Headers::Malformed;
        }
        if line.is_empty() {
            // The end of the headers (the first line is never empty: blank lines were skipped).
            return match length {
                Some(length) => Headers::Complete { len: at, length },
                None => Headers::Malformed,
            };
        }
        let Some(colon) = line.iter().position(|&byte| byte == b':') else { return Headers::Malformed };
        let (name, value) = (line[..colon].trim_ascii(), line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            let digits = !value.is_empty() && value.iter().all(u8::is_ascii_digit);
            match std::str::from_utf8(value).ok().filter(|_| digits).and_then(|value| value.parse::<usize>().ok()) {
                Some(value) if value <= MAX_FRAME && length.is_none() => length = Some(value),
                // Not a number, over the limit (never read that many bytes) or a second length.
                _ => return Headers::Malformed,
            }
        } else if !name.eq_ignore_ascii_case(b"content-type") {
            return Headers::Malformed;
        }
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(code: i64, message: &str, id: Value) -> Vec<u8> {
    let body = json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id });
    frame(&serde_json::to_vec(&body).unwrap_or_default())
}

/// What becomes of one body.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// A JSON-RPC message for the library; `exit` when it is the `exit` notification.
    Pass { exit: bool },
    /// Not JSON at all: answered with this parse error.
    NotJson(Vec<u8>),
    /// JSON that is not a JSON-RPC message: answered with this invalid-request error.
    Invalid(Vec<u8>),
}

/// Checks one body.
fn check(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            eprintln!("kanwu: malformed message ({error}): answered with a parse error");
            return Verdict::NotJson(error_frame(-32700, "Parse error", Value::Null));
        }
    };
    let is_request = serde_json::from_value::<jsonrpc::Request>(value.clone()).is_ok();
    let is_response = !is_request && serde_json::from_value::<jsonrpc::Response>(value.clone()).is_ok();
    if is_request || is_response {
        let exit = is_request && value.get("method").and_then(Value::as_str) == Some("exit") && value.get("id").is_none();
        return Verdict::Pass { exit };
    }
    eprintln!("kanwu: a JSON value that is not a JSON-RPC 2.0 message: answered with an invalid-request error");
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Verdict::Invalid(error_frame(-32600, "Invalid request", id))
}

/// Reads the client's frames from `input`, passes valid ones to `to_server` and sends error
/// responses for the others to `replies`; fires `exited` when the client sends `exit` (the
/// specification asks the server to exit at once, whatever requests are still pending).
pub async fn pump_input<I, W>(input: I, mut to_server: W, replies: mpsc::UnboundedSender<Vec<u8>>, exited: tokio::sync::oneshot::Sender<()>)
where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = FrameReader::new(input);
    loop {
        match reader.next_frame().await {
            Ok(Frame::Body(body)) => match check(&body) {
                Verdict::Pass { exit } => {
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                    if exit {
                        let _ = exited.send(());
                        return;
                    }
                }
                Verdict::NotJson(reply) => {
                    // A length too long for its body ran into the next frame: find that frame.
                    reader.resync_in_body(&body);
                    let _ = replies.send(reply);
                }
                Verdict::Invalid(reply) => {
                    let _ = replies.send(reply);
                }
            },
            Ok(Frame::Garbage(garbage)) => {
                eprintln!("kanwu: skipped bytes that are not a message frame: {garbage:?}");
                let _ = replies.send(error_frame(-32700, "Parse error", Value::Null));
            }
            Ok(Frame::Eof) => break,
            Err(error) => {
                eprintln!("kanwu: reading stdin failed: {error}");
                break;
            }
        }
    }
    let _ = to_server.shutdown().await;
}

/// Reads the library's output frame by frame into `sink`; an empty buffer marks its end.
pub async fn pump_server_output<R: AsyncRead + Unpin>(from_server: R, sink: mpsc::UnboundedSender<Vec<u8>>) {
    let mut reader = FrameReader::new(from_server);
    loop {
        match reader.next_frame().await {
            Ok(Frame::Body(body)) => {
                if sink.send(frame(&body)).is_err() {
                    return;
                }
            }
            Ok(Frame::Garbage(_)) => continue,
            Ok(Frame::Eof) | Err(_) => break,
        }
    }
    let _ = sink.send(Vec::new());
}

/// Writes whole frames (the library's and the error replies) to `output` until the end marker.
pub async fn write_output<O: AsyncWrite + Unpin>(mut output: O, mut frames: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(bytes) = frames.recv().await {
        if bytes.is_empty() {
            break;
        }
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOVER: &[u8] = br#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}"#;

    /// Every frame read from `input` until its end.
    async fn frames_of(input: &[u8]) -> Vec<Frame> {
        let mut reader = FrameReader::new(input);
        let mut frames = Vec::new();
        loop {
            match reader.next_frame().await.unwrap() {
                Frame::Eof => return frames,
                Frame::Body(body) => {
                    if matches!(check(&body), Verdict::NotJson(_)) {
                        reader.resync_in_body(&body);
                    }
                    frames.push(Frame::Body(body));
                }
                other => frames.push(other),
            }
        }
    }

    /// `malformed` followed at once by a valid hover frame gives one garbage report (or one body
    /// that is not JSON) and then the hover, whole.
    async fn hover_survives(malformed: &[u8]) {
        hover_survives_rejections(malformed, 1).await;
    }

    /// Like [`hover_survives`], for input that holds `count` malformed frames.
    async fn hover_survives_rejections(malformed: &[u8], count: usize) {
        let mut input = malformed.to_vec();
        input.extend_from_slice(&frame(HOVER));
        let frames = frames_of(&input).await;
        assert_eq!(frames.last(), Some(&Frame::Body(HOVER.to_vec())), "after {:?}: {frames:?}", String::from_utf8_lossy(malformed));
        let rejected = &frames[..frames.len() - 1];
        assert_eq!(rejected.len(), count, "rejections of {:?}: {rejected:?}", String::from_utf8_lossy(malformed));
        for frame in rejected {
            match frame {
                Frame::Garbage(_) => {}
                Frame::Body(body) => assert!(matches!(check(body), Verdict::NotJson(_)), "{body:?}"),
                Frame::Eof => unreachable!("no end of input before the hover"),
            }
        }
    }

    #[tokio::test]
    async fn reads_frames_and_skips_garbage() {
        let input = b"Content-Length: 2\r\n\r\n{}garbage line\nContent-Length: 3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n[1]";
        let frames = frames_of(input).await;
        assert_eq!(frames.len(), 3, "{frames:?}");
        assert_eq!(frames[0], Frame::Body(b"{}".to_vec()));
        assert!(matches!(frames[1], Frame::Garbage(_)));
        assert_eq!(frames[2], Frame::Body(b"[1]".to_vec()));
    }

    #[tokio::test]
    async fn blank_lines_between_frames_and_lower_case_headers_are_accepted() {
        let input = [&b"\r\n\n"[..], b"content-length: 2\n\n{}", b"\r\n", b"CONTENT-LENGTH:3\r\n\r\n[1]"].concat();
        assert_eq!(frames_of(&input).await, vec![Frame::Body(b"{}".to_vec()), Frame::Body(b"[1]".to_vec())]);
    }

    #[tokio::test]
    async fn a_length_that_is_not_a_number_followed_by_a_glued_frame() {
        hover_survives(b"Content-Length: abc\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}").await;
        hover_survives(b"Content-Length: -5\r\n\r\n{}").await;
        hover_survives(b"Content-Length: +5\r\n\r\n{}").await;
        hover_survives(b"Content-Length: \r\n\r\n").await;
    }

    #[tokio::test]
    async fn a_missing_header_terminator() {
        // The body follows the length line directly: the next frame's header is glued to it.
        hover_survives(b"Content-Length: 10\r\n{\"a\":1234}").await;
        // No empty line at all, and a header block that never ends in a blank line.
        hover_survives(b"Content-Length: 10\r\nContent-Type: x\r\n").await;
        hover_survives(b"Content-Type: x\r\n\r\n{}").await;
        // Two lengths in one header block: the block is rejected, then the frame the second length
        // starts, whose length runs one byte into the hover's header.
        hover_survives_rejections(b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 2).await;
    }

    #[tokio::test]
    async fn a_length_over_the_limit_is_never_read() {
        let over = format!("Content-Length: {}\r\n\r\n{{}}", MAX_FRAME + 1);
        hover_survives(over.as_bytes()).await;
        hover_survives(b"Content-Length: 99999999999999999999999999\r\n\r\n{}").await;
    }

    #[tokio::test]
    async fn garbage_glued_to_a_header_or_in_mid_line() {
        hover_survives(b"garbage").await;
        hover_survives(b"{\"jsonrpc\":\"2.0\"}\r\n").await;
        // The noise, then the malformed header found in its line: two rejections.
        hover_survives_rejections(b"noise noise Content-Length: abc\n", 2).await;
        hover_survives(&[0xFF, 0xFE, 0x00, b'\n']).await;
        // A stray header name that is not one of the two the protocol defines.
        hover_survives(b"Content-Length: 2\r\nX-Other: 1\r\n\r\n{}").await;
    }

    #[tokio::test]
    async fn a_length_too_long_for_its_body_loses_only_its_own_frame() {
        // The announced length runs into the hover's header, or over all of it; the hover is found
        // inside the body.
        hover_survives(b"Content-Length: 30\r\n\r\n{\"bad\":}").await;
        hover_survives(b"Content-Length: 12\r\n\r\n{\"bad\":}").await;
        // A length too short: the rest of the body is skipped with it.
        hover_survives(b"Content-Length: 3\r\n\r\n{\"bad\":}").await;
    }

    #[tokio::test]
    async fn a_header_cut_by_reads_is_still_found() {
        // Garbage longer than one read chunk, with the header straddling the end of a chunk.
        let mut garbage = vec![b'x'; READ_CHUNK - 5];
        garbage.extend_from_slice(b"\n");
        let (client, server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            let mut client = client;
            let mut input = garbage;
            input.extend_from_slice(&frame(HOVER));
            for piece in input.chunks(7) {
                client.write_all(piece).await.unwrap();
            }
        });
        let mut reader = FrameReader::new(server);
        assert!(matches!(reader.next_frame().await.unwrap(), Frame::Garbage(_)));
        assert_eq!(reader.next_frame().await.unwrap(), Frame::Body(HOVER.to_vec()));
        writer.await.unwrap();
        assert_eq!(reader.next_frame().await.unwrap(), Frame::Eof);
    }

    #[tokio::test]
    async fn input_ending_inside_a_frame() {
        assert_eq!(frames_of(b"").await, vec![]);
        assert_eq!(frames_of(b"\r\n").await, vec![]);
        assert!(matches!(frames_of(b"Content-Length: 5\r\n").await[..], [Frame::Garbage(_)]));
        assert_eq!(frames_of(b"Content-Length: 5\r\n\r\n{}").await, vec![]);
    }

    #[test]
    fn checks_bodies() {
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#), Verdict::Pass { exit: false });
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"exit"}"#), Verdict::Pass { exit: true });
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"x"}"#), Verdict::Pass { exit: false });
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), Verdict::Pass { exit: false });
        let Verdict::NotJson(parse) = check(b"{bad") else { panic!("not JSON") };
        let parse = String::from_utf8(parse).unwrap();
        assert!(parse.contains("-32700"), "{parse}");
        let Verdict::Invalid(invalid) = check(br#"{"id":7,"method":3}"#) else { panic!("not JSON-RPC") };
        let invalid = String::from_utf8(invalid).unwrap();
        assert!(invalid.contains("-32600") && invalid.contains(r#""id":7"#), "{invalid}");
    }
}
