//! Reading pages from disk for both faces: regular files of at most 64 MiB, decoded with their
//! undecodable bytes kept, and the names that are never pages (Kanwu's own temporary files).

use super::fs::{read_limited, FileStamp, FsError, MAX_PAGE_BYTES};
use crate::decode::{decode, DecodeError, Decoded};
use std::path::Path;

/// A page read from disk: its decoded text and what the file was when read.
#[derive(Debug)]
pub struct PageRead {
    pub decoded: Decoded,
    pub stamp: FileStamp,
}

/// What reading a page gave.
#[derive(Debug)]
pub enum PageOutcome {
    Read(PageRead),
    /// Not text: NUL bytes or mostly control bytes.
    Binary,
}

/// Reads and decodes the page at `path`. Pipes, devices, folders and files over
/// [`MAX_PAGE_BYTES`] are errors (`FsErrorKind::NotRegular`, `TooLarge`), which a folder walk
/// reports as skipped pages.
pub fn read_page(path: &Path) -> Result<PageOutcome, FsError> {
    let read = read_limited(path, MAX_PAGE_BYTES)?;
    match decode(&read.bytes) {
        Ok(decoded) => Ok(PageOutcome::Read(PageRead { decoded, stamp: read.stamp })),
        Err(DecodeError::Binary) => Ok(PageOutcome::Binary),
    }
}

/// Whether a file name can never be a page: Kanwu's own temporary files.
pub fn is_never_a_page(name: &str) -> bool {
    super::fs::temporary_owner(name).is_some()
}
