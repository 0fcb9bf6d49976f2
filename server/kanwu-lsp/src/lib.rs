//! The language server face of Kanwu: converts between LSP and the analysis core.

/// Runs the language server over stdin and stdout until the client exits.
pub fn serve_stdio() -> std::io::Result<()> {
    Err(std::io::Error::other("the language server is not built yet"))
}
