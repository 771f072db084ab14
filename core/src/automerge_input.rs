//! A bound on Automerge bytes from other devices, checked before Automerge reads them.
//!
//! Automerge inflates what it loads without limit: a compressed change chunk, and each
//! DEFLATE-compressed column of a document chunk, are read to the end. One envelope of a few
//! megabytes could ask a phone for gigabytes. [`check`] walks the chunks the way Automerge
//! parses them (header, then for a document chunk its column layout) and inflates every
//! compressed part into a small buffer that is counted and thrown away, stopping as soon as the
//! total passes the bound. Anything it cannot account for exactly (an unknown chunk type, a
//! length past the end) is refused rather than guessed at: Automerge would refuse it too.
//!
//! Bytes are not all: a column is run-length encoded, and a run of a few bytes can declare
//! billions of rows (operations) that Automerge would then verify one by one, or allocate
//! for. So every column's runs are walked too (without decoding values beyond what it takes
//! to step over them), and a payload declaring more rows than [`MAX_ROWS`] is refused.

use std::io::Read;

/// The most one payload from another device may weigh once inflated. Tandem's largest honest
/// documents (the team document of a team with ten thousand people) stay far below it.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

/// The most rows (operations, or changes of a document) one payload may declare, over all its
/// chunks. Years of a person's notes, typed character by character, stay below.
pub const MAX_ROWS: u64 = 4 * 1024 * 1024;

/// Why Automerge bytes were refused before Automerge read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The bytes are not laid out as Automerge chunks.
    #[error("not Automerge data: {0}")]
    Malformed(&'static str),
    /// Inflated, the bytes would pass the bound.
    #[error("Automerge data that would inflate past {limit} bytes")]
    TooLarge {
        /// The bound that was passed.
        limit: u64,
    },
    /// The columns declare more rows than the bound.
    #[error("Automerge data declaring more than {limit} operations")]
    TooManyRows {
        /// The bound that was passed.
        limit: u64,
    },
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The bit of a column specification that says its data is DEFLATE-compressed.
const DEFLATE_BIT: u64 = 0b1000;
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED_CHANGE: u8 = 2;
const CHUNK_BUNDLE: u8 = 3;
/// Devices that ever wrote to one document: a team's devices over years stay far below.
const MAX_ACTORS: usize = 4096;

/// Checks `bytes` against [`MAX_INFLATED_BYTES`]; returns their size once inflated.
pub fn check(bytes: &[u8]) -> Result<u64, InputError> {
    check_within(bytes, MAX_INFLATED_BYTES)
}

/// Checks that `bytes`, a sequence of Automerge chunks, inflate to at most `limit` bytes;
/// returns their size once inflated.
pub fn check_within(bytes: &[u8], limit: u64) -> Result<u64, InputError> {
    let mut total = Budget {
        used: 0,
        limit,
        rows: 0,
    };
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        let start = r.pos;
        if r.take(4)? != MAGIC {
            return Err(InputError::Malformed(
                "a chunk does not start with Automerge's magic",
            ));
        }
        r.take(4)?; // checksum
        let kind = r.take(1)?[0];
        let len = r.len_prefix()?;
        let data = r.take(len)?;
        total.add((r.pos - start - len) as u64)?;
        match kind {
            CHUNK_DOCUMENT => document(data, &mut total)?,
            // A change chunk is never compressed inside (Automerge refuses one whose columns
            // say so): its size is what it is. Bundles, which Automerge does inflate, are
            // refused: Tandem never writes one.
            CHUNK_CHANGE => {
                total.add(data.len() as u64)?;
                change(data, &mut total)?;
            }
            CHUNK_BUNDLE => return Err(InputError::Malformed("a bundle of changes")),
            CHUNK_COMPRESSED_CHANGE => {
                let inflated = inflate(data, &mut total)?;
                change(&inflated, &mut total)?;
            }
            _ => return Err(InputError::Malformed("an unknown chunk type")),
        }
    }
    Ok(total.used)
}

/// A document chunk: actors, heads, the change and op column layouts, then each column's
/// data in that order (some compressed), then the head indexes.
fn document(data: &[u8], total: &mut Budget) -> Result<(), InputError> {
    let mut r = Reader::new(data);
    actor_list(&mut r)?;
    let heads = r.count()?;
    r.take(
        heads
            .checked_mul(32)
            .ok_or(InputError::Malformed("too many heads"))?,
    )?;
    let change_columns = columns(&mut r)?;
    let op_columns = columns(&mut r)?;
    total.add(r.pos as u64)?;
    for table in [change_columns, op_columns] {
        // The columns of one table describe the same rows: the longest says how many.
        let mut rows = 0;
        for (spec, len) in table {
            let column = r.take(len)?;
            let n = if spec & DEFLATE_BIT != 0 {
                column_rows(spec, &inflate(column, total)?)?
            } else {
                total.add(column.len() as u64)?;
                column_rows(spec, column)?
            };
            rows = rows.max(n);
        }
        total.add_rows(rows)?;
    }
    total.add(r.rest().len() as u64)
}

/// An actor id list: a count, then each id (length-prefixed).
fn actor_list(r: &mut Reader<'_>) -> Result<(), InputError> {
    let actors = r.count()?;
    if actors > MAX_ACTORS {
        return Err(InputError::Malformed("too many actors"));
    }
    for _ in 0..actors {
        actor(r)?;
    }
    Ok(())
}

/// One actor id. Each becomes a 24-byte id in memory whatever its length on the wire: empty
/// ones would multiply the bytes. Tandem's actors are 16 bytes.
fn actor(r: &mut Reader<'_>) -> Result<(), InputError> {
    let len = r.len_prefix()?;
    if len == 0 || len > 32 {
        return Err(InputError::Malformed("an actor id of an odd length"));
    }
    r.take(len).map(drop)
}

/// A change chunk's contents, as Automerge reads them: dependencies, actor, sequence number,
/// first operation, time, message, other actors, then the operation columns (never
/// compressed in a change), then bytes of later versions.
fn change(data: &[u8], total: &mut Budget) -> Result<(), InputError> {
    let mut r = Reader::new(data);
    let deps = r.count()?;
    r.take(
        deps.checked_mul(32)
            .ok_or(InputError::Malformed("too many dependencies"))?,
    )?;
    actor(&mut r)?;
    r.uleb()?; // sequence number
    r.uleb()?; // first operation
    r.uleb()?; // time (signed, same length)
    let message = r.len_prefix()?;
    r.take(message)?;
    actor_list(&mut r)?;
    let mut rows = 0;
    for (spec, len) in columns(&mut r)? {
        if spec & DEFLATE_BIT != 0 {
            return Err(InputError::Malformed("a compressed column in a change"));
        }
        rows = rows.max(column_rows(spec, r.take(len)?)?);
    }
    total.add_rows(rows)
}

/// The column types (the low three bits of a specification).
const COL_GROUP: u64 = 0;
const COL_ACTOR: u64 = 1;
const COL_UINT: u64 = 2;
const COL_DELTA: u64 = 3;
const COL_BOOLEAN: u64 = 4;
const COL_STRING: u64 = 5;
const COL_VALUE_META: u64 = 6;

/// How many rows a column declares. Boolean columns are alternating run lengths; the others
/// but raw values are runs: a signed count, then one value repeated (count > 0), that many
/// values in a row (count < 0), or a number of nulls (count 0). Raw value columns have no
/// rows of their own (their lengths come from the metadata column, itself counted).
fn column_rows(spec: u64, data: &[u8]) -> Result<u64, InputError> {
    let mut r = Reader::new(data);
    let mut rows: u64 = 0;
    let mut add = |n: u64| -> Result<(), InputError> {
        rows = rows.saturating_add(n);
        if rows > MAX_ROWS {
            return Err(InputError::TooManyRows { limit: MAX_ROWS });
        }
        Ok(())
    };
    let value = |r: &mut Reader<'_>| -> Result<(), InputError> {
        match spec & 7 {
            COL_STRING => {
                let len = r.len_prefix()?;
                r.take(len).map(drop)
            }
            // Unsigned or signed LEB128: the same bytes to step over.
            COL_GROUP | COL_ACTOR | COL_UINT | COL_DELTA | COL_VALUE_META => r.uleb().map(drop),
            _ => Err(InputError::Malformed("a column of an unknown type")),
        }
    };
    match spec & 7 {
        COL_BOOLEAN => {
            while !r.is_empty() {
                add(r.uleb()?)?;
            }
        }
        COL_GROUP | COL_ACTOR | COL_UINT | COL_DELTA | COL_VALUE_META | COL_STRING => {
            while !r.is_empty() {
                let count = r.sleb()?;
                if count > 0 {
                    value(&mut r)?;
                    add(count as u64)?;
                } else if count < 0 {
                    let n = count.unsigned_abs();
                    add(n)?;
                    for _ in 0..n {
                        value(&mut r)?;
                    }
                } else {
                    add(r.uleb()?)?;
                }
            }
        }
        // Raw values.
        _ => {}
    }
    Ok(rows)
}

/// A column layout: how many columns, then each one's specification and data length.
fn columns(r: &mut Reader<'_>) -> Result<Vec<(u64, usize)>, InputError> {
    let n = r.count()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let spec = r.uleb()?;
        if spec > u64::from(u32::MAX) {
            return Err(InputError::Malformed("a column specification past 32 bits"));
        }
        out.push((spec, r.len_prefix()?));
    }
    Ok(out)
}

/// Inflates raw DEFLATE data, counting, until the end or the bound (so what it returns is
/// never more than the bound).
fn inflate(compressed: &[u8], total: &mut Budget) -> Result<Vec<u8>, InputError> {
    let mut decoder = flate2::bufread::DeflateDecoder::new(compressed);
    let mut scratch = [0u8; 16 * 1024];
    let mut out = Vec::new();
    loop {
        match decoder.read(&mut scratch) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                total.add(n as u64)?;
                out.extend_from_slice(&scratch[..n]);
            }
            Err(_) => {
                return Err(InputError::Malformed(
                    "compressed data that does not inflate",
                ))
            }
        }
    }
}

struct Budget {
    used: u64,
    limit: u64,
    rows: u64,
}

impl Budget {
    fn add_rows(&mut self, n: u64) -> Result<(), InputError> {
        self.rows = self.rows.saturating_add(n);
        if self.rows > MAX_ROWS {
            return Err(InputError::TooManyRows { limit: MAX_ROWS });
        }
        Ok(())
    }

    fn add(&mut self, n: u64) -> Result<(), InputError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            return Err(InputError::TooLarge { limit: self.limit });
        }
        Ok(())
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos.min(self.bytes.len())..]
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], InputError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(InputError::Malformed("a length past the end of the data"))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// An unsigned LEB128 number of at most 64 bits.
    fn uleb(&mut self) -> Result<u64, InputError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let byte = self.take(1)?[0];
            let part = u64::from(byte & 0x7f);
            if i == 9 && part > 1 {
                return Err(InputError::Malformed("a number past 64 bits"));
            }
            value |= part << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(InputError::Malformed("a number past 64 bits"))
    }

    /// A signed LEB128 number of at most 64 bits.
    fn sleb(&mut self) -> Result<i64, InputError> {
        let mut value: i64 = 0;
        for i in 0..10 {
            let byte = self.take(1)?[0];
            let part = i64::from(byte & 0x7f);
            if i == 9 && !(part == 0 || part == 0x7f) {
                return Err(InputError::Malformed("a number past 64 bits"));
            }
            value |= part.wrapping_shl(7 * i);
            if byte & 0x80 == 0 {
                let shift = 7 * (i + 1);
                if shift < 64 && byte & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
        }
        Err(InputError::Malformed("a number past 64 bits"))
    }

    /// A length of bytes that follow: it cannot be more than what is left.
    fn len_prefix(&mut self) -> Result<usize, InputError> {
        let n = self.uleb()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.bytes.len() - self.pos.min(self.bytes.len()))
            .ok_or(InputError::Malformed("a length past the end of the data"))
    }

    /// A count of items that follow, each at least one byte: it cannot be more than what is
    /// left either (so a loop over it ends with the data).
    fn count(&mut self) -> Result<usize, InputError> {
        self.len_prefix()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use std::io::Write;

    /// A document with enough repetitive text that Automerge compresses its columns.
    fn big_doc() -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let text = tx
            .put_object(ROOT, "notes", automerge::ObjType::Text)
            .unwrap_or_else(|e| panic!("{e}"));
        tx.splice_text(&text, 0, 0, &"à demain, même heure. ".repeat(4000))
            .unwrap_or_else(|e| panic!("{e}"));
        tx.commit();
        doc
    }

    #[test]
    fn honest_documents_and_changes_pass_and_their_size_is_counted() {
        let mut doc = big_doc();
        let saved = doc.save();
        let inflated = check(&saved).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            inflated > saved.len() as u64,
            "a saved document has compressed columns: {inflated} vs {}",
            saved.len()
        );
        // Incremental changes (compressed change chunks when large) pass too, alone and after
        // a document.
        let heads = doc.get_heads();
        let mut tx = doc.transaction();
        tx.put(ROOT, "kind", "person")
            .unwrap_or_else(|e| panic!("{e}"));
        tx.commit();
        let change = doc.save_after(&heads);
        assert!(check(&change).is_ok());
        let both = [saved.clone(), change].concat();
        assert!(check(&both).unwrap_or(0) > inflated);
        // And Automerge reads what passed.
        assert!(Automerge::load(&both).is_ok());
        assert_eq!(check(&[]), Ok(0));
    }

    #[test]
    fn a_document_is_refused_under_a_bound_it_passes() {
        let saved = big_doc().save();
        let inflated = check(&saved).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(check_within(&saved, inflated), Ok(inflated));
        assert_eq!(
            check_within(&saved, inflated - 1),
            Err(InputError::TooLarge {
                limit: inflated - 1
            })
        );
    }

    /// A compressed change chunk whose DEFLATE stream inflates to 1 GiB of zeros.
    fn deflate_bomb() -> Vec<u8> {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            enc.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
        }
        let body = enc.finish().unwrap_or_else(|e| panic!("{e}"));
        let mut chunk = MAGIC.to_vec();
        chunk.extend([0, 0, 0, 0, CHUNK_COMPRESSED_CHANGE]);
        let mut len = body.len() as u64;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                chunk.push(byte);
                break;
            }
            chunk.push(byte | 0x80);
        }
        chunk.extend(body);
        chunk
    }

    #[test]
    fn a_deflate_bomb_is_refused_without_inflating_it() {
        let bomb = deflate_bomb();
        assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            check(&bomb),
            Err(InputError::TooLarge {
                limit: MAX_INFLATED_BYTES
            })
        );
        // Behind an honest chunk too.
        let honest = big_doc().save();
        assert!(check(&[honest, bomb].concat()).is_err());
    }

    #[test]
    fn a_compressed_column_that_inflates_past_the_bound_is_refused() {
        // Rewrite a saved document so that its first compressed column holds a bomb: the
        // layout stays Automerge's, only the column's bytes and length change.
        let saved = big_doc().save();
        let mut r = Reader::new(&saved);
        r.take(9).unwrap_or_else(|e| panic!("{e}"));
        let len = r.len_prefix().unwrap_or_else(|e| panic!("{e}"));
        let data = r.take(len).unwrap_or_else(|e| panic!("{e}"));
        let mut d = Reader::new(data);
        for _ in 0..d.count().unwrap_or(0) {
            let l = d.len_prefix().unwrap_or(0);
            d.take(l).unwrap_or_else(|e| panic!("{e}"));
        }
        let heads = d.count().unwrap_or(0);
        d.take(heads * 32).unwrap_or_else(|e| panic!("{e}"));
        let meta_start = d.pos;
        let changes = columns(&mut d).unwrap_or_else(|e| panic!("{e}"));
        let ops = columns(&mut d).unwrap_or_else(|e| panic!("{e}"));
        let all: Vec<(u64, usize)> = changes.iter().chain(&ops).copied().collect();
        let target = all
            .iter()
            .position(|(spec, _)| spec & DEFLATE_BIT != 0)
            .unwrap_or_else(|| panic!("the document has a compressed column"));
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..100 {
            enc.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
        }
        let bomb = enc.finish().unwrap_or_else(|e| panic!("{e}"));
        let uleb = |mut n: u64, out: &mut Vec<u8>| loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        };
        let mut body = data[..meta_start].to_vec();
        for (list, offset) in [(&changes, 0), (&ops, changes.len())] {
            uleb(list.len() as u64, &mut body);
            for (i, (spec, len)) in list.iter().enumerate() {
                uleb(*spec, &mut body);
                let len = if offset + i == target {
                    bomb.len()
                } else {
                    *len
                };
                uleb(len as u64, &mut body);
            }
        }
        let mut pos = d.pos;
        for (i, (_, len)) in all.iter().enumerate() {
            if i == target {
                body.extend(&bomb);
            } else {
                body.extend(&data[pos..pos + len]);
            }
            pos += len;
        }
        body.extend(&data[pos..]);
        let mut forged = saved[..9].to_vec();
        uleb(body.len() as u64, &mut forged);
        forged.extend(body);
        assert!(check(&saved).is_ok(), "the control passes");
        assert_eq!(
            check_within(&forged, 50 * 1024 * 1024),
            Err(InputError::TooLarge {
                limit: 50 * 1024 * 1024
            })
        );
        assert!(check_within(&forged, 200 * 1024 * 1024).is_ok());
    }

    fn uleb(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn sleb(mut n: i64, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
            out.push(if done { byte } else { byte | 0x80 });
            if done {
                return;
            }
        }
    }

    /// A change chunk with one column of `spec` holding `column`, as Automerge lays it out.
    fn change_chunk(spec: u64, column: &[u8]) -> Vec<u8> {
        let mut body = vec![0]; // no dependencies
        body.push(16);
        body.extend([7u8; 16]); // actor
        body.extend([1, 1, 0, 0, 0]); // seq, start op, time, no message, no other actors
        body.push(1);
        uleb(spec, &mut body);
        uleb(column.len() as u64, &mut body);
        body.extend(column);
        let mut chunk = MAGIC.to_vec();
        chunk.extend([0, 0, 0, 0, CHUNK_CHANGE]);
        uleb(body.len() as u64, &mut chunk);
        chunk.extend(body);
        chunk
    }

    #[test]
    fn a_few_bytes_declaring_billions_of_operations_are_refused() {
        // One run of 2^62 actions: Automerge would verify them one by one, for ever.
        let mut run = Vec::new();
        sleb(1 << 62, &mut run);
        uleb(1, &mut run);
        let bomb = change_chunk((8 << 4) | COL_UINT, &run);
        assert!(bomb.len() < 64, "{} bytes", bomb.len());
        assert_eq!(
            check(&bomb),
            Err(InputError::TooManyRows { limit: MAX_ROWS })
        );
        // A null run, and a boolean column, are counted too.
        let mut nulls = vec![0];
        uleb(1 << 40, &mut nulls);
        assert!(check(&change_chunk((3 << 4) | COL_ACTOR, &nulls)).is_err());
        let mut flags = Vec::new();
        uleb(1 << 40, &mut flags);
        assert!(check(&change_chunk((9 << 4) | COL_BOOLEAN, &flags)).is_err());
        // Literal runs of strings are stepped over value by value.
        let mut strings = Vec::new();
        sleb(-2, &mut strings);
        strings.extend([1, b'a', 2, b'b', b'c']);
        assert_eq!(column_rows((5 << 4) | COL_STRING, &strings), Ok(2));
        // Many small chunks add up.
        let mut modest = Vec::new();
        sleb((MAX_ROWS / 2 + 1) as i64, &mut modest);
        uleb(1, &mut modest);
        let one = change_chunk((8 << 4) | COL_UINT, &modest);
        assert!(check(&one).is_ok());
        assert_eq!(
            check(&[one.clone(), one].concat()),
            Err(InputError::TooManyRows { limit: MAX_ROWS })
        );
    }

    #[test]
    fn bundle_chunks_are_refused_before_automerge_reads_them() {
        // Found by fuzzing (fuzz/, target `automerge`), as a review found bundles unchecked:
        // this bundle chunk passed the bound and made Automerge::load panic (an unwrap in
        // hexane's delta decoder). The file is the fuzzer's input, also a case of the vault's
        // malformed-changes test.
        let bundle = include_bytes!("../tests/malformed/changes/bundle-chunk-that-panics.bin");
        assert_eq!(bundle[8], CHUNK_BUNDLE);
        assert_eq!(
            check(bundle),
            Err(InputError::Malformed("a bundle of changes"))
        );
        let honest = big_doc().save();
        assert!(check(&[honest, bundle.to_vec()].concat()).is_err());
    }

    #[test]
    fn bytes_that_are_not_chunks_are_refused() {
        let saved = big_doc().save();
        assert!(matches!(
            check(b"not automerge"),
            Err(InputError::Malformed(_))
        ));
        // Cut short, or with a length past the end.
        assert!(matches!(
            check(&saved[..saved.len() - 1]),
            Err(InputError::Malformed(_))
        ));
        let mut unknown = saved.clone();
        unknown[8] = 9;
        assert!(matches!(check(&unknown), Err(InputError::Malformed(_))));
        // A bundle (which Automerge inflates, and Tandem never writes) is refused.
        let mut bundle = saved.clone();
        bundle[8] = CHUNK_BUNDLE;
        assert!(matches!(check(&bundle), Err(InputError::Malformed(_))));
        let mut long = MAGIC.to_vec();
        long.extend([0, 0, 0, 0, CHUNK_CHANGE]);
        long.extend([0xff; 11]);
        assert!(matches!(check(&long), Err(InputError::Malformed(_))));
    }
}
