//! The draw of 双随机、一公开, as a pure function of published inputs, so that anyone can re-run
//! it (the portal's verifier does, in the citizen's browser, with `static/draw-verify.js`, which
//! implements exactly this file). Nothing here reads the clock, the database or a random source.
//!
//! Inputs (all published on the portal after the draw; the pools' hashes and the seed's hash are
//! published before it):
//! - the entity pool: one line `统一社会信用代码,风险等级\n` per entity, sorted by code (bytes);
//! - the inspector pool: one line `执法证号\n` per eligible inspector, sorted;
//! - the declared conflicts (回避): one line `统一社会信用代码,执法证号\n` per pair, sorted;
//! - the ratio per risk class in basis points (1 = 0.01%) and the team size (≥ 2);
//! - the seed (64 hex characters, committed by its SHA-256 before the draw) and, when one was
//!   named in advance, a public value; the key is `seed` or `seed|public value`.
//!
//! The draw:
//! 1. each entity's score is SHA-256(key ‖ "|" ‖ code) in lowercase hex; within each risk class
//!    (A, B, C, D in that order) entities are ranked by score ascending (ties by code) and the
//!    first n = ⌈N × ratio ÷ 10000⌉ are drawn (rounded up: a ratio is a floor, 58号 §二(三));
//! 2. for each drawn entity, in the order drawn, inspectors are picked by trying j = 0, 1, 2, …:
//!    h = SHA-256(key ‖ "|" ‖ code ‖ "|" ‖ j), v = the first 6 bytes of h as an unsigned
//!    big-endian integer, candidate = pool[v mod M]; a candidate already picked for this entity
//!    or with a declared conflict with it is skipped; until `team` are picked.
//!
//! Every step is integer or byte arithmetic on UTF-8 text: the same inputs give the same result
//! on every machine, engine and browser (the unit test below pins an exact output).

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

/// Risk classes (信用风险分类), in the order strata are drawn.
pub const CLASSES: [&str; 4] = ["A", "B", "C", "D"];

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// One entity of the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub code: String,
    pub risk: String,
}

/// The inputs of one draw.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub entities: Vec<Entity>,
    pub inspectors: Vec<String>,
    /// (entity code, certificate number)
    pub conflicts: Vec<(String, String)>,
    /// Basis points per class A, B, C, D.
    pub ratios: [i64; 4],
    pub team: usize,
}

/// The canonical texts whose SHA-256 are published before the draw.
pub fn entity_text(entities: &[Entity]) -> String {
    let mut v: Vec<&Entity> = entities.iter().collect();
    v.sort_by(|a, b| a.code.as_bytes().cmp(b.code.as_bytes()));
    v.iter().map(|e| format!("{},{}\n", e.code, e.risk)).collect()
}
pub fn inspector_text(inspectors: &[String]) -> String {
    let mut v: Vec<&String> = inspectors.iter().collect();
    v.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    v.iter().map(|c| format!("{c}\n")).collect()
}
pub fn conflict_text(conflicts: &[(String, String)]) -> String {
    let mut v: Vec<String> = conflicts.iter().map(|(e, c)| format!("{e},{c}\n")).collect();
    v.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    v.dedup();
    v.concat()
}

/// The key the scores are computed from.
pub fn key(seed: &str, public_value: Option<&str>) -> String {
    match public_value.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => format!("{seed}|{p}"),
        None => seed.to_string(),
    }
}

/// How many of `n` entities a ratio of `bp` basis points draws (rounded up).
pub fn quota(n: usize, bp: i64) -> usize {
    let bp = bp.clamp(0, 10_000) as usize;
    (n * bp).div_ceil(10_000)
}

/// One drawn entity with its inspectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    pub code: String,
    pub risk: String,
    pub score: String,
    pub inspectors: Vec<String>,
}

/// Why a draw cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrawError {
    TeamTooSmall,
    NotEnoughInspectors { code: String, eligible: usize },
}

/// Entities that, after recusal, have fewer eligible inspectors than the team needs.
pub fn short_of_inspectors(inputs: &Inputs) -> Option<(String, usize)> {
    let m = inputs.inspectors.len();
    let mut per: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    let pool: HashSet<&str> = inputs.inspectors.iter().map(String::as_str).collect();
    for (e, c) in &inputs.conflicts {
        if pool.contains(c.as_str()) {
            per.entry(e.as_str()).or_default().insert(c.as_str());
        }
    }
    for e in &inputs.entities {
        let eligible = m - per.get(e.code.as_str()).map(|s| s.len()).unwrap_or(0);
        if eligible < inputs.team {
            return Some((e.code.clone(), eligible));
        }
    }
    None
}

/// The draw. Sorted copies of the pools are used, so the caller's order never matters.
pub fn run(inputs: &Inputs, key: &str) -> Result<Vec<Drawn>, DrawError> {
    if inputs.team < 2 {
        return Err(DrawError::TeamTooSmall);
    }
    let mut pool: Vec<&str> = inputs.inspectors.iter().map(String::as_str).collect();
    pool.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    pool.dedup();
    let conflicts: HashSet<(&str, &str)> = inputs.conflicts.iter().map(|(e, c)| (e.as_str(), c.as_str())).collect();
    // Conflicts per entity with inspectors of the pool (a pair counts once), so that the
    // eligible count is not a scan of the pool for every drawn entity.
    let in_pool: HashSet<&str> = pool.iter().copied().collect();
    let mut recused: BTreeMap<&str, usize> = BTreeMap::new();
    for (e, c) in &conflicts {
        if in_pool.contains(c) {
            *recused.entry(e).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    // The hasher fed with "key|" once, cloned per entity; scores compared as bytes, which orders
    // them exactly as their hex text does.
    let prefix = Sha256::new_with_prefix(format!("{key}|").as_bytes());
    for (ci, class) in CLASSES.iter().enumerate() {
        let mut stratum: Vec<([u8; 32], &Entity)> = inputs
            .entities
            .iter()
            .filter(|e| e.risk == *class)
            .map(|e| {
                let mut h = prefix.clone();
                h.update(e.code.as_bytes());
                (h.finalize().into(), e)
            })
            .collect();
        stratum.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.as_bytes().cmp(b.1.code.as_bytes())));
        let n = quota(stratum.len(), inputs.ratios[ci]);
        for (score, e) in stratum.into_iter().take(n) {
            let score = hex(&score);
            let eligible = pool.len() - recused.get(e.code.as_str()).copied().unwrap_or(0);
            if eligible < inputs.team {
                return Err(DrawError::NotEnoughInspectors { code: e.code.clone(), eligible });
            }
            let mut picked: Vec<String> = Vec::with_capacity(inputs.team);
            let mut j: u64 = 0;
            while picked.len() < inputs.team {
                let h = Sha256::digest(format!("{key}|{}|{j}", e.code).as_bytes());
                let v = h[..6].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                let c = pool[(v % pool.len() as u64) as usize];
                if !picked.iter().any(|p| p == c) && !conflicts.contains(&(e.code.as_str(), c)) {
                    picked.push(c.to_string());
                }
                j += 1;
            }
            out.push(Drawn { code: e.code.clone(), risk: e.risk.clone(), score, inspectors: picked });
        }
    }
    Ok(out)
}

/// The published result as one text (one line per drawn entity: code,risk,inspector;inspector),
/// which the verifier compares line by line.
pub fn result_text(drawn: &[Drawn]) -> String {
    drawn.iter().map(|d| format!("{},{},{}\n", d.code, d.risk, d.inspectors.join(";"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        let risks = ["A", "B", "C", "D"];
        Inputs {
            entities: (0..40).map(|i| Entity { code: format!("E{i:03}"), risk: risks[i % 4].to_string() }).collect(),
            inspectors: (0..6).map(|i| format!("C{i}")).collect(),
            conflicts: vec![("E002".into(), "C1".into())],
            ratios: [1000, 2000, 3000, 5000],
            team: 2,
        }
    }

    #[test]
    fn sha256_and_hex_are_the_standard_ones() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn quotas_round_up() {
        assert_eq!(quota(10, 1000), 1);
        assert_eq!(quota(11, 1000), 2);
        assert_eq!(quota(0, 5000), 0);
        assert_eq!(quota(3, 10_000), 3);
        assert_eq!(quota(100_000, 500), 5000);
        assert_eq!(quota(7, 1), 1, "any positive ratio draws at least one of a non-empty stratum");
    }

    /// The exact output for fixed inputs: any change to the algorithm (or a machine, engine or
    /// library that computed differently) fails here. The JS verifier is tested against the same.
    #[test]
    fn a_fixed_draw_gives_a_fixed_result() {
        let k = key("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", Some("2026-11-30 上证指数收盘 3300.12"));
        let drawn = run(&inputs(), &k).unwrap();
        assert_eq!(result_text(&drawn), PINNED, "{}", result_text(&drawn));
        // The caller's order does not matter.
        let mut shuffled = inputs();
        shuffled.entities.reverse();
        shuffled.inspectors.reverse();
        assert_eq!(run(&shuffled, &k).unwrap(), drawn);
    }

    /// Computed independently by the browser verifier (static/draw-verify.js under Node, see
    /// static/draw-verify.check.js) and by a Python transcription of the module comment.
    const PINNED: &str = "E004,A,C4;C0\nE021,B,C5;C0\nE005,B,C1;C2\nE014,C,C1;C3\nE010,C,C1;C5\nE026,C,C5;C1\nE039,D,C5;C4\nE003,D,C4;C5\nE023,D,C5;C2\nE027,D,C0;C1\nE031,D,C1;C3\n";

    #[test]
    fn the_draw_respects_strata_teams_and_recusal() {
        let inp = inputs();
        for seed in ["a", "b", "c", "d", "e", "f", "g"] {
            let drawn = run(&inp, seed).unwrap();
            // 10 per class: A 10% → 1, B 20% → 2, C 30% → 3, D 50% → 5.
            for (class, n) in [("A", 1), ("B", 2), ("C", 3), ("D", 5)] {
                assert_eq!(drawn.iter().filter(|d| d.risk == class).count(), n);
            }
            for d in &drawn {
                assert_eq!(d.inspectors.len(), 2);
                assert_ne!(d.inspectors[0], d.inspectors[1]);
                if d.code == "E002" {
                    assert!(!d.inspectors.contains(&"C1".to_string()), "a declared conflict excludes the inspector");
                }
            }
        }
        // A different seed draws differently; the same seed the same.
        assert_ne!(run(&inp, "a").unwrap(), run(&inp, "b").unwrap());
        assert_eq!(run(&inp, "a").unwrap(), run(&inp, "a").unwrap());
    }

    #[test]
    fn too_few_inspectors_after_recusal_is_refused() {
        let mut inp = inputs();
        inp.inspectors = vec!["C0".into(), "C1".into()];
        inp.ratios = [10_000; 4];
        assert_eq!(run(&inp, "x"), Err(DrawError::NotEnoughInspectors { code: "E002".into(), eligible: 1 }));
        assert_eq!(short_of_inspectors(&inp), Some(("E002".into(), 1)));
        inp.team = 1;
        assert_eq!(run(&inp, "x"), Err(DrawError::TeamTooSmall));
    }

    #[test]
    fn canonical_texts_are_sorted_and_hashable() {
        let t = entity_text(&[Entity { code: "B".into(), risk: "C".into() }, Entity { code: "A".into(), risk: "D".into() }]);
        assert_eq!(t, "A,D\nB,C\n");
        assert_eq!(inspector_text(&["2".into(), "1".into()]), "1\n2\n");
        assert_eq!(conflict_text(&[("E".into(), "2".into()), ("E".into(), "1".into()), ("E".into(), "1".into())]), "E,1\nE,2\n");
    }
}
