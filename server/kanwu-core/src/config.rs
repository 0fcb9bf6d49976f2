//! `kanwu.toml`: which rules run at which severity, what to check, and what to leave alone.
//!
//! This module knows no rule: [`Config::parse_with`] checks rule codes against the registry its
//! caller passes. [`Config::parse`] and [`Config::load`], which pass the rule registry, are defined
//! in `loading.rs`, above both this module and `rules`, so that the rules depend on the
//! configuration and never the other way round.

use crate::types::{Locale, SettingsFile, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for upward from a checked path.
pub const CONFIG_FILE_NAME: &str = "kanwu.toml";

/// The include glob used when a configuration names none.
pub const DEFAULT_INCLUDE: &str = "**/*.txt";

/// How one rule is set: off, or on at a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    On(Option<Severity>),
}

/// A parsed, validated configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Per-rule settings by code; rules not named keep their defaults.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Globs of the pages to check below a folder (default `**/*.txt`).
    pub include: Vec<String>,
    /// Globs of paths never checked.
    pub exclude: Vec<String>,
    /// Words and phrases to leave alone: a diagnostic inside one of them is dropped.
    pub ignore: Vec<String>,
    /// Known misreadings of the team's scans, misread text to correct text.
    pub misreadings: Vec<(String, String)>,
    /// Workspace glossary files, relative to the configuration file.
    pub glossary_files: Vec<String>,
    /// The message language, when the configuration fixes one.
    pub locale: Option<Locale>,
    /// The file the configuration was read from, if any.
    pub source: Option<PathBuf>,
    /// Thresholds of the page reading; not read from `kanwu.toml` (the quality report tunes them).
    pub tuning: crate::page::Tuning,
}

/// A configuration error with its place in the file: the one located error of the settings files.
pub type ConfigError = crate::types::LocatedError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    misreadings: BTreeMap<String, String>,
    #[serde(default)]
    glossary: Option<RawGlossary>,
    #[serde(default)]
    locale: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    #[serde(default)]
    files: Vec<String>,
}

impl Config {
    /// Parses the text of a `kanwu.toml`; `path` is only used in error messages, and a rule code
    /// for which `is_rule` is false is an error.
    pub fn parse_with(text: &str, path: Option<&Path>, is_rule: &dyn Fn(&str) -> bool) -> Result<Config, ConfigError> {
        let (quoted, insertions) = quote_bare_unicode_keys(text);
        // Spans come from the quoted text; errors name places in the original.
        let error_at = |span: std::ops::Range<usize>, message: String| {
            let span = original_offset(&insertions, span.start)..original_offset(&insertions, span.end);
            ConfigError::at(SettingsFile::Config, path.map(Path::to_path_buf), text, span, message)
        };
        let raw: RawConfig = toml::from_str(&quoted).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            error_at(span, error.message().trim().to_string())
        })?;
        let mut rules = BTreeMap::new();
        for (code, value) in raw.rules {
            let code_span = code.span();
            let code = code.into_inner();
            if !is_rule(&code) {
                return Err(error_at(code_span, format!("unknown rule `{code}`")));
            }
            let value_span = value.span();
            let setting = match value.into_inner() {
                toml::Value::Boolean(true) => RuleSetting::On(None),
                toml::Value::Boolean(false) => RuleSetting::Off,
                toml::Value::String(name) if name == "off" => RuleSetting::Off,
                toml::Value::String(name) if name == "on" => RuleSetting::On(None),
                toml::Value::String(name) => match Severity::parse(&name) {
                    Some(severity) => RuleSetting::On(Some(severity)),
                    None => {
                        return Err(error_at(
                            value_span,
                            format!("rule `{code}`: expected \"off\", \"on\", \"error\", \"warning\", \"information\" or \"hint\", found \"{name}\""),
                        ))
                    }
                },
                other => {
                    return Err(error_at(value_span, format!("rule `{code}`: expected a severity name or true/false, found {}", other.type_str())))
                }
            };
            rules.insert(code, setting);
        }
        let misreadings = raw.misreadings.into_iter().filter(|(wrong, _)| !wrong.is_empty()).collect();
        // Globs are checked here, where their place in the file is known, so that whoever uses
        // them (the command line's walk, the server's page filter) never meets a bad one.
        let globs = |key: &str, patterns: Vec<Spanned<String>>| -> Result<Vec<String>, ConfigError> {
            patterns
                .into_iter()
                .map(|pattern| {
                    let span = pattern.span();
                    let pattern = pattern.into_inner();
                    match globset::Glob::new(&pattern) {
                        Ok(_) => Ok(pattern),
                        Err(error) => Err(error_at(span, format!("`{key}`: bad glob \"{pattern}\": {}", error.kind()))),
                    }
                })
                .collect()
        };
        let include = match raw.include {
            Some(patterns) => globs("include", patterns)?,
            None => vec![DEFAULT_INCLUDE.to_string()],
        };
        let exclude = globs("exclude", raw.exclude)?;
        let locale = match raw.locale {
            Some(tag) => {
                let span = tag.span();
                let tag = tag.into_inner();
                match parse_locale(&tag) {
                    Some(locale) => Some(locale),
                    None => {
                        return Err(error_at(
                            span,
                            format!("unknown locale \"{tag}\": expected \"zh\" or \"en\" (or a tag starting with one, such as \"zh-CN\")"),
                        ))
                    }
                }
            }
            None => None,
        };
        Ok(Config {
            rules,
            include,
            exclude,
            ignore: raw.ignore.into_iter().filter(|word| !word.trim().is_empty()).collect(),
            misreadings,
            glossary_files: raw.glossary.map(|glossary| glossary.files).unwrap_or_default(),
            locale,
            source: path.map(Path::to_path_buf),
            tuning: crate::page::Tuning::default(),
        })
    }

    /// The configuration in force by default: every rule at its default severity.
    pub fn with_defaults() -> Config {
        Config { include: vec![DEFAULT_INCLUDE.to_string()], ..Config::default() }
    }

    /// Whether the rule `code` runs, and at which severity.
    pub fn severity_of(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(code) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::On(severity)) => Some(severity.unwrap_or(default)),
            None => Some(default),
        }
    }

    /// Lays `overlay` over this configuration: its rule settings win, its lists extend ours.
    pub fn merged_with(&self, overlay: &Config) -> Config {
        let mut merged = self.clone();
        for (code, setting) in &overlay.rules {
            merged.rules.insert(code.clone(), *setting);
        }
        for word in &overlay.ignore {
            if !merged.ignore.contains(word) {
                merged.ignore.push(word.clone());
            }
        }
        for pair in &overlay.misreadings {
            merged.misreadings.retain(|(wrong, _)| wrong != &pair.0);
            merged.misreadings.push(pair.clone());
        }
        merged.exclude.extend(overlay.exclude.iter().cloned());
        merged.glossary_files.extend(overlay.glossary_files.iter().cloned());
        if overlay.locale.is_some() {
            merged.locale = overlay.locale;
        }
        merged
    }
}

/// The locale a `kanwu.toml` names: `zh` or `en`, alone or followed by a region or encoding
/// (`zh-CN`, `zh_TW.UTF-8`, `en-GB`), in any case, as `Locale::from_tag` reads them; `None` for
/// anything else.
fn parse_locale(tag: &str) -> Option<Locale> {
    let lowered = tag.trim().to_ascii_lowercase();
    let language = lowered.get(..2)?;
    let rest = &lowered[2..];
    let known = matches!(language, "zh" | "en") && (rest.is_empty() || rest.starts_with(['-', '_', '.']));
    known.then(|| Locale::from_tag(tag))
}

/// TOML keeps bare keys to ASCII, but a misreadings table reads best as `接糕 = "接羔"`: quote such
/// keys before parsing. Returns the quoted text and the original offsets where a `"` was inserted.
fn quote_bare_unicode_keys(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len() + 16);
    let mut insertions = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let rest = &line[indent..];
        let key_len = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(0);
        let key = &rest[..key_len];
        let after = rest[key_len..].trim_start_matches([' ', '\t']);
        let is_bare_unicode_key =
            key_len > 0 && after.starts_with('=') && !key.is_ascii() && key.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if is_bare_unicode_key {
            out.push_str(&line[..indent]);
            out.push('"');
            out.push_str(key);
            out.push('"');
            out.push_str(&rest[key_len..]);
            insertions.push(offset + indent);
            insertions.push(offset + indent + key_len);
        } else {
            out.push_str(line);
        }
        offset += line.len();
    }
    (out, insertions)
}

/// Maps an offset in the quoted text back to the original text.
fn original_offset(insertions: &[usize], quoted_offset: usize) -> usize {
    let mut shift = 0;
    for &at in insertions {
        if at + shift < quoted_offset {
            shift += 1;
        }
    }
    quoted_offset - shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_lists_and_misreadings() {
        let config =
            Config::parse("ignore = [\"层层\"]\n[rules]\ncjk-space = \"hint\"\nellipsis = false\n[misreadings]\n接糕 = \"接羔\"\n", None)
                .unwrap();
        assert_eq!(config.rules["cjk-space"], RuleSetting::On(Some(Severity::Hint)));
        assert_eq!(config.rules["ellipsis"], RuleSetting::Off);
        assert_eq!(config.misreadings, vec![("接糕".to_string(), "接羔".to_string())]);
        assert_eq!(config.include, vec![DEFAULT_INCLUDE.to_string()]);
    }

    #[test]
    fn reports_unknown_rule_with_line_and_column() {
        let error = Config::parse("[rules]\n  no-such-rule = \"hint\"\n", None).unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
        assert!(error.message.contains("no-such-rule"), "{}", error.message);
    }

    #[test]
    fn reports_syntax_error_with_place() {
        let error = Config::parse("ignore = [\"a\"\n[rules]\n", None).unwrap_err();
        assert!(error.line >= 1 && error.column >= 1);
        assert!(!error.message.is_empty());
    }

    #[test]
    fn bare_unicode_keys_are_accepted_and_errors_keep_their_place() {
        let config = Config::parse("[misreadings]\n接糕 = \"接羔\"\n\"牧另\" = \"牧民\"\n", None).unwrap();
        assert_eq!(config.misreadings.len(), 2);
        let error = Config::parse("[misreadings]\n接糕 = \"接羔\"\n[rules]\nline-wrap = \"loud\"\n", None).unwrap_err();
        assert_eq!((error.line, error.column), (4, 13));
    }

    #[test]
    fn reports_a_bad_glob_with_its_place() {
        let error = Config::parse("include = [\"**/*.txt\", \"pages/[.txt\"]\n", None).unwrap_err();
        assert_eq!((error.line, error.column), (1, 24), "{error}");
        assert!(error.message.contains("include") && error.message.contains("pages/[.txt"), "{}", error.message);
        let error = Config::parse("# drafts\nexclude = [\n  \"drafts/{a,b\",\n]\n", None).unwrap_err();
        assert_eq!((error.line, error.column), (3, 3), "{error}");
        assert!(error.message.contains("exclude"), "{}", error.message);
    }

    #[test]
    fn accepts_chinese_and_english_locale_tags_and_rejects_others_with_their_place() {
        for (tag, locale) in
            [("zh", Locale::Zh), ("zh-CN", Locale::Zh), ("zh_TW.UTF-8", Locale::Zh), ("EN", Locale::En), ("en-GB", Locale::En)]
        {
            let config = Config::parse(&format!("locale = \"{tag}\"\n"), None).unwrap();
            assert_eq!(config.locale, Some(locale), "{tag}");
        }
        for tag in ["klingon", "english", "", "fr"] {
            let error = Config::parse(&format!("ignore = []\nlocale = \"{tag}\"\n"), None).unwrap_err();
            assert_eq!((error.line, error.column), (2, 10), "{tag}: {error}");
            assert!(error.message.contains("unknown locale"), "{}", error.message);
        }
    }

    #[test]
    fn reports_bad_severity() {
        let error = Config::parse("[rules]\nellipsis = \"loud\"\n", None).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("loud"));
    }
}
