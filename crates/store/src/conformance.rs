//! The conformance suite: every backend of [`crate::Store`] must pass it.
