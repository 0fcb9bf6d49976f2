//! A guard in front of the protocol library's framing.
//!
//! `tower-lsp-server` stops reading its input after the first frame it cannot decode (its framed
//! reader ends on a decoder error), so one malformed message would end the session. This module
//! reads the frames itself: a frame whose body is not JSON is answered with a parse error, a JSON
//! body that is not a JSON-RPC message with an invalid-request error, and garbage between frames
//! is skipped; only valid messages reach the library. Its output is parsed back into whole frames
//! so that these error responses never land inside another message.

use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// The largest message accepted (a 2 MB page is about 6 MB of JSON with escapes).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// What one read from a stream of frames gave.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// Header lines that do not make a frame (skipped).
    Garbage(String),
    Eof,
}

/// Reads the next frame: header lines up to an empty line, then `Content-Length` bytes.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut garbage = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(Frame::Eof);
        }
        let text = String::from_utf8_lossy(&line);
        let trimmed = text.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if let Some(length) = length {
                let mut body = vec![0; length];
                reader.read_exact(&mut body).await?;
                return Ok(Frame::Body(body));
            }
            if garbage.is_empty() {
                continue;
            }
            return Ok(Frame::Garbage(garbage));
        }
        match trimmed.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => match value.trim().parse::<usize>() {
                Ok(value) if value <= MAX_FRAME => length = Some(value),
                _ => garbage.push_str(trimmed),
            },
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-type") => {}
            _ => {
                // Not a header: give up on this frame and look for the next one.
                garbage.push_str(trimmed);
                return Ok(Frame::Garbage(garbage));
            }
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

/// Checks one body; `Ok` (with whether it is the `exit` notification) when the library can take
/// it, else the error frame to send back.
fn check(body: &[u8]) -> Result<bool, Vec<u8>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            eprintln!("kanwu: malformed message ({error}): answered with a parse error");
            return Err(error_frame(-32700, "Parse error", Value::Null));
        }
    };
    let is_request = serde_json::from_value::<jsonrpc::Request>(value.clone()).is_ok();
    let is_response = !is_request && serde_json::from_value::<jsonrpc::Response>(value.clone()).is_ok();
    if is_request || is_response {
        return Ok(is_request && value.get("method").and_then(Value::as_str) == Some("exit") && value.get("id").is_none());
    }
    eprintln!("kanwu: a JSON value that is not a JSON-RPC 2.0 message: answered with an invalid-request error");
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err(error_frame(-32600, "Invalid request", id))
}

/// Reads the client's frames from `input`, passes valid ones to `to_server` and sends error
/// responses for the others to `replies`; fires `exited` when the client sends `exit` (the
/// specification asks the server to exit at once, whatever requests are still pending).
pub async fn pump_input<I, W>(input: I, mut to_server: W, replies: mpsc::UnboundedSender<Vec<u8>>, exited: tokio::sync::oneshot::Sender<()>)
where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::with_capacity(1 << 16, input);
    loop {
        match read_frame(&mut reader).await {
            Ok(Frame::Body(body)) => match check(&body) {
                Ok(is_exit) => {
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                    if is_exit {
                        let _ = exited.send(());
                        return;
                    }
                }
                Err(reply) => {
                    let _ = replies.send(reply);
                }
            },
            Ok(Frame::Garbage(garbage)) => {
                eprintln!("kanwu: skipped bytes that are not a message header: {:?}", garbage.chars().take(80).collect::<String>());
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
    let mut reader = BufReader::with_capacity(1 << 16, from_server);
    loop {
        match read_frame(&mut reader).await {
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

    #[tokio::test]
    async fn reads_frames_and_skips_garbage() {
        let input = b"Content-Length: 2\r\n\r\n{}garbage line\nContent-Length: 3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n[1]".to_vec();
        let mut reader = BufReader::new(&input[..]);
        assert_eq!(read_frame(&mut reader).await.unwrap(), Frame::Body(b"{}".to_vec()));
        assert!(matches!(read_frame(&mut reader).await.unwrap(), Frame::Garbage(_)));
        assert_eq!(read_frame(&mut reader).await.unwrap(), Frame::Body(b"[1]".to_vec()));
        assert_eq!(read_frame(&mut reader).await.unwrap(), Frame::Eof);
    }

    #[test]
    fn checks_bodies() {
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#), Ok(false));
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"exit"}"#), Ok(true));
        assert!(check(br#"{"jsonrpc":"2.0","method":"x"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        let parse = String::from_utf8(check(b"{bad").unwrap_err()).unwrap();
        assert!(parse.contains("-32700"), "{parse}");
        let invalid = String::from_utf8(check(br#"{"id":7,"method":3}"#).unwrap_err()).unwrap();
        assert!(invalid.contains("-32600") && invalid.contains(r#""id":7"#), "{invalid}");
    }
}
