//! Live updates of rooms: two broadcast channels per room. `settings` tells
//! participants' pages and the wall that the leader changed something (a
//! few messages a workshop); `activity` tells the wall that a participant's
//! search or click was committed (fed by the store's one write path, in
//! commit order). Participants never subscribe to `activity`, so 300 phones
//! are not woken by every click.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// Messages kept for a slow subscriber before it skips ahead.
const CAPACITY: usize = 256;

/// What happened in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The leader changed the room (query, algorithms, …).
    Settings,
    /// A participant's search or click was committed.
    Activity { kind: &'static str },
    /// The workshop ended: the room and its data are gone.
    Ended,
}

impl Update {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Update::Settings => "settings",
            Update::Activity { .. } => "activity",
            Update::Ended => "ended",
        }
    }
}

struct Channels {
    settings: broadcast::Sender<Update>,
    activity: broadcast::Sender<Update>,
}

#[derive(Default)]
pub struct Live {
    rooms: Mutex<HashMap<String, Channels>>,
}

impl Live {
    fn with<T>(&self, code: &str, f: impl FnOnce(&Channels) -> T) -> T {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        let ch = rooms.entry(code.to_string()).or_insert_with(|| Channels {
            settings: broadcast::channel(CAPACITY).0,
            activity: broadcast::channel(CAPACITY).0,
        });
        f(ch)
    }

    /// What participants' pages follow.
    pub fn settings(&self, code: &str) -> broadcast::Receiver<Update> {
        self.with(code, |c| c.settings.subscribe())
    }

    /// What the wall follows besides the settings.
    pub fn activity(&self, code: &str) -> broadcast::Receiver<Update> {
        self.with(code, |c| c.activity.subscribe())
    }

    pub fn changed(&self, code: &str) {
        self.with(code, |c| {
            let _ = c.settings.send(Update::Settings);
        });
    }

    /// Called by the store after each commit in a room.
    pub fn committed(&self, code: &str, kind: &'static str) {
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        // Nobody follows a room that has no channels yet.
        if let Some(c) = rooms.get(code) {
            let _ = c.activity.send(Update::Activity { kind });
        }
    }

    /// Tells everyone the room ended, and forgets its channels.
    pub fn ended(&self, code: &str) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = rooms.remove(code) {
            let _ = c.settings.send(Update::Ended);
            let _ = c.activity.send(Update::Ended);
        }
    }
}
