//! Finding, parsing and loading the settings files with what they are checked against: `kanwu.toml` against the rule registry, and both it and glossary files read from disk through `workspace::fs`.
//!
//! These are defined here, in the workspace module (the one place where the core touches the disk)
//! and above `config`, `glossary` and `rules`, so that `config` knows no rule, the rules depend on
//! the configuration only, and neither the configuration nor the glossary does I/O.

use crate::config::{Config, ConfigError, CONFIG_FILE_NAME};
use crate::glossary::{Glossary, GlossaryError};
use crate::rules;
use crate::types::SettingsFile;
use std::path::{Path, PathBuf};

/// A configuration is parsed against the rule registry and read through `workspace::fs`.
impl Config {
    /// Parses the text of a `kanwu.toml`; `path` is only used in error messages. A rule code that no
    /// rule of the registry has is an error.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::parse_with(text, path, &|code| rules::rule_info(code).is_some())
    }

    /// The nearest `kanwu.toml` in `start` or one of its ancestors.
    pub fn find_upward(start: &Path) -> Option<PathBuf> {
        let start = if start.is_file() { start.parent()? } else { start };
        // A bare file name has an empty parent: the current folder.
        let start = if start.as_os_str().is_empty() { Path::new(".") } else { start };
        let start = start.canonicalize().ok()?;
        // Anything by that name counts (a pipe too): loading it then says what is wrong with it.
        start.ancestors().map(|dir| dir.join(CONFIG_FILE_NAME)).find(|candidate| candidate.exists() && !candidate.is_dir())
    }

    /// Reads and parses a configuration file (a regular file of bounded size: see `workspace::fs`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (text, _) = crate::workspace::fs::read_settings_text(path)
            .map_err(|error| ConfigError::whole_file(SettingsFile::Config, path.to_path_buf(), format!("cannot read: {}", error.kind)))?;
        Config::parse(&text, Some(path))
    }
}

/// A glossary file is read through `workspace::fs`.
impl Glossary {
    /// Reads and parses a glossary file (a regular file of bounded size: see `workspace::fs`).
    pub fn load(path: &Path) -> Result<Glossary, GlossaryError> {
        let (text, _) = crate::workspace::fs::read_settings_text(path).map_err(|error| {
            GlossaryError::whole_file(SettingsFile::Glossary, path.to_path_buf(), format!("cannot read: {}", error.kind))
        })?;
        Glossary::parse(&text, Some(path))
    }
}
