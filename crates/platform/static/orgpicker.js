// Fazhi — the organisation picker. A <select data-org-picker> (values are ids; data-org-picker="code"
// when they are codes) stays the form's field and works alone without this script; with it, the
// select is hidden behind a text box: typing part of a name lists the matching units with their
// parent path, and 浏览 opens the tree. The tree comes from /orgs/tree.json, fetched once per page.
// The options of the select remain the only choices offered.
(function () {
  'use strict';
  var selects = document.querySelectorAll('select[data-org-picker], input[data-org-picker]');
  if (!selects.length || !window.fetch) return;
  var MAX = 60;
  var uid = 0;

  fetch('/orgs/tree.json', { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (tree) { if (tree) selects.forEach(function (s) { enhance(s.tagName === 'INPUT' ? fromInput(s, tree) : s, tree); }); })
    .catch(function () { /* the plain select stays */ });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // A text box of codes or ids (<input data-org-picker="code">) becomes a select of every unit,
  // under the same name; without the script the box is typed into as before.
  function fromInput(input, tree) {
    var byCode = input.getAttribute('data-org-picker') === 'code';
    var s = document.createElement('select');
    s.name = input.name;
    if (input.id) s.id = input.id;
    s.setAttribute('data-org-picker', byCode ? 'code' : '');
    var v = input.value.trim();
    s.add(new Option(input.getAttribute('data-blank') || '全部', ''));
    tree.forEach(function (o) {
      var key = byCode ? o.code : String(o.id);
      s.add(new Option(o.name, key, false, key === v));
    });
    input.parentNode.replaceChild(s, input);
    return s;
  }

  function enhance(select, tree) {
    var byCode = select.getAttribute('data-org-picker') === 'code';
    var multiple = select.multiple;
    var nodes = {}, children = {}, roots = [];
    tree.forEach(function (o) { nodes[o.id] = o; });
    tree.forEach(function (o) {
      if (o.parent && nodes[o.parent]) (children[o.parent] = children[o.parent] || []).push(o);
      else roots.push(o);
    });
    // The choices: the select's options, joined to the tree by id or code.
    var keyOf = {};
    tree.forEach(function (o) { keyOf[byCode ? o.code : String(o.id)] = o; });
    var choices = [], blank = null, offered = {};
    Array.prototype.forEach.call(select.options, function (opt) {
      if (opt.value === '') { blank = opt; return; }
      var o = keyOf[opt.value];
      var c = { opt: opt, org: o || null, label: o ? o.name : opt.textContent.trim() };
      c.path = o ? path(o) : '';
      c.hay = (c.label + ' ' + (o ? o.short + ' ' + o.code : '')).toLowerCase();
      choices.push(c);
      if (o) offered[o.id] = c;
    });
    // Units shown when browsing: those offered and their ancestors.
    var shown = {};
    Object.keys(offered).forEach(function (id) {
      for (var o = nodes[id]; o && !shown[o.id]; o = nodes[o.parent]) shown[o.id] = true;
    });
    function path(o) {
      var names = [];
      for (var p = nodes[o.parent]; p; p = nodes[p.parent]) names.unshift(p.short || p.name);
      return names.join(' › ');
    }

    var id = 'orgpick-' + (++uid);
    var box = el('div', 'orgpick' + (multiple ? ' multi' : ''));
    var chips = el('div', 'orgpick-chips');
    var row = el('div', 'orgpick-row');
    var input = el('input');
    input.type = 'text';
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);
    input.autocomplete = 'off';
    input.placeholder = multiple ? '输入名称添加，如“住建”' : '输入名称查找，如“住建”';
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) { input.id = select.id + '-search'; label.htmlFor = input.id; }
    else input.setAttribute('aria-label', select.getAttribute('aria-label') || '选择机构');
    var browse = el('button', 'orgpick-browse', '浏览');
    browse.type = 'button';
    browse.setAttribute('aria-controls', id);
    var list = el('div', 'orgpick-list');
    list.id = id;
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    row.appendChild(input);
    row.appendChild(browse);
    if (multiple) box.appendChild(chips);
    box.appendChild(row);
    box.appendChild(list);
    select.parentNode.insertBefore(box, select.nextSibling);
    select.hidden = true;
    select.classList.add('orgpick-source');

    var items = [], active = -1, open = false, expanded = {};
    roots.forEach(function (r) { expanded[r.id] = true; });

    function current() {
      var o = select.options[select.selectedIndex];
      return o && o.value !== '' ? choiceOf(o) : null;
    }
    function choiceOf(opt) {
      for (var i = 0; i < choices.length; i++) if (choices[i].opt === opt) return choices[i];
      return null;
    }
    function showValue() {
      if (multiple) {
        chips.textContent = '';
        choices.forEach(function (c) {
          if (!c.opt.selected) return;
          var chip = el('span', 'orgpick-chip', c.label);
          var x = el('button', null, '×');
          x.type = 'button';
          x.setAttribute('aria-label', '移除' + c.label);
          x.addEventListener('click', function () { c.opt.selected = false; changed(); });
          chip.appendChild(x);
          chips.appendChild(chip);
        });
        input.value = '';
      } else {
        var c = current();
        input.value = c ? c.label : '';
        input.title = c && c.path ? c.path + ' › ' + c.label : '';
        if (!c && blank) input.placeholder = blank.textContent.trim() + '（输入名称查找）';
      }
    }
    function changed() {
      select.dispatchEvent(new Event('change', { bubbles: true }));
      showValue();
    }
    function choose(c) {
      if (multiple) { if (c) c.opt.selected = !c.opt.selected; input.value = ''; render(''); input.focus(); changed(); return; }
      select.value = c ? c.opt.value : '';
      close();
      changed();
    }
    function item(c, text, sub, depth, node) {
      var it = el('div', 'orgpick-item');
      it.setAttribute('role', 'option');
      it.id = id + '-' + items.length;
      if (depth != null) it.style.paddingLeft = (0.5 + depth * 1.1) + 'em';
      if (node && children[node.id] && children[node.id].some(function (k) { return shown[k.id]; })) {
        var t = el('button', 'orgpick-toggle', expanded[node.id] ? '▾' : '▸');
        t.type = 'button';
        t.tabIndex = -1;
        t.setAttribute('aria-label', (expanded[node.id] ? '收起' : '展开') + node.name);
        t.addEventListener('mousedown', function (e) { e.preventDefault(); });
        t.addEventListener('click', function (e) { e.stopPropagation(); expanded[node.id] = !expanded[node.id]; render(''); });
        it.appendChild(t);
      } else if (depth != null) {
        it.appendChild(el('span', 'orgpick-toggle'));
      }
      var name = el('span', 'orgpick-name', text);
      it.appendChild(name);
      if (sub) it.appendChild(el('span', 'orgpick-path', sub));
      if (c === undefined) { it.className += ' group'; it.setAttribute('aria-disabled', 'true'); }
      else {
        if (c && c.opt.selected && (multiple || c.opt.value !== '')) it.setAttribute('aria-selected', 'true');
        it.addEventListener('mousedown', function (e) { e.preventDefault(); });
        it.addEventListener('click', function () { choose(c); });
        it._choice = c;
      }
      list.appendChild(it);
      items.push(it);
    }
    function walk(o, depth) {
      if (!shown[o.id]) return;
      item(offered[o.id], o.name, '', depth, o);
      if (expanded[o.id]) (children[o.id] || []).forEach(function (k) { walk(k, depth + 1); });
    }
    function render(text) {
      list.textContent = '';
      items = [];
      active = -1;
      var t = text.trim().toLowerCase();
      if (!t) {
        if (blank && !multiple) item(null, blank.textContent.trim());
        roots.forEach(function (r) { walk(r, 0); });
        choices.forEach(function (c) { if (!c.org) item(c, c.label); });
      } else {
        var hits = choices.filter(function (c) { return c.hay.indexOf(t) >= 0; });
        // Names (or short names) that start with the text first, then the shallower units.
        var starts = function (c) { return c.label.toLowerCase().indexOf(t) === 0 || (c.org && c.org.short.toLowerCase().indexOf(t) === 0) ? 0 : 1; };
        hits.sort(function (a, b) { return starts(a) - starts(b) || a.path.length - b.path.length; });
        hits.slice(0, MAX).forEach(function (c) { item(c, c.label, c.path); });
        if (!hits.length) list.appendChild(el('div', 'orgpick-none', '没有名称含“' + text.trim() + '”的单位'));
        else if (hits.length > MAX) list.appendChild(el('div', 'orgpick-none', '另有 ' + (hits.length - MAX) + ' 个，请输入更多字'));
        if (hits.length) move(1);
      }
      list.hidden = false;
      open = true;
      input.setAttribute('aria-expanded', 'true');
    }
    function close() {
      list.hidden = true;
      open = false;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      showValue();
    }
    function move(d) {
      var n = items.length;
      if (!n) return;
      var i = active;
      for (var k = 0; k < n; k++) {
        i = (i + d + n) % n;
        if (items[i]._choice !== undefined) break;
      }
      if (items[active]) items[active].classList.remove('active');
      active = i;
      items[i].classList.add('active');
      items[i].scrollIntoView({ block: 'nearest' });
      input.setAttribute('aria-activedescendant', items[i].id);
    }

    input.addEventListener('input', function () { render(input.value); });
    input.addEventListener('focus', function () { input.select(); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); if (!open) render(multiple ? input.value : ''); move(1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); if (open) move(-1); }
      else if (e.key === 'Enter') {
        if (open && items[active] && items[active]._choice !== undefined) { e.preventDefault(); choose(items[active]._choice); }
      } else if (e.key === 'Escape' && open) { e.preventDefault(); close(); }
    });
    input.addEventListener('blur', function () { if (open) close(); });
    browse.addEventListener('mousedown', function (e) { e.preventDefault(); });
    browse.addEventListener('click', function () {
      if (open) { close(); return; }
      input.focus();
      render('');
    });
    select.addEventListener('change', function (e) { if (e.isTrusted) showValue(); });
    showValue();
  }
})();
