//! Uploading a post's images to a service before the post: what is sent and what the
//! service answers.

/// An image to upload.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// The file's bytes, in a format the service takes (scaled down already where its
    /// limits ask for it).
    pub bytes: &'a [u8],
    /// The file name to give it (`chart-1a2b3c4d.png`).
    pub name: &'a str,
    /// Its MIME type (`image/png`).
    pub mime: &'a str,
    /// Its alt text, empty when the post gives none.
    pub alt: &'a str,
    /// Its size in pixels.
    pub width: u32,
    pub height: u32,
}

/// An image ready to upload: converted or scaled down already where the service asks for
/// it, with the hash its upload is found again by in the ledger.
#[derive(Debug, Clone)]
pub struct Ready {
    /// The hash of `bytes` (`sha256:…`).
    pub hash: String,
    /// The file name to give it.
    pub name: String,
    pub mime: &'static str,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub bytes: std::sync::Arc<[u8]>,
}

impl Ready {
    /// What is sent.
    pub fn upload(&self) -> Upload<'_> {
        Upload {
            bytes: &self.bytes,
            name: &self.name,
            mime: self.mime,
            alt: &self.alt,
            width: self.width,
            height: self.height,
        }
    }
}

/// What the service made of an upload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Uploaded {
    /// The service's id for it (a WordPress media id, a Mastodon attachment id, a Discourse
    /// upload id, a Bluesky blob's CID).
    pub id: String,
    /// Where the service serves it: what a post body links to (for Discourse, the
    /// `upload://` short URL its Markdown uses; empty for a Bluesky blob).
    pub url: String,
    /// What else the service needs to refer to it later, as it gave it (a Bluesky blob
    /// ref, `{"$type": "blob", "ref": {"$link": …}, "mimeType": …, "size": …}`).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: serde_json::Value,
}

/// A service that takes uploads.
pub trait Uploader {
    /// Uploads one image; the answer is recorded in the ledger so an unchanged image is
    /// never uploaded again.
    fn upload(&self, image: &Upload<'_>) -> anyhow::Result<Uploaded>;

    /// An upload the ledger recorded, made to say what `image` says now where the service
    /// keeps that with the post rather than with the file (the alt text of a Mastodon
    /// attachment, sent again on an edit; a Bluesky embed's alt text and aspect ratio):
    /// another post showing the same file, or an edited alt text, never sends the old words.
    fn reuse(&self, uploaded: Uploaded, _image: &Upload<'_>) -> Uploaded {
        uploaded
    }
}
