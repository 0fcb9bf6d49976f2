//! The sidecar file of ignored occurrences on disk, `<root>/.kanwu/ignored.toml` (`root` is the
//! folder of the workspace's `kanwu.toml`, or the workspace folder when there is none): read and
//! written through the file guard (`fs.rs`) for both faces. What the entries are and how they
//! match diagnostics is `suppress.rs`, which does no I/O.

use super::fs::{self, FileStamp, FsError};
use crate::suppress::Suppressions;
use crate::types::LocatedError;
use std::path::{Path, PathBuf};

/// The folder, below the workspace root, that holds Kanwu's sidecar files.
pub const SIDECAR_DIR: &str = ".kanwu";

/// The sidecar file of ignored occurrences, inside [`SIDECAR_DIR`].
pub const SIDECAR_FILE: &str = "ignored.toml";

/// Why the sidecar file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    #[error("{0}")]
    File(FsError),
    /// The file is no valid sidecar, at a place in it.
    #[error("{0}")]
    Parse(LocatedError),
}

/// The sidecar path for the workspace root `root`.
pub fn path_for(root: &Path) -> PathBuf {
    root.join(SIDECAR_DIR).join(SIDECAR_FILE)
}

/// Reads the sidecar of `root`; a missing file gives an empty set. The file must be a regular
/// file of at most `MAX_SETTINGS_BYTES` (a pipe or a device there is an error, never a hang).
pub fn load(root: &Path) -> Result<Suppressions, SidecarError> {
    load_stamped(root).map(|(suppressions, _)| suppressions)
}

/// Like [`load`], with what the file was when read (`None`: no file), for a save that must not
/// overwrite changes made meanwhile.
pub fn load_stamped(root: &Path) -> Result<(Suppressions, Option<FileStamp>), SidecarError> {
    let path = path_for(root);
    // The sidecar belongs to the workspace: a link out of it is not read.
    if let Err(error) = fs::ensure_inside(&path, &[root.to_path_buf()]) {
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(SidecarError::File(error));
        }
    }
    match fs::read_settings_text(&path) {
        Ok((text, stamp)) => {
            let suppressions = Suppressions::parse_in(&text, Some(&path)).map_err(SidecarError::Parse)?;
            Ok((suppressions, Some(stamp)))
        }
        Err(error) if error.is_not_found() => Ok((Suppressions::default(), None)),
        Err(error) => Err(SidecarError::File(error)),
    }
}

/// Writes `suppressions` as the sidecar of `root` atomically, creating `.kanwu/` if needed, only
/// inside `inside` (links followed), and only over the file as it was read (`read`: its stamp, or
/// `None` when there was none) and when that file is a valid sidecar.
pub fn save(suppressions: &Suppressions, root: &Path, inside: &[PathBuf], read: Option<FileStamp>) -> Result<(), SidecarError> {
    fs::create_dir_inside(&root.join(SIDECAR_DIR), inside).map_err(SidecarError::File)?;
    let expect = match read {
        Some(stamp) => fs::Expect::Unchanged(stamp),
        None => fs::Expect::Absent,
    };
    let rules = fs::WriteRules { inside, expect, format: Some(("ignored-occurrences sidecar", |text| Suppressions::parse(text).is_ok())) };
    fs::write_atomically(&path_for(root), suppressions.to_toml().as_bytes(), &rules).map_err(SidecarError::File)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suppress::{page_key, Occurrence};

    #[test]
    fn round_trips_through_toml_and_disk() {
        let mut set = Suppressions::default();
        set.add(Occurrence {
            page: "p.txt".into(),
            code: "x".into(),
            text: "\"引号\"\n".into(),
            before: String::new(),
            after: "尾".into(),
        });
        let text = set.to_toml();
        assert_eq!(Suppressions::parse(&text).unwrap(), set);
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().to_path_buf();
        let inside = [root.clone()];
        save(&set, &root, &inside, None).unwrap();
        let (loaded, stamp) = load_stamped(&root).unwrap();
        assert_eq!(loaded, set);
        // Saving again needs the stamp of what was read: a save over a file it never saw is refused.
        assert!(save(&set, &root, &inside, None).is_err());
        save(&set, &root, &inside, stamp).unwrap();
        std::fs::remove_dir_all(root.join(SIDECAR_DIR)).unwrap();
        assert_eq!(load(&root).unwrap(), Suppressions::default());
        assert_eq!(page_key(Path::new("/w"), Path::new("/w/a/b.txt")).as_deref(), Some("a/b.txt"));
        assert_eq!(page_key(Path::new("/w"), Path::new("/x/b.txt")), None);
    }
}
