//! A small DER reader and writer (X.690) for the structures this crate builds
//! and reads by hand: PKCS#12 (RFC 7292), CMS SignedData (RFC 5652) and the
//! ESS signing-certificate-v2 attribute (RFC 5035). Only low tag numbers
//! (single identifier octet) are supported, which covers all of them.

use std::fmt;

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const BMP_STRING: u8 = 0x1e;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// Context-specific constructed tag `[n]`.
pub(crate) const fn ctx(n: u8) -> u8 {
    0xa0 | n
}

/// Context-specific primitive tag `[n]` (IMPLICIT over a primitive type).
pub(crate) const fn ctx_prim(n: u8) -> u8 {
    0x80 | n
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asn1Error(pub String);

impl fmt::Display for Asn1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed DER: {}", self.0)
    }
}

impl std::error::Error for Asn1Error {}

fn err<T>(msg: impl Into<String>) -> Result<T, Asn1Error> {
    Err(Asn1Error(msg.into()))
}

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    /// The whole encoding, header included.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    pub fn reader(&self) -> Reader<'a> {
        Reader { rest: self.content }
    }

    pub fn expect(self, tag: u8) -> Result<Self, Asn1Error> {
        if self.tag == tag {
            Ok(self)
        } else {
            err(format!("expected tag {tag:#04x}, found {:#04x}", self.tag))
        }
    }
}

/// Reads one TLV from the front of `input`; returns it and the rest.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Asn1Error> {
    if input.len() < 2 {
        return err("truncated header");
    }
    let tag = input[0];
    if tag & 0x1f == 0x1f {
        return err("high tag numbers are not supported");
    }
    let (len, header) = match input[1] {
        n if n < 0x80 => (n as usize, 2),
        0x80 => return err("indefinite length is not DER"),
        n => {
            let count = (n & 0x7f) as usize;
            if count > 4 || input.len() < 2 + count {
                return err("bad length");
            }
            let mut len = 0usize;
            for b in &input[2..2 + count] {
                len = (len << 8) | *b as usize;
            }
            if len < 0x80 || (count > 1 && input[2] == 0) {
                return err("non-minimal length");
            }
            (len, 2 + count)
        }
    };
    let end = header.checked_add(len).filter(|e| *e <= input.len());
    let Some(end) = end else {
        return err("length runs past the end");
    };
    Ok((
        Tlv {
            tag,
            content: &input[header..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Parses `input` as exactly one TLV.
pub(crate) fn parse_one(input: &[u8]) -> Result<Tlv<'_>, Asn1Error> {
    let (tlv, rest) = read_tlv(input)?;
    if !rest.is_empty() {
        return err("trailing bytes");
    }
    Ok(tlv)
}

/// Sequential reader over the contents of a constructed value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    pub fn next(&mut self) -> Result<Tlv<'a>, Asn1Error> {
        let (tlv, rest) = read_tlv(self.rest)?;
        self.rest = rest;
        Ok(tlv)
    }

    pub fn next_tag(&mut self, tag: u8) -> Result<Tlv<'a>, Asn1Error> {
        self.next()?.expect(tag)
    }

    /// Reads the next value only if it carries `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, Asn1Error> {
        if self.peek_tag() == Some(tag) {
            self.next().map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn next_oid(&mut self) -> Result<String, Asn1Error> {
        decode_oid(self.next_tag(OID)?.content)
    }

    pub fn next_u64(&mut self) -> Result<u64, Asn1Error> {
        let t = self.next_tag(INTEGER)?;
        if t.content.is_empty() || t.content.len() > 8 || t.content[0] & 0x80 != 0 {
            return err("integer out of range");
        }
        Ok(t.content.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
    }
}

pub(crate) fn decode_oid(content: &[u8]) -> Result<String, Asn1Error> {
    if content.is_empty() {
        return err("empty OID");
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value = 0u64;
    for (i, b) in content.iter().enumerate() {
        value = value
            .checked_mul(128)
            .and_then(|v| v.checked_add((b & 0x7f) as u64))
            .ok_or_else(|| Asn1Error("OID arc too large".into()))?;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i == content.len() - 1 {
            return err("truncated OID");
        }
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

// ---------------------------------------------------------------------------
// Writer

/// Encodes one TLV whose content is the concatenation of `parts`.
pub(crate) fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    push_len(&mut out, len);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, parts)
}

/// A DER `SET OF`: the elements are sorted by their encodings (X.690 §11.6).
pub(crate) fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort_by(|a, b| {
        let n = a.len().max(b.len());
        let pa = a.iter().copied().chain(std::iter::repeat(0)).take(n);
        let pb = b.iter().copied().chain(std::iter::repeat(0)).take(n);
        pa.cmp(pb)
    });
    let refs: Vec<&[u8]> = elements.iter().map(Vec::as_slice).collect();
    tlv(SET, &refs)
}

pub(crate) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, &[bytes])
}

pub(crate) fn null() -> Vec<u8> {
    vec![NULL, 0]
}

pub(crate) fn uint(value: u64) -> Vec<u8> {
    uint_bytes(&value.to_be_bytes())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub(crate) fn uint_bytes(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(magnitude.len().saturating_sub(1));
    let m = &magnitude[skip..];
    if m.is_empty() {
        return vec![INTEGER, 1, 0];
    }
    if m[0] & 0x80 != 0 {
        tlv(INTEGER, &[&[0], m])
    } else {
        tlv(INTEGER, &[m])
    }
}

pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("OID literal"))
        .collect();
    let mut content = Vec::new();
    push_base128(&mut content, arcs[0] * 40 + arcs[1]);
    for a in &arcs[2..] {
        push_base128(&mut content, *a);
    }
    tlv(OID, &[&content])
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend_from_slice(&tmp);
}

/// `AlgorithmIdentifier` with an explicit NULL parameter, or none.
pub(crate) fn alg_id(dotted: &str, null_params: bool) -> Vec<u8> {
    if null_params {
        seq(&[&oid(dotted), &null()])
    } else {
        seq(&[&oid(dotted)])
    }
}

/// `BMPString` (UTF-16BE), as PKCS#12 friendly names use.
pub(crate) fn bmp_string(s: &str) -> Vec<u8> {
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
    tlv(BMP_STRING, &[&bytes])
}

/// Converts an ECDSA `Ecdsa-Sig-Value` (DER SEQUENCE of two INTEGERs) to the
/// fixed `r || s` form used by XMLDSig (RFC 4051 §3.3) and PKCS#11.
pub(crate) fn ecdsa_der_to_fixed(der: &[u8], field_len: usize) -> Result<Vec<u8>, Asn1Error> {
    let seq = parse_one(der)?.expect(SEQUENCE)?;
    let mut r = seq.reader();
    let mut out = Vec::with_capacity(field_len * 2);
    for _ in 0..2 {
        let int = r.next_tag(INTEGER)?.content;
        let int = match int {
            [0, rest @ ..] => rest,
            other => other,
        };
        if int.len() > field_len {
            return err("ECDSA integer too long");
        }
        out.extend(std::iter::repeat_n(0, field_len - int.len()));
        out.extend_from_slice(int);
    }
    if !r.is_empty() {
        return err("trailing data in ECDSA signature");
    }
    Ok(out)
}

/// Converts a fixed `r || s` ECDSA signature to DER (for CMS, RFC 5753 §7.2).
pub(crate) fn ecdsa_fixed_to_der(fixed: &[u8]) -> Vec<u8> {
    let (r, s) = fixed.split_at(fixed.len() / 2);
    seq(&[&uint_bytes(r), &uint_bytes(s)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trip() {
        for o in [
            "1.2.840.113549.1.9.16.2.47",
            "2.16.840.1.101.3.4.2.1",
            "2.5.4.3",
        ] {
            let enc = oid(o);
            let t = parse_one(&enc).unwrap();
            assert_eq!(decode_oid(t.content).unwrap(), o);
        }
    }

    #[test]
    fn long_lengths_and_integers() {
        let big = vec![7u8; 300];
        let enc = octets(&big);
        let t = parse_one(&enc).unwrap();
        assert_eq!(t.content.len(), 300);
        assert_eq!(uint(0), vec![2, 1, 0]);
        assert_eq!(uint(128), vec![2, 2, 0, 128]);
        let enc = uint(65537);
        let mut r = Reader { rest: &enc };
        assert_eq!(r.next_u64().unwrap(), 65537);
    }

    #[test]
    fn ecdsa_conversions() {
        let mut fixed = vec![0u8; 64];
        fixed[0] = 0x80;
        fixed[63] = 1;
        let der = ecdsa_fixed_to_der(&fixed);
        assert_eq!(ecdsa_der_to_fixed(&der, 32).unwrap(), fixed);
    }

    #[test]
    fn rejects_bad_der() {
        assert!(read_tlv(&[0x30, 0x80]).is_err());
        assert!(read_tlv(&[0x30, 0x05, 1]).is_err());
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err());
    }
}
