//! Finds the pages to work on: named files, and every included `.txt` below named folders, each with
//! the configuration found upward from it; reads them in whatever encoding they were written.

use anyhow::{anyhow, Context as _, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::decode::{decode, DecodeError, Decoded, PageEncoding};
use kanwu_core::suppress::{page_key, Suppressions};
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
    let suppressions = match Suppressions::load(&root) {
        Ok(suppressions) => suppressions,
        Err(error) => {
            eprintln!("warning: {error}");
            Suppressions::default()
        }
    };
    Ok(Arc::new(Settings { config, root, suppressions }))
}

/// Expands the command line's paths into pages, in a stable order; errors name the path.
pub fn collect_pages(paths: &[PathBuf]) -> Result<Vec<PageFile>> {
    let mut pages = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        let settings = settings_for(path)?;
        if metadata.is_file() {
            pages.push(PageFile { display: path.clone(), settings });
            continue;
        }
        let (include, exclude) = globs(&settings.config)?;
        let folder = path.canonicalize().with_context(|| format!("{}: cannot read", path.display()))?;
        let root = settings.root.canonicalize().unwrap_or_else(|_| folder.clone());
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(path).follow_links(false).sort_by_file_name() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    eprintln!("warning: {error}");
                    continue;
                }
            };
            if !entry.file_type().is_file() || entry.file_name() == CONFIG_FILE_NAME {
                continue;
            }
            // Globs are relative to the configuration's folder, wherever the walk started.
            let below_start = entry.path().strip_prefix(path).unwrap_or(entry.path());
            let absolute = folder.join(below_start);
            let relative = absolute.strip_prefix(&root).unwrap_or(below_start);
            if include.is_match(relative) && !exclude.is_match(relative) && !is_hidden(below_start) {
                found.push(entry.into_path());
            }
        }
        pages.extend(found.into_iter().map(|display| PageFile { display, settings: settings.clone() }));
    }
    Ok(pages)
}

/// Paths inside hidden folders (`.git`, `.kanwu`) are never pages.
fn is_hidden(relative: &Path) -> bool {
    relative.components().any(|part| part.as_os_str().to_str().is_some_and(|name| name.starts_with('.') && name.len() > 1 && name != ".."))
}

fn globs(config: &Config) -> Result<(GlobSet, GlobSet)> {
    let build = |patterns: &[String]| -> Result<GlobSet> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(Glob::new(pattern).with_context(|| format!("{CONFIG_FILE_NAME}: bad glob `{pattern}`"))?);
        }
        Ok(builder.build()?)
    };
    Ok((build(&config.include)?, build(&config.exclude)?))
}

/// A page read from disk.
pub struct ReadPage {
    pub text: String,
    pub encoding: PageEncoding,
}

/// Reads and decodes a page; `Ok(None)` for a binary file, which is skipped with a note.
pub fn read_page(path: &Path) -> Result<Option<ReadPage>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    match decode(&bytes) {
        Ok(Decoded { text, encoding, lossy }) => {
            if lossy {
                eprintln!("warning: {}: not valid {}; undecodable bytes shown as U+FFFD", path.display(), encoding.name());
            } else if !matches!(encoding, PageEncoding::Utf8) {
                eprintln!("note: {}: read as {}", path.display(), encoding.name());
            }
            Ok(Some(ReadPage { text, encoding }))
        }
        Err(DecodeError::Binary) => {
            eprintln!("note: {}: skipped, binary file", path.display());
            Ok(None)
        }
    }
}

/// The key of a page in its suppressions sidecar.
pub fn suppression_key(settings: &Settings, path: &Path) -> Option<String> {
    let absolute = path.canonicalize().ok()?;
    let root = settings.root.canonicalize().ok()?;
    page_key(&root, &absolute)
}
