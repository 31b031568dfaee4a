//! Exclusive XML canonicalisation (exc-c14n 1.0, without comments) of one
//! subtree of a parsed document, for signing.
//!
//! This is the output of `bergshamra_c14n` with `C14nMode::Exclusive`, the
//! node set `NodeSet::tree_without_comments(node)` and no
//! `InclusiveNamespaces` prefixes, byte for byte, without that general
//! algorithm's per-element bookkeeping (node-set look-ups, maps of owned
//! strings): signing a transcript canonicalises its data element once per
//! document, and that was the largest fixed cost of an XML signature.
//! Verification keeps `bergshamra_c14n`, so every signature we make is still
//! checked by the independent implementation (and debug builds compare the
//! two on every call).
//!
//! The rules (W3C exc-c14n §3, over the XPath data model as bergshamra
//! builds it from uppsala):
//! - an element renders the namespace declarations its own prefix and its
//!   attributes' prefixes use (`xml` excepted), when the nearest rendered
//!   declaration of that prefix (within the subtree) differs; an unbound
//!   default namespace renders `xmlns=""` only to undo a rendered one;
//! - declarations sort by prefix (default first), attributes by namespace
//!   URI (none first) then local name;
//! - empty elements get an end tag; comments are dropped; text and CDATA
//!   are escaped as text, attribute values as attributes; processing
//!   instructions keep their target and (escaped) data.

use bergshamra_c14n::escape::{escape_attr_into, escape_pi_into, escape_text_into};
use bergshamra_xml::uppsala::{Attribute, Document, NodeId, NodeKind};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Appends the exclusive canonical form of the subtree at `node` to `out`.
pub(crate) fn exclusive_subtree(doc: &Document<'_>, node: NodeId, out: &mut Vec<u8>) {
    let mut c = Canon {
        doc,
        in_scope: Vec::new(),
        rendered: Vec::new(),
        attrs: Vec::new(),
        utilized: Vec::new(),
    };
    // The in-scope namespaces come from every ancestor (rendered or not).
    let mut ancestors = Vec::new();
    let mut a = doc.parent(node);
    while let Some(p) = a {
        ancestors.push(p);
        a = doc.parent(p);
    }
    for p in ancestors.into_iter().rev() {
        c.declare(p);
    }
    c.node(node, out);
}

struct Canon<'a, 'd> {
    doc: &'a Document<'d>,
    /// In-scope bindings, innermost last; an empty URI unbinds the prefix.
    in_scope: Vec<(&'a str, &'a str)>,
    /// Bindings rendered by output ancestors, innermost last.
    rendered: Vec<(&'a str, &'a str)>,
    /// Scratch space reused across elements.
    attrs: Vec<&'a Attribute<'d>>,
    utilized: Vec<&'a str>,
}

/// String equality that skips `memcmp` for the common cases here: empty
/// prefixes, and URIs borrowed from the same declaration.
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && (std::ptr::eq(a.as_ptr(), b.as_ptr()) || a == b)
}

fn lookup<'a>(stack: &[(&'a str, &'a str)], prefix: &str) -> Option<&'a str> {
    stack
        .iter()
        .rev()
        .find(|(p, _)| same(p, prefix))
        .map(|(_, uri)| *uri)
}

/// The prefix an attribute's name renders with (bergshamra's rule: `xml`
/// for the XML namespace, otherwise a non-empty prefix of a namespaced
/// attribute).
fn attr_prefix<'a>(a: &'a Attribute<'_>) -> Option<&'a str> {
    match a.name.namespace_uri.as_deref() {
        None => None,
        Some(XML_NS) => Some("xml"),
        Some(_) => a.name.prefix.as_deref().filter(|p| !p.is_empty()),
    }
}

impl<'a, 'd> Canon<'a, 'd> {
    fn declare(&mut self, id: NodeId) -> usize {
        let Some(e) = self.doc.element(id) else {
            return 0;
        };
        for (prefix, uri) in &e.namespace_declarations {
            self.in_scope.push((prefix.as_ref(), uri.as_ref()));
        }
        e.namespace_declarations.len()
    }

    fn in_scope_uri(&self, prefix: &str) -> Option<&'a str> {
        lookup(&self.in_scope, prefix).filter(|u| !u.is_empty())
    }

    fn node(&mut self, id: NodeId, out: &mut Vec<u8>) {
        let doc = self.doc;
        match doc.node_kind(id) {
            Some(NodeKind::Element(_)) => self.element(id, out),
            Some(NodeKind::Text(t)) | Some(NodeKind::CData(t)) => escape_text_into(out, t),
            Some(NodeKind::ProcessingInstruction(pi)) => {
                out.extend_from_slice(b"<?");
                out.extend_from_slice(pi.target.as_bytes());
                if let Some(data) = pi.data.as_deref().filter(|d| !d.is_empty()) {
                    out.push(b' ');
                    escape_pi_into(out, data);
                }
                out.extend_from_slice(b"?>");
            }
            Some(NodeKind::Document) => {
                for child in doc.children_iter(id) {
                    self.node(child, out);
                }
            }
            _ => {}
        }
    }

    fn element(&mut self, id: NodeId, out: &mut Vec<u8>) {
        let doc: &'a Document<'d> = self.doc;
        let Some(e) = doc.element(id) else { return };
        let declared = self.declare(id);
        let rendered_before = self.rendered.len();

        // Visibly utilised prefixes, sorted (the default namespace first).
        self.utilized.clear();
        self.utilized.push(e.name.prefix.as_deref().unwrap_or(""));
        for a in &e.attributes {
            if let Some(p) = attr_prefix(a) {
                self.utilized.push(p);
            }
        }
        self.utilized.sort_unstable();
        self.utilized.dedup();

        out.push(b'<');
        write_qname(out, e.name.prefix.as_deref(), &e.name.local_name);
        for i in 0..self.utilized.len() {
            let prefix = self.utilized[i];
            if same(prefix, "xml") {
                continue;
            }
            let previous = lookup(&self.rendered, prefix);
            match self.in_scope_uri(prefix) {
                Some(uri) if !previous.is_some_and(|p| same(p, uri)) => {
                    write_ns(out, prefix, uri);
                    self.rendered.push((prefix, uri));
                }
                Some(_) => {}
                None if prefix.is_empty() && previous.is_some_and(|u| !u.is_empty()) => {
                    write_ns(out, "", "");
                    self.rendered.push(("", ""));
                }
                None => {}
            }
        }

        self.attrs.clear();
        self.attrs.extend(e.attributes.iter());
        self.attrs.sort_by(|x, y| {
            let xu = x.name.namespace_uri.as_deref().unwrap_or("");
            let yu = y.name.namespace_uri.as_deref().unwrap_or("");
            xu.cmp(yu)
                .then_with(|| x.name.local_name.as_ref().cmp(y.name.local_name.as_ref()))
        });
        for i in 0..self.attrs.len() {
            let a = self.attrs[i];
            out.push(b' ');
            if let Some(p) = attr_prefix(a) {
                out.extend_from_slice(p.as_bytes());
                out.push(b':');
            }
            out.extend_from_slice(a.name.local_name.as_bytes());
            out.extend_from_slice(b"=\"");
            escape_attr_into(out, &a.value);
            out.push(b'"');
        }
        out.push(b'>');

        for child in doc.children_iter(id) {
            self.node(child, out);
        }

        out.extend_from_slice(b"</");
        write_qname(out, e.name.prefix.as_deref(), &e.name.local_name);
        out.push(b'>');
        self.rendered.truncate(rendered_before);
        self.in_scope.truncate(self.in_scope.len() - declared);
    }
}

fn write_qname(out: &mut Vec<u8>, prefix: Option<&str>, local: &str) {
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(local.as_bytes());
}

fn write_ns(out: &mut Vec<u8>, prefix: &str, uri: &str) {
    out.extend_from_slice(b" xmlns");
    if !prefix.is_empty() {
        out.push(b':');
        out.extend_from_slice(prefix.as_bytes());
    }
    out.extend_from_slice(b"=\"");
    escape_attr_into(out, uri);
    out.push(b'"');
}
