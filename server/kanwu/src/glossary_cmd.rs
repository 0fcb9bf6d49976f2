//! `kanwu glossary`: list, show and export the glossary (the built-in one with the workspace files laid over it).

use crate::Stdout;
use clap::Subcommand;
use kanwu_core::glossary::{Category, Glossary, DEFAULT_WORKSPACE_FILE};
use kanwu_core::workspace::fs::{self, Expect, WriteRules};
use kanwu_core::workspace::project_files::load_glossary_for_folder;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The subcommands of `kanwu glossary`.
#[derive(Subcommand)]
pub enum GlossaryCommand {
    /// List the terms in force here (built-in plus workspace glossary files), one per line.
    List {
        /// Only terms of this category (organization, role, formula, practice, rural, epidemic,
        /// administrative, culture).
        #[arg(long)]
        category: Option<String>,
    },
    /// Print the entry of a term or alias.
    Show {
        /// The term or one of its aliases.
        term: String,
    },
    /// Write the built-in glossary as an editable workspace glossary file.
    Export {
        /// Where to write it (default `glossary.toml`; `-` for stdout).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Runs a glossary subcommand: exit 0 on success, 1 for an unknown term or a refused overwrite,
/// 2 when a configuration or glossary file cannot be read.
pub fn run(command: GlossaryCommand, allow_outside: &[PathBuf]) -> ExitCode {
    match command {
        GlossaryCommand::List { category } => {
            let filter = match category.as_deref().map(|name| (name, Category::parse(name.trim()))) {
                Some((name, None)) => {
                    let known: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
                    eprintln!("kanwu glossary: unknown category `{name}`; expected one of {}", known.join(", "));
                    return ExitCode::from(2);
                }
                Some((_, Some(category))) => Some(category),
                None => None,
            };
            let Some(glossary) = current_glossary(allow_outside) else { return ExitCode::from(2) };
            let mut out = String::new();
            for entry in glossary.entries().iter().filter(|entry| filter.is_none_or(|category| entry.category == category)) {
                out.push_str(&format!("{}\t{}\t{}\n", entry.term, entry.category.as_str(), entry.english));
            }
            let mut stdout = Stdout::lock();
            stdout.write_all(out.as_bytes());
            stdout.flush();
            ExitCode::SUCCESS
        }
        GlossaryCommand::Show { term } => {
            let Some(glossary) = current_glossary(allow_outside) else { return ExitCode::from(2) };
            match glossary.lookup(&term) {
                Some(entry) => {
                    let mut out = Stdout::lock();
                    out.write_all(entry.to_plain_text().as_bytes());
                    writeln!(out, "来源：{}:{}", entry.source.file_name(), entry.source.line);
                    out.flush();
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("kanwu glossary: `{term}` is not a term or alias of the glossary");
                    let suggestions: Vec<&str> = glossary.complete(&term).iter().take(5).map(|entry| entry.term.as_str()).collect();
                    if !suggestions.is_empty() {
                        eprintln!("did you mean: {}", suggestions.join("、"));
                    }
                    ExitCode::from(1)
                }
            }
        }
        GlossaryCommand::Export { output, force } => export(&output.unwrap_or_else(|| PathBuf::from(DEFAULT_WORKSPACE_FILE)), force),
    }
}

/// The glossary in force in the current folder, or `None` after reporting why it cannot be read;
/// files left out are reported as warnings.
fn current_glossary(allow_outside: &[PathBuf]) -> Option<Glossary> {
    let folder = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match load_glossary_for_folder(&folder, allow_outside) {
        Ok(loaded) => {
            report_warnings(&loaded.warnings);
            Some(loaded.glossary)
        }
        Err(error) => {
            eprintln!("kanwu glossary: {error}");
            None
        }
    }
}

/// Prints each warning of a glossary load on stderr.
pub fn report_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Writes the built-in glossary to `path`, refusing to replace an existing file unless forced.
fn export(path: &Path, force: bool) -> ExitCode {
    if path == Path::new("-") {
        let mut out = Stdout::lock();
        out.write_all(Glossary::export_builtin().as_bytes());
        out.flush();
        return ExitCode::SUCCESS;
    }
    let current = fs::read_limited(path, fs::MAX_SETTINGS_BYTES);
    let exists = std::fs::symlink_metadata(path).is_ok();
    if exists && !force {
        eprintln!("kanwu glossary: {} already exists; pass --force to overwrite it", path.display());
        return ExitCode::from(1);
    }
    // The file is written where the user pointed, atomically: a link is followed only to a target
    // inside the folder it sits in, and a file that changed since it was read is not replaced.
    let folder = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inside = vec![fs::resolve(folder).unwrap_or_else(|_| folder.to_path_buf())];
    let expect = match current {
        Ok(read) => Expect::Unchanged(read.stamp),
        Err(_) if exists => Expect::Any,
        Err(_) => Expect::Absent,
    };
    let rules = WriteRules { inside: &inside, expect, format: None };
    match fs::write_atomically(path, Glossary::export_builtin().as_bytes(), &rules) {
        Ok(_) => {
            eprintln!("wrote {} ({} entries)", path.display(), Glossary::builtin().len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kanwu glossary: cannot write {}: {error}", path.display());
            ExitCode::from(2)
        }
    }
}
