//! The newsletter by email (SMTP): being written.
