//! Batches of envelopes (`protocol/src/frames.rs`): a push body (the relay decodes it) and a
//! page (a device decodes it). The input is `max count (1) ‖ max length (2) ‖ body`.
//!
//! Framing is exact both ways: a body that decodes encodes back to the same bytes; with limits
//! it decodes to the same frames when they are within the limits and is refused otherwise;
//! without limits the only refusal is a truncated body; and frames cut from the body decode
//! back from their encoding.

use crate::Reader;
use tandem_protocol::frames::{decode_page, decode_push, encode_page, encode_push, FrameError};

/// The target.
pub fn frames(data: &[u8]) {
    let mut r = Reader::new(data);
    let max_count = usize::from(r.u8());
    let max_len = usize::from(r.u16());
    let body = r.rest();

    match decode_push(body, usize::MAX, usize::MAX) {
        Ok(all) => {
            assert_eq!(encode_push(&all), body);
            let within = all.len() <= max_count && all.iter().all(|e| e.len() <= max_len);
            match decode_push(body, max_count, max_len) {
                Ok(limited) => {
                    assert!(within);
                    assert_eq!(limited, all);
                }
                Err(e) => {
                    assert!(!within, "{e:?} for frames within the limits");
                    assert_ne!(e, FrameError::Truncated);
                }
            }
        }
        Err(e) => {
            assert_eq!(e, FrameError::Truncated);
            assert!(decode_push(body, max_count, max_len).is_err());
        }
    }

    match decode_page(body, usize::MAX) {
        Ok(all) => {
            assert_eq!(encode_page(&all), body);
            let within = all.iter().all(|(_, e)| e.len() <= max_len);
            match decode_page(body, max_len) {
                Ok(limited) => {
                    assert!(within);
                    assert_eq!(limited, all);
                }
                Err(e) => {
                    assert!(!within, "{e:?} for frames within the limits");
                    assert_eq!(e, FrameError::TooLarge);
                }
            }
        }
        Err(e) => {
            assert_eq!(e, FrameError::Truncated);
            assert!(decode_page(body, max_len).is_err());
        }
    }

    // decode(encode(x)) == x for frames of any sizes, empty ones included.
    let size = max_len % 97;
    let pieces: Vec<&[u8]> = if size == 0 {
        vec![&[][..], body, &[][..]]
    } else {
        body.chunks(size).collect()
    };
    let encoded = encode_push(&pieces);
    assert_eq!(
        decode_push(&encoded, pieces.len(), size.max(body.len())),
        Ok(pieces.clone())
    );
    if !pieces.is_empty() {
        assert_eq!(
            decode_push(&encoded, pieces.len() - 1, usize::MAX),
            Err(FrameError::TooMany)
        );
    }
    let page: Vec<(u64, Vec<u8>)> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                (i as u64).wrapping_mul(u64::from(r_seq(max_count))),
                p.to_vec(),
            )
        })
        .collect();
    assert_eq!(decode_page(&encode_page(&page), usize::MAX), Ok(page));
}

/// A sequence step that reaches the high bits of a u64 too.
fn r_seq(max_count: usize) -> u32 {
    (max_count as u32).wrapping_mul(0x9e37_79b9) | 1
}
