//! Batches of binary envelopes in a request or response body.
//!
//! Push body: `(length u32 ‖ envelope)*`. Page body: `(seq u64 ‖ length u32 ‖ envelope)*`.

/// What is wrong with a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Cut in the middle of a frame.
    #[error("batch truncated")]
    Truncated,
    /// A frame larger than allowed.
    #[error("an envelope in the batch is too large")]
    TooLarge,
    /// More frames than allowed.
    #[error("too many envelopes in one batch")]
    TooMany,
}

/// Encodes envelopes to push.
pub fn encode_push<B: AsRef<[u8]>>(envelopes: &[B]) -> Vec<u8> {
    let total: usize = envelopes.iter().map(|e| 4 + e.as_ref().len()).sum();
    let mut out = Vec::with_capacity(total);
    for e in envelopes {
        out.extend_from_slice(&(e.as_ref().len() as u32).to_be_bytes());
        out.extend_from_slice(e.as_ref());
    }
    out
}

/// Splits a push body into envelopes, within limits.
pub fn decode_push(
    body: &[u8],
    max_count: usize,
    max_len: usize,
) -> Result<Vec<&[u8]>, FrameError> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if out.len() == max_count {
            return Err(FrameError::TooMany);
        }
        if rest.len() < 4 {
            return Err(FrameError::Truncated);
        }
        let n = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if n > max_len {
            return Err(FrameError::TooLarge);
        }
        if rest.len() < 4 + n {
            return Err(FrameError::Truncated);
        }
        out.push(&rest[4..4 + n]);
        rest = &rest[4 + n..];
    }
    Ok(out)
}

/// Encodes a page of `(sequence number, envelope)`.
pub fn encode_page<B: AsRef<[u8]>>(items: &[(u64, B)]) -> Vec<u8> {
    let total: usize = items.iter().map(|(_, e)| 12 + e.as_ref().len()).sum();
    let mut out = Vec::with_capacity(total);
    for (seq, e) in items {
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(&(e.as_ref().len() as u32).to_be_bytes());
        out.extend_from_slice(e.as_ref());
    }
    out
}

/// Decodes a page.
pub fn decode_page(body: &[u8], max_len: usize) -> Result<Vec<(u64, Vec<u8>)>, FrameError> {
    decode_page_within(body, usize::MAX, max_len)
}

/// Decodes a page of at most `max_items` items of at most `max_len` bytes each (a batch of
/// snapshots uploaded in one request).
pub fn decode_page_within(
    body: &[u8],
    max_items: usize,
    max_len: usize,
) -> Result<Vec<(u64, Vec<u8>)>, FrameError> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if out.len() == max_items {
            return Err(FrameError::TooMany);
        }
        if rest.len() < 12 {
            return Err(FrameError::Truncated);
        }
        let mut s = [0u8; 8];
        s.copy_from_slice(&rest[..8]);
        let n = u32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]) as usize;
        if n > max_len {
            return Err(FrameError::TooLarge);
        }
        if rest.len() < 12 + n {
            return Err(FrameError::Truncated);
        }
        out.push((u64::from_be_bytes(s), rest[12..12 + n].to_vec()));
        rest = &rest[12 + n..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_limits() {
        let envs = vec![vec![1u8; 3], vec![], vec![9u8; 100]];
        let body = encode_push(&envs);
        let back = decode_push(&body, 10, 1000).unwrap();
        assert_eq!(back, envs.iter().map(|e| e.as_slice()).collect::<Vec<_>>());
        assert_eq!(decode_push(&body, 2, 1000), Err(FrameError::TooMany));
        assert_eq!(decode_push(&body, 10, 50), Err(FrameError::TooLarge));
        assert_eq!(
            decode_push(&body[..body.len() - 1], 10, 1000),
            Err(FrameError::Truncated)
        );
        let page = encode_page(&[(7u64, vec![1u8; 3]), (9, vec![2u8; 5])]);
        assert_eq!(decode_page_within(&page, 2, 5).unwrap().len(), 2);
        assert_eq!(decode_page_within(&page, 1, 5), Err(FrameError::TooMany));
        assert_eq!(decode_page_within(&page, 2, 4), Err(FrameError::TooLarge));
        let page = encode_page(&[(5u64, vec![1u8, 2]), (9, vec![])]);
        assert_eq!(
            decode_page(&page, 10).unwrap(),
            vec![(5, vec![1, 2]), (9, vec![])]
        );
        assert_eq!(decode_page(&page[..5], 10), Err(FrameError::Truncated));
    }
}
