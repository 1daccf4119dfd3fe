//! A post's media: the local images it shows, found on disk, checked, and copied into the
//! post's output folder, and the reference each venue gets to them.

pub mod image;
