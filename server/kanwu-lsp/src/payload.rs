//! What Kanwu carries inside LSP messages for itself: the `source` of its diagnostics and the `data` that lets a code action find a diagnostic's fixes again; shared by `to_proto` and `from_proto`, which do not import each other.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types as lsp;

/// The `source` of every diagnostic.
pub const SOURCE: &str = "kanwu";

/// What a diagnostic carries in `data`: just enough for code actions to find its fixes again in
/// the analysis the server keeps for that version (`Analysis::diagnostics[index]`).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DiagnosticData {
    /// The document version the diagnostic belongs to.
    pub version: i32,
    /// Its index among the core diagnostics of that version's analysis.
    pub index: u32,
}

/// One fix as carried in a diagnostic's `data`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FixData {
    pub title: String,
    pub safe: bool,
    pub preferred: bool,
    pub edits: Vec<lsp::TextEdit>,
}
