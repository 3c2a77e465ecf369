// Drives headless Chromium through the sample site. Usage:
//   node site.mjs BASE_URL EXPECTATIONS_JSON [SCREENSHOT_DIR]
// EXPECTATIONS_JSON: {"questions": [{"question", "input", "sentences": [...]}], "movie": "...",
//                     "movie_page": "movies/<id>.html", "person": "...", "person_sentence": "...",
//                     "director": "...", "browse_page_size": N}
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const [base, expectationsPath, shots] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectationsPath, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const external = [];
page.on("request", (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
const failures = [];
page.on("pageerror", (e) => failures.push(e.message));
const shot = async (name) => { if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false }); };

function step(name) { console.log(`- ${name}`); }

// One typo: the longest word's 2nd and 3rd letters swapped ("Golden" -> "Gloden").
function typo(title) {
  const words = title.split(" ");
  const i = words.reduce((best, w, n) => (w.length > words[best].length ? n : best), 0);
  const w = words[i];
  words[i] = w[0] + w[2] + w[1] + w.slice(3);
  return words.join(" ");
}

// axe-core (npm) on the page as it is: no serious or critical violation.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function axeClean(what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${what}`);
}

step("home shows the headline counts");
await page.goto(`${base}/index.html`);
assert.match(await page.textContent("main"), new RegExp(`${expected.movies} películas`));
await shot("home");

step("header search from a movie page: a typo, arrow keys and Enter");
await page.goto(`${base}/${expected.movie_page}`);
const search = page.locator("#site-search");
await search.fill(typo(expected.movie));
const options = page.locator("#site-search + ul[role=listbox] li[role=option]");
await options.first().waitFor();
assert.equal(await search.getAttribute("aria-expanded"), "true");
assert.ok((await options.first().textContent()).startsWith(expected.movie), `first result for ${typo(expected.movie)}: ${await options.first().textContent()}`);
await axeClean("movie page, search results open");
await search.press("ArrowDown");
await search.press("ArrowDown");
await search.press("ArrowUp");
assert.equal(await search.getAttribute("aria-activedescendant"), await options.first().getAttribute("id"));
assert.equal(await options.first().getAttribute("aria-selected"), "true");
await search.press("Escape");
assert.equal(await search.getAttribute("aria-expanded"), "false");
await search.press("ArrowDown");
await search.press("Enter");
await page.waitForURL(/movies\/\d+\.html$/);
assert.equal((await page.textContent("h1")).includes(expected.movie), true);
await shot("movie");

step("follow a recommendation");
const recs = page.locator("ol.recommendations a");
assert.equal(await recs.count(), 5);
// Each recommendation says why it was chosen, in words, visibly.
const reasons = page.locator("ol.recommendations li span.muted");
assert.equal(await reasons.count(), 5);
for (const reason of await reasons.all()) {
  assert.ok(await reason.isVisible());
  assert.match((await reason.textContent()).trim(), /^(misma colección|mismo director|quienes la vieron|mismo reparto|palabras clave|mismos géneros|popular entre)/);
}
const recTitle = (await recs.first().textContent()).trim();
await recs.first().click();
await page.waitForLoadState();
assert.equal((await page.textContent("h1")).includes(recTitle), true, `recommendation ${recTitle}`);
assert.equal(await page.locator("ol.recommendations a").count(), 5);

step("ask every question through its form");
await page.goto(`${base}/questions.html`);
for (const q of expected.questions) {
  const form = page.locator(`form[data-question="${q.question}"]`);
  await form.locator("input").fill(q.input);
  await form.locator("button").click();
  const output = form.locator("output p.sentence");
  await output.first().waitFor({ timeout: 5000 });
  const got = await output.allTextContents();
  assert.deepEqual(got, q.sentences, `${q.question}(${q.input})`);
}
await shot("questions");

step("an unknown input says so");
const titleForm = page.locator('form[data-question="score_titulo"]');
await titleForm.locator("input").fill("no such movie at all");
await titleForm.locator("button").click();
await titleForm.locator("output p.miss").waitFor();

step("a surname on the questions page: suggestions, then ¿Quisiste decir…?");
const directorForm = page.locator('form[data-question="get_director"]');
const surname = expected.director.split(" ").at(-1);
await directorForm.locator("input").fill(surname);
const suggested = directorForm.locator("li[role=option]", { hasText: expected.director });
await suggested.first().waitFor();
await axeClean("questions page, suggestions open");
await directorForm.locator("input").press("Escape");
await directorForm.locator("button[type=submit]").click();
const offer = directorForm.locator("p.did-you-mean button", { hasText: expected.director });
await offer.first().waitFor();
await offer.first().click();
await directorForm.locator("output p.sentence").first().waitFor();

step("open a person page from the header search (Enter opens the first result)");
await page.goto(`${base}/index.html`);
await axeClean("home");
await page.fill("#site-search", expected.person);
await page.locator("#site-search + ul[role=listbox] li[role=option]").first().waitFor();
await page.press("#site-search", "Enter");
await page.waitForURL(/people\/\d+\.html$/);
assert.equal((await page.textContent("p.sentence")).trim(), expected.person_sentence);
await axeClean("person page");
await shot("person");

step("open the data report");
await page.goto(`${base}/report.html`);
assert.match(await page.textContent("h1"), /Informe de datos/);
assert.ok((await page.locator("svg.chart").count()) >= 8, "charts");
assert.match(await page.textContent("main"), /missing release_date/);
{
  // Every chart has a data table beside it, with the chart's title as its caption.
  const figures = await page.evaluate(() => [...document.querySelectorAll("figure")].map((f) => ({
    id: f.id,
    svg: f.querySelector("svg")?.getAttribute("aria-label") ?? null,
    caption: f.querySelector("details.data table caption")?.textContent ?? null,
    rows: f.querySelectorAll("details.data tbody tr").length,
    axes: f.querySelectorAll("svg .axis-title, svg line.axis").length,
  })));
  assert.ok(figures.length >= 10, `${figures.length} figures`);
  for (const f of figures) {
    assert.ok(f.svg && f.caption === f.svg && f.rows > 0, `chart with its table: ${JSON.stringify(f)}`);
    // The heatmap is a matrix: its rows and columns are labelled, it has no axis.
    assert.ok(f.id === "heatmap" || f.axes > 0, `chart with axes: ${JSON.stringify(f)}`);
  }
  await page.click("#scatter details.data summary");
  assert.ok(await page.locator("#scatter details.data table").isVisible());
}
await axeClean("report page, a chart's table open");
await shot("report");

step("the data dictionary");
await page.goto(`${base}/datos.html`);
assert.ok((await page.locator("main table").count()) >= 4, "a table per clean table");
await axeClean("data dictionary");

step("page and sort a browse list");
{
  const per = expected.browse_page_size;
  await page.goto(`${base}/browse/index.html`);
  await axeClean("browse index");
  await page.click("main a:text-is('Género')");
  await axeClean("a facet's index");
  await page.click("ul.cols a:text-is('Drama')");
  await page.waitForURL(/browse\/genre\/drama-[0-9a-f]+\.html$/);
  const summary = await page.textContent("main > p");
  const count = Number(summary.match(/^([\d.]+) películas/)[1].replace(/\./g, ""));
  const pages = Math.ceil(count / per);
  assert.ok(pages >= 3, `${count} dramas at ${per} a page`);
  await axeClean("browse list");
  assert.match(summary, new RegExp(`Página 1 de ${pages}`));
  const titles = async () => page.locator("ol.movies li a").allTextContents();
  assert.equal((await titles()).length, per);
  await page.click("nav.pager a[rel=next]");
  await page.waitForURL(/drama-[0-9a-f]+\/popularidad-2\.html$/);
  assert.equal(await page.textContent("nav.pager [aria-current=page]"), "2");
  assert.equal(await page.getAttribute("ol.movies", "start"), String(per + 1));
  await shot("browse");

  const fold = (t) => t.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  await page.click("nav.orders a:text-is('título')");
  await page.waitForURL(/drama-[0-9a-f]+\/titulo-1\.html$/);
  assert.equal(await page.getAttribute("nav.orders a[aria-current]", "href"), "titulo-1.html");
  const byTitle = await titles();
  assert.ok(byTitle.every((t, i) => i === 0 || fold(byTitle[i - 1]) <= fold(t)), `A to Z: ${byTitle}`);
  await page.click("nav.pager a[rel=next]");
  await page.waitForURL(/titulo-2\.html$/);
  await page.click("nav.pager a[rel=prev]");
  await page.waitForURL(/titulo-1\.html$/);
  assert.deepEqual(await titles(), byTitle, "Anterior leads back");
  await page.click(`nav.pager a[aria-label='Página ${pages}']`);
  await page.waitForURL(new RegExp(`titulo-${pages}\\.html$`));
  assert.equal((await titles()).length, count - (pages - 1) * per, "the last page holds the rest");
  assert.equal(await page.locator("nav.pager a[rel=next]").count(), 0);

  await page.click("nav.orders a:text-is('año')");
  await page.waitForURL(/anio-1\.html$/);
  const years = (await page.locator("ol.movies li").allTextContents()).map((t) => Number(t.match(/\((\d{4})\)/)[1]));
  assert.ok(years.every((y, i) => i === 0 || years[i - 1] >= y), `newest first: ${years}`);

  step("a genre's decade and back to the decade of every genre");
  await page.click("p.related a >> nth=0");
  await page.waitForURL(/drama-[0-9a-f]+\/decada-\d{4}\.html$/);
  const decade = (await page.textContent("h1")).match(/década de (\d{4})/)[1];
  const decadeYears = (await page.locator("ol.movies li").allTextContents()).map((t) => Number(t.match(/\((\d{4})\)/)[1]));
  assert.ok(decadeYears.every((y) => y >= Number(decade) && y <= Number(decade) + 9), `${decade}: ${decadeYears}`);
  await page.click(`p.related a:text-is('Década de ${decade}')`);
  await page.waitForURL(new RegExp(`browse/decade/${decade}\\.html$`));
  await axeClean("a decade's browse page");
  assert.ok(await page.locator("p.related a:text-is('Drama')").count() === 1, "the decade links its dramas");
}

step("phone width keeps forms usable");
await page.setViewportSize({ width: 375, height: 700 });
await page.goto(`${base}/questions.html`);
const box = await page.locator("#q-score_titulo").boundingBox();
assert.ok(box.width <= 375 && box.width > 150, `input width ${box.width}`);

step("dark mode follows the system, with readable contrast");
await page.setViewportSize({ width: 1000, height: 700 });
for (const [scheme, dark] of [["light", false], ["dark", true]]) {
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(`${base}/404.html`);
  await axeClean(`404 page, ${scheme}`);
  const colours = await page.evaluate(() => {
    const style = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
    return { paper: style("body", "backgroundColor"), ink: style("body", "color"), link: style("main a", "color"),
             muted: style("footer", "color"), button: style("header a.brand", "color") };
  });
  const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                       return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  assert.equal(lum(colours.paper) < 0.1, dark, `${scheme} background ${colours.paper}`);
  for (const part of ["ink", "link", "muted", "button"]) {
    assert.ok(contrast(colours[part], colours.paper) >= 4.5, `${scheme}: ${part} ${colours[part]} on ${colours.paper}`);
  }
}
await shot("dark");

await browser.close();
assert.deepEqual(failures, [], "no script errors");
assert.deepEqual(external, [], "no external requests");
console.log("browser checks passed");
