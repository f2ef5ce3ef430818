// The analyser in headless Chromium, as a user drives it: node analyser.spec.mjs URL OUT_DIR [CHROMIUM].
// Run by AnalyserBrowserTest against a server holding real spaces; prints "PASS all" and exits 0 when every
// check holds, else prints what failed and exits 1. Screenshots go to OUT_DIR.
import path from "node:path";
import fs from "node:fs";
import { launch, scriptArgs } from "./browser.mjs";

const { url, out, exe } = scriptArgs();
let step = "start";
const fail = (msg) => { throw new Error(step + ": " + msg); };
const check = (cond, msg) => { if (!cond) fail(msg); };
const eq = (a, b, msg) => { if (JSON.stringify(a) !== JSON.stringify(b)) fail(msg + ": expected " + JSON.stringify(b) + ", got " + JSON.stringify(a)); };

const browser = await launch(exe);
const page = await browser.newPage({ viewport: { width: 1500, height: 1100 }, acceptDownloads: true });
const errors = [];
page.on("pageerror", (e) => errors.push("page error: " + e.message));
page.on("console", (m) => { if (m.type() === "error" && !(expect400 && m.text().includes("400 (Bad Request)"))) errors.push("console error: " + m.text()); });
let expect400 = false;
page.on("dialog", (d) => { errors.push("a dialog opened: " + d.message()); d.dismiss(); });
const shot = (name) => page.screenshot({ path: path.join(out, name + ".png"), fullPage: true });
const v = (expr, arg) => page.evaluate(expr, arg);
const ready = async () => {
  await page.waitForFunction(() => window.vectory && window.vectory.ready("A") && window.vectory.ready("B"), null, { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector("#meanJaccard") !== null, null, { timeout: 60000 });
  await page.waitForTimeout(300);
};
const visible = (side) => v((s) => window.vectory.visible(s), side);
const canvasBox = async (side) => (await page.locator("#canvas" + side).boundingBox());
const sorted = (xs) => [...xs].sort();

try {
  step = "load";
  const resp = await page.goto(url);
  check(resp.headers()["content-security-policy"]?.includes("default-src 'none'"), "no CSP header");
  eq(resp.headers()["x-content-type-options"], "nosniff", "X-Content-Type-Options");
  await ready();
  await shot("01-loaded");

  step = "choose dataset and spaces";
  const datasets = await page.locator("#dataset option").allTextContents();
  check(datasets.some((d) => d.startsWith("fortunes")), "no fortunes dataset in " + datasets);
  await page.selectOption("#dataset", "fortunes");
  const spacesA = await page.locator("#spaceA option").evaluateAll((os) => os.map((o) => o.value));
  eq(spacesA, ["fortunes/minilm@1", "fortunes/minilm@2", "fortunes/minilm@3"], "spaces of the dataset");
  await page.selectOption("#spaceA", "fortunes/minilm@1");
  await page.selectOption("#spaceB", "fortunes/minilm@2");
  await ready();
  eq((await v(() => window.vectory.state())).b, "fortunes/minilm@2", "B chosen");
  check((await page.textContent("#nameB")) === "fortunes/minilm@2", "B's title");

  step = "switch projections";
  await page.click("#method button[data-v=umap]");
  await page.waitForFunction(() => document.querySelector("#descA").textContent.startsWith("UMAP"), null, { timeout: 120000 });
  await ready();
  await shot("02-umap");
  await page.click("#method button[data-v=pca]");
  await page.waitForFunction(() => document.querySelector("#descA").textContent.startsWith("PCA"), null, { timeout: 60000 });
  await ready();

  step = "zoom and pan";
  const n = 600;
  eq(await visible("A"), n, "all points in view at first");
  let box = await canvasBox("A");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 6; i++) { await page.mouse.wheel(0, -300); await page.waitForTimeout(80); }
  await page.waitForTimeout(400);
  const zoomed = await visible("A");
  check(zoomed < n, "wheel zoom did not reduce the points in view (" + zoomed + ")");
  const linkedB = await visible("B");
  check(linkedB < n, "linked zoom: B still shows all " + linkedB);
  const before = await v(() => window.vectory.state().id);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 180, box.y + box.height / 2 + 120, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(400);
  const panned = await visible("A");
  check(panned !== zoomed, "panning did not change the points in view (" + panned + ")");
  eq(await v(() => window.vectory.state().id), before, "a drag selected a point");
  await shot("03-zoomed-panned");
  await page.click("#reset");
  await page.waitForTimeout(400);
  eq(await visible("A"), n, "reset shows every point");

  step = "level of detail while a map moves";
  const setLod = (m) => v((x) => { const p = new URLSearchParams(location.hash.slice(1)); p.set("lod", String(x)); location.hash = "#" + p; }, m);
  const drawn = () => v(() => [window.vectory.drawn("A"), window.vectory.drawn("B")]);
  await setLod(200);
  await page.waitForFunction(() => window.vectory.state().lod === 200);
  eq(await drawn(), [n, n], "at rest every point is drawn");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  let moving = null;
  for (let i = 0; i < 5; i++) { await page.mouse.wheel(0, -200); await page.waitForTimeout(40); moving = await drawn(); }
  eq(moving, [200, 200], "while the view moves each map draws every third of its 600 points (B follows A)");
  await page.waitForTimeout(400);
  eq(await drawn(), [n, n], "once the view rests every point is drawn again");
  const zoomedLod = await visible("A");
  check(zoomedLod < n && zoomedLod > 0, "the points in view are counted over every point (" + zoomedLod + ")");
  await setLod(20000);
  await page.waitForFunction(() => window.vectory.state().lod === 20000);
  await page.click("#reset");
  await page.waitForTimeout(400);
  eq(await visible("A"), n, "reset shows every point");
  await page.click("#mode button[data-v=zoom]");
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.6, { steps: 6 });
  await page.mouse.up();
  await page.waitForTimeout(500);
  const boxed = await visible("A");
  check(boxed < n && boxed >= 0, "box zoom did not narrow the view (" + boxed + ")");
  await page.click("#reset");
  await page.click("#mode button[data-v=pan]");
  await page.waitForTimeout(300);

  step = "colour by label";
  await page.selectOption("#colour", "col:label");
  await page.waitForTimeout(300);
  const cats = await page.locator("#legend .cat").count();
  check(cats >= 2, "label legend has " + cats + " entries");
  check((await v(() => window.vectory.colours("A"))) === cats + 1, "map A's palette does not match the legend");
  await shot("04-colour-label");

  step = "colour by coincidence";
  await page.selectOption("#colour", "coincidence");
  await page.waitForTimeout(300);
  const bands = await page.locator("#legend .band").evaluateAll((bs) => bs.map((b) => Number(b.dataset.count)));
  eq(bands.length, 10, "ten coincidence bands");
  eq(bands.reduce((a, b) => a + b, 0), n, "band counts add up to the points");
  const hist = await page.locator("#histogram rect").count();
  eq(hist, 10, "histogram bars");
  check((await page.textContent("#histogram")).includes("mean"), "histogram shows the mean");
  await shot("05-colour-coincidence");

  step = "select a point";
  const someId = await v(() => window.vectory.csv().split("\r\n")[18].split(",")[0]);
  const [sx, sy] = await v((id) => window.vectory.screen("A", id), someId);
  box = await canvasBox("A");
  await page.mouse.move(box.x + sx, box.y + sy);
  await page.waitForTimeout(150);
  await page.mouse.click(box.x + sx, box.y + sy);
  await page.waitForSelector("#selId", { timeout: 30000 });
  const chosen = await page.textContent("#selId");
  eq(await v(() => window.vectory.selectedIds("A")), [chosen], "A highlights the chosen point");
  eq(await v(() => window.vectory.selectedIds("B")), [chosen], "B highlights the same id");
  check((await page.evaluate(() => location.hash)).includes("id=" + encodeURIComponent(chosen)), "the hash holds the id");

  step = "k-NN tables";
  const k = 10;
  eq(await page.locator("table.nb[data-side=a] tr[data-id]").count(), k, "rows of A's table");
  eq(await page.locator("table.nb[data-side=b] tr[data-id]").count(), k, "rows of B's table");
  const m = Number(await page.getAttribute("#inBoth", "data-in-both"));
  const marked = await page.locator("table.nb[data-side=a] tr.both").count();
  eq(marked, m, "rows marked in both");
  const coin = await v((id) => window.vectory.coincidence(id), chosen);
  check(Math.abs(m / (2 * k - m) - coin) < 1e-9, "n of k in both (" + m + " of " + k + ") is not the point's coincidence " + coin);
  await shot("06-point-selected");

  step = "Escape clears";
  await page.keyboard.press("Escape");
  await page.waitForTimeout(300);
  eq(await v(() => window.vectory.selectedIds("A")), [], "Escape cleared A");
  eq(await v(() => window.vectory.selectedIds("B")), [], "Escape cleared B");

  step = "back and forward";
  await page.goBack();
  await page.waitForSelector("#selId", { timeout: 30000 });
  eq(await page.textContent("#selId"), chosen, "Back restored the selection");
  await page.goForward();
  await page.waitForTimeout(500);
  eq(await v(() => window.vectory.selectedIds("A")), [], "Forward cleared it again");

  step = "empty click clears";
  await page.mouse.click(box.x + sx, box.y + sy);
  await page.waitForSelector("#selId", { timeout: 30000 });
  await page.mouse.move(box.x + 3, box.y + 3);
  await page.waitForTimeout(150);
  await page.mouse.click(box.x + 3, box.y + 3);
  await page.waitForTimeout(400);
  eq(await v(() => window.vectory.selectedIds("A")), [], "a click on empty space cleared");

  step = "select a region";
  await page.click("#mode button[data-v=box]");
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.7, { steps: 6 });
  await page.mouse.up();
  await page.waitForSelector("#regionTitle", { timeout: 30000 });
  const count = Number(await page.getAttribute("#regionTitle", "data-count"));
  check(count > 1, "the region holds " + count + " points");
  const selA = sorted(await v(() => window.vectory.selectedIds("A")));
  const selB = sorted(await v(() => window.vectory.selectedIds("B")));
  eq(selA.length, count, "A highlights the region");
  eq(selB, selA, "B highlights the same ids");
  eq(await page.locator("#regionTable tr[data-id]").count(), Math.min(500, count), "the region's list");
  await shot("07-region-selected");
  await page.click("#mode button[data-v=pan]");

  step = "k bounds";
  await page.fill("#k", "1000");
  await page.dispatchEvent("#k", "change");
  await page.waitForSelector("#kError");
  check((await page.textContent("#kError")).includes("between 1 and 100"), "k error text");
  expect400 = true;
  const bad = await v(async () => { const r = await fetch("/api/neighbours?a=fortunes/minilm@1&b=fortunes/minilm@2&id=x&k=2000000000"); return [r.status, (await r.json()).error]; });
  eq(bad[0], 400, "k = 2e9 refused");
  check(bad[1].includes("between 1 and 100"), "400 says the range: " + bad[1]);

  step = "experiment view";
  await page.locator("#experiment").scrollIntoViewIfNeeded();
  await page.waitForSelector("#expChart circle.step", { timeout: 30000 });
  const pointsInChart = await page.locator("#expChart circle.step").count();
  check(pointsInChart >= 3, "experiment chart points " + pointsInChart);
  eq(await page.locator("#expChart .alert").count(), 1, "the drift alert is marked");
  await shot("08-experiment");
  await page.click("#expChart circle.step[data-step='3'][data-relation=previous]");
  await page.waitForFunction(() => window.vectory.state().a === "fortunes/minilm@3" && window.vectory.state().b === "fortunes/minilm@2", null, { timeout: 30000 });
  await ready();
  await shot("09-step-opened");

  step = "export";
  const csv = await v(() => window.vectory.csv());
  eq(csv.trim().split("\r\n").length, n + 1, "CSV rows");
  check(csv.startsWith("id,"), "CSV header");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#pngA")]);
  const png = path.join(out, "export-A.png");
  await dl.saveAs(png);
  check(fs.statSync(png).size > 1000, "PNG export is empty");

  step = "hostile ids and metadata";
  await page.evaluate(() => { window.__xss = 0; });
  await page.selectOption("#dataset", { label: await page.locator("#dataset option", { hasText: "hostile" }).textContent() });
  await page.waitForFunction(() => window.vectory.state().a === "hostile", null, { timeout: 30000 });
  await ready();
  await page.selectOption("#colour", "col:label");
  await page.waitForTimeout(300);
  const legendTexts = await page.locator("#legend .cat").allTextContents();
  check(legendTexts.some((t) => t.startsWith("<img src=x onerror=window.__xss=1>")), "label legend shows the text as written: " + legendTexts);
  for (const id of ["<img src=x onerror=window.__xss=1>", "q' onmouseover='window.__xss=2' x='"]) {
    await page.fill("#search", id);
    await page.press("#search", "Enter");
    await page.waitForFunction((want) => document.querySelector("#selId")?.textContent === want, id, { timeout: 30000 });
  }
  const rowIds = await page.locator("table.nb[data-side=a] tr[data-id] td.id").allTextContents();
  check(rowIds.includes("O'Brien") || rowIds.some((t) => t.includes("<")), "neighbour ids show as written: " + rowIds);
  const rowDataIds = await page.locator("table.nb[data-side=a] tr[data-id]").evaluateAll((rs) => rs.map((r) => r.dataset.id));
  eq(rowDataIds, rowIds, "data-id holds the id exactly");
  for (const r of await page.locator("table.nb tr[data-id]").all()) await r.hover();
  const [sx2, sy2] = await v(() => window.vectory.screen("A", "<img src=x onerror=window.__xss=1>"));
  const box2 = await canvasBox("A");
  await page.mouse.move(box2.x + sx2, box2.y + sy2);
  await page.waitForTimeout(300);
  await shot("10-hostile");
  eq(await page.evaluate(() => window.__xss), 0, "no injected script ran");
  eq(await page.evaluate(() => document.querySelectorAll("img, script:not([src]), [onerror], [onmouseover]").length), 0, "no element was made from data");
  check((await page.textContent("#store")).startsWith("store: "), "store line");

  step = "no errors";
  eq(errors, [], "page errors");
  console.log("PASS all");
  await browser.close();
  process.exit(0);
} catch (e) {
  console.log("FAIL " + (e.message.startsWith(step) ? "" : step + ": ") + e.message);
  try { await shot("failure"); } catch { /* the page may be gone */ }
  if (errors.length) console.log(errors.join("\n"));
  await browser.close();
  process.exit(1);
}
