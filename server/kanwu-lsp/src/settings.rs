//! Editor settings (section `kanwu`): read from `initializationOptions`,
//! `workspace/didChangeConfiguration` and `workspace/configuration`.
//!
//! ```json
//! { "rules": { "cjk-space": "hint", "ellipsis": "off" }, "ignore": ["层层"],
//!   "locale": "zh-CN", "fixAll": { "layout": false }, "debounceMs": 150, "maxProblems": 1000,
//!   "allowOutside": ["/srv/shared/glossary.toml"] }
//! ```
//! `fixAll.layout` may also be written as a dotted key. Unknown keys are ignored; bad values are
//! reported (as log messages) and skipped, so one typo never disables the rest.

use kanwu_core::config::RuleSetting;
use kanwu_core::{rules, Config, Locale, Severity};
use serde_json::Value;

/// The debounce before a changed page is analysed, when the settings name none.
pub const DEFAULT_DEBOUNCE_MS: u64 = 150;

/// The most diagnostics sent per page, when the settings name no limit.
pub const DEFAULT_MAX_PROBLEMS: usize = 1000;

/// Settings from the editor.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Rules and ignore list, laid over each workspace's `kanwu.toml`.
    pub overlay: Config,
    /// Message language forced by the settings.
    pub locale: Option<Locale>,
    /// Whether `source.fixAll.kanwu` also applies the layout rules.
    pub fix_all_layout: bool,
    pub debounce_ms: u64,
    /// The most diagnostics pushed or pulled per page, the most severe first; 0 for no limit.
    pub max_problems: usize,
    /// Files and folders outside the workspace that a `kanwu.toml` may name as glossary files
    /// (`allowOutside`, absolute paths). Only the user's own settings should carry it: VS Code
    /// declares it with application scope, so a workspace cannot grant itself access.
    pub allow_outside: Vec<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            overlay: Config::default(),
            locale: None,
            fix_all_layout: false,
            debounce_ms: DEFAULT_DEBOUNCE_MS,
            max_problems: DEFAULT_MAX_PROBLEMS,
            allow_outside: Vec::new(),
        }
    }
}

impl Settings {
    /// Reads settings from a JSON value: either the `kanwu` section itself or an object holding
    /// it under `kanwu`. Returns the settings and the problems found.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let section = match value.get("kanwu") {
            Some(section) if section.is_object() => section,
            _ => value,
        };
        let Some(object) = section.as_object() else {
            return (settings, problems);
        };
        if let Some(rules_value) = object.get("rules") {
            match rules_value.as_object() {
                Some(map) => {
                    for (code, level) in map {
                        if rules::rule_info(code).is_none() {
                            problems.push(format!("kanwu.rules: unknown rule `{code}`"));
                            continue;
                        }
                        match parse_level(level) {
                            Some(setting) => {
                                settings.overlay.rules.insert(code.clone(), setting);
                            }
                            None => problems.push(format!(
                                "kanwu.rules.{code}: expected \"off\", \"error\", \"warning\", \"information\" or \"hint\", found {level}"
                            )),
                        }
                    }
                }
                None if rules_value.is_null() => {}
                None => problems.push("kanwu.rules: expected an object".to_string()),
            }
        }
        if let Some(ignore) = object.get("ignore") {
            match ignore.as_array() {
                Some(words) => {
                    for word in words {
                        match word.as_str() {
                            Some(word) if !word.trim().is_empty() => settings.overlay.ignore.push(word.to_string()),
                            Some(_) => {}
                            None => problems.push(format!("kanwu.ignore: expected strings, found {word}")),
                        }
                    }
                }
                None if ignore.is_null() => {}
                None => problems.push("kanwu.ignore: expected a list of strings".to_string()),
            }
        }
        match object.get("locale") {
            Some(Value::String(tag)) if !tag.trim().is_empty() && tag != "auto" => settings.locale = Some(Locale::from_tag(tag)),
            Some(Value::String(_)) | Some(Value::Null) | None => {}
            Some(other) => problems.push(format!("kanwu.locale: expected a language tag, found {other}")),
        }
        let layout = object.get("fixAll").and_then(|fix_all| fix_all.get("layout")).or_else(|| object.get("fixAll.layout"));
        match layout {
            Some(Value::Bool(on)) => settings.fix_all_layout = *on,
            Some(Value::Null) | None => {}
            Some(other) => problems.push(format!("kanwu.fixAll.layout: expected true or false, found {other}")),
        }
        match object.get("debounceMs") {
            Some(value) if value.is_null() => {}
            Some(value) => match value.as_u64().or_else(|| value.as_f64().filter(|ms| *ms >= 0.0).map(|ms| ms as u64)) {
                Some(ms) => settings.debounce_ms = ms.min(10_000),
                None => problems.push(format!("kanwu.debounceMs: expected a number of milliseconds, found {value}")),
            },
            None => {}
        }
        match object.get("maxProblems") {
            Some(value) if value.is_null() => {}
            Some(value) => match value.as_u64().or_else(|| value.as_f64().filter(|n| *n >= 0.0).map(|n| n as u64)) {
                Some(max) => settings.max_problems = usize::try_from(max).unwrap_or(usize::MAX),
                None => problems.push(format!("kanwu.maxProblems: expected a number of problems (0 for no limit), found {value}")),
            },
            None => {}
        }
        if let Some(allowed) = object.get("allowOutside") {
            match allowed.as_array() {
                Some(paths) => {
                    for path in paths {
                        match path.as_str().map(std::path::Path::new) {
                            Some(path) if path.is_absolute() => settings.allow_outside.push(crate::session::canonical(path)),
                            _ => problems.push(format!("kanwu.allowOutside: expected absolute paths, found {path}")),
                        }
                    }
                }
                None if allowed.is_null() => {}
                None => problems.push("kanwu.allowOutside: expected a list of absolute paths".to_string()),
            }
        }
        (settings, problems)
    }
}

fn parse_level(value: &Value) -> Option<RuleSetting> {
    match value {
        Value::Bool(true) => Some(RuleSetting::On(None)),
        Value::Bool(false) => Some(RuleSetting::Off),
        Value::String(name) if name == "off" => Some(RuleSetting::Off),
        Value::String(name) if name == "on" => Some(RuleSetting::On(None)),
        Value::String(name) => Severity::parse(name).map(|severity| RuleSetting::On(Some(severity))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_section_and_reports_bad_values() {
        let (settings, problems) = Settings::from_json(&json!({
            "kanwu": { "ignore": ["层层", 3], "locale": "zh-TW", "fixAll": { "layout": true }, "debounceMs": 0, "rules": { "no-such": "hint" } }
        }));
        assert_eq!(settings.overlay.ignore, vec!["层层".to_string()]);
        assert_eq!(settings.locale, Some(Locale::Zh));
        assert!(settings.fix_all_layout);
        assert_eq!(settings.debounce_ms, 0);
        assert_eq!(settings.max_problems, DEFAULT_MAX_PROBLEMS);
        assert_eq!(Settings::from_json(&json!({ "maxProblems": 0 })).0.max_problems, 0);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (dotted, _) = Settings::from_json(&json!({ "fixAll.layout": true }));
        assert!(dotted.fix_all_layout);
        assert_eq!(Settings::from_json(&Value::Null).0, Settings::default());
        let (allowed, problems) = Settings::from_json(&json!({ "allowOutside": ["/", "relative/path"] }));
        assert_eq!(allowed.allow_outside, vec![std::path::PathBuf::from("/")]);
        assert_eq!(problems.len(), 1, "a relative path is refused: {problems:?}");
    }
}
