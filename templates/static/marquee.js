// marquee: answers, suggestions and search in the browser, from the static JSON files only.
// The normalisation and the shard hash are the pipeline's (src/normalize.rs,
// src/bundle.rs); api/index.json documents both. tests/normalization/check.mjs runs
// this file under node (no DOM) against the spec vectors the Rust side passes too.
"use strict";

const root = typeof document !== "undefined" ? document.documentElement.dataset.root || "." : ".";

// Marks, and Default_Ignorable_Code_Point of Unicode 17 spelled out (normalize.rs,
// is_key_ignorable): byte order marks, zero-width spaces and joiners, direction marks.
const KEY_IGNORED = /[\p{M}\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0000}-\u{E0FFF}]/gu;
// Unicode White_Space (normalize.rs, is_key_space). Not \s: that adds U+FEFF and lacks U+0085.
const KEY_SPACES = /[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/gu;

function normalizeKey(text) {
  return text.toLowerCase().normalize("NFD").replace(KEY_IGNORED, "").replace(/\u03C2/g, "\u03C3")
    .replace(KEY_SPACES, " ").replace(/^ | $/g, "");
}

function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

// The shard a text is filed under, as its 3-digit file name (src/bundle.rs, shard_path).
function shardName(text, shards) {
  return String(fnv1a32(text) % shards).padStart(3, "0");
}

// Data picks the keys: a plain `object[key]` would answer "constructor" or "__proto__"
// from Object.prototype, so every lookup by a data key goes through this.
function own(object, key) {
  return object !== null && typeof object === "object" && Object.hasOwn(object, key) ? object[key] : undefined;
}

const cache = new Map();
function fetchJson(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(`${root}/${path}`).then(
      async (r) => {
        if (!r.ok) throw new Error(`${path}: respuesta HTTP ${r.status}`);
        try {
          return await r.json();
        } catch {
          throw new Error(`${path}: no es JSON válido`);
        }
      },
      () => {
        throw new Error(`no se pudo descargar ${path}`);
      },
    ));
  }
  return cache.get(path);
}

async function lookup(question, input) {
  const index = await fetchJson("api/index.json");
  const entry = Array.isArray(index.questions) ? index.questions.find((q) => q && q.name === question) : undefined;
  if (!entry) throw new Error(`api/index.json no incluye la pregunta ${question}`);
  if (!Number.isInteger(entry.shards) || entry.shards < 1) throw new Error(`api/index.json: número de fragmentos no válido para ${question}`);
  // Aliases belong to a question: "setiembre" is a month for the month questions only.
  const normalized = normalizeKey(input);
  const alias = own(entry.aliases, normalized);
  const key = typeof alias === "string" ? alias : normalized;
  const path = `api/${question}/${shardName(key, entry.shards)}.json`;
  const file = await fetchJson(path);
  if (file === null || typeof file !== "object" || Array.isArray(file)) throw new Error(`${path}: no es un objeto JSON`);
  const answers = own(file, key);
  if (answers === undefined) return { key, answers: [] };
  if (!Array.isArray(answers)) throw new Error(`${path}: las respuestas a «${key}» no son una lista`);
  return { key, answers };
}

// ---- Word indexes: the search in the header and the questions' suggestions ----
// How they are cut is src/foundation/published/word_index.rs: entry files by each
// word's first 2 and 3 characters, word files by 3-character subsequences of a word's
// first 5, so that a word with typos finds its corrections in a few small files.

// Word lengths and prefixes count code points, as the Rust side's chars() does (a
// UTF-16 slice would cut an emoji in half and pick another file).
function codePoints(text) {
  return Array.from(text);
}

// The words search matches: the normalised key split at everything that is not a
// letter or a digit, as word_index.rs's words() does ("Spider-Man" -> spider, man).
function searchWords(text) {
  return normalizeKey(text).split(/[^\p{Alphabetic}\p{N}]+/u).filter((w) => w.length > 0);
}

// Typos a query word may carry: none below 4 characters, one from 4, two from 8.
function typoBudget(word) {
  const n = codePoints(word).length;
  return n >= 8 ? 2 : n >= 4 ? 1 : 0;
}

// Optimal string alignment distance: edits, with two neighbours swapped counting one
// ("fictoin" is one typo from "fiction"). With `prefix`, the distance to the closest
// prefix of b (the word being typed).
function typoDistance(a, b, prefix) {
  const x = codePoints(a), y = codePoints(b);
  let before = null, row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      let d = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (before && i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2] + 1);
      next.push(d);
    }
    [before, row] = [row, next];
  }
  return prefix ? Math.min(...row) : row[y.length];
}

// Every 3-character subsequence of the first `span` characters (word_index.rs, word_keys).
function wordKeys(word, span) {
  const head = codePoints(word).slice(0, span);
  const keys = new Set();
  for (let a = 0; a < head.length; a++) {
    for (let b = a + 1; b < head.length; b++) {
      for (let c = b + 1; c < head.length; c++) keys.add(head[a] + head[b] + head[c]);
    }
  }
  return [...keys];
}

// The entry key a word's records are filed under: its first 3 characters, or the
// whole word when shorter.
function entryKey(word) {
  return codePoints(word).slice(0, 3).join("");
}

function indexFile(meta, kind, key) {
  const files = kind === "e" ? meta.entry_files : meta.word_files;
  if (!Number.isInteger(files) || files < 1) throw new Error(`${meta.dir}/index: número de archivos no válido`);
  return `${meta.dir}/${kind}/${String(fnv1a32(key) % files).padStart(4, "0")}.json`;
}

// The word the index is read by: the longest whose records are all filed (capped keys
// keep only the most popular ones), the last of equals (the one being typed).
function anchorWord(words, capped) {
  let best = null;
  for (const [i, w] of words.entries()) {
    const rank = [capped.has(entryKey(w)) ? 0 : 1, codePoints(w).length, i];
    if (!best || rank[0] > best.rank[0] || (rank[0] === best.rank[0] && (rank[1] > best.rank[1] || (rank[1] === best.rank[1] && rank[2] > best.rank[2])))) {
      best = { word: w, last: i === words.length - 1, rank };
    }
  }
  return best;
}

// Corrections of the anchor beyond its own prefix: at most this many more entry files.
const TYPO_KEYS = 3;

// Whether a list of records has a word the anchor is (or, being typed, begins).
function anchorFound(records, anchor) {
  return Array.isArray(records) && records.some((r) => Array.isArray(r) && typeof r[1] === "string" &&
    searchWords(r[1]).some((w) => w === anchor.word || (anchor.last && w.startsWith(anchor.word))));
}

// The entry keys to read beyond the anchor's own: when no record there has the anchor
// as a word, the prefixes of the indexed words within its typo budget, closest first.
async function typoKeys(meta, anchor, ownRecords) {
  const budget = typoBudget(anchor.word);
  if (budget === 0 || anchorFound(ownRecords, anchor)) return [];
  const own = entryKey(anchor.word);
  const files = new Set(wordKeys(anchor.word, 3 + budget).map((k) => indexFile(meta, "w", k)));
  const lists = await Promise.all([...files].map((f) => fetchJson(f)));
  const found = new Map();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const w of list) {
      if (typeof w !== "string") continue;
      const d = typoDistance(anchor.word, w, anchor.last);
      const key = entryKey(w);
      if (d <= budget && key !== own && !(found.get(key) <= d)) found.set(key, d);
    }
  }
  const extra = [...found.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return extra.slice(0, TYPO_KEYS).map(([k]) => k);
}

// Leading articles a query may leave out: "godfather" is the whole of "The Godfather".
const ARTICLES = new Set(["the", "a", "an", "el", "la", "los", "las", "lo", "le", "les", "l", "il", "der", "die", "das"]);

// How a name matches the query words, or null: every query word must meet a word of
// the name exactly, as a prefix (the last word, being typed) or within its typos.
// tier 0: the whole title; 1: the title starts with the query; 2: the query's words
// side by side elsewhere ("kubrick" in "Stanley Kubrick"); 3: words anywhere.
function matchName(queryWords, nameWords) {
  const last = queryWords.length - 1;
  const skip = nameWords.length > 1 && ARTICLES.has(nameWords[0]) && queryWords[0] !== nameWords[0] ? 1 : 0;
  const found = [];
  for (const [i, q] of queryWords.entries()) {
    const budget = typoBudget(q);
    let best = null;
    for (const [j, w] of nameWords.entries()) {
      let m = null;
      if (w === q) m = { cost: 0, prefix: false };
      else if (i === last && w.startsWith(q)) m = { cost: 0, prefix: true };
      else if (budget > 0) {
        const d = typoDistance(q, w, false);
        if (d <= budget) m = { cost: d, prefix: false };
        else if (i === last) {
          const p = typoDistance(q, w, true);
          if (p <= budget) m = { cost: p, prefix: true };
        }
      }
      if (!m) continue;
      const better = !best || m.cost < best.cost || (m.cost === best.cost && (j === i + skip) > (best.j === i + skip));
      if (better) best = { ...m, j };
    }
    if (!best) return null;
    found.push(best);
  }
  const starts = found.every((m, i) => m.j === i + skip);
  const whole = starts && nameWords.length - skip === queryWords.length && !found[last].prefix;
  const phrase = found.every((m, i) => m.j === found[0].j + i);
  return { tier: whole ? 0 : starts ? 1 : phrase ? 2 : 3, typos: found.reduce((sum, m) => sum + m.cost, 0) };
}

// Ranked records of a word index for a query: fewer typos first ("tarantino" is Quentin
// Tarantino before Tarnation), then exact title, title prefix, phrase, words anywhere;
// then popularity (the record's rank).
// Records are [rank, name, ...]; `meta` is the index's description (search/index.json
// or a question's "suggest" entry in api/index.json), `meta.dir` its directory.
async function searchIndex(meta, query, limit) {
  const words = searchWords(query);
  if (words.length === 0 || words.join("").length < 2) return [];
  const capped = new Set(Array.isArray(meta.capped) ? meta.capped : []);
  const anchor = anchorWord(words, capped);
  const readKey = async (key) => own(await fetchJson(indexFile(meta, "e", key)), key);
  const ownRecords = await readKey(entryKey(anchor.word));
  const extra = await Promise.all((await typoKeys(meta, anchor, ownRecords)).map(readKey));
  const seen = new Set();
  const hits = [];
  for (const records of [ownRecords, ...extra]) {
    if (!Array.isArray(records)) continue;
    for (const record of records) {
      if (!Array.isArray(record) || typeof record[1] !== "string" || seen.has(record[0])) continue;
      seen.add(record[0]);
      const match = matchName(words, searchWords(record[1]));
      if (match) hits.push({ record, ...match });
    }
  }
  hits.sort((a, b) => a.typos - b.typos || a.tier - b.tier || a.record[0] - b.record[0]);
  return hits.slice(0, limit).map((h) => h.record);
}

// The site's search: [{name, detail, url}] for a query.
async function search(query, limit) {
  const meta = { ...(await fetchJson("search/index.json")), dir: "search" };
  const records = await searchIndex(meta, query, limit || meta.limit || 10);
  return records.map(([, name, detail, url]) => ({ name, detail, url }));
}

// `marquee ask`'s closeness (src/stages/bundle, distance): a key containing the input
// is as far as the characters it adds; otherwise the edit distance.
function askDistance(input, key) {
  if (input.length > 0 && key.includes(input)) return codePoints(key).length - codePoints(input).length;
  const x = codePoints(input), y = codePoints(key);
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[y.length];
}

async function questionEntry(question) {
  const index = await fetchJson("api/index.json");
  const entry = Array.isArray(index.questions) ? index.questions.find((q) => q && q.name === question) : undefined;
  if (!entry) throw new Error(`api/index.json no incluye la pregunta ${question}`);
  return entry;
}

// What the questions page offers while typing: the question's keys that match.
async function suggestions(question, input, limit) {
  const entry = await questionEntry(question);
  if (!entry.suggest || typeof entry.suggest.dir !== "string") return [];
  const meta = { ...entry.suggest, dir: `api/${entry.suggest.dir}` };
  return (await searchIndex(meta, input, limit)).map((r) => r[1]);
}

// "¿Quisiste decir…?": the closest keys by `marquee ask`'s rule, among the keys the
// suggestion index finds for the input (its words, their prefixes and typos).
async function didYouMean(question, input) {
  const key = normalizeKey(input);
  const found = await suggestions(question, input, 50);
  return found.map((name) => ({ name, d: askDistance(key, normalizeKey(name)) }))
    .sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, 5).map((s) => s.name);
}

// ---- The page: ARIA combobox (input + listbox), answers on the questions page ----

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

let comboboxes = 0;

// Turns an input into a combobox: `options(query)` gives [{label, detail}] as the user
// types; ArrowUp/ArrowDown move, Enter chooses (`choose(option)`), Escape closes.
// The listbox follows the input in the page; the active option is the input's
// aria-activedescendant, so focus stays in the input.
function combobox(input, options, choose) {
  const id = `lista-${++comboboxes}`;
  const list = document.createElement("ul");
  list.id = id;
  list.className = "combobox";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Sugerencias");
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);
  let shown = [], active = -1, asked = 0;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const activate = (i) => {
    active = i;
    for (const [n, li] of [...list.children].entries()) li.setAttribute("aria-selected", n === i ? "true" : "false");
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", `${id}-${i}`);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const show = (found) => {
    shown = found;
    list.replaceChildren(...found.map((o, i) => {
      const li = document.createElement("li");
      li.id = `${id}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = o.label;
      li.append(name);
      if (o.detail) {
        const detail = document.createElement("span");
        detail.className = "muted";
        detail.textContent = ` — ${o.detail}`;
        li.append(detail);
      }
      li.addEventListener("mousedown", (event) => event.preventDefault());
      li.addEventListener("click", () => choose(o));
      return li;
    }));
    active = -1;
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", found.length > 0 ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  };
  input.addEventListener("input", async () => {
    const mine = ++asked;
    try {
      const found = await options(input.value);
      if (mine === asked) show(found);
    } catch {
      if (mine === asked) show([]);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && shown.length > 0) {
      event.preventDefault();
      if (list.hidden) show(shown);
      activate((active + 1) % shown.length);
    } else if (event.key === "ArrowUp" && shown.length > 0) {
      event.preventDefault();
      activate(active <= 0 ? shown.length - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(shown[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
  return { close };
}

function setUpSearch() {
  const form = document.querySelector("form.site-search");
  if (!form) return;
  const input = form.querySelector("input");
  const status = form.querySelector(".status");
  let first = null;
  const open = (o) => { window.location.href = `${root}/${o.url}`; };
  combobox(input, async (query) => {
    const found = await search(query);
    first = found[0] || null;
    if (status) status.textContent = query.trim().length < 2 ? "" : found.length === 0 ? `Nada encontrado para «${query}».` : `${found.length} resultados.`;
    return found.map((r) => ({ label: r.name, detail: r.detail, url: r.url }));
  }, open);
  // Enter without choosing opens the best result.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const found = first ? [first] : await search(input.value, 1);
    if (found.length > 0) open(found[0]);
  });
}

function setUpQuestionForms() {
  for (const form of document.querySelectorAll("form.ask")) {
    const input = form.querySelector("input");
    const output = form.querySelector("output");
    const ask = async () => {
      output.replaceChildren(paragraph("Buscando…"));
      try {
        const { key, answers } = await lookup(form.dataset.question, input.value);
        if (answers.length > 0) {
          output.replaceChildren(...answers.map((a) => paragraph(a.sentence, "sentence")));
          return;
        }
        const miss = paragraph(`No hay respuesta para «${input.value}» (clave «${key}»).`, "miss");
        const closest = await didYouMean(form.dataset.question, input.value);
        if (closest.length === 0) {
          output.replaceChildren(miss);
          return;
        }
        const offer = document.createElement("p");
        offer.className = "did-you-mean";
        offer.append("¿Quisiste decir: ");
        for (const [i, name] of closest.entries()) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.textContent = name;
          button.addEventListener("click", () => { input.value = name; ask(); });
          offer.append(...(i > 0 ? [", ", button] : [button]));
        }
        offer.append("?");
        output.replaceChildren(miss, offer);
      } catch (error) {
        output.replaceChildren(paragraph(`Error: ${error.message}`, "miss"));
      }
    };
    const box = combobox(input, async (typed) => (await suggestions(form.dataset.question, typed, 8)).map((label) => ({ label })),
      (o) => { input.value = o.label; box.close(); ask(); });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      box.close();
      ask();
    });
  }
}

// Under node (tests/normalization/check.mjs, tests/search/check.mjs) there is no page to set up.
if (typeof document !== "undefined") {
  setUpQuestionForms();
  setUpSearch();
}
