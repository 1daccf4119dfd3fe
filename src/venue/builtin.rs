//! The built-in templates, embedded from the top-level `templates/` folder.

/// `(file name, text)` of every built-in template; `init` writes these out to edit.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "article.md.tera",
        include_str!("../../templates/article.md.tera"),
    ),
    (
        "blog.html.tera",
        include_str!("../../templates/blog.html.tera"),
    ),
    (
        "discourse.md.tera",
        include_str!("../../templates/discourse.md.tera"),
    ),
    (
        "forum.bbcode.tera",
        include_str!("../../templates/forum.bbcode.tera"),
    ),
    ("hugo.md.tera", include_str!("../../templates/hugo.md.tera")),
    (
        "newsletter.html.tera",
        include_str!("../../templates/newsletter.html.tera"),
    ),
    (
        "newsletter.txt.tera",
        include_str!("../../templates/newsletter.txt.tera"),
    ),
    (
        "social.txt.tera",
        include_str!("../../templates/social.txt.tera"),
    ),
];
