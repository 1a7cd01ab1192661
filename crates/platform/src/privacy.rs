//! Personal information: parsing phone and ID-card numbers once into types, and masking them
//! (and addresses) wherever they are listed, exported or published. Seeing an original is a
//! logged event (see `audit`), done by the modules that show one.

use serde::Serialize;

mod text;
pub use text::mask_in_text;

/// A phone number: a mainland mobile number (11 digits starting 1[3-9]) or a landline with
/// area code (0 + 2–3 digits, then 7–8 digits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone(String);

impl Phone {
    /// Parse a mobile number only (for one-time codes).
    pub fn parse_mobile(s: &str) -> Result<Phone, &'static str> {
        let d = normalise(s);
        if d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9') && d.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Phone(d))
        } else {
            Err("请填写正确的 11 位手机号码")
        }
    }

    /// Parse a mobile or landline number.
    pub fn parse(s: &str) -> Result<Phone, &'static str> {
        if let Ok(p) = Phone::parse_mobile(s) {
            return Ok(p);
        }
        let d = normalise(s);
        let digits = d.replace('-', "");
        let ok = d.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) && (10..=12).contains(&digits.len()) && d.matches('-').count() <= 1;
        if ok { Ok(Phone(digits)) } else { Err("电话号码格式不正确：手机号为 11 位，固定电话须带区号（如 0514-84567890）") }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`; landlines keep the area code and the last four digits.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Display is masked on purpose: an original must be asked for with `as_str`.
        f.write_str(&self.masked())
    }
}

fn normalise(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("+86").or_else(|| s.strip_prefix("86-")).unwrap_or(s);
    s.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '－' { '-' } else { c }).collect()
}

/// Mask a stored phone number for display.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let n = chars.len();
    if n >= 11 && chars[0] == '1' {
        format!("{}****{}", chars[..3].iter().collect::<String>(), chars[n - 4..].iter().collect::<String>())
    } else if n >= 8 {
        let head = if chars[0] == '0' { 4.min(n - 4) } else { 0 };
        format!("{}****{}", chars[..head].iter().collect::<String>(), chars[n - 4..].iter().collect::<String>())
    } else if n > 0 {
        "****".to_string()
    } else {
        String::new()
    }
}

/// A resident identity card number (18 characters, GB 11643 check digit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(s: &str) -> Result<IdNumber, &'static str> {
        let s = s.trim().to_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err("身份证号应为 18 位（最后一位可为 X）");
        }
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const C: &[u8; 11] = b"10X98765432";
        let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
        if C[(sum % 11) as usize] != b[17] {
            return Err("身份证号校验位不正确，请核对");
        }
        Ok(IdNumber(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// `320184********1234`
pub fn mask_id(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    if c.len() < 10 {
        return "****".into();
    }
    format!("{}{}{}", c[..6].iter().collect::<String>(), "*".repeat(c.len() - 10), c[c.len() - 4..].iter().collect::<String>())
}

/// Keep the administrative part of an address (up to 镇/乡/街道/村/社区/路) and hide the rest.
pub fn mask_address(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        return String::new();
    }
    let markers = ["街道", "镇", "乡", "社区", "村", "路", "街", "大道", "园区"];
    let mut cut = 0;
    for m in markers {
        if let Some(i) = s.find(m) {
            cut = cut.max(i + m.len());
        }
    }
    if cut == 0 {
        let keep: String = s.chars().take(2).collect();
        return format!("{keep}****");
    }
    if cut >= s.len() {
        return s.to_string();
    }
    format!("{}****", &s[..cut])
}

/// Mask a person's name: 张** / 欧阳**.
pub fn mask_name(s: &str) -> String {
    let c: Vec<char> = s.trim().chars().collect();
    match c.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", c[0]),
        n if n >= 4 => format!("{}{}", c[..2].iter().collect::<String>(), "*".repeat(n - 2)),
        n => format!("{}{}", c[0], "*".repeat(n - 1)),
    }
}

/// Mask an email address: the first letter of the mailbox and the domain stay, so that the
/// applicant recognises it (`z****@example.com`).
pub fn mask_email(s: &str) -> String {
    let s = s.trim();
    match s.split_once('@') {
        Some((user, domain)) => format!("{}****@{domain}", user.chars().next().map(String::from).unwrap_or_default()),
        None if s.is_empty() => String::new(),
        None => "****".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(mask_email("zhangsan@example.com"), "z****@example.com");
        assert_eq!(mask_email(""), "");
        assert!(!mask_email("zhangsan@example.com").contains("zhangsan"));
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse_mobile(" 138 1234 5678 ").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse_mobile("+8613812345678").unwrap().as_str(), "13812345678");
        assert!(Phone::parse_mobile("12812345678").is_err());
        assert!(Phone::parse_mobile("1381234567").is_err());
        assert!(Phone::parse_mobile("1381234567a").is_err());
        assert_eq!(Phone::parse("0514-84561234").unwrap().as_str(), "051484561234");
        assert!(Phone::parse("84561234").is_err(), "a landline needs its area code");
        assert_eq!(Phone::parse_mobile("13812345678").unwrap().masked(), "138****5678");
        assert_eq!(mask_phone("051484561234"), "0514****1234");
        assert_eq!(format!("{}", Phone::parse("13812345678").unwrap()), "138****5678");
    }

    #[test]
    fn id_numbers() {
        // A valid test number (check digit computed by GB 11643).
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("123").is_err());
    }

    #[test]
    fn addresses_and_names() {
        assert_eq!(mask_address("高邮镇马棚社区文游路88号3栋201室"), "高邮镇马棚社区文游路****");
        assert_eq!(mask_address("某小区"), "某小****");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("王小明"), "王**");
        assert_eq!(mask_name("欧阳修远"), "欧阳**");
    }

    #[test]
    fn masks_inside_text() {
        let (t, n) = mask_in_text("我叫李四，电话13812345678，身份证11010519491231002X，订单号123456789012。");
        assert_eq!(n, 2);
        assert!(t.contains("138****5678"));
        assert!(t.contains("110105********002X"));
        assert!(t.contains("123456789012"), "other numbers are left alone");
    }
}

#[cfg(test)]
#[path = "privacy/text_tests.rs"]
mod text_tests;
