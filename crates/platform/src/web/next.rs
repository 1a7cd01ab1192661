//! Where to go after a login or a phone check (`next`): only a path of this site, and only one
//! that every browser reads as such. Browsers forgive a lot in a `Location` header: they drop
//! tabs and newlines, read `\` as `/`, and take `//host` or `/\t/host` as another site. So a
//! `next` is accepted only when neither it nor its percent-decoded form holds a control
//! character, a space or a backslash, and it does not start with two slashes; what is accepted
//! is returned with non-ASCII characters percent-encoded, so that it is a valid header value.

/// The path if it is a safe same-site redirect target, normalised for a `Location` header.
pub fn same_site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    for s in [raw, decoded.as_str()] {
        if !s.starts_with('/') || s.starts_with("//") || s.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
            return None;
        }
    }
    let out = encode_non_ascii(raw);
    // What a browser would make of it: a path of this site with no authority.
    let pq: axum::http::uri::PathAndQuery = out.parse().ok()?;
    (pq.as_str() == out).then_some(out)
}

/// Decode `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn encode_non_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same_site_path as p;

    #[test]
    fn plain_paths_pass() {
        assert_eq!(p("/").as_deref(), Some("/"));
        assert_eq!(p("/hotline/tickets?x=1&y=%E4%BD%8E").as_deref(), Some("/hotline/tickets?x=1&y=%E4%BD%8E"));
        assert_eq!(p("/disclosure/search?q=低保").as_deref(), Some("/disclosure/search?q=%E4%BD%8E%E4%BF%9D"));
    }

    #[test]
    fn other_sites_and_tricks_fail() {
        for bad in [
            "",
            "evil.example",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/\n/evil.example",
            "/a\r\nSet-Cookie: x=1",
            "/a%0d%0aSet-Cookie:%20x=1",
            "/ /evil.example",
            "/%zz",
            "/\u{0085}x",
            "/\u{3000}x",
            "/%C0%AF",
        ] {
            assert_eq!(p(bad), None, "{bad:?} must be refused");
        }
    }
}
