//! Glossary entries and their categories, and how they are shown: hover text in Markdown and plain
//! text, pinyin initials for completion, and the skeleton of a new entry.

use std::ops::Range;
use std::path::PathBuf;

use super::BUILTIN_FILE_NAME;

/// The subject area of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Organization,
    Role,
    Formula,
    Practice,
    Rural,
    Epidemic,
    Administrative,
    Culture,
}

impl Category {
    /// Every category, in the order of the built-in file.
    pub const ALL: [Category; 8] = [
        Category::Organization,
        Category::Role,
        Category::Formula,
        Category::Practice,
        Category::Rural,
        Category::Epidemic,
        Category::Administrative,
        Category::Culture,
    ];

    /// The name used in glossary files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Organization => "organization",
            Category::Role => "role",
            Category::Formula => "formula",
            Category::Practice => "practice",
            Category::Rural => "rural",
            Category::Epidemic => "epidemic",
            Category::Administrative => "administrative",
            Category::Culture => "culture",
        }
    }

    /// The Chinese name shown in hovers.
    pub fn zh_name(self) -> &'static str {
        match self {
            Category::Organization => "党政组织与机构",
            Category::Role => "职务与身份",
            Category::Formula => "提法与口号",
            Category::Practice => "制度与工作方法",
            Category::Rural => "农村牧区与扶贫政策",
            Category::Epidemic => "疫情防控",
            Category::Administrative => "行政区划与地名单位",
            Category::Culture => "民族与文化",
        }
    }

    /// The category named `name` in a glossary file.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|category| category.as_str() == name)
    }
}

/// Where an entry was defined, for go-to-definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySource {
    /// The workspace file, or `None` for the built-in glossary.
    pub path: Option<PathBuf>,
    /// 1-based line of the entry's `term = …` key.
    pub line: usize,
    /// Byte range of the entry's term string in its file.
    pub span: Range<usize>,
}

impl EntrySource {
    /// The file's name for messages: its path, or `builtin.toml`.
    pub fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(|| BUILTIN_FILE_NAME.to_string(), |path| path.display().to_string())
    }
}

/// One glossary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: String,
    pub aliases: Vec<String>,
    pub category: Category,
    /// The definition, in Chinese.
    pub definition: String,
    /// An English gloss for translators.
    pub english: String,
    /// Other terms of the glossary.
    pub related: Vec<String>,
    pub source: EntrySource,
}

impl Entry {
    /// The term and its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.term.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The pinyin initials of the term, for completion (`两委` → `lw`); Latin letters and digits are
    /// kept in lower case and punctuation is skipped.
    pub fn initials(&self) -> String {
        initials_of(&self.term)
    }

    /// The hover text in Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "**{}** · {}\n\n{}\n\n*{}*\n",
            escape_markdown(&self.term),
            self.category.zh_name(),
            escape_markdown(&self.definition),
            escape_markdown(&self.english)
        );
        if !self.aliases.is_empty() {
            out.push_str(&format!("\n别称：{}\n", escape_markdown(&self.aliases.join("、"))));
        }
        if !self.related.is_empty() {
            out.push_str(&format!("\n相关：{}\n", escape_markdown(&self.related.join("、"))));
        }
        out
    }

    /// The hover text as plain text, as `kanwu glossary show` prints it.
    pub fn to_plain_text(&self) -> String {
        let mut out = format!(
            "{}（{}，{}）\n定义：{}\n英文：{}\n",
            self.term,
            self.category.zh_name(),
            self.category.as_str(),
            self.definition,
            self.english
        );
        if !self.aliases.is_empty() {
            out.push_str(&format!("别称：{}\n", self.aliases.join("、")));
        }
        if !self.related.is_empty() {
            out.push_str(&format!("相关：{}\n", self.related.join("、")));
        }
        out
    }
}

/// The pinyin initials of a string: the first letter of each Han character's reading, Latin letters
/// and digits in lower case.
pub fn initials_of(text: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in text.chars() {
        if let Some(reading) = c.to_pinyin() {
            out.push_str(reading.first_letter());
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The placeholder definition of an entry skeleton.
pub const SKELETON_DEFINITION: &str = "（待补充定义）";

/// The placeholder English gloss of an entry skeleton.
pub const SKELETON_ENGLISH: &str = "(gloss to be written)";

/// The placeholder category of an entry skeleton.
pub const SKELETON_CATEGORY: Category = Category::Practice;

/// The TOML of a new entry for `term`, to append to a glossary file: a blank line, then a
/// `[[term]]` table with placeholder category, definition and English gloss that parse (so the
/// file stays valid and the term is found at once) and a comment listing the categories.
pub fn entry_skeleton(term: &str) -> String {
    let categories: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
    format!(
        "\n[[term]]\nterm = {}\naliases = []\n# {}\ncategory = \"{}\"\ndefinition = \"{SKELETON_DEFINITION}\"\nenglish = \"{SKELETON_ENGLISH}\"\n",
        toml_basic_string(term),
        categories.join(", "),
        SKELETON_CATEGORY.as_str(),
    )
}

/// A TOML basic string holding `text`.
fn toml_basic_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes the characters Markdown would read as formatting.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_categories() {
        assert_eq!(initials_of("两委"), "lw");
        assert_eq!(initials_of("12345热线"), "12345rx");
        assert_eq!(Category::parse("rural"), Some(Category::Rural));
        assert_eq!(Category::Rural.zh_name(), "农村牧区与扶贫政策");
    }

    #[test]
    fn skeleton_parses_and_names_the_term() {
        let text = format!("# workspace\n{}", entry_skeleton("新\"词\\"));
        let glossary = super::super::Glossary::parse(&text, None).unwrap();
        assert_eq!(glossary.entry(0).term, "新\"词\\");
        assert_eq!(glossary.entry(0).definition, SKELETON_DEFINITION);
    }
}
