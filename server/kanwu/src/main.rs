//! Entry point of the `kanwu` binary: the command line (check, fix, rules) and the language server.

mod check;
mod files;
mod fix;
mod glossary_cmd;
mod output;
mod refs_cmd;
mod stats_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use kanwu_core::Locale;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kanwu", version, about = "Find and fix OCR and text-extraction artefacts in Chinese newspaper pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        Command::Rules { locale } => {
            print!("{}", rules_table(resolve_locale(locale)));
            ExitCode::SUCCESS
        }
        Command::Glossary { command } => glossary_cmd::run(command),
        Command::Refs(args) => refs_cmd::run(args),
        Command::Stats(args) => stats_cmd::run(args),
        Command::Serve { .. } => match kanwu_lsp::serve_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kanwu serve: {error}");
                ExitCode::from(2)
            }
        },
    }
}

/// The rule table in Markdown, as in the README.
pub fn rules_table(locale: Locale) -> String {
    let mut out = String::from("| code | default severity | fixes | example |\n|---|---|---|---|\n");
    for rule in kanwu_core::rules::all_rules() {
        let info = rule.info();
        let _ = locale;
        out.push_str(&format!(
            "| [`{}`](docs/rules/{}.md) | {} | {} | `{}` |\n",
            info.code,
            info.code,
            info.default_severity.as_str(),
            info.fix_safety.as_str(),
            info.example
        ));
    }
    out
}
