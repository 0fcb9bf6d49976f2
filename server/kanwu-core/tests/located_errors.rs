//! The settings files (`kanwu.toml`, glossary files, `.kanwu/ignored.toml`) report errors through
//! one type, located in the file and shown as `file:line:column: message`.

use kanwu_core::glossary::Glossary;
use kanwu_core::suppress::Suppressions;
use kanwu_core::{Config, LocatedError, SettingsFile};
use std::path::{Path, PathBuf};

#[test]
fn config_glossary_and_sidecar_errors_are_one_located_type() {
    let config: LocatedError =
        Config::parse("[rules]\n全角 = 1\nno-such-rule = \"off\"\n", Some(Path::new("site/kanwu.toml"))).unwrap_err();
    assert_eq!(config.file, SettingsFile::Config);
    assert_eq!((config.line, config.column), (3, 1), "{config}");
    assert!(config.to_string().starts_with("site/kanwu.toml:3:1: unknown rule `no-such-rule`"), "{config}");

    let text = "[[term]]\nterm = \"两委\"\ncategory = \"party\"\ndefinition = \"d\"\nenglish = \"e\"\n";
    let glossary: LocatedError = Glossary::parse(text, Some(Path::new("g.toml"))).unwrap_err();
    assert_eq!(glossary.file, SettingsFile::Glossary);
    assert_eq!(&text[glossary.span.clone()], "\"party\"");
    assert!(glossary.to_string().starts_with("g.toml:3:12: unknown category `party`"), "{glossary}");

    let sidecar = "[[occurrence]]\npage = \"a.txt\"\n甲 = =\n";
    let ignored: LocatedError = Suppressions::parse_in(sidecar, Some(Path::new(".kanwu/ignored.toml"))).unwrap_err();
    assert_eq!(ignored.file, SettingsFile::Ignored);
    assert_eq!(ignored.line, 3, "{ignored}");
    assert!(ignored.to_string().starts_with(".kanwu/ignored.toml:3:"), "{ignored}");
    assert_eq!(Suppressions::parse(sidecar).unwrap_err(), ignored.message);
}

#[test]
fn errors_without_a_path_name_their_kind_of_file() {
    let config = Config::parse("locale = \"fr\"\n", None).unwrap_err();
    assert!(config.to_string().starts_with("kanwu.toml:1:10: "), "{config}");
    let glossary = Glossary::parse("[[term]]\nterm = \"\"\n", None).unwrap_err();
    assert!(glossary.to_string().starts_with("builtin.toml:"), "{glossary}");
    let unreadable = LocatedError::whole_file(SettingsFile::Ignored, PathBuf::from("x/ignored.toml"), "cannot read: a named pipe".into());
    assert_eq!(unreadable.to_string(), "x/ignored.toml:1:1: cannot read: a named pipe");
}

#[test]
fn a_place_is_found_on_character_boundaries_and_in_characters() {
    let text = "甲乙\n丙丁 = x\n";
    let error = LocatedError::at(SettingsFile::Config, None, text, 13..14, "bad".into());
    assert_eq!((error.line, error.column), (2, 3));
    // An offset inside a character, or past the end, never panics.
    let inside = LocatedError::at(SettingsFile::Config, None, text, 1..2, "bad".into());
    assert_eq!((inside.line, inside.column), (1, 1));
    let past = LocatedError::at(SettingsFile::Config, None, text, 99..99, "bad".into());
    assert_eq!(past.line, 3);
}
