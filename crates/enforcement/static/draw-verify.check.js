// `node crates/enforcement/static/draw-verify.check.js`: the browser verifier, run under Node
// (WebCrypto included), must give exactly the output draw.rs pins for the same fixed inputs.
const assert = require('assert');
const v = require('./draw-verify.js');
(async () => {
  const ents = [];
  for (let i = 0; i < 40; i++) ents.push({ code: 'E' + String(i).padStart(3, '0'), risk: 'ABCD'[i % 4] });
  const insp = [];
  for (let i = 0; i < 6; i++) insp.push('C' + i);
  const key = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff|2026-11-30 上证指数收盘 3300.12';
  const out = await v.run(ents, insp, [['E002', 'C1']], [1000, 2000, 3000, 5000], 2, key);
  const pinned = 'E004,A,C4;C0\nE021,B,C5;C0\nE005,B,C1;C2\nE014,C,C1;C3\nE010,C,C1;C5\nE026,C,C5;C1\nE039,D,C5;C4\nE003,D,C4;C5\nE023,D,C5;C2\nE027,D,C0;C1\nE031,D,C1;C3\n';
  assert.strictEqual(out.map((l) => l + '\n').join(''), pinned);
  assert.strictEqual(v.hex(await v.sha('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  console.log('draw-verify.js: the pinned draw is reproduced');
})().catch((e) => { console.error(e); process.exit(1); });
