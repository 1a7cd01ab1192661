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
  var last = '';
  function load() {
    var v = input.value.replace(/\s/g, '');
    if (v.length < 7 || v === last) return;
    last = v;
    fetch(input.getAttribute('data-history') + '?phone=' + encodeURIComponent(v), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) { if (html) box.innerHTML = html; });
  }
  input.addEventListener('change', load);
  input.addEventListener('blur', load);
  input.addEventListener('input', function () { if (input.value.replace(/\s/g, '').length === 11) load(); });
})();
