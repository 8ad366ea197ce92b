//! One corpus document: Markdown with TOML front matter between `+++` lines.
//!
//! Parsing reports *every* problem of a file (not only the first), each with
//! its line, so that a teacher can fix a file in one go.

use super::diagnostic::{Diagnostic, Diagnostics};
use super::toml_util::{line_of_key, toml_error_line};
use crate::lang::Lang;
use serde::Serialize;
use time::Date;
use unicode_normalization::UnicodeNormalization;

/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// Front-matter fields a document must have.
const REQUIRED: [&str; 6] = [
    "title",
    "source",
    "lang",
    "published",
    "theme",
    "perspective",
];
/// Every field the format knows.
const KNOWN: [&str; 10] = [
    "title",
    "source",
    "url",
    "lang",
    "published",
    "theme",
    "perspective",
    "popularity",
    "sponsored",
    "links",
];

/// A valid document, as loaded from the corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    /// Path relative to the corpus directory, with `/` separators.
    pub path: String,
    pub title: String,
    pub source: String,
    pub url: Option<String>,
    pub lang: Lang,
    #[serde(serialize_with = "serialize_date")]
    pub published: Date,
    pub theme: String,
    pub perspective: String,
    /// Views before the workshop started.
    pub popularity: u64,
    pub sponsored: bool,
    /// Ids of documents this one links to (normalised with the id rule).
    pub links: Vec<String>,
    /// The Markdown body as written.
    pub body: String,
    /// The body as plain text: what is indexed and what snippets quote.
    pub text: String,
    /// Line of the `links` field, for diagnostics about link targets.
    #[serde(skip)]
    pub links_line: Option<usize>,
}

fn serialize_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*d))
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD` into a real calendar date.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// What the checks need to know beyond the file itself.
pub struct ParseContext<'a> {
    /// Themes to check `theme` and `perspective` against (`None`: no check).
    pub themes: Option<&'a [super::Theme]>,
    pub max_body_bytes: usize,
}

/// Splits a file's text into (front matter, line of its first field, body).
/// Errors carry a line and a hint.
fn split_front_matter(text: &str) -> Result<(&str, usize, &str), (usize, String, String)> {
    let mut offset = 0;
    let mut open_line = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        offset += line.len();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "+++" {
            open_line = Some(i + 1);
            break;
        }
        let hint = if trimmed == "---" {
            "bubbla uses TOML front matter between `+++` lines, not YAML between `---` lines"
        } else {
            "did you forget the `+++` lines? Start the file with `+++`, the fields, and another `+++`"
        };
        return Err((i + 1, "no front matter found".into(), hint.into()));
    }
    let Some(open_line) = open_line else {
        return Err((
            1,
            "no front matter found".into(),
            "the file has no `+++` line; start it with `+++`, the fields, and another `+++`".into(),
        ));
    };
    let rest = &text[offset..];
    let mut fm_len = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim() == "+++" {
            let body = &rest[fm_len + line.len()..];
            return Ok((&rest[..fm_len], open_line + 1, body));
        }
        fm_len += line.len();
    }
    Err((
        open_line,
        "front matter is never closed".into(),
        "add a line with only `+++` after the last field".into(),
    ))
}

/// Parses and validates one file. Returns the document when it has no
/// errors; every problem found is pushed to `diags`.
pub fn parse_document(
    display_path: &str,
    rel_path: &str,
    id: &str,
    bytes: &[u8],
    ctx: &ParseContext<'_>,
    diags: &mut Diagnostics,
) -> Option<Document> {
    let err = |line: Option<usize>, msg: String| Diagnostic::error(display_path, line, msg);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        diags.push(
            err(Some(1), "empty file".into())
                .hint("write front matter and a text, or delete the file"),
        );
        return None;
    }
    if bytes.contains(&0) {
        diags.push(
            err(Some(1), "binary file, not text".into())
                .hint("only Markdown text files (`.md`) belong in the corpus; images and documents must be converted to text"),
        );
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = super::toml_util::line_at(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                e.valid_up_to(),
            );
            diags.push(
                err(
                    Some(line),
                    format!("not valid UTF-8 (byte {})", e.valid_up_to()),
                )
                .hint(
                    "save the file with UTF-8 encoding (e.g. \"Save as… → UTF-8\" in your editor)",
                ),
            );
            return None;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text: String = text.replace("\r\n", "\n").nfc().collect();

    let (fm, fm_line, body) = match split_front_matter(&text) {
        Ok(parts) => parts,
        Err((line, msg, hint)) => {
            diags.push(err(Some(line), msg).hint(hint));
            return None;
        }
    };
    let table: toml::Table = match toml::from_str(fm) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                err(toml_error_line(fm, &e, fm_line - 1), format!("invalid TOML in front matter: {}", e.message().trim()))
                    .hint("text values need quotes (title = \"…\"), lists need brackets (links = [\"a\", \"b\"])"),
            );
            return None;
        }
    };
    let line = |key: &str| line_of_key(fm, key).map(|l| l + fm_line - 1);
    let errors_before = diags.errors();

    for key in REQUIRED {
        if !table.contains_key(key) {
            diags.push(
                err(Some(fm_line - 1), format!("missing required field `{key}`"))
                    .hint(format!("add a line `{key} = …` between the `+++` lines")),
            );
        }
    }
    for key in table.keys() {
        if !KNOWN.contains(&key.as_str()) {
            let hint = match closest(key, &KNOWN) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("known fields: {}", KNOWN.join(", ")),
            };
            diags.push(
                Diagnostic::warning(
                    display_path,
                    line(key),
                    format!("unknown field `{key}` is ignored"),
                )
                .hint(hint),
            );
        }
    }

    let string_field = |key: &str, diags: &mut Diagnostics| -> Option<String> {
        match table.get(key)? {
            toml::Value::String(s) => Some(s.trim().to_string()),
            other => {
                diags.push(
                    err(
                        line(key),
                        format!("`{key}` must be text, not {}", other.type_str()),
                    )
                    .hint(format!("put the value in quotes: {key} = \"…\"")),
                );
                None
            }
        }
    };

    let title = string_field("title", diags);
    if let Some(t) = &title {
        if t.is_empty() {
            diags.push(
                err(line("title"), "title is empty".into()).hint("give the document a title"),
            );
        } else if t.chars().count() > MAX_TITLE_CHARS {
            diags.push(
                err(
                    line("title"),
                    format!(
                        "title is {} characters long, over the limit of {MAX_TITLE_CHARS}",
                        t.chars().count()
                    ),
                )
                .hint("shorten the title; put the rest in the text"),
            );
        }
    }
    let source = string_field("source", diags);
    if source.as_deref() == Some("") {
        diags.push(
            err(line("source"), "source is empty".into())
                .hint("name the (fictional) outlet or author"),
        );
    }
    let url = string_field("url", diags).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        diags.push(
            Diagnostic::warning(
                display_path,
                line("url"),
                format!("url `{u}` does not start with https://"),
            )
            .hint("write a full address; invented sites use the `.example` domain"),
        );
    }
    let lang = string_field("lang", diags).and_then(|l| {
        let parsed = Lang::parse(&l);
        if parsed.is_none() {
            diags.push(
                err(line("lang"), format!("lang `{l}` is not `sv` or `en`"))
                    .hint("write lang = \"sv\" for Swedish or lang = \"en\" for English"),
            );
        }
        parsed
    });
    let published = table.get("published").and_then(|v| {
        let raw = match v {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let date = parse_date(&raw);
        if date.is_none() {
            diags.push(
                err(line("published"), format!("invalid date `{raw}`"))
                    .hint("write a real date as YYYY-MM-DD, e.g. published = 2024-03-15"),
            );
        }
        date
    });
    let theme = string_field("theme", diags);
    let perspective = string_field("perspective", diags);
    if let (Some(themes), Some(theme_id)) = (ctx.themes, &theme) {
        match themes.iter().find(|t| &t.id == theme_id) {
            None => diags.push(
                err(line("theme"), format!("unknown theme `{theme_id}`")).hint(format!(
                    "themes are defined in themes.toml; known: {}",
                    list(themes.iter().map(|t| t.id.as_str()))
                )),
            ),
            Some(t) => {
                if let Some(p) = &perspective
                    && t.perspective(p).is_none()
                {
                    diags.push(
                        err(
                            line("perspective"),
                            format!("unknown perspective `{p}` for theme `{theme_id}`"),
                        )
                        .hint(format!(
                            "theme `{theme_id}` has: {}",
                            list(t.perspectives.iter().map(|p| p.id.as_str()))
                        )),
                    );
                }
            }
        }
    }
    let popularity = match table.get("popularity") {
        None => Some(0),
        Some(toml::Value::Integer(n)) if *n >= 0 => Some(*n as u64),
        Some(toml::Value::Integer(n)) => {
            diags.push(
                err(line("popularity"), format!("popularity {n} is negative"))
                    .hint("popularity counts views before the workshop: 0 or more"),
            );
            None
        }
        Some(other) => {
            diags.push(
                err(
                    line("popularity"),
                    format!("popularity must be a whole number, not {}", other),
                )
                .hint("write a whole number of views without quotes, e.g. popularity = 120"),
            );
            None
        }
    };
    let sponsored = match table.get("sponsored") {
        None => Some(false),
        Some(toml::Value::Boolean(b)) => Some(*b),
        Some(other) => {
            diags.push(
                err(
                    line("sponsored"),
                    format!("sponsored must be true or false, not {other}"),
                )
                .hint("write sponsored = true (without quotes) for paid content"),
            );
            None
        }
    };
    let links = match table.get("links") {
        None => Some(Vec::new()),
        Some(toml::Value::Array(items)) => {
            let ids: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(super::id::normalize_id))
                .collect();
            if ids.is_none() {
                diags.push(
                    err(
                        line("links"),
                        "links must be a list of document ids in quotes".into(),
                    )
                    .hint("e.g. links = [\"varg-fakta\", \"jagarforbundet-svarar\"]"),
                );
            }
            ids
        }
        Some(other) => {
            diags.push(
                err(
                    line("links"),
                    format!("links must be a list, not {}", other.type_str()),
                )
                .hint("e.g. links = [\"varg-fakta\"]"),
            );
            None
        }
    };
    if body.len() > ctx.max_body_bytes {
        diags.push(
            err(
                Some(fm_line),
                format!(
                    "text is {} bytes, over the limit of {} bytes",
                    body.len(),
                    ctx.max_body_bytes
                ),
            )
            .hint("split it into several documents, or raise the limit with --max-body-bytes"),
        );
    }
    // Invisible format characters would split words in the index.
    let plain = crate::text::without_format(&markdown_to_text(body)).into_owned();
    if plain.trim().is_empty() {
        diags.push(
            Diagnostic::warning(
                display_path,
                Some(fm_line),
                "the document has no text below its front matter",
            )
            .hint("write the text after the closing `+++`"),
        );
    }

    if diags.errors() > errors_before {
        return None;
    }
    Some(Document {
        id: id.to_string(),
        path: rel_path.to_string(),
        title: crate::text::without_format(&title?).into_owned(),
        source: source?,
        url,
        lang: lang?,
        published: published?,
        theme: theme?,
        perspective: perspective?,
        popularity: popularity?,
        sponsored: sponsored?,
        links: links?,
        body: body.to_string(),
        text: plain,
        links_line: line("links"),
    })
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A known field within two edits of `key` (for "did you mean").
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().copied().find(|k| edit_distance(key, k) <= 2)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Markdown to HTML that cannot run code or load anything from elsewhere:
/// no scripts, no event handlers, no `javascript:` links, no images.
pub fn render_markdown(md: &str) -> String {
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(md));
    ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// The readable text of a Markdown body: what a search engine indexes and
/// quotes. Block elements are separated by blank lines.
pub fn markdown_to_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(md.len());
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sanitises_scripts_handlers_javascript_links_and_images() {
        let html = super::render_markdown(
            "Hej <script>alert(1)</script> <b onclick=\"x()\">fet</b> [länk](javascript:alert(1)) \
             ![bild](https://tracker.example/pixel.png) <img src=\"https://x.example/a.png\"> [ok](https://a.example/)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<b>fet</b>"), "{html}");
        assert!(html.contains("href=\"https://a.example/\""), "{html}");
    }

    use super::*;

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("24-01-01").is_none());
        assert_eq!(
            parse_date("2024-03-05").map(format_date).as_deref(),
            Some("2024-03-05")
        );
    }

    #[test]
    fn markdown_becomes_plain_text() {
        let t =
            markdown_to_text("# Rubrik\n\nEn *viktig* [länk](https://x.example).\n\n- ett\n- två");
        assert_eq!(t, "Rubrik\n\nEn viktig länk.\n\nett\n\ntvå");
    }

    #[test]
    fn suggests_the_field_meant() {
        assert_eq!(closest("titel", &KNOWN), Some("title"));
        assert_eq!(closest("perspektiv", &KNOWN), Some("perspective"));
        assert_eq!(closest("zzzzzzz", &KNOWN), None);
    }
}
