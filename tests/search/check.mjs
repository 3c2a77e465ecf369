// Runs the browser's search and suggestions (templates/static/marquee.js) under node,
// without a DOM, against a built output:
//   node tests/search/check.mjs OUTPUT_DIR LABEL [QUERIES_FILE]
// - unit checks of the typo distance, the word keys and the ranking tiers;
// - every LABEL query of tests/search_queries.txt ("data | query | expected | note"):
//   with LABEL "sample" each expected name must be the top result (make test); any other
//   label only measures: top-1 and top-5 hits, and the bytes each query fetches (every
//   file a query reads, counted once per query, as a browser with an empty cache would).
// - the questions' suggestions: a surname finds the full name, as "¿Quisiste decir…?".
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import vm from "node:vm";
import assert from "node:assert/strict";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const [out, label, queriesPath = here("../search_queries.txt")] = process.argv.slice(2);
if (!out || !label) {
  console.error("usage: node tests/search/check.mjs OUTPUT_DIR LABEL [QUERIES_FILE]");
  process.exit(2);
}

// fetch() reads files under OUTPUT_DIR and counts the bytes of each file read.
let fetched = new Map();
const context = vm.createContext({
  TextEncoder,
  fetch: async (url) => {
    const path = join(out, url.replace(/^\.\//, ""));
    if (!existsSync(path)) return { ok: false, status: 404, json: async () => null };
    const text = readFileSync(path, "utf8");
    fetched.set(url, Buffer.byteLength(text));
    return { ok: true, status: 200, json: async () => JSON.parse(text) };
  },
});
vm.runInContext(readFileSync(here("../../templates/static/marquee.js"), "utf8"), context, { filename: "marquee.js" });
const js = (name) => vm.runInContext(name, context);
// Each query runs with an empty cache, so its bytes are all its own.
const fresh = () => { js("cache").clear(); fetched = new Map(); };

let failures = 0;
function check(name, f) {
  try {
    f();
  } catch (error) {
    failures += 1;
    console.error(`FAIL ${name}\n  ${error.message.replaceAll("\n", "\n  ")}`);
  }
}

const typoDistance = js("typoDistance");
check("typo distance", () => {
  assert.equal(typoDistance("fictoin", "fiction", false), 1, "a swap counts one");
  assert.equal(typoDistance("kubrik", "kubrick", false), 1);
  assert.equal(typoDistance("mision", "mission", false), 1);
  assert.equal(typoDistance("fict", "fiction", true), 0, "a prefix is no typo");
  assert.equal(typoDistance("fictoi", "fiction", true), 1);
  assert.equal(typoDistance("abc", "xyz", false), 3);
});
check("words split on punctuation, accents and case go", () => {
  assert.deepEqual(Array.from(js("searchWords")("Spider-Man: Un Día ÉPICO")), ["spider", "man", "un", "dia", "epico"]);
});
check("typo budget by length", () => {
  assert.deepEqual(["the", "pulp", "fictoin", "shawshank"].map(js("typoBudget")), [0, 1, 1, 2]);
});
check("word keys: one typo in the first letters keeps a common key", () => {
  const wordKeys = js("wordKeys");
  for (const [typed, word] of [["ifction", "fiction"], ["fcition", "fiction"], ["hlolow", "hollow"], ["xollow", "hollow"]]) {
    const mine = new Set(wordKeys(typed, 4));
    assert.ok(wordKeys(word, 5).some((k) => mine.has(k)), `${typed} / ${word}`);
  }
});
check("tiers: whole title, then title prefix, then words anywhere", () => {
  const match = (q, name) => { const m = js("matchName")(js("searchWords")(q), js("searchWords")(name)); return m && [m.tier, m.typos]; };
  assert.deepEqual(match("godfather", "The Godfather"), [0, 0]);
  assert.deepEqual(match("godfather", "The Godfather: Part II"), [1, 0]);
  assert.deepEqual(match("pulp fictoin", "Pulp Fiction"), [0, 1]);
  assert.deepEqual(match("spider man", "Spider-Man 3"), [1, 0]);
  assert.deepEqual(match("spielberg", "Steven Spielberg"), [2, 0]);
  assert.deepEqual(match("hanks tom", "Tom Hanks"), [3, 0]);
  assert.deepEqual(match("star wa", "Star Wars"), [1, 0]);
  assert.equal(match("star wars", "Star Trek"), null);
  assert.equal(match("cat", "Bat"), null, "no typos under 4 letters");
});
check("ask's distance", () => {
  const d = js("askDistance");
  assert.equal(d("spielberg", "steven spielberg"), 7);
  assert.equal(d("kitten", "sitting"), 3);
});

// The queries file.
const lines = readFileSync(queriesPath, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
const queries = lines.map((l) => l.split("|").map((p) => p.trim())).filter(([data]) => data === label);
if (queries.length === 0) {
  console.error(`no "${label}" queries in ${queriesPath}`);
  process.exit(2);
}
const search = js("search");
let top1 = 0, top5 = 0, maxBytes = 0, totalBytes = 0;
const rows = [];
for (const [, query, expected, note] of queries) {
  fresh();
  let names = [];
  try {
    names = (await search(query, 10)).map((r) => r.name);
  } catch (error) {
    check(`search ${query}`, () => assert.fail(`threw ${error.message}`));
  }
  const bytes = [...fetched.values()].reduce((a, b) => a + b, 0);
  const at = names.indexOf(expected);
  top1 += at === 0 ? 1 : 0;
  top5 += at >= 0 && at < 5 ? 1 : 0;
  maxBytes = Math.max(maxBytes, bytes);
  totalBytes += bytes;
  rows.push(`${at === 0 ? "1" : at >= 0 && at < 5 ? "5" : "-"} ${String(bytes).padStart(7)} B ${fetched.size} files  ${query} -> ${names.slice(0, 3).join(" | ")}${at === 0 ? "" : `   (expected ${expected}: ${note})`}`);
  if (label === "sample") check(`search ${query}`, () => assert.equal(names[0], expected, `top results: ${names.slice(0, 5).join(" | ")}`));
}
console.log(rows.join("\n"));
console.log(`${label}: ${queries.length} queries, top-1 ${top1}, top-5 ${top5}, max ${maxBytes} B, mean ${Math.round(totalBytes / queries.length)} B per query`);

// Suggestions on the questions page: every get_director key's surname suggests it.
if (label === "sample") {
  fresh();
  const index = JSON.parse(readFileSync(join(out, "api/index.json"), "utf8"));
  const entry = index.questions.find((q) => q.name === "get_director");
  const example = entry.example.input;
  const surname = example.split(" ").at(-1);
  const found = await js("didYouMean")("get_director", surname);
  const display = entry.example.answers[0][entry.input_field];
  check(`did you mean ${surname}`, () => assert.ok(Array.from(found).includes(display), `${surname} -> ${Array.from(found).join(" | ")}, not ${display}`));
  const typed = await js("suggestions")("get_director", display.slice(0, 4), 8);
  check(`suggestions for ${display.slice(0, 4)}`, () => assert.ok(Array.from(typed).includes(display), Array.from(typed).join(" | ")));
}

if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
