//! Listing a directory of a table served over HTTP, which plain HTTP cannot do: what the
//! reader tries, and parsing what servers answer. Only `tags()` lists; reads never do.
//!
//! Tried in turn: an S3 `ListObjectsV2` request in path style (`host/bucket/key...`, as
//! MinIO, moto and most S3-compatible servers are addressed), then in virtual-hosted style
//! (`bucket.host/key...`), then the server's HTML index of the directory (nginx `autoindex`,
//! Apache, `python -m http.server`). Each answer is recognised by its shape; anything else
//! means the server cannot list.

use strata_core::path::unescape_path_name;

/// Percent-encodes a query parameter value.
pub fn encode_query(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One S3 listing request to try: its URL (without a continuation token) and the key prefix
/// of the table directory, to strip from the keys it returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Listing {
    /// `...?list-type=2&prefix=...`
    pub url: String,
    /// Key of the table directory, ending in `/`.
    pub table_key: String,
}

/// The S3 listings of directory `prefix` of the table at `base` (its URL, ending in `/`):
/// path style, then virtual-hosted style. None for URLs with a query (presigned ones).
pub fn s3_listings(base: &str, prefix: &str) -> Vec<S3Listing> {
    let Some((scheme, rest)) = base.split_once("://") else {
        return Vec::new();
    };
    if rest.contains('?') || rest.contains('#') {
        return Vec::new();
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = unescape_path_name(path);
    let dir = format!("{}/", prefix.trim_end_matches('/'));
    let mut out = Vec::new();
    if let Some((bucket, key)) = path.split_once('/') {
        if !bucket.is_empty() {
            out.push(S3Listing {
                url: format!(
                    "{scheme}://{host}/{bucket}?list-type=2&prefix={}",
                    encode_query(&format!("{key}{dir}"))
                ),
                table_key: key.to_string(),
            });
        }
    }
    out.push(S3Listing {
        url: format!(
            "{scheme}://{host}/?list-type=2&prefix={}",
            encode_query(&format!("{path}{dir}"))
        ),
        table_key: path,
    });
    out
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<tag>...</tag>` in `xml`, in order.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// A page of an S3 listing: object keys with their sizes, and the continuation token when
/// more pages follow.
pub type S3Page = (Vec<(String, u64)>, Option<String>);

/// A page of an S3 `ListObjectsV2` answer, or `None` if `xml` is not such an answer.
pub fn parse_s3_listing(xml: &str) -> Option<S3Page> {
    if !xml.contains("<ListBucketResult") {
        return None;
    }
    let objects = elements(xml, "Contents")
        .into_iter()
        .filter_map(|c| {
            let key = unescape_xml(elements(c, "Key").first()?);
            let size = elements(c, "Size")
                .first()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            Some((key, size))
        })
        .collect();
    let truncated = elements(xml, "IsTruncated").first().map(|s| s.trim()) == Some("true");
    let token = elements(xml, "NextContinuationToken")
        .first()
        .map(|t| unescape_xml(t));
    Some((objects, token.filter(|_| truncated)))
}

/// The file names an HTML directory index links to (sub-directories and links leaving the
/// directory left out). `None` if `html` does not look like an index.
pub fn parse_html_index(html: &str) -> Option<Vec<String>> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<a ") {
        return None;
    }
    let mut names = Vec::new();
    // ASCII lower-casing keeps byte offsets: find in `lower`, slice `html`.
    let mut at = 0;
    while let Some(i) = lower[at..].find("href=") {
        let after = &html[at + i + 5..];
        let quote = after.chars().next()?;
        let (value, next) = if quote == '"' || quote == '\'' {
            let body = &after[1..];
            let end = body.find(quote)?;
            (&body[..end], &body[end + 1..])
        } else {
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        at = html.len() - next.len();
        let value = unescape_xml(value);
        let value = value.split(['?', '#']).next().unwrap_or("");
        // The last segment, of links into this directory only.
        let name = unescape_path_name(value.rsplit('/').next().unwrap_or(""));
        let leaves = value.starts_with("..") || value.contains("://") || value.ends_with('/');
        if !leaves && !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_listing_urls_for_both_styles() {
        let l = s3_listings("http://127.0.0.1:9000/bucket/wh/db.db/t/", "tag");
        assert_eq!(
            l[0],
            S3Listing {
                url: "http://127.0.0.1:9000/bucket?list-type=2&prefix=wh%2Fdb.db%2Ft%2Ftag%2F"
                    .into(),
                table_key: "wh/db.db/t/".into(),
            }
        );
        assert_eq!(
            l[1].url,
            "http://127.0.0.1:9000/?list-type=2&prefix=bucket%2Fwh%2Fdb.db%2Ft%2Ftag%2F"
        );
        assert_eq!(l[1].table_key, "bucket/wh/db.db/t/");
        assert!(s3_listings("https://h/t/?X-Amz-Signature=1", "tag").is_empty());
    }

    #[test]
    fn s3_answers_parse_with_pages() {
        let xml = r#"<?xml version="1.0"?><ListBucketResult xmlns="x"><IsTruncated>true</IsTruncated>
            <Contents><Key>wh/t/tag/tag-a&amp;b</Key><Size>12</Size></Contents>
            <Contents><Key>wh/t/tag/tag-c</Key><Size>7</Size></Contents>
            <NextContinuationToken>tok/1=</NextContinuationToken></ListBucketResult>"#;
        let (objects, token) = parse_s3_listing(xml).unwrap();
        assert_eq!(
            objects,
            vec![
                ("wh/t/tag/tag-a&b".to_string(), 12),
                ("wh/t/tag/tag-c".to_string(), 7)
            ]
        );
        assert_eq!(token.as_deref(), Some("tok/1="));
        assert!(parse_s3_listing("<html><body>no</body></html>").is_none());
        let last = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(parse_s3_listing(last), Some((vec![], None)));
    }

    #[test]
    fn html_indexes_parse() {
        let html = r#"<html><body><h1>Index of /t/tag/</h1><a href="../">../</a>
            <a href="tag-v1">tag-v1</a> <a href='tag-with%20space'>x</a>
            <A HREF=tag-2?x=1>y</a><a href="sub/">sub/</a><a href="http://elsewhere/x">e</a>
            <a href="/abs/t/tag/tag-abs">abs</a></body></html>"#;
        assert_eq!(
            parse_html_index(html).unwrap(),
            vec!["tag-v1", "tag-with space", "tag-2", "tag-abs"]
        );
        assert!(parse_html_index("not found").is_none());
    }
}
