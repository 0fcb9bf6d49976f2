//! `kanwu glossary`: list, show and export the glossary (the built-in one with the workspace files laid over it).

use crate::Stdout;
use clap::Subcommand;
use kanwu_core::config::CONFIG_FILE_NAME;
use kanwu_core::glossary::{workspace_files, Category, Glossary, DEFAULT_WORKSPACE_FILE};
use kanwu_core::Config;
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
            let mut stdout = Stdout::lock();
            stdout.write_all(out.as_bytes());
            stdout.flush();
            ExitCode::SUCCESS
        }
        GlossaryCommand::Show { term } => {
            let Some(glossary) = current_glossary() else { return ExitCode::from(2) };
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

/// The layered glossary in force in `folder`: the nearest `kanwu.toml` upward names the workspace
/// files; without one, a `glossary.toml` in `folder` itself is used.
fn glossary_for_folder(folder: &Path) -> Result<Glossary, String> {
    match Config::find_upward(folder) {
        Some(path) => glossary_for_config(&Config::load(&path).map_err(|error| error.to_string())?),
        None => {
            let default = folder.join(DEFAULT_WORKSPACE_FILE);
            if default.is_file() {
                let workspace = Glossary::load(&default).map_err(|error| error.to_string())?;
                Ok(Glossary::layered(Glossary::builtin(), [&workspace]))
            } else {
                Ok(Glossary::builtin().clone())
            }
        }
    }
}

/// The built-in glossary with the workspace files of `config` laid over it. A file that the
/// configuration's `[glossary] files` names but that does not exist is left out with a warning
/// naming the `kanwu.toml` and the file; a file that exists but cannot be read or parsed is an error.
pub fn glossary_for_config(config: &Config) -> Result<Glossary, String> {
    let mut present = config.clone();
    let paths = workspace_files(config);
    if !config.glossary_files.is_empty() {
        let config_file = config.source.as_deref().map_or_else(|| CONFIG_FILE_NAME.to_string(), |path| path.display().to_string());
        present.glossary_files = config
            .glossary_files
            .iter()
            .zip(&paths)
            .filter(|(name, path)| {
                let exists = path.exists();
                if !exists {
                    eprintln!(
                        "warning: {config_file}: glossary file `{name}` (in [glossary] files) does not exist at {}; going on without it",
                        path.display()
                    );
                }
                exists
            })
            .map(|(name, _)| name.clone())
            .collect();
        // With every named file missing, only the built-in glossary is in force (not the default
        // `glossary.toml`, which naming files replaces).
        if present.glossary_files.is_empty() {
            return Ok(Glossary::builtin().clone());
        }
    }
    Glossary::for_config(&present).map_err(|error| error.to_string())
}

/// Writes the built-in glossary to `path`, refusing to replace an existing file unless forced.
fn export(path: &Path, force: bool) -> ExitCode {
    if path == Path::new("-") {
        let mut out = Stdout::lock();
        out.write_all(Glossary::export_builtin().as_bytes());
        out.flush();
        return ExitCode::SUCCESS;
    }
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
