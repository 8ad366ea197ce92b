//! The bubble wall: for the room's query, what each participant was shown
//! (their top 5, read from the recorded search, not ranked again), what
//! they clicked, how much their top 10s overlap (Jaccard@10) and the room's
//! perspective mix. Every number comes from the events the store recorded.

use super::{Plan, Room};
use crate::compare::jaccard_sorted;
use crate::engine::Engine;
use crate::lang::Lang;
use crate::store::{Event, EventKind, Participant};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;

/// Results per card.
pub const CARD_K: usize = 5;
/// The top list that overlap and mix count, as on `/compare`.
pub const K: usize = 10;
/// Above this many participants the matrix is drawn per algorithm.
pub const MATRIX_MAX: usize = 24;

/// A participant with what the wall reads.
pub struct Seated {
    pub participant: Participant,
    pub plan: Plan,
    pub events: Arc<Vec<Event>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Wall {
    pub code: String,
    pub title: String,
    pub query: Option<String>,
    pub blind: bool,
    pub participants: usize,
    /// Participants whose search for the query was recorded.
    pub searched: usize,
    pub clicks: usize,
    pub cards: Vec<Card>,
    pub overlap: Overlap,
    pub mix: Vec<MixPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub nickname: String,
    /// The algorithm as the room shows it: its name, or its letter in blind mode.
    pub algorithm: String,
    pub letter: String,
    /// The persona's name when the room gave one.
    pub persona: Option<String>,
    /// What they searched (the room's query, or their own in free search).
    pub query: Option<String>,
    pub results: Vec<CardResult>,
    /// Perspective breadth: the diversity meter's value over their last
    /// searches (0–1), as their own page shows it.
    pub breadth: Option<String>,
    /// Clicks they made in the room.
    pub clicks: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CardResult {
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub perspective: String,
    pub colour: String,
    pub clicked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    /// `participant` (one row each) or `algorithm` (the mean per group).
    pub by: &'static str,
    pub labels: Vec<String>,
    pub rows: Vec<Vec<Option<Cell>>>,
    /// Mean Jaccard@10 over every pair of participants who searched.
    pub mean: Option<String>,
    pub most_similar: Option<Pair>,
    pub least_similar: Option<Pair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub value: f64,
    pub text: String,
    /// 0–4, for the shade (the number is always printed too).
    pub level: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MixPart {
    pub theme: String,
    pub perspective: String,
    pub label: String,
    pub colour: String,
    pub count: usize,
    /// Share of all shown top-10 places, 0–100.
    pub percent: f64,
}

/// What one participant was shown for the query, newest search first.
struct Shown<'e> {
    query: &'e str,
    /// The algorithm and viewer the search was ranked with (the room's
    /// settings may have changed since).
    algorithm: &'e str,
    viewer: &'e str,
    docs: &'e [String],
    clicked: HashSet<&'e str>,
}

fn last_shown<'e>(events: &'e [Event], room: &str, query: Option<&str>) -> Option<Shown<'e>> {
    let in_room = |e: &&Event| e.room.as_deref() == Some(room);
    let pos = events.iter().rposition(|e| {
        in_room(&e)
            && matches!(&e.kind, EventKind::Query { first_rank: 1, .. })
            && query.is_none_or(|q| e.query == q)
    })?;
    let search = &events[pos];
    let EventKind::Query { shown, .. } = &search.kind else {
        return None;
    };
    let clicked = events[pos..]
        .iter()
        .filter(in_room)
        .filter(|e| e.query == search.query)
        .filter_map(|e| match &e.kind {
            EventKind::Click { doc, .. } => Some(doc.as_str()),
            EventKind::Query { .. } => None,
        })
        .collect();
    Some(Shown {
        query: &search.query,
        algorithm: &search.algorithm,
        viewer: &search.viewer,
        docs: shown,
        clicked,
    })
}

fn fmt2(x: f64) -> String {
    format!("{x:.2}")
}

fn cell(value: f64) -> Cell {
    Cell {
        value,
        text: fmt2(value),
        level: (value * 4.0).round().clamp(0.0, 4.0) as u8,
    }
}

pub fn build(engine: &Engine, ui: Lang, room: &Room, seated: &[Seated]) -> Wall {
    let corpus = &engine.corpus;
    let s = &room.settings;
    let query = s.query.as_deref();
    let mut cards = Vec::with_capacity(seated.len());
    let mut lists: Vec<(usize, &[String])> = Vec::new();
    let mut clicks = 0;
    for (i, st) in seated.iter().enumerate() {
        let shown = last_shown(&st.events, &room.code, query);
        let own_clicks = st
            .events
            .iter()
            .filter(|e| e.room.as_deref() == Some(&room.code))
            .filter(|e| matches!(e.kind, EventKind::Click { .. }))
            .count();
        clicks += own_clicks;
        let results = shown.as_ref().map_or_else(Vec::new, |sh| {
            sh.docs
                .iter()
                .take(CARD_K)
                .enumerate()
                .filter_map(|(r, id)| {
                    let d = corpus.get(id)?;
                    let (perspective, colour) =
                        corpus.perspective_look(ui, &d.theme, &d.perspective);
                    Some(CardResult {
                        rank: r + 1,
                        id: id.clone(),
                        title: d.title.clone(),
                        perspective,
                        colour,
                        clicked: sh.clicked.contains(id.as_str()),
                    })
                })
                .collect()
        });
        if let Some(sh) = &shown {
            lists.push((i, sh.docs));
        }
        let breadth = crate::viewer::meter(&st.events, st.plan.viewer.id(), corpus)
            .map(|(now, _)| fmt2(now.entropy));
        // The card is labelled with what its results were ranked by.
        let plan = match &shown {
            Some(sh) => {
                let index = s.algorithms.iter().position(|a| a == sh.algorithm);
                Plan {
                    algorithm: sh.algorithm.to_string(),
                    index: index.unwrap_or(usize::MAX),
                    letter: index.map_or_else(|| "?".into(), super::settings::blind_label),
                    viewer: crate::viewer::Viewer::parse(sh.viewer),
                }
            }
            None => st.plan.clone(),
        };
        cards.push(Card {
            nickname: st.participant.nickname.clone(),
            algorithm: algorithm_shown(engine, ui, s.blind, &plan),
            letter: plan.letter.clone(),
            persona: plan.viewer.persona_id().and_then(|id| {
                corpus
                    .personas
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
            }),
            query: shown.as_ref().map(|sh| sh.query.to_string()),
            results,
            breadth,
            clicks: own_clicks,
        });
    }
    let overlap = overlap(engine, ui, s.blind, seated, &lists);
    let mix = mix(engine, ui, &lists);
    Wall {
        code: room.code.clone(),
        title: room.title.clone(),
        query: s.query.clone(),
        blind: s.blind,
        participants: seated.len(),
        searched: lists.len(),
        clicks,
        cards,
        overlap,
        mix,
    }
}

/// How the room names a participant's algorithm.
pub fn algorithm_shown(engine: &Engine, ui: Lang, blind: bool, plan: &Plan) -> String {
    if blind {
        return plan.letter.clone();
    }
    engine
        .algorithm(&plan.algorithm)
        .map_or_else(|| plan.algorithm.clone(), |a| a.label.get(ui).to_string())
}

fn overlap(
    engine: &Engine,
    ui: Lang,
    blind: bool,
    seated: &[Seated],
    lists: &[(usize, &[String])],
) -> Overlap {
    let name = |i: usize| seated[i].participant.nickname.clone();
    // Each top 10 as a sorted set of interned ids: 300 participants make
    // 45,000 pairs, compared by merging two short arrays each.
    let mut ids: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let sets: Vec<Vec<u32>> = lists
        .iter()
        .map(|(_, docs)| {
            let mut v: Vec<u32> = docs
                .iter()
                .take(K)
                .map(|d| {
                    let n = ids.len() as u32;
                    *ids.entry(d.as_str()).or_insert(n)
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for x in 0..lists.len() {
        for y in x + 1..lists.len() {
            pairs.push((lists[x].0, lists[y].0, jaccard_sorted(&sets[x], &sets[y])));
        }
    }
    let mean = (!pairs.is_empty())
        .then(|| fmt2(pairs.iter().map(|p| p.2).sum::<f64>() / pairs.len() as f64));
    let pair = |p: &(usize, usize, f64)| Pair {
        a: name(p.0),
        b: name(p.1),
        value: fmt2(p.2),
    };
    let most_similar = pairs.iter().max_by(|a, b| a.2.total_cmp(&b.2)).map(pair);
    let least_similar = pairs.iter().min_by(|a, b| a.2.total_cmp(&b.2)).map(pair);
    if lists.len() <= MATRIX_MAX {
        let labels = lists.iter().map(|(i, _)| name(*i)).collect();
        let rows = sets
            .iter()
            .map(|a| {
                sets.iter()
                    .map(|b| Some(cell(jaccard_sorted(a, b))))
                    .collect()
            })
            .collect();
        return Overlap {
            by: "participant",
            labels,
            rows,
            mean,
            most_similar,
            least_similar,
        };
    }
    // Many participants: the mean overlap within and between algorithms.
    let mut groups: Vec<usize> = lists.iter().map(|(i, _)| seated[*i].plan.index).collect();
    groups.sort_unstable();
    groups.dedup();
    let group_of = |i: usize| {
        groups
            .iter()
            .position(|g| *g == seated[i].plan.index)
            .unwrap_or(0)
    };
    let n = groups.len();
    let mut sum = vec![vec![0.0; n]; n];
    let mut count = vec![vec![0usize; n]; n];
    for (i, j, v) in &pairs {
        let (a, b) = (group_of(*i), group_of(*j));
        for (x, y) in [(a, b), (b, a)] {
            sum[x][y] += v;
            count[x][y] += 1;
        }
    }
    let labels = groups
        .iter()
        .map(|g| {
            let st = lists
                .iter()
                .map(|(i, _)| &seated[*i])
                .find(|s| s.plan.index == *g);
            st.map_or_else(String::new, |s| algorithm_shown(engine, ui, blind, &s.plan))
        })
        .collect();
    let rows = (0..n)
        .map(|x| {
            (0..n)
                .map(|y| (count[x][y] > 0).then(|| cell(sum[x][y] / count[x][y] as f64)))
                .collect()
        })
        .collect();
    Overlap {
        by: "algorithm",
        labels,
        rows,
        mean,
        most_similar,
        least_similar,
    }
}

fn mix(engine: &Engine, ui: Lang, lists: &[(usize, &[String])]) -> Vec<MixPart> {
    let corpus = &engine.corpus;
    let mut counts: Vec<((String, String), usize)> = Vec::new();
    let mut total = 0;
    for (_, docs) in lists {
        for id in docs.iter().take(K) {
            let Some(d) = corpus.get(id) else { continue };
            total += 1;
            let key = (d.theme.clone(), d.perspective.clone());
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .into_iter()
        .map(|((theme, perspective), count)| {
            let (label, colour) = corpus.perspective_look(ui, &theme, &perspective);
            MixPart {
                label,
                colour,
                theme,
                perspective,
                count,
                percent: 100.0 * count as f64 / total.max(1) as f64,
            }
        })
        .collect()
}
