// RenCheng report: the script embedded in report.html. Everything it shows is already in the
// page (tables and SVG are rendered by src/report/html_report.cpp); this only adds conveniences:
// the language choice remembered, map pan/zoom and a click-to-inspect panel.
(function () {
  'use strict';
  var root = document.documentElement;
  var data;
  try {
    data = JSON.parse(document.getElementById('rc-data').textContent);
  } catch (e) {
    root.setAttribute('data-report', 'bad-data');
    return;
  }

  // Language: the radio buttons drive the stylesheet; remember the choice.
  var radios = { en: document.getElementById('lang-en'), zh: document.getElementById('lang-zh') };
  function setLang(lang) {
    radios[lang].checked = true;
    root.lang = lang === 'zh' ? 'zh-CN' : 'en';
    try { window.localStorage.setItem('rencheng-report-lang', lang); } catch (e) { /* file:// */ }
  }
  var saved = null;
  try { saved = window.localStorage.getItem('rencheng-report-lang'); } catch (e) { /* none */ }
  if (saved !== 'en' && saved !== 'zh')
    saved = (navigator.language || '').toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
  setLang(saved);
  radios.en.addEventListener('change', function () { setLang('en'); });
  radios.zh.addEventListener('change', function () { setLang('zh'); });

  // Map: wheel to zoom about the pointer, drag to pan, click a feature for its values.
  var svg = document.getElementById('rc-map');
  if (svg) {
    var vb0 = svg.viewBox.baseVal;
    var home = [vb0.x, vb0.y, vb0.width, vb0.height];
    var view = home.slice();
    var reset = document.getElementById('rc-map-reset');
    var info = document.getElementById('rc-map-info');
    var apply = function () {
      svg.setAttribute('viewBox', view.join(' '));
      reset.hidden = view.join() === home.join();
    };
    var toView = function (ev) {
      var r = svg.getBoundingClientRect();
      return [view[0] + (ev.clientX - r.left) / r.width * view[2],
              view[1] + (ev.clientY - r.top) / r.height * view[3]];
    };
    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var p = toView(ev);
      var k = ev.deltaY < 0 ? 0.8 : 1.25;
      var w = Math.min(home[2], Math.max(home[2] / 50, view[2] * k));
      k = w / view[2];
      view = [p[0] - (p[0] - view[0]) * k, p[1] - (p[1] - view[1]) * k, w, view[3] * k];
      apply();
    }, { passive: false });
    var drag = null;
    svg.addEventListener('pointerdown', function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, view: view.slice(), moved: false };
    });
    svg.addEventListener('pointermove', function (ev) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      var dx = (ev.clientX - drag.x) / r.width * view[2];
      var dy = (ev.clientY - drag.y) / r.height * view[3];
      if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
      if (drag.moved) {
        view = [drag.view[0] - dx, drag.view[1] - dy, view[2], view[3]];
        apply();
      }
    });
    svg.addEventListener('pointerup', function (ev) {
      var moved = drag && drag.moved;
      drag = null;
      if (moved) return;
      var f = ev.target.closest('[data-asset]');
      var old = svg.querySelector('.sel');
      if (old) old.classList.remove('sel');
      if (!f) { info.hidden = true; return; }
      f.classList.add('sel');
      var title = f.querySelector('title');
      var text = title ? title.textContent : f.getAttribute('data-asset');
      var asset = f.getAttribute('data-asset');
      (data.summary.facilities || []).forEach(function (fac) {
        if (fac.asset !== asset) return;
        var name = fac.name || '';
        if (fac.name_zh) name += (name ? ' / ' : '') + fac.name_zh;
        if (name) text = name + '\n' + text;
        Object.keys(fac.downtime_h || {}).forEach(function (svc) {
          var st = fac.downtime_h[svc];
          if (st && typeof st.mean === 'number')
            text += '\n' + svc + ': ' + st.mean.toFixed(1) + ' h mean downtime / 平均停运';
        });
      });
      info.textContent = text;
      info.hidden = false;
    });
    reset.addEventListener('click', function () { view = home.slice(); apply(); });
  }
  root.setAttribute('data-report', 'ready');
})();
