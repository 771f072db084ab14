//! A passphrase strength hint. The vault's rule is at least 8 characters; the hint nudges
//! toward a few words, which are both strong and easy to remember.

/// How strong a passphrase looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Shorter than the vault accepts.
    TooShort,
    /// Accepted, but easy to guess.
    Weak,
    /// Reasonable.
    Fair,
    /// Strong.
    Strong,
}

impl Strength {
    /// The translation key of the hint.
    pub fn key(self) -> &'static str {
        match self {
            Self::TooShort => "strength-too-short",
            Self::Weak => "strength-weak",
            Self::Fair => "strength-fair",
            Self::Strong => "strength-strong",
        }
    }

    /// A CSS class for the meter.
    pub fn class(self) -> &'static str {
        match self {
            Self::TooShort => "meter meter-0",
            Self::Weak => "meter meter-1",
            Self::Fair => "meter meter-2",
            Self::Strong => "meter meter-3",
        }
    }
}

/// The shortest passphrase the vault accepts (`tandem_core::MIN_PASSPHRASE_CHARS`).
pub const MIN_CHARS: usize = 8;

/// Estimates strength from length, words and the kinds of characters.
pub fn strength(passphrase: &str) -> Strength {
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return Strength::TooShort;
    }
    let words = passphrase
        .split_whitespace()
        .filter(|w| w.chars().count() >= 3)
        .count();
    let distinct: std::collections::BTreeSet<char> = passphrase.chars().collect();
    let classes = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_numeric()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if distinct.len() < 5 {
        return Strength::Weak;
    }
    if (words >= 4 && chars >= 20) || (chars >= 16 && classes >= 3) {
        Strength::Strong
    } else if words >= 3 || chars >= 12 || classes >= 3 {
        Strength::Fair
    } else {
        Strength::Weak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_length_and_words() {
        assert_eq!(strength("short"), Strength::TooShort);
        assert_eq!(strength("aaaaaaaaaaaa"), Strength::Weak);
        assert_eq!(strength("password"), Strength::Weak);
        assert_eq!(strength("blue river night"), Strength::Fair);
        assert_eq!(strength("correct horse battery staple"), Strength::Strong);
        assert_eq!(strength("Tr0ub4dor&3xyzab"), Strength::Strong);
        // Accented letters count as characters, not bytes.
        assert_eq!(strength("éééééé"), Strength::TooShort);
    }
}
