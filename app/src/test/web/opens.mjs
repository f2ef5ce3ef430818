// What the analyser shows when opened at its bare URL, as after `vectory run`: node opens.mjs URL OUT_DIR [CHROMIUM].
// Waits for both maps and the experiment view, saves a screenshot, and prints one JSON line: the spaces shown as A
// and B, the experiment named in the view, its table rows (one per step compared) and its clickable step marks.
import path from "node:path";
import { launch, scriptArgs } from "./browser.mjs";

const { url, out, exe } = scriptArgs();
const browser = await launch(exe);
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  page.on("pageerror", (e) => console.log("page error: " + e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.vectory && window.vectory.ready("A") && window.vectory.ready("B"), null, { timeout: 120000 });
  await page.waitForSelector("#expChart", { timeout: 60000 });
  await page.screenshot({ path: path.join(out, "opens-on-demo.png"), fullPage: true });
  const shown = await page.evaluate(() => ({
    a: window.vectory.state().a,
    b: window.vectory.state().b,
    experiment: document.querySelector("#expName").textContent,
    stepRows: document.querySelectorAll("#expTable tr").length - 1,
    stepMarks: document.querySelectorAll("#expChart circle.step").length,
  }));
  console.log(JSON.stringify(shown));
} finally {
  await browser.close();
}
