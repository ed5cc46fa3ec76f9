//! The renderers: each draws a [`crate::doc::Document`] and computes nothing.

pub mod csv;
pub mod docx;
pub mod html;
pub mod pdf;
pub mod xlsx;
