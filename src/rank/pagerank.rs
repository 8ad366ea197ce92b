//! PageRank over the corpus link graph, by power iteration.
//!
//! Links to unknown ids and self-links are ignored. A page without outgoing
//! links spreads its rank evenly over all pages (the usual fix for dangling
//! nodes), so ranks always sum to 1. Written by hand: it is twenty lines,
//! and linear in the number of links.

/// Damping factor: the chance that the random surfer follows a link.
pub const DAMPING: f64 = 0.85;
const ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-10;

/// Ranks of `n` pages given `links[i]` = the pages page `i` links to.
pub fn pagerank(n: usize, links: &[Vec<usize>]) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let out: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            let mut l: Vec<usize> = links
                .get(i)
                .map_or(&[][..], |v| v)
                .iter()
                .copied()
                .filter(|&j| j < n && j != i)
                .collect();
            l.sort_unstable();
            l.dedup();
            l
        })
        .collect();
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..ITERATIONS {
        let dangling: f64 = (0..n).filter(|&i| out[i].is_empty()).map(|i| rank[i]).sum();
        let base = (1.0 - DAMPING) / n as f64 + DAMPING * dangling / n as f64;
        let mut next = vec![base; n];
        for (i, targets) in out.iter().enumerate() {
            if targets.is_empty() {
                continue;
            }
            let share = DAMPING * rank[i] / targets.len() as f64;
            for &j in targets {
                next[j] += share;
            }
        }
        let delta: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if delta < TOLERANCE {
            break;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_to_one_and_rewards_incoming_links() {
        // 0 → 2, 1 → 2, 2 → 0, 3 isolated.
        let r = pagerank(4, &[vec![2], vec![2], vec![0], vec![]]);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(r[2] > r[0] && r[0] > r[1] && r[1] > 0.0);
    }

    #[test]
    fn a_cycle_is_uniform() {
        let r = pagerank(3, &[vec![1], vec![2], vec![0]]);
        for v in r {
            assert!((v - 1.0 / 3.0).abs() < 1e-9);
        }
    }

    #[test]
    fn known_two_page_value() {
        // 0 → 1 only; 1 dangling. Stationary: r1 = 0.15/2 + 0.85 (r0 + r1/2), r0 = 0.075 + 0.425 r1.
        let r = pagerank(2, &[vec![1], vec![]]);
        let r1 = (0.075 + 0.85 * 0.075) / (1.0 - 0.85 * 0.425 - 0.425);
        assert!((r[1] - r1).abs() < 1e-6, "{r:?} vs {r1}");
    }
}
