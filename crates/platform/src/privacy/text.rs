//! Phone, ID-card and other identifying numbers inside free text, found the way people type
//! them, so that they can be masked before the text is published or listed.
//!
//! A number is read as digit groups: ASCII or full-width digits (Chinese numerals 〇一二… form
//! groups of their own), joined by up to three separators (spaces, hyphens and dashes of any
//! width), the area code possibly in parentheses. At each group the longest run of whole groups
//! that reads as one of these is masked:
//! - a mobile number (11 digits, 1[3-9]…), also after 86 / 0086 / +86, grouped 3-4-4, 3-8, 4-3-4…;
//! - a landline with its area code (0 + 2–3 digits, then 7–8 digits): 0514-84567890,
//!   (0514)84567890, 0514 8456 7890;
//! - an ID-card number of 18 characters (any check digit, x or X) or the old 15 digits; split
//!   into groups only when it has the shape of one (a province code and a birth date, groups of
//!   three digits or more but the last), so that lists of numbers are not joined into one;
//! - any unbroken run of 15 digits or more (an ID, a bank card: masked even when unsure);
//! - 7–12 digits right after a word that says it is a phone (电话, 手机, Tel, QQ…) or after `+`.
//!
//! Dates (2026-03-05), amounts, case and ticket numbers (2026000123, 20260000123) and article
//! numbers do not read as any of these: groups after the first must have three digits or more to
//! join into a phone number, which a date's month and day never have.
//!
//! Linear time: a candidate looks at most [`MAX_DIGITS`] digits ahead, and the text before it
//! only a few characters back.

use super::{mask_id, mask_phone};

/// No number we mask is longer than this once its groups are joined (0086 + 11, an ID of 18).
const MAX_DIGITS: usize = 20;
/// Separators between two groups ("138 - 1234").
const MAX_SEPARATORS: usize = 3;

/// Words after which a shorter number (a landline without area code, a QQ number) is a phone.
const PHONE_WORDS: &[&str] = &["电话", "手机", "手机号", "座机", "固话", "联系方式", "致电", "拨打", "tel", "phone", "qq", "微信"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Chinese,
}

/// The value of a digit and its script. Full-width digits read as ASCII ones.
fn digit(c: char) -> Option<(u8, Script)> {
    let arabic = |d: u32| Some((d as u8, Script::Arabic));
    let chinese = |d: u8| Some((d, Script::Chinese));
    match c {
        '0'..='9' => arabic(c as u32 - '0' as u32),
        '０'..='９' => arabic(c as u32 - '０' as u32),
        '〇' | '零' => chinese(0),
        '一' => chinese(1),
        '二' => chinese(2),
        '三' => chinese(3),
        '四' => chinese(4),
        '五' => chinese(5),
        '六' => chinese(6),
        '七' => chinese(7),
        '八' => chinese(8),
        '九' => chinese(9),
        _ => None,
    }
}

/// The check character of an ID number, stored as 10.
const X: u8 = 10;

fn is_x(c: char) -> bool {
    matches!(c, 'x' | 'X' | 'ｘ' | 'Ｘ')
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{3000}' | '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−')
}

fn is_open_paren(c: char) -> bool {
    matches!(c, '(' | '（')
}

fn is_close_paren(c: char) -> bool {
    matches!(c, ')' | '）')
}

/// The character at byte `i`, and the byte after it.
fn at(text: &str, i: usize) -> Option<(char, usize)> {
    text.get(i..)?.chars().next().map(|c| (c, i + c.len_utf8()))
}

/// One group of digits: its bytes in the text, its digits, and the digits up to its end.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    len: usize,
    total: usize,
}

/// The digits read from one starting point, reused from candidate to candidate.
#[derive(Default)]
struct Reader {
    digits: Vec<u8>,
    groups: Vec<Group>,
    /// The closing parenthesis of an area code came after the first group.
    closed: bool,
}

/// What the text just before a candidate says about it.
#[derive(Clone, Copy, Default)]
struct Before {
    plus: bool,
    phone_word: bool,
}

enum Kind {
    /// A phone number whose national part starts after `cc` digits of country code.
    Phone { cc: usize },
    /// A number that may be anything personal: keep only the last four digits.
    Other,
    /// An ID card or a long run (bank card…): keep the first six and the last four.
    Long,
}

struct Found {
    /// Byte just past the number.
    end: usize,
    /// Whether the opening parenthesis before the first group belongs to the number.
    with_paren: bool,
    masked: String,
}

impl Reader {
    /// Read the groups from byte `start` (a digit); `paren`: an opening parenthesis is just
    /// before.
    fn read(&mut self, text: &str, start: usize, paren: bool) {
        self.digits.clear();
        self.groups.clear();
        self.closed = false;
        let Some(script) = at(text, start).and_then(|(c, _)| digit(c)).map(|d| d.1) else { return };
        let same = |j: usize| at(text, j).and_then(|(c, next)| digit(c).filter(|d| d.1 == script).map(|d| (d.0, next)));
        let mut j = start;
        loop {
            let group_start = j;
            let first = self.groups.is_empty();
            let mut len = 0;
            while let Some((d, next)) = same(j) {
                // A later group longer than any number cannot end one: stop reading it.
                if !first && self.digits.len() > MAX_DIGITS {
                    return;
                }
                self.digits.push(d);
                len += 1;
                j = next;
            }
            if self.digits.len() == 17 && script == Script::Arabic {
                if let Some((_, next)) = at(text, j).filter(|(c, _)| is_x(*c)) {
                    self.digits.push(X);
                    len += 1;
                    j = next;
                }
            }
            self.groups.push(Group { start: group_start, end: j, len, total: self.digits.len() });
            if self.digits.len() >= MAX_DIGITS || self.digits.last() == Some(&X) {
                return;
            }
            let mut k = j;
            if paren && first {
                if let Some((_, next)) = at(text, k).filter(|(c, _)| is_close_paren(*c)) {
                    k = next;
                    self.closed = true;
                }
            }
            let mut separators = 0;
            while separators < MAX_SEPARATORS {
                let Some((_, next)) = at(text, k).filter(|(c, _)| is_separator(*c)) else { break };
                k = next;
                separators += 1;
            }
            if k == j || same(k).is_none() {
                return;
            }
            j = k;
        }
    }

    /// The longest run of whole groups from the start that is a number to mask.
    fn find(&self, text: &str, before: Before) -> Option<Found> {
        (0..self.groups.len()).rev().find_map(|last| {
            let groups = &self.groups[..=last];
            let digits = &self.digits[..groups[last].total];
            let kind = classify(digits, groups, before)?;
            let masked = match kind {
                Kind::Phone { cc } => {
                    // The country code is no one's: it stays as written.
                    let first = groups[0].start;
                    let prefix = if cc == 0 {
                        ""
                    } else if groups[0].len == cc {
                        &text[first..groups[1].start]
                    } else {
                        let cut = text[first..].char_indices().nth(cc).map_or(text.len(), |(b, _)| first + b);
                        &text[first..cut]
                    };
                    format!("{prefix}{}", mask_phone(&ascii(&digits[cc..])))
                }
                Kind::Other => mask_phone(&ascii(digits)),
                Kind::Long => mask_id(&ascii(digits)),
            };
            Some(Found { end: groups[last].end, with_paren: self.closed && last > 0, masked })
        })
    }
}

fn ascii(digits: &[u8]) -> String {
    digits.iter().map(|d| if *d == X { 'X' } else { char::from(b'0' + d) }).collect()
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1])
}

/// A phone number's groups after its first: three digits or more each ("138 1234 5678",
/// "1381 234 5678", "0514 8456 7890"); a date's "-03-05" never is.
fn later_groups_long(groups: &[Group]) -> bool {
    groups[1..].iter().all(|g| g.len >= 3)
}

/// How a mobile number after `cc` digits of country code is grouped: whole, or a first group
/// of 3–4 digits and longer ones after it.
fn mobile_grouping(groups: &[Group], cc: usize) -> bool {
    if groups.len() == 1 {
        return true;
    }
    let (first, rest) = if groups[0].len == cc { (groups[1].len, &groups[1..]) } else { (groups[0].len - cc, groups) };
    rest.len() == 1 || ((3..=4).contains(&first) && later_groups_long(rest))
}

/// The shape of an ID number: a province code and a birth date where they belong.
fn id_shape(d: &[u8]) -> bool {
    let num = |a: usize, b: usize| d[a..b].iter().try_fold(0u32, |n, &x| (x < 10).then(|| n * 10 + u32::from(x)));
    let province = matches!(num(0, 2), Some(11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83 | 91));
    let date = |y: Option<(usize, usize)>, m: usize| {
        y.is_none_or(|(a, b)| matches!(num(a, b), Some(1900..=2099))) && matches!(num(m, m + 2), Some(1..=12)) && matches!(num(m + 2, m + 4), Some(1..=31))
    };
    match d.len() {
        18 => province && d[..17].iter().all(|x| *x < 10) && date(Some((6, 10)), 10),
        15 => province && d.iter().all(|x| *x < 10) && date(None, 8),
        _ => false,
    }
}

fn classify(d: &[u8], groups: &[Group], before: Before) -> Option<Kind> {
    let n = d.len();
    let single = groups.len() == 1;
    let codes: [&[u8]; 3] = [&[], &[8, 6], &[0, 0, 8, 6]];
    for code in codes {
        let cc = code.len();
        if d.starts_with(code) && is_mobile(&d[cc..]) && mobile_grouping(groups, cc) {
            return Some(Kind::Phone { cc });
        }
    }
    if n >= 10 && d[0] == 0 && d[1] != 0 {
        let area = groups[0].len;
        if (single && n <= 12) || (!single && (3..=4).contains(&area) && (7..=8).contains(&(n - area)) && later_groups_long(groups)) {
            return Some(Kind::Phone { cc: 0 });
        }
    }
    // An ID written in groups: 6-8-4, 6-4-4-4, 4-4-4-4-2… (never digit by digit).
    let id_grouping = groups[..groups.len() - 1].iter().all(|g| g.len >= 3);
    if (single && n >= 15) || (!single && id_grouping && id_shape(d)) {
        return Some(Kind::Long);
    }
    let grouped_like_a_phone = single || later_groups_long(groups);
    if grouped_like_a_phone && d.iter().all(|x| *x < 10) && ((before.plus && n >= 9) || (before.phone_word && (7..=12).contains(&n))) {
        return Some(Kind::Other);
    }
    None
}

/// What the few characters before byte `at` say: a `+`, or a word naming a phone, with up to
/// spaces, colons or 是/为 between.
fn before(text: &str, at: usize) -> Before {
    let head = &text[..at];
    let plus = head.ends_with(['+', '＋']);
    let head = head.trim_end_matches([' ', '\u{3000}', ':', '：', '是', '为', '.', '#']);
    let phone_word = PHONE_WORDS
        .iter()
        .any(|w| head.len() >= w.len() && head.is_char_boundary(head.len() - w.len()) && head[head.len() - w.len()..].eq_ignore_ascii_case(w));
    Before { plus, phone_word }
}

/// Mask every phone number, ID-card number and other long identifying number found inside
/// free text (anything published or listed). Returns the masked text and how many were masked.
pub fn mask_in_text(text: &str) -> (String, usize) {
    let mut out = String::new();
    let mut copied = 0;
    let mut count = 0;
    let mut reader = Reader::default();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        // Most of a text is neither a digit nor a parenthesis: skip it a byte at a time.
        if bytes[i] < 0x80 && !bytes[i].is_ascii_digit() && bytes[i] != b'(' {
            i += 1;
            continue;
        }
        let Some((c, next)) = at(text, i) else { break };
        let paren = is_open_paren(c) && at(text, next).is_some_and(|(d, _)| digit(d).is_some_and(|d| d.1 == Script::Arabic));
        if !paren && digit(c).is_none() {
            i = next;
            continue;
        }
        let start = if paren { next } else { i };
        reader.read(text, start, paren);
        // Every number masked has seven digits or more: most candidates stop here.
        let found = if reader.digits.len() >= 7 { reader.find(text, before(text, i)) } else { None };
        match found {
            Some(found) => {
                if out.is_empty() {
                    out.reserve(text.len());
                }
                let from = if found.with_paren { i } else { start };
                out.push_str(&text[copied..from]);
                out.push_str(&found.masked);
                copied = found.end;
                count += 1;
                i = found.end;
            }
            // Without its parenthesis the number may still be one (a mobile in brackets).
            None if paren => i = next,
            None => i = reader.groups[0].end,
        }
    }
    out.push_str(&text[copied..]);
    (out, count)
}
