//! The language server face of Kanwu: converts between LSP and the analysis core.
