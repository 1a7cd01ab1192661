// 双随机抽取验证器: re-runs a published draw in the citizen's browser, exactly as
// crates/enforcement/src/inspections/draw.rs does on the server, with the browser's own SHA-256
// (WebCrypto). It reads the inputs from the page's text areas (filled from the published data,
// or pasted by the citizen from his own copy), recomputes the hashes published before the draw
// and the draw itself, and says "一致" or precisely what does not match.
(function () {
  'use strict';
  var CLASSES = ['A', 'B', 'C', 'D'];
  var enc = new TextEncoder();

  function hex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }
  function sha(text) {
    return crypto.subtle.digest('SHA-256', enc.encode(text)).then(function (b) { return new Uint8Array(b); });
  }
  // Many digests at once, in batches (100,000 entities in a few seconds).
  async function shaAll(texts) {
    var out = new Array(texts.length);
    for (var i = 0; i < texts.length; i += 4000) {
      var part = await Promise.all(texts.slice(i, i + 4000).map(sha));
      for (var k = 0; k < part.length; k++) out[i + k] = hex(part[k]);
    }
    return out;
  }
  // Codes are ASCII: UTF-16 order is byte order.
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function lines(t) {
    return t.split('\n').map(function (l) { return l.replace(/\r$/, '').trim(); }).filter(function (l) { return l.length > 0; });
  }
  function canonical(ls, dedup) {
    var v = ls.slice().sort(cmp);
    if (dedup) v = v.filter(function (l, i) { return i === 0 || l !== v[i - 1]; });
    return v.map(function (l) { return l + '\n'; }).join('');
  }
  function quota(n, bp) {
    bp = Math.max(0, Math.min(10000, bp));
    return Math.floor((n * bp + 9999) / 10000);
  }

  async function run(entities, inspectors, conflicts, ratios, team, key) {
    var pool = inspectors.slice().sort(cmp).filter(function (c, i, a) { return i === 0 || c !== a[i - 1]; });
    var conf = new Set(conflicts.map(function (c) { return c[0] + '\u0000' + c[1]; }));
    // Conflicts per entity with inspectors of the pool (a pair counts once).
    var inPool = new Set(pool);
    var recused = new Map();
    conf.forEach(function (k) {
      var p = k.split('\u0000');
      if (inPool.has(p[1])) recused.set(p[0], (recused.get(p[0]) || 0) + 1);
    });
    var scores = await shaAll(entities.map(function (e) { return key + '|' + e.code; }));
    var out = [];
    for (var ci = 0; ci < 4; ci++) {
      var stratum = [];
      entities.forEach(function (e, i) { if (e.risk === CLASSES[ci]) stratum.push([scores[i], e]); });
      stratum.sort(function (a, b) { return cmp(a[0], b[0]) || cmp(a[1].code, b[1].code); });
      var n = quota(stratum.length, ratios[ci]);
      for (var s = 0; s < n; s++) {
        var e = stratum[s][1];
        var eligible = pool.length - (recused.get(e.code) || 0);
        if (eligible < team) throw new Error('检查对象 ' + e.code + ' 回避后可选派的检查人员不足 ' + team + ' 名');
        var picked = [];
        for (var j = 0; picked.length < team; j++) {
          var h = await sha(key + '|' + e.code + '|' + j);
          var v = 0;
          for (var k = 0; k < 6; k++) v = v * 256 + h[k];
          var c = pool[v % pool.length];
          if (picked.indexOf(c) < 0 && !conf.has(e.code + '\u0000' + c)) picked.push(c);
        }
        out.push(e.code + ',' + e.risk + ',' + picked.join(';'));
      }
    }
    return out;
  }

  function el(id) { return document.getElementById(id); }
  function item(list, ok, text) {
    var li = document.createElement('li');
    li.className = ok ? 'ok' : 'bad';
    li.textContent = (ok ? '✓ ' : '✗ ') + text;
    list.appendChild(li);
    return ok;
  }

  async function verify(root) {
    var out = el('verify-result');
    var list = el('verify-checks');
    var verdict = el('verify-verdict');
    list.textContent = '';
    verdict.textContent = '正在验证……';
    verdict.className = 'verdict';
    out.hidden = false;
    var d = root.dataset;
    var t0 = performance.now();
    try {
      var seed = el('v-seed').value.trim();
      var pub = el('v-public').value.trim();
      var eLines = lines(el('v-entities').value);
      var iLines = lines(el('v-inspectors').value);
      var cLines = lines(el('v-conflicts').value);
      var all = true;
      all = item(list, hex(await sha(seed)) === d.seedHash, '种子的SHA-256与抽取前公布的种子承诺值' + (hex(await sha(seed)) === d.seedHash ? '一致' : '不一致（种子被改动）')) && all;
      var eh = hex(await sha(canonical(eLines, false)));
      all = item(list, eh === d.entityHash, '检查对象名录快照（' + eLines.length + '户）的SHA-256' + (eh === d.entityHash ? '与抽取前公布的一致' : '为 ' + eh + '，与抽取前公布的 ' + d.entityHash + ' 不一致（名录被改动）')) && all;
      var ih = hex(await sha(canonical(iLines, false)));
      all = item(list, ih === d.inspectorHash, '执法检查人员名录快照（' + iLines.length + '名）的SHA-256' + (ih === d.inspectorHash ? '与抽取前公布的一致' : '为 ' + ih + '，与抽取前公布的不一致（名录被改动）')) && all;
      var chh = hex(await sha(canonical(cLines, true)));
      all = item(list, chh === d.conflictHash, '回避名单（' + cLines.length + '条）的SHA-256' + (chh === d.conflictHash ? '与抽取前公布的一致' : '与抽取前公布的不一致（回避名单被改动）')) && all;
      var bad = eLines.filter(function (l) { var p = l.split(','); return p.length !== 2 || CLASSES.indexOf(p[1]) < 0; });
      if (bad.length) throw new Error('检查对象名录第一处格式错误：“' + bad[0] + '”（应为 统一社会信用代码,风险等级）');
      var entities = eLines.map(function (l) { var p = l.split(','); return { code: p[0], risk: p[1] }; });
      var conflicts = cLines.map(function (l) { return l.split(','); });
      var ratios = d.ratios.split(',').map(Number);
      var key = pub ? seed + '|' + pub : seed;
      var got = await run(entities, iLines, conflicts, ratios, Number(d.team), key);
      var want = lines(el('v-expected').value);
      var diffs = [];
      for (var i = 0; i < Math.max(got.length, want.length); i++) {
        if (got[i] !== want[i]) diffs.push('第' + (i + 1) + '位：重新抽取为“' + (got[i] || '（无）') + '”，公布为“' + (want[i] || '（无）') + '”');
      }
      all = item(list, diffs.length === 0, diffs.length === 0
        ? '按公布的算法重新抽取，' + got.length + '户检查对象及其检查人员与公布的抽取结果完全一致'
        : '重新抽取的结果与公布的不一致（共' + diffs.length + '处）：' + diffs.slice(0, 5).join('；')) && all;
      verdict.textContent = all ? '一致' : '不一致';
      verdict.className = 'tag verdict ' + (all ? 'green' : 'red');
      el('verify-time').textContent = '在本浏览器中用时 ' + Math.round(performance.now() - t0) + ' 毫秒';
      out.scrollIntoView({ block: 'start' });
    } catch (err) {
      item(list, false, err.message);
      verdict.textContent = '不一致';
      verdict.className = 'tag verdict red';
      out.scrollIntoView({ block: 'start' });
    }
  }

  async function load(root) {
    var status = el('verify-load');
    try {
      var r = await fetch(root.dataset.src, { credentials: 'same-origin' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      var data = await r.json();
      el('v-seed').value = data.seed || '';
      el('v-public').value = data.public_value || '';
      el('v-entities').value = data.entities;
      el('v-inspectors').value = data.inspectors;
      el('v-conflicts').value = data.conflicts;
      el('v-expected').value = data.result;
      status.textContent = '已载入公布的抽取数据。可直接验证，也可粘贴您自己保存的副本后验证。';
      el('verify-run').disabled = false;
    } catch (err) {
      status.textContent = '公布的抽取数据载入失败（' + err.message + '），请刷新页面重试。';
    }
  }

  // Under Node (the test that holds this file to draw.rs's pinned output) there is no page.
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { run: run, sha: sha, hex: hex, canonical: canonical, lines: lines, quota: quota };
    return;
  }
  document.addEventListener('DOMContentLoaded', function () {
    var root = el('draw-verifier');
    if (!root) return;
    if (!window.crypto || !crypto.subtle) {
      el('verify-load').textContent = '本浏览器不支持 WebCrypto（需通过 HTTPS 访问或使用较新的浏览器），无法在本机验证。';
      return;
    }
    el('verify-run').addEventListener('click', function () { verify(root); });
    load(root);
  });
})();
