//! The procedure kernel ("law as code"). A procedure is a [`definition::Procedure`]: states,
//! transitions with who may take them and what must be present, deadline rules, and on every
//! rule its legal basis and its dates of force. [`engine`] decides whether a step is allowed and
//! what it does to the clock; [`queries`] stores cases and their steps; [`diagram`] draws a
//! procedure from its definition. Every module's procedure runs on this kernel.

pub mod access;
pub mod definition;
pub mod diagram;
pub mod engine;
pub mod numbering;
pub mod oversight;
pub mod page;
pub mod queries;
pub mod recalc;

pub use definition::{Basis, Procedure};
pub use engine::{CaseFacts, DeadlineStatus, Input, Plan, Refusal};
pub use queries::CaseRow;
