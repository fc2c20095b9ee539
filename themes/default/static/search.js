/* digest search page: Pagefind's JS API behind a small, accessible UI.
 *
 * The form (#search) names the bundle and the site's base path, so the page works at a
 * domain root, under a sub-path (/repo/) and in `digest serve`. The query, the order and
 * the chosen filters live in the URL (?q=...&sort=newest&tag=...), so a result list can be
 * bookmarked, and the header's search box (a plain GET form) leads here without JavaScript.
 * Everything from the index is put into the page as text; only Pagefind's <mark> survives
 * in excerpts.
 */
(function () {
  "use strict";

  var FILTERS = [
    ["tag", "Tags"], ["person", "People"], ["place", "Places"], ["source", "Sources"],
    ["story", "Stories"], ["kind", "Kind"], ["year", "Year"]
  ];
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;

  var form, input, sortSelect, filtersBox, statusLine, resultsList, moreButton;
  var pagefind = null;
  var chosen = {};          // filter name -> array of chosen values
  var allFilters = {};      // filter name -> {value: count} over the whole index
  var current = [];         // results of the last search, not yet shown
  var generation = 0;       // drops answers to searches that were overtaken
  var timer = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function setStatus(text) { statusLine.textContent = text; }

  /* Excerpts are HTML from Pagefind: keep their text and their <mark>s, nothing else. */
  function excerptNode(html) {
    var paragraph = element("p", "search-excerpt");
    var doc = new DOMParser().parseFromString("<body>" + (html || ""), "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") paragraph.appendChild(element("mark", null, node.textContent));
      else paragraph.appendChild(document.createTextNode(node.textContent));
    });
    return paragraph;
  }

  /* The same wording as the pages' own dates (render.display_date): 23 July 2025. */
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  function displayDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!match || +match[2] < 1 || +match[2] > 12) return iso || "";
    return (+match[3]) + " " + MONTHS[+match[2] - 1] + " " + match[1];
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var heading = element("h2", "search-result-title");
    var link = element("a", null, meta.title || data.url);
    link.href = data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var line = element("p", "meta");
    if (meta.date) {
      var time = element("time", null, displayDate(meta.date));
      time.setAttribute("datetime", meta.date);
      line.appendChild(time);
    }
    if (meta.source) line.appendChild(element("span", "source", meta.source));
    if (line.childNodes.length) item.appendChild(line);
    item.appendChild(excerptNode(data.excerpt));
    return item;
  }

  function plural(count, one, many) { return count + " " + (count === 1 ? one : many); }

  /* Pagefind finds a chosen filter value by its JSON text, escapes and all, so the pages write
     `"` and `\` escaped in filter values (render.pagefind_filter). Here each value is the text
     it stands for: shown as such, and sent as such, which Pagefind's JSON escapes back. */
  function filterText(value) { return value.replace(/\\(["\\])/g, "$1"); }

  function readFilters(filters) {
    if (!filters) return null;
    var read = {};
    Object.keys(filters).forEach(function (name) {
      var values = read[name] = {};
      Object.keys(filters[name]).forEach(function (value) { values[filterText(value)] = filters[name][value]; });
    });
    return read;
  }

  function activeFilters() {
    var active = {};
    Object.keys(chosen).forEach(function (name) {
      if (chosen[name].length) active[name] = chosen[name].slice();
    });
    return active;
  }

  function hasFilters() { return Object.keys(activeFilters()).length > 0; }

  /* The filter panel is built once; each search only updates its counts, so focus and
     the open groups stay where the reader left them. */
  function buildFilters() {
    filtersBox.textContent = "";
    filtersBox.appendChild(element("h2", "search-filters-title", "Filters"));
    FILTERS.forEach(function (pair) {
      var name = pair[0], values = allFilters[name] || {};
      var names = Object.keys(values).sort(function (a, b) {
        return name === "year" ? b.localeCompare(a) : a.localeCompare(b, undefined, { sensitivity: "base" });
      });
      if (!names.length) return;
      var picked = chosen[name] || [];
      var details = element("details", "search-filter");
      details.open = picked.length > 0 || name === "tag";
      details.appendChild(element("summary", null, pair[1]));
      var fieldset = element("fieldset");
      fieldset.appendChild(element("legend", "visually-hidden", pair[1]));
      names.forEach(function (value) {
        var label = element("label", "search-filter-option");
        var box = element("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.checked = picked.indexOf(value) !== -1;
        box.dataset.filter = name;
        label.appendChild(box);
        label.appendChild(element("span", "search-filter-name", value));
        label.appendChild(element("span", "count", "(" + values[value] + ")"));
        fieldset.appendChild(label);
      });
      details.appendChild(fieldset);
      filtersBox.appendChild(details);
    });
    filtersBox.hidden = !filtersBox.querySelector("input");
  }

  /* counts: {filter: {value: n}} for the current results, or null for the whole index. */
  function updateCounts(counts) {
    filtersBox.querySelectorAll("input[data-filter]").forEach(function (box) {
      var name = box.dataset.filter;
      var total = (allFilters[name] || {})[box.value] || 0;
      var count = counts ? ((counts[name] || {})[box.value] || 0) : total;
      box.parentNode.querySelector(".count").textContent = "(" + count + ")";
      box.parentNode.classList.toggle("is-empty", count === 0 && !box.checked);
    });
  }

  function writeUrl(query) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (sortSelect.value) params.set("sort", sortSelect.value);
    FILTERS.forEach(function (pair) {
      (chosen[pair[0]] || []).forEach(function (value) { params.append(pair[0], value); });
    });
    var search = params.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
  }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") === "newest" ? "newest" : "";
    FILTERS.forEach(function (pair) { chosen[pair[0]] = params.getAll(pair[0]); });
  }

  function showMore() {
    var batch = current.splice(0, PAGE_SIZE);
    var mine = generation;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== generation) return;
      pages.forEach(function (data) { resultsList.appendChild(resultItem(data)); });
      moreButton.hidden = current.length === 0;
    });
  }

  function runSearch() {
    clearTimeout(timer);
    timer = null;
    var query = input.value.trim();
    writeUrl(query);
    var mine = ++generation;
    if (!query && !hasFilters()) {
      resultsList.textContent = "";
      moreButton.hidden = true;
      current = [];
      updateCounts(null);
      setStatus("Type a word, a name, a place or a tag, or choose a filter.");
      return Promise.resolve();
    }
    var options = { filters: activeFilters() };
    if (sortSelect.value === "newest") options.sort = { date: "desc" };
    setStatus("Searching…");
    return pagefind.search(query || null, options).then(function (answer) {
      if (mine !== generation || !answer) return;
      resultsList.textContent = "";
      current = answer.results.slice();
      updateCounts(readFilters(answer.filters));
      var found = plural(answer.results.length, "result", "results");
      // The count is announced once the first results are on the page, so the two agree.
      return showMore().then(function () {
        if (mine === generation) setStatus(query ? found + " for “" + query + "”" : found);
      });
    }).catch(function (error) {
      if (mine === generation) setStatus("Search failed: " + error.message);
    });
  }

  function searchSoon() {
    clearTimeout(timer);
    timer = setTimeout(runSearch, DEBOUNCE_MS);
  }

  function start() {
    form = document.getElementById("search");
    if (!form) return;
    input = document.getElementById("search-query");
    sortSelect = document.getElementById("search-sort");
    filtersBox = document.getElementById("search-filters");
    statusLine = document.getElementById("search-status");
    resultsList = document.getElementById("search-results");
    moreButton = document.getElementById("search-more");
    readUrl();
    setStatus("Loading search…");
    var bundle = new URL(form.dataset.bundle, location.href).href;
    import(bundle + "pagefind.js").then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: form.dataset.base });
    }).then(function () {
      return pagefind.filters();
    }).then(function (filters) {
      allFilters = readFilters(filters) || {};
      buildFilters();
      form.classList.add("is-ready");
      form.addEventListener("submit", function (event) { event.preventDefault(); runSearch(); });
      input.addEventListener("input", searchSoon);
      sortSelect.addEventListener("change", runSearch);
      moreButton.addEventListener("click", function () {
        var next = resultsList.children.length;
        showMore().then(function () {
          var link = resultsList.children[next] && resultsList.children[next].querySelector("a");
          if (link) link.focus();
        });
      });
      filtersBox.addEventListener("change", function (event) {
        var box = event.target;
        if (!box.dataset || !box.dataset.filter) return;
        var values = chosen[box.dataset.filter] || (chosen[box.dataset.filter] = []);
        var at = values.indexOf(box.value);
        if (box.checked && at === -1) values.push(box.value);
        if (!box.checked && at !== -1) values.splice(at, 1);
        runSearch();
      });
      return runSearch();
    }).catch(function () {
      setStatus("Search is not available on this copy of the site: it was built without a search index " +
        "(digest build --no-search, or no entries yet). Browse by tags or the archive instead.");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
