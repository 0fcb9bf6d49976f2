//! Page discovery for both faces: which files below a folder are pages (the include and exclude
//! globs of the nearest `kanwu.toml`, hidden folders, names that are never pages) and the walk that
//! finds them, following links to files and reporting what it skips.
//!
//! The command line walks the folders it is given (and prints what was skipped); the server walks
//! its workspace folders to index them and asks [`PageFilter::is_page_below`] about each file a
//! watcher reports. Both get the same answer for the same folder.

use super::fs::MAX_PAGE_BYTES;
use super::pages::is_never_a_page;
use crate::config::{Config, CONFIG_FILE_NAME};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Which files are pages: the include and exclude globs of a configuration, matched against paths
/// relative to the folder of its `kanwu.toml` (or, without one, the folder the globs apply from).
#[derive(Clone, Debug)]
pub struct PageFilter {
    root: PathBuf,
    include: GlobSet,
    exclude: GlobSet,
}

impl PageFilter {
    /// The filter of `config`, whose globs are relative to `root`; a glob that does not build is an
    /// error naming it (the command line stops on it).
    pub fn new(config: &Config, root: &Path) -> Result<PageFilter, String> {
        let build = |patterns: &[String]| -> Result<GlobSet, String> {
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                builder.add(Glob::new(pattern).map_err(|error| format!("{CONFIG_FILE_NAME}: bad glob `{pattern}`: {error}"))?);
            }
            builder.build().map_err(|error| format!("{CONFIG_FILE_NAME}: {error}"))
        };
        Ok(PageFilter { root: canonical_or_same(root), include: build(&config.include)?, exclude: build(&config.exclude)? })
    }

    /// Like [`PageFilter::new`], leaving out any glob that does not build (the server goes on
    /// with the rest; the problem is shown on `kanwu.toml`).
    pub fn lenient(config: &Config, root: &Path) -> PageFilter {
        let build = |patterns: &[String]| {
            let mut builder = GlobSetBuilder::new();
            for glob in patterns.iter().filter_map(|pattern| Glob::new(pattern).ok()) {
                builder.add(glob);
            }
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        };
        PageFilter { root: canonical_or_same(root), include: build(&config.include), exclude: build(&config.exclude) }
    }

    /// The filter in force in `folder`: the globs of the nearest `kanwu.toml` at or above it
    /// (relative to that file's folder), else the defaults relative to `folder`. A `kanwu.toml` that
    /// does not load gives the defaults.
    pub fn for_folder(folder: &Path) -> PageFilter {
        match Config::find_upward(folder) {
            Some(file) => {
                let config = Config::load(&file).unwrap_or_else(|_| Config::with_defaults());
                PageFilter::lenient(&config, file.parent().unwrap_or(folder))
            }
            None => PageFilter::lenient(&Config::with_defaults(), folder),
        }
    }

    /// The folder the globs are relative to (links resolved where it exists).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the file at `path`, found below the folder `start`, is a page by its name and place:
    /// not `kanwu.toml` nor a name that is never a page, not inside a hidden folder below `start`,
    /// included and not excluded by the globs. Paths are compared as given: pass both canonical,
    /// or both as they were walked. A path outside `start` is no page.
    pub fn is_page_below(&self, start: &Path, path: &Path) -> bool {
        let Ok(below_start) = path.strip_prefix(start) else { return false };
        self.accepts(&canonical_or_same(start), below_start)
    }

    /// Whether the file at `below_start` below the folder `canonical_start` (links resolved) is a
    /// page by its name and place.
    fn accepts(&self, canonical_start: &Path, below_start: &Path) -> bool {
        let name_ok =
            below_start.file_name().and_then(|name| name.to_str()).is_none_or(|name| name != CONFIG_FILE_NAME && !is_never_a_page(name));
        if !name_ok || is_hidden(below_start) {
            return false;
        }
        // The globs are relative to their own folder, wherever the walk started.
        let absolute = canonical_start.join(below_start);
        let relative = absolute.strip_prefix(&self.root).unwrap_or(below_start);
        self.include.is_match(relative) && !self.exclude.is_match(relative)
    }
}

/// Something a walk left out, for the face to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// A link to nothing.
    BrokenLink(PathBuf),
    /// A named pipe, a device, a socket: never read.
    NotRegular { path: PathBuf, kind: &'static str },
    /// A file over [`MAX_PAGE_BYTES`].
    TooLarge { path: PathBuf, bytes: u64 },
    /// A folder that could not be read, or another error of the walk.
    Unreadable(String),
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::BrokenLink(path) => write!(f, "{}: skipped, a broken link", path.display()),
            Skipped::NotRegular { path, kind } => write!(f, "{}: skipped, not a regular file ({kind})", path.display()),
            Skipped::TooLarge { path, bytes } => {
                write!(f, "{}: skipped, {bytes} bytes is over the {MAX_PAGE_BYTES}-byte limit for a page", path.display())
            }
            Skipped::Unreadable(message) => f.write_str(message),
        }
    }
}

/// Every page below the folder `start`, in the order of a walk sorted by file name, with the paths
/// as walked (`start` joined with the path below it). Links are followed to what they name: a link
/// to a file is a page (unless its target is itself a page of the walk, which would then be the
/// same page twice); links to folders are not entered. Broken links, files that are not regular
/// and files over [`MAX_PAGE_BYTES`] are left out and told to `on_skip`, as are walk errors.
pub fn walk_pages(start: &Path, filter: &PageFilter, mut on_skip: impl FnMut(Skipped)) -> Vec<PathBuf> {
    let canonical_start = canonical_or_same(start);
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(start).follow_links(false).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                on_skip(Skipped::Unreadable(error.to_string()));
                continue;
            }
        };
        let below_start = entry.path().strip_prefix(start).unwrap_or(entry.path());
        if entry.file_type().is_dir() || !filter.accepts(&canonical_start, below_start) {
            continue;
        }
        let Ok(metadata) = std::fs::metadata(entry.path()) else {
            on_skip(Skipped::BrokenLink(entry.into_path()));
            continue;
        };
        if !metadata.is_file() {
            if !metadata.is_dir() {
                on_skip(Skipped::NotRegular { path: entry.into_path(), kind: file_kind(&metadata) });
            }
            continue;
        }
        if metadata.len() > MAX_PAGE_BYTES {
            on_skip(Skipped::TooLarge { path: entry.into_path(), bytes: metadata.len() });
            continue;
        }
        found.push(entry.into_path());
    }
    // A link whose target is itself a page of this walk would be the same page twice.
    let walked: std::collections::HashSet<PathBuf> =
        found.iter().filter(|page| !page.is_symlink()).filter_map(|page| page.canonicalize().ok()).collect();
    found.retain(|page| !page.is_symlink() || page.canonicalize().is_ok_and(|target| !walked.contains(&target)));
    found
}

/// What kind of file a non-regular one is, for messages.
pub fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a named pipe";
        } else if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        } else if kind.is_socket() {
            return "a socket";
        }
    }
    if metadata.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// Paths inside hidden folders (`.git`, `.kanwu`), or hidden files, are never pages.
fn is_hidden(relative: &Path) -> bool {
    relative.components().any(|part| part.as_os_str().to_str().is_some_and(|name| name.starts_with('.') && name.len() > 1 && name != ".."))
}

/// `path` with links resolved, or as it is when it cannot be resolved.
fn canonical_or_same(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) -> PathBuf {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_nearest_kanwu_toml_decides_and_hidden_folders_and_own_files_are_never_pages() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().canonicalize().unwrap();
        write(&root, "kanwu.toml", "include = [\"pages/**/*.txt\"]\nexclude = [\"pages/drafts/**\"]\n");
        let kept = write(&root, "pages/2020/a.txt", "甲");
        write(&root, "pages/drafts/b.txt", "乙");
        write(&root, "pages/.git/c.txt", "丙");
        write(&root, "notes.txt", "丁");
        write(&root, "pages/2020/.a.txt.kanwu-tmp-1-2", "戊");
        let nested = root.join("pages");
        // Walked from the project folder or from a folder inside it, the globs are the same.
        let filter = PageFilter::for_folder(&nested);
        assert_eq!(filter.root(), root);
        assert_eq!(walk_pages(&nested, &filter, |skipped| panic!("{skipped}")), vec![kept.clone()]);
        assert_eq!(walk_pages(&root, &PageFilter::for_folder(&root), |skipped| panic!("{skipped}")), vec![kept.clone()]);
        assert!(filter.is_page_below(&root, &kept));
        assert!(!filter.is_page_below(&root, &root.join("pages/.git/c.txt")));
        assert!(!filter.is_page_below(&root.join("elsewhere"), &kept), "outside the folder walked");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_once_and_what_cannot_be_a_page_is_told() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().canonicalize().unwrap();
        let page = write(&root, "a.txt", "甲");
        let outside = tempfile::tempdir().unwrap();
        let target = write(outside.path(), "b.txt", "乙");
        std::os::unix::fs::symlink(&page, root.join("again.txt")).unwrap();
        std::os::unix::fs::symlink(&target, root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("missing.txt"), root.join("broken.txt")).unwrap();
        let mut skipped = Vec::new();
        let pages = walk_pages(&root, &PageFilter::for_folder(&root), |skip| skipped.push(skip));
        assert_eq!(pages, vec![page, root.join("link.txt")]);
        assert_eq!(skipped, vec![Skipped::BrokenLink(root.join("broken.txt"))]);
    }

    #[test]
    fn a_bad_glob_is_an_error_or_left_out() {
        let config = Config { include: vec!["[".to_string(), "**/*.txt".to_string()], ..Config::with_defaults() };
        let error = PageFilter::new(&config, Path::new("/w")).unwrap_err();
        assert!(error.contains("bad glob `[`"), "{error}");
        assert!(PageFilter::lenient(&config, Path::new("/w")).is_page_below(Path::new("/w"), Path::new("/w/a.txt")));
    }
}
