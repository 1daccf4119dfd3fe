//! The blog as a WordPress post (REST API): being written.
