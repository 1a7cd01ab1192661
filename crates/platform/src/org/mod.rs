//! Organisations: the tree every record and every permission hangs on.

pub mod model;
pub mod pages;
pub mod queries;
pub mod transfer;

pub use model::OrgKind;
pub use queries::OrgRow;
