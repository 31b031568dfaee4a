//! XAdES-BES signatures (ETSI EN 319 132-1) on the transcript data file.
//!
//! Layout of a signed document:
//!
//! ```xml
//! <HocBa xmlns="urn:vn:hocba:1">
//!   <DuLieu Id="DuLieu">…the transcript data…</DuLieu>
//!   <ds:Signature Id="sig-1">…covers #DuLieu…</ds:Signature>
//!   <ds:Signature Id="sig-2">…covers #DuLieu and #sig-1…</ds:Signature>
//!   <ds:Signature Id="sig-3">…covers #DuLieu, #sig-1 and #sig-2…</ds:Signature>
//! </HocBa>
//! ```
//!
//! The data element is the root's first child and carries an `Id`; each
//! `<ds:Signature>` is a direct sibling of it (so XSW-hardened verifiers
//! accept the references), and each one references the data, every earlier
//! signature in order, and its own `xades:SignedProperties` (signing time,
//! signing-certificate digest, claimed role, data object format). All
//! references use exclusive canonicalisation and SHA-256.
//!
//! Signing is two-phase: [`prepare`] builds the signature with every digest
//! and hashes the canonical `SignedInfo`; the signer returns the signature
//! value; [`Prepared::finish`] inserts it. The bytes of the data element and
//! of earlier signatures are never rewritten.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use bergshamra_xml::uppsala::{self, Document, NodeId, NodeKind};
use time::OffsetDateTime;

use crate::cert::{Certificate, sha256};
use crate::error::SigningError;
use crate::report::{DocumentKind, Report, SignatureReport, SignatureStatus, fmt_time, parse_time};
use crate::signer::{DigestBytes, SignatureAlgorithm, Signer};
use crate::trust::TrustList;

mod c14n;
mod twin;

pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// XAdES: the `Type` of the reference to `SignedProperties` (EN 319 132-1 §4.4.1).
const SIGNED_PROPS_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";

/// Options of one signature.
#[derive(Debug, Clone, Default)]
pub struct XmlSignOptions {
    /// The claimed signing time; now if `None`.
    pub signing_time: Option<OffsetDateTime>,
    /// The claimed role, e.g. "Giáo viên chủ nhiệm" (XAdES `SignerRoleV2`).
    pub role: Option<String>,
}

/// A signature built up to its value (phase one of two-phase signing).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The document as given (with its byte-order mark, if any).
    document: Vec<u8>,
    /// Where the signature goes: just before the root's end tag.
    at: usize,
    /// The signature up to the value, and after it.
    signature_head: String,
    signature_tail: String,
    digest: DigestBytes,
    algorithm: SignatureAlgorithm,
}

impl Prepared {
    /// The SHA-256 digest of the canonical `SignedInfo`: what the signer signs.
    pub fn digest(&self) -> &DigestBytes {
        &self.digest
    }

    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// Inserts the signature value (RSA PKCS#1 v1.5, or ECDSA `r || s`).
    pub fn finish(self, signature_value: &[u8]) -> Vec<u8> {
        let value_len = base64::encoded_len(signature_value.len(), true).unwrap_or(0);
        let mut out = Vec::with_capacity(
            self.document.len() + self.signature_head.len() + value_len + self.signature_tail.len(),
        );
        out.extend_from_slice(&self.document[..self.at]);
        out.extend_from_slice(self.signature_head.as_bytes());
        let start = out.len();
        out.resize(start + value_len, 0);
        let written = B64
            .encode_slice(signature_value, &mut out[start..])
            .expect("the base64 length was computed");
        out.truncate(start + written);
        out.extend_from_slice(self.signature_tail.as_bytes());
        out.extend_from_slice(&self.document[self.at..]);
        out
    }
}

/// What every XML signature of one signer shares, computed once per batch:
/// the algorithm, the digest of the signing certificate (for
/// `SigningCertificateV2`) and the `KeyInfo` with the chain.
#[derive(Debug, Clone)]
pub(crate) struct XmlSigner {
    algorithm: SignatureAlgorithm,
    cert_digest: String,
    key_info: String,
}

impl XmlSigner {
    pub(crate) fn new(
        chain: &[Certificate],
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, SigningError> {
        let leaf = chain
            .first()
            .ok_or_else(|| xml_err("the signer has no certificate"))?;
        let mut key_info = String::from("<ds:KeyInfo><ds:X509Data>");
        for c in chain {
            key_info.push_str("<ds:X509Certificate>");
            B64.encode_string(c.der(), &mut key_info);
            key_info.push_str("</ds:X509Certificate>");
        }
        key_info.push_str("</ds:X509Data></ds:KeyInfo>");
        Ok(XmlSigner {
            algorithm,
            cert_digest: B64.encode(leaf.sha256()),
            key_info,
        })
    }
}

fn xml_err(m: impl Into<String>) -> SigningError {
    SigningError::Xml(m.into())
}

/// Refuses DTDs: no internal subset, no external entities, no entity
/// expansion bombs, whatever the parser would do with them.
fn refuse_dtd(text: &str) -> Result<(), String> {
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err("documents with a DTD (<!DOCTYPE>/<!ENTITY>) are refused".into());
    }
    Ok(())
}

fn as_text(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| "the XML document is not UTF-8".to_string())
}

fn is_element(doc: &Document<'_>, n: NodeId, ns: &str, local: &str) -> bool {
    doc.element(n).is_some_and(|e| {
        e.name.local_name.as_ref() == local && e.name.namespace_uri.as_deref() == Some(ns)
    })
}

fn element_children(doc: &Document<'_>, n: NodeId) -> Vec<NodeId> {
    doc.children(n)
        .into_iter()
        .filter(|c| doc.element(*c).is_some())
        .collect()
}

fn attr<'d>(doc: &'d Document<'_>, n: NodeId, name: &str) -> Option<&'d str> {
    doc.element(n).and_then(|e| {
        e.attributes
            .iter()
            .find(|a| a.name.local_name.as_ref() == name && a.name.namespace_uri.is_none())
            .map(|a| a.value.as_ref())
    })
}

/// The root's children: the data element, then the signatures in order.
struct Layout {
    data: NodeId,
    data_id: String,
    signatures: Vec<(NodeId, String)>,
}

fn layout(doc: &Document<'_>) -> Result<Layout, String> {
    let root = doc
        .document_element()
        .ok_or("the XML document has no root element")?;
    let mut data = None;
    let mut signatures = Vec::new();
    for child in doc.children(root) {
        match doc.node_kind(child) {
            Some(NodeKind::Text(t)) if t.trim().is_empty() => {}
            Some(NodeKind::Element(_)) => {
                if data.is_none() {
                    if is_element(doc, child, DS_NS, "Signature") {
                        return Err("the first child of the root must be the data element, \
                                    not a signature"
                            .into());
                    }
                    let id = attr(doc, child, "Id")
                        .ok_or("the data element (the root's first child) has no Id attribute")?;
                    data = Some((child, id.to_string()));
                } else if is_element(doc, child, DS_NS, "Signature") {
                    let id = attr(doc, child, "Id")
                        .ok_or(format!("signature {} has no Id", signatures.len() + 1))?;
                    signatures.push((child, id.to_string()));
                } else {
                    return Err(format!(
                        "unexpected element <{}> after the data element: only <ds:Signature> \
                         elements may follow it",
                        doc.element(child)
                            .map(|e| e.name.prefixed_name().into_owned())
                            .unwrap_or_default()
                    ));
                }
            }
            _ => {
                return Err(
                    "the root may hold only the data element and signatures (no text, \
                            comments or processing instructions)"
                        .into(),
                );
            }
        }
    }
    let (data, data_id) = data.ok_or("the root element has no data element")?;
    for d in descendants(doc, data) {
        match doc.node_kind(d) {
            Some(NodeKind::Comment(_)) | Some(NodeKind::ProcessingInstruction(_)) => {
                return Err(
                    "the data element contains comments or processing instructions, \
                            which a signature does not cover"
                        .into(),
                );
            }
            _ => {}
        }
    }
    Ok(Layout {
        data,
        data_id,
        signatures,
    })
}

/// The nodes under `top` in document order (pre-order), without
/// allocating (uppsala's `descendants` collects them into a `Vec`).
fn descendants<'a, 'd>(doc: &'a Document<'d>, top: NodeId) -> impl Iterator<Item = NodeId> + 'a {
    let mut next = doc.first_child(top);
    std::iter::from_fn(move || {
        let current = next?;
        next = doc.first_child(current).or_else(|| {
            let mut n = current;
            loop {
                if let Some(s) = doc.next_sibling(n) {
                    return Some(s);
                }
                n = doc.parent(n)?;
                if n == top {
                    return None;
                }
            }
        });
        Some(current)
    })
}

/// Every `Id`-like attribute value must be unique (anti-XSW).
fn id_map<'a>(doc: &'a Document<'_>) -> Result<std::collections::HashMap<&'a str, NodeId>, String> {
    let mut map = std::collections::HashMap::new();
    let root = doc.root();
    for n in descendants(doc, root) {
        let Some(e) = doc.element(n) else { continue };
        for a in &e.attributes {
            let local = a.name.local_name.as_ref();
            let is_id = matches!(local, "Id" | "ID" | "id")
                && (a.name.namespace_uri.is_none()
                    || a.name.namespace_uri.as_deref()
                        == Some("http://www.w3.org/XML/1998/namespace"));
            if is_id && map.insert(a.value.as_ref(), n).is_some() {
                return Err(format!("duplicate Id \"{}\" in the document", a.value));
            }
        }
    }
    Ok(map)
}

fn c14n(doc: &Document<'_>, node: NodeId) -> Result<Vec<u8>, String> {
    let set = NodeSet::tree_without_comments(node, doc);
    bergshamra_c14n::canonicalize_doc(doc, C14nMode::Exclusive, Some(&set), &[] as &[&str])
        .map_err(|e| format!("canonicalisation failed: {e}"))
}

fn c14n_digest(doc: &Document<'_>, node: NodeId) -> Result<DigestBytes, String> {
    Ok(sha256(&c14n(doc, node)?))
}

/// Canonical bytes of a subtree for signing: the direct exclusive c14n
/// (checked against `bergshamra_c14n` in debug builds).
fn c14n_for_signing(doc: &Document<'_>, node: NodeId, out: &mut Vec<u8>) {
    out.clear();
    c14n::exclusive_subtree(doc, node, out);
    #[cfg(debug_assertions)]
    if let Ok(reference) = c14n(doc, node) {
        debug_assert!(
            reference == *out,
            "direct c14n differs from bergshamra_c14n:\n{}\n{}",
            String::from_utf8_lossy(&reference),
            String::from_utf8_lossy(out)
        );
    }
}

/// A `<ds:Reference>` with exclusive c14n and SHA-256.
fn reference(
    t: &mut twin::Twin,
    id: Option<&str>,
    type_: Option<&str>,
    uri: &str,
    digest: &DigestBytes,
) {
    let uri = format!("#{uri}");
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(3);
    if let Some(id) = id {
        attrs.push(("Id", id));
    }
    if let Some(t) = type_ {
        attrs.push(("Type", t));
    }
    attrs.push(("URI", &uri));
    t.open("ds", "Reference", &attrs);
    t.open("ds", "Transforms", &[]);
    t.empty("ds", "Transform", &[("Algorithm", EXC_C14N)]);
    t.close();
    t.empty("ds", "DigestMethod", &[("Algorithm", SHA256_URI)]);
    t.text("ds", "DigestValue", &[], &B64.encode(digest));
    t.close();
}

/// A signature as written, split around its value, with the canonical
/// forms of its `SignedInfo` and `SignedProperties`.
struct BuiltSignature {
    head: String,
    tail: String,
    signed_info_c14n: Vec<u8>,
    #[cfg_attr(not(test), allow(dead_code))]
    props_c14n: Vec<u8>,
}

/// Builds signature number `n`, covering `covered` (the data element's Id
/// and the earlier signatures' Ids, with the digests of their canonical
/// forms).
fn build_signature(
    signer: &XmlSigner,
    n: usize,
    time: OffsetDateTime,
    role: Option<&str>,
    covered: &[(&str, DigestBytes)],
) -> BuiltSignature {
    let sig_id = format!("sig-{n}");
    let props_id = format!("{sig_id}-signedprops");
    let data_ref_id = format!("{sig_id}-ref-data");

    // XAdES qualifying properties (EN 319 132-1 §5.2): signing time,
    // signing certificate v2 (digest of the signer's certificate), claimed
    // role, and the data object's format.
    let mut props = twin::Twin::with_capacity(1024);
    props.open("xades", "SignedProperties", &[("Id", &props_id)]);
    props.open("xades", "SignedSignatureProperties", &[]);
    props.text("xades", "SigningTime", &[], &fmt_time(time));
    props.open("xades", "SigningCertificateV2", &[]);
    props.open("xades", "Cert", &[]);
    props.open("xades", "CertDigest", &[]);
    props.empty("ds", "DigestMethod", &[("Algorithm", SHA256_URI)]);
    props.text("ds", "DigestValue", &[], &signer.cert_digest);
    props.close();
    props.close();
    props.close();
    if let Some(r) = role {
        props.open("xades", "SignerRoleV2", &[]);
        props.open("xades", "ClaimedRoles", &[]);
        props.text("xades", "ClaimedRole", &[], r);
        props.close();
        props.close();
    }
    props.close();
    props.open("xades", "SignedDataObjectProperties", &[]);
    props.open(
        "xades",
        "DataObjectFormat",
        &[("ObjectReference", &format!("#{data_ref_id}"))],
    );
    props.text("xades", "MimeType", &[], "text/xml");
    props.close();
    props.close();
    props.close();

    // SignedInfo: the data, every earlier signature, the properties.
    let mut si = twin::Twin::with_capacity(512 + 512 * covered.len());
    si.open("ds", "SignedInfo", &[]);
    si.empty("ds", "CanonicalizationMethod", &[("Algorithm", EXC_C14N)]);
    si.empty(
        "ds",
        "SignatureMethod",
        &[("Algorithm", signer.algorithm.xml_uri())],
    );
    for (k, (id, digest)) in covered.iter().enumerate() {
        let ref_id = (k == 0).then_some(data_ref_id.as_str());
        reference(&mut si, ref_id, None, id, digest);
    }
    reference(
        &mut si,
        None,
        Some(SIGNED_PROPS_TYPE),
        &props_id,
        &sha256(&props.c14n),
    );
    si.close();

    let mut head = String::with_capacity(si.xml.len() + 160);
    head.push_str("<ds:Signature xmlns:ds=\"");
    head.push_str(DS_NS);
    head.push_str("\" Id=\"");
    head.push_str(&sig_id);
    head.push_str("\">");
    head.push_str(&si.xml);
    head.push_str("<ds:SignatureValue Id=\"");
    head.push_str(&sig_id);
    head.push_str("-value\">");
    let mut tail = String::with_capacity(signer.key_info.len() + props.xml.len() + 200);
    tail.push_str("</ds:SignatureValue>");
    tail.push_str(&signer.key_info);
    tail.push_str("<ds:Object><xades:QualifyingProperties xmlns:xades=\"");
    tail.push_str(XADES_NS);
    tail.push_str("\" Target=\"#");
    tail.push_str(&sig_id);
    tail.push_str("\">");
    tail.push_str(&props.xml);
    tail.push_str("</xades:QualifyingProperties></ds:Object></ds:Signature>");
    BuiltSignature {
        head,
        tail,
        signed_info_c14n: si.c14n,
        props_c14n: props.c14n,
    }
}

/// Builds the next signature of `document` (phase one).
pub fn prepare(
    document: &[u8],
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    options: &XmlSignOptions,
) -> Result<Prepared, SigningError> {
    prepare_with(document, &XmlSigner::new(chain, algorithm)?, options)
}

/// [`prepare`] with what the signer's signatures share computed already.
pub(crate) fn prepare_with(
    document: &[u8],
    signer: &XmlSigner,
    options: &XmlSignOptions,
) -> Result<Prepared, SigningError> {
    let bom_len = if document.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let text = as_text(document).map_err(xml_err)?;
    refuse_dtd(text).map_err(xml_err)?;
    let role = options.role.as_deref();
    if role.is_some_and(|r| !twin::is_xml_text(r)) {
        return Err(xml_err(
            "the role contains characters that XML does not allow",
        ));
    }
    let doc = uppsala::parse(text).map_err(|e| xml_err(format!("not well-formed: {e}")))?;
    let lay = layout(&doc).map_err(xml_err)?;
    let ids = id_map(&doc).map_err(xml_err)?;

    let n = lay.signatures.len() + 1;
    let sig_id = format!("sig-{n}");
    let props_id = format!("{sig_id}-signedprops");
    let data_ref_id = format!("{sig_id}-ref-data");
    for id in [&sig_id, &props_id, &data_ref_id] {
        if ids.contains_key(id.as_str()) {
            return Err(xml_err(format!(
                "the document already uses the Id \"{id}\""
            )));
        }
    }

    let time = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let mut buf = Vec::with_capacity(text.len());
    c14n_for_signing(&doc, lay.data, &mut buf);
    let mut covered = Vec::with_capacity(n);
    covered.push((lay.data_id.as_str(), sha256(&buf)));
    for (node, id) in &lay.signatures {
        c14n_for_signing(&doc, *node, &mut buf);
        covered.push((id.as_str(), sha256(&buf)));
    }
    let sig = build_signature(signer, n, time, role, &covered);

    // Insert just before the root's end tag.
    let root = doc.document_element().expect("layout checked");
    let range = doc
        .node_range(root)
        .ok_or_else(|| xml_err("internal: no source range for the root"))?;
    let end_tag = text[range.clone()]
        .rfind("</")
        .ok_or_else(|| xml_err("the root element has no end tag"))?;
    Ok(Prepared {
        at: bom_len + range.start + end_tag,
        document: document.to_vec(),
        signature_head: sig.head,
        signature_tail: sig.tail,
        digest: sha256(&sig.signed_info_c14n),
        algorithm: signer.algorithm,
    })
}

/// Signs `document` with `signer` (prepare, sign the digest, insert).
pub fn sign(
    signer: &dyn Signer,
    document: &[u8],
    options: &XmlSignOptions,
) -> Result<Vec<u8>, SigningError> {
    let p = prepare(
        document,
        signer.certificate_chain(),
        signer.algorithm(),
        options,
    )?;
    let value = signer.sign_digest(p.digest())?;
    Ok(p.finish(&value))
}

// ---------------------------------------------------------------------------
// Verification

/// Verifies every signature of an XML document, in order.
pub fn verify(document: &[u8], trust: &TrustList) -> Report {
    verify_at(document, trust, OffsetDateTime::now_utc())
}

pub(crate) fn verify_at(document: &[u8], trust: &TrustList, now: OffsetDateTime) -> Report {
    let mut report = Report::new(DocumentKind::Xml);
    let text = match as_text(document).and_then(|t| refuse_dtd(t).map(|_| t)) {
        Ok(t) => t,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    let doc = match uppsala::parse(text) {
        Ok(d) => d,
        Err(e) => {
            report.problems.push(format!("not well-formed XML: {e}"));
            return report;
        }
    };
    let (lay, ids) = match layout(&doc).and_then(|l| id_map(&doc).map(|m| (l, m))) {
        Ok(x) => x,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    if lay.signatures.is_empty() {
        report.problems.push("the document is not signed".into());
    }
    let mut previous_time: Option<OffsetDateTime> = None;
    for (i, (node, id)) in lay.signatures.iter().enumerate() {
        let mut r = SignatureReport::new(i + 1, id.clone());
        if let Err(reason) = verify_one(&doc, &lay, &ids, i, *node, trust, now, &mut r) {
            r.fail(SignatureStatus::Invalid, reason);
        }
        if let (Some(prev), Some(t)) = (previous_time, r.signing_time)
            && t < prev
            && r.is_valid()
        {
            r.fail(
                SignatureStatus::Invalid,
                "signing time is earlier than the previous signature's",
            );
        }
        previous_time = r.signing_time.or(previous_time);
        report.signatures.push(r);
    }
    report
}

/// Child elements of `parent` with the given names, exactly and in order.
fn expect_children(
    doc: &Document<'_>,
    parent: NodeId,
    names: &[(&str, &str)],
) -> Result<Vec<NodeId>, String> {
    let kids = element_children(doc, parent);
    let ok = kids.len() == names.len()
        && kids
            .iter()
            .zip(names)
            .all(|(k, (ns, local))| is_element(doc, *k, ns, local));
    if ok {
        Ok(kids)
    } else {
        let parent_name = doc
            .element(parent)
            .map(|e| e.name.local_name.to_string())
            .unwrap_or_default();
        Err(format!(
            "<{parent_name}> must contain exactly {}",
            names
                .iter()
                .map(|(_, l)| format!("<{l}>"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

fn text_of(doc: &Document<'_>, n: NodeId) -> String {
    doc.text_content_deep(n)
}

fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(clean).map_err(|e| format!("bad base64: {e}"))
}

/// One parsed `<ds:Reference>`.
struct Ref {
    uri: String,
    type_: Option<String>,
    digest: Vec<u8>,
}

fn parse_reference(doc: &Document<'_>, r: NodeId) -> Result<Ref, String> {
    let kids = element_children(doc, r);
    let (transforms, rest) = match kids.first() {
        Some(t) if is_element(doc, *t, DS_NS, "Transforms") => (Some(*t), &kids[1..]),
        _ => (None, &kids[..]),
    };
    if let Some(t) = transforms {
        let ts = element_children(doc, t);
        let ok = ts.len() == 1
            && is_element(doc, ts[0], DS_NS, "Transform")
            && attr(doc, ts[0], "Algorithm") == Some(EXC_C14N)
            && element_children(doc, ts[0]).is_empty();
        if !ok {
            return Err("a reference uses transforms other than exclusive c14n".into());
        }
    }
    if rest.len() != 2
        || !is_element(doc, rest[0], DS_NS, "DigestMethod")
        || !is_element(doc, rest[1], DS_NS, "DigestValue")
    {
        return Err("a reference lacks DigestMethod/DigestValue".into());
    }
    if attr(doc, rest[0], "Algorithm") != Some(SHA256_URI) {
        return Err("a reference uses a digest other than SHA-256".into());
    }
    let uri = attr(doc, r, "URI").ok_or("a reference has no URI")?;
    let uri = uri
        .strip_prefix('#')
        .ok_or("only same-document references (#Id) are accepted")?;
    Ok(Ref {
        uri: uri.to_string(),
        type_: attr(doc, r, "Type").map(str::to_string),
        digest: b64_decode(&text_of(doc, rest[1]))?,
    })
}

#[allow(clippy::too_many_arguments)]
fn verify_one(
    doc: &Document<'_>,
    lay: &Layout,
    ids: &std::collections::HashMap<&str, NodeId>,
    index: usize,
    sig: NodeId,
    trust: &TrustList,
    now: OffsetDateTime,
    r: &mut SignatureReport,
) -> Result<(), String> {
    let kids = expect_children(
        doc,
        sig,
        &[
            (DS_NS, "SignedInfo"),
            (DS_NS, "SignatureValue"),
            (DS_NS, "KeyInfo"),
            (DS_NS, "Object"),
        ],
    )?;
    let (signed_info, sig_value, key_info, object) = (kids[0], kids[1], kids[2], kids[3]);

    // XAdES properties: Object/QualifyingProperties/SignedProperties.
    let qp = expect_children(doc, object, &[(XADES_NS, "QualifyingProperties")])?[0];
    if attr(doc, qp, "Target") != Some(&format!("#{}", r.id)) {
        return Err("QualifyingProperties does not target this signature".into());
    }
    let sp = expect_children(doc, qp, &[(XADES_NS, "SignedProperties")])?[0];
    let ssp = element_children(doc, sp)
        .into_iter()
        .find(|n| is_element(doc, *n, XADES_NS, "SignedSignatureProperties"))
        .ok_or("SignedSignatureProperties is missing")?;
    let mut signing_time = None;
    let mut cert_digest = None;
    for p in element_children(doc, ssp) {
        if is_element(doc, p, XADES_NS, "SigningTime") {
            signing_time = Some(parse_time(&text_of(doc, p)).ok_or("bad SigningTime")?);
        } else if is_element(doc, p, XADES_NS, "SigningCertificateV2") {
            let certs = element_children(doc, p);
            if certs.len() != 1 {
                return Err("SigningCertificateV2 must name exactly one certificate".into());
            }
            let cd = element_children(doc, certs[0])
                .into_iter()
                .find(|n| is_element(doc, *n, XADES_NS, "CertDigest"))
                .ok_or("CertDigest is missing")?;
            let dk = expect_children(doc, cd, &[(DS_NS, "DigestMethod"), (DS_NS, "DigestValue")])?;
            if attr(doc, dk[0], "Algorithm") != Some(SHA256_URI) {
                return Err("CertDigest must use SHA-256".into());
            }
            cert_digest = Some(b64_decode(&text_of(doc, dk[1]))?);
        } else if is_element(doc, p, XADES_NS, "SignerRoleV2") {
            let role = text_of(doc, p);
            r.role = Some(role.trim().to_string()).filter(|s| !s.is_empty());
        }
    }
    let signing_time = signing_time.ok_or("SigningTime is missing (XAdES-BES)")?;
    let cert_digest = cert_digest.ok_or("SigningCertificateV2 is missing (XAdES-BES)")?;
    r.signing_time = Some(signing_time);

    // Certificates from KeyInfo; the signing one is fixed by CertDigest.
    let x509 = expect_children(doc, key_info, &[(DS_NS, "X509Data")])?[0];
    let mut certs = Vec::new();
    for c in element_children(doc, x509) {
        if !is_element(doc, c, DS_NS, "X509Certificate") {
            return Err("X509Data may hold only X509Certificate elements".into());
        }
        let der = b64_decode(&text_of(doc, c))?;
        certs.push(Certificate::from_der(&der).map_err(|e| e.to_string())?);
    }
    let pos = certs
        .iter()
        .position(|c| c.sha256().as_slice() == cert_digest.as_slice())
        .ok_or("the signing certificate named in SignedProperties is not in KeyInfo")?;
    let leaf = certs.remove(pos);
    r.signer = leaf.display_name();
    r.holder = Some(leaf.holder_kind());
    r.certificate = Some(leaf.clone());

    // SignedInfo: algorithms and the references this signature must carry.
    let si_kids = element_children(doc, signed_info);
    if si_kids.len() < 3
        || !is_element(doc, si_kids[0], DS_NS, "CanonicalizationMethod")
        || !is_element(doc, si_kids[1], DS_NS, "SignatureMethod")
    {
        return Err("SignedInfo is malformed".into());
    }
    if attr(doc, si_kids[0], "Algorithm") != Some(EXC_C14N) {
        return Err("SignedInfo must use exclusive canonicalisation".into());
    }
    let algorithm = attr(doc, si_kids[1], "Algorithm")
        .and_then(SignatureAlgorithm::from_xml_uri)
        .ok_or("unsupported SignatureMethod")?;
    r.algorithm = Some(algorithm);
    if leaf.signature_algorithm() != Some(algorithm) {
        return Err("the SignatureMethod does not match the certificate's key".into());
    }
    let mut refs = Vec::new();
    for n in &si_kids[2..] {
        if !is_element(doc, *n, DS_NS, "Reference") {
            return Err("SignedInfo may hold only references after SignatureMethod".into());
        }
        refs.push(parse_reference(doc, *n)?);
    }
    // Expected: the data, every earlier signature in order, then this
    // signature's own SignedProperties (the signing order, EN 319 132-1
    // leaves it to the application: here each signature covers all earlier).
    let mut expected: Vec<(NodeId, &str, Option<&str>)> =
        vec![(lay.data, "the data element", None)];
    for (node, _) in &lay.signatures[..index] {
        expected.push((*node, "an earlier signature", None));
    }
    expected.push((sp, "its SignedProperties", Some(SIGNED_PROPS_TYPE)));
    if refs.len() != expected.len() {
        return Err(format!(
            "signature {} must reference the data, the {} earlier signature(s) and its \
             SignedProperties; it has {} reference(s)",
            index + 1,
            index,
            refs.len()
        ));
    }
    for (k, (rf, (node, what, type_))) in refs.iter().zip(&expected).enumerate() {
        let target = ids.get(rf.uri.as_str()).copied();
        if target != Some(*node) {
            return Err(if k >= 1 && k <= index {
                format!(
                    "signature {} does not cover signature {} (order broken)",
                    index + 1,
                    k
                )
            } else {
                format!("reference #{} does not point at {what}", rf.uri)
            });
        }
        if rf.type_.as_deref() != *type_ {
            return Err(format!("reference #{} has the wrong Type", rf.uri));
        }
        let digest = c14n_digest(doc, *node)?;
        if digest.as_slice() != rf.digest.as_slice() {
            return Err(if k == 0 {
                "the data was changed after signing (digest mismatch)".to_string()
            } else if *node == sp {
                "the signed properties were changed (digest mismatch)".to_string()
            } else {
                format!("signature {k} was changed after this signature (digest mismatch)")
            });
        }
    }
    // SignatureValue over the canonical SignedInfo.
    let value = b64_decode(&text_of(doc, sig_value))?;
    let si_c14n = c14n(doc, signed_info)?;
    if !algorithm.verify(leaf.public_key_bits(), &si_c14n, &value) {
        return Err("the signature value does not verify with the signer's key".into());
    }

    if signing_time > now + time::Duration::minutes(5) {
        return Err(format!(
            "the signing time {} is in the future",
            fmt_time(signing_time)
        ));
    }
    match trust.validate(&leaf, &certs, signing_time) {
        Ok(path) => {
            r.status = SignatureStatus::Valid;
            r.reason = path.notes.join("; ");
        }
        Err(p) => r.fail(p.status, p.reason),
    }
    Ok(())
}

/// Where in the bytes of a document the data element lies (for tests that
/// alter every byte of the signed data).
pub fn data_element_range(document: &[u8]) -> Option<std::ops::Range<usize>> {
    let text = as_text(document).ok()?;
    let offset = document.len() - text.len();
    let doc = uppsala::parse(text).ok()?;
    let lay = layout(&doc).ok()?;
    let r = doc.node_range(lay.data)?;
    Some(r.start + offset..r.end + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Documents exercising what exclusive c14n cares about: default and
    /// prefixed namespaces, undeclarations, redundant redeclarations,
    /// namespaced and `xml:` attributes and their order, character
    /// references, CDATA, entities, Vietnamese text, processing
    /// instructions and comments.
    fn documents() -> Vec<String> {
        let mut docs: Vec<String> = (0..3)
            .map(|i| String::from_utf8(crate::bench::sample_transcript_xml(i)).unwrap())
            .collect();
        docs.extend(
            [
                r#"<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><p:a q:x="1" y="2" xml:lang="vi"><b xmlns=""><c xmlns="urn:e">t</c><d/></b><p:d xmlns:p="urn:p2" p:z="3"/><p:e xmlns:p="urn:p"/></p:a><q:e xmlns:q="urn:q" xmlns="urn:d"/><f xmlns="">x</f></r>"#,
                "<r a=\"&lt;&amp;&quot;&gt;&#9;&#10;&#13;'\" b='x\"y' c=\"\t tab\"> &lt;&gt;&amp;\"' &#13;\r\n<![CDATA[<&>\"]]>Tiếng Việt: Nguyễn Văn Ánh, điểm 9.5 &#x1EA0; &#169;</r>",
                "<r><!--c--><?pi data\r here?><?pi2?><a>x<!--y-->z<?p  ?></a></r>",
                r#"<r xmlns:b="urn:a" xmlns:a="urn:b"><e a:z="1" b:y="2" z="3" a="4" b:a="5" xml:space="preserve"/></r>"#,
                r#"<r xmlns="urn:d"><a xmlns=""><b xmlns="urn:d"><c xmlns=""/></b></a></r>"#,
                "<HocBa xmlns=\"urn:vn:hocba:1\">\n  <DuLieu Id=\"DuLieu\">\n\t<Ten ghiChu=\"&quot;Hiệu trưởng&quot; &amp; &lt;Phó&gt;\">Trần Thị Bích &amp; \"Ngọc\" &lt;10A1&gt;</Ten>\n  </DuLieu>\n</HocBa>\n",
                r##"<ns0:r xmlns:ns0="urn:x" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature Id="s"><ds:SignedInfo><ds:Reference URI="#a"/></ds:SignedInfo><!-- note --><ds:Object xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><xades:QualifyingProperties Target="#s"/></ds:Object></ds:Signature></ns0:r>"##,
            ]
            .map(String::from),
        );
        docs
    }

    #[test]
    fn direct_c14n_matches_bergshamra_on_every_element() {
        let mut docs = documents();
        // And on documents we signed (the earlier signatures are hashed too).
        let signed: Vec<String> = docs[..3]
            .iter()
            .map(|d| signed_twice(d, Some("Giáo viên chủ nhiệm & \"GVCN\" <10A1>")))
            .collect();
        docs.extend(signed);
        let mut elements = 0;
        for text in &docs {
            let doc = uppsala::parse(text).unwrap();
            for node in descendants(&doc, doc.root()) {
                if doc.element(node).is_none() {
                    continue;
                }
                let mut fast = Vec::new();
                c14n::exclusive_subtree(&doc, node, &mut fast);
                let reference = c14n(&doc, node).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&reference),
                    "in {text}"
                );
                elements += 1;
            }
        }
        assert!(elements > 500, "{elements}");
    }

    fn test_signer(algorithm: SignatureAlgorithm) -> XmlSigner {
        XmlSigner {
            algorithm,
            cert_digest: B64.encode(sha256(b"certificate")),
            key_info: "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB\
                       </ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                .into(),
        }
    }

    fn time() -> OffsetDateTime {
        time::macros::datetime!(2026-05-20 08:30:15.25 +07:00)
    }

    /// Signs `document` twice (structure only: the values are stand-ins).
    fn signed_twice(document: &str, role: Option<&str>) -> String {
        let signer = test_signer(SignatureAlgorithm::EcdsaP256Sha256);
        let options = XmlSignOptions {
            signing_time: Some(time()),
            role: role.map(str::to_string),
        };
        let mut d = document.as_bytes().to_vec();
        for _ in 0..2 {
            d = prepare_with(&d, &signer, &options)
                .unwrap()
                .finish(&[7u8; 64]);
        }
        String::from_utf8(d).unwrap()
    }

    fn find(doc: &Document<'_>, under: NodeId, ns: &str, local: &str) -> NodeId {
        descendants(doc, under)
            .find(|n| is_element(doc, *n, ns, local))
            .unwrap_or_else(|| panic!("no {local}"))
    }

    const ROLES: [Option<&str>; 6] = [
        None,
        Some("Giáo viên chủ nhiệm"),
        Some("Hiệu trưởng & \"Phó\" <tạm> quyền 'HT'"),
        Some("dòng 1\r\ndòng 2\ttab\nvà\rCR"),
        Some("  khoảng trắng  "),
        Some(""),
    ];

    /// The canonical bytes written alongside the signature are what
    /// `bergshamra_c14n` makes of the parsed signature, wherever it sits.
    #[test]
    fn direct_canonical_signature_parts_match_bergshamra() {
        let wrappers = [
            (
                "<HocBa xmlns=\"urn:vn:hocba:1\"><DuLieu Id=\"x\"/>",
                "</HocBa>",
            ),
            (
                "<p:HocBa xmlns:p=\"urn:p\" xmlns:ds=\"urn:not-ds\" xmlns:xades=\"urn:not-xades\" \
                 xmlns=\"urn:d\"><p:DuLieu Id=\"x\"/>",
                "</p:HocBa>",
            ),
            ("<HocBa>\n<DuLieu Id=\"x\"/>\n", "\n</HocBa>"),
        ];
        let coverings: [&[(&str, DigestBytes)]; 3] = [
            &[("DuLieu", [1; 32])],
            &[("dữ-liệu&<>\"'\t\n\r x", [2; 32]), ("sig-1", [3; 32])],
            &[
                ("DuLieu", [4; 32]),
                ("sig-1", [5; 32]),
                ("chữ ký 2", [6; 32]),
            ],
        ];
        let mut checked = 0;
        for algorithm in [
            SignatureAlgorithm::RsaPkcs1Sha256,
            SignatureAlgorithm::EcdsaP256Sha256,
        ] {
            let signer = test_signer(algorithm);
            for role in ROLES {
                for covered in coverings {
                    for (open, close) in wrappers {
                        let n = covered.len();
                        let sig = build_signature(&signer, n, time(), role, covered);
                        let text = format!("{open}{}AAAA{}{close}", sig.head, sig.tail);
                        let doc = uppsala::parse(&text).unwrap();
                        let s = find(&doc, doc.root(), DS_NS, "Signature");
                        let si = find(&doc, s, DS_NS, "SignedInfo");
                        let sp = find(&doc, s, XADES_NS, "SignedProperties");
                        assert_eq!(
                            String::from_utf8_lossy(&c14n(&doc, si).unwrap()),
                            String::from_utf8_lossy(&sig.signed_info_c14n)
                        );
                        assert_eq!(
                            String::from_utf8_lossy(&c14n(&doc, sp).unwrap()),
                            String::from_utf8_lossy(&sig.props_c14n)
                        );
                        // The values read back are the values written.
                        if let Some(r) = role {
                            let cr = find(&doc, sp, XADES_NS, "ClaimedRole");
                            assert_eq!(text_of(&doc, cr), r);
                        }
                        let refs: Vec<NodeId> = element_children(&doc, si)[2..].to_vec();
                        assert_eq!(refs.len(), n + 1);
                        for (r, (id, digest)) in refs.iter().zip(covered) {
                            let parsed = parse_reference(&doc, *r).unwrap();
                            assert_eq!(parsed.uri, *id);
                            assert_eq!(parsed.digest, digest.to_vec());
                        }
                        let props = parse_reference(&doc, refs[n]).unwrap();
                        assert_eq!(props.digest, sha256(&sig.props_c14n).to_vec());
                        assert_eq!(props.type_.as_deref(), Some(SIGNED_PROPS_TYPE));
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * ROLES.len() * 3 * 3);
    }

    /// The builder before direct canonicalisation, verbatim: the written
    /// signature must not change by a byte.
    fn legacy_signature(
        signer: &XmlSigner,
        n: usize,
        time: OffsetDateTime,
        role: Option<&str>,
        covered: &[(&str, DigestBytes)],
        props_digest: &str,
    ) -> String {
        fn escape(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        }
        fn reference(id: Option<&str>, type_: Option<&str>, uri: &str, digest: &str) -> String {
            let mut r = String::from("<ds:Reference");
            if let Some(id) = id {
                r.push_str(&format!(" Id=\"{}\"", escape(id)));
            }
            if let Some(t) = type_ {
                r.push_str(&format!(" Type=\"{t}\""));
            }
            r.push_str(&format!(
                " URI=\"#{}\"><ds:Transforms><ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
                 <ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{digest}</ds:DigestValue>\
                 </ds:Reference>",
                escape(uri)
            ));
            r
        }
        let sig_id = format!("sig-{n}");
        let props_id = format!("{sig_id}-signedprops");
        let data_ref_id = format!("{sig_id}-ref-data");
        let mut refs = String::new();
        for (k, (id, d)) in covered.iter().enumerate() {
            let ref_id = (k == 0).then_some(data_ref_id.as_str());
            refs.push_str(&reference(ref_id, None, id, &B64.encode(d)));
        }
        let role = role
            .map(|r| {
                format!(
                    "<xades:SignerRoleV2><xades:ClaimedRoles><xades:ClaimedRole>{}\
                     </xades:ClaimedRole></xades:ClaimedRoles></xades:SignerRoleV2>",
                    escape(r)
                )
            })
            .unwrap_or_default();
        let signed_props = format!(
            "<xades:SignedProperties Id=\"{props_id}\"><xades:SignedSignatureProperties>\
             <xades:SigningTime>{}</xades:SigningTime><xades:SigningCertificateV2><xades:Cert>\
             <xades:CertDigest><ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{}\
             </ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2>{role}\
             </xades:SignedSignatureProperties><xades:SignedDataObjectProperties>\
             <xades:DataObjectFormat ObjectReference=\"#{data_ref_id}\"><xades:MimeType>text/xml\
             </xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>\
             </xades:SignedProperties>",
            fmt_time(time),
            signer.cert_digest,
        );
        format!(
            "<ds:Signature xmlns:ds=\"{DS_NS}\" Id=\"{sig_id}\"><ds:SignedInfo>\
             <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
             <ds:SignatureMethod Algorithm=\"{}\"/>{refs}{}</ds:SignedInfo>\
             <ds:SignatureValue Id=\"{sig_id}-value\">VALUE</ds:SignatureValue>\
             {}\
             <ds:Object><xades:QualifyingProperties xmlns:xades=\"{XADES_NS}\" \
             Target=\"#{sig_id}\">{signed_props}</xades:QualifyingProperties></ds:Object>\
             </ds:Signature>",
            signer.algorithm.xml_uri(),
            reference(None, Some(SIGNED_PROPS_TYPE), &props_id, props_digest),
            signer.key_info,
        )
    }

    #[test]
    fn written_signature_is_unchanged() {
        let signer = test_signer(SignatureAlgorithm::RsaPkcs1Sha256);
        let covered: &[(&str, DigestBytes)] = &[
            ("DuLieu", [9; 32]),
            ("sig-1", [8; 32]),
            ("a&b<c>\"d\"", [7; 32]),
        ];
        // Roles without \r, \t or \n: those are now character references,
        // so that they read back as written.
        for role in ROLES
            .into_iter()
            .filter(|r| !r.is_some_and(|r| r.contains(['\r', '\t', '\n'])))
        {
            for k in 1..=covered.len() {
                let sig = build_signature(&signer, k, time(), role, &covered[..k]);
                let props_digest = B64.encode(sha256(&sig.props_c14n));
                assert_eq!(
                    format!("{}VALUE{}", sig.head, sig.tail),
                    legacy_signature(&signer, k, time(), role, &covered[..k], &props_digest)
                );
            }
        }
    }

    #[test]
    fn roles_with_characters_xml_forbids_are_refused() {
        let signer = test_signer(SignatureAlgorithm::EcdsaP256Sha256);
        let doc = crate::bench::sample_transcript_xml(1);
        for bad in ["a\u{0}b", "\u{1b}[31m", "x\u{FFFE}"] {
            let options = XmlSignOptions {
                signing_time: None,
                role: Some(bad.into()),
            };
            let err = prepare_with(&doc, &signer, &options).unwrap_err();
            assert!(err.to_string().contains("role"), "{err}");
        }
    }

    /// The prepared digest is the hash of `bergshamra_c14n(SignedInfo)` of
    /// the signed document, and the document is kept byte for byte around
    /// the inserted signature (with a byte-order mark too).
    #[test]
    fn prepared_digest_is_that_of_the_inserted_signed_info() {
        let signer = test_signer(SignatureAlgorithm::EcdsaP256Sha256);
        for (i, text) in documents()
            .iter()
            .enumerate()
            .take(3)
            .chain([(9, &format!("\u{feff}{}", documents()[8]))])
        {
            for role in ROLES {
                let options = XmlSignOptions {
                    signing_time: Some(time()),
                    role: role.map(str::to_string),
                };
                let p = prepare_with(text.as_bytes(), &signer, &options).unwrap();
                let digest = *p.digest();
                let out = p.finish(&[i as u8; 64]);
                let out_text = as_text(&out).unwrap();
                let doc = uppsala::parse(out_text).unwrap();
                let lay = layout(&doc).unwrap();
                let (sig, _) = lay.signatures.last().unwrap();
                let si = find(&doc, *sig, DS_NS, "SignedInfo");
                assert_eq!(sha256(&c14n(&doc, si).unwrap()), digest);
                let range = doc.node_range(*sig).unwrap();
                let offset = out.len() - out_text.len();
                let mut rebuilt = out[..offset + range.start].to_vec();
                rebuilt.extend_from_slice(&out[offset + range.end..]);
                assert_eq!(rebuilt, text.as_bytes());
            }
        }
    }
}
