// Fazhi — small progressive enhancements; every page works without this file.
(function () {
  'use strict';
  // Copy buttons: <button data-copy="text">.
  document.addEventListener('click', function (e) {
    var b = e.target.closest('[data-copy]');
    if (!b) return;
    e.preventDefault();
    var text = b.getAttribute('data-copy');
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () {
        var old = b.textContent; b.textContent = '已复制'; setTimeout(function () { b.textContent = old; }, 1500);
      });
    }
  });
  // Prevent double submission: disable submit buttons once a form is sent.
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f.dataset.submitted) { e.preventDefault(); return; }
    f.dataset.submitted = '1';
    setTimeout(function () {
      f.querySelectorAll('button[type=submit], button:not([type])').forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Print buttons: <button data-print> (the page has print styles; the browser's own print
  // command does the same without this script).
  document.addEventListener('click', function (e) {
    if (e.target.closest('[data-print]')) { e.preventDefault(); window.print(); }
  });
  // Confirm dangerous steps: <button data-confirm="…">.
  document.addEventListener('click', function (e) {
    var b = e.target.closest('[data-confirm]');
    if (b && !window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();
  });
})();
// Agent console: show the caller's earlier tickets as soon as the number is typed.
(function () {
  'use strict';
  var input = document.querySelector('[data-history]');
  var box = document.getElementById('history');
  if (!input || !box) return;
  var cat = document.getElementById('category_id');
  var town = document.getElementById('town_id');
  var last = '';
  function load() {
    var v = input.value.replace(/\s/g, '');
    var key = v + '|' + (cat ? cat.value : '') + '|' + (town ? town.value : '');
    if (key === last) return;
    last = key;
    var q = '?phone=' + encodeURIComponent(v) + '&category=' + encodeURIComponent(cat ? cat.value : '') + '&town=' + encodeURIComponent(town ? town.value : '');
    fetch(input.getAttribute('data-history') + q, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) { if (html) box.innerHTML = html; });
  }
  input.addEventListener('change', load);
  input.addEventListener('blur', load);
  input.addEventListener('input', function () { if (input.value.replace(/\s/g, '').length === 11) load(); });
  if (cat) cat.addEventListener('change', load);
  if (town) town.addEventListener('change', load);
})();
// Portal: a character counter, the chosen category's description and extra fields, and the
// villages of the chosen town.
(function () {
  'use strict';
  document.querySelectorAll('[data-count]').forEach(function (t) {
    var out = document.getElementById(t.getAttribute('data-count'));
    if (!out) return;
    var max = parseInt(t.getAttribute('maxlength') || '0', 10);
    function update() { out.textContent = '已写 ' + Array.from(t.value).length + (max ? ' / ' + max : '') + ' 字'; }
    t.addEventListener('input', update);
    update();
  });
  var cat = document.querySelector('[data-cat-select]');
  if (cat) {
    var help = document.getElementById('cat-help');
    var showCategory = function () {
      var o = cat.options[cat.selectedIndex];
      if (help) help.textContent = o && o.value ? o.getAttribute('data-desc') + '。一般 ' + o.getAttribute('data-days') + ' 个工作日内办结。' : '';
      document.querySelectorAll('[data-cat]').forEach(function (d) {
        var on = d.getAttribute('data-cat') === cat.value;
        d.hidden = !on;
        d.querySelectorAll('input, select').forEach(function (i) { i.disabled = !on; });
      });
    };
    cat.addEventListener('change', showCategory);
    showCategory();
  }
  var town = document.querySelector('[data-town-select]');
  var village = document.querySelector('[data-village-select]');
  if (town && village) {
    var groups = Array.prototype.slice.call(village.querySelectorAll('optgroup'));
    var showVillages = function () {
      var keep = village.value;
      groups.forEach(function (g) { if (g.parentNode) g.parentNode.removeChild(g); });
      groups.forEach(function (g) { if (!town.value || g.getAttribute('data-town') === town.value) village.appendChild(g); });
      village.value = keep;
      if (village.value !== keep) village.value = '';
    };
    village.addEventListener('change', function () {
      var o = village.options[village.selectedIndex];
      if (o && o.parentNode && o.parentNode.tagName === 'OPTGROUP' && !town.value) {
        town.value = o.parentNode.getAttribute('data-town');
        showVillages();
      }
    });
    town.addEventListener('change', showVillages);
    showVillages();
  }
})();

// A print button (documents, publications): no inline script under the CSP.
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('[data-print]');
  if (b) { e.preventDefault(); window.print(); }
});

// "Select all" for a list whose checkboxes belong to a form elsewhere on the page
// (<input type="checkbox" data-check-all="FORM-ID">): the ticket list's batch steps.
document.addEventListener('change', function (e) {
  var all = e.target.closest && e.target.closest('[data-check-all]');
  if (!all) return;
  var boxes = document.querySelectorAll('input[type=checkbox][form="' + all.getAttribute('data-check-all') + '"]');
  for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
});
