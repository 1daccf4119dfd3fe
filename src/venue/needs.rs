//! Which optional pieces of the template context a template uses, read off its source, so
//! the others are not rendered.

/// Which optional pieces a template uses, so the others are not rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// `body`
    pub body: bool,
    /// `post.excerpt`
    pub excerpt: bool,
    /// `post.intro`, `post.sections`, `post.outro`
    pub parts: bool,
    /// `body_notes`: the body's end matter is placed by the template.
    pub notes: bool,
    /// `post.summary`: `check` notes a post without a front-matter summary.
    pub summary: bool,
    /// `post.question`: `check` notes a post without a closing question.
    pub question: bool,
    /// `thread`: the post cut into social-network posts.
    pub thread: bool,
    /// `post.notes`: the template places the footnotes itself, so the pieces (sections,
    /// excerpt) leave them out.
    pub post_notes: bool,
    /// `post.intro`, `post.sections`, `post.outro` each: a part the template does not show
    /// must not be the one to carry a note.
    pub intro: bool,
    /// See `intro`.
    pub sections: bool,
    /// See `intro`.
    pub outro: bool,
}

impl Needs {
    /// Everything, when in doubt.
    pub const ALL: Needs = Needs {
        body: true,
        excerpt: true,
        parts: true,
        notes: false,
        summary: true,
        question: true,
        thread: true,
        post_notes: false,
        intro: true,
        sections: true,
        outro: true,
    };

    /// A conservative reading of template sources: a piece is needed when its name appears.
    pub fn from_sources<'s>(sources: impl IntoIterator<Item = &'s str>) -> Needs {
        let mut needs = Needs {
            body: true,
            excerpt: false,
            parts: false,
            notes: false,
            summary: false,
            question: false,
            thread: false,
            post_notes: false,
            intro: false,
            sections: false,
            outro: false,
        };
        for text in sources {
            needs.excerpt |= text.contains("excerpt");
            needs.parts |= ["intro", "sections", "outro"]
                .iter()
                .any(|w| text.contains(w));
            needs.notes |= text.contains("body_notes");
            needs.summary |= text.contains("post.summary");
            needs.question |= text.contains("post.question");
            needs.thread |= text.contains("thread");
            needs.post_notes |= text.contains("post.notes");
            needs.intro |= text.contains("intro");
            needs.sections |= text.contains("sections");
            needs.outro |= text.contains("outro");
        }
        needs
    }
}
