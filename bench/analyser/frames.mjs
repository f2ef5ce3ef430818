// The analyser's redraw during zoom and pan, in headless Chromium: node frames.mjs URL OUT_DIR [CHROMIUM].
// Opens the page (PCA of both maps), waits until both maps and the coincidence are there, then records every
// requestAnimationFrame interval in the page while a script wheels in and out on map A, then on map B, then
// drags to pan. Prints one line "frames n=... p50_ms=... p95_ms=... max_ms=... points_a=... drawn_moving_a=... visible_a_zoomed=..."
// and saves a screenshot in OUT_DIR.
import path from "node:path";
import { launch, scriptArgs } from "../../app/src/test/web/browser.mjs";

const { url, out, exe } = scriptArgs();
const browser = await launch(exe);
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  page.on("pageerror", (e) => console.error("page error: " + e.message));
  const t0 = Date.now();
  await page.goto(url + "#method=pca&colour=col:label" + (process.env.BENCH_HASH || ""));
  await page.waitForFunction(() => window.vectory && window.vectory.ready("A") && window.vectory.ready("B"), null, { timeout: 600000, polling: 500 });
  const loadS = (Date.now() - t0) / 1000;
  // The exact k-NN coincidence runs on the server when the page opens: wait for it, so no CPU is taken from the browser.
  await page.waitForFunction(() => document.querySelector("#meanJaccard") !== null, null, { timeout: 1800000, polling: 1000 });
  const coincidenceS = (Date.now() - t0) / 1000;
  await page.waitForTimeout(1000);
  const points = await page.evaluate(() => ["A", "B"].map((s) => window.vectory.plot(s).get("points").length));

  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__recording) requestAnimationFrame(tick); };
    window.__recording = true;
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  });
  const visible = [], drawn = [];
  for (const side of ["A", "B"]) {
    const box = await page.locator("#canvas" + side).boundingBox();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.55);
    for (let i = 0; i < 15; i++) { await page.mouse.wheel(0, -120); await page.waitForTimeout(30); }
    drawn.push(await page.evaluate((s) => window.vectory.drawn(s), side)); // while moving: the level of detail
    visible.push(await page.evaluate((s) => window.vectory.visible(s), side));
    for (let i = 0; i < 15; i++) { await page.mouse.wheel(0, 120); await page.waitForTimeout(30); }
  }
  const box = await page.locator("#canvasA").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 30; i++) { await page.mouse.move(box.x + box.width / 2 + 6 * i, box.y + box.height / 2 + 3 * i); await page.waitForTimeout(15); }
  await page.mouse.up();
  await page.waitForTimeout(200);
  const frames = await page.evaluate(() => { window.__recording = false; return window.__frames; });
  await page.screenshot({ path: path.join(out, "analyser-100k.png"), fullPage: true });

  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const f = (x) => x.toFixed(1);
  console.log(`frames n=${frames.length} p50_ms=${f(q(0.5))} p95_ms=${f(q(0.95))} max_ms=${f(sorted[sorted.length - 1])}` +
    ` points_a=${points[0]} points_b=${points[1]} drawn_moving_a=${drawn[0]} drawn_moving_b=${drawn[1]}` +
    ` visible_a_zoomed=${visible[0]} visible_b_zoomed=${visible[1]}` +
    ` page_ready_s=${f(loadS)} coincidence_ready_s=${f(coincidenceS)}`);
} finally {
  await browser.close();
}
