//! Every file Kanwu reads or writes goes through here: bounded reads of regular files only, checks
//! that a path stays inside the folders it may touch, and atomic writes that never follow a link
//! out of them, never split hard links, never replace a read-only file, a file that changed since it
//! was read, or a file that is not in the format Kanwu writes there.

use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

/// The largest page read: larger files are skipped with a note.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// The largest configuration, glossary or sidecar file read.
pub const MAX_SETTINGS_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file could not be read or written; it always names the path.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct FsError {
    pub path: PathBuf,
    pub kind: FsErrorKind,
}

/// What went wrong with a path.
#[derive(Debug, thiserror::Error)]
pub enum FsErrorKind {
    #[error("no such file")]
    NotFound,
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    #[error("too large: {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("outside the folders Kanwu may use here ({0})")]
    Outside(String),
    #[error("a symbolic link to {}, outside the folders Kanwu may write", .0.display())]
    LinkOutside(PathBuf),
    #[error("has {0} hard links: rewriting it would split them (make a copy of your own, or remove the other links)")]
    HardLinks(u64),
    #[error("read-only: left as it is")]
    ReadOnly,
    #[error("changed on disk since it was read: left as it is (run again)")]
    Changed,
    #[error("not a valid {0} file: left as it is (fix or remove it first)")]
    WrongFormat(&'static str),
    #[error("already exists")]
    Exists,
    #[error("{0}")]
    Io(#[source] std::io::Error),
}

impl FsError {
    pub fn new(path: &Path, kind: FsErrorKind) -> FsError {
        FsError { path: path.to_path_buf(), kind }
    }

    fn io(path: &Path, error: std::io::Error) -> FsError {
        let kind = if error.kind() == std::io::ErrorKind::NotFound { FsErrorKind::NotFound } else { FsErrorKind::Io(error) };
        FsError::new(path, kind)
    }

    /// True when the file does not exist (a missing optional file is no error).
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, FsErrorKind::NotFound)
    }
}

/// What a file was when it was read, so a later write can tell whether it changed meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
    /// Device and inode (zero where the platform has none).
    pub identity: (u64, u64),
    /// A hash of the contents.
    pub hash: u64,
}

impl FileStamp {
    fn of(metadata: &std::fs::Metadata, bytes: &[u8]) -> FileStamp {
        FileStamp { len: metadata.len(), modified: metadata.modified().ok(), identity: identity(metadata), hash: content_hash(bytes) }
    }
}

/// A hash of file contents, stable within one process.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// A file's bytes and its stamp.
#[derive(Debug)]
pub struct FileRead {
    pub bytes: Vec<u8>,
    pub stamp: FileStamp,
}

/// What kind of file a non-regular file is, for messages.
fn kind_name(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

/// Opens a file for reading without ever blocking on it (a named pipe opens at once and is then
/// refused as not regular).
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a regular file of at most `limit` bytes (following links; callers check where they lead
/// with [`ensure_inside`] when that matters). Pipes, devices and folders are refused at once.
pub fn read_limited(path: &Path, limit: u64) -> Result<FileRead, FsError> {
    let file = open_for_reading(path).map_err(|error| FsError::io(path, error))?;
    let metadata = file.metadata().map_err(|error| FsError::io(path, error))?;
    if !metadata.is_file() {
        return Err(FsError::new(path, FsErrorKind::NotRegular(kind_name(metadata.file_type()))));
    }
    if metadata.len() > limit {
        return Err(FsError::new(path, FsErrorKind::TooLarge { size: metadata.len(), limit }));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // A file that grows while it is read still stops at the limit.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|error| FsError::io(path, error))?;
    if bytes.len() as u64 > limit {
        return Err(FsError::new(path, FsErrorKind::TooLarge { size: bytes.len() as u64, limit }));
    }
    let stamp = FileStamp::of(&metadata, &bytes);
    Ok(FileRead { bytes, stamp })
}

/// Reads a settings file (configuration, glossary, sidecar) as text, decoding GB18030 or UTF-16 as
/// pages are.
pub fn read_settings_text(path: &Path) -> Result<(String, FileStamp), FsError> {
    let read = read_limited(path, MAX_SETTINGS_BYTES)?;
    match crate::decode::decode(&read.bytes) {
        Ok(decoded) => Ok((decoded.text, read.stamp)),
        Err(error) => Err(FsError::new(path, FsErrorKind::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string())))),
    }
}

/// The canonical form of `path`: its nearest existing ancestor resolved (links followed), with the
/// rest appended. A `..` in the part that does not exist yet is refused, so the result is where
/// the path really leads.
pub fn resolve(path: &Path) -> Result<PathBuf, FsError> {
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().map_err(|error| FsError::io(path, error))?.join(path) };
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        match existing.canonicalize() {
            Ok(resolved) => {
                let mut out = resolved;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => {
                let Some(name) = existing.file_name() else {
                    return Err(FsError::new(path, FsErrorKind::NotFound));
                };
                if matches!(Path::new(name).components().next(), Some(Component::ParentDir)) {
                    return Err(FsError::new(path, FsErrorKind::Outside("`..` in a path that does not exist".into())));
                }
                rest.push(name.to_os_string());
                existing = existing.parent().ok_or_else(|| FsError::new(path, FsErrorKind::NotFound))?;
            }
        }
    }
}

/// Whether the resolved `path` lies inside one of `roots` (each resolved too).
pub fn is_inside(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(resolved) = resolve(path) else { return false };
    roots.iter().filter_map(|root| resolve(root).ok()).any(|root| resolved.starts_with(root))
}

/// The resolved `path` when it lies inside one of `roots`, else an error naming them.
pub fn ensure_inside(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, FsError> {
    let resolved = resolve(path)?;
    let resolved_roots: Vec<PathBuf> = roots.iter().filter_map(|root| resolve(root).ok()).collect();
    if resolved_roots.iter().any(|root| resolved.starts_with(root)) {
        return Ok(resolved);
    }
    let names: Vec<String> = roots.iter().map(|root| root.display().to_string()).collect();
    let allowed = if names.is_empty() { "none given".to_string() } else { names.join(", ") };
    Err(FsError::new(path, FsErrorKind::Outside(format!("allowed: {allowed}"))))
}

/// Creates folder `dir` (and its parents) when it lies inside `roots`, refusing a folder that is,
/// or passes through, a link out of them.
pub fn create_dir_inside(dir: &Path, roots: &[PathBuf]) -> Result<PathBuf, FsError> {
    let resolved = ensure_inside(dir, roots)?;
    std::fs::create_dir_all(&resolved).map_err(|error| FsError::io(dir, error))?;
    // Created now: make sure nothing swapped a link in meanwhile.
    ensure_inside(&resolved, roots)
}

/// What the file at a write's path must be for the write to go ahead.
#[derive(Clone, Debug)]
pub enum Expect {
    /// Anything (a regular file or nothing).
    Any,
    /// Nothing: the file must not exist yet.
    Absent,
    /// The file as it was read (same size, time, identity and contents).
    Unchanged(FileStamp),
}

/// A format Kanwu writes: its name and a check that a text is in that format.
pub type FormatCheck = (&'static str, fn(&str) -> bool);

/// The conditions of one write.
#[derive(Clone, Debug)]
pub struct WriteRules<'a> {
    /// The folders the write may land in, links followed; a link that leads out is refused.
    pub inside: &'a [PathBuf],
    pub expect: Expect,
    /// For a file of a format Kanwu writes: its name and a check that the existing text is in
    /// that format (a file that is not is never replaced).
    pub format: Option<FormatCheck>,
}

/// Where a write landed.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    /// The file written: the link's target when `path` was a link.
    pub path: PathBuf,
    /// True when `path` was a link and its target was written.
    pub through_link: bool,
}

/// Where a link at `path` leads, resolved; a dangling link's target is resolved as far as it exists.
fn link_target(path: &Path) -> Result<PathBuf, FsError> {
    if let Ok(target) = path.canonicalize() {
        return Ok(target);
    }
    let target = std::fs::read_link(path).map_err(|error| FsError::io(path, error))?;
    let target = if target.is_absolute() { target } else { path.parent().unwrap_or(Path::new(".")).join(target) };
    resolve(&target)
}

static TEMPORARY_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The marker in the names of Kanwu's temporary files: `.NAME.kanwu-PID-N.tmp`.
const TEMPORARY_MARK: &str = ".kanwu-";

/// The temporary name for writing `name` in this process.
fn temporary_name(name: &str) -> String {
    let counter = TEMPORARY_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}{TEMPORARY_MARK}{}-{counter}.tmp", std::process::id())
}

/// The process id in a temporary file's name, when the name is one of Kanwu's temporary files.
pub fn temporary_owner(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = inner.rsplit_once(TEMPORARY_MARK)?;
    let pid = tail.split('-').next()?;
    pid.parse().ok()
}

/// Whether a process with this id is running.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the temporary files left in `dir` by Kanwu processes that died before renaming them;
/// returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temporary_owner) else { continue };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        if entry.file_type().is_ok_and(|kind| kind.is_file()) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Writes `bytes` to `path` atomically (a temporary file in the same folder, renamed over it),
/// under `rules`. A link is followed only when its target lies inside `rules.inside`; an existing
/// file with several hard links, read-only, changed since it was read, or not in the expected
/// format is left as it is. The file keeps its permissions.
pub fn write_atomically(path: &Path, bytes: &[u8], rules: &WriteRules<'_>) -> Result<Written, FsError> {
    let link = std::fs::symlink_metadata(path).ok().filter(|metadata| metadata.file_type().is_symlink());
    let through_link = link.is_some();
    let target = if through_link {
        let target = link_target(path)?;
        ensure_inside(&target, rules.inside).map_err(|_| FsError::new(path, FsErrorKind::LinkOutside(target.clone())))?
    } else {
        ensure_inside(path, rules.inside)?
    };
    let existing = match std::fs::symlink_metadata(&target) {
        Ok(metadata) => Some(metadata),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(FsError::io(path, error)),
    };
    let permissions = match &existing {
        Some(metadata) => {
            check_existing(path, &target, metadata, rules)?;
            Some(metadata.permissions())
        }
        None if matches!(rules.expect, Expect::Unchanged(_)) => return Err(FsError::new(path, FsErrorKind::Changed)),
        None => None,
    };
    let dir = target.parent().ok_or_else(|| FsError::new(path, FsErrorKind::NotFound))?;
    let name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(temporary_name(&name));
    let result = (|| {
        // `create_new` never follows a link planted at the temporary name.
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(FsError::io(path, error));
    }
    // The last look before the rename: nothing replaced or changed the file meanwhile.
    if let Expect::Unchanged(stamp) = &rules.expect {
        let now = std::fs::symlink_metadata(&target).ok();
        let same = now.is_some_and(|metadata| {
            metadata.len() == stamp.len && metadata.modified().ok() == stamp.modified && identity(&metadata) == stamp.identity
        });
        if !same {
            let _ = std::fs::remove_file(&temporary);
            return Err(FsError::new(path, FsErrorKind::Changed));
        }
    }
    if let Err(error) = std::fs::rename(&temporary, &target) {
        let _ = std::fs::remove_file(&temporary);
        return Err(FsError::io(path, error));
    }
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(Written { path: target, through_link })
}

/// The checks on the file a write would replace.
fn check_existing(path: &Path, target: &Path, metadata: &std::fs::Metadata, rules: &WriteRules<'_>) -> Result<(), FsError> {
    if !metadata.is_file() {
        return Err(FsError::new(path, FsErrorKind::NotRegular(kind_name(metadata.file_type()))));
    }
    if matches!(rules.expect, Expect::Absent) {
        return Err(FsError::new(path, FsErrorKind::Exists));
    }
    let links = hard_links(metadata);
    if links > 1 {
        return Err(FsError::new(path, FsErrorKind::HardLinks(links)));
    }
    if metadata.permissions().readonly() {
        return Err(FsError::new(path, FsErrorKind::ReadOnly));
    }
    let needs_contents = matches!(rules.expect, Expect::Unchanged(_)) || rules.format.is_some();
    if !needs_contents {
        return Ok(());
    }
    let current = read_limited(target, MAX_PAGE_BYTES).map_err(|error| FsError { path: path.to_path_buf(), kind: error.kind })?;
    if let Expect::Unchanged(stamp) = &rules.expect {
        if current.stamp != *stamp {
            return Err(FsError::new(path, FsErrorKind::Changed));
        }
    }
    if let Some((format, valid)) = rules.format {
        let text = crate::decode::decode(&current.bytes).map(|decoded| decoded.text);
        if !text.is_ok_and(|text| valid(&text)) {
            return Err(FsError::new(path, FsErrorKind::WrongFormat(format)));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn identity(_metadata: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(unix)]
fn hard_links(metadata: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink()
}

#[cfg(not(unix))]
fn hard_links(_metadata: &std::fs::Metadata) -> u64 {
    1
}

/// Whether the file at `path` (links followed) is read-only for its owner.
pub fn is_read_only(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().readonly())
}

#[cfg(test)]
mod tests;
