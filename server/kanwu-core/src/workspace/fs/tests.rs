//! Tests of the file-system guard: links, hard links, permissions, changes, formats, pipes, sizes.

use super::*;

fn folder() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn rules(inside: &[PathBuf]) -> WriteRules<'_> {
    WriteRules { inside, expect: Expect::Any, format: None }
}

#[test]
fn a_link_that_leads_outside_is_never_written_through() {
    let workspace = folder();
    let outside = folder();
    let victim = outside.path().join("victim.toml");
    std::fs::write(&victim, "keep = true\n").unwrap();
    let link = workspace.path().join("ignored.toml");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let roots = [workspace.path().to_path_buf()];
    let error = write_atomically(&link, b"pwned", &rules(&roots)).unwrap_err();
    assert!(matches!(error.kind, FsErrorKind::LinkOutside(_)), "{error}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep = true\n");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    // A dangling link out of the workspace is refused too, and creates nothing.
    let dangling = workspace.path().join("dangling.toml");
    let nowhere = outside.path().join("new.toml");
    std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
    assert!(matches!(write_atomically(&dangling, b"x", &rules(&roots)).unwrap_err().kind, FsErrorKind::LinkOutside(_)));
    assert!(!nowhere.exists());
}

#[test]
fn a_link_inside_writes_its_target_and_stays_a_link() {
    let workspace = folder();
    let target = workspace.path().join("real.txt");
    std::fs::write(&target, "旧").unwrap();
    let link = workspace.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let roots = [workspace.path().to_path_buf()];
    let written = write_atomically(&link, "新".as_bytes(), &rules(&roots)).unwrap();
    assert!(written.through_link);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "新");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn hard_links_read_only_files_and_changed_files_are_refused() {
    let workspace = folder();
    let roots = [workspace.path().to_path_buf()];
    let page = workspace.path().join("page.txt");
    std::fs::write(&page, "原文").unwrap();
    let twin = workspace.path().join("twin.txt");
    std::fs::hard_link(&page, &twin).unwrap();
    assert!(matches!(write_atomically(&page, b"x", &rules(&roots)).unwrap_err().kind, FsErrorKind::HardLinks(2)));
    std::fs::remove_file(&twin).unwrap();

    let read = read_limited(&page, MAX_PAGE_BYTES).unwrap();
    std::fs::write(&page, "别人改过").unwrap();
    let unchanged = WriteRules { inside: &roots, expect: Expect::Unchanged(read.stamp), format: None };
    assert!(matches!(write_atomically(&page, b"x", &unchanged).unwrap_err().kind, FsErrorKind::Changed));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "别人改过");

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o444)).unwrap();
    assert!(matches!(write_atomically(&page, b"x", &rules(&roots)).unwrap_err().kind, FsErrorKind::ReadOnly));
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomically(&page, b"ok", &rules(&roots)).unwrap();
    assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o640, "permissions kept");
    assert_eq!(std::fs::read(&page).unwrap(), b"ok");
}

#[test]
fn a_file_not_in_the_expected_format_is_not_replaced() {
    let workspace = folder();
    let roots = [workspace.path().to_path_buf()];
    let file = workspace.path().join("kanwu.toml");
    std::fs::write(&file, "this is [not toml").unwrap();
    let is_toml = |text: &str| text.parse::<toml::Table>().is_ok();
    let toml_rules = WriteRules { inside: &roots, expect: Expect::Any, format: Some(("TOML", is_toml)) };
    assert!(matches!(write_atomically(&file, b"a = 1\n", &toml_rules).unwrap_err().kind, FsErrorKind::WrongFormat("TOML")));
    std::fs::write(&file, "a = 0\n").unwrap();
    write_atomically(&file, b"a = 1\n", &toml_rules).unwrap();
    let absent = WriteRules { inside: &roots, expect: Expect::Absent, format: None };
    assert!(matches!(write_atomically(&file, b"a = 2\n", &absent).unwrap_err().kind, FsErrorKind::Exists));
}

#[test]
fn writes_outside_the_roots_are_refused() {
    let workspace = folder();
    let outside = folder();
    let roots = [workspace.path().to_path_buf()];
    let error = write_atomically(&outside.path().join("x.txt"), b"x", &rules(&roots)).unwrap_err();
    assert!(matches!(error.kind, FsErrorKind::Outside(_)), "{error}");
    let sneaky = workspace.path().join("missing/../../x.txt");
    assert!(write_atomically(&sneaky, b"x", &rules(&roots)).is_err());
    assert!(!outside.path().join("x.txt").exists());
    // A folder that is a link out of the workspace is no way out either.
    std::os::unix::fs::symlink(outside.path(), workspace.path().join(".kanwu")).unwrap();
    assert!(create_dir_inside(&workspace.path().join(".kanwu"), &roots).is_err());
    assert!(write_atomically(&workspace.path().join(".kanwu/ignored.toml"), b"x", &rules(&roots)).is_err());
    assert!(!outside.path().join("ignored.toml").exists());
}

#[test]
fn pipes_devices_and_huge_files_are_refused_at_once() {
    let workspace = folder();
    let fifo = workspace.path().join("pipe.toml");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain mkfifo call on a path we own.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    assert!(matches!(read_limited(&fifo, 1024).unwrap_err().kind, FsErrorKind::NotRegular("a named pipe")));
    assert!(matches!(read_limited(Path::new("/dev/zero"), 1024).unwrap_err().kind, FsErrorKind::NotRegular("a device")));
    let big = workspace.path().join("big.txt");
    std::fs::write(&big, vec![b'a'; 2048]).unwrap();
    assert!(matches!(read_limited(&big, 1024).unwrap_err().kind, FsErrorKind::TooLarge { size: 2048, limit: 1024 }));
    assert_eq!(read_limited(&big, 4096).unwrap().bytes.len(), 2048);
    assert!(read_limited(&workspace.path().join("missing"), 10).unwrap_err().is_not_found());
}

#[test]
fn stale_temporaries_of_dead_processes_are_removed() {
    let workspace = folder();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = workspace.path().join(format!(".page.txt.kanwu-{dead}.tmp"));
    let stale_counted = workspace.path().join(format!(".page.txt.kanwu-{dead}-3.tmp"));
    let ours = workspace.path().join(format!(".other.txt.kanwu-{}-0.tmp", std::process::id()));
    let unrelated = workspace.path().join(".notes.tmp");
    for file in [&stale, &stale_counted, &ours, &unrelated] {
        std::fs::write(file, "x").unwrap();
    }
    assert_eq!(remove_stale_temporaries(workspace.path()), 2);
    assert!(!stale.exists() && !stale_counted.exists());
    assert!(ours.exists() && unrelated.exists());
    assert_eq!(temporary_owner(".a.txt.kanwu-12-0.tmp"), Some(12));
    assert_eq!(temporary_owner("a.txt"), None);
}

#[test]
fn resolve_follows_links_and_keeps_missing_tails() {
    let workspace = folder();
    let real = workspace.path().canonicalize().unwrap();
    assert_eq!(resolve(&workspace.path().join("a/b.txt")).unwrap(), real.join("a/b.txt"));
    assert!(is_inside(&workspace.path().join("x"), &[workspace.path().to_path_buf()]));
    assert!(!is_inside(Path::new("/etc/passwd"), &[workspace.path().to_path_buf()]));
}
