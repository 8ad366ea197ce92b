//! Who is searching: the session itself ("me"), a persona from
//! `personas.toml`, or incognito — and what ranking may know about them.
//!
//! A [`Profile`] is derived from a viewer's recorded events every time it is
//! needed and never stored: the events are the only truth, so deleting them
//! deletes the profile. An [`Audience`] is a viewer's profile plus their
//! friends' clicks; it fills in each candidate's [`ViewerFacts`], which the
//! `personal` and `social` signals and the explanations read alike.
//!
//! Pure code: no SQL, no HTTP. The store supplies events, the engine
//! supplies the corpus.

use crate::corpus::Corpus;
use crate::rank::ViewerFacts;
use crate::store::{Event, EventKind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How many events back a click counts half as much as the newest.
pub const DEFAULT_HALF_LIFE_EVENTS: f64 = 20.0;
/// Events further back than this many half-lives weigh less than 0.1 % and
/// are not read (see [`history_window`]).
pub const HALF_LIVES_READ: f64 = 10.0;

/// A usable half-life: the default when `half_life` is not positive.
fn half_life_or_default(half_life: f64) -> f64 {
    if half_life > 0.0 {
        half_life
    } else {
        DEFAULT_HALF_LIFE_EVENTS
    }
}

/// How many of a viewer's newest events a profile reads: ten half-lives,
/// beyond which an event weighs less than 2^-10 of the newest.
pub fn history_window(half_life: f64) -> usize {
    (half_life_or_default(half_life) * HALF_LIVES_READ)
        .ceil()
        .max(1.0) as usize
}

/// The events of `viewer`, newest first, each with its weight: 1 for the
/// newest, halving every `half_life` events, for the newest
/// [`history_window`] events only. What profiles and friends' clicks read.
fn weighted<'e>(
    events: &'e [Event],
    viewer: &'e str,
    half_life: f64,
) -> impl Iterator<Item = (f64, &'e Event)> + 'e {
    let half_life = half_life_or_default(half_life);
    let decay = 0.5_f64.powf(1.0 / half_life);
    events
        .iter()
        .rev()
        .filter(move |e| e.viewer == viewer)
        .take(history_window(half_life))
        .scan(1.0 / decay, move |w, e| {
            *w *= decay;
            Some((*w, e))
        })
}

/// A search counts this much towards the themes it showed, next to a click's 1.
pub const SEARCH_WEIGHT: f64 = 0.25;
/// How sure a profile is grows with its evidence: weight / (weight + this).
/// One click gives a third of full strength, four clicks two thirds, so a
/// bubble narrows click by click rather than all at once.
pub const EVIDENCE_PRIOR: f64 = 2.0;

/// Who a search is made as.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Viewer {
    /// The session in the browser: its own recorded events.
    Me,
    /// Nothing is used and nothing is recorded.
    Incognito,
    /// A persona from the corpus: its history, read-only.
    Persona(String),
}

impl Viewer {
    /// `me` (or empty), `incognito`, or a persona id (checked by the caller).
    pub fn parse(s: &str) -> Viewer {
        match s.trim() {
            "" | "me" => Viewer::Me,
            "incognito" => Viewer::Incognito,
            other => Viewer::Persona(other.to_string()),
        }
    }

    /// The persona's id, when it is one.
    pub fn persona_id(&self) -> Option<&str> {
        match self {
            Viewer::Persona(id) => Some(id),
            _ => None,
        }
    }

    /// The id used in addresses and recorded with events.
    pub fn id(&self) -> &str {
        match self {
            Viewer::Me => "me",
            Viewer::Incognito => "incognito",
            Viewer::Persona(id) => id,
        }
    }
}

/// Interest in a theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeInterest {
    pub theme: String,
    /// Share of the (decayed) interest, 0–1; the shares add up to 1.
    pub share: f64,
    pub clicks: u32,
    /// Searches whose results were mostly in this theme.
    pub searches: u32,
}

/// Interest in one perspective of a theme, from clicks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerspectiveInterest {
    pub theme: String,
    pub perspective: String,
    /// Share of the (decayed) clicks, 0–1; the shares add up to 1.
    pub share: f64,
    pub clicks: u32,
}

/// What a viewer's events say about them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Profile {
    pub searches: usize,
    pub clicks: usize,
    /// Largest share first.
    pub themes: Vec<ThemeInterest>,
    /// Largest share first.
    pub perspectives: Vec<PerspectiveInterest>,
    /// The (decayed) weight of all clicks, and of all theme interest.
    pub click_weight: f64,
    pub theme_weight: f64,
    /// Clicked documents (corpus positions) with their decayed weight.
    #[serde(skip)]
    pub clicked: HashMap<usize, f64>,
    /// Clicked documents and those they link to or are linked from.
    #[serde(skip)]
    near: HashSet<usize>,
}

impl Profile {
    /// Derives the profile of `viewer` from events (oldest first; events
    /// of other viewers are skipped). The newest counts 1, and every
    /// `half_life` events back counts half as much; only the newest
    /// [`history_window`] events are read. Clicks on documents no longer in
    /// the corpus are ignored.
    pub fn build(
        events: &[Event],
        viewer: &str,
        corpus: &Corpus,
        links: &Links,
        half_life: f64,
    ) -> Profile {
        let mut p = Profile::default();
        // A corpus has a handful of themes and perspectives: small lists
        // scanned in order beat maps keyed by strings here.
        // (weight, clicks, searches) per theme; (weight, clicks) per perspective.
        let mut themes: Vec<(&str, (f64, u32, u32))> = Vec::new();
        let mut perspectives: Vec<(PerspectiveKey, (f64, u32))> = Vec::new();
        for (w, e) in weighted(events, viewer, half_life) {
            match &e.kind {
                EventKind::Click { doc, .. } => {
                    let Some(ord) = corpus.index_of(doc) else {
                        continue;
                    };
                    let d = &corpus.docs[ord];
                    p.clicks += 1;
                    let t = tally(&mut themes, d.theme.as_str());
                    t.0 += w;
                    t.1 += 1;
                    let pe = tally(
                        &mut perspectives,
                        (d.theme.as_str(), d.perspective.as_str()),
                    );
                    pe.0 += w;
                    pe.1 += 1;
                    *p.clicked.entry(ord).or_default() += w;
                }
                EventKind::Query { shown, .. } => {
                    p.searches += 1;
                    let mut counts: Vec<(&str, usize)> = Vec::new();
                    for ord in shown.iter().filter_map(|id| corpus.index_of(id)) {
                        *tally(&mut counts, corpus.docs[ord].theme.as_str()) += 1;
                    }
                    let total: usize = counts.iter().map(|c| c.1).sum();
                    for (theme, n) in &counts {
                        tally(&mut themes, theme).0 += w * SEARCH_WEIGHT * *n as f64 / total as f64;
                    }
                    // Counted for the theme most of its results were in
                    // (the first such in name order on a tie).
                    if let Some((theme, _)) = counts
                        .iter()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                    {
                        tally(&mut themes, theme).2 += 1;
                    }
                }
            }
        }
        let theme_total: f64 = themes.iter().map(|t| t.1.0).sum();
        p.theme_weight = theme_total;
        p.themes = themes
            .into_iter()
            .map(|(theme, (w, clicks, searches))| ThemeInterest {
                theme: theme.to_string(),
                share: share(w, theme_total),
                clicks,
                searches,
            })
            .collect();
        p.themes
            .sort_by(|a, b| b.share.total_cmp(&a.share).then(a.theme.cmp(&b.theme)));
        let persp_total: f64 = perspectives.iter().map(|x| x.1.0).sum();
        p.click_weight = persp_total;
        p.perspectives = perspectives
            .into_iter()
            .map(|((theme, perspective), (w, clicks))| PerspectiveInterest {
                theme: theme.to_string(),
                perspective: perspective.to_string(),
                share: share(w, persp_total),
                clicks,
            })
            .collect();
        p.perspectives.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then(a.theme.cmp(&b.theme))
                .then(a.perspective.cmp(&b.perspective))
        });
        for &ord in p.clicked.keys() {
            p.near.insert(ord);
            p.near.extend(links.outgoing(ord));
            p.near.extend(links.incoming(ord));
        }
        p
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.searches == 0 && self.clicks == 0
    }

    pub fn theme(&self, theme: &str) -> Option<&ThemeInterest> {
        self.themes.iter().find(|t| t.theme == theme)
    }

    /// How sure the profile is of its perspective shares, 0–1.
    pub fn click_certainty(&self) -> f64 {
        certainty(self.click_weight)
    }

    /// How sure the profile is of its theme shares, 0–1.
    pub fn theme_certainty(&self) -> f64 {
        certainty(self.theme_weight)
    }

    pub fn perspective(&self, theme: &str, perspective: &str) -> Option<&PerspectiveInterest> {
        self.perspectives
            .iter()
            .find(|p| p.theme == theme && p.perspective == perspective)
    }
}

/// What a friend's events give the `social` signal: the documents `viewer`
/// clicked, each weighted by recency as in [`Profile::build`] (the same
/// window and half-life), without the rest of a profile.
pub fn recent_clicks(
    events: &[Event],
    viewer: &str,
    corpus: &Corpus,
    half_life: f64,
) -> HashMap<usize, f64> {
    let mut clicked = HashMap::new();
    for (w, e) in weighted(events, viewer, half_life) {
        if let EventKind::Click { doc, .. } = &e.kind
            && let Some(ord) = corpus.index_of(doc)
        {
            *clicked.entry(ord).or_default() += w;
        }
    }
    clicked
}

/// (theme, perspective).
type PerspectiveKey<'a> = (&'a str, &'a str);

/// The entry for `key` in a short list, added (zeroed) when missing.
fn tally<K: PartialEq + Copy, V: Default>(list: &mut Vec<(K, V)>, key: K) -> &mut V {
    let i = match list.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            list.push((key, V::default()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

/// The corpus's link graph by document position, both ways.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub outgoing: Vec<Vec<usize>>,
    pub incoming: Vec<Vec<usize>>,
}

impl Links {
    /// The graph of `corpus` (links to unknown or the same document dropped).
    pub fn of(corpus: &Corpus) -> Links {
        let outgoing: Vec<Vec<usize>> = corpus
            .docs
            .iter()
            .enumerate()
            .map(|(from, d)| {
                let mut to: Vec<usize> = d
                    .links
                    .iter()
                    .filter_map(|id| corpus.index_of(id))
                    .filter(|&to| to != from)
                    .collect();
                to.sort_unstable();
                to.dedup();
                to
            })
            .collect();
        let mut incoming = vec![Vec::new(); corpus.docs.len()];
        for (from, targets) in outgoing.iter().enumerate() {
            for &to in targets {
                incoming[to].push(from);
            }
        }
        Links { outgoing, incoming }
    }

    pub fn outgoing(&self, ord: usize) -> impl Iterator<Item = usize> + '_ {
        self.outgoing.get(ord).into_iter().flatten().copied()
    }

    pub fn incoming(&self, ord: usize) -> impl Iterator<Item = usize> + '_ {
        self.incoming.get(ord).into_iter().flatten().copied()
    }
}

fn certainty(weight: f64) -> f64 {
    weight / (weight + EVIDENCE_PRIOR)
}

fn share(w: f64, total: f64) -> f64 {
    if total > 0.0 { w / total } else { 0.0 }
}

/// A friend, as the `social` signal sees them: who, and what they clicked.
#[derive(Debug, Clone)]
pub struct Friend {
    pub name: String,
    /// Clicked documents (corpus positions), weighted by recency.
    pub clicked: HashMap<usize, f64>,
}

/// A viewer with everything ranking may use about them.
#[derive(Debug, Clone)]
pub struct Audience {
    pub viewer: Viewer,
    /// How pages name them: a persona's name or the session's nickname.
    pub name: Option<String>,
    pub profile: Profile,
    pub friends: Vec<Friend>,
}

impl Audience {
    /// No history and no friends: what incognito (and a new visitor) gets.
    pub fn anonymous(viewer: Viewer) -> Audience {
        Audience {
            viewer,
            name: None,
            profile: Profile::default(),
            friends: Vec::new(),
        }
    }

    /// What this viewer's history and friends say about one document.
    pub fn facts(&self, ord: usize, theme: &str, perspective: &str) -> ViewerFacts {
        let p = &self.profile;
        let mut facts = ViewerFacts {
            perspective_affinity: p
                .perspective(theme, perspective)
                .map_or(0.0, |x| x.share * p.click_certainty()),
            theme_affinity: p
                .theme(theme)
                .map_or(0.0, |x| x.share * p.theme_certainty()),
            near_clicked: p.near.contains(&ord),
            perspective_clicks: p.perspective(theme, perspective).map_or(0, |x| x.clicks),
            theme_searches: p.theme(theme).map_or(0, |x| x.searches),
            friends_weight: 0.0,
            friends: Vec::new(),
        };
        for f in &self.friends {
            if let Some(w) = f.clicked.get(&ord) {
                facts.friends_weight += w.min(1.0);
                facts.friends.push(f.name.clone());
            }
        }
        facts
    }
}

/// How varied the perspectives were in what a viewer was shown: the
/// normalised entropy of the perspectives on the pages of their last
/// searches (1 = every perspective of the themes equally, 0 = only one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diversity {
    /// Searches counted (at most the window).
    pub searches: usize,
    pub entropy: f64,
    /// Documents shown per (theme, perspective), most first.
    pub shown: Vec<((String, String), usize)>,
    /// Perspectives the shown themes have in all.
    pub possible: usize,
}

/// Searches the diversity meter looks back over.
pub const DIVERSITY_WINDOW: usize = 10;

/// The diversity of the last `window` searches of `viewer` among a
/// session's events (skipping `skip` newest searches, to compare with
/// earlier). `None` when there were no such searches.
pub fn diversity(
    events: &[Event],
    viewer: &str,
    corpus: &Corpus,
    window: usize,
    skip: usize,
) -> Option<Diversity> {
    let searches: Vec<&Vec<String>> = events
        .iter()
        .rev()
        .filter(|e| e.viewer == viewer)
        .filter_map(|e| match &e.kind {
            EventKind::Query { shown, .. } if !shown.is_empty() => Some(shown),
            _ => None,
        })
        .skip(skip)
        .take(window)
        .collect();
    if searches.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for ord in searches
        .iter()
        .flat_map(|s| s.iter())
        .filter_map(|id| corpus.index_of(id))
    {
        let d = &corpus.docs[ord];
        *counts.entry((&d.theme, &d.perspective)).or_default() += 1;
    }
    let themes: HashSet<&str> = counts.keys().map(|(t, _)| *t).collect();
    let possible = themes
        .iter()
        .map(|t| corpus.theme(t).map_or(1, |t| t.perspectives.len()))
        .sum::<usize>()
        .max(counts.len());
    let n: Vec<usize> = counts.values().copied().collect();
    let mut shown: Vec<((String, String), usize)> = counts
        .into_iter()
        .map(|((t, p), n)| ((t.to_string(), p.to_string()), n))
        .collect();
    shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(Diversity {
        searches: searches.len(),
        entropy: crate::compare::normalized_entropy(&n, possible),
        shown,
        possible,
    })
}

/// The diversity meter: the last [`DIVERSITY_WINDOW`] searches, and the
/// same many before them when there were any (to show the trend).
pub type Meter = (Diversity, Option<Diversity>);

/// The diversity meter of `viewer`; `None` before their first search.
pub fn meter(events: &[Event], viewer: &str, corpus: &Corpus) -> Option<Meter> {
    let now = diversity(events, viewer, corpus, DIVERSITY_WINDOW, 0)?;
    let before = diversity(events, viewer, corpus, DIVERSITY_WINDOW, DIVERSITY_WINDOW);
    Some((now, before))
}

#[cfg(test)]
mod tests;
