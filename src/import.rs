//! `bubbla import`: turns a BEIR JSONL file or a CSV file into corpus
//! documents, one Markdown file per row.
//!
//! Every written file is parsed back with the corpus validator before it is
//! kept, so an import never adds a file `bubbla check` would reject. Rows
//! that cannot become documents are reported with the reason; existing
//! files are never overwritten, so running an import twice adds nothing.

use crate::corpus::{self, Diagnostics, MAX_TITLE_CHARS, ParseContext, parse_date};
use crate::lang::Lang;
use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A BEIR `.jsonl` file (`_id`, `title`, `text`) or a `.csv` file with a
    /// header row `title,text[,source,url,published]`.
    pub file: PathBuf,
    /// Folder to write the documents into (created if missing).
    #[arg(long)]
    pub into: PathBuf,
    /// Theme of every imported document (defined in themes.toml).
    #[arg(long)]
    pub theme: String,
    /// Perspective of every imported document.
    #[arg(long)]
    pub perspective: String,
    /// Language of the documents.
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// Source for rows that name none.
    #[arg(long)]
    pub source: Option<String>,
    /// Publication date (YYYY-MM-DD) for rows that give none; default today.
    #[arg(long)]
    pub published: Option<String>,
}

/// One row, whatever the input format.
#[derive(Debug, Default, Deserialize)]
struct Row {
    #[serde(default, alias = "_id")]
    id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub written: Vec<PathBuf>,
    /// (row number, 1-based; reason)
    pub skipped: Vec<(usize, String)>,
}

pub fn run(corpus_dir: &Path, args: &ImportArgs) -> anyhow::Result<i32> {
    let outcome = import(corpus_dir, args)?;
    for (row, reason) in &outcome.skipped {
        eprintln!("{}: row {row} skipped: {reason}", args.file.display());
    }
    println!(
        "imported {} documents into {}; skipped {} rows",
        outcome.written.len(),
        args.into.display(),
        outcome.skipped.len()
    );
    Ok(0)
}

pub fn import(corpus_dir: &Path, args: &ImportArgs) -> anyhow::Result<Outcome> {
    let mut diags = Diagnostics::default();
    let themes = corpus::read_themes(corpus_dir, &mut diags).with_context(|| {
        format!(
            "the corpus at {} has no readable themes.toml",
            corpus_dir.display()
        )
    })?;
    let Some(theme) = themes.iter().find(|t| t.id == args.theme) else {
        bail!(
            "unknown theme `{}`; themes.toml defines: {}",
            args.theme,
            themes
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if theme.perspective(&args.perspective).is_none() {
        bail!(
            "theme `{}` has no perspective `{}`; it has: {}",
            theme.id,
            args.perspective,
            theme
                .perspectives
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let default_date = match &args.published {
        Some(d) => {
            parse_date(d).with_context(|| format!("--published `{d}` is not a date YYYY-MM-DD"))?
        }
        None => time::OffsetDateTime::now_utc().date(),
    };
    let default_source = args.source.clone().unwrap_or_else(|| {
        format!(
            "Import: {}",
            args.file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        )
    });

    let rows = read_rows(&args.file)?;
    std::fs::create_dir_all(&args.into)
        .with_context(|| format!("creating {}", args.into.display()))?;
    let ctx = ParseContext {
        themes: Some(&themes),
        max_body_bytes: corpus::DEFAULT_MAX_BODY_BYTES,
    };
    let mut outcome = Outcome::default();
    let mut used: HashSet<String> = HashSet::new();
    for (n, row) in rows {
        let row = match row {
            Ok(r) => r,
            Err(reason) => {
                outcome.skipped.push((n, reason));
                continue;
            }
        };
        let text = row.text.trim();
        if text.is_empty() {
            outcome.skipped.push((n, "no text".into()));
            continue;
        }
        let title = if row.title.trim().is_empty() {
            title_from_text(text)
        } else {
            row.title.trim().to_string()
        };
        if title.chars().count() > MAX_TITLE_CHARS {
            outcome
                .skipped
                .push((n, format!("title longer than {MAX_TITLE_CHARS} characters")));
            continue;
        }
        let published = match row
            .published
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => match parse_date(d) {
                Some(date) => date,
                None => {
                    outcome
                        .skipped
                        .push((n, format!("published `{d}` is not a date YYYY-MM-DD")));
                    continue;
                }
            },
            None => default_date,
        };
        let stem = slug(
            row.id
                .as_deref()
                .filter(|_| row.title.trim().is_empty())
                .unwrap_or(&title),
        );
        if !used.insert(stem.clone()) {
            outcome.skipped.push((
                n,
                format!("a row before it gives the same file name `{stem}.md`"),
            ));
            continue;
        }
        let path = args.into.join(format!("{stem}.md"));
        if path.exists() {
            outcome
                .skipped
                .push((n, format!("{} already exists", path.display())));
            continue;
        }
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut fm = format!(
            "+++\ntitle = {}\nsource = {}\n",
            q(&title),
            q(row
                .source
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(&default_source))
        );
        if let Some(url) = row.url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            fm.push_str(&format!("url = {}\n", q(url)));
        }
        fm.push_str(&format!(
            "lang = \"{}\"\npublished = {}\ntheme = {}\nperspective = {}\npopularity = 0\n+++\n\n{}\n",
            args.lang,
            corpus::format_date(published),
            q(&args.theme),
            q(&args.perspective),
            text
        ));
        let mut check = Diagnostics::default();
        let rel = path.to_string_lossy().into_owned();
        if corpus::parse_document(&rel, &rel, &stem, fm.as_bytes(), &ctx, &mut check).is_none() {
            let why: Vec<String> = check
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect();
            outcome.skipped.push((n, why.join("; ")));
            continue;
        }
        write_atomic(&path, fm.as_bytes())?;
        outcome.written.push(path);
    }
    Ok(outcome)
}

type Rows = Vec<(usize, Result<Row, String>)>;

fn read_rows(file: &Path) -> anyhow::Result<Rows> {
    let name = file.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".csv") {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(file)
            .with_context(|| format!("reading {}", file.display()))?;
        let headers = reader.headers()?.clone();
        for needed in ["title", "text"] {
            if !headers.iter().any(|h| h.trim() == needed) {
                bail!(
                    "{}: the header row has no `{needed}` column (expected title,text[,source,url,published])",
                    file.display()
                );
            }
        }
        Ok(reader
            .deserialize::<Row>()
            .enumerate()
            .map(|(i, r)| (i + 2, r.map_err(|e| format!("not a valid CSV row: {e}"))))
            .collect())
    } else if name.ends_with(".jsonl") || name.ends_with(".json") {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                (
                    i + 1,
                    serde_json::from_str::<Row>(l)
                        .map_err(|e| format!("not a valid JSON record: {e}")),
                )
            })
            .collect())
    } else {
        bail!("{}: expected a .jsonl (BEIR) or .csv file", file.display())
    }
}

/// A title for a row without one: its first sentence, cut at a word.
fn title_from_text(text: &str) -> String {
    let first = text
        .split(['.', '!', '?', '\n'])
        .next()
        .unwrap_or(text)
        .trim();
    if first.chars().count() <= 80 {
        return first.to_string();
    }
    let cut: String = first.chars().take(80).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// A file name from a title: lower-case letters and digits, `-` between.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= 60 {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "dokument".into()
    } else {
        out
    }
}

/// Writes a file so that it is either complete or absent.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_swedish_letters() {
        assert_eq!(slug("Vargen är tillbaka!"), "vargen-är-tillbaka");
        assert_eq!(slug("  ?? "), "dokument");
    }

    #[test]
    fn titles_from_text_stop_at_the_first_sentence() {
        assert_eq!(title_from_text("Kort mening. Mer text."), "Kort mening");
    }
}
