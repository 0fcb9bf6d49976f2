//! Entry point of the `kanwu` binary: the command line (check, fix, rules) and the language server.

mod check;
mod files;
mod fix;
mod glossary_cmd;
mod output;
mod progress;
mod refs_cmd;
mod stats_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use kanwu_core::rules::{FixSafety, Scope};
use kanwu_core::{Locale, Severity};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kanwu", version, about = "Find and fix OCR and text-extraction artefacts in Chinese newspaper pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Let a `kanwu.toml` name glossary files below PATH although it lies outside the project's
    /// folder (repeatable; by default such files are left out with a warning).
    #[arg(long = "allow-outside", value_name = "PATH", global = true)]
    allow_outside: Vec<PathBuf>,
}

/// The output formats of `kanwu check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// The message languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LocaleArg {
    Zh,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Check pages (files, or every included .txt below folders) and report artefacts.
    Check {
        /// Files or folders; the current folder when none is given.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Message language; defaults to Chinese when the environment's locale is Chinese.
        #[arg(long, value_enum)]
        locale: Option<LocaleArg>,
        /// Exit 0 even when artefacts are found (errors reading pages or the configuration still exit 2).
        #[arg(long)]
        exit_zero: bool,
    },
    /// Apply the safe fixes to pages, repeating until nothing changes.
    Fix {
        /// Files or folders; when none is given, the folder of the kanwu.toml found here or above.
        paths: Vec<PathBuf>,
        /// Print the fixed text of the one named page instead of writing it.
        #[arg(long, conflicts_with = "diff")]
        stdout: bool,
        /// Print a unified diff instead of writing.
        #[arg(long)]
        diff: bool,
        /// Fix only the artefacts of this rule (repeatable).
        #[arg(long = "rule", value_name = "CODE")]
        rules: Vec<String>,
        /// Leave the layout rules (line-wrap, blank-split, vertical-heading) alone.
        #[arg(long)]
        keep_lines: bool,
    },
    /// List the rules with their codes, default severities and fix safety.
    Rules {
        #[arg(long, value_enum)]
        locale: Option<LocaleArg>,
        /// List what the engines read of each rule instead: its scope (line, block or page), whether
        /// it is a layout rule, and the safety of its fixes.
        #[arg(long)]
        details: bool,
    },
    /// List, show or export the glossary of terms shown on hover.
    Glossary {
        #[command(subcommand)]
        command: glossary_cmd::GlossaryCommand,
    },
    /// Find every occurrence of a term or word across the pages, through wraps and stray spaces.
    Refs(refs_cmd::RefsArgs),
    /// Count pages, articles, characters, diagnostics per rule and glossary terms.
    Stats(stats_cmd::StatsArgs),
    /// Run the language server over stdio.
    Serve {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

/// The documentation page of a rule.
pub fn rule_doc_url(code: &str) -> String {
    format!("https://github.com/kanwu-dev/kanwu/blob/main/docs/rules/{code}.md")
}

/// The locale named on the command line, else Chinese when the environment's locale is Chinese.
pub fn resolve_locale(argument: Option<LocaleArg>) -> Locale {
    match argument {
        Some(LocaleArg::Zh) => Locale::Zh,
        Some(LocaleArg::En) => Locale::En,
        None => ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .map(|value| Locale::from_tag(&value))
            .unwrap_or(Locale::En),
    }
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format, locale, exit_zero } => {
            let status = check::run(&default_paths(paths), format, locale);
            if exit_zero && status == check::Status::Findings {
                ExitCode::SUCCESS
            } else {
                status.into()
            }
        }
        Command::Fix { paths, stdout, diff, rules, keep_lines } => fix::run(&paths, stdout, diff, rules, keep_lines),
        Command::Rules { locale, details } => {
            let mut out = Stdout::lock();
            let locale = resolve_locale(locale);
            out.write_all(if details { rules_details(locale) } else { rules_table(locale) }.as_bytes());
            out.flush();
            ExitCode::SUCCESS
        }
        Command::Glossary { command } => glossary_cmd::run(command, &cli.allow_outside),
        Command::Refs(args) => refs_cmd::run(args, &cli.allow_outside),
        Command::Stats(args) => stats_cmd::run(args, &cli.allow_outside),
        Command::Serve { .. } => match kanwu_lsp::serve_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kanwu serve: {error}");
                ExitCode::from(2)
            }
        },
    }
}

/// The rule table in Markdown: in English as in the README, or in Chinese.
pub fn rules_table(locale: Locale) -> String {
    let mut out = String::from(match locale {
        Locale::En => "| code | default severity | fixes | example |\n|---|---|---|---|\n",
        Locale::Zh => "| 规则 | 默认级别 | 修复 | 示例 | 说明 |\n|---|---|---|---|---|\n",
    });
    for rule in kanwu_core::rules::all_rules() {
        let info = rule.info();
        let link = format!("[`{}`](docs/rules/{}.md)", info.code, info.code);
        out.push_str(&match locale {
            Locale::En => {
                format!("| {link} | {} | {} | `{}` |\n", info.default_severity.as_str(), info.fix_safety.as_str(), info.example)
            }
            Locale::Zh => format!(
                "| {link} | {} | {} | `{}` | {} |\n",
                severity_name_zh(info.default_severity),
                fix_safety_zh(info.fix_safety),
                info.example,
                info.summary_zh
            ),
        });
    }
    out
}

/// The rules' metadata in Markdown, as the engines read it: scope, layout flag and fix safety.
pub fn rules_details(locale: Locale) -> String {
    let mut out = String::from(match locale {
        Locale::En => "| code | scope | layout | fixes |\n|---|---|---|---|\n",
        Locale::Zh => "| 规则 | 范围 | 版面规则 | 修复 |\n|---|---|---|---|\n",
    });
    for rule in kanwu_core::rules::all_rules() {
        let info = rule.info();
        out.push_str(&match locale {
            Locale::En => format!(
                "| `{}` | {} | {} | {} |\n",
                info.code,
                info.scope.as_str(),
                if info.layout { "yes" } else { "no" },
                info.fix_safety.as_str()
            ),
            Locale::Zh => format!(
                "| `{}` | {} | {} | {} |\n",
                info.code,
                scope_zh(info.scope),
                if info.layout { "是" } else { "否" },
                fix_safety_zh(info.fix_safety)
            ),
        });
    }
    out
}

/// The Chinese word for how much of a page a rule reads.
fn scope_zh(scope: Scope) -> &'static str {
    match scope {
        Scope::Line => "行",
        Scope::Block => "段落块",
        Scope::Page => "整页",
    }
}

/// The Chinese name of a severity, as the rule table and `kanwu.toml` documentation use it.
fn severity_name_zh(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Information => "信息",
        Severity::Hint => "提示",
    }
}

/// The Chinese words for how a rule's fixes are applied.
fn fix_safety_zh(safety: FixSafety) -> &'static str {
    match safety {
        FixSafety::Safe => "安全修复",
        FixSafety::Suggested => "仅建议",
        FixSafety::Mixed => "确定时安全修复，否则建议",
        FixSafety::None => "无",
    }
}

/// The exit status after the reader of stdout went away (`kanwu … | head -1`): 128 + SIGPIPE, the
/// status shells report for a program that the signal ended.
pub const CLOSED_OUTPUT_STATUS: i32 = 141;

/// Ends the process after a failed write to stdout: quietly with [`CLOSED_OUTPUT_STATUS`] when the
/// reader closed the pipe, else with a message and status 2.
pub fn stdout_failed(error: std::io::Error) -> ! {
    if error.kind() != std::io::ErrorKind::BrokenPipe {
        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {error}");
        std::process::exit(2);
    }
    std::process::exit(CLOSED_OUTPUT_STATUS)
}

/// Buffered standard output for a command's results, whose writes never fail: a reader that has
/// gone away ends the process quietly instead of a panic (see [`stdout_failed`]). `write!` and
/// `writeln!` work on it.
pub struct Stdout {
    inner: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Stdout {
    /// Locks stdout for the rest of the command.
    pub fn lock() -> Stdout {
        Stdout { inner: std::io::BufWriter::new(std::io::stdout().lock()) }
    }

    /// Writes all of `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) {
        if let Err(error) = self.inner.write_all(bytes) {
            stdout_failed(error);
        }
    }

    /// Writes formatted text (what `write!` calls).
    pub fn write_fmt(&mut self, arguments: std::fmt::Arguments<'_>) {
        if let Err(error) = self.inner.write_fmt(arguments) {
            stdout_failed(error);
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        if let Err(error) = self.inner.flush() {
            stdout_failed(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_details_list_every_rule_with_what_the_engines_read() {
        let english = rules_details(Locale::En);
        assert!(english.starts_with("| code | scope | layout | fixes |\n"), "{english}");
        assert_eq!(english.lines().count(), kanwu_core::rules::all_rules().len() + 2);
        assert!(english.contains("| `line-wrap` | block | yes | safe |"), "{english}");
        assert!(english.contains("| `duplicate-line` | page | no | safe |"), "{english}");
        assert!(english.contains("| `trailing-space` | line | no | safe |"), "{english}");
        let chinese = rules_details(Locale::Zh);
        assert!(chinese.contains("| `blank-line-space` | 整页 | 否 | 安全修复 |"), "{chinese}");
    }
}
