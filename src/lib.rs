//! bubbla: a search-literacy sandbox. A real search engine over a local
//! corpus whose rankings can be opened, explained and compared.
//!
//! See ARCHITECTURE.md for the map. In short, data flows one way:
//! corpus → index → candidates → (signals → algorithm, next) → page.

pub mod activity;
pub mod cli;
pub mod compare;
pub mod comparison;
pub mod corpus;
pub mod engine;
pub mod eval;
pub mod import;
pub mod index;
pub mod lang;
pub mod progress;
pub mod rank;
pub mod store;
pub mod text;
pub mod viewer;
pub mod web;
pub mod workshop;
