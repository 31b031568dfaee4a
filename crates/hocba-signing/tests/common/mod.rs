//! Shared test fixtures: one generated PKI per test binary, sample
//! documents, and access to the independent tools (xmlsec1, pdfsig).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hocba_signing::pki::DemoPki;

pub const PASSWORD: &str = "mật-khẩu-thử";

pub fn pki() -> &'static DemoPki {
    static PKI: OnceLock<DemoPki> = OnceLock::new();
    PKI.get_or_init(|| DemoPki::generate(PASSWORD).expect("test PKI"))
}

/// The PKI written to a temporary directory (for the command-line tools).
pub fn pki_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_dir("pki");
        pki().write_to(&dir).expect("write PKI");
        dir
    })
}

/// A fresh temporary directory (left behind for inspection on failure).
pub fn temp_dir(name: &str) -> PathBuf {
    let mut rnd = [0u8; 6];
    getrandom(&mut rnd);
    let hex: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("hocba-signing-{name}-{hex}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn getrandom(buf: &mut [u8]) {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .expect("urandom");
}

/// A small transcript data file (học bạ số) in the hocba layout.
pub fn sample_xml() -> Vec<u8> {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<HocBa xmlns="urn:vn:hocba:1" phienBan="1">
<DuLieu Id="DuLieu"><HocSinh maDinhDanh="001209012345"><HoVaTen>Nguyễn Văn An</HoVaTen><NgaySinh>2009-03-05</NgaySinh></HocSinh><NamHoc>2025-2026</NamHoc><Lop>10A1</Lop><BangDiem><Mon ma="TOA" ten="Toán"><HK1>8.5</HK1><HK2>9.0</HK2><CN>8.8</CN></Mon><Mon ma="VAN" ten="Ngữ văn"><HK1>7.0</HK1><HK2>7.5</HK2><CN>7.3</CN></Mon></BangDiem><NhanXet>Chăm chỉ &amp; tiến bộ</NhanXet></DuLieu>
</HocBa>
"#
    .as_bytes()
    .to_vec()
}

/// Signs `doc` by every identity of the demo PKI, in the school's order.
pub fn sign_all_xml(doc: &[u8]) -> Vec<u8> {
    let mut d = doc.to_vec();
    for id in pki().signing_order() {
        let signer = id.signer().expect("signer");
        d = hocba_signing::sign_file(&signer, &d, hocba_signing::DocumentKind::Xml).expect("sign");
    }
    d
}

pub fn sign_all_pdf(doc: &[u8]) -> Vec<u8> {
    let mut d = doc.to_vec();
    for id in pki().signing_order() {
        let signer = id.signer().expect("signer");
        d = hocba_signing::sign_file(&signer, &d, hocba_signing::DocumentKind::Pdf).expect("sign");
    }
    d
}

/// Finds a command-line tool. Missing in CI (`CI=true`): the test fails.
/// Missing elsewhere: the test is skipped, loudly.
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{name} is required in CI: apt-get install {package}");
        }
        eprintln!("SKIPPED: {name} is not installed (apt-get install {package})");
    }
    found
}
