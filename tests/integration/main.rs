//! One integration test binary (one link, one harness). Runs on SQLite, and on PostgreSQL when
//! TEST_DATABASE_URL=postgres://… is set.

mod accountability;
mod admin;
mod annual;
mod api_doc;
mod calendar;
mod common;
mod decisions;
mod decisions_major;
mod disclosure;
mod disclosure_reply;
mod disputes;
mod documents;
mod enforcement;
mod foundation;
mod hotline;
mod hotline_staff;
mod hotline_steps;
mod indicators;
mod inspections;
mod legal_aid;
mod litigation;
mod notify;
mod open311;
mod oversight;
mod permissions;
mod portal;
mod portal_search;
mod portal_track;
mod privacy;
mod publication_doc;
mod security;
mod services;
