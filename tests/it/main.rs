//! Integration tests: one crate, one module per area.

mod check;
mod cli;
mod corpus;
mod durability;
mod eval;
mod faults;
mod import;
mod pages;
mod rank;
mod rooms;
mod search;
mod sessions;
mod support;
mod web;
