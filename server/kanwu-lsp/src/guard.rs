//! Every request runs under `catch_unwind`: a panic becomes an error response (logged to stderr)
//! and the server goes on.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc;

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn panicked(name: &str, payload: &(dyn std::any::Any + Send)) -> jsonrpc::Error {
    let message = panic_message(payload);
    eprintln!("kanwu: {name} panicked: {message}");
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::InternalError,
        message: format!("kanwu: internal error in {name}: {message}").into(),
        data: None,
    }
}

/// Runs a request's future, turning a panic at any poll into an internal-error response.
pub async fn request<T, F>(name: &'static str, future: F) -> jsonrpc::Result<T>
where
    F: Future<Output = jsonrpc::Result<T>>,
{
    match (CatchUnwind { inner: Box::pin(future) }).await {
        Ok(result) => result,
        Err(payload) => Err(panicked(name, &*payload)),
    }
}

/// Runs a notification's future; a panic is logged and swallowed.
pub async fn notification<F>(name: &'static str, future: F)
where
    F: Future<Output = ()>,
{
    if let Err(payload) = (CatchUnwind { inner: Box::pin(future) }).await {
        let _ = panicked(name, &*payload);
    }
}

struct CatchUnwind<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
