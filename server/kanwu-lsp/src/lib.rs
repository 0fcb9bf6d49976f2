//! The language server face of Kanwu: converts between LSP and the analysis core.
//!
//! Only this crate knows LSP. `to_proto` and `from_proto` convert at the edge; `server` holds the
//! `LanguageServer` implementation; each method family has its own module (`diagnostics`,
//! `code_action`, `formatting`, `ignore`, `workspace`, and for the glossary `hover`, `definition`,
//! `completion`, `semantic_tokens`, `add_to_glossary` over `glossary_state`); `session` is the state
//! they share.

mod add_to_glossary;
mod code_action;
mod completion;
mod definition;
mod diagnostics;
mod document;
mod formatting;
mod from_proto;
mod glossary_state;
mod guard;
mod hover;
mod ignore;
mod index_state;
mod payload;
mod references;
mod rename;
mod semantic_tokens;
mod server;
mod session;
mod settings;
mod symbols;
mod to_proto;
mod transport;
mod workspace;

pub use formatting::minimal_edits;

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// How many messages the server handles at once; high enough that requests waiting on the
/// analysis of one page never hold up the messages about another.
const CONCURRENCY: usize = 64;

/// Runs the language server over stdin and stdout until the client exits.
///
/// Blocking: builds its own runtime. Returns when the client sends `exit` or closes stdin; the
/// process exits with status 1 (as the specification asks) when that happens without `shutdown`.
pub fn serve_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("kanwu-lsp").enable_all().build()?;
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The thread reading stdin may stay blocked: do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    if !clean {
        eprintln!("kanwu: exit without shutdown");
        std::process::exit(1);
    }
    Ok(())
}

/// Serves one client over the given streams; returns whether it asked for `shutdown` first.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (frames, frames_out) = tokio::sync::mpsc::unbounded_channel();
    let (to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let (exited, exit_received) = tokio::sync::oneshot::channel();
    tokio::spawn(transport::pump_input(input, to_server, frames.clone(), exited));
    let reader = tokio::spawn(transport::pump_server_output(from_server, frames.clone()));
    let writer = tokio::spawn(transport::write_output(output, frames_out));

    let output = frames.clone();
    let (service, socket) = LspService::new(move |client| server::Backend::with_output(client, output));
    let inner = service.inner().inner.clone();
    let server = Server::new(server_input, server_output, socket).concurrency_level(CONCURRENCY).serve(service);
    tokio::pin!(server);
    tokio::select! {
        _ = &mut server => {}
        Ok(()) = exit_received => {
            // Requests still pending (say, one waiting on the client) must not keep the process
            // alive: give the server a moment to finish writing, then go.
            let _ = tokio::time::timeout(Duration::from_millis(200), &mut server).await;
        }
    }
    // Everything the server wrote goes out before the process ends.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = reader.await;
        let _ = writer.await;
    })
    .await;
    let shutdown = inner.lock().shutdown;
    shutdown
}
