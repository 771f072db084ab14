//! Search folding: case and accents are ignored, so "Helene" finds "Hélène".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for search: decomposes (NFKD), drops combining marks (accents), lower-cases,
/// maps a few letters that do not decompose (œ, æ, ß, ø, ł…) and collapses white space.
pub fn fold_for_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            '’' | '‘' | '`' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_are_ignored() {
        assert_eq!(fold_for_search("Hélène"), "helene");
        assert_eq!(fold_for_search("HÉLÈNE  Côté"), "helene cote");
        assert_eq!(fold_for_search("Œuvre"), "oeuvre");
        assert_eq!(fold_for_search("  François "), "francois");
        assert_eq!(fold_for_search("Ｊｏｓé"), "jose");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in ["Hélène", "Zoë O’Brien", "Łukasz", "straße"] {
            let once = fold_for_search(s);
            assert_eq!(fold_for_search(&once), once);
        }
    }
}
