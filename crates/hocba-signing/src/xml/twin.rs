//! Writes the elements of a signature twice at once: as they are inserted
//! into the document, and in their exclusive canonical form (exc-c14n 1.0
//! without comments, as the subtree's apex), so `SignedProperties` and
//! `SignedInfo` are hashed without parsing what we just wrote.
//!
//! This holds because hocba writes these elements itself, from a fixed
//! vocabulary:
//! - every element has the prefix `ds` or `xades`, each bound to one URI by
//!   an ancestor in the signature; no element uses the default namespace,
//!   so the document's own declarations never matter (exclusive c14n
//!   renders only what an element visibly uses);
//! - attributes are unprefixed, and given in canonical order (by name);
//! - values are escaped so that what any parser reads back is exactly the
//!   value given (`\r`, and in attributes `\t` and `\n`, as character
//!   references: line-end and attribute-value normalisation leave those
//!   alone), and values with characters XML forbids are refused before.
//!
//! So the canonical form is: start tags with the namespace declaration of
//! the element's prefix unless an enclosing canonical element rendered it,
//! attributes as given with canonical escaping, end tags for empty
//! elements, text with canonical escaping. A unit test compares it with
//! `bergshamra_c14n` on the parsed result.

use bergshamra_c14n::escape::{escape_attr_into, escape_text_into};

use super::{DS_NS, XADES_NS};

/// The namespace URI of one of our prefixes.
fn uri(prefix: &str) -> &'static str {
    match prefix {
        "ds" => DS_NS,
        "xades" => XADES_NS,
        other => unreachable!("hocba writes no element with the prefix {other}"),
    }
}

/// An XML fragment and the canonical form of its (single) apex element.
pub(super) struct Twin {
    pub xml: String,
    pub c14n: Vec<u8>,
    /// Open elements: qualified name and whether its prefix was rendered
    /// there in the canonical form.
    open: Vec<(&'static str, &'static str, bool)>,
}

impl Twin {
    pub fn with_capacity(n: usize) -> Self {
        Twin {
            xml: String::with_capacity(n),
            c14n: Vec::with_capacity(n),
            open: Vec::with_capacity(8),
        }
    }

    fn rendered(&self, prefix: &str) -> bool {
        self.open.iter().any(|(p, _, r)| *r && *p == prefix)
    }

    fn start_tag(&mut self, prefix: &'static str, local: &'static str, attrs: &[(&str, &str)]) {
        debug_assert!(
            attrs.windows(2).all(|w| w[0].0 < w[1].0),
            "attributes in canonical order"
        );
        self.xml.push('<');
        self.xml.push_str(prefix);
        self.xml.push(':');
        self.xml.push_str(local);
        self.c14n.push(b'<');
        self.c14n.extend_from_slice(prefix.as_bytes());
        self.c14n.push(b':');
        self.c14n.extend_from_slice(local.as_bytes());
        let render = !self.rendered(prefix);
        if render {
            self.c14n.extend_from_slice(b" xmlns:");
            self.c14n.extend_from_slice(prefix.as_bytes());
            self.c14n.extend_from_slice(b"=\"");
            escape_attr_into(&mut self.c14n, uri(prefix));
            self.c14n.push(b'"');
        }
        for (name, value) in attrs {
            self.xml.push(' ');
            self.xml.push_str(name);
            self.xml.push_str("=\"");
            escape_attr_xml(&mut self.xml, value);
            self.xml.push('"');
            self.c14n.push(b' ');
            self.c14n.extend_from_slice(name.as_bytes());
            self.c14n.extend_from_slice(b"=\"");
            escape_attr_into(&mut self.c14n, value);
            self.c14n.push(b'"');
        }
        self.open.push((prefix, local, render));
    }

    /// Opens an element.
    pub fn open(&mut self, prefix: &'static str, local: &'static str, attrs: &[(&str, &str)]) {
        self.start_tag(prefix, local, attrs);
        self.xml.push('>');
        self.c14n.push(b'>');
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        let (prefix, local, _) = self.open.pop().expect("an open element");
        self.xml.push_str("</");
        self.xml.push_str(prefix);
        self.xml.push(':');
        self.xml.push_str(local);
        self.xml.push('>');
        self.c14n.extend_from_slice(b"</");
        self.c14n.extend_from_slice(prefix.as_bytes());
        self.c14n.push(b':');
        self.c14n.extend_from_slice(local.as_bytes());
        self.c14n.push(b'>');
    }

    /// An element with only text.
    pub fn text(
        &mut self,
        prefix: &'static str,
        local: &'static str,
        attrs: &[(&str, &str)],
        text: &str,
    ) {
        self.open(prefix, local, attrs);
        escape_text_xml(&mut self.xml, text);
        escape_text_into(&mut self.c14n, text);
        self.close();
    }

    /// An empty element (`<x/>` as written, `<x></x>` canonically).
    pub fn empty(&mut self, prefix: &'static str, local: &'static str, attrs: &[(&str, &str)]) {
        self.start_tag(prefix, local, attrs);
        self.xml.push_str("/>");
        self.c14n.push(b'>');
        let (prefix, local, _) = self.open.pop().expect("just opened");
        self.c14n.extend_from_slice(b"</");
        self.c14n.extend_from_slice(prefix.as_bytes());
        self.c14n.push(b':');
        self.c14n.extend_from_slice(local.as_bytes());
        self.c14n.push(b'>');
    }
}

/// Escapes text content as hocba writes it: `& < > "` as entities (as
/// before), `\r` as a character reference (a raw one would be read back as
/// `\n`).
pub(super) fn escape_text_xml(out: &mut String, s: &str) {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\r'))
    {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        escape_text_xml_char(out, c);
    }
}

/// Escapes an attribute value as hocba writes it: as text, and `\t`, `\n`
/// as character references (attribute-value normalisation would turn raw
/// ones into spaces).
pub(super) fn escape_attr_xml(out: &mut String, s: &str) {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\r' | b'\t' | b'\n'))
    {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            c => escape_text_xml_char(out, c),
        }
    }
}

fn escape_text_xml_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\r' => out.push_str("&#xD;"),
        c => out.push(c),
    }
}

/// Whether every character of `s` may appear in an XML 1.0 document
/// (production `Char`).
pub(super) fn is_xml_text(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    })
}
