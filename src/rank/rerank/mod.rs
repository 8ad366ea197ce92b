//! Re-ranking steps: what an algorithm does after sorting by score. One file
//! per step; the registry below. Each step records what it moved, so the
//! explanation can say "pinned as sponsored" or "lifted from rank 7".

mod diversify;
mod pin_sponsored;
mod shuffle;

use super::{Bilingual, Candidate, Move, RankContext, Ranked};
use std::sync::Arc;

pub trait Rerank: Send + Sync + std::fmt::Debug {
    fn id(&self) -> &'static str;
    /// What the step does, with its parameters, in both languages.
    fn describe(&self) -> (String, String);
    /// Its parameters, for the API.
    fn params(&self) -> serde_json::Value;
    /// Reorders a list sorted by score.
    fn apply(
        &self,
        ranked: Vec<Ranked>,
        candidates: &[Candidate<'_>],
        ctx: &RankContext,
    ) -> Vec<Ranked>;
}

/// A kind of step and how to build it from its TOML table.
pub struct RerankKind {
    pub id: &'static str,
    pub summary: Bilingual,
    pub build: fn(&toml::Table) -> Result<Arc<dyn Rerank>, String>,
}

/// Every step, in the order `/algorithms` lists them.
pub static RERANKERS: &[RerankKind] = &[pin_sponsored::KIND, diversify::KIND, shuffle::KIND];

/// Builds a step from `{ step = "…", … }`.
pub fn build(table: &toml::Table) -> Result<Arc<dyn Rerank>, String> {
    let known = || {
        RERANKERS
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(step) = table.get("step").and_then(|v| v.as_str()) else {
        return Err(format!(
            "re-ranking needs `step = \"…\"`, one of: {}",
            known()
        ));
    };
    let kind = RERANKERS
        .iter()
        .find(|k| k.id == step)
        .ok_or_else(|| format!("unknown re-ranking step `{step}`; known: {}", known()))?;
    (kind.build)(table)
}

/// Reads an optional number parameter within a range.
fn number(
    table: &toml::Table,
    key: &str,
    default: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, String> {
    let value = match table.get(key) {
        None => return Ok(default),
        Some(toml::Value::Float(f)) => *f,
        Some(toml::Value::Integer(i)) => *i as f64,
        Some(other) => {
            return Err(format!(
                "`{key}` must be a number, not {}",
                other.type_str()
            ));
        }
    };
    if !range.contains(&value) {
        return Err(format!(
            "`{key}` = {value} is outside {}..={}",
            range.start(),
            range.end()
        ));
    }
    Ok(value)
}

/// Rejects parameters the step does not know (typos would silently do nothing).
fn only_keys(table: &toml::Table, allowed: &[&str]) -> Result<(), String> {
    match table
        .keys()
        .find(|k| k.as_str() != "step" && !allowed.contains(&k.as_str()))
    {
        Some(k) => Err(format!(
            "unknown parameter `{k}`; this step takes: {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// Records a move on every result whose position differs from `before`.
fn mark_moves(step: &'static str, before: &[usize], after: &mut [Ranked]) {
    for (pos, r) in after.iter_mut().enumerate() {
        if let Some(old) = before.iter().position(|&c| c == r.candidate)
            && old != pos
        {
            r.moved = Some(Move {
                step,
                from_rank: old + 1,
            });
        }
    }
}
