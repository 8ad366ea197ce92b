//! A room's export: every participant by nickname and every event recorded
//! in the room (each search with what it showed, rank by rank, and each
//! click), with the real algorithm and viewer, as JSON and as CSV that
//! opens in a spreadsheet. Cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) are
//! neutralised with a leading apostrophe.

use super::Room;
use super::wall::Seated;
use crate::store::EventKind;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub room: Room,
    pub participants: Vec<ExportParticipant>,
    pub events: Vec<ExportEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportParticipant {
    pub nickname: String,
    pub seat: u32,
    pub joined: String,
    pub algorithm: String,
    pub viewer: String,
}

/// One recorded event of the room.
#[derive(Debug, Clone, Serialize)]
pub struct ExportEvent {
    pub event: i64,
    pub time: String,
    pub nickname: String,
    /// `search` or `click`.
    pub kind: &'static str,
    pub query: String,
    pub algorithm: String,
    pub viewer: String,
    /// A search's page, best first (rank = position + `first_rank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_rank: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<String>,
    /// A click's document and rank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
}

fn iso(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

pub fn build(room: &Room, seated: &[Seated]) -> Export {
    let participants = seated
        .iter()
        .map(|s| ExportParticipant {
            nickname: s.participant.nickname.clone(),
            seat: s.participant.seat,
            joined: iso(s.participant.joined),
            algorithm: s.plan.algorithm.clone(),
            viewer: s.plan.viewer.id().to_string(),
        })
        .collect();
    let mut events: Vec<ExportEvent> = seated
        .iter()
        .flat_map(|s| {
            s.events
                .iter()
                .filter(|e| e.room.as_deref() == Some(&room.code))
                .map(|e| {
                    let base = ExportEvent {
                        event: e.id,
                        time: iso(e.time),
                        nickname: s.participant.nickname.clone(),
                        kind: "search",
                        query: e.query.clone(),
                        algorithm: e.algorithm.clone(),
                        viewer: e.viewer.clone(),
                        first_rank: None,
                        shown: Vec::new(),
                        doc: None,
                        rank: None,
                    };
                    match &e.kind {
                        EventKind::Query { first_rank, shown } => ExportEvent {
                            first_rank: Some(*first_rank),
                            shown: shown.clone(),
                            ..base
                        },
                        EventKind::Click { doc, rank } => ExportEvent {
                            kind: "click",
                            doc: Some(doc.clone()),
                            rank: Some(*rank),
                            ..base
                        },
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    events.sort_by_key(|e| e.event);
    Export {
        room: room.clone(),
        participants,
        events,
    }
}

/// A cell a spreadsheet will show as text, never run.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The export as CSV: one row per shown result and per click.
pub fn csv(export: &Export) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "event",
        "time",
        "nickname",
        "kind",
        "query",
        "algorithm",
        "viewer",
        "rank",
        "doc",
    ])?;
    for e in &export.events {
        let mut row = |rank: u32, doc: &str| {
            w.write_record([
                e.event.to_string().as_str(),
                &e.time,
                &neutralise(&e.nickname),
                if e.kind == "click" { "click" } else { "shown" },
                &neutralise(&e.query),
                &neutralise(&e.algorithm),
                &neutralise(&e.viewer),
                &rank.to_string(),
                &neutralise(doc),
            ])
        };
        match (&e.doc, e.rank) {
            (Some(doc), Some(rank)) => row(rank, doc)?,
            _ => {
                let first = e.first_rank.unwrap_or(1);
                if e.shown.is_empty() {
                    row(0, "")?;
                }
                for (i, doc) in e.shown.iter().enumerate() {
                    row(first + i as u32, doc)?;
                }
            }
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for bad in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("varg"), "varg");
        assert_eq!(neutralise("a=b"), "a=b");
    }
}
