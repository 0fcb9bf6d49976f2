//! The per-user cache folder (`$XDG_CACHE_HOME/kanwu`, else `~/.cache/kanwu`): the one place
//! outside the workspace Kanwu writes to. It is created with mode 0700 and refused when another
//! user owns it or when its group or others may write in it, so no one else can plant a link there;
//! a folder of this user's that others may only read (one `mkdir -p` made with mode 0755) is
//! tightened to 0700.

use super::fs::{FsError, FsErrorKind};
use std::path::{Path, PathBuf};

/// The name of Kanwu's folder inside the user's cache folder.
pub const CACHE_FOLDER_NAME: &str = "kanwu";

/// Where the user's cache folder for Kanwu is: `$XDG_CACHE_HOME/kanwu` when that variable holds an
/// absolute path, else `$HOME/.cache/kanwu`; `None` when neither is known.
pub fn user_cache_path() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|path| path.is_absolute());
    let base = from_xdg
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from).filter(|path| path.is_absolute()).map(|home| home.join(".cache")))?;
    Some(base.join(CACHE_FOLDER_NAME))
}

/// The user's cache folder for Kanwu, created (mode 0700) when missing and checked: a real folder
/// (not a link), owned by this user, that neither group nor others may write in, and mode 0700.
pub fn user_cache_dir() -> Result<PathBuf, FsError> {
    let Some(folder) = user_cache_path() else {
        return Err(FsError::new(Path::new("~/.cache/kanwu"), FsErrorKind::NotFound));
    };
    ensure_private_dir(&folder)?;
    Ok(folder)
}

/// Creates `folder` (its parents as usual, itself with mode 0700) when missing, then checks it is a
/// private folder of this user.
pub fn ensure_private_dir(folder: &Path) -> Result<(), FsError> {
    if let Some(parent) = folder.parent() {
        std::fs::create_dir_all(parent).map_err(|error| FsError::new(parent, FsErrorKind::Io(error)))?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(folder) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(FsError::new(folder, FsErrorKind::Io(error))),
    }
    check_private_dir(folder)
}

/// Refuses a cache folder that is a link, not a folder, owned by another user, or writable by
/// group or others.
fn check_private_dir(folder: &Path) -> Result<(), FsError> {
    let metadata = std::fs::symlink_metadata(folder).map_err(|error| FsError::new(folder, FsErrorKind::Io(error)))?;
    if metadata.file_type().is_symlink() {
        return Err(FsError::new(folder, FsErrorKind::NotRegular("a symbolic link, not a private folder")));
    }
    if !metadata.is_dir() {
        return Err(FsError::new(folder, FsErrorKind::NotRegular("not a folder")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        if metadata.uid() != user {
            return Err(FsError::new(folder, FsErrorKind::Outside(format!("owned by user {}, not by this user ({user})", metadata.uid()))));
        }
        let mode = metadata.mode() & 0o777;
        if mode & 0o022 != 0 {
            return Err(FsError::new(
                folder,
                FsErrorKind::Outside(format!("mode {mode:o} lets other users write in it (chmod 700 {})", folder.display())),
            ));
        }
        if mode & 0o077 != 0 {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
                .map_err(|error| FsError::new(folder, FsErrorKind::Io(error)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_folder_is_private_and_an_open_one_is_refused() {
        let base = std::env::temp_dir().join(format!("kanwu-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let folder = base.join("cache").join(CACHE_FOLDER_NAME);
        ensure_private_dir(&folder).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
            ensure_private_dir(&folder).expect("a folder others may only read is accepted");
            assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700, "and tightened to 0700");
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o775)).unwrap();
            let error = ensure_private_dir(&folder).unwrap_err();
            assert!(error.to_string().contains("other users write"), "{error}");
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).unwrap();
            let link = base.join("link");
            std::os::unix::fs::symlink(&folder, &link).unwrap();
            assert!(ensure_private_dir(&link).is_err(), "a link is refused");
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
