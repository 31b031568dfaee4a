//! PAdES baseline B signatures (ETSI EN 319 142-1) on the printable
//! transcript: one incremental update per signer (ISO 32000-1 §7.5.6), each
//! adding an invisible signature field whose value dictionary has
//! `/SubFilter /ETSI.CAdES.detached`, a `/ByteRange` over the whole file
//! but the `/Contents` hole, the signing time in `/M`, and a detached CMS
//! signature with the signing-certificate-v2 attribute.
//!
//! The original bytes are never rewritten: each update appends objects, an
//! xref section and a trailer with `/Prev`. So every later signature covers
//! the earlier revisions and their signatures.

use std::fmt::Write as _;
use std::sync::Arc;

use lopdf::{Dictionary, Document, Object, ObjectId};
use time::OffsetDateTime;

use crate::cert::{Certificate, sha256};
use crate::error::SigningError;
use crate::report::{DocumentKind, Report, SignatureReport, SignatureStatus, fmt_time};
use crate::signer::{DigestBytes, SignatureAlgorithm, Signer};
use crate::trust::TrustList;

/// Options of one PDF signature.
#[derive(Debug, Clone, Default)]
pub struct PdfSignOptions {
    pub signing_time: Option<OffsetDateTime>,
    /// `/Reason`, e.g. the signer's role.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
}

/// A signature built up to its value (phase one of two-phase signing).
#[derive(Debug, Clone)]
pub struct Prepared {
    bytes: Vec<u8>,
    /// Offset of the first hex digit inside `<…>` and the hex capacity.
    hole: (usize, usize),
    signed_attrs: Vec<u8>,
    digest: DigestBytes,
    signer: Arc<PdfSigner>,
}

impl Prepared {
    /// SHA-256 of the CMS signed attributes: what the signer signs.
    pub fn digest(&self) -> &DigestBytes {
        &self.digest
    }

    /// Builds the CMS signature around the value and writes it into the
    /// `/Contents` hole.
    pub fn finish(mut self, signature_value: &[u8]) -> Result<Vec<u8>, SigningError> {
        let cms = self
            .signer
            .cms
            .signed_data(&self.signed_attrs, signature_value);
        if 2 * cms.len() > self.hole.1 {
            return Err(SigningError::Pdf(format!(
                "the CMS signature ({} bytes) does not fit the reserved space",
                cms.len()
            )));
        }
        crate::cert::hex_to_slice(
            &cms,
            &mut self.bytes[self.hole.0..self.hole.0 + 2 * cms.len()],
        );
        Ok(self.bytes)
    }
}

/// What every PDF signature of one signer shares, computed once per batch:
/// the CMS parts that depend on the certificates, the room reserved for
/// the CMS, and the `/Name`.
#[derive(Debug)]
pub(crate) struct PdfSigner {
    cms: crate::cms::SignerParts,
    /// Hex digits reserved in `/Contents`.
    capacity: usize,
    /// The signer's display name, written as a PDF text string.
    name: String,
}

impl PdfSigner {
    pub(crate) fn new(
        chain: &[Certificate],
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, SigningError> {
        let leaf = chain
            .first()
            .ok_or_else(|| pdf_err("the signer has no certificate"))?;
        let cms = crate::cms::SignerParts::new(chain, algorithm)?;
        let mut name = String::new();
        write_object(&mut name, &text_string(&leaf.display_name()));
        Ok(PdfSigner {
            capacity: 2 * cms.size_bound(),
            cms,
            name,
        })
    }
}

fn pdf_err(m: impl Into<String>) -> SigningError {
    SigningError::Pdf(m.into())
}

/// Serialises a PDF object (ISO 32000-1 §7.3).
fn write_object(out: &mut String, o: &Object) {
    match o {
        Object::Null => out.push_str("null"),
        Object::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => {
            out.push('<');
            out.push_str(&crate::cert::hex(s));
            out.push('>');
        }
        Object::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_object(out, x);
            }
            out.push(']');
        }
        Object::Dictionary(d) => write_dict(out, d),
        Object::Stream(_) => out.push_str("null"),
        Object::Reference((id, generation)) => {
            let _ = write!(out, "{id} {generation} R");
        }
    }
}

fn write_name(out: &mut String, n: &[u8]) {
    out.push('/');
    for b in n {
        if b.is_ascii_alphanumeric() || b"-_.+".contains(b) {
            out.push(*b as char);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

fn write_dict(out: &mut String, d: &Dictionary) {
    out.push_str("<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(' ');
        write_object(out, v);
    }
    out.push_str(">>");
}

/// A text string: PDFDocEncoding-safe ASCII as is, otherwise UTF-16BE with
/// a BOM (ISO 32000-1 §7.9.2.2), always written as a hex string.
fn text_string(s: &str) -> Object {
    let bytes = if s.is_ascii() {
        s.as_bytes().to_vec()
    } else {
        let mut b = vec![0xfe, 0xff];
        b.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        b
    };
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|b| *b as char).collect()
    }
}

/// `D:YYYYMMDDHHmmSSZ` (ISO 32000-1 §7.9.4).
fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i32>().ok());
    let year = num(0..4)?;
    let month = num(4..6).unwrap_or(1);
    let day = num(6..8).unwrap_or(1);
    let hour = num(8..10).unwrap_or(0);
    let minute = num(10..12).unwrap_or(0);
    let second = num(12..14).unwrap_or(0);
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month as u8).ok()?, day as u8)
            .ok()?;
    let t = date
        .with_hms(hour as u8, minute as u8, second as u8)
        .ok()?
        .assume_utc();
    let rest = s.get(14..).unwrap_or("");
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i64 = digits.get(0..2)?.parse().ok()?;
            let m: i64 = digits.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let secs = h * 3600 + m * 60;
            if sign == '+' { secs } else { -secs }
        }
        _ => 0,
    };
    Some(t - time::Duration::seconds(offset))
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Result<&'a Object, SigningError> {
    doc.dereference(o)
        .map(|(_, x)| x)
        .map_err(|e| pdf_err(format!("broken reference: {e}")))
}

/// The signature fields of a document: (field name, field id, sig dict id).
fn signature_fields(doc: &Document) -> Vec<(String, ObjectId, Option<ObjectId>)> {
    let mut out = Vec::new();
    let Some(fields) = acroform(doc)
        .and_then(|af| af.get(b"Fields").ok())
        .and_then(|f| doc.dereference(f).ok())
        .and_then(|(_, f)| match f {
            Object::Array(a) => Some(a.clone()),
            _ => None,
        })
    else {
        return out;
    };
    let mut stack: Vec<Object> = fields.into_iter().rev().collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(f) = stack.pop() {
        let Object::Reference(id) = f else { continue };
        if !seen.insert(id) {
            continue;
        }
        let Ok(Object::Dictionary(d)) = doc.get_object(id) else {
            continue;
        };
        if let Ok(Object::Array(kids)) = d.get(b"Kids") {
            for k in kids.iter().rev() {
                stack.push(k.clone());
            }
        }
        let is_sig = matches!(d.get(b"FT"), Ok(Object::Name(n)) if n == b"Sig");
        if is_sig {
            let name = match d.get(b"T") {
                Ok(Object::String(s, _)) => decode_text(s),
                _ => String::new(),
            };
            let v = match d.get(b"V") {
                Ok(Object::Reference(r)) => Some(*r),
                _ => None,
            };
            out.push((name, id, v));
        }
    }
    out
}

fn acroform(doc: &Document) -> Option<&Dictionary> {
    let root = doc.trailer.get(b"Root").ok()?;
    let (_, catalog) = doc.dereference(root).ok()?;
    let Object::Dictionary(catalog) = catalog else {
        return None;
    };
    let af = catalog.get(b"AcroForm").ok()?;
    match doc.dereference(af).ok()?.1 {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// Offset of the last `startxref` value (the `/Prev` of the next update).
fn last_startxref(bytes: &[u8]) -> Result<usize, SigningError> {
    let tail_start = bytes.len().saturating_sub(2048);
    let tail = &bytes[tail_start..];
    let pos = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| pdf_err("no startxref at the end of the file"))?;
    let digits: String = tail[pos + 9..]
        .iter()
        .map(|b| *b as char)
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .map_err(|_| pdf_err("unreadable startxref value"))
}

const BYTE_RANGE_PLACEHOLDER: &str = "/ByteRange [0 0000000000 0000000000 0000000000]";

/// Builds the next signature of `pdf` (phase one).
pub fn prepare(
    pdf: &[u8],
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    options: &PdfSignOptions,
) -> Result<Prepared, SigningError> {
    prepare_with(pdf, &Arc::new(PdfSigner::new(chain, algorithm)?), options)
}

/// [`prepare`] with what the signer's signatures share computed already.
pub(crate) fn prepare_with(
    pdf: &[u8],
    signer: &Arc<PdfSigner>,
    options: &PdfSignOptions,
) -> Result<Prepared, SigningError> {
    let doc = Document::load_mem(pdf).map_err(|e| pdf_err(format!("unreadable PDF: {e}")))?;
    if doc.is_encrypted() {
        return Err(pdf_err("encrypted PDFs cannot be signed"));
    }
    let prev = last_startxref(pdf)?;
    let root_ref = match doc.trailer.get(b"Root") {
        Ok(Object::Reference(r)) => *r,
        _ => return Err(pdf_err("the trailer has no /Root reference")),
    };
    let mut catalog = match doc.get_object(root_ref) {
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => return Err(pdf_err("the catalog is not a dictionary")),
    };
    let pages = doc.get_pages();
    let (&_, &page_id) = pages
        .iter()
        .next()
        .ok_or_else(|| pdf_err("the PDF has no page"))?;
    let mut page = match doc.get_object(page_id) {
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => return Err(pdf_err("the first page is not a dictionary")),
    };
    let trailer_size = match doc.trailer.get(b"Size") {
        Ok(Object::Integer(n)) => u32::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let mut next_id = trailer_size.max(doc.max_id + 1);
    let mut alloc = || {
        let id = next_id;
        next_id += 1;
        (id, 0u16)
    };

    let existing = signature_fields(&doc);
    let field_name = format!("Signature{}", existing.len() + 1);
    let sig_id = alloc();
    let field_id = alloc();

    // Objects of the update, by id.
    let mut updated: Vec<(ObjectId, String)> = Vec::new();

    // AcroForm: add the field, SigFlags 3 (SignaturesExist | AppendOnly).
    let (acro_id, mut acro) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(r)) => match doc.get_object(*r) {
            Ok(Object::Dictionary(d)) => (Some(*r), d.clone()),
            _ => return Err(pdf_err("/AcroForm is not a dictionary")),
        },
        Ok(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    let mut fields = match acro.get(b"Fields") {
        Ok(f) => match deref(&doc, f)? {
            Object::Array(a) => a.clone(),
            _ => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    fields.push(Object::Reference(field_id));
    acro.set("Fields", Object::Array(fields));
    acro.set("SigFlags", Object::Integer(3));
    let acro_id = match acro_id {
        Some(id) => id,
        None => {
            let id = alloc();
            catalog.set("AcroForm", Object::Reference(id));
            let mut s = String::new();
            write_dict(&mut s, &catalog);
            updated.push((root_ref, s));
            id
        }
    };
    let mut s = String::new();
    write_dict(&mut s, &acro);
    updated.push((acro_id, s));

    // The page gets the (invisible) widget in /Annots.
    let mut annots = match page.get(b"Annots") {
        Ok(a) => match deref(&doc, a)? {
            Object::Array(a) => a.clone(),
            _ => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));
    let mut s = String::new();
    write_dict(&mut s, &page);
    updated.push((page_id, s));

    // The field, merged with its widget annotation.
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", text_string(&field_name));
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    field.set("P", Object::Reference(page_id));
    let mut s = String::new();
    write_dict(&mut s, &field);
    updated.push((field_id, s));

    // The signature value dictionary with placeholders (their offsets in
    // the dictionary are noted as it is written).
    let time = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let capacity = signer.capacity;
    let mut sig = String::with_capacity(capacity + 512);
    sig.push_str("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached ");
    let br_in_sig = sig.len();
    sig.push_str(BYTE_RANGE_PLACEHOLDER);
    sig.push_str(" /Contents ");
    let hole_in_sig = sig.len();
    sig.push('<');
    sig.extend(std::iter::repeat_n('0', capacity));
    sig.push_str("> /M ");
    write_object(&mut sig, &text_string(&pdf_date(time)));
    if let Some(r) = &options.reason {
        sig.push_str(" /Reason ");
        write_object(&mut sig, &text_string(r));
    }
    if let Some(l) = &options.location {
        sig.push_str(" /Location ");
        write_object(&mut sig, &text_string(l));
    }
    sig.push_str(" /Name ");
    sig.push_str(&signer.name);
    sig.push_str(">>");
    updated.push((sig_id, sig));
    updated.sort_by_key(|(id, _)| *id);

    // The update: objects, xref, trailer.
    let update_len: usize = updated.iter().map(|(_, b)| b.len() + 32).sum();
    let mut out = Vec::with_capacity(pdf.len() + update_len + 512);
    out.extend_from_slice(pdf);
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut offsets = Vec::with_capacity(updated.len());
    let mut sig_body_at = None;
    for (id, body) in &updated {
        offsets.push((*id, out.len()));
        let _ = writeln!(ByteWriter(&mut out), "{} {} obj", id.0, id.1);
        if *id == sig_id {
            sig_body_at = Some(out.len());
        }
        out.extend_from_slice(body.as_bytes());
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    let mut xref = String::from("xref\n");
    for (id, off) in &offsets {
        let _ = write!(xref, "{} 1\n{off:010} {:05} n \n", id.0, id.1);
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(next_id as i64));
    trailer.set("Root", Object::Reference(root_ref));
    trailer.set("Prev", Object::Integer(prev as i64));
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    xref.push_str("trailer\n");
    write_dict(&mut xref, &trailer);
    let _ = write!(xref, "\nstartxref\n{xref_at}\n%%EOF\n");
    out.extend_from_slice(xref.as_bytes());

    // Fill in the byte range around the hole.
    let sig_body_at = sig_body_at.expect("signature object written");
    let br_pos = sig_body_at + br_in_sig;
    let hole_start = sig_body_at + hole_in_sig;
    let hole_end = hole_start + capacity + 2;
    debug_assert_eq!(
        &out[br_pos..br_pos + BYTE_RANGE_PLACEHOLDER.len()],
        BYTE_RANGE_PLACEHOLDER.as_bytes()
    );
    debug_assert_eq!(
        (out[hole_start], out[hole_end - 1]),
        (b'<', b'>'),
        "the /Contents hole"
    );
    let range = [0, hole_start, hole_end, out.len() - hole_end];
    let text = format!(
        "/ByteRange [{} {} {} {}]",
        range[0], range[1], range[2], range[3]
    );
    let padded = format!("{text:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    out[br_pos..br_pos + padded.len()].copy_from_slice(padded.as_bytes());

    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(&out[..hole_start]);
    ctx.update(&out[hole_end..]);
    let content_digest: DigestBytes = ctx
        .finish()
        .as_ref()
        .try_into()
        .expect("SHA-256 is 32 bytes");
    let signed_attrs = signer.cms.signed_attributes(&content_digest);
    let digest = sha256(&signed_attrs);
    Ok(Prepared {
        bytes: out,
        hole: (hole_start + 1, capacity),
        signed_attrs,
        digest,
        signer: Arc::clone(signer),
    })
}

/// `fmt::Write` into a byte vector (object headers of the update).
struct ByteWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Signs `pdf` with `signer` (prepare, sign the digest, insert).
pub fn sign(
    signer: &dyn Signer,
    pdf: &[u8],
    options: &PdfSignOptions,
) -> Result<Vec<u8>, SigningError> {
    let p = prepare(pdf, signer.certificate_chain(), signer.algorithm(), options)?;
    let value = signer.sign_digest(p.digest())?;
    p.finish(&value)
}

// ---------------------------------------------------------------------------
// Verification

struct Found {
    name: String,
    byte_range: [usize; 4],
    sig_offset: Option<usize>,
    sub_filter: Vec<u8>,
    contents: Option<Vec<u8>>,
    signing_time: Option<OffsetDateTime>,
    reason: Option<String>,
}

/// Verifies every signature of a PDF, in signing order.
pub fn verify(pdf: &[u8], trust: &TrustList) -> Report {
    verify_at(pdf, trust, OffsetDateTime::now_utc())
}

pub(crate) fn verify_at(pdf: &[u8], trust: &TrustList, now: OffsetDateTime) -> Report {
    let mut report = Report::new(DocumentKind::Pdf);
    let doc = match Document::load_mem(pdf) {
        Ok(d) => d,
        Err(e) => {
            report.problems.push(format!("unreadable PDF: {e}"));
            return report;
        }
    };
    let mut found = Vec::new();
    for (name, _field, v) in signature_fields(&doc) {
        let Some(v) = v else { continue };
        let Ok(Object::Dictionary(d)) = doc.get_object(v) else {
            report.problems.push(format!(
                "signature field {name} has no signature dictionary"
            ));
            continue;
        };
        let byte_range = match d.get(b"ByteRange") {
            Ok(Object::Array(a)) if a.len() == 4 => {
                let v: Vec<usize> = a
                    .iter()
                    .filter_map(|x| match x {
                        Object::Integer(i) => usize::try_from(*i).ok(),
                        _ => None,
                    })
                    .collect();
                <[usize; 4]>::try_from(v).ok()
            }
            _ => None,
        };
        let Some(byte_range) = byte_range else {
            report
                .problems
                .push(format!("signature {name} has no valid /ByteRange"));
            continue;
        };
        let sig_offset = match doc.reference_table.get(v.0) {
            Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => Some(*offset as usize),
            _ => None,
        };
        let text = |k: &[u8]| match d.get(k) {
            Ok(Object::String(s, _)) => Some(decode_text(s)),
            _ => None,
        };
        found.push(Found {
            name,
            byte_range,
            sig_offset,
            sub_filter: match d.get(b"SubFilter") {
                Ok(Object::Name(n)) => n.clone(),
                _ => Vec::new(),
            },
            contents: match d.get(b"Contents") {
                Ok(Object::String(s, _)) => Some(s.clone()),
                _ => None,
            },
            signing_time: text(b"M").and_then(|m| parse_pdf_date(&m)),
            reason: text(b"Reason"),
        });
    }
    if found.is_empty() {
        report.problems.push("the document is not signed".into());
        return report;
    }
    // Signing order = order of the revisions the signatures close.
    found.sort_by_key(|f| f.byte_range[2] + f.byte_range[3]);

    let mut previous_end = 0usize;
    for (i, f) in found.iter().enumerate() {
        let mut r = SignatureReport::new(i + 1, f.name.clone());
        r.signing_time = f.signing_time;
        r.role = f.reason.clone();
        if let Err(reason) = verify_one(pdf, f, previous_end, trust, now, &mut r) {
            r.fail(SignatureStatus::Invalid, reason);
        }
        previous_end = f.byte_range[2] + f.byte_range[3];
        report.signatures.push(r);
    }
    let covered = previous_end;
    let trailing = &pdf[covered.min(pdf.len())..];
    if !trailing.iter().all(u8::is_ascii_whitespace) {
        report.problems.push(format!(
            "{} byte(s) after the last signature are not covered by any signature",
            trailing.len()
        ));
    }
    report
}

fn verify_one(
    pdf: &[u8],
    f: &Found,
    previous_end: usize,
    trust: &TrustList,
    now: OffsetDateTime,
    r: &mut SignatureReport,
) -> Result<(), String> {
    if f.sub_filter != b"ETSI.CAdES.detached" {
        return Err(format!(
            "SubFilter is /{}, PAdES requires /ETSI.CAdES.detached",
            String::from_utf8_lossy(&f.sub_filter)
        ));
    }
    let [a, b, c, d] = f.byte_range;
    let end = c.checked_add(d).ok_or("bad /ByteRange")?;
    if a != 0 || b >= c || end > pdf.len() {
        return Err("the /ByteRange does not describe the file".into());
    }
    if end <= previous_end {
        return Err("two signatures close the same revision".into());
    }
    if b < previous_end {
        return Err("the signature's hole lies in an earlier revision".into());
    }
    // The revision must end with %%EOF (ISO 32000-1 §7.5.5).
    let rev = pdf[..end].trim_ascii_end();
    if !rev.ends_with(b"%%EOF") {
        return Err("the signed range does not end a revision (%%EOF)".into());
    }
    // The hole must be exactly the /Contents hex string of this dictionary.
    let hole = &pdf[b..c];
    if hole.len() < 2 || hole[0] != b'<' || hole[hole.len() - 1] != b'>' {
        return Err("the /ByteRange hole is not the /Contents string".into());
    }
    match f.sig_offset {
        Some(o) if o < b => {}
        _ => return Err("the signature dictionary is not inside the signed range".into()),
    }
    let hex = &hole[1..hole.len() - 1];
    if !hex.iter().all(u8::is_ascii_hexdigit) || !hex.len().is_multiple_of(2) {
        return Err("/Contents is not a hex string".into());
    }
    let der: Vec<u8> = hex
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0))
        .collect();
    if f.contents.as_deref() != Some(der.as_slice()) {
        return Err("the /ByteRange hole is not the /Contents string".into());
    }

    let parsed = crate::cms::parse(&der)?;
    r.signer = parsed.signer.display_name();
    r.holder = Some(parsed.signer.holder_kind());
    r.certificate = Some(parsed.signer.clone());
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(&pdf[a..b]);
    ctx.update(&pdf[c..end]);
    if ctx.finish().as_ref() != parsed.message_digest.as_slice() {
        return Err("the document was changed after signing (digest mismatch)".into());
    }
    let algorithm = crate::cms::verify_signature(&parsed)?;
    r.algorithm = Some(algorithm);

    let signing_time = f
        .signing_time
        .ok_or("the signature dictionary has no signing time (/M)")?;
    if signing_time > now + time::Duration::minutes(5) {
        return Err(format!(
            "the signing time {} is in the future",
            fmt_time(signing_time)
        ));
    }
    let others: Vec<Certificate> = parsed
        .certificates
        .iter()
        .filter(|c| **c != parsed.signer)
        .cloned()
        .collect();
    match trust.validate(&parsed.signer, &others, signing_time) {
        Ok(path) => {
            r.status = SignatureStatus::Valid;
            r.reason = path.notes.join("; ");
        }
        Err(p) => r.fail(p.status, p.reason),
    }
    Ok(())
}

/// The byte ranges covered by the last signature (for tests that alter
/// every signed byte).
pub fn signed_ranges(pdf: &[u8]) -> Option<[std::ops::Range<usize>; 2]> {
    let doc = Document::load_mem(pdf).ok()?;
    let mut best: Option<[usize; 4]> = None;
    for (_, _, v) in signature_fields(&doc) {
        let Ok(Object::Dictionary(d)) = doc.get_object(v?) else {
            continue;
        };
        if let Ok(Object::Array(a)) = d.get(b"ByteRange") {
            let v: Vec<usize> = a
                .iter()
                .filter_map(|x| match x {
                    Object::Integer(i) => usize::try_from(*i).ok(),
                    _ => None,
                })
                .collect();
            if let Ok(br) = <[usize; 4]>::try_from(v)
                && best.is_none_or(|b| br[2] + br[3] > b[2] + b[3])
            {
                best = Some(br);
            }
        }
    }
    let br = best?;
    Some([br[0]..br[1], br[2]..br[2] + br[3]])
}

/// A minimal one-page PDF with a text line, for tests and demos (classic
/// xref table, Helvetica, ASCII text).
pub fn sample_pdf(text: &str) -> Vec<u8> {
    let safe: String = text
        .chars()
        .map(|c| {
            if c.is_ascii() && !"()\\".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect();
    let content = format!("BT /F1 14 Tf 72 770 Td ({safe}) Tj ET");
    let objects = [
        "<</Type /Catalog /Pages 2 0 R>>".to_string(),
        "<</Type /Pages /Kids [3 0 R] /Count 1>>".to_string(),
        "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 4 0 R>>>> \
         /Contents 5 0 R>>"
            .to_string(),
        "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>".to_string(),
        format!(
            "<</Length {}>>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref_at = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(x, "{o:010} 00000 n ");
    }
    let _ = write!(
        x,
        "trailer\n<</Size {} /Root 1 0 R>>\nstartxref\n{xref_at}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(x.as_bytes());
    out
}
