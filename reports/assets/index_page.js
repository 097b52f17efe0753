// The overview page: one table row per region, sorted, filtered and searched in the page, and
// the rankings of the month and the year to date. Plain JavaScript, no library, no network:
// the data are the JSON in <script id="envq-data">, written by reports/index_page.py.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("envq-data").textContent);
  var T = D.text;
  var rows = D.rows;
  var STATUSES = D.statuses;

  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function num(v, d) {
    return v === null || v === undefined ? "\u2014" : Number(v).toFixed(d);
  }
  function signed(v, d) {
    if (v === null || v === undefined) return "\u2014";
    var s = Number(v).toFixed(d);
    return v > 0 ? "+" + s : s;
  }
  function rankOf(r, n) {
    return r === null || r === undefined ? "\u2014" : esc(T.rank_of.replace("{rank}", r).replace("{n}", n));
  }
  function link(r) {
    return '<a href="' + esc(r.h) + '">' + esc(r.n) + "</a>";
  }
  function y(r, k) { return r.y ? r.y[k] : null; }

  // Table columns: header, sort key (null sorts last), cell html.
  var COLUMNS = [
    {h: T.region, key: function (r) { return r.n; }, cell: link, cls: "t"},
    {h: T.region_code, key: function (r) { return r.c; }, cell: function (r) { return esc(r.c); }, cls: "t"},
    {h: T.province, key: function (r) { return r.p; }, cell: function (r) { return esc(r.p || ""); }, cls: "t"},
    {h: T.level, key: function (r) { return r.l; }, cell: function (r) { return esc(T.levels[r.l] || r.l); }, cls: "t"}
  ];
  STATUSES.forEach(function (s, i) {
    COLUMNS.push({
      h: s.label, status: s, desc: true,
      key: function (r) { return r.k ? r.k[i] : null; },
      cell: function (r) {
        var n = r.k ? r.k[i] : 0;
        return n ? '<span class="n" style="background:' + s.colour + ";color:" + s.text + '">' + n + "</span>" : "";
      }
    });
  });
  COLUMNS.push(
    {h: T.most_urgent, key: function (r) { return r.u; }, cell: function (r) {
      var s = r.ws ? STATUSES.filter(function (x) { return x.code === r.ws; })[0] : null;
      var dot = s ? '<span class="dot" style="background:' + s.colour + '" title="' + esc(s.label) + '"></span>' : "";
      return dot + esc(r.w);
    }, cls: "t w"},
    {h: T.probability, key: function (r) { return r.pr; }, cell: function (r) { return num(r.pr, 2); }},
    {h: T.composite_index, key: function (r) { return y(r, "ci"); }, cell: function (r) { return num(y(r, "ci"), 2); }},
    {h: T.rank_national, key: function (r) { return y(r, "r"); }, cell: function (r) { return rankOf(y(r, "r"), y(r, "rn")); }},
    {h: T.rank_parent, key: function (r) { return y(r, "rp"); }, cell: function (r) { return rankOf(y(r, "rp"), y(r, "rpn")); }},
    {h: T.good_rate, key: function (r) { return y(r, "gr"); }, cell: function (r) { return num(y(r, "gr"), 1); }, desc: true},
    {h: T.change_pp, key: function (r) { return y(r, "gry"); }, cell: function (r) { return signed(y(r, "gry"), 1); }, desc: true},
    {h: T.pm25, key: function (r) { return y(r, "pm"); }, cell: function (r) { return num(y(r, "pm"), 1); }},
    {h: T.change_pct, key: function (r) { return y(r, "pmy"); }, cell: function (r) { return signed(y(r, "pmy"), 1); }}
  );

  var html = rows.map(function (r) {
    return '<tr data-code="' + esc(r.c) + '">' + COLUMNS.map(function (c) {
      return "<td" + (c.cls ? ' class="' + c.cls + '"' : "") + ">" + c.cell(r) + "</td>";
    }).join("") + "</tr>";
  });
  var haystack = rows.map(function (r) { return (r.c + " " + r.n + " " + (r.ne || "")).toLowerCase(); });

  var table = document.getElementById("regions");
  var head = table.querySelector("thead tr");
  var body = table.querySelector("tbody");
  var count = document.getElementById("shown");
  var fProvince = document.getElementById("f-province");
  var fLevel = document.getElementById("f-level");
  var fSearch = document.getElementById("f-search");
  var more = document.getElementById("more");
  var order = rows.map(function (_, i) { return i; });
  var sortCol = -1, sortDesc = false;
  // A table of thousands of rows costs the browser seconds to lay out: draw the first STEP
  // rows of the sorted, filtered list, and STEP more on demand.
  var STEP = D.step, limit = STEP;

  head.innerHTML = COLUMNS.map(function (c, i) {
    var style = c.status ? ' style="background:' + c.status.colour + ";color:" + c.status.text + '"' : "";
    return '<th data-col="' + i + '"' + style + ' title="' + esc(c.h) + '">' + esc(c.h) + "</th>";
  }).join("");

  function compare(ka, kb) {
    var na = ka === null || ka === undefined, nb = kb === null || kb === undefined;
    if (na || nb) return na === nb ? 0 : (na ? 1 : -1);
    if (typeof ka === "string") return ka.localeCompare(kb, "zh-CN");
    return ka - kb;
  }
  function sortBy(col, desc) {
    var key = COLUMNS[col].key;
    var keys = rows.map(key);
    order.sort(function (a, b) {
      var ka = keys[a], kb = keys[b];
      var na = ka === null || ka === undefined, nb = kb === null || kb === undefined;
      if (na || nb) return na === nb ? rows[a].u - rows[b].u : (na ? 1 : -1);
      var c = compare(ka, kb);
      return (desc ? -c : c) || rows[a].u - rows[b].u;
    });
    sortCol = col; sortDesc = desc;
    Array.prototype.forEach.call(head.children, function (th, i) {
      th.className = i === col ? (desc ? "desc" : "asc") : "";
    });
  }
  function visible(i) {
    var r = rows[i];
    if (fProvince.value && r.pc !== fProvince.value) return false;
    if (fLevel.value && r.l !== fLevel.value) return false;
    var q = fSearch.value.trim().toLowerCase();
    return !q || haystack[i].indexOf(q) >= 0;
  }
  function render() {
    var shown = order.filter(visible);
    body.innerHTML = shown.slice(0, limit).map(function (i) { return html[i]; }).join("");
    count.textContent = T.regions_shown.replace("{shown}", shown.length).replace("{total}", rows.length);
    var rest = shown.length - limit;
    more.hidden = rest <= 0;
    more.textContent = T.show_more.replace("{n}", Math.min(rest, STEP)).replace("{rest}", rest);
  }
  function restart() { limit = STEP; render(); }
  more.addEventListener("click", function () { limit += STEP; render(); });
  head.addEventListener("click", function (e) {
    var th = e.target.closest("th");
    if (!th) return;
    var col = Number(th.dataset.col);
    var desc = col === sortCol ? !sortDesc : !!COLUMNS[col].desc;
    sortBy(col, desc);
    restart();
  });
  [fProvince, fLevel].forEach(function (el) { el.addEventListener("change", restart); });
  fSearch.addEventListener("input", restart);
  render();

  // Rankings: best and worst N by composite index, most and least improved, for a period,
  // nationally (cities) or within one province (its cities) or city (its counties); the
  // ranks come computed from the warehouse (air_rankings).
  var rPeriod = document.getElementById("r-period");
  var rScope = document.getElementById("r-scope");
  var lists = document.getElementById("rank-lists");
  function rankList(title, items, rankKey, valueKey, d) {
    var body = items.map(function (p) {
      return "<tr><td>" + p.f[rankKey] + '</td><td class="t">' + link(p.r) + "</td><td>" +
        (d === 2 ? num(p.f[valueKey], 2) : signed(p.f[valueKey], 1)) + "</td></tr>";
    }).join("");
    var valueHead = d === 2 ? T.composite_index : T.delta_index;
    if (!items.length) {
      var why = d === 2 ? T.no_data : T.no_last_year;
      return '<div class="rank"><h3>' + esc(title) + '</h3><p class="sub">' + esc(why) + "</p></div>";
    }
    return '<div class="rank"><h3>' + esc(title) + "</h3><table><tr><th>" + esc(T.rank) +
      "</th><th>" + esc(T.region) + "</th><th>" + esc(valueHead) + "</th></tr>" + body + "</table></div>";
  }
  function renderRankings() {
    var period = rPeriod.value, scope = rScope.value, n = D.top;
    var inScope = scope !== "";
    var rk = inScope ? "rp" : "r", ik = inScope ? "irp" : "ir";
    var members = rows.filter(function (r) {
      return r[period] && (inScope ? r[period].ps === scope : r[period].r !== null);
    }).map(function (r) { return {r: r, f: r[period]}; });
    function by(key, desc) {
      return members.filter(function (p) { return p.f[key] !== null && p.f[key] !== undefined; })
        .sort(function (a, b) { return (desc ? b.f[key] - a.f[key] : a.f[key] - b.f[key]) || compare(a.r.c, b.r.c); })
        .slice(0, n);
    }
    lists.innerHTML =
      rankList(T.best.replace("{n}", n), by(rk, false), rk, "ci", 2) +
      rankList(T.worst.replace("{n}", n), by(rk, true), rk, "ci", 2) +
      rankList(T.most_improved.replace("{n}", n), by(ik, false), ik, "cy", 1) +
      rankList(T.least_improved.replace("{n}", n), by(ik, true), ik, "cy", 1);
  }
  [rPeriod, rScope].forEach(function (el) { el.addEventListener("change", renderRankings); });
  if (rPeriod.options.length) renderRankings();
})();
