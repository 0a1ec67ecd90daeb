// The HTML report's script, inlined into the page (report_html.c): it
// draws the ladders from the page's data (the <script id="st-data"> JSON)
// when they are opened, so a page of thousands of hosts loads as fast as a
// table; and it filters the table and the ladders by address, verdict, mode
// and cause, offline. The filter is kept in the address's #fragment
// (#addr=198.18.3&verdict=down), so a filtered view can be linked to.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('st-data').textContent);
  var L = D.ladders;
  var AUTO_OPEN = 40; // at most this many ladders shown drawn at once
  var GAP_S = 0.01; // a silence longer than this is drawn as a gap
  var W = 900, LEFT = 170, RIGHT = 700, STEP = 46, GAP_H = 34, TOP = 56;
  var BCAST = 1, DECIDING = 2;

  function byId(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }
  function seconds(s) {
    if (s >= 1) return s.toFixed(3) + ' s';
    if (s >= 0.001) return (s * 1e3).toFixed(1) + ' ms';
    return (s * 1e6).toFixed(0) + ' \u00b5s';
  }
  function text(cls, x, y, s) {
    return '<text class="' + cls + '" x="' + x + '" y="' + y + '">' + esc(s) + '</text>';
  }
  function line(cls, x1, y1, x2, y2, extra) {
    return '<line class="' + cls + '" x1="' + x1 + '" y1="' + y1 + '" x2="' + x2 + '" y2="' +
      y2 + '"' + (extra || '') + '/>';
  }

  // The rows of a ladder, top to bottom: a packet each, and a gap row where
  // the wire was silent for longer than GAP_S (the axis is compressed: rows
  // are evenly spaced, and a gap says how long it lasted).
  function layout(n) {
    var rows = [], y = TOP, prev = n.length ? n[0][0] : 0;
    n.forEach(function (r, i) {
      var dt = (r[0] - prev) / 1e9;
      if (i && dt > GAP_S) {
        rows.push({ gap: dt, y: y });
        y += GAP_H;
      }
      rows.push({ r: r, y: y });
      y += STEP;
      prev = r[0];
    });
    return { rows: rows, height: y + 10 };
  }

  function gapRow(g, out) {
    var y = g.y + 6, zig = function (x) {
      return '<path class="zig" d="M' + (x - 8) + ',' + y + ' l5,6 l6,-6 l5,6"/>';
    };
    out.push('<g class="gap"><rect x="0" y="' + (g.y - 8) + '" width="' + W +
      '" height="' + (GAP_H - 10) + '"/>' + zig(LEFT) + zig(RIGHT) +
      text('gaplabel', (LEFT + RIGHT) / 2, y + 4, '\u22ef ' + seconds(g.gap) +
      ' with nothing on the wire \u22ef') + '</g>');
  }

  function packetRow(row, t0, l, out) {
    var r = row.r, y = row.y, to = r[1], cls = r[2], flags = r[5];
    var x1 = to ? LEFT : RIGHT, x2 = to ? RIGHT : LEFT;
    if (flags & BCAST) x2 = to ? W - 20 : 30; // to everyone on the segment
    var g = '<g class="' + cls + (flags & BCAST ? ' bcast' : '') +
      (flags & DECIDING ? ' deciding' : '') + '"><title>' + esc(r[4]) + '</title>';
    if (flags & DECIDING)
      g += '<rect class="hl" x="' + (LEFT - 4) + '" y="' + (y - 10) + '" width="' +
        (RIGHT - LEFT + 8) + '" height="' + (STEP - 4) + '"/>' +
        text('decided', RIGHT + 10, y + 16, 'decided: ' + l.v + ' (' + l.r + ')');
    g += text('time', 6, y + 4, '+' + ((r[0] - t0) / 1e9).toFixed(6) + ' s');
    g += line('arrow', x1, y + 10, x2, y + 20, ' marker-end="url(#head-' + cls + ')"');
    if (flags & BCAST)
      g += text(to ? 'bclabel' : 'bclabel from', to ? W - 4 : 4, y + 34,
        'broadcast: to every station (ff:ff:ff:ff:ff:ff)');
    g += text('label', (LEFT + RIGHT) / 2, y + 6, r[3]);
    g += text('where', (LEFT + RIGHT) / 2, y + 32, r[4]) + '</g>';
    out.push(g);
  }

  // One ladder as SVG: the scanner's lifeline (with its address) on the
  // left, the host's (or, for the packets of no single host, the other
  // addresses') on the right.
  function svg(l) {
    var lay = layout(l.n), h = lay.height, out = [];
    var t0 = l.n.length ? l.n[0][0] : 0;
    out.push('<svg class="ladder" xmlns="http://www.w3.org/2000/svg" width="' + W +
      '" height="' + h + '" viewBox="0 0 ' + W + ' ' + h + '" role="img">');
    out.push(text('life', LEFT, 18, 'scanner') + text('life addr scanner-addr', LEFT, 34,
      l.s || D.scanner) + text('life', RIGHT, 18, l.ns ? 'other addresses' : 'host') +
      text('life addr', RIGHT, 34, l.peer));
    out.push(line('lifeline', LEFT, 40, LEFT, h - 4) + line('lifeline', RIGHT, 40, RIGHT, h - 4));
    lay.rows.forEach(function (row) {
      if (row.gap !== undefined) gapRow(row, out);
      else packetRow(row, t0, l, out);
    });
    out.push('</svg>');
    return out.join('\n');
  }

  function draw(d) {
    if (d.getAttribute('data-drawn')) return;
    d.setAttribute('data-drawn', '1');
    d.insertAdjacentHTML('beforeend', svg(L[+d.getAttribute('data-i')]));
  }

  // ---- the filter -------------------------------------------------------
  var F = ['addr', 'verdict', 'mode', 'cause'];
  function current() {
    var f = {};
    F.forEach(function (k) { f[k] = byId('f-' + k).value.trim(); });
    return f;
  }
  // an address whole (four numbers) is that host; a part of one, every
  // host it starts ("198.18.3." is the /24)
  function addrMatches(h, a) {
    return !a || (/^\d+\.\d+\.\d+\.\d+$/.test(a) ? h === a : h.indexOf(a) === 0);
  }
  function matches(l, f) {
    return addrMatches(l.h, f.addr) && (!f.verdict || l.v === f.verdict) &&
      (!f.mode || l.m === f.mode) && (!f.cause || l.c.indexOf(f.cause) >= 0);
  }
  function summaryRow(l, i) {
    return '<tr><td>' + esc(l.m) + '</td><td><a href="#l' + i + '" data-i="' + i + '">' +
      esc(l.h) + '</a></td><td class="' + l.v + '">' + l.v + '</td><td>' + esc(l.r) +
      '</td><td>' + l.np + '</td><td>' + l.nr + '</td><td>' + l.nw + '</td><td>' +
      esc(l.c.join(' ')) + '</td></tr>';
  }
  function hostBlock(l, i) {
    return '<details class="host" id="l' + i + '" data-i="' + i + '"><summary><b>' +
      esc(l.h) + '</b> <span class="' + l.v + '">' + l.v + '</span> (' + esc(l.r) +
      '), mode ' + esc(l.m) + '</summary></details>';
  }
  function apply() {
    var f = current(), rows = [], blocks = [], shown = [];
    L.forEach(function (l, i) {
      if (l.ns || !matches(l, f)) return;
      shown.push(i);
      rows.push(summaryRow(l, i));
      blocks.push(hostBlock(l, i));
    });
    byId('st-rows').innerHTML = rows.join('');
    byId('st-list').innerHTML = blocks.join('');
    byId('st-count').textContent = shown.length + ' of ' + (L.length - D.nsingle) +
      ' hosts' + (shown.length > AUTO_OPEN ? ': open a host to draw its ladder' : '');
    if (shown.length <= AUTO_OPEN)
      Array.prototype.forEach.call(byId('st-list').children, function (d) {
        draw(d);
        d.open = true;
      });
    var frag = F.filter(function (k) { return f[k]; }).map(function (k) {
      return k + '=' + encodeURIComponent(f[k]);
    }).join('&');
    if (history.replaceState) history.replaceState(null, '', frag ? '#' + frag : '#');
  }

  function options(id, values) {
    var sel = byId(id);
    values.forEach(function (v) {
      var o = document.createElement('option');
      o.value = o.textContent = v;
      sel.appendChild(o);
    });
  }
  function unique(get) {
    var seen = {}, out = [];
    L.forEach(function (l) {
      if (!l.ns) [].concat(get(l)).forEach(function (v) {
        if (!seen[v]) { seen[v] = 1; out.push(v); }
      });
    });
    return out;
  }

  options('f-mode', unique(function (l) { return l.m; }));
  options('f-cause', unique(function (l) { return l.c; }).sort());
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var k = kv.split('=')[0], el = byId('f-' + k);
    if (el && F.indexOf(k) >= 0) el.value = decodeURIComponent(kv.slice(k.length + 1));
  });
  F.forEach(function (k) { byId('f-' + k).addEventListener('input', apply); });
  byId('st-list').addEventListener('toggle', function (e) {
    if (e.target.open) draw(e.target);
  }, true);
  byId('st-rows').addEventListener('click', function (e) {
    var i = e.target.getAttribute && e.target.getAttribute('data-i'), d = i && byId('l' + i);
    if (d) { draw(d); d.open = true; }
  });
  if (!D.nsingle) byId('st-ns').style.display = 'none';
  L.forEach(function (l, i) {
    if (!l.ns) return;
    var d = byId('st-nosingle');
    d.innerHTML += '<div data-i="' + i + '"></div>';
    draw(d.lastChild);
  });
  byId('st-noscript').style.display = 'none';
  apply();
})();
