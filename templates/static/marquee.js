// marquee: answers and search in the browser, from the static JSON files only.
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

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

function setUpQuestionForms() {
  for (const form of document.querySelectorAll("form.ask")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const output = form.querySelector("output");
      const input = form.querySelector("input").value;
      output.replaceChildren(paragraph("Buscando…"));
      try {
        const { key, answers } = await lookup(form.dataset.question, input);
        if (answers.length === 0) {
          output.replaceChildren(paragraph(`No hay respuesta para «${input}» (clave «${key}»).`, "miss"));
          return;
        }
        output.replaceChildren(...answers.map((a) => paragraph(a.sentence, "sentence")));
      } catch (error) {
        output.replaceChildren(paragraph(`Error: ${error.message}`, "miss"));
      }
    });
  }
}

// Word lengths and prefixes count code points, as the Rust side's chars() does (a
// UTF-16 slice would cut an emoji in half and pick another shard).
function codePoints(text) {
  return Array.from(text);
}

async function search(query) {
  const index = await fetchJson("search/index.json");
  const words = normalizeKey(query).split(" ").filter((w) => w.length > 0);
  const anchor = words.filter((w) => codePoints(w).length >= index.prefix)
    .sort((a, b) => codePoints(b).length - codePoints(a).length)[0];
  if (!anchor) return [];
  const prefix = codePoints(anchor).slice(0, index.prefix).join("");
  const shard = shardName(prefix, index.shards);
  const entries = await fetchJson(`search/${shard}.json`);
  const seen = new Set();
  return entries.filter((e) => {
    if (seen.has(e.u) || !words.every((w) => e.k.includes(w))) return false;
    seen.add(e.u);
    return true;
  }).slice(0, index.limit);
}

function setUpSearch() {
  for (const form of document.querySelectorAll("form.search")) {
    const results = form.querySelector("ul.results") || form.parentElement.querySelector("ul.results");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const query = form.querySelector("input").value;
      results.replaceChildren();
      const found = await search(query);
      if (found.length === 0) {
        const li = document.createElement("li");
        li.textContent = `Nada encontrado para «${query}».`;
        results.append(li);
        return;
      }
      for (const e of found) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = `${root}/${e.u}`;
        a.textContent = e.n;
        li.append(a, document.createTextNode(e.d ? ` — ${e.d}` : ""));
        results.append(li);
      }
    });
  }
}

// Under node (tests/normalization/check.mjs) there is no page to set up.
if (typeof document !== "undefined") {
  setUpQuestionForms();
  setUpSearch();
}
