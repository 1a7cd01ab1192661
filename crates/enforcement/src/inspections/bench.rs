//! `fazhi bench enforcement`: the draw over a generated pool (issue 13 §5: 100,000 entities and
//! 2,000 inspectors in < 200 ms on the server). The draw is a pure function of its inputs, so
//! the bench times exactly what the server does at 抽取, without the database around it.

use std::time::Instant;

use super::draw::{self, Entity, Inputs};

/// Run the draw `runs` times over a generated pool; print and return the times in ms.
pub fn draw_bench(entities: usize, inspectors: usize, runs: usize) -> Vec<f64> {
    let inputs = Inputs {
        entities: (0..entities)
            .map(|i| Entity { code: super::uscc::complete(&format!("91321081{:09}", i + 1)), risk: ["A", "A", "A", "B", "B", "C", "D"][i % 7].into() })
            .collect(),
        inspectors: (0..inspectors).map(|i| format!("32108{:06}", i + 1)).collect(),
        // One declared conflict in a hundred entities.
        conflicts: (0..entities / 100)
            .map(|i| (super::uscc::complete(&format!("91321081{:09}", i * 100 + 1)), format!("32108{:06}", i % inspectors.max(1) + 1)))
            .collect(),
        ratios: [300, 500, 1000, 2000],
        team: 2,
    };
    let texts = Instant::now();
    let hashes = [draw::sha256_hex(&draw::entity_text(&inputs.entities)), draw::sha256_hex(&draw::inspector_text(&inputs.inspectors))];
    println!("快照哈希（名录 {entities} 户、人员 {inspectors} 名）：{:.1} ms，{}…", texts.elapsed().as_secs_f64() * 1000.0, &hashes[0][..16]);
    let mut times = Vec::new();
    let mut first = None;
    for run in 0..runs.max(1) {
        let t = Instant::now();
        let drawn = draw::run(&inputs, &format!("{:064x}", run)).expect("enough inspectors");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        first.get_or_insert(drawn.len());
    }
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    println!(
        "抽取 {} 次：抽中 {} 户（每户 2 名检查人员）；用时 中位数 {:.1} ms，最大 {:.1} ms（目标 < 200 ms）",
        times.len(),
        first.unwrap_or(0),
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    times
}
