//! Comparing ranked lists: overlap (Jaccard@k, rank-biased overlap), rank
//! shifts, and the perspective mix and its diversity. Pure functions over
//! lists of ids or labels.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// |A ∩ B| / |A ∪ B| of the top k of each list (1 for two empty lists).
pub fn jaccard_at<T: AsRef<str>>(a: &[T], b: &[T], k: usize) -> f64 {
    let sa: HashSet<&str> = a.iter().take(k).map(AsRef::as_ref).collect();
    let sb: HashSet<&str> = b.iter().take(k).map(AsRef::as_ref).collect();
    let union = sa.union(&sb).count();
    if union == 0 {
        1.0
    } else {
        sa.intersection(&sb).count() as f64 / union as f64
    }
}

/// Jaccard of two sets given as sorted lists without repeats (ids interned
/// by the caller): the same value as [`jaccard_at`] on the lists they came
/// from, for many pairs at once (the bubble wall compares every pair).
pub fn jaccard_sorted(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f64 / union as f64
    }
}

/// Average overlap to depth k: the mean over d = 1..k of |A:d ∩ B:d| / d.
pub fn average_overlap<T: AsRef<str>>(a: &[T], b: &[T], k: usize) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let agreements = agreements(a, b, k);
    agreements.iter().sum::<f64>() / k as f64
}

/// Agreement |A:d ∩ B:d| / d for d = 1..=k (lists shorter than d count
/// what they have).
fn agreements<T: AsRef<str>>(a: &[T], b: &[T], k: usize) -> Vec<f64> {
    overlaps(a, b, k)
        .iter()
        .enumerate()
        .map(|(i, x)| *x as f64 / (i + 1) as f64)
        .collect()
}

/// X_d = |A:d ∩ B:d| for d = 1..=k.
fn overlaps<T: AsRef<str>>(a: &[T], b: &[T], k: usize) -> Vec<usize> {
    let (mut seen_a, mut seen_b) = (HashSet::new(), HashSet::new());
    let mut x = 0;
    let mut out = Vec::with_capacity(k);
    for d in 0..k {
        let ea = a.get(d).map(AsRef::as_ref);
        let eb = b.get(d).map(AsRef::as_ref);
        if let (Some(ea), Some(eb)) = (ea, eb) {
            if ea == eb {
                x += 1;
            } else {
                x += usize::from(seen_b.contains(ea)) + usize::from(seen_a.contains(eb));
            }
        } else if let Some(ea) = ea {
            x += usize::from(seen_b.contains(ea));
        } else if let Some(eb) = eb {
            x += usize::from(seen_a.contains(eb));
        }
        if let Some(ea) = ea {
            seen_a.insert(ea);
        }
        if let Some(eb) = eb {
            seen_b.insert(eb);
        }
        out.push(x);
    }
    out
}

/// Rank-biased overlap, extrapolated (RBO_ext, Webber, Moffat & Zobel 2010,
/// eq. 32 for lists of different lengths; eq. 30 when they are equal).
/// `p` is the persistence: 0.9 puts ~86 % of the weight on the top 10.
/// Two empty lists have RBO 1; an empty and a non-empty list 0.
pub fn rbo<T: AsRef<str>>(a: &[T], b: &[T], p: f64) -> f64 {
    let (s_list, l_list) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (s, l) = (s_list.len(), l_list.len());
    if l == 0 {
        return 1.0;
    }
    if s == 0 {
        return 0.0;
    }
    let x = overlaps(s_list, l_list, l);
    let (xs, xl) = (x[s - 1] as f64, x[l - 1] as f64);
    let mut sum = 0.0;
    for d in 1..=l {
        sum += x[d - 1] as f64 / d as f64 * p.powi(d as i32);
    }
    for d in (s + 1)..=l {
        sum += xs * (d - s) as f64 / (s * d) as f64 * p.powi(d as i32);
    }
    (1.0 - p) / p * sum + ((xl - xs) / l as f64 + xs / s as f64) * p.powi(l as i32)
}

/// How a document moved from list A to list B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "by", rename_all = "lowercase")]
pub enum Shift {
    /// Higher in B than in A by this many places.
    Up(usize),
    Down(usize),
    Same,
    /// In B, not in A.
    New,
    /// In A, not in B.
    Gone,
}

/// For each id of `b` (in order), its shift from `a`; then the ids of `a`
/// missing from `b`, as `Gone`.
pub fn rank_shifts<T: AsRef<str>>(a: &[T], b: &[T]) -> Vec<(String, Shift)> {
    let pos_a: HashMap<&str, usize> = a.iter().enumerate().map(|(i, x)| (x.as_ref(), i)).collect();
    let in_b: HashSet<&str> = b.iter().map(AsRef::as_ref).collect();
    let mut out: Vec<(String, Shift)> = b
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let shift = match pos_a.get(id.as_ref()) {
                None => Shift::New,
                Some(&i) if i > j => Shift::Up(i - j),
                Some(&i) if i < j => Shift::Down(j - i),
                Some(_) => Shift::Same,
            };
            (id.as_ref().to_string(), shift)
        })
        .collect();
    out.extend(
        a.iter()
            .filter(|id| !in_b.contains(id.as_ref()))
            .map(|id| (id.as_ref().to_string(), Shift::Gone)),
    );
    out
}

/// Counts of each perspective in the top k, most frequent first (ties in
/// order of first appearance).
pub fn perspective_mix<T: AsRef<str>>(perspectives: &[T], k: usize) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in perspectives.iter().take(k) {
        match counts.iter_mut().find(|(q, _)| q == p.as_ref()) {
            Some((_, n)) => *n += 1,
            None => counts.push((p.as_ref().to_string(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

/// Shannon entropy of the counts divided by its maximum, ln(`possible`):
/// 0 when one perspective fills the list, 1 when `possible` perspectives are
/// equally represented. `possible` is how many perspectives could have been
/// shown (e.g. those among all matches); below 2 the entropy is 0.
pub fn normalized_entropy(counts: &[usize], possible: usize) -> f64 {
    let total: usize = counts.iter().sum();
    if total == 0 || possible < 2 {
        return 0.0;
    }
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    // `+ 0.0` turns a negative zero (one perspective: -1 × ln 1) into 0.
    (h / (possible as f64).ln()).clamp(0.0, 1.0) + 0.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn jaccard_of_sorted_sets_equals_jaccard_at() {
        let lists: [&[&str]; 4] = [&["a", "b", "c"], &["c", "a", "d", "a"], &[], &["x"]];
        let intern = |l: &[&str]| {
            let mut v: Vec<u32> = l.iter().map(|s| u32::from(s.as_bytes()[0])).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for a in lists {
            for b in lists {
                assert_eq!(jaccard_sorted(&intern(a), &intern(b)), jaccard_at(a, b, 10));
            }
        }
    }

    use super::*;

    #[test]
    fn one_perspective_is_a_plain_zero() {
        let h = normalized_entropy(&[10], 4);
        assert_eq!(format!("{h:.2}"), "0.00");
    }

    fn chars(s: &str) -> Vec<String> {
        s.chars().map(|c| c.to_string()).collect()
    }
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} != {b}");
    }

    #[test]
    fn jaccard_of_known_lists() {
        close(jaccard_at(&chars("abcd"), &chars("cdef"), 10), 2.0 / 6.0);
        close(jaccard_at(&chars("abcd"), &chars("abcd"), 10), 1.0);
        close(jaccard_at(&chars("abcd"), &chars("abxy"), 2), 1.0);
        close(jaccard_at(&chars("ab"), &chars("cd"), 10), 0.0);
        close(jaccard_at::<String>(&[], &[], 10), 1.0);
    }

    #[test]
    fn average_overlap_of_the_rbo_papers_figure_5_lists() {
        // Webber et al. (2010), Figure 5: <a b c d e f g> vs <z c a v w x y>.
        // Agreements by depth: 0, 0, 2/3, 2/4, 2/5, 2/6, 2/7 → mean 0.312.
        let (s, t) = (chars("abcdefg"), chars("zcavwxy"));
        assert_eq!(overlaps(&s, &t, 7), [0, 0, 2, 2, 2, 2, 2]);
        assert!((average_overlap(&s, &t, 7) - 0.312).abs() < 5e-4);
    }

    #[test]
    fn rbo_ext_of_the_figure_5_lists_by_hand() {
        // Equal lengths (k = 7): RBO_ext = (1-p)/p Σ X_d/d p^d + X_k/k p^k.
        let (s, t) = (chars("abcdefg"), chars("zcavwxy"));
        let p: f64 = 0.9;
        let sum = 2.0 / 3.0 * p.powi(3)
            + 2.0 / 4.0 * p.powi(4)
            + 2.0 / 5.0 * p.powi(5)
            + 2.0 / 6.0 * p.powi(6)
            + 2.0 / 7.0 * p.powi(7);
        close(rbo(&s, &t, p), (1.0 - p) / p * sum + 2.0 / 7.0 * p.powi(7));
        close(rbo(&s, &t, p), rbo(&t, &s, p));
    }

    #[test]
    fn rbo_bounds_and_uneven_lists() {
        let a = chars("abcdefghij");
        close(rbo(&a, &a, 0.9), 1.0);
        close(rbo(&a, &chars("klmnopqrst"), 0.9), 0.0);
        // A prefix of an identical ranking extrapolates to full agreement.
        close(rbo(&a, &chars("abcde"), 0.9), 1.0);
        // A swap at the top costs more than a swap at the bottom.
        let top = rbo(&a, &chars("bacdefghij"), 0.9);
        let bottom = rbo(&a, &chars("abcdefghji"), 0.9);
        assert!(top < bottom && bottom < 1.0, "{top} {bottom}");
        close(rbo::<String>(&[], &[], 0.9), 1.0);
        close(rbo(&a, &[], 0.9), 0.0);
    }

    #[test]
    fn rbo_uneven_by_hand() {
        // S = <a b>, L = <b c d>, p = 0.5. X: d1 0, d2 1, d3 1; s = 2, l = 3.
        let p: f64 = 0.5;
        let sum = 0.0 + 1.0 / 2.0 * p.powi(2) + 1.0 / 3.0 * p.powi(3) + 1.0 * 1.0 / 6.0 * p.powi(3);
        let expected = (1.0 - p) / p * sum + ((1.0 - 1.0) / 3.0 + 1.0 / 2.0) * p.powi(3);
        close(rbo(&chars("ab"), &chars("bcd"), p), expected);
    }

    #[test]
    fn shifts_up_down_new_gone() {
        let s = rank_shifts(&chars("abcd"), &chars("cabe"));
        assert_eq!(
            s,
            vec![
                ("c".into(), Shift::Up(2)),
                ("a".into(), Shift::Down(1)),
                ("b".into(), Shift::Down(1)),
                ("e".into(), Shift::New),
                ("d".into(), Shift::Gone),
            ]
        );
    }

    #[test]
    fn mix_and_entropy() {
        let p = ["jakt", "skydd", "jakt", "forskning", "jakt"];
        assert_eq!(
            perspective_mix(&p, 10),
            vec![
                ("jakt".into(), 3),
                ("skydd".into(), 1),
                ("forskning".into(), 1)
            ]
        );
        assert_eq!(
            perspective_mix(&p, 2),
            vec![("jakt".into(), 1), ("skydd".into(), 1)]
        );
        close(normalized_entropy(&[5], 3), 0.0);
        close(normalized_entropy(&[2, 2, 2], 3), 1.0);
        close(normalized_entropy(&[1, 1], 4), 0.5);
        // 3/5, 1/5, 1/5 of 3 possible: H = -(0.6 ln 0.6 + 2 · 0.2 ln 0.2) / ln 3.
        close(
            normalized_entropy(&[3, 1, 1], 3),
            -(0.6 * 0.6f64.ln() + 0.4 * 0.2f64.ln()) / 3f64.ln(),
        );
        close(normalized_entropy(&[], 3), 0.0);
    }
}
