//! A page's outline from its line kinds: articles, each with its headline, bylines, section heads and captions.
//!
//! An article starts at a headline followed closely by a byline, or at a byline with no such
//! headline before it, and runs to the next article's start. Other headlines are section heads;
//! a photo credit line with the body lines just before it in its block is a caption.

use crate::page::{LineKind, Page};
use std::ops::Range;

/// What an outline item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutlineKind {
    Headline,
    Byline,
    SectionHead,
    Caption,
}

impl OutlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutlineKind::Headline => "headline",
            OutlineKind::Byline => "byline",
            OutlineKind::SectionHead => "section",
            OutlineKind::Caption => "caption",
        }
    }
}

/// One item of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineItem {
    pub kind: OutlineKind,
    /// The item's text on one line (the lines of a headline joined, spaces trimmed).
    pub name: String,
    /// The original byte range of the item's lines.
    pub range: Range<usize>,
    /// The zero-based line the item starts on.
    pub line: usize,
}

/// An article: its byte range and line range, and its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// The headline's text, else the byline's, else the first item's or `""`.
    pub name: String,
    pub range: Range<usize>,
    /// Zero-based first and last line (inclusive).
    pub lines: Range<usize>,
    /// True for the leading part of a page before its first article start.
    pub preamble: bool,
    pub items: Vec<OutlineItem>,
}

/// How many non-blank lines after a headline a byline may stand and still sign its article.
const BYLINE_REACH: usize = 3;

/// The text of a group of lines joined (no separator: a headline broken over lines is one phrase).
fn joined(text: &str, page: &Page, lines: &Range<usize>) -> String {
    lines.clone().map(|index| page.line_text(text, index).trim_matches(|c: char| c.is_whitespace())).collect::<Vec<_>>().join("")
}

/// The outline items of a page, in page order, and whether each starts an article.
fn items(text: &str, page: &Page) -> Vec<(OutlineItem, bool)> {
    let lines = &page.lines;
    let non_blank: Vec<usize> = (0..lines.len()).filter(|&index| lines[index].kind != LineKind::Blank).collect();
    let mut items: Vec<(OutlineItem, bool)> = Vec::new();
    let mut position = 0;
    let item = |kind: OutlineKind, group: Range<usize>| OutlineItem {
        kind,
        name: joined(text, page, &group),
        range: lines[group.start].range.start..lines[group.end - 1].range.end,
        line: group.start,
    };
    while position < non_blank.len() {
        let index = non_blank[position];
        match lines[index].kind {
            LineKind::Headline | LineKind::Vertical => {
                // Consecutive headline lines (vertical characters included, blank lines between
                // vertical characters too) form one headline.
                let kind = lines[index].kind;
                let mut end = position + 1;
                while end < non_blank.len()
                    && lines[non_blank[end]].kind == kind
                    && (kind == LineKind::Vertical || non_blank[end] == non_blank[end - 1] + 1)
                {
                    end += 1;
                }
                let group = index..non_blank[end - 1] + 1;
                // A short line right above a photo credit is the photo's caption.
                if lines.get(group.end).is_some_and(|next| next.kind == LineKind::Credit) {
                    let mut caption = item(OutlineKind::Caption, group.start..group.end + 1);
                    caption.name = joined(text, page, &group);
                    items.push((caption, false));
                    position = end + 1;
                    continue;
                }
                // Subtitles may stand between a headline and its byline.
                let signed = non_blank[end..]
                    .iter()
                    .take(BYLINE_REACH)
                    .find(|&&next| !matches!(lines[next].kind, LineKind::Headline | LineKind::Vertical))
                    .is_some_and(|&next| lines[next].kind == LineKind::Byline);
                let kind = if signed { OutlineKind::Headline } else { OutlineKind::SectionHead };
                let mut found = item(kind, group.clone());
                if lines[index].kind == LineKind::Vertical {
                    found.range = lines[group.start].range.start..lines[group.end - 1].range.end;
                }
                items.push((found, signed));
                position = end;
            }
            LineKind::Byline => {
                let after_headline = items.last().is_some_and(|(last, starts)| {
                    *starts
                        && last.kind == OutlineKind::Headline
                        && non_blank[..position]
                            .iter()
                            .rev()
                            .take(BYLINE_REACH)
                            .any(|&line| line == last.line || (last.line..=index).contains(&line))
                });
                items.push((item(OutlineKind::Byline, index..index + 1), !after_headline));
                position += 1;
            }
            LineKind::Credit => {
                // The body lines just above the credit in the same block are the caption.
                let mut first = index;
                while first > 0 && lines[first - 1].kind == LineKind::Body && index - first < 3 {
                    first -= 1;
                }
                let mut caption = item(OutlineKind::Caption, first..index + 1);
                if first < index {
                    caption.name = joined(text, page, &(first..index));
                }
                items.push((caption, false));
                position += 1;
            }
            _ => position += 1,
        }
    }
    items
}

/// The articles of a page, in order; text before the first article start is a preamble article.
pub fn articles(text: &str, page: &Page) -> Vec<Article> {
    let found = items(text, page);
    let last_line = page.lines.len().saturating_sub(1);
    let mut articles: Vec<Article> = Vec::new();
    for (item, starts) in found {
        if starts || articles.is_empty() {
            let first_line = if articles.is_empty() && !starts { 0 } else { item.line };
            if let Some(previous) = articles.last_mut() {
                previous.lines.end = first_line.saturating_sub(1).max(previous.lines.start);
            }
            articles.push(Article { name: String::new(), range: 0..0, lines: first_line..last_line, preamble: !starts, items: Vec::new() });
        }
        if let Some(article) = articles.last_mut() {
            article.items.push(item);
        }
    }
    for article in &mut articles {
        // An article ends at its last non-blank line.
        while article.lines.end > article.lines.start && page.lines.get(article.lines.end).is_some_and(|line| line.kind == LineKind::Blank)
        {
            article.lines.end -= 1;
        }
        let first = &page.lines[article.lines.start.min(last_line)];
        let last = &page.lines[article.lines.end.min(last_line)];
        article.range = first.range.start..last.range.end;
        article.name = article
            .items
            .iter()
            .find(|item| item.kind == OutlineKind::Headline)
            .or_else(|| article.items.iter().find(|item| item.kind == OutlineKind::Byline))
            .or(article.items.first())
            .map(|item| item.name.clone())
            .unwrap_or_default();
    }
    articles
}

/// The number of articles on a page (preambles not counted).
pub fn article_count(text: &str, page: &Page) -> usize {
    items(text, page).iter().filter(|(_, starts)| *starts).count()
}

/// Titles in a byline that are not names.
const TITLES: [&str; 9] = ["本报记者", "本报通讯员", "特约评论员", "本报评论员", "记者", "通讯员", "实习生", "评论员", "本报"];

/// The reporters named in a byline: `□本报记者 何帆 通讯员 李明` gives `何帆`, `李明`.
pub fn reporters(byline: &str) -> Vec<String> {
    let content = byline.trim_start_matches(|c: char| !crate::chars::is_han(c) && !c.is_alphanumeric());
    let mut names = Vec::new();
    for token in content.split(|c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',' | '/')) {
        let mut token = token;
        while let Some(title) = TITLES.iter().find(|title| token.starts_with(*title)) {
            token = &token[title.len()..];
        }
        let count = token.chars().count();
        if (2..=4).contains(&count) && token.chars().all(crate::chars::is_han) && !names.iter().any(|name| name == token) {
            names.push(token.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_articles_with_headlines_bylines_section_heads_and_captions() {
        let text = "本期导读：抗疫一线。\n\n党旗飘扬在抗疫一线\n\n□本报记者 何帆\n\n一支支志愿队伍闻令而动，一个\n个服务站点连夜开张。\n\n快速响应\n\n正文继续写下去，直到结束。\n\n社区志愿者在测温\n葛文博 摄\n\n第二篇文章标题\n□本报记者 李明 通讯员 王芳\n\n第二篇正文。\n";
        let page = Page::parse(text);
        let articles = articles(text, &page);
        type Summary<'a> = (bool, &'a str, Vec<(OutlineKind, &'a str)>);
        let summary: Vec<Summary<'_>> = articles
            .iter()
            .map(|article| {
                (article.preamble, article.name.as_str(), article.items.iter().map(|item| (item.kind, item.name.as_str())).collect())
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    false,
                    "党旗飘扬在抗疫一线",
                    vec![
                        (OutlineKind::Headline, "党旗飘扬在抗疫一线"),
                        (OutlineKind::Byline, "□本报记者 何帆"),
                        (OutlineKind::SectionHead, "快速响应"),
                        (OutlineKind::Caption, "社区志愿者在测温"),
                    ]
                ),
                (
                    false,
                    "第二篇文章标题",
                    vec![(OutlineKind::Headline, "第二篇文章标题"), (OutlineKind::Byline, "□本报记者 李明 通讯员 王芳")]
                ),
            ]
        );
        assert_eq!(article_count(text, &page), 2);
        assert!(text[articles[0].range.clone()].starts_with("党旗飘扬"));
        assert!(text[articles[0].range.clone()].ends_with("葛文博 摄"));
        assert!(text[articles[1].range.clone()].ends_with("第二篇正文。"));
    }

    #[test]
    fn names_reporters() {
        assert_eq!(reporters("□本报记者 何帆"), ["何帆"]);
        assert_eq!(reporters("□本报记者 李明 通讯员 王芳"), ["李明", "王芳"]);
        assert_eq!(reporters("◎杨柳"), ["杨柳"]);
    }
}
