/** The reference page's inline style and search script (no external assets, no server). */

export const PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #fff; --card: #f6f7f9; --accent: #1f6feb; --acl: #8250df; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --bg: #0f1218; --card: #171b23; --accent: #58a6ff; --acl: #c297ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; background: var(--bg); border-bottom: 1px solid var(--card); padding: 0.6rem 1.2rem; }
h1 { margin: 0 0 0.4rem; font-size: 1.3rem; }
h1 small, h3 small { color: var(--muted); font-weight: normal; font-size: 0.8em; }
#search { width: min(40rem, 70vw); padding: 0.35rem 0.6rem; font-size: 1rem; }
#count { margin-left: 0.6rem; color: var(--muted); }
nav { margin-top: 0.3rem; }
main { padding: 0 1.2rem 2rem; max-width: 72rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.entry { background: var(--card); border-radius: 6px; padding: 0.4rem 0.9rem 0.6rem; margin: 0.6rem 0; }
.entry h3 { margin: 0.2rem 0 0.3rem; font-size: 1.05rem; }
.entry h4 { margin: 0.5rem 0 0.1rem; font-size: 0.9rem; color: var(--muted); }
.anchor { color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.2rem 0; }
dt { color: var(--muted); }
dd { margin: 0; }
pre { margin: 0.2rem 0; overflow-x: auto; font-size: 0.85rem; }
code.acl { color: var(--acl); font-weight: 600; }
.hidden { display: none; }
table.constants { border-collapse: collapse; }
table.constants td, table.constants th { padding: 0.1rem 0.8rem 0.1rem 0; text-align: left; }
footer { color: var(--muted); padding: 1rem 1.2rem; }
`;

/**
 * Filters entries and constant rows by the words typed: every word must occur in the entry's
 * key (its names, lower-cased, underscores ignored). Kept in the URL's `?q=` so a search can be shared.
 */
export const PAGE_SCRIPT = `
(function () {
  var input = document.getElementById("search");
  var count = document.getElementById("count");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-key]"));
  // Underscores are ignored, so "migratestartpostcopy" finds the procedure and its types.
  var keys = items.map(function (el) { return el.getAttribute("data-key").replace(/_/g, ""); });
  function apply() {
    var words = input.value.toLowerCase().replace(/_/g, "").split(/\\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (el, i) {
      var hit = words.every(function (w) { return keys[i].indexOf(w) !== -1; });
      el.classList.toggle("hidden", !hit);
      if (hit) shown++;
    });
    count.textContent = words.length ? shown + " of " + items.length + " entries" : "";
  }
  input.addEventListener("input", function () {
    apply();
    var url = new URL(location.href);
    if (input.value) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  });
  var q = new URL(location.href).searchParams.get("q");
  if (q) { input.value = q; apply(); }
})();
`;
