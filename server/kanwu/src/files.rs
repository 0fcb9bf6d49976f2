//! Finds the pages to work on: named files, and every included `.txt` below named folders, each with
//! the configuration found upward from it; reads them (through the core's file guard) in whatever
//! encoding they were written.

use anyhow::{anyhow, Context as _, Result};
use kanwu_core::decode::{PageEncoding, Undecodable};
use kanwu_core::suppress::{page_key, Suppressions};
use kanwu_core::workspace::discovery::{file_kind, walk_pages, PageFilter, Skipped};
use kanwu_core::workspace::fs::{FileStamp, FsErrorKind};
use kanwu_core::workspace::pages::PageOutcome;
use kanwu_core::workspace::sidecar;
use kanwu_core::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A configuration with the folder it applies from and the suppressions kept beside it.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    /// The folder of the `kanwu.toml`, or the folder the user named when there is none.
    pub root: PathBuf,
    pub suppressions: Suppressions,
}

/// A page to check, as the user will see its path.
#[derive(Clone, Debug)]
pub struct PageFile {
    /// The path as named on the command line or found below a named folder.
    pub display: PathBuf,
    pub settings: Arc<Settings>,
    /// The folder the user named (a named file's own folder): `fix` writes nothing outside it,
    /// however links lead.
    pub scope: PathBuf,
}

/// Loads the settings that apply to `path`: the nearest `kanwu.toml` upward, or the defaults.
pub fn settings_for(path: &Path) -> Result<Arc<Settings>> {
    let (config, root) = match Config::find_upward(path) {
        Some(file) => {
            let config = Config::load(&file).map_err(|error| anyhow!("{error}"))?;
            (config, file.parent().map(Path::to_path_buf).unwrap_or_default())
        }
        None => {
            let root = if path.is_dir() { path.to_path_buf() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
            (Config::with_defaults(), root)
        }
    };
    // A bare file name has an empty parent: the current folder.
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    // A broken sidecar never stops a check: report it and go on without it.
    let suppressions = match sidecar::load(&root) {
        Ok(suppressions) => suppressions,
        Err(error) => {
            eprintln!("warning: {error}");
            Suppressions::default()
        }
    };
    Ok(Arc::new(Settings { config, root, suppressions }))
}

/// Expands the command line's paths into pages, in a stable order; errors name the path. A named
/// path that is neither a file nor a folder (a pipe, a device) is an error; below a folder such
/// files, files over 64 MiB and links to pages found anyway are skipped, with a note for the first two.
pub fn collect_pages(paths: &[PathBuf]) -> Result<Vec<PageFile>> {
    let mut pages = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        let settings = settings_for(path)?;
        if !metadata.is_file() && !metadata.is_dir() {
            return Err(anyhow!("{}: not a regular file ({}): not a page", path.display(), file_kind(&metadata)));
        }
        if metadata.is_file() {
            let scope = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
            pages.push(PageFile { display: path.clone(), settings, scope });
            continue;
        }
        let filter = PageFilter::new(&settings.config, &settings.root).map_err(|message| anyhow!(message))?;
        let found = walk_pages(path, &filter, |skipped| match skipped {
            Skipped::Unreadable(message) => eprintln!("warning: {message}"),
            other => eprintln!("note: {other}"),
        });
        pages.extend(found.into_iter().map(|display| PageFile { display, settings: settings.clone(), scope: path.clone() }));
    }
    Ok(pages)
}

/// A page read from disk.
pub struct ReadPage {
    pub text: String,
    pub encoding: PageEncoding,
    /// The runs of bytes that did not decode, each behind a U+FFFD placeholder in `text`.
    pub undecodable: Vec<Undecodable>,
    /// The page fits no encoding well enough to be rewritten: checked, never fixed.
    pub unwritable: bool,
    /// What the file was when read, so a fix does not overwrite a change made meanwhile.
    pub stamp: FileStamp,
}

/// Reads and decodes a page; `Ok(None)` for a binary file, which is skipped with a note.
pub fn read_page(path: &Path) -> Result<Option<ReadPage>> {
    let read = match kanwu_core::workspace::pages::read_page(path) {
        Ok(PageOutcome::Read(read)) => read,
        Ok(PageOutcome::Binary) => {
            eprintln!("note: {}: skipped, binary file", path.display());
            return Ok(None);
        }
        Err(error) if matches!(error.kind, FsErrorKind::NotFound) => return Err(anyhow!("{}: cannot read: no such file", path.display())),
        Err(error) => return Err(anyhow!("{error}")),
    };
    let decoded = read.decoded;
    if decoded.unwritable {
        eprintln!(
            "warning: {}: neither UTF-8 nor GB18030 that writes back the same ({} bytes do not decode); checked as far as it reads, never rewritten",
            path.display(),
            decoded.undecodable_bytes()
        );
    } else if decoded.lossy() {
        eprintln!(
            "warning: {}: {} bytes are not valid {}; they are shown as U+FFFD and kept as they are",
            path.display(),
            decoded.undecodable_bytes(),
            decoded.encoding.name()
        );
    } else if !matches!(decoded.encoding, PageEncoding::Utf8) {
        eprintln!("note: {}: read as {}", path.display(), decoded.encoding.name());
    }
    Ok(Some(ReadPage {
        text: decoded.text,
        encoding: decoded.encoding,
        undecodable: decoded.undecodable,
        unwritable: decoded.unwritable,
        stamp: read.stamp,
    }))
}

/// The key of a page in its suppressions sidecar.
pub fn suppression_key(settings: &Settings, path: &Path) -> Option<String> {
    let absolute = path.canonicalize().ok()?;
    let root = settings.root.canonicalize().ok()?;
    page_key(&root, &absolute)
}
