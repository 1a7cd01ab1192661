//! Pure rules of major decisions: the experts of an expert review (each signs, none with a direct
//! interest, Art. 19–20), the legality review's minimum time (Art. 26), the hearing's notice
//! (Art. 16), and the grouping of public comments into mass campaigns (near-identical texts,
//! bursts from one source) so that staff see one group with its count instead of thousands of
//! copies — nothing is dropped.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::error::FieldError;

/// One expert of a review, read from a line `姓名｜单位或专业｜论证意见要点｜利害关系：无`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expert {
    pub name: String,
    pub affiliation: String,
    pub opinion: String,
}

pub const MAX_EXPERTS: usize = 50;

/// Read the experts; refuse one with a direct interest in the matter (Art. 20) and lines that
/// lack a name, an affiliation or an opinion.
pub fn parse_experts(text: &str) -> Result<Vec<Expert>, FieldError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split(['｜', '|']).map(str::trim).collect();
        let n = i + 1;
        if parts.len() < 3 || parts[..3].iter().any(|p| p.is_empty()) {
            return Err(FieldError::new("experts", "expert_line_incomplete", format!("第{n}行须写明专家姓名、单位或专业、论证意见要点，以“｜”分隔")));
        }
        if parts[0].chars().count() > 30 || parts[1].chars().count() > 60 || parts[2].chars().count() > 1000 {
            return Err(FieldError::new("experts", "expert_line_too_long", format!("第{n}行过长：姓名不超过30字，单位不超过60字，意见不超过1000字")));
        }
        let interest = parts.get(3).map(|s| s.trim_start_matches("利害关系").trim_start_matches(['：', ':']).trim()).unwrap_or("无");
        if !matches!(interest, "无" | "") {
            return Err(FieldError::new(
                "experts",
                "expert_conflict_of_interest",
                format!("专家{}与决策事项有直接利害关系（{interest}），不得参与论证（重大行政决策程序暂行条例第二十条）", parts[0]),
            ));
        }
        out.push(Expert { name: parts[0].to_string(), affiliation: parts[1].to_string(), opinion: parts[2].to_string() });
    }
    if out.is_empty() {
        return Err(FieldError::new("experts", "experts_required", "请列出参加论证的专家，每行一位"));
    }
    if out.len() > MAX_EXPERTS {
        return Err(FieldError::new("experts", "too_many_experts", format!("专家不能超过{MAX_EXPERTS}位")));
    }
    let mut names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(FieldError::new("experts", "expert_repeated", format!("专家{}重复列出", w[0])));
    }
    Ok(out)
}

/// The review time the submitter guarantees: by default 7 working days after sending (Art. 26);
/// fewer only with a reason (the article says 一般).
pub fn review_until(sent: NaiveDate, until: Option<NaiveDate>, short_reason: Option<&str>, cal: &Calendar) -> Result<NaiveDate, FieldError> {
    let min = cal.add_working_days(sent, 7);
    let until = until.unwrap_or(min);
    if until <= sent {
        return Err(FieldError::new("review_until", "review_until_not_after_sending", "保证审查时间须晚于送审之日"));
    }
    if until < min && short_reason.map(str::trim).is_none_or(str::is_empty) {
        let wd = cal.working_days_between(sent, until);
        return Err(FieldError::new(
            "short_reason",
            "review_time_too_short",
            format!("审查时间仅{wd}个工作日，少于一般不少于7个工作日的要求（至{}），须说明理由（第二十六条）", crate::time::fmt_date(min)),
        ));
    }
    Ok(until)
}

/// Hearing materials reach the participants at least 7 days before the hearing (Art. 16).
pub fn hearing_notice(hearing_on: NaiveDate, materials_on: NaiveDate) -> Result<(), FieldError> {
    let days = (hearing_on - materials_on).num_days();
    if days < 7 {
        return Err(FieldError::new(
            "materials_on",
            "hearing_notice_too_short",
            format!("听证会材料应当于召开听证会7日前送达听证参加人，本次仅提前{}日（第十六条）", days.max(0)),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------ mass campaigns

/// A comment as the grouping sees it.
#[derive(Clone, Debug)]
pub struct CommentIn<'a> {
    pub id: i64,
    /// Who sent it: a hash of the verified phone, or the staff-registered author.
    pub source: &'a str,
    pub body: &'a str,
    /// Milliseconds since the epoch.
    pub at: i64,
}

/// The text reduced to what a campaign cannot vary cheaply: letters and CJK characters, without
/// punctuation, spaces, digits or case.
pub fn normalise(text: &str) -> String {
    text.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect()
}

/// A 64-bit SimHash of the text's character trigrams: near-identical texts differ in few bits.
pub fn simhash(text: &str) -> u64 {
    let chars: Vec<char> = normalise(text).chars().collect();
    if chars.is_empty() {
        return 0;
    }
    let mut weights = [0i32; 64];
    let grams = if chars.len() < 3 { vec![chars.as_slice()] } else { chars.windows(3).collect() };
    for g in grams {
        // FNV-1a: stable across runs and machines (the grouping must be reproducible).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for c in g {
            for b in (*c as u32).to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        for (i, w) in weights.iter_mut().enumerate() {
            if (h >> i) & 1 == 1 { *w += 1 } else { *w -= 1 }
        }
    }
    weights.iter().enumerate().fold(0u64, |acc, (i, w)| if *w > 0 { acc | 1 << i } else { acc })
}

/// Texts whose SimHashes differ in at most this many bits are near-identical.
pub const NEAR: u32 = 3;
/// One source sending at least this many comments within `BURST_MS` is a burst.
pub const BURST_COUNT: usize = 5;
pub const BURST_MS: i64 = 60 * 60 * 1000;
/// A group of near-identical texts is a campaign from this size on.
pub const CAMPAIGN_SIZE: usize = 5;

/// What a group is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// One comment, or a handful alike: shown one by one.
    Single,
    /// Many near-identical texts (from any sources).
    NearIdentical,
    /// Many comments from one source in a short time.
    Burst,
}

impl GroupKind {
    pub fn label(self) -> &'static str {
        match self {
            GroupKind::Single => "",
            GroupKind::NearIdentical => "内容高度雷同",
            GroupKind::Burst => "同一来源短时集中提交",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub kind: GroupKind,
    /// The comment shown for the group (the earliest).
    pub first: i64,
    pub ids: Vec<i64>,
    pub sources: usize,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Group the comments of a window. Near-identical texts are found by banding the SimHash (four
/// bands of 16 bits: two hashes within `NEAR` bits share at least one band exactly), so the cost
/// stays near linear for 100,000 comments. Every comment is in exactly one group.
pub fn group(comments: &[CommentIn<'_>]) -> Vec<Group> {
    let n = comments.len();
    let hashes: Vec<u64> = comments.iter().map(|c| simhash(c.body)).collect();
    let mut parent: Vec<usize> = (0..n).collect();
    for band in 0..4 {
        let mut buckets: std::collections::HashMap<u16, Vec<usize>> = std::collections::HashMap::new();
        for (i, h) in hashes.iter().enumerate() {
            buckets.entry((h >> (band * 16)) as u16).or_default().push(i);
        }
        for members in buckets.values() {
            let head = members[0];
            for &m in &members[1..] {
                // Compare with the bucket's first member and its own root's representative: enough
                // to chain copies of one text, without comparing every pair of a big bucket.
                let root = find(&mut parent, head);
                if (hashes[m] ^ hashes[head]).count_ones() <= NEAR || (hashes[m] ^ hashes[root]).count_ones() <= NEAR {
                    let (a, b) = (find(&mut parent, m), root);
                    if a != b {
                        parent[a] = b;
                    }
                }
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    let mut grouped = vec![false; n];
    let mut out = Vec::new();
    for members in by_root.values() {
        if members.len() >= CAMPAIGN_SIZE {
            out.push(make(GroupKind::NearIdentical, members, comments));
            for &m in members {
                grouped[m] = true;
            }
        }
    }
    // Bursts among what is left: one source, `BURST_COUNT` or more within `BURST_MS`.
    let mut by_source: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, c) in comments.iter().enumerate() {
        if !grouped[i] {
            by_source.entry(c.source).or_default().push(i);
        }
    }
    for members in by_source.values_mut() {
        members.sort_by_key(|&i| comments[i].at);
        let mut start = 0;
        while start < members.len() {
            let mut end = start;
            while end + 1 < members.len() && comments[members[end + 1]].at - comments[members[start]].at <= BURST_MS {
                end += 1;
            }
            if end + 1 - start >= BURST_COUNT {
                let run = &members[start..=end];
                out.push(make(GroupKind::Burst, run, comments));
                for &m in run {
                    grouped[m] = true;
                }
                start = end + 1;
            } else {
                start += 1;
            }
        }
    }
    for (i, c) in comments.iter().enumerate() {
        if !grouped[i] {
            out.push(Group { kind: GroupKind::Single, first: c.id, ids: vec![c.id], sources: 1 });
        }
    }
    out.sort_by_key(|g| (std::cmp::Reverse(g.ids.len()), g.first));
    out
}

fn make(kind: GroupKind, members: &[usize], comments: &[CommentIn<'_>]) -> Group {
    let first = members.iter().min_by_key(|&&i| (comments[i].at, comments[i].id)).map(|&i| comments[i].id).unwrap_or(0);
    let mut sources: Vec<&str> = members.iter().map(|&i| comments[i].source).collect();
    sources.sort_unstable();
    sources.dedup();
    Group { kind, first, ids: members.iter().map(|&i| comments[i].id).collect(), sources: sources.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn experts_sign_and_have_no_interest() {
        let e = parse_experts("张明｜扬州大学交通学院｜方案可行，建议分期实施\n李华|市规划设计院|同意|利害关系：无").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].affiliation, "市规划设计院");
        let c = parse_experts("王强｜某建设公司｜同意｜利害关系：系投标单位股东").unwrap_err();
        assert_eq!(c.code, "expert_conflict_of_interest");
        assert!(c.message.contains("王强") && c.message.contains("第二十条"), "{}", c.message);
        assert_eq!(parse_experts("张明｜｜同意").unwrap_err().code, "expert_line_incomplete");
        assert_eq!(parse_experts("  ").unwrap_err().code, "experts_required");
        assert_eq!(parse_experts("张明｜甲｜同意\n张明｜乙｜同意").unwrap_err().code, "expert_repeated");
    }

    #[test]
    fn seven_working_days_of_legality_review_or_a_reason() {
        let cal = Calendar::official();
        // Monday 2026-03-02: seven working days later is Wednesday 2026-03-11.
        assert_eq!(review_until(d("2026-03-02"), None, None, &cal).unwrap(), d("2026-03-11"));
        let e = review_until(d("2026-03-02"), Some(d("2026-03-05")), None, &cal).unwrap_err();
        assert_eq!(e.code, "review_time_too_short");
        assert!(e.message.contains("3个工作日"), "{}", e.message);
        assert!(review_until(d("2026-03-02"), Some(d("2026-03-05")), Some("防汛工程急需"), &cal).is_ok());
        assert_eq!(review_until(d("2026-03-02"), Some(d("2026-03-02")), Some("x"), &cal).unwrap_err().code, "review_until_not_after_sending");
    }

    #[test]
    fn hearing_materials_seven_days_before() {
        assert!(hearing_notice(d("2026-03-10"), d("2026-03-03")).is_ok());
        assert_eq!(hearing_notice(d("2026-03-10"), d("2026-03-05")).unwrap_err().code, "hearing_notice_too_short");
    }

    #[test]
    fn near_identical_texts_are_one_group_and_nothing_is_dropped() {
        let base = "坚决反对在东湖公园旁建设垃圾中转站，影响周边居民生活和学校环境，请另行选址！";
        let mut texts: Vec<String> = (0..40).map(|i| format!("{base}{}", if i % 3 == 0 { "。" } else { "" })).collect();
        texts.push(" 坚决反对在东湖公园旁建设垃圾中转站,影响周边居民生活和学校环境,请另行选址".into());
        texts.push("建议中转站采用全封闭设计，并在早晚高峰避开学校周边道路运输。".into());
        texts.push("希望公布中转站的环境影响评价报告全文。".into());
        let sources: Vec<String> = (0..texts.len()).map(|i| format!("p{i}")).collect();
        let comments: Vec<CommentIn> =
            texts.iter().enumerate().map(|(i, t)| CommentIn { id: i as i64 + 1, source: &sources[i], body: t, at: i as i64 * 1000 }).collect();
        let groups = group(&comments);
        assert_eq!(groups.iter().map(|g| g.ids.len()).sum::<usize>(), comments.len(), "every comment in a group");
        assert_eq!(groups[0].kind, GroupKind::NearIdentical);
        assert_eq!(groups[0].ids.len(), 41);
        assert_eq!(groups[0].sources, 41);
        assert_eq!(groups.iter().filter(|g| g.kind == GroupKind::Single).count(), 2);
    }

    #[test]
    fn a_burst_from_one_source_is_a_group() {
        let texts = ["道路太窄", "噪声扰民", "停车难", "绿化少", "公交少", "路灯暗"];
        let mut comments: Vec<CommentIn> =
            texts.iter().enumerate().map(|(i, t)| CommentIn { id: i as i64 + 1, source: "same", body: t, at: i as i64 * 60_000 }).collect();
        comments.push(CommentIn { id: 99, source: "other", body: "支持", at: 0 });
        let groups = group(&comments);
        assert_eq!(groups[0].kind, GroupKind::Burst);
        assert_eq!(groups[0].ids.len(), 6);
        assert_eq!(groups[0].sources, 1);
        assert_eq!(groups.len(), 2);
        // Spread over a day, the same source is not a burst.
        let spread: Vec<CommentIn> =
            texts.iter().enumerate().map(|(i, t)| CommentIn { id: i as i64 + 1, source: "same", body: t, at: i as i64 * BURST_MS }).collect();
        assert!(group(&spread).iter().all(|g| g.kind == GroupKind::Single));
    }
}
