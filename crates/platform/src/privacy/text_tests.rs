//! The free-text masker against what people type: a corpus of real-looking variants, property
//! tests over generated ones (separators, full-width digits, prefixes, surrounding Chinese
//! text), and ordinary text that must come out unchanged.

use proptest::prelude::*;

use super::mask_in_text;

/// (input, what is published). Each line is a way a citizen or an agent writes a number.
const MASKED: &[(&str, &str)] = &[
    ("电话13812345678", "电话138****5678"),
    ("请联系Tel13812345678谢谢", "请联系Tel138****5678谢谢"),
    ("TEL:13812345678", "TEL:138****5678"),
    ("tel 13812345678", "tel 138****5678"),
    ("手机+8613812345678", "手机+86138****5678"),
    ("手机 +86 138 1234 5678。", "手机 +86 138****5678。"),
    ("+86-138-1234-5678", "+86-138****5678"),
    ("0086 13812345678", "0086 138****5678"),
    ("8613812345678", "86138****5678"),
    ("手机：138 1234 5678", "手机：138****5678"),
    ("手机：138-1234-5678", "手机：138****5678"),
    ("手机：138－1234－5678", "手机：138****5678"),
    ("138 12345678", "138****5678"),
    ("1381 234 5678", "138****5678"),
    ("138\u{3000}1234\u{3000}5678", "138****5678"),
    ("138 - 1234 - 5678", "138****5678"),
    ("电话１３８１２３４５６７８", "电话138****5678"),
    ("电话１３８ １２３４ ５６７８", "电话138****5678"),
    ("电话1３8１2３4５6７8", "电话138****5678"),
    ("一三八一二三四五六七八", "138****5678"),
    ("我家电话一三八一二三四五六七八，", "我家电话138****5678，"),
    ("座机0514-84567890", "座机0514****7890"),
    ("座机(0514)84567890", "座机0514****7890"),
    ("座机（0514）84567890", "座机0514****7890"),
    ("座机（0514） 8456 7890", "座机0514****7890"),
    ("0514 8456 7890", "0514****7890"),
    ("0514 84567890", "0514****7890"),
    ("051484567890", "0514****7890"),
    ("010-12345678", "0101****5678"),
    ("０５１４－８４５６７８９０", "0514****7890"),
    ("电话：0514-84567890-8001", "电话：0514****7890-8001"),
    ("电话84567890", "电话****7890"),
    ("联系电话：8456 7890", "联系电话：****7890"),
    ("身份证11010519491231002X", "身份证110105********002X"),
    ("身份证11010519491231002x", "身份证110105********002X"),
    ("身份证110105194912310021", "身份证110105********0021"),
    ("身份证号：320184199001011234。", "身份证号：320184********1234。"),
    ("身份证号：320184 19900101 1234", "身份证号：320184********1234"),
    ("身份证号：3201 8419 9001 0112 34", "身份证号：320184********1234"),
    ("身份证号：３２０１８４１９９００１０１１２３４", "身份证号：320184********1234"),
    ("老身份证320184900101123", "老身份证320184*****1123"),
    ("银行卡6222021234567890123", "银行卡622202*********0123"),
    ("(13812345678)", "(138****5678)"),
    ("13812345678/13987654321", "138****5678/139****4321"),
    ("身份证320184199001011234 电话13812345678", "身份证320184********1234 电话138****5678"),
    ("2026-03-05 13812345678", "2026-03-05 138****5678"),
    ("第一13812345678", "第一138****5678"),
];

/// Ordinary text that is published as it is.
const UNCHANGED: &[&str] = &[
    "2026-03-05",
    "2026年3月5日",
    "二〇二六年三月五日",
    "2026-03-05 08:30",
    "2026-03-05至2026-04-05",
    "12000元",
    "1,200,000元",
    "1 200 000元",
    "住建局依申〔2026〕24号",
    "2026000123",
    "工单20260000123已办结",
    "工单号码20260000123",
    "根据《条例》第十二条、第12条第2款",
    "订单号123456789012",
    "拨打12345热线",
    "约1380平方米",
    "2026年第3季度完成138项",
    "1990-03-05 123元",
    "截至1767225600000",
    "400-123-4567",
    "一二三四五六七八九十",
    "12.5%",
    "3.14159265358979",
];

#[test]
fn corpus_of_numbers_people_type() {
    for (input, expected) in MASKED {
        let (out, n) = mask_in_text(input);
        assert_eq!(&out, expected, "masking {input:?}");
        assert!(n >= 1, "{input:?} counted");
    }
}

#[test]
fn ordinary_text_is_left_alone() {
    for input in UNCHANGED {
        assert_eq!(mask_in_text(input), (input.to_string(), 0), "{input:?} must not change");
    }
}

#[test]
fn long_pathological_input_finishes() {
    // Linear time: digit groups that almost join, every kind of separator, a huge run.
    let mut s = String::new();
    for _ in 0..40_000 {
        s.push_str("1 2-3 ");
    }
    s.push_str(&"9".repeat(200_000));
    for _ in 0..20_000 {
        s.push_str("(0514)");
    }
    let (out, n) = mask_in_text(&s);
    assert_eq!(n, 1, "only the long run");
    assert!(out.len() < s.len() + 10);
}

// ---------------------------------------------------------------- generated variants

const SURROUNDING: &[&str] = &["", "我", "您好，", "请回电", "联系人张先生，", "。", "谢谢！", "路灯不亮", "Mr Li ", "（", "）", "，"];
const SEPARATORS: &[&str] = &[" ", "-", "－", "\u{3000}", " - ", "—", "  "];

fn render(number: &str, groups: &[usize], sep: &str, full_width: &[bool]) -> String {
    debug_assert_eq!(groups.iter().sum::<usize>(), number.len());
    let mut out = String::new();
    let mut chars = number.chars().enumerate();
    for (g, len) in groups.iter().enumerate() {
        if g > 0 {
            out.push_str(sep);
        }
        for (i, c) in chars.by_ref().take(*len) {
            let wide = full_width[i % full_width.len()];
            out.push(match c.to_digit(10) {
                Some(d) if wide => char::from_u32('０' as u32 + d).unwrap(),
                _ => c,
            });
        }
    }
    out
}

/// How many digits (of any width) a text shows.
fn digit_count(s: &str) -> usize {
    s.chars().filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c)).count()
}

fn surrounding() -> impl Strategy<Value = String> {
    prop::sample::select(SURROUNDING).prop_map(str::to_string)
}

/// The text around a number comes out as it went in, the number is masked once, and no more
/// than `kept` of its digits survive.
fn check(before: &str, number: &str, after: &str, kept: usize) -> Result<(), TestCaseError> {
    let text = format!("{before}{number}{after}");
    let (out, n) = mask_in_text(&text);
    prop_assert_eq!(n, 1, "{:?} → {:?}", text, out);
    prop_assert!(out.starts_with(before) && out.ends_with(after), "{:?} → {:?}", text, out);
    let middle = &out[before.len()..out.len() - after.len()];
    prop_assert!(middle.contains("****"), "{:?} → {:?}", text, out);
    prop_assert!(digit_count(middle) <= kept, "{:?} → {:?}", text, out);
    // Masking what is already masked changes nothing.
    prop_assert_eq!(mask_in_text(&out).0, out.clone());
    Ok(())
}

const MOBILE_GROUPS: &[&[usize]] = &[&[11], &[3, 4, 4], &[3, 8], &[4, 3, 4], &[3, 3, 5]];
const ID_GROUPS: &[&[usize]] = &[&[18], &[6, 8, 4], &[6, 4, 4, 4], &[4, 4, 4, 4, 2]];
const OLD_ID_GROUPS: &[&[usize]] = &[&[15], &[6, 6, 3], &[6, 9]];

proptest! {
    #[test]
    fn mobiles_however_written(
        second in 3u8..=9,
        rest in prop::collection::vec(0u8..=9, 9),
        groups in prop::sample::select(MOBILE_GROUPS),
        sep in prop::sample::select(SEPARATORS),
        full_width in prop::collection::vec(any::<bool>(), 1..4),
        prefix in prop::sample::select(&["", "Tel", "Tel:", "TEL ", "tel：", "手机", "电话：", "+86", "+86 ", "+86-", "＋86 ", "0086 ", "Phone: "][..]),
        before in surrounding(),
        after in surrounding(),
    ) {
        let digits: String = [1, second].iter().chain(&rest).map(|d| char::from(b'0' + d)).collect();
        let number = render(&digits, groups, sep, &full_width);
        let cc = if prefix.contains("86") { 4 } else { 0 };
        check(&format!("{before}{prefix}"), &number, &after, 7 + cc)?;
    }

    #[test]
    fn landlines_with_area_code(
        area in prop::sample::select(&["010", "020", "021", "025", "0514", "0512", "0755", "0431"][..]),
        first in 2u8..=9,
        rest in prop::collection::vec(0u8..=9, 6..=7),
        style in 0usize..5,
        sep in prop::sample::select(SEPARATORS),
        full_width in prop::collection::vec(any::<bool>(), 1..4),
        before in surrounding(),
        after in surrounding(),
    ) {
        let subscriber: String = std::iter::once(&first).chain(&rest).map(|d| char::from(b'0' + d)).collect();
        let (a, s) = (area.len(), subscriber.len());
        let digits = format!("{area}{subscriber}");
        let number = match style {
            0 => render(&digits, &[a + s], sep, &full_width),
            1 => render(&digits, &[a, s], sep, &full_width),
            2 => format!("({}){}", render(area, &[a], sep, &full_width), render(&subscriber, &[s], sep, &full_width)),
            3 => format!("（{}）{}", render(area, &[a], sep, &full_width), render(&subscriber, &[4, s - 4], sep, &full_width)),
            _ => render(&digits, &[a, 4, s - 4], sep, &full_width),
        };
        // A parenthesis just before would open the area code's own.
        let before = before.trim_end_matches(['（', '(']);
        check(before, &number, &after, 8)?;
    }

    #[test]
    fn id_numbers_right_or_wrong(
        region in prop::sample::select(&["110105", "320184", "321084", "440305", "510107", "650102"][..]),
        year in 1930u32..2020,
        month in 1u32..=12,
        day in 1u32..=28,
        seq in 0u32..1000,
        check_char in prop::sample::select(&["0", "5", "9", "X", "x"][..]),
        old in any::<bool>(),
        groups in prop::sample::select(ID_GROUPS),
        old_groups in prop::sample::select(OLD_ID_GROUPS),
        sep in prop::sample::select(SEPARATORS),
        full_width in prop::collection::vec(any::<bool>(), 1..4),
        before in surrounding(),
        after in surrounding(),
    ) {
        let number = if old {
            render(&format!("{region}{:02}{month:02}{day:02}{seq:03}", year % 100), old_groups, sep, &full_width)
        } else {
            render(&format!("{region}{year}{month:02}{day:02}{seq:03}{check_char}"), groups, sep, &full_width)
        };
        check(&before, &number, &after, 10)?;
    }

    #[test]
    fn dates_amounts_and_case_numbers_stay(
        year in 1990u32..2040,
        month in 1u32..=12,
        day in 1u32..=31,
        amount in 0u64..1_000_000_000,
        seq in 1u32..100_000,
        article in 1u32..200,
        joiner in prop::sample::select(&[" ", "，", "。", "元，", "至", "年度"][..]),
        order in prop::collection::vec(0usize..7, 1..8),
    ) {
        let pieces = [
            format!("{year}-{month:02}-{day:02}"),
            format!("{year}年{month}月{day}日"),
            format!("{amount}元"),
            format!("住建局依申〔{year}〕{seq}号"),
            format!("{year}{seq:06}"),
            format!("第{article}条"),
            format!("{month:02}:{day:02}"),
        ];
        let text = order.iter().map(|i| pieces[*i].as_str()).collect::<Vec<_>>().join(joiner);
        prop_assert_eq!(mask_in_text(&text), (text.clone(), 0));
    }
}
