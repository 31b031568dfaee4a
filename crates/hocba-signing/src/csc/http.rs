//! A minimal blocking HTTP/1.1 client for JSON POSTs (`Connection: close`,
//! `Content-Length` or read-to-end bodies). Plain HTTP only: it serves the
//! stand-in service on loopback and TLS-terminating proxies; a TLS
//! transport plugs in through [`super::Transport`].

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::error::SigningError;

fn err(m: impl Into<String>) -> SigningError {
    SigningError::Remote(m.into())
}

/// `http://host:port/prefix` split into (host:port, prefix).
pub(crate) fn split_url(url: &str) -> Result<(String, String), SigningError> {
    if url.starts_with("https://") {
        return Err(err(
            "HTTPS needs a TLS transport (implement csc::Transport); the built-in one is plain HTTP",
        ));
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| err(format!("not an http:// URL: {url}")))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    Ok((host.to_string(), path.trim_end_matches('/').to_string()))
}

/// Sends a request; returns (status, body).
pub(crate) fn request(
    method: &str,
    host: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&[u8]>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), SigningError> {
    let mut stream =
        TcpStream::connect(host).map_err(|e| err(format!("cannot connect to {host}: {e}")))?;
    stream.set_read_timeout(Some(timeout)).ok();
    stream.set_write_timeout(Some(timeout)).ok();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if let Some(t) = bearer {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or_default();
    head.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body))
        .map_err(|e| err(format!("sending to {host}: {e}")))?;
    let mut raw = Vec::new();
    stream
        .take(16 * 1024 * 1024)
        .read_to_end(&mut raw)
        .map_err(|e| err(format!("reading from {host}: {e}")))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| err("malformed HTTP response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| err("malformed HTTP status line"))?;
    let lower = head.to_ascii_lowercase();
    if lower.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    } else if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, SigningError> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| err("bad chunked body"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| err("bad chunk size"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err(err("truncated chunk"));
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
