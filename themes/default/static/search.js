/* digest search page: Pagefind's JS API over the site's search shards, behind a small,
 * accessible UI.
 *
 * The index is several Pagefind indexes ("shards", each a run of entries in date order),
 * listed newest first in pagefind/shards.json. The page loads Pagefind's script and
 * WebAssembly from one shard and merges the others into it (Pagefind's mergeIndex), so one
 * query searches them all: results are ranked together by score, and filter counts add up
 * (each entry is in one shard). The page asks each shard on its own (a filter on the shard's
 * name, which mergeFilter gives every entry of a shard), for two things a merged search gets
 * wrong: "newest first" (Pagefind ranks merged results by score, and a sorted shard scores
 * its results by their place in that shard; shards never overlap in time, so their own
 * date-sorted results are put one after another, newest shard first), and a word that some
 * shards lack (see wordsFound).
 *
 * Filter values are loaded when a reader needs them: shards.json names each filter's most
 * used values with their counts, shown as they are while nothing is searched; a filter's
 * Pagefind files are fetched once its group is opened (or one of its values chosen), and only
 * then are counts shown for a query. "Show all" lists every value of an opened group.
 *
 * The form (#search) names the bundle and the site's base path, so the page works at a
 * domain root, under a sub-path (/repo/) and in `digest serve`. The query, the order and
 * the chosen filters live in the URL (?q=...&sort=newest&tag=...), so a result list can be
 * bookmarked, and the header's search box (a plain GET form) leads here without JavaScript.
 * Everything from the index is put into the page as text; only Pagefind's <mark> survives
 * in excerpts. Every word it shows comes from the page's language: the form's data-messages
 * (the theme's string table, `search.` keys), with plural forms picked by Intl.PluralRules.
 *
 * Languages: Pagefind keeps an index per language (of each page's <html lang>) and searches
 * the one of this page's <html lang>, so each language's search page searches its language.
 * On a site of several languages (data-languages) the results are also filtered to it (a shard
 * without that language would answer from another), unless the reader asks for all languages
 * (?languages=all): then every other language's index of every shard is merged in as well.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;
  var SHARD_FILTER = "digest-shard";   // mergeFilter: every entry of a shard carries its name

  var form, input, sortSelect, filtersBox, statusLine, resultsList, moreButton;
  var pagefind = null;
  var shards = [];          // shard names, newest first
  var summary = {};         // filter name -> {values: n, top: [[value, count], ...]} (shards.json)
  var groups = {};          // filter name -> {details, fieldset, label}
  var chosen = {};          // filter name -> array of chosen values
  var counts = null;        // filter name -> {value: count} for the current search, loaded filters only
  var expanded = {};        // filter name -> true once "Show all" was pressed
  var current = [];         // results of the last search, not yet shown
  var generation = 0;       // drops answers to searches that were overtaken
  var timer = null;
  var siteLanguages = [];   // the site's languages (data-languages), on a site of several
  var allLanguages = false; // ?languages=all: every language's index, no language filter
  // What a search asks: Pagefind over the shards in the page's language and, for all
  // languages, one more instance per other language (its own stemming); `language` filters
  // each to its own entries (a shard lacking a language answers from another).
  var engines = [];
  var messages = {};        // the page's strings (data-messages), read at start
  var plurals = null;       // Intl.PluralRules of the page's language

  function number(count) {
    try { return new Intl.NumberFormat(form.dataset.language).format(count); } catch (error) { return String(count); }
  }

  /* A message with its {placeholders} filled (numbers in the page's language); `count` picks
     a plural form. */
  function say(key, values) {
    var text = messages[key];
    values = values || {};
    if (text && typeof text === "object") {
      var form = typeof values.count === "number" && plurals ? plurals.select(values.count) : "other";
      text = text[form] || text.other;
    }
    return String(text === undefined ? key : text).replace(/\{(\w+)\}/g, function (whole, name) {
      if (!Object.prototype.hasOwnProperty.call(values, name)) return whole;
      return typeof values[name] === "number" ? number(values[name]) : String(values[name]);
    });
  }

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
      // The date as the entry's own page shows it, in its language (data-pagefind-meta="shown_date").
      var time = element("time", null, meta.shown_date || meta.date);
      time.setAttribute("datetime", meta.date);
      line.appendChild(time);
    }
    if (meta.source) line.appendChild(element("span", "source", meta.source));
    if (line.childNodes.length) item.appendChild(line);
    item.appendChild(excerptNode(data.excerpt));
    return item;
  }


  /* Pagefind finds a chosen filter value by its JSON text, escapes and all, so the pages write
     `"` and `\` escaped in filter values (render.pagefind_filter). Here each value is the text
     it stands for: shown as such, and sent as such, which Pagefind's JSON escapes back. */
  function filterText(value) { return value.replace(/\\(["\\])/g, "$1"); }

  function readCounts(filters) {
    var read = {};
    Object.keys(filters || {}).forEach(function (name) {
      if (!groups[name]) return;
      var values = read[name] = {};
      Object.keys(filters[name]).forEach(function (value) { values[filterText(value)] = filters[name][value]; });
    });
    return read;
  }

  function addCounts(into, more) {
    Object.keys(more).forEach(function (name) {
      var values = into[name] || (into[name] = {});
      Object.keys(more[name]).forEach(function (value) { values[value] = (values[value] || 0) + more[name][value]; });
    });
    return into;
  }

  function activeFilters() {
    var active = {};
    Object.keys(chosen).forEach(function (name) {
      if (chosen[name].length) active[name] = chosen[name].slice();
    });
    return active;
  }

  function hasFilters() { return Object.keys(activeFilters()).length > 0; }

  function isOpen(name) { return groups[name].details.open; }

  /* What Pagefind is asked to filter by: the chosen values, and, for each open group with
     none chosen, a filter that keeps every entry ({any: []}) but makes Pagefind load that
     filter's files, so that the answer counts its values. */
  function pagefindFilters() {
    var filters = activeFilters();
    Object.keys(groups).forEach(function (name) {
      if (!filters[name] && isOpen(name)) filters[name] = { any: [] };
    });
    return filters;
  }

  function wantsCounts() {
    return Object.keys(groups).some(function (name) { return isOpen(name) && !(counts && counts[name]); });
  }

  function valueOrder(name) {
    return function (a, b) {
      return name === "year" ? b.localeCompare(a) : a.localeCompare(b, undefined, { sensitivity: "base" });
    };
  }

  /* One group's values: its most used ones (shards.json) until "Show all", then every value
     Pagefind counted; chosen values always. Counts are this search's where Pagefind gave them,
     the whole index's (shards.json) while nothing is searched, else not shown yet. */
  function renderGroup(name) {
    var group = groups[name], info = summary[name] || { values: 0, top: [] };
    var known = counts && counts[name];
    var idle = !input.value.trim() && !hasFilters();
    var totals = {};
    info.top.forEach(function (pair) { totals[filterText(pair[0])] = pair[1]; });
    var names = Object.keys(totals);
    if (expanded[name] && known) names = Object.keys(known).sort(valueOrder(name));
    (chosen[name] || []).forEach(function (value) { if (names.indexOf(value) === -1) names.push(value); });
    var focused = document.activeElement && group.fieldset.contains(document.activeElement) ? document.activeElement.value : null;
    group.fieldset.querySelectorAll(".search-filter-option, .search-filter-all").forEach(function (node) { node.remove(); });
    names.forEach(function (value) {
      var label = element("label", "search-filter-option");
      var box = element("input");
      box.type = "checkbox";
      box.name = name;
      box.value = value;
      box.checked = (chosen[name] || []).indexOf(value) !== -1;
      box.dataset.filter = name;
      label.appendChild(box);
      label.appendChild(element("span", "search-filter-name", value));
      var count = known ? (known[value] || 0) : (idle && value in totals ? totals[value] : null);
      label.appendChild(element("span", "count", count === null ? "" : "(" + number(count) + ")"));
      label.classList.toggle("is-empty", count === 0 && !box.checked);
      group.fieldset.appendChild(label);
      if (value === focused) box.focus();
    });
    var total = known ? Object.keys(known).length : info.values;
    if (!expanded[name] && total > names.length) {
      var more = element("button", "search-filter-all", say("show_all", { count: total }));
      more.type = "button";
      more.dataset.expand = name;
      group.fieldset.appendChild(more);
    }
    group.details.hidden = !info.values && !names.length;
  }

  function renderFilters() { Object.keys(groups).forEach(renderGroup); }

  function writeUrl(query) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (sortSelect.value) params.set("sort", sortSelect.value);
    Object.keys(groups).forEach(function (name) {
      (chosen[name] || []).forEach(function (value) { params.append(name, value); });
    });
    if (allLanguages) params.set("languages", "all");
    var search = params.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
  }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    allLanguages = siteLanguages.length > 1 && params.get("languages") === "all";
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") === "newest" ? "newest" : "";
    Object.keys(groups).forEach(function (name) {
      chosen[name] = params.getAll(name);
      if (chosen[name].length) groups[name].details.open = true;
    });
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

  /* The query's words as Pagefind looks them up: lower case, without punctuation. */
  function queryWords(query) {
    return query.toLocaleLowerCase().split(/\s+/).map(function (word) {
      return word.replace(/[^\p{L}\p{N}_]/gu, "");
    }).filter(Boolean);
  }

  /* For each query word, whether the page (a result's data) holds a word that begins like it.
     Pagefind matches a query word to the words that begin with it; where an index has none,
     it falls back on the longest word the query word begins with ("a" for "aardvarkian").
     One index decides that for all its pages, so a shard's first result tells for the shard:
     a word found only by that fallback in one shard but found outright in another would
     have found nothing in that shard had the index been one, so its results are dropped.
     The word's last three letters may differ (Pagefind matches word stems). */
  function wordsFound(data, words) {
    var text = (data.content || "").split(/[\r\n\s]+/g);
    var located = (data.locations || []).map(function (at) {
      return (text[at] || "").toLocaleLowerCase().replace(/[^\p{L}\p{N}_]/gu, "");
    });
    return words.map(function (word) {
      var stem = word.slice(0, Math.max(1, word.length - 3));
      return located.some(function (found) { return found.indexOf(stem) === 0; });
    });
  }

  /* {results, filters}: each shard searched on its own (a filter on its name), so that a shard
     whose matches come only from Pagefind's fallback can be left out (wordsFound); then best
     match over all by score, or newest first shard by shard (shards never overlap in time). */
  function find(query, filters) {
    var newest = sortSelect.value === "newest";
    var asked = [];  // each shard in each language's engine, newest shard first
    shards.forEach(function (name) {
      engines.forEach(function (engine) {
        var own = Object.assign({}, filters);
        own[SHARD_FILTER] = name;
        if (engine.language) own.language = engine.language;
        asked.push(engine.pagefind.search(query, newest ? { filters: own, sort: { date: "desc" } } : { filters: own }));
      });
    });
    return Promise.all(asked).then(function (answers) {
      var words = query ? queryWords(query) : [];
      if (!words.length) return [answers, answers.map(function () { return true; })];
      return Promise.all(answers.map(function (answer) {
        return answer.results.length ? answer.results[0].data() : null;
      })).then(function (firsts) {
        var found = firsts.map(function (data) { return data ? wordsFound(data, words) : null; });
        var anywhere = words.map(function (_, at) { return found.some(function (each) { return each && each[at]; }); });
        return [answers, found.map(function (each) {
          return !each || words.every(function (_, at) { return each[at] || !anywhere[at]; });
        })];
      });
    }).then(function (pair) {
      var answers = pair[0], kept = pair[1];
      var found = { results: [], filters: {} };
      answers.forEach(function (answer, at) {
        if (!kept[at]) return;
        found.results = found.results.concat(answer.results);
        addCounts(found.filters, readCounts(answer.filters));
      });
      if (!newest) found.results.sort(function (a, b) { return b.score - a.score; });
      return found;
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
      counts = null;
      setStatus(say("prompt"));
      renderFilters();
      if (!wantsCounts()) return Promise.resolve();
      // An open group while nothing is searched: every entry, for the whole index's counts.
      return pagefind.search(null, { filters: pagefindFilters() }).then(function (answer) {
        if (mine !== generation) return;
        counts = readCounts(answer.filters);
        renderFilters();
      });
    }
    setStatus(say("searching"));
    return find(query || null, pagefindFilters()).then(function (answer) {
      if (mine !== generation) return;
      resultsList.textContent = "";
      current = answer.results.slice();
      counts = answer.filters;
      renderFilters();
      var found = say("results", { count: answer.results.length });
      // The count is announced once the first results are on the page, so the two agree.
      return showMore().then(function () {
        if (mine === generation) setStatus(query ? say("results_for", { results: found, query: query }) : found);
      });
    }).catch(function (error) {
      if (mine === generation) setStatus(say("failed", { error: error.message }));
    });
  }

  function searchSoon() {
    clearTimeout(timer);
    timer = setTimeout(runSearch, DEBOUNCE_MS);
  }

  /* The first shard listed in shards.json as `runtime` gives Pagefind's script and
     WebAssembly; every other shard is merged into it. */
  function loadShards(bundle, base, manifest) {
    shards = manifest.shards.map(function (shard) { return shard.name; });
    summary = manifest.filters || {};
    var runtime = bundle + manifest.runtime + "/";
    return import(runtime + "pagefind.js").then(function (module) {
      pagefind = module;
      var own = {};
      own[SHARD_FILTER] = manifest.runtime;
      return pagefind.options({ basePath: runtime, baseUrl: base, noWorker: true, mergeFilter: own });
    }).then(function () {
      return Promise.all(shards.filter(function (name) { return name !== manifest.runtime; }).map(function (name) {
        var own = {};
        own[SHARD_FILTER] = name;
        return pagefind.mergeIndex(bundle + name + "/", { baseUrl: base, mergeFilter: own });
      }));
    }).then(function () {
      engines = [{ pagefind: pagefind, language: siteLanguages.length > 1 ? form.dataset.language : null }];
      return allLanguages ? otherLanguages(runtime, bundle, base) : null;
    });
  }

  /* One Pagefind instance per other language of the site, over every shard, each from a module
     of its own (the script imported again under another URL): instances of one module share
     its WebAssembly, whose stemming is the first language's. Pagefind chooses an instance's
     language by <html lang> when it is made, so the page's lang is that language for that
     moment; the instance then loads that language's index and WebAssembly. */
  function otherLanguages(runtime, bundle, base) {
    var page = form.dataset.language, own = {};
    own[SHARD_FILTER] = runtime.split("/").slice(-2)[0];
    return Promise.all(siteLanguages.filter(function (language) { return language !== page; }).map(function (language) {
      return import(runtime + "pagefind.js?language=" + encodeURIComponent(language)).then(function (module) {
        var html = document.documentElement, was = html.getAttribute("lang"), engine;
        html.setAttribute("lang", language);
        try { engine = module.createInstance({ basePath: runtime, baseUrl: base, noWorker: true }); }
        finally { html.setAttribute("lang", was); }
        engines.push({ pagefind: engine, language: language });
        // As for the page's own instance: the shard filter through options(), not at creation.
        return engine.options({ mergeFilter: own }).then(function () {
          return Promise.all(shards.filter(function (name) { return bundle + name + "/" !== runtime; }).map(function (name) {
            var merged = {};
            merged[SHARD_FILTER] = name;
            return engine.mergeIndex(bundle + name + "/", { baseUrl: base, mergeFilter: merged, language: language });
          }));
        });
      });
    }));
  }



  function listen() {
    form.classList.add("is-ready");
    form.addEventListener("submit", function (event) { event.preventDefault(); runSearch(); });
    input.addEventListener("input", searchSoon);
    sortSelect.addEventListener("change", runSearch);
    var everyLanguage = document.getElementById("search-all-languages");
    if (everyLanguage) {
      everyLanguage.checked = allLanguages;
      // Other indexes are loaded when the page starts: the page starts again with the choice.
      everyLanguage.addEventListener("change", function () {
        allLanguages = everyLanguage.checked;
        writeUrl(input.value.trim());
        location.reload();
      });
    }
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
    filtersBox.addEventListener("click", function (event) {
      var name = event.target.dataset && event.target.dataset.expand;
      if (!name) return;
      expanded[name] = true;
      if (counts && counts[name]) renderGroup(name);
      var box = groups[name].fieldset.querySelector("input");
      (counts && counts[name] ? Promise.resolve() : runSearch()).then(function () {
        var first = groups[name].fieldset.querySelector("input");
        if (first) first.focus();
        else if (box) box.focus();
      });
    });
    Object.keys(groups).forEach(function (name) {
      groups[name].details.addEventListener("toggle", function () {
        if (isOpen(name) && wantsCounts()) searchSoon();
      });
    });
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
    filtersBox.querySelectorAll("details[data-filter]").forEach(function (details) {
      groups[details.dataset.filter] = { details: details, fieldset: details.querySelector("fieldset") };
    });
    try { messages = JSON.parse(form.dataset.messages || "{}"); } catch (error) { messages = {}; }
    try { siteLanguages = JSON.parse(form.dataset.languages || "[]"); } catch (error) { siteLanguages = []; }
    try { plurals = new Intl.PluralRules(form.dataset.language); } catch (error) { plurals = null; }
    readUrl();
    setStatus(say("loading"));
    var bundle = new URL(form.dataset.bundle, location.href).pathname;
    var base = form.dataset.base;
    fetch(bundle + "shards.json", { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error("no search index");
      return response.json();
    }).then(function (manifest) {
      return loadShards(bundle, base, manifest);
    }).then(function () {
      renderFilters();
      listen();
      return runSearch();
    }).catch(function () {
      filtersBox.hidden = true;
      setStatus(say("unavailable"));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
