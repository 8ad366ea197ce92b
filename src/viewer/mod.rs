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

    /// The id used in addresses and recorded with events.
    pub fn id(&self) -> &str {
        match self {
            Viewer::Me => "me",
            Viewer::Incognito => "incognito",
            Viewer::Persona(id) => id,
        }
    }
}

/// One thing a viewer did, as profiles read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// A search, with the documents it showed.
    Search { shown: Vec<String> },
    /// A click on a document.
    Click { doc: String },
}

/// The activities of `viewer` among a session's events, oldest first.
pub fn activities(events: &[Event], viewer: &str) -> Vec<Activity> {
    events
        .iter()
        .filter(|e| e.viewer == viewer)
        .map(|e| match &e.kind {
            EventKind::Query { shown, .. } => Activity::Search {
                shown: shown.clone(),
            },
            EventKind::Click { doc, .. } => Activity::Click { doc: doc.clone() },
        })
        .collect()
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
    /// Derives a profile from activities (oldest first). The newest counts
    /// 1, and every `half_life` events back counts half as much. Clicks on
    /// documents no longer in the corpus are ignored.
    pub fn build(
        activities: &[Activity],
        corpus: &Corpus,
        incoming: &[Vec<usize>],
        half_life: f64,
    ) -> Profile {
        let half_life = if half_life > 0.0 {
            half_life
        } else {
            DEFAULT_HALF_LIFE_EVENTS
        };
        let mut p = Profile::default();
        let mut themes: BTreeMap<&str, (f64, u32, u32)> = BTreeMap::new();
        let mut perspectives: BTreeMap<(&str, &str), (f64, u32)> = BTreeMap::new();
        for (age, a) in activities.iter().rev().enumerate() {
            let w = 0.5_f64.powf(age as f64 / half_life);
            match a {
                Activity::Click { doc } => {
                    let Some(ord) = corpus.index_of(doc) else {
                        continue;
                    };
                    let d = &corpus.docs[ord];
                    p.clicks += 1;
                    let t = themes.entry(&d.theme).or_default();
                    t.0 += w;
                    t.1 += 1;
                    let pe = perspectives.entry((&d.theme, &d.perspective)).or_default();
                    pe.0 += w;
                    pe.1 += 1;
                    *p.clicked.entry(ord).or_default() += w;
                }
                Activity::Search { shown } => {
                    p.searches += 1;
                    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                    for ord in shown.iter().filter_map(|id| corpus.index_of(id)) {
                        *counts.entry(&corpus.docs[ord].theme).or_default() += 1;
                    }
                    let total: usize = counts.values().sum();
                    for (theme, n) in &counts {
                        themes.entry(theme).or_default().0 +=
                            w * SEARCH_WEIGHT * *n as f64 / total as f64;
                    }
                    // Counted for the theme most of its results were in
                    // (the first such in name order on a tie).
                    if let Some((theme, _)) =
                        counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    {
                        themes.entry(theme).or_default().2 += 1;
                    }
                }
            }
        }
        let theme_total: f64 = themes.values().map(|t| t.0).sum();
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
        let persp_total: f64 = perspectives.values().map(|x| x.0).sum();
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
            let links = corpus.docs[ord]
                .links
                .iter()
                .filter_map(|id| corpus.index_of(id));
            p.near.extend(links);
            p.near
                .extend(incoming.get(ord).into_iter().flatten().copied());
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
                facts.friends_weight += w;
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

#[cfg(test)]
mod tests;
