//! Pure helpers for the benchmark harness (the `hocba` binary times them;
//! nothing here measures time). They feed the quality bars of
//! `shared/spec/quality.md`: signatures in a batch within 2× of the key's raw
//! signing cost, and portal verification against `xmlsec1 --verify`.

use crate::error::SigningError;
use crate::signer::{DigestBytes, Signer};
use crate::trust::TrustList;

/// A transcript data file of realistic size: one student, 13 subjects.
pub fn sample_transcript_xml(student: usize) -> Vec<u8> {
    const SUBJECTS: [(&str, &str); 13] = [
        ("TOA", "Toán"),
        ("VAN", "Ngữ văn"),
        ("ANH", "Tiếng Anh"),
        ("LSU", "Lịch sử"),
        ("GDQ", "Giáo dục quốc phòng và an ninh"),
        ("GDT", "Giáo dục thể chất"),
        ("HDT", "Hoạt động trải nghiệm, hướng nghiệp"),
        ("NDP", "Nội dung giáo dục của địa phương"),
        ("LY", "Vật lí"),
        ("HOA", "Hoá học"),
        ("SIN", "Sinh học"),
        ("TIN", "Tin học"),
        ("DIA", "Địa lí"),
    ];
    let mut rows = String::new();
    for (i, (code, name)) in SUBJECTS.iter().enumerate() {
        let base = 60 + ((student * 7 + i * 13) % 40) as u32;
        rows.push_str(&format!(
            "<Mon ma=\"{code}\" ten=\"{name}\"><HK1>{}.{}</HK1><HK2>{}.{}</HK2><CN>{}.{}</CN>\
             <NhanXet>Có cố gắng, tiến bộ rõ rệt.</NhanXet><GVBM soDinhDanh=\"0011900{i:05}\">\
             Giáo viên {name}</GVBM></Mon>",
            base / 10,
            base % 10,
            (base + 3).min(100) / 10,
            (base + 3).min(100) % 10,
            (base + 2).min(100) / 10,
            (base + 2).min(100) % 10,
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HocBa xmlns=\"urn:vn:hocba:1\">\
         <DuLieu Id=\"DuLieu\"><MaDinhDanhHocBa>00000000-0000-4000-8000-{student:012}\
         </MaDinhDanhHocBa><NamHoc>2025-2026</NamHoc><Truong ma=\"01012345\">Trường THPT Trần Phú\
         </Truong><HocSinh soDinhDanh=\"0012090{student:05}\"><HoVaTen>Nguyễn Văn An {student}\
         </HoVaTen></HocSinh><Lop>10A1</Lop><BangDiem>{rows}</BangDiem><KetQua><HocTap>Tốt\
         </HocTap><RenLuyen>Tốt</RenLuyen><LenLop>Được lên lớp</LenLop></KetQua>\
         <NhanXetGVCN>Ngoan, chăm học.</NhanXetGVCN></DuLieu></HocBa>\n"
    )
    .into_bytes()
}

/// A one-page PDF per student (the real renderer lives elsewhere).
pub fn sample_transcript_pdf(student: usize) -> Vec<u8> {
    crate::pdf::sample_pdf(&format!("Hoc ba so - hoc sinh {student} - 10A1"))
}

/// Distinct digests to measure the raw cost of a signer's key.
pub fn digests(n: usize) -> Vec<DigestBytes> {
    (0..n)
        .map(|i| crate::cert::sha256(&(i as u64).to_be_bytes()))
        .collect()
}

/// Signs the digests directly: the key's raw cost through the `Signer`.
pub fn raw_signatures(signer: &dyn Signer, digests: &[DigestBytes]) -> Result<usize, SigningError> {
    Ok(signer.sign_digests(digests)?.len())
}

/// Signs documents in one batch (the measured operation).
pub fn sign_documents(signer: &dyn Signer, docs: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, SigningError> {
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    crate::sign_batch(signer, &refs)
}

/// Verifies documents; returns how many are valid.
pub fn verify_documents(docs: &[Vec<u8>], trust: &TrustList) -> usize {
    docs.iter()
        .filter(|d| crate::verify_file(d, trust).is_valid())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_signable_documents() {
        let x = sample_transcript_xml(3);
        assert_eq!(
            crate::DocumentKind::detect(&x),
            Some(crate::DocumentKind::Xml)
        );
        assert!(crate::xml::data_element_range(&x).is_some());
        assert_eq!(digests(3).len(), 3);
        assert_ne!(digests(2)[0], digests(2)[1]);
        assert!(sample_transcript_pdf(1).starts_with(b"%PDF-"));
    }
}
