//! VINs in OCR text. OCR confuses look-alike characters; a VIN never contains I, O or Q, so those
//! are always read as 1, 0 and 0, and other look-alikes (S/5, B/8, Z/2, G/6) are swapped only when
//! the check digit then confirms exactly one reading.

use mvp_types::Vin;

/// Look-alikes a recogniser mixes up, both ways (Tesseract reads a 40 pt "1" as "L" at times).
const CONFUSABLE: &[(char, char)] = &[
    ('S', '5'),
    ('B', '8'),
    ('Z', '2'),
    ('G', '6'),
    ('T', '7'),
    ('L', '1'),
];
/// How many look-alike positions a line may hold for swaps to be tried at all.
const MAX_CANDIDATE_POSITIONS: usize = 12;

fn forced(c: char) -> char {
    match c {
        'I' => '1',
        'O' | 'Q' => '0',
        other => other,
    }
}

fn partner(c: char) -> Option<char> {
    CONFUSABLE
        .iter()
        .find_map(|&(a, b)| (c == a).then_some(b).or((c == b).then_some(a)))
}

/// The VIN these 17 characters most likely are: as read, else with I/O/Q fixed, else the one reading
/// with a single look-alike swapped that the check digit confirms (none, or two, → `None`).
pub fn resolve(window: &str) -> Option<Vin> {
    let chars: Vec<char> = window.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != 17 {
        return None;
    }
    let fixed: Vec<char> = chars.iter().map(|&c| forced(c)).collect();
    let text: String = fixed.iter().collect();
    if let Ok(vin) = Vin::parse(&text) {
        return Some(vin);
    }
    let positions: Vec<usize> = (0..17).filter(|&i| partner(fixed[i]).is_some()).collect();
    if positions.is_empty() || positions.len() > MAX_CANDIDATE_POSITIONS {
        return None;
    }
    // One look-alike at a time: a single misread character is what OCR noise looks like; accepting
    // two or more swaps would "correct" almost any wrong VIN into some valid one. Exactly one of the
    // one-swap readings must pass the check digit, otherwise the text does not say which VIN it is.
    let mut found: Option<Vin> = None;
    for &pos in &positions {
        let mut candidate = fixed.clone();
        candidate[pos] = partner(candidate[pos]).unwrap_or(candidate[pos]);
        if let Ok(vin) = Vin::parse(&candidate.iter().collect::<String>()) {
            if found.as_ref().is_some_and(|f| f != &vin) {
                return None;
            }
            found = Some(vin);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_vin_is_taken_as_read() {
        assert_eq!(
            resolve("1HGCM82633A004352").map(String::from).as_deref(),
            Some("1HGCM82633A004352")
        );
    }

    #[test]
    fn i_o_q_are_always_digits() {
        assert_eq!(
            resolve("IHGCM82633AOO4352").map(String::from).as_deref(),
            Some("1HGCM82633A004352")
        );
    }

    #[test]
    fn a_look_alike_is_fixed_only_when_the_check_digit_agrees() {
        for noisy in [
            "1HGCM8Z633A004352",
            "1HGCMB2633A004352",
            "1HGCM82633A0043S2",
        ] {
            assert_eq!(
                resolve(noisy).map(String::from).as_deref(),
                Some("1HGCM82633A004352"),
                "{noisy}"
            );
        }
        // A wrong character that no look-alike explains is not "corrected" (two swaps would be).
        assert_eq!(resolve("1HGCM82633A004353"), None);
        // Two one-swap readings pass the check digit (5YJ… and …31T000): the text does not say which.
        assert_eq!(resolve("SYJ3E1EA2KF317000"), None);
    }
}
