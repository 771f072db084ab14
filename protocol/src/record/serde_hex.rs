//! Byte arrays in [`super::RecordState`]'s serialized form as lowercase hex strings (as ids
//! are everywhere else), for `#[serde(with = …)]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

fn decode<const N: usize, E: serde::de::Error>(s: &str) -> Result<[u8; N], E> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(E::custom)?;
    Ok(out)
}

/// `[u8; N]` as a hex string.
pub(crate) mod array {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        b: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        decode(&String::deserialize(d)?)
    }
}

/// `Option<[u8; N]>` as a hex string or null.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        b: &Option<[u8; N]>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        b.as_ref().map(hex::encode).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Option<[u8; N]>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| decode(&s))
            .transpose()
    }
}

/// `Vec<[u8; N]>` as a list of hex strings.
pub(crate) mod list {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        b: &[[u8; N]],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        b.iter().map(hex::encode).collect::<Vec<_>>().serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Vec<[u8; N]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| decode(s))
            .collect()
    }
}

/// `BTreeMap<[u8; N], V>` as a map keyed by hex strings.
pub(crate) mod keyed {
    use super::*;

    pub(crate) fn serialize<S: Serializer, V: Serialize, const N: usize>(
        m: &BTreeMap<[u8; N], V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        m.iter()
            .map(|(k, v)| (hex::encode(k), v))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>, const N: usize>(
        d: D,
    ) -> Result<BTreeMap<[u8; N], V>, D::Error> {
        BTreeMap::<String, V>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| Ok((decode::<N, D::Error>(&k)?, v)))
            .collect()
    }
}
