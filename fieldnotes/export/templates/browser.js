(function () {
  "use strict";
  var data = null;
  var panel = document.getElementById("panel");
  var title = document.getElementById("panel-title");
  var list = document.getElementById("panel-list");
  var current = null;
  var numbers = new Intl.NumberFormat(document.documentElement.lang);

  function load() {
    if (data === null) {
      data = JSON.parse(document.getElementById("fn-data").textContent);
    }
    return data;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null) { element.textContent = text; }
    return element;
  }

  function line(label, value) {
    var p = node("p", "line");
    p.appendChild(node("span", "label", label + ": "));
    p.appendChild(document.createTextNode(value));
    return p;
  }

  function excerpt(d, index) {
    var x = d.excerpts[index];
    var words = d.words;
    var item = node("li", "excerpt");
    item.setAttribute("data-id", x.i);
    var quote = node("blockquote");
    if (x.b) { quote.appendChild(node("span", "ctx", x.b)); }
    quote.appendChild(node("span", "quote", x.t));
    if (x.a) { quote.appendChild(node("span", "ctx", x.a)); }
    item.appendChild(quote);
    item.appendChild(node("p", "cite", x.k));
    var code = d.codes[x.c];
    if (code) { item.appendChild(line(words.code, code[1])); }
    if (x.r) { item.appendChild(line(words.rating, x.r)); }
    (x.m || []).forEach(function (memo) { item.appendChild(line(words.memo, memo)); });
    return item;
  }

  function open(cell) {
    var d = load();
    var view = d.views[cell.getAttribute("data-view")];
    var r = Number(cell.getAttribute("data-r"));
    var c = Number(cell.getAttribute("data-c"));
    var members = view.cells[r][c];
    var count = fill(members.length === 1 ? d.words.one_excerpt : d.words.many_excerpts,
                     {n: numbers.format(members.length)});
    title.textContent = fill(d.words.cell_title, {row: view.rows[r], column: view.columns[c]}) + " · " + count;
    var items = document.createDocumentFragment();
    members.forEach(function (index) { items.appendChild(excerpt(d, index)); });
    list.replaceChildren(items);
    if (current) { current.removeAttribute("aria-current"); }
    current = cell;
    cell.setAttribute("aria-current", "true");
    panel.hidden = false;
    title.focus();
  }

  function close() {
    panel.hidden = true;
    if (current) {
      current.removeAttribute("aria-current");
      current.focus();
    }
  }

  function show(by) {
    document.querySelectorAll(".view").forEach(function (view) {
      view.hidden = view.getAttribute("data-view") !== by;
    });
    document.querySelectorAll(".view-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-view") === by));
    });
    panel.hidden = true;
    current = null;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var cell = target.closest("button.cell");
    if (cell) { open(cell); return; }
    var switcher = target.closest("button.view-button");
    if (switcher) { show(switcher.getAttribute("data-view")); return; }
    if (target.closest("#panel-close")) { close(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { close(); }
  });
}());
