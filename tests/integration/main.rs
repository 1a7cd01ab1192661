//! One integration test binary (one link, one harness). Runs on SQLite, and on PostgreSQL when
//! TEST_DATABASE_URL=postgres://… is set.

mod common;
mod disclosure;
mod foundation;
mod hotline;
mod hotline_steps;
mod open311;
mod permissions;
mod portal;
mod portal_search;
mod portal_track;
mod publication_doc;
