//! 双随机、一公开 (LEGAL-RULES.md §4): the item list, the entity directory (imported from XLSX),
//! the inspector directory built from the certified officers, annual plans and tasks (joint ones
//! across units), a publicly verifiable draw, results published within 20 working days and
//! their follow-up.

pub mod bench;
pub mod demo;
pub mod draw;
pub mod drawing;
pub mod import;
pub mod indicators;
pub mod pages;
pub mod portal;
pub mod results;
pub mod rules;
pub mod service;
pub mod uscc;

/// The verifier that re-runs a draw in the citizen's browser (`draw.rs` in JavaScript).
pub const VERIFY_JS: &str = include_str!("../../static/draw-verify.js");
/// The few styles of these pages (the CSP allows only stylesheet files).
pub const CSS: &str = include_str!("../../static/inspections.css");
