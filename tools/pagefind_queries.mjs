// Runs the queries of tests/search_queries.txt through Pagefind in Chromium, for the
// comparison in docs/performance.md (not part of the build or the tests):
//   node tools/pagefind_queries.mjs SITE_URL PAGEFIND_URL LABEL [QUERIES_FILE]
// SITE_URL serves a built site, PAGEFIND_URL the index `npx pagefind --site` made of it.
// Per query, with an empty cache: the bytes of every index, chunk and fragment file
// fetched (the top 5 results' fragments loaded, as a results list shows them), and
// whether the expected name is the first or among the first five page titles.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [site, pagefind, label, file = new URL("../tests/search_queries.txt", import.meta.url)] = process.argv.slice(2);
const queries = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))
  .map((l) => l.split("|").map((p) => p.trim())).filter(([data]) => data === label);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
let top1 = 0, top5 = 0, max = 0, total = 0;
for (const [, query, expected] of queries) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0;
  page.on("response", async (r) => {
    if (!r.url().startsWith(pagefind)) return;
    try { bytes += (await r.body()).length; } catch { /* redirects have no body */ }
  });
  await page.goto(`${site}/index.html`);
  const titles = await page.evaluate(async ([url, q]) => {
    const pf = await import(`${url}/pagefind.js`);
    await pf.options({ basePath: `${url}/` });
    const search = await pf.search(q);
    const data = await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
    return data.map((d) => d.meta.title);
  }, [pagefind, query]);
  await page.waitForTimeout(200);
  // Page titles are "<h1>": a movie's carries its year, "Pulp Fiction (1994)".
  const names = titles.map((t) => t.replace(/ \(\d{4}\)$/, "").trim());
  const at = names.indexOf(expected);
  top1 += at === 0 ? 1 : 0;
  top5 += at >= 0 ? 1 : 0;
  max = Math.max(max, bytes);
  total += bytes;
  console.log(`${at === 0 ? "1" : at >= 0 ? "5" : "-"} ${String(bytes).padStart(8)} B  ${query} -> ${names.slice(0, 3).join(" | ")}`);
  await context.close();
}
await browser.close();
console.log(`pagefind ${label}: ${queries.length} queries, top-1 ${top1}, top-5 ${top5}, max ${max} B, mean ${Math.round(total / queries.length)} B per query`);
