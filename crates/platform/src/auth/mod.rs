//! Accounts and access: staff passwords and sessions, citizens' one-time codes, API tokens,
//! roles and data scope.

pub mod client;
pub mod extract;
pub mod locks;
pub mod otp;
pub mod pages;
pub mod password;
pub mod probe;
pub mod roles;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use extract::{Caller, Citizen, MaybeCitizen, MaybeStaff, Staff};
pub use roles::{Perm, Role};
