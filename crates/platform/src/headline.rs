//! A record's title made from its text (a ticket without a subject is titled by the start of
//! what the caller said): whole sentences or clauses, never a cut in mid-clause left hanging
//! on a comma.

/// Sentence ends: the title may stop after one.
const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '；', ';'];
/// Clause breaks: the title may stop before one, with "…" for what follows.
const CLAUSE_BREAK: &[char] = &['，', ',', '、', '：', ':', '（', '(', ' '];
/// Nothing a title ends on.
const TRAILING: &[char] = &['，', ',', '、', '：', ':', '；', ';', '。', '（', '(', ' '];

/// The start of `text` as a title of at most `max` characters (an "…" included): the whole text
/// when it fits, else up to the last sentence end, else up to the last clause break with "…",
/// else cut with "…". A cut is taken only past the first third, so that the title says
/// something.
pub fn headline(text: &str, max: usize) -> String {
    let mut clean = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            if !clean.ends_with(' ') && !clean.is_empty() {
                clean.push(' ');
            }
        } else {
            clean.push(c);
        }
    }
    let chars: Vec<char> = clean.chars().collect();
    let max = max.max(4);
    if chars.len() <= max {
        return trim_end(&chars).iter().collect();
    }
    let window = &chars[..max];
    let floor = max / 3;
    if let Some(end) = window.iter().rposition(|c| SENTENCE_END.contains(c)).filter(|&i| i >= floor) {
        return trim_end(&window[..end]).iter().collect();
    }
    // Leave room for the "…".
    let window = &chars[..max - 1];
    let cut = window.iter().rposition(|c| CLAUSE_BREAK.contains(c)).filter(|&i| i >= floor).unwrap_or(window.len());
    let mut out: String = trim_end(&window[..cut]).iter().collect();
    out.push('…');
    out
}

fn trim_end(chars: &[char]) -> &[char] {
    let mut end = chars.len();
    while end > 0 && TRAILING.contains(&chars[end - 1]) {
        end -= 1;
    }
    &chars[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_end_at_a_sentence_or_a_clause() {
        // Fits: kept whole, without a dangling comma.
        assert_eq!(headline("小区路灯不亮，", 30), "小区路灯不亮");
        // A sentence ends inside the limit: the title is that sentence.
        assert_eq!(headline("东湖镇幸福村路灯坏了三个月。晚上出行很不方便，老人摔倒过两次，希望尽快修好。", 30), "东湖镇幸福村路灯坏了三个月");
        // Only clauses: cut before the last comma that fits, with "…".
        let t = headline("我家楼下的早餐店每天凌晨四点开始用鼓风机，噪音很大，严重影响休息，多次沟通无果", 30);
        assert_eq!(t, "我家楼下的早餐店每天凌晨四点开始用鼓风机，噪音很大…");
        assert!(t.chars().count() <= 30);
        // No break at all: cut with "…".
        let t = headline(&"长".repeat(50), 30);
        assert_eq!(t.chars().count(), 30);
        assert!(t.ends_with('…'));
        // Line breaks and runs of spaces become one space.
        assert_eq!(headline("路灯\n\n不亮", 30), "路灯 不亮");
    }

    #[test]
    fn a_title_never_ends_on_a_comma() {
        for n in 1..80 {
            let text: String = "噪音扰民，影响休息、学习和工作；".chars().cycle().take(n).collect();
            let t = headline(&text, 30);
            assert!(t.chars().count() <= 30, "{t}");
            assert!(!t.ends_with(TRAILING), "{t}");
        }
    }
}
