// Runs the browser's key derivation (templates/static/marquee.js) under node, without a
// DOM, against the spec the Rust side passes too (src/foundation/published/normalize.rs reads the same file):
//   node tests/normalization/check.mjs
// - every vector of vectors.json: normalizeKey(input) === key, and fnv1a32(key) where given;
// - the spelled-out whitespace and ignorable classes still equal the Unicode properties;
// - lookup(): per-question aliases, and keys that are Object.prototype names.
// (The search and the suggestions are checked by tests/search/check.mjs.)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import assert from "node:assert/strict";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const vectors = JSON.parse(readFileSync(here("vectors.json"), "utf8"));

// Fake files served to fetch(): name -> JSON text (parsed on each fetch, as a browser does).
const served = new Map();
const context = vm.createContext({
  TextEncoder,
  fetch: async (url) => {
    const text = served.get(url);
    return { ok: text !== undefined, status: text === undefined ? 404 : 200, json: async () => JSON.parse(text) };
  },
});
vm.runInContext(readFileSync(here("../../templates/static/marquee.js"), "utf8"), context, { filename: "marquee.js" });
const js = (name) => vm.runInContext(name, context);
const normalizeKey = js("normalizeKey");
const fnv1a32 = js("fnv1a32");
const lookup = js("lookup");

let failures = 0;
function check(name, f) {
  try {
    f();
  } catch (error) {
    failures += 1;
    console.error(`FAIL ${name}\n  ${error.message.replaceAll("\n", "\n  ")}`);
  }
}
const show = (s) => JSON.stringify(s).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);

assert.ok(vectors.length >= 40, "vectors.json holds the spec");
for (const [i, v] of vectors.entries()) {
  check(`vector ${i} (${v.note})`, () => {
    assert.equal(show(normalizeKey(v.input)), show(v.key), `input ${show(v.input)}`);
    if (v.fnv1a32 !== undefined) assert.equal(fnv1a32(v.key), v.fnv1a32, `fnv1a32 of ${show(v.key)}`);
  });
}

// The classes are written out so that a Unicode update cannot move keys silently; this
// says when node's Unicode no longer agrees with them.
function sameSet(name, ours, property) {
  check(name, () => {
    const differ = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (ours(c) !== property.test(c)) differ.push(`U+${cp.toString(16).toUpperCase()}`);
    }
    assert.deepEqual(differ, [], `differs from ${property} (node's Unicode ${process.versions.unicode})`);
  });
}
const whole = (regex) => new RegExp(`^(?:${regex.source})$`, "u");
const spaces = whole(js("KEY_SPACES"));
const ignored = whole(js("KEY_IGNORED"));
sameSet("whitespace is White_Space", (c) => spaces.test(c), /^\p{White_Space}$/u);
sameSet("ignorables are Default_Ignorable_Code_Point (plus marks)", (c) => ignored.test(c) && !/\p{M}/u.test(c),
  /^(?=\P{M})\p{Default_Ignorable_Code_Point}$/u);

// lookup() against a fake bundle: one shard per question keeps every key findable.
function serve(path, value) {
  served.set(`./${path}`, typeof value === "string" ? value : JSON.stringify(value));
}
const titles = ["Setiembre", "Constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
serve("api/index.json", {
  schema_version: 2,
  questions: [
    { name: "score_titulo", shards: 1, aliases: {} },
    { name: "cantidad_filmaciones_mes", shards: 1, aliases: { setiembre: "septiembre" } },
  ],
});
// Written as text: JSON.parse makes "__proto__" an own key, as it does for a real shard.
serve("api/score_titulo/000.json",
  `{${titles.map((t) => `${JSON.stringify(normalizeKey(t))}:[{"titulo":${JSON.stringify(t)},"sentence":"La película ${t}"}]`).join(",")}}`);
serve("api/cantidad_filmaciones_mes/000.json", { septiembre: [{ mes: "septiembre", sentence: "30 en septiembre" }] });

const asked = [];
const ask = (question, input, expectKey, expectSentences) => asked.push((async () => {
  const name = `lookup ${question}(${show(input)})`;
  try {
    const { key, answers } = await lookup(question, input);
    check(name, () => {
      assert.equal(key, expectKey);
      assert.deepEqual(Array.from(answers, (a) => a.sentence), expectSentences);
    });
  } catch (error) {
    check(name, () => assert.fail(`threw ${error.message}`));
  }
})());
for (const t of titles) ask("score_titulo", t, normalizeKey(t), [`La película ${t}`]);
ask("score_titulo", "  SETIEMBRE ", "setiembre", ["La película Setiembre"]);
ask("cantidad_filmaciones_mes", "Setiembre", "septiembre", ["30 en septiembre"]);
ask("cantidad_filmaciones_mes", "septiembre", "septiembre", ["30 en septiembre"]);
// Keys absent from the file and from the aliases, named like Object.prototype members.
for (const t of ["constructor", "__proto__", "isPrototypeOf", "__defineGetter__"]) {
  ask("cantidad_filmaciones_mes", t, normalizeKey(t), []);
}
await Promise.all(asked);

if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log(`marquee.js: ${vectors.length} normalisation vectors, the whitespace and ignorable classes, ${asked.length} lookups: ok`);
