//! 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V,
//! Z); the 18th is a check character computed from the first 17 with the weights 3^i mod 31.

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character of the first 17 characters.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        if i >= 17 {
            return None;
        }
        sum += value(c)? * WEIGHTS[i];
    }
    if first17.chars().count() != 17 {
        return None;
    }
    let v = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(v as usize)
}

/// Why a code is not a valid 统一社会信用代码, or `None` when it is.
pub fn problem(code: &str) -> Option<String> {
    let n = code.chars().count();
    if n != 18 {
        return Some(format!("统一社会信用代码应为18位，“{code}”为{n}位"));
    }
    if let Some(c) = code.chars().find(|c| value(*c).is_none()) {
        return Some(format!("统一社会信用代码含有不允许的字符“{c}”（只能是数字和除 I、O、S、V、Z 外的大写字母）"));
    }
    let first: String = code.chars().take(17).collect();
    let expected = check_char(&first)?;
    let last = code.chars().last()?;
    if last != expected {
        return Some(format!("统一社会信用代码校验位错误：第18位应为“{expected}”，实为“{last}”（GB 32100-2015）"));
    }
    None
}

/// A valid code from a 17-character body (for the demo data).
pub fn complete(first17: &str) -> String {
    format!("{first17}{}", check_char(first17).expect("17 characters of the alphabet"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_check() {
        // Codes printed on real business licences.
        assert_eq!(problem("91350100M000100Y43"), None);
        assert_eq!(problem("91110000802100433B"), None);
    }

    #[test]
    fn bad_codes_are_explained() {
        assert!(problem("91350100M000100Y44").unwrap().contains("校验位"));
        assert!(problem("91350100M000100Y4").unwrap().contains("18位"));
        assert!(problem("91350100M000100I43").unwrap().contains("“I”"));
        assert!(problem("").unwrap().contains("18位"));
    }

    #[test]
    fn completed_codes_are_valid() {
        let c = complete("9132108100000012A");
        assert_eq!(problem(&c), None, "{c}");
    }
}
