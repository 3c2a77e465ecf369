// Runs the browser's key derivation (templates/static/marquee.js) under node, without a
// DOM, against the spec the Rust side passes too (src/normalize.rs reads the same file):
//   node tests/normalization/check.mjs
// - every vector of vectors.json: normalizeKey(input) === key, and fnv1a32(key) where given;
// - the spelled-out whitespace and ignorable classes still equal the Unicode properties;
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import assert from "node:assert/strict";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const vectors = JSON.parse(readFileSync(here("vectors.json"), "utf8"));

const context = vm.createContext({ TextEncoder });
vm.runInContext(readFileSync(here("../../templates/static/marquee.js"), "utf8"), context, { filename: "marquee.js" });
const js = (name) => vm.runInContext(name, context);
const normalizeKey = js("normalizeKey");
const fnv1a32 = js("fnv1a32");

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

if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log(`marquee.js: ${vectors.length} normalisation vectors, the whitespace and ignorable classes: ok`);
