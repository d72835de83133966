//! `Vin`: a 17-character Vehicle Identification Number that passed every structural rule — length,
//! alphabet (no I, O or Q), and the check digit in position 9 (49 CFR 565). Stored upper-case.
//! Parse once at the edge; everything after that holds a `Vin`, never a bare string.

use serde::{Deserialize, Serialize};

/// Why a string is not a VIN. The message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VinError {
    Length(usize),
    Character { position: usize, found: char },
    CheckDigit { expected: char, found: char },
}

impl std::fmt::Display for VinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Length(n) => write!(f, "a VIN has 17 characters, this one has {n}"),
            Self::Character { position, found } => write!(
                f,
                "character {position} ({found:?}) is not allowed: VINs use 0-9 and A-Z without I, O and Q"
            ),
            Self::CheckDigit { expected, found } => write!(
                f,
                "check digit (position 9) is {found:?} but the other characters give {expected:?}: a character is probably mistyped"
            ),
        }
    }
}

impl std::error::Error for VinError {}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// The numeric value of a VIN character (transliteration table), `None` for characters VINs never use.
pub fn transliterate(c: char) -> Option<u32> {
    Some(match c {
        '0'..='9' => c.to_digit(10)?,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => return None,
    })
}

/// The check digit the other 16 characters call for (`0`–`9` or `X`). Characters must be valid.
pub fn check_digit(chars: &[char; 17]) -> char {
    let sum: u32 = chars
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| transliterate(*c).unwrap_or(0) * w)
        .sum();
    match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

impl Vin {
    pub fn parse(input: &str) -> Result<Self, VinError> {
        let upper: Vec<char> = input
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: [char; 17] = upper
            .as_slice()
            .try_into()
            .map_err(|_| VinError::Length(upper.len()))?;
        for (i, c) in chars.iter().enumerate() {
            if transliterate(*c).is_none() {
                return Err(VinError::Character {
                    position: i + 1,
                    found: *c,
                });
            }
        }
        let expected = check_digit(&chars);
        if chars[8] != expected {
            return Err(VinError::CheckDigit {
                expected,
                found: chars[8],
            });
        }
        Ok(Self(chars.iter().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// World Manufacturer Identifier: positions 1–3.
    pub fn wmi(&self) -> &str {
        &self.0[..3]
    }

    /// The model year from position 10. The code repeats every 30 years; like vPIC, a digit in
    /// position 7 means the 1980–2009 cycle and a letter the 2010–2039 cycle, and a year more than
    /// one past `current_year` falls back to the earlier cycle.
    pub fn model_year(&self, current_year: i32) -> Option<i32> {
        let code = self.0.chars().nth(9)?;
        let offset = "ABCDEFGHJKLMNPRSTVWXY123456789".find(code)?;
        let offset = i32::try_from(offset).ok()?;
        let early = 1980 + offset;
        let late = 2010 + offset;
        let seventh_is_letter = self
            .0
            .chars()
            .nth(6)
            .is_some_and(|c| c.is_ascii_alphabetic());
        if seventh_is_letter && late <= current_year + 1 {
            Some(late)
        } else {
            Some(early)
        }
    }
}

impl TryFrom<String> for Vin {
    type Error = VinError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Vin> for String {
    fn from(vin: Vin) -> Self {
        vin.0
    }
}

impl std::fmt::Display for Vin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_vins_parse() {
        for vin in [
            "1HGCM82633A004352",
            "5YJ3E1EA2KF317000",
            "1M8GDM9AXKP042788",
            "11111111111111111",
        ] {
            assert!(Vin::parse(vin).is_ok(), "{vin}");
        }
        assert_eq!(
            Vin::parse(" 1hgcm82633a004352 ").map(String::from),
            Ok("1HGCM82633A004352".to_owned())
        );
    }

    #[test]
    fn model_years_follow_position_ten_and_seven() {
        let accord = Vin::parse("1HGCM82633A004352").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(accord.model_year(2026), Some(2003));
        let tesla = Vin::parse("5YJ3E1EA2KF317000").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tesla.model_year(2026), Some(2019));
        assert_eq!(accord.wmi(), "1HG");
    }

    #[test]
    fn each_kind_of_mistake_has_its_reason() {
        assert_eq!(Vin::parse("1HGCM82633A00435"), Err(VinError::Length(16)));
        assert!(matches!(
            Vin::parse("1HGCM82633A0O4352"),
            Err(VinError::Character {
                position: 13,
                found: 'O'
            })
        ));
        assert!(matches!(
            Vin::parse("1HGCM82643A004352"),
            Err(VinError::CheckDigit {
                expected: '3',
                found: '4'
            })
        ));
    }

    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

    fn valid_vin() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(ALPHABET.chars().collect::<Vec<_>>()),
            17,
        )
        .prop_map(|chars| {
            let mut arr: [char; 17] = ['0'; 17];
            arr.copy_from_slice(&chars);
            arr[8] = check_digit(&arr);
            arr.iter().collect()
        })
    }

    proptest! {
        #[test]
        fn every_valid_vin_round_trips(vin in valid_vin()) {
            let parsed = Vin::parse(&vin);
            prop_assert!(parsed.is_ok(), "{vin} refused: {parsed:?}");
            let text: String = parsed.map(String::from).unwrap_or_default();
            prop_assert_eq!(&text, &vin);
            let again = Vin::parse(&text.to_lowercase()).map(String::from).unwrap_or_default();
            prop_assert_eq!(again, vin);
        }

        /// A single changed character is caught unless it has the same transliterated value (A/J,
        /// B/K/S …), the check digit's known blind spot: 11 is prime and every weight is below it,
        /// so any change of value moves the sum modulo 11.
        #[test]
        fn every_single_character_change_is_caught_unless_same_value(
            vin in valid_vin(),
            position in 0usize..17,
            replacement in proptest::sample::select(ALPHABET.chars().collect::<Vec<_>>()),
        ) {
            let original: Vec<char> = vin.chars().collect();
            prop_assume!(original[position] != replacement);
            let mut changed = original.clone();
            changed[position] = replacement;
            let changed: String = changed.into_iter().collect();
            let same_value = transliterate(original[position]) == transliterate(replacement);
            let accepted = Vin::parse(&changed).is_ok();
            if position == 8 {
                prop_assert!(!accepted, "changed check digit accepted: {changed}");
            } else {
                prop_assert_eq!(accepted, same_value, "{} -> {}", vin, changed);
            }
        }
    }
}
