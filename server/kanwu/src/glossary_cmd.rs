//! `kanwu glossary`: list, show and export the glossary (the built-in one with the workspace files laid over it).

use clap::Subcommand;
use kanwu_core::glossary::{glossary_for_folder, Category, Glossary, DEFAULT_WORKSPACE_FILE};
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
        /// Where to write it (default `glossary.toml`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Runs a glossary subcommand: exit 0 on success, 1 for an unknown term or a refused overwrite,
/// 2 when a configuration or glossary file cannot be read.
pub fn run(command: GlossaryCommand) -> ExitCode {
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
            let Some(glossary) = current_glossary() else { return ExitCode::from(2) };
            let mut out = String::new();
            for entry in glossary.entries().iter().filter(|entry| filter.is_none_or(|category| entry.category == category)) {
                out.push_str(&format!("{}\t{}\t{}\n", entry.term, entry.category.as_str(), entry.english));
            }
            print!("{out}");
            ExitCode::SUCCESS
        }
        GlossaryCommand::Show { term } => {
            let Some(glossary) = current_glossary() else { return ExitCode::from(2) };
            match glossary.lookup(&term) {
                Some(entry) => {
                    print!("{}", entry.to_plain_text());
                    println!("来源：{}:{}", entry.source.file_name(), entry.source.line);
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

/// The glossary in force in the current folder, or `None` after reporting why it cannot be read.
fn current_glossary() -> Option<Glossary> {
    let folder = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match glossary_for_folder(&folder) {
        Ok(glossary) => Some(glossary),
        Err(error) => {
            eprintln!("kanwu glossary: {error}");
            None
        }
    }
}

/// Writes the built-in glossary to `path`, refusing to replace an existing file unless forced.
fn export(path: &Path, force: bool) -> ExitCode {
    if path.exists() && !force {
        eprintln!("kanwu glossary: {} already exists; pass --force to overwrite it", path.display());
        return ExitCode::from(1);
    }
    match std::fs::write(path, Glossary::export_builtin()) {
        Ok(()) => {
            eprintln!("wrote {} ({} entries)", path.display(), Glossary::builtin().len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kanwu glossary: cannot write {}: {error}", path.display());
            ExitCode::from(2)
        }
    }
}
