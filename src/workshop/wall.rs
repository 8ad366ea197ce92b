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
use std::collections::{HashMap, HashSet};
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

/// The wall of a room. Participants come one at a time with their events,
/// and each one's events are let go before the next: a wall held every
/// session's events at once, and every search committed meanwhile copied
/// its session's whole history (copy-on-write).
pub fn build(
    engine: &Engine,
    ui: Lang,
    room: &Room,
    seats: impl IntoIterator<Item = anyhow::Result<Seated>>,
) -> anyhow::Result<Wall> {
    let corpus = &engine.corpus;
    let s = &room.settings;
    let query = s.query.as_deref();
    let mut cards = Vec::new();
    let mut lists: Vec<(usize, Vec<String>)> = Vec::new();
    let mut people: Vec<(Participant, Plan)> = Vec::new();
    let mut clicks = 0;
    for (i, st) in seats.into_iter().enumerate() {
        let st = st?;
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
            lists.push((i, sh.docs.iter().take(K).cloned().collect()));
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
        people.push((st.participant, st.plan));
    }
    let overlap = overlap(engine, ui, s.blind, &people, &lists);
    let mix = mix(engine, ui, &lists);
    Ok(Wall {
        code: room.code.clone(),
        title: room.title.clone(),
        query: s.query.clone(),
        blind: s.blind,
        participants: people.len(),
        searched: lists.len(),
        clicks,
        cards,
        overlap,
        mix,
    })
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
    people: &[(Participant, Plan)],
    lists: &[(usize, Vec<String>)],
) -> Overlap {
    let name = |i: usize| people[i].0.nickname.clone();
    let sets = top_sets(lists);
    let groups_of: Vec<usize> = lists.iter().map(|(i, _)| people[*i].1.index).collect();
    let pairs = Pairs::of(&sets, &groups_of);
    let mean = pairs.mean().map(fmt2);
    let pair = |(x, y, v): (usize, usize, f64)| Pair {
        a: name(lists[x].0),
        b: name(lists[y].0),
        value: fmt2(v),
    };
    let most_similar = pairs.most.map(pair);
    let least_similar = pairs.least.map(pair);
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
    let labels = pairs
        .groups
        .iter()
        .map(|g| {
            let plan = lists
                .iter()
                .map(|(i, _)| &people[*i].1)
                .find(|p| p.index == *g);
            plan.map_or_else(String::new, |p| algorithm_shown(engine, ui, blind, p))
        })
        .collect();
    let rows = pairs
        .group_means()
        .into_iter()
        .map(|row| row.into_iter().map(|v| v.map(cell)).collect())
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

/// Each top 10 as a sorted set of interned document ids.
fn top_sets(lists: &[(usize, Vec<String>)]) -> Vec<Vec<u32>> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    lists
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
        .collect()
}

/// Jaccard@10 over every pair of lists, summed up: the mean, the most and
/// least similar pair (the earliest pair in seat order on a tie), and the
/// mean within and between groups (algorithms).
///
/// A room shares one query, so many participants were shown the very same
/// top 10: the pairs are counted per pair of *distinct* lists, weighted by
/// how many participants had each (1,500 participants make 1.1 million
/// pairs, but only as many distinct lists as algorithms and profiles).
#[derive(Debug)]
struct Pairs {
    sum: f64,
    count: u64,
    /// (list, list, Jaccard), the first list before the second.
    most: Option<(usize, usize, f64)>,
    least: Option<(usize, usize, f64)>,
    /// The distinct groups, in ascending order.
    groups: Vec<usize>,
    group_sum: Vec<Vec<f64>>,
    group_count: Vec<Vec<u64>>,
}

/// The groups that occur, in ascending order.
fn distinct_groups(group_of: &[usize]) -> Vec<usize> {
    let mut groups = group_of.to_vec();
    groups.sort_unstable();
    groups.dedup();
    groups
}

impl Pairs {
    /// No pair counted yet.
    fn none(groups: Vec<usize>) -> Pairs {
        let n = groups.len();
        Pairs {
            sum: 0.0,
            count: 0,
            most: None,
            least: None,
            group_sum: vec![vec![0.0; n]; n],
            group_count: vec![vec![0; n]; n],
            groups,
        }
    }

    fn of(sets: &[Vec<u32>], group_of: &[usize]) -> Pairs {
        let groups = distinct_groups(group_of);
        let n = groups.len();
        let g = |i: usize| groups.binary_search(&group_of[i]).unwrap_or(0);
        // Distinct sets, in order of first appearance, with their lists.
        let mut index: HashMap<&[u32], usize> = HashMap::new();
        let mut distinct: Vec<(&[u32], Vec<usize>)> = Vec::new();
        for (i, set) in sets.iter().enumerate() {
            let k = *index.entry(set.as_slice()).or_insert_with(|| {
                distinct.push((set.as_slice(), Vec::new()));
                distinct.len() - 1
            });
            distinct[k].1.push(i);
        }
        let per_group: Vec<Vec<u64>> = distinct
            .iter()
            .map(|(_, members)| {
                let mut c = vec![0u64; n];
                for &m in members {
                    c[g(m)] += 1;
                }
                c
            })
            .collect();
        let mut p = Pairs::none(groups.clone());
        for a in 0..distinct.len() {
            for b in a..distinct.len() {
                let (ma, mb) = (&distinct[a].1, &distinct[b].1);
                // The earliest pair of lists this pair of sets stands for.
                let first = if a == b {
                    match ma.as_slice() {
                        [x, y, ..] => (*x, *y),
                        _ => continue,
                    }
                } else {
                    (ma[0].min(mb[0]), ma[0].max(mb[0]))
                };
                let v = jaccard_sorted(distinct[a].0, distinct[b].0);
                let w = if a == b {
                    let c = ma.len() as u64;
                    c * (c - 1) / 2
                } else {
                    (ma.len() * mb.len()) as u64
                };
                p.sum += v * w as f64;
                p.count += w;
                let better = |cur: Option<(usize, usize, f64)>, more: bool| {
                    cur.is_none_or(|(x, y, c)| {
                        let by_value = if more { v > c } else { v < c };
                        by_value || (v == c && first < (x, y))
                    })
                };
                if better(p.most, true) {
                    p.most = Some((first.0, first.1, v));
                }
                if better(p.least, false) {
                    p.least = Some((first.0, first.1, v));
                }
                for x in 0..n {
                    for y in 0..n {
                        let w = if a == b {
                            let (cx, cy) = (per_group[a][x], per_group[a][y]);
                            // Both orders of each pair, as between sets.
                            if x == y {
                                cx * cx.saturating_sub(1)
                            } else {
                                cx * cy
                            }
                        } else {
                            per_group[a][x] * per_group[b][y] + per_group[b][x] * per_group[a][y]
                        };
                        if w > 0 {
                            p.group_sum[x][y] += v * w as f64;
                            p.group_count[x][y] += w;
                        }
                    }
                }
            }
        }
        p
    }

    fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The mean Jaccard within (diagonal) and between groups; `None` where
    /// there is no pair.
    fn group_means(&self) -> Vec<Vec<Option<f64>>> {
        self.group_sum
            .iter()
            .zip(&self.group_count)
            .map(|(sums, counts)| {
                sums.iter()
                    .zip(counts)
                    .map(|(s, c)| (*c > 0).then(|| s / *c as f64))
                    .collect()
            })
            .collect()
    }
}

fn mix(engine: &Engine, ui: Lang, lists: &[(usize, Vec<String>)]) -> Vec<MixPart> {
    let corpus = &engine.corpus;
    let mut by_key: HashMap<(&str, &str), usize> = HashMap::new();
    let mut total = 0;
    for (_, docs) in lists {
        for id in docs.iter().take(K) {
            let Some(d) = corpus.get(id) else { continue };
            total += 1;
            *by_key.entry((&d.theme, &d.perspective)).or_default() += 1;
        }
    }
    let mut counts: Vec<((String, String), usize)> = by_key
        .into_iter()
        .map(|((t, p), n)| ((t.to_string(), p.to_string()), n))
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Every pair of lists, one by one: what [`Pairs`] must agree with.
    fn brute(sets: &[Vec<u32>], group_of: &[usize]) -> Pairs {
        let groups = distinct_groups(group_of);
        let g = |i: usize| groups.binary_search(&group_of[i]).unwrap_or(0);
        let mut p = Pairs::none(groups.clone());
        for x in 0..sets.len() {
            for y in x + 1..sets.len() {
                let v = jaccard_sorted(&sets[x], &sets[y]);
                p.sum += v;
                p.count += 1;
                if p.most.is_none_or(|m| v > m.2) {
                    p.most = Some((x, y, v));
                }
                if p.least.is_none_or(|m| v < m.2) {
                    p.least = Some((x, y, v));
                }
                for (a, b) in [(g(x), g(y)), (g(y), g(x))] {
                    p.group_sum[a][b] += v;
                    p.group_count[a][b] += 1;
                }
            }
        }
        p
    }

    #[test]
    fn pairs_of_distinct_lists_agree_with_every_pair() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for round in 0..200 {
            let lists = rng.random_range(0..40);
            // Few distinct lists, as in a room: drawn from a small pool.
            let pool: Vec<Vec<u32>> = (0..rng.random_range(1..6))
                .map(|_| {
                    let mut v: Vec<u32> = (0..rng.random_range(0..6))
                        .map(|_| rng.random_range(0..12))
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            let sets: Vec<Vec<u32>> = (0..lists)
                .map(|_| pool[rng.random_range(0..pool.len())].clone())
                .collect();
            let group_of: Vec<usize> = (0..lists).map(|_| rng.random_range(0..3) * 10).collect();
            let (fast, slow) = (Pairs::of(&sets, &group_of), brute(&sets, &group_of));
            assert_eq!(fast.count, slow.count, "round {round}");
            assert!((fast.sum - slow.sum).abs() < 1e-9, "round {round}");
            assert_eq!(fast.most, slow.most, "round {round}");
            assert_eq!(fast.least, slow.least, "round {round}");
            assert_eq!(fast.groups, slow.groups, "round {round}");
            let (f, s) = (fast.group_means(), slow.group_means());
            for (fr, sr) in f.iter().zip(&s) {
                for (a, b) in fr.iter().zip(sr) {
                    match (a, b) {
                        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "round {round}"),
                        (a, b) => assert_eq!(a.is_some(), b.is_some(), "round {round}"),
                    }
                }
            }
        }
    }
}
