//! The files a project's `kanwu.toml` names, for both faces: where each `[glossary] files` entry
//! leads, whether it stays inside the folders the project may read (or a folder the user allowed
//! in their own settings), and where the entry sits in `kanwu.toml` so a refusal can be shown there.

use super::fs::{self, FileStamp, FsError, FsErrorKind};
use crate::config::{Config, CONFIG_FILE_NAME};
use crate::glossary::{Glossary, DEFAULT_WORKSPACE_FILE};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One workspace glossary file of a project, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlossaryFileTarget {
    /// The entry as written in `[glossary] files`, or `glossary.toml` when the file names none.
    pub entry: String,
    /// Where the entry leads, links followed (the joined path when it cannot be resolved).
    pub path: PathBuf,
    /// Whether the file was named in `kanwu.toml` (a missing default `glossary.toml` is no problem,
    /// a missing named file is).
    pub named: bool,
    /// The byte range of the entry in the text of `kanwu.toml` (empty at 0 when not found).
    pub span: Range<usize>,
    /// Why the file may not be read, when it may not.
    pub refusal: Option<String>,
}

/// The workspace glossary files of the project whose configuration is `config` (read from
/// `config_text`, the text of `kanwu.toml` in `config_dir`), each resolved and checked: a file is
/// refused unless it lies inside one of `inside` or one of `allowed_outside` (links followed).
/// With no `[glossary] files`, the project's `glossary.toml` (in `config_dir`) is the one file.
///
/// The command line calls this with `inside` = the folder of `kanwu.toml` and `allowed_outside`
/// = the `--allow-outside` paths; the server with the workspace folders holding the project and
/// the user's `allowOutside` setting.
pub fn glossary_files(
    config: Option<&Config>,
    config_text: Option<&str>,
    config_dir: &Path,
    inside: &[PathBuf],
    allowed_outside: &[PathBuf],
) -> Vec<GlossaryFileTarget> {
    let entries: Vec<(String, bool)> = match config {
        Some(config) if !config.glossary_files.is_empty() => config.glossary_files.iter().map(|file| (file.clone(), true)).collect(),
        _ => vec![(DEFAULT_WORKSPACE_FILE.to_string(), false)],
    };
    let mut search_from = 0;
    entries
        .into_iter()
        .map(|(entry, named)| {
            let span = match (named, config_text) {
                (true, Some(text)) => entry_span(text, &entry, search_from),
                _ => 0..0,
            };
            if !span.is_empty() {
                search_from = span.end;
            }
            let joined = config_dir.join(&entry);
            let (path, refusal) = match fs::resolve(&joined) {
                Ok(resolved) => {
                    let refusal = (!fs::is_inside(&resolved, inside) && !fs::is_inside(&resolved, allowed_outside))
                        .then(|| outside_message(&resolved, inside));
                    (resolved, refusal)
                }
                Err(error) => (joined, Some(error.kind.to_string())),
            };
            GlossaryFileTarget { entry, path, named, span, refusal }
        })
        .collect()
}

/// The message for a glossary file outside the folders it may be read from.
fn outside_message(path: &Path, inside: &[PathBuf]) -> String {
    let folders: Vec<String> = inside.iter().map(|folder| folder.display().to_string()).collect();
    format!(
        "{} is outside the workspace ({}): not read. Allow it in your own editor settings (`kanwu.allowOutside`) or with `--allow-outside`",
        path.display(),
        if folders.is_empty() { "none".to_string() } else { folders.join(", ") }
    )
}

/// Reads a glossary file that [`glossary_files`] accepted, as text, with the core guard (a regular
/// file of at most `MAX_SETTINGS_BYTES`; pipes and devices are refused at once). The place is
/// checked again, since the file may have been replaced by a link meanwhile.
pub fn read_glossary_file(path: &Path, inside: &[PathBuf], allowed_outside: &[PathBuf]) -> Result<(String, FileStamp), FsError> {
    if !fs::is_inside(path, inside) && !fs::is_inside(path, allowed_outside) {
        return Err(FsError::new(path, FsErrorKind::Outside(outside_message(path, inside))));
    }
    fs::read_settings_text(path)
}

/// A project's glossary as a batch command reads it: the built-in glossary with the workspace
/// files laid over it, and a warning for each named file that was left out.
#[derive(Debug)]
pub struct LoadedGlossary {
    pub glossary: Glossary,
    /// One line per file left out (missing, or outside the workspace), with its place in `kanwu.toml`.
    pub warnings: Vec<String>,
}

/// Loads the glossary in force for `config` as the command line does: the workspace files it names
/// (or the `glossary.toml` beside its `kanwu.toml`) must lie inside that file's folder or one of
/// `allowed_outside`; a file outside, or a named file that is missing, is left out with a warning
/// that gives its line and column in `kanwu.toml`; a file that cannot be read or parsed is an error.
pub fn load_glossary(config: &Config, allowed_outside: &[PathBuf]) -> Result<LoadedGlossary, String> {
    let Some(config_path) = config.source.as_deref() else {
        return Ok(LoadedGlossary { glossary: Glossary::builtin().clone(), warnings: Vec::new() });
    };
    let config_dir = config_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let inside = vec![fs::resolve(&config_dir).unwrap_or_else(|_| config_dir.clone())];
    let allowed: Vec<PathBuf> = allowed_outside.iter().map(|path| fs::resolve(path).unwrap_or_else(|_| path.clone())).collect();
    let config_text = fs::read_settings_text(config_path).ok().map(|(text, _)| text);
    let targets = glossary_files(Some(config), config_text.as_deref(), &config_dir, &inside, &allowed);
    let place = |target: &GlossaryFileTarget| match &config_text {
        Some(text) if target.named => {
            let (line, column) = line_column(text, target.span.start);
            format!("{}:{line}:{column}", config_path.display())
        }
        _ => config_path.display().to_string(),
    };
    let mut warnings = Vec::new();
    let mut layers = Vec::new();
    for target in &targets {
        let missing = std::fs::symlink_metadata(&target.path).is_err();
        if missing {
            if target.named {
                warnings.push(format!(
                    "{}: glossary file `{}` (in [glossary] files) does not exist at {}; going on without it",
                    place(target),
                    target.entry,
                    target.path.display()
                ));
            }
            continue;
        }
        if let Some(refusal) = &target.refusal {
            warnings.push(format!("{}: glossary file `{}`: {refusal}; going on without it", place(target), target.entry));
            continue;
        }
        let (text, _) = read_glossary_file(&target.path, &inside, &allowed)
            .map_err(|error| format!("{}: cannot read: {}", target.path.display(), error.kind))?;
        layers.push(Glossary::parse(&text, Some(&target.path)).map_err(|error| error.to_string())?);
    }
    let glossary = if layers.is_empty() { Glossary::builtin().clone() } else { Glossary::layered(Glossary::builtin(), &layers) };
    Ok(LoadedGlossary { glossary, warnings })
}

/// Loads the glossary in force in `folder`: the nearest `kanwu.toml` upward decides, as in
/// [`load_glossary`]; without one, a `glossary.toml` in `folder` itself is laid over the built-in one.
pub fn load_glossary_for_folder(folder: &Path, allowed_outside: &[PathBuf]) -> Result<LoadedGlossary, String> {
    if let Some(path) = Config::find_upward(folder) {
        let config = Config::load(&path).map_err(|error| error.to_string())?;
        return load_glossary(&config, allowed_outside);
    }
    let default = folder.join(DEFAULT_WORKSPACE_FILE);
    if std::fs::symlink_metadata(&default).is_err() {
        return Ok(LoadedGlossary { glossary: Glossary::builtin().clone(), warnings: Vec::new() });
    }
    let inside = vec![fs::resolve(folder).unwrap_or_else(|_| folder.to_path_buf())];
    let (text, _) = read_glossary_file(&fs::resolve(&default).unwrap_or(default.clone()), &inside, allowed_outside)
        .map_err(|error| format!("{}: cannot read: {} (no {CONFIG_FILE_NAME} names it)", default.display(), error.kind))?;
    let workspace = Glossary::parse(&text, Some(&default)).map_err(|error| error.to_string())?;
    Ok(LoadedGlossary { glossary: Glossary::layered(Glossary::builtin(), [&workspace]), warnings: Vec::new() })
}

/// The byte range of `entry` as a quoted string in the text of `kanwu.toml`, searched after the
/// `[glossary]` header and from `from` on (so a name listed twice gets two places); the `files`
/// key, or the header, when the string is not found as written (escapes, say).
pub fn entry_span(text: &str, entry: &str, from: usize) -> Range<usize> {
    let header = text.find("[glossary]").unwrap_or(0);
    let start = from.max(header);
    let earliest = ['"', '\'']
        .into_iter()
        .filter_map(|quote| {
            let quoted = format!("{quote}{entry}{quote}");
            text.get(start..).and_then(|rest| rest.find(&quoted)).map(|found| (start + found, quoted.len()))
        })
        .min();
    if let Some((at, len)) = earliest {
        return at..at + len;
    }
    if let Some(found) = text.get(header..).and_then(|rest| rest.find("files")) {
        return header + found..header + found + "files".len();
    }
    header..header + if text[header..].starts_with("[glossary]") { "[glossary]".len() } else { 0 }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    crate::line_index::LineIndex::new(text).display_position(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kanwu-project-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    #[test]
    fn entries_outside_the_workspace_are_refused_unless_allowed() {
        let base = temp("outside");
        let workspace = base.join("ws");
        let outside = base.join("outside");
        std::fs::create_dir_all(&workspace).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.toml"), "").unwrap();
        let text = "[glossary]\nfiles = [\"terms.toml\", \"../outside/secret.toml\", \"/etc/passwd\"]\n";
        let config = Config::parse(text, None).unwrap();
        let inside = vec![workspace.clone()];
        let targets = glossary_files(Some(&config), Some(text), &workspace, &inside, &[]);
        assert_eq!(targets.len(), 3);
        assert_eq!(targets[0].refusal, None);
        assert_eq!(targets[0].path, workspace.join("terms.toml"));
        assert!(targets[1].refusal.as_deref().is_some_and(|message| message.contains("outside the workspace")), "{targets:?}");
        assert_eq!(&text[targets[1].span.clone()], "\"../outside/secret.toml\"");
        assert!(targets[2].refusal.is_some());
        let allowed = glossary_files(Some(&config), Some(text), &workspace, &inside, std::slice::from_ref(&outside));
        assert_eq!(allowed[1].refusal, None);
        assert_eq!(allowed[1].path, outside.join("secret.toml"));
        assert!(read_glossary_file(&outside.join("secret.toml"), &inside, &[]).is_err());
        assert!(read_glossary_file(&outside.join("secret.toml"), &inside, &[outside]).is_ok());
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_default_glossary_is_not_named() {
        let workspace = temp("default");
        let targets = glossary_files(None, None, &workspace, std::slice::from_ref(&workspace), &[]);
        assert_eq!(targets.len(), 1);
        assert!(!targets[0].named);
        assert_eq!(targets[0].path, workspace.join(DEFAULT_WORKSPACE_FILE));
        let _ = std::fs::remove_dir_all(&workspace);
    }

    #[test]
    fn entry_places_follow_the_text() {
        let text = "locale = \"zh\"\n[glossary]\nfiles = ['a.toml', \"a.toml\"]\n";
        let first = entry_span(text, "a.toml", 0);
        assert_eq!(&text[first.clone()], "'a.toml'");
        assert_eq!(&text[entry_span(text, "a.toml", first.end)], "\"a.toml\"");
        assert_eq!(&text[entry_span(text, "b\\u0041.toml", 0)], "files");
        assert_eq!(line_column(text, first.start), (3, 10));
    }
}
