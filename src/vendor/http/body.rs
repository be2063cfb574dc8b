//! Reads an answer's body chunk by chunk up to a cap (`max_answer_size`), so that no vendor
//! answer, however large or endless, can exhaust memory.
//!
//! Bytes only: it knows no body format, and never logs or quotes what it reads.

use crate::vendor::ProviderError;

/// The body as text (invalid UTF-8 replaced), or an error once it passes `cap` bytes.
pub(super) async fn read(
    mut resp: reqwest::Response,
    cap: u64,
    endpoint: &str,
) -> Result<String, ProviderError> {
    // A declared length over the cap is refused before a byte is read.
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(too_large(endpoint, cap));
    }
    let hint = resp.content_length().unwrap_or(0).min(1 << 20);
    let mut buf: Vec<u8> = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Err(ProviderError::Transport {
                    endpoint: endpoint.to_string(),
                    detail: format!("answer cut off ({})", super::reason(&e)),
                    maybe_sent: true,
                });
            }
        };
        if buf.len() as u64 + chunk.len() as u64 > cap {
            return Err(too_large(endpoint, cap));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn too_large(endpoint: &str, cap: u64) -> ProviderError {
    ProviderError::Refused {
        endpoint: endpoint.to_string(),
        detail: format!("answer over the {} limit (max_answer_size)", size(cap)),
    }
}

/// `64 MiB`, `512 KiB`, `1 GiB`, or `1500 bytes`: the way `max_answer_size` is written.
fn size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_written() {
        assert_eq!(size(64 << 20), "64 MiB");
        assert_eq!(size(512 << 10), "512 KiB");
        assert_eq!(size(4 << 30), "4 GiB");
        assert_eq!(size(1536 << 10), "1536 KiB");
        assert_eq!(size(1500), "1500 bytes");
    }
}
