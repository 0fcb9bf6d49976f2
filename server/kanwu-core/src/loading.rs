//! Parsing and loading the settings files with what they are checked against: `kanwu.toml` against
//! the rule registry, and both it and glossary files read from disk through `workspace::fs`. These
//! are defined here, above `config`, `glossary`, `rules` and `workspace`, so that `config` knows no
//! rule, the rules depend on the configuration only, and neither the configuration nor the glossary
//! depends on the workspace module that looks their files up.

use crate::config::{Config, ConfigError};
use crate::glossary::{Glossary, GlossaryError};
use crate::rules;
use crate::types::SettingsFile;
use std::path::Path;

/// A configuration is parsed against the rule registry and read through `workspace::fs`.
impl Config {
    /// Parses the text of a `kanwu.toml`; `path` is only used in error messages. A rule code that no
    /// rule of the registry has is an error.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::parse_with(text, path, &|code| rules::rule_info(code).is_some())
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
