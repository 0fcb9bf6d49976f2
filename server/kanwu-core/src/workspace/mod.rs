//! The workspace as files: the one place where the core touches the disk (safe reads and writes,
//! pages' discovery and decoding, the sidecar of ignored occurrences); the analysis itself never does I/O.

pub mod cache;
pub mod discovery;
pub mod fs;
mod loading;
pub mod pages;
pub mod project_files;
pub mod sidecar;
