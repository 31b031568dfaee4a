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
    head: String,
    signature: String,
    tail: String,
    digest: DigestBytes,
    algorithm: SignatureAlgorithm,
}

const VALUE_PLACEHOLDER: &str = "\u{0}SIGNATURE-VALUE\u{0}";

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
        let value = B64.encode(signature_value);
        let sig = self.signature.replacen(VALUE_PLACEHOLDER, &value, 1);
        let mut out = String::with_capacity(self.head.len() + sig.len() + self.tail.len());
        out.push_str(&self.head);
        out.push_str(&sig);
        out.push_str(&self.tail);
        out.into_bytes()
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
    for d in doc.descendants(data) {
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

/// Every `Id`-like attribute value must be unique (anti-XSW).
fn id_map(doc: &Document<'_>) -> Result<std::collections::HashMap<String, NodeId>, String> {
    let mut map = std::collections::HashMap::new();
    let root = doc.root();
    for n in doc.descendants(root) {
        let Some(e) = doc.element(n) else { continue };
        for a in &e.attributes {
            let local = a.name.local_name.as_ref();
            let is_id = matches!(local, "Id" | "ID" | "id")
                && (a.name.namespace_uri.is_none()
                    || a.name.namespace_uri.as_deref()
                        == Some("http://www.w3.org/XML/1998/namespace"));
            if is_id && map.insert(a.value.to_string(), n).is_some() {
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

/// Builds the next signature of `document` (phase one).
pub fn prepare(
    document: &[u8],
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    options: &XmlSignOptions,
) -> Result<Prepared, SigningError> {
    let leaf = chain
        .first()
        .ok_or_else(|| xml_err("the signer has no certificate"))?;
    let bom = document.starts_with(b"\xef\xbb\xbf");
    let text = as_text(document).map_err(xml_err)?;
    refuse_dtd(text).map_err(xml_err)?;
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

    let mut refs = String::new();
    let data_digest = c14n_digest(&doc, lay.data).map_err(xml_err)?;
    refs.push_str(&reference(
        Some(&data_ref_id),
        None,
        &lay.data_id,
        &B64.encode(data_digest),
    ));
    for (node, id) in &lay.signatures {
        let d = c14n_digest(&doc, *node).map_err(xml_err)?;
        refs.push_str(&reference(None, None, id, &B64.encode(d)));
    }

    // XAdES qualifying properties (EN 319 132-1 §5.2): signing time,
    // signing certificate v2 (digest of the signer's certificate), claimed
    // role, and the data object's format.
    let time = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let role = options
        .role
        .as_deref()
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
        B64.encode(leaf.sha256()),
    );
    let key_info: String = chain
        .iter()
        .map(|c| {
            format!(
                "<ds:X509Certificate>{}</ds:X509Certificate>",
                B64.encode(c.der())
            )
        })
        .collect();
    let build = |props_digest: &str| {
        format!(
            "<ds:Signature xmlns:ds=\"{DS_NS}\" Id=\"{sig_id}\"><ds:SignedInfo>\
             <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
             <ds:SignatureMethod Algorithm=\"{}\"/>{refs}{}</ds:SignedInfo>\
             <ds:SignatureValue Id=\"{sig_id}-value\">{VALUE_PLACEHOLDER}</ds:SignatureValue>\
             <ds:KeyInfo><ds:X509Data>{key_info}</ds:X509Data></ds:KeyInfo>\
             <ds:Object><xades:QualifyingProperties xmlns:xades=\"{XADES_NS}\" \
             Target=\"#{sig_id}\">{signed_props}</xades:QualifyingProperties></ds:Object>\
             </ds:Signature>",
            algorithm.xml_uri(),
            reference(None, Some(SIGNED_PROPS_TYPE), &props_id, props_digest),
        )
    };

    // Exclusive c14n of a subtree does not depend on its context, so the
    // signature can be canonicalised on its own, before insertion.
    let parse_sig = |s: &str| -> Result<String, SigningError> {
        // The placeholder holds NULs, which XML forbids; parse with a stand-in.
        Ok(s.replacen(VALUE_PLACEHOLDER, "AA==", 1))
    };
    let draft = parse_sig(&build(""))?;
    let draft_doc = uppsala::parse(&draft).map_err(|e| xml_err(format!("internal: {e}")))?;
    let props_node = draft_doc
        .descendants(draft_doc.root())
        .into_iter()
        .find(|n| is_element(&draft_doc, *n, XADES_NS, "SignedProperties"))
        .ok_or_else(|| xml_err("internal: SignedProperties not found"))?;
    let props_digest = B64.encode(c14n_digest(&draft_doc, props_node).map_err(xml_err)?);
    let signature = build(&props_digest);
    let final_text = parse_sig(&signature)?;
    let final_doc = uppsala::parse(&final_text).map_err(|e| xml_err(format!("internal: {e}")))?;
    let signed_info = final_doc
        .descendants(final_doc.root())
        .into_iter()
        .find(|n| is_element(&final_doc, *n, DS_NS, "SignedInfo"))
        .ok_or_else(|| xml_err("internal: SignedInfo not found"))?;
    let digest = c14n_digest(&final_doc, signed_info).map_err(xml_err)?;

    // Insert just before the root's end tag.
    let root = doc.document_element().expect("layout checked");
    let range = doc
        .node_range(root)
        .ok_or_else(|| xml_err("internal: no source range for the root"))?;
    let root_src = &text[range.clone()];
    let end_tag = root_src
        .rfind("</")
        .ok_or_else(|| xml_err("the root element has no end tag"))?;
    let at = range.start + end_tag;
    let mut head = String::with_capacity(at + 3);
    if bom {
        head.push('\u{feff}');
    }
    head.push_str(&text[..at]);
    Ok(Prepared {
        head,
        signature,
        tail: text[at..].to_string(),
        digest,
        algorithm,
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
    ids: &std::collections::HashMap<String, NodeId>,
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
        let target = ids.get(&rf.uri).copied();
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
