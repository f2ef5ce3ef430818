// Debian's Chromium driven by npm playwright-core (from the page's node_modules), started one way for the browser
// tests (analyser.spec.mjs, opens.mjs) and bench/analyser/frames.mjs: headless, no GPU here, so WebGL runs on
// SwiftShader (on the CPU). A script's arguments are URL OUT_DIR [CHROMIUM].
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import fs from "node:fs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "main", "web", "package.json"));
const { chromium } = require("playwright-core");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader"];

/** The script's URL, output folder (created) and Chromium executable, from its command line. */
export function scriptArgs() {
  const [url, out, exe = "/usr/bin/chromium"] = process.argv.slice(2);
  fs.mkdirSync(out, { recursive: true });
  return { url, out, exe };
}

export function launch(exe) {
  return chromium.launch({ executablePath: exe, args: FLAGS });
}
