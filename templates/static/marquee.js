// marquee: answers and search in the browser, from the static JSON files only.
// The normalisation and the shard hash are the pipeline's (src/normalize.rs,
// src/bundle.rs); api/index.json documents both.
"use strict";

const root = document.documentElement.dataset.root || ".";

function normalizeKey(text) {
  return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").trim().replace(/\s+/g, " ");
}

function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const cache = new Map();
function fetchJson(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(`${root}/${path}`).then((r) => {
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return r.json();
    }));
  }
  return cache.get(path);
}

async function lookup(question, input) {
  const index = await fetchJson("api/index.json");
  const entry = index.questions.find((q) => q.name === question);
  let key = normalizeKey(input);
  key = index.normalization.aliases[key] || key;
  const shard = String(fnv1a32(key) % entry.shards).padStart(3, "0");
  const file = await fetchJson(`api/${question}/${shard}.json`);
  return { key, answers: file[key] || [] };
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

async function search(query) {
  const index = await fetchJson("search/index.json");
  const words = normalizeKey(query).split(" ").filter((w) => w.length > 0);
  const anchor = words.filter((w) => w.length >= index.prefix).sort((a, b) => b.length - a.length)[0];
  if (!anchor) return [];
  const shard = String(fnv1a32(anchor.slice(0, index.prefix)) % index.shards).padStart(3, "0");
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

setUpQuestionForms();
setUpSearch();
