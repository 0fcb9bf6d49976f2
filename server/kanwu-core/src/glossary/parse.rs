//! Reading glossary files: the `[[term]]` entries with their places in the file, validated, and the
//! errors that name a file, line and column.

use super::{Category, Entry, EntrySource};
use crate::types::SettingsFile;
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// A glossary file error with its place in the file: the one located error of the settings files.
pub type GlossaryError = crate::types::LocatedError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    term: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    term: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    category: Spanned<String>,
    definition: Spanned<String>,
    english: Spanned<String>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
}

/// Parses and validates the entries of one glossary file.
pub(super) fn parse_entries(text: &str, path: Option<&Path>) -> Result<Vec<Entry>, GlossaryError> {
    let lines = crate::line_index::LineIndex::new(text);
    let line_column = |text: &str, offset: usize| lines.display_position(text, offset);
    let error_at =
        |span: Range<usize>, message: String| GlossaryError::at(SettingsFile::Glossary, path.map(Path::to_path_buf), text, span, message);
    // The usual shape of a glossary file is read directly; anything else goes through the toml crate,
    // which also words the syntax errors.
    let raw: RawFile = match fast::parse(text) {
        Some(raw) => raw,
        None => toml::from_str(text).map_err(|error| error_at(error.span().unwrap_or(0..0), error.message().trim().to_string()))?,
    };
    let mut entries = Vec::with_capacity(raw.term.len());
    // Every name of this file, with the index of the entry that uses it first.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(raw.term.len() * 2);
    for raw_entry in raw.term {
        let term_span = raw_entry.term.span();
        let term = raw_entry.term.into_inner().trim().to_string();
        if term.is_empty() {
            return Err(error_at(term_span, "`term` is empty".to_string()));
        }
        let category_span = raw_entry.category.span();
        let category_name = raw_entry.category.into_inner();
        let Some(category) = Category::parse(category_name.trim()) else {
            let known: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
            return Err(error_at(category_span, format!("unknown category `{category_name}`; expected one of {}", known.join(", "))));
        };
        let required = |field: Spanned<String>, name: &str| {
            let span = field.span();
            let value = field.into_inner().trim().to_string();
            if value.is_empty() {
                Err(error_at(span, format!("`{name}` of `{term}` is empty")))
            } else {
                Ok(value)
            }
        };
        let definition = required(raw_entry.definition, "definition")?;
        let english = required(raw_entry.english, "english")?;
        let mut names = vec![(term.clone(), term_span.clone())];
        for alias in raw_entry.aliases {
            let span = alias.span();
            let alias = alias.into_inner().trim().to_string();
            if alias.is_empty() {
                return Err(error_at(span, format!("an alias of `{term}` is empty")));
            }
            names.push((alias, span));
        }
        for (name, span) in &names {
            if let Some(&owner) = seen.get(name) {
                let message = match entries.get(owner) {
                    Some(Entry { term: owner, source, .. }) => {
                        format!("`{name}` of `{term}` is already used by `{owner}` (line {})", source.line)
                    }
                    None => format!("`{name}` is listed twice in `{term}`"),
                };
                return Err(error_at(span.clone(), message));
            }
            seen.insert(name.clone(), entries.len());
        }
        let related = raw_entry
            .related
            .into_iter()
            .map(|related| related.into_inner().trim().to_string())
            .filter(|related| !related.is_empty())
            .collect();
        let line = line_column(text, term_span.start).0;
        entries.push(Entry {
            term,
            aliases: names.into_iter().skip(1).map(|(name, _)| name).collect(),
            category,
            definition,
            english,
            related,
            source: EntrySource { path: path.map(Path::to_path_buf), line, span: term_span },
        });
    }
    Ok(entries)
}

/// A direct reader for glossary files of the usual shape, several times faster than the toml crate
/// on big files: comments, blank lines, `[[term]]` headers, and one `key = value` per line where the
/// key is a field of an entry and the value a basic string or a one-line array of them. It gives
/// exactly the `RawFile` (spans included) the toml crate would give, and returns `None` for anything
/// else (other syntax, a repeated or unknown key, a missing field, an invalid character), so that
/// the toml crate reads the file or words its error.
mod fast {
    use super::{RawEntry, RawFile};
    use toml::Spanned;

    /// The fields of the entry being read.
    #[derive(Default)]
    struct Partial {
        term: Option<Spanned<String>>,
        aliases: Option<Vec<Spanned<String>>>,
        category: Option<Spanned<String>>,
        definition: Option<Spanned<String>>,
        english: Option<Spanned<String>>,
        related: Option<Vec<Spanned<String>>>,
    }

    impl Partial {
        fn finish(self) -> Option<RawEntry> {
            Some(RawEntry {
                term: self.term?,
                aliases: self.aliases.unwrap_or_default(),
                category: self.category?,
                definition: self.definition?,
                english: self.english?,
                related: self.related.unwrap_or_default(),
            })
        }
    }

    /// A position in one line of the text.
    struct Cursor<'a> {
        text: &'a str,
        pos: usize,
        end: usize,
    }

    impl Cursor<'_> {
        fn peek(&self) -> Option<u8> {
            (self.pos < self.end).then(|| self.text.as_bytes()[self.pos])
        }

        fn skip_spaces(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
        }

        fn eat(&mut self, token: &str) -> Option<()> {
            self.text[self.pos..self.end].starts_with(token).then(|| self.pos += token.len())
        }

        /// Spaces, then a comment or the end of the line.
        fn end_of_line(&mut self) -> Option<()> {
            self.skip_spaces();
            match self.peek() {
                None => Some(()),
                Some(b'#') => self.text[self.pos + 1..self.end].chars().all(|c| c == '\t' || !c.is_control()).then_some(()),
                Some(_) => None,
            }
        }

        fn key(&mut self) -> &str {
            let start = self.pos;
            while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')) {
                self.pos += 1;
            }
            &self.text[start..self.pos]
        }

        /// A basic string, its span covering the quotes.
        fn string(&mut self) -> Option<Spanned<String>> {
            let start = self.pos;
            self.eat("\"")?;
            let mut value = String::new();
            let mut chars = self.text[self.pos..self.end].char_indices();
            while let Some((at, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += at + 1;
                        return Some(Spanned::new(start..self.pos, value));
                    }
                    '\\' => {
                        let (_, escape) = chars.next()?;
                        value.push(match escape {
                            'b' => '\u{8}',
                            't' => '\t',
                            'n' => '\n',
                            'f' => '\u{c}',
                            'r' => '\r',
                            '"' => '"',
                            '\\' => '\\',
                            'u' | 'U' => {
                                let digits = if escape == 'u' { 4 } else { 8 };
                                let hex: String = (0..digits).map(|_| chars.next().map(|(_, c)| c)).collect::<Option<String>>()?;
                                if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                                    return None;
                                }
                                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                            }
                            _ => return None,
                        });
                    }
                    c if c != '\t' && c.is_control() => return None,
                    c => value.push(c),
                }
            }
            None
        }

        /// A one-line array of basic strings (a trailing comma allowed).
        fn strings(&mut self) -> Option<Vec<Spanned<String>>> {
            self.eat("[")?;
            let mut items = Vec::new();
            loop {
                self.skip_spaces();
                if self.eat("]").is_some() {
                    return Some(items);
                }
                items.push(self.string()?);
                self.skip_spaces();
                if self.eat(",").is_none() {
                    self.skip_spaces();
                    self.eat("]")?;
                    return Some(items);
                }
            }
        }
    }

    /// Reads `text` if it has the usual shape.
    pub(super) fn parse(text: &str) -> Option<RawFile> {
        let mut entries = Vec::new();
        let mut current: Option<Partial> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let mut cursor = Cursor { text, pos: start, end: start + body.len() };
            cursor.skip_spaces();
            if matches!(cursor.peek(), None | Some(b'#')) {
                cursor.end_of_line()?;
                continue;
            }
            if cursor.eat("[[").is_some() {
                cursor.skip_spaces();
                cursor.eat("term")?;
                cursor.skip_spaces();
                cursor.eat("]]")?;
                cursor.end_of_line()?;
                if let Some(partial) = current.replace(Partial::default()) {
                    entries.push(partial.finish()?);
                }
                continue;
            }
            let partial = current.as_mut()?;
            let key = cursor.key();
            let slot_is_free = match key {
                "term" => partial.term.is_none(),
                "aliases" => partial.aliases.is_none(),
                "category" => partial.category.is_none(),
                "definition" => partial.definition.is_none(),
                "english" => partial.english.is_none(),
                "related" => partial.related.is_none(),
                _ => false,
            };
            if !slot_is_free {
                return None;
            }
            let key = key.to_string();
            cursor.skip_spaces();
            cursor.eat("=")?;
            cursor.skip_spaces();
            match key.as_str() {
                "term" => partial.term = Some(cursor.string()?),
                "category" => partial.category = Some(cursor.string()?),
                "definition" => partial.definition = Some(cursor.string()?),
                "english" => partial.english = Some(cursor.string()?),
                "aliases" => partial.aliases = Some(cursor.strings()?),
                _ => partial.related = Some(cursor.strings()?),
            }
            cursor.end_of_line()?;
        }
        if let Some(partial) = current {
            entries.push(partial.finish()?);
        }
        Some(RawFile { term: entries })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{entry_skeleton, Glossary, BUILTIN_TOML};
    use super::*;

    fn toml_reading(text: &str) -> Vec<Vec<(Range<usize>, String)>> {
        flatten(toml::from_str(text).unwrap())
    }

    /// Every field of every entry with its span (`Spanned` compares values only).
    fn flatten(raw: RawFile) -> Vec<Vec<(Range<usize>, String)>> {
        let one = |field: Spanned<String>| (field.span(), field.into_inner());
        raw.term
            .into_iter()
            .map(|e| {
                let mut fields = vec![one(e.term), one(e.category), one(e.definition), one(e.english)];
                fields.extend(e.aliases.into_iter().map(one));
                fields.push((0..0, "|".to_string()));
                fields.extend(e.related.into_iter().map(one));
                fields
            })
            .collect()
    }

    #[test]
    fn the_direct_reader_agrees_with_the_toml_crate() {
        let samples = [
            BUILTIN_TOML.to_string(),
            format!("# x\r\n{}", entry_skeleton("新\"词\\")),
            "[[ term ]] # c\nterm = \"两委\\u0041\" # t\n\taliases = [ \"a\" , \"b\", ]\ncategory=\"role\"\ndefinition = \"d\"\nenglish = \"e\"\nrelated = []\n".to_string(),
        ];
        for text in &samples {
            let fast = flatten(fast::parse(text).expect("usual shape"));
            assert_eq!(fast, toml_reading(text));
        }
        // Other shapes are left to the toml crate.
        for text in [
            "title = \"x\"\n",
            "[[term]]\nterm = 'literal'\ncategory = \"role\"\ndefinition = \"d\"\nenglish = \"e\"\n",
            "[[term]]\nterm = \"a\"\nterm = \"b\"\n",
            "[[term]]\nterm = \"a\"\ncategory = \"role\"\ndefinition = \"d\"\n",
            "[[term]]\nterm = \"a\"\naliases = [\n\"b\"]\ncategory = \"role\"\ndefinition = \"d\"\nenglish = \"e\"\n",
            "[[term]]\nterm = \"a\\q\"\n",
            "[[term]]\nterm = \"a\" x\n",
        ] {
            assert!(fast::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn term_line_is_recorded() {
        let glossary = Glossary::parse(
            "# x\n\n[[term]]\nterm = \"两委\"\ncategory = \"organization\"\ndefinition = \"定义。\"\nenglish = \"two committees\"\n",
            Some(Path::new("g.toml")),
        )
        .unwrap();
        assert_eq!(glossary.entry(0).source.line, 4);
        assert_eq!(glossary.entry(0).source.path.as_deref(), Some(Path::new("g.toml")));
    }
}
