// The Vectory analyser page: two WebGL maps (regl-scatterplot) of spaces A and B, linked selection, k-NN side by
// side, coincidence colours, and the experiment view. Everything the page shows goes through dom.js (text and
// properties, never HTML strings). The URL hash holds the state; back/forward replay it.
import createScatterplot, { createRenderer } from "regl-scatterplot";
import { $, h, s, fill, fmt } from "./dom.js";
import { BANDS, MISSING, band, byColumn } from "./colour.js";

const SIDES = ["A", "B"];
const MAX_K = 100;
const HASH_KEYS = ["dataset", "a", "b", "ma", "mb", "method", "colour", "k", "id", "size", "linked", "lod"];
const PAGE = Math.random().toString(36).slice(2, 10); // this page's projection slots
const state = { dataset: null, a: null, b: null, ma: "", mb: "", method: "pca", colour: null, k: 10, id: null,
  size: 4, linked: "1", lod: 20000, mode: "pan" };
const data = { opening: null, spaces: [], A: null, B: null, coincidence: null, neighbours: null, region: null, experiment: null };
const plots = {};
const hovered = { A: undefined, B: undefined };
let renderer;

// ---- HTTP

async function api(path, params, signal) {
  const url = path + "?" + new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const r = await fetch(url, { signal });
  const j = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
  if (!r.ok) { const e = new Error(j.error || r.statusText); e.status = r.status; throw e; }
  return j;
}

// ---- state in the URL hash

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of HASH_KEYS) {
    if (!p.has(k)) continue;
    const v = p.get(k);
    state[k] = k === "k" || k === "size" || k === "lod" ? Number(v) : v;
  }
  if (!p.has("id")) state.id = null;
}

function hashOf() {
  const o = {};
  for (const k of HASH_KEYS) if (state[k] !== null && state[k] !== undefined && state[k] !== "") o[k] = String(state[k]);
  return "#" + new URLSearchParams(o);
}

/** A user's edit: a new history entry (so Back undoes it), then the page follows the state. */
function commit() {
  const next = hashOf();
  if (next !== location.hash) history.pushState(null, "", next);
  apply();
}

// ---- choosing the dataset and the spaces

const spaceByName = (n) => data.spaces.find((x) => x.name === n);
const datasetOf = (x) => x.dataset || "(no dataset)";

function option(value, text, title) {
  return h("option", { value, textContent: text, title: title || text });
}

function groupedSpaceOptions(list) {
  const groups = new Map();
  for (const x of list) {
    const g = x.experiment ? x.experiment + "/" + x.space : "loaded";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(x);
  }
  return [...groups.entries()].map(([g, xs]) => h("optgroup", { label: g },
    xs.map((x) => option(x.name, x.experiment ? "step " + x.step + " · " + x.name : x.name, x.rows + " × " + x.dimension))));
}

/** Makes the state valid against the store: a dataset, A and B of that dataset, a colour, a k in range. */
function settle() {
  // A URL that names nothing opens on the newest experiment (the server's choice: the run just made).
  const o = data.opening;
  if (!state.dataset && !state.a && o && spaceByName(o.a) && spaceByName(o.b)) { state.a = o.a; state.b = o.b; }
  const datasets = [...new Set(data.spaces.map(datasetOf))];
  if (!datasets.includes(state.dataset)) {
    const a = spaceByName(state.a);
    state.dataset = a ? datasetOf(a) : datasets[0];
  }
  const mine = data.spaces.filter((x) => datasetOf(x) === state.dataset);
  const names = mine.map((x) => x.name);
  if (!names.includes(state.a)) state.a = names[0];
  if (!names.includes(state.b)) {
    // Default pair: the first and the last step of A's series (training start vs end), else the next space.
    const a = spaceByName(state.a);
    const same = mine.filter((x) => x.experiment && x.experiment === a.experiment && x.space === a.space);
    state.b = same.length > 1 ? same[same.length - 1].name : names[Math.min(1, names.length - 1)];
  }
  if (!["pca", "umap", "pca+umap"].includes(state.method)) state.method = "pca";
  const n = Math.min(spaceByName(state.a).rows, spaceByName(state.b).rows);
  const maxK = Math.max(1, Math.min(MAX_K, n - 1));
  if (!Number.isInteger(state.k) || state.k < 1 || state.k > maxK) state.k = Math.min(10, maxK);
  if (!Number.isFinite(state.size) || state.size <= 0) state.size = 4;
  const cols = spaceByName(state.a).columns.filter((c) => c !== "text");
  const valid = ["coincidence", "none", ...cols.map((c) => "col:" + c)];
  if (!valid.includes(state.colour)) state.colour = cols.includes("label") ? "col:label" : cols.length ? "col:" + cols[0] : "coincidence";
  return { datasets, mine, cols, maxK };
}

function renderControls({ datasets, mine, cols, maxK }) {
  fill($("dataset"), datasets.map((d) => option(d, d + " (" + data.spaces.filter((x) => datasetOf(x) === d).length + " spaces)")));
  fill($("spaceA"), groupedSpaceOptions(mine));
  fill($("spaceB"), groupedSpaceOptions(mine));
  fill($("colour"), cols.map((c) => option("col:" + c, c)), option("coincidence", "coincidence (k-NN Jaccard A↔B)"), option("none", "nothing"));
  $("dataset").value = state.dataset;
  $("spaceA").value = state.a;
  $("spaceB").value = state.b;
  $("metricA").value = state.ma;
  $("metricB").value = state.mb;
  $("colour").value = state.colour;
  $("k").max = String(maxK);
  $("k").value = String(state.k);
  $("k").title = "1 to " + maxK + " (min(100, n − 1))";
  $("size").value = String(state.size);
  $("linked").checked = state.linked === "1";
  for (const b of document.querySelectorAll("#method button")) b.classList.toggle("on", b.dataset.v === state.method);
  for (const b of document.querySelectorAll("#mode button")) b.classList.toggle("on", b.dataset.v === state.mode);
  for (const side of SIDES) {
    const x = spaceByName(side === "A" ? state.a : state.b);
    $("name" + side).textContent = x.name;
    $("meta" + side).textContent = x.rows + " × " + x.dimension + " · " + x.metric + (x.model ? " · " + x.model : "");
  }
}

// ---- following the state

let applied = {};
async function apply() {
  if (!data.spaces.length) return;
  const ctl = settle();
  renderControls(ctl);
  history.replaceState(null, "", hashOf());
  for (const side of SIDES) {
    plots[side].set({ pointSize: state.size });
    const want = (side === "A" ? state.a : state.b) + "|" + state.method;
    if (!data[side] || data[side].key !== want) loadProjection(side, side === "A" ? state.a : state.b, want);
  }
  const ckey = [state.a, state.b, state.k, state.ma, state.mb].join("|");
  if (applied.coincidence !== ckey) { applied.coincidence = ckey; loadCoincidence(ckey); }
  if (applied.colour !== state.colour) { applied.colour = state.colour; recolour(); }
  const nkey = ckey + "|" + state.id;
  if (applied.neighbours !== nkey) {
    applied.neighbours = nkey;
    if (state.id) loadNeighbours(state.id, ckey); else if (!data.region) clearPanel();
  }
  highlight();
  const exp = spaceByName(state.a).experiment;
  if (applied.experiment !== exp) { applied.experiment = exp; loadExperiment(exp); }
}

const inflight = { A: null, B: null };
async function loadProjection(side, name, key) {
  if (inflight[side]) inflight[side].abort();
  const ctl = new AbortController();
  inflight[side] = ctl;
  data[side] = null;
  plots[side].clear();
  status(side);
  const busy = $("busy" + side);
  const bar = h("i");
  const text = h("div", null, "Projecting " + name + " (" + state.method + ")…");
  fill(busy, h("div", null, text, h("div", { className: "bar" }, bar)));
  busy.hidden = false;
  const poll = setInterval(async () => {
    try {
      const p = await api("/api/progress", { space: name, method: state.method });
      if (p.total) { text.textContent = "Projecting " + name + " (" + state.method + "): " + p.stage + "…"; bar.style.width = Math.round(100 * p.done / p.total) + "%"; }
    } catch { /* the projection request reports errors */ }
  }, 400);
  try {
    const p = await api("/api/projection", { space: name, method: state.method, slot: PAGE + side }, ctl.signal);
    if (inflight[side] !== ctl) return;
    p.key = key;
    p.index = new Map(p.ids.map((id, i) => [id, i]));
    data[side] = p;
    $("desc" + side).textContent = p.description + " — " + p.n + " points, " + fmt(p.seconds, 2) + " s" + (p.from_disk ? " (kept on disk)" : "") + ".";
    busy.hidden = true;
    await drawSide(side);
    if (data.region) showRegion(data.region.ids, data.region.from);
    highlight();
  } catch (e) {
    if (e.name === "AbortError" || inflight[side] !== ctl) return;
    fill(busy, h("div", { className: "err" }, e.message));
  } finally {
    clearInterval(poll);
    if (inflight[side] === ctl) inflight[side] = null;
  }
}

async function loadCoincidence(key) {
  fill($("summary"), h("div", { className: "note" }, "Computing exact k-NN coincidence…"));
  try {
    const c = await api("/api/coincidence", { a: state.a, b: state.b, k: state.k, metric_a: state.ma, metric_b: state.mb });
    if (applied.coincidence !== key) return;
    c.byId = new Map(c.ids.map((id, i) => [id, c.jaccard[i]]));
    data.coincidence = c;
    summary();
    if (state.colour === "coincidence") recolour();
    if (data.region) showRegion(data.region.ids, data.region.from);
  } catch (e) {
    if (applied.coincidence === key) fill($("summary"), h("div", { className: "err" }, "Coincidence: " + e.message));
  }
}

// ---- the maps

function pointsOf(p) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < p.n; i++) { x0 = Math.min(x0, p.x[i]); x1 = Math.max(x1, p.x[i]); y0 = Math.min(y0, p.y[i]); y1 = Math.max(y1, p.y[i]); }
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, half = (Math.max(x1 - x0, y1 - y0) / 2 || 1) * 1.05;
  const x = new Float32Array(p.n), y = new Float32Array(p.n);
  for (let i = 0; i < p.n; i++) { x[i] = (p.x[i] - cx) / half; y[i] = (p.y[i] - cy) / half; }
  return { x, y };
}

function colouring(side) {
  const p = data[side];
  if (state.colour === "coincidence") {
    const c = data.coincidence;
    const z = new Float32Array(p.n);
    for (let i = 0; i < p.n; i++) { const j = c ? c.byId.get(p.ids[i]) : undefined; z[i] = j === undefined ? 10 : band(j); }
    return { z, colours: [...BANDS, MISSING] };
  }
  if (state.colour && state.colour.startsWith("col:")) {
    const col = state.colour.slice(4);
    const ref = (data.A || p).columns[col] || [];
    return byColumn(p.columns[col] || [], ref);
  }
  return { z: new Float32Array(p.n), colours: ["#5c7cfa"] };
}

// regl-scatterplot refuses a draw while the previous one is still running: draws of a side run one after another.
const drawing = {};
function drawSide(side) {
  const run = () => drawSideNow(side);
  drawing[side] = (drawing[side] || Promise.resolve()).then(run, run);
  return drawing[side];
}

async function drawSideNow(side) {
  const p = data[side];
  if (!p) return;
  if (!p.xy) p.xy = pointsOf(p);
  const c = colouring(side);
  p.colouring = c;
  fullDetail(side);
  await plots[side].set({ pointColor: c.colours, colorBy: "valueA" });
  await plots[side].draw({ x: p.xy.x, y: p.xy.y, z: c.z }, { zDataType: "categorical" });
  highlight();
  status(side);
  legend();
}

function recolour() {
  for (const side of SIDES) if (data[side]) drawSide(side);
  legend();
}

function status(side) {
  const p = data[side], sp = plots[side];
  if (!p) { $("status" + side).textContent = ""; return; }
  fullDetail(side); // the count is of every point, not of the moving subset
  const visible = sp.get("pointsInView").length;
  const sel = sp.get("selectedPoints").length;
  $("status" + side).textContent = visible + " of " + p.n + " points in view" + (sel ? " · " + sel + " selected" : "");
  $("status" + side).dataset.visible = String(visible);
}

// The view changes on every frame of a zoom or pan; counting the points in view there (a range search that
// allocates an index per point, 100,000 of them zoomed out) would cost each frame: count once the view rests.
// The same rest ends a map's level of detail (below).
const statusTimers = {};
function statusLater(side) {
  clearTimeout(statusTimers[side]);
  statusTimers[side] = setTimeout(() => status(side), 120);
}

// Level of detail. On a software GL (no GPU, as in headless Chromium here) a redraw costs about a millisecond per
// thousand points, so a map of 100,000 points moved at 6-8 frames a second (bench/analyser). While its view moves,
// a map of more than state.lod points (#lod=N, default 20,000; 0: off) draws an even spread of about that many
// (every m-th point, plus the selected ones); the status timer's rest (120 ms without a view change) draws every
// point again, and so does anything that reads or changes what is drawn (status, selection, new points, export).
const lod = { A: false, B: false };
function moving(side) {
  const p = data[side], most = state.lod;
  if (lod[side] || !p || !(most > 0) || p.n <= most) return;
  lod[side] = true;
  const step = Math.ceil(p.n / most), selected = new Set(plots[side].get("selectedPoints")), ix = [];
  for (let i = 0; i < p.n; i++) if (i % step === 0 || selected.has(i)) ix.push(i);
  plots[side].filter(ix, { preventEvent: true });
}
function fullDetail(side) {
  if (!lod[side]) return;
  lod[side] = false;
  plots[side].unfilter({ preventEvent: true });
}

/** Selects, in each map, the points of the current selection (a point or a region) that it holds. */
function highlight() {
  const ids = state.id ? [state.id] : data.region ? data.region.ids : [];
  for (const side of SIDES) {
    const p = data[side];
    if (!p) continue;
    fullDetail(side);
    const idx = [];
    for (const id of ids) { const i = p.index.get(id); if (i !== undefined) idx.push(i); }
    if (idx.length) plots[side].select(idx, { preventEvent: true });
    else plots[side].deselect({ preventEvent: true });
    status(side);
  }
}

let syncing = false;

// Linked zoom: the other map takes the view the user is moving. Each map's redraw is a full WebGL pass (and, on a
// software GL, most of a frame), so while the view moves the follower redraws at most every FOLLOW_MS, and always
// with the last view once it rests: the map under the mouse keeps every frame.
const FOLLOW_MS = 40;
const following = { A: { view: null, at: 0, timer: 0 }, B: { view: null, at: 0, timer: 0 } };
function follow(side, view) {
  const f = following[side];
  f.view = view;
  if (f.timer) return;
  const wait = Math.max(0, f.at + FOLLOW_MS - performance.now());
  f.timer = setTimeout(() => {
    f.timer = 0;
    f.at = performance.now();
    if (!data[side] || !f.view) return;
    moving(side);
    syncing = true;
    try { plots[side].view(f.view, { preventEvent: true }); } finally { syncing = false; }
    statusLater(side);
  }, wait);
}

function createPlot(side) {
  const canvas = $("canvas" + side);
  const sp = createScatterplot({
    renderer, canvas, width: "auto", height: "auto", pointSize: state.size, pointSizeSelected: 3, pointOutlineWidth: 2,
    pointColorActive: "#111827", opacityInactiveScale: 0.35, lassoInitiator: false, lassoOnLongPress: false,
    deselectOnDblClick: false, deselectOnEscape: false, backgroundColor: "#fbfbfc", lassoColor: "#3b5bdb",
  });
  sp.subscribe("select", ({ points }) => {
    lastSelect = performance.now();
    const p = data[side];
    if (!p || !points.length) return;
    const ids = points.map((i) => p.ids[i]);
    if (ids.length === 1) selectPoint(ids[0]); else selectRegion(ids, side);
  });
  sp.subscribe("view", (e) => {
    moving(side);
    if (!syncing && state.linked === "1") follow(side === "A" ? "B" : "A", e.view);
    statusLater(side);
  });
  sp.subscribe("pointover", (i) => { hovered[side] = i; showTip(side, i); });
  sp.subscribe("pointout", () => { hovered[side] = undefined; $("tip").hidden = true; });
  // A click on empty space clears the selection; a drag (pan) never selects: the library ignores clicks that moved.
  let down = null;
  canvas.addEventListener("mousedown", (e) => { down = [e.clientX, e.clientY]; });
  canvas.addEventListener("click", (e) => {
    if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 3 || !data[side]) return;
    const r = canvas.getBoundingClientRect(), at = [e.clientX - r.left, e.clientY - r.top], t = performance.now();
    // After the library's own click handling: a click that selected nothing and lies off every point clears.
    setTimeout(() => { if (lastSelect < t && !nearPoint(side, at)) clearSelection(); }, 0);
  });
  canvas.addEventListener("mousemove", (e) => { lastMouse = [e.clientX, e.clientY]; });
  canvas.addEventListener("mouseleave", () => { $("tip").hidden = true; });
  plots[side] = sp;
  attachBox(side);
}

let lastMouse = [0, 0];
let lastSelect = 0;

/** Whether some point is drawn within a few pixels of the screen position. */
function nearPoint(side, [x, y]) {
  const p = data[side], m = screenMap(side), r = state.size / 2 + 3;
  for (let i = 0; i < p.n; i++) {
    const [sx, sy] = m.toScreen(p.xy.x[i], p.xy.y[i]);
    if (Math.abs(sx - x) <= r && Math.abs(sy - y) <= r) return true;
  }
  return false;
}
function showTip(side, i) {
  const p = data[side];
  if (!p) return;
  const tip = $("tip");
  const lines = [h("b", null, p.ids[i])];
  for (const [c, vals] of Object.entries(p.columns)) lines.push(h("br"), c + ": " + String(vals[i] ?? "").slice(0, 180));
  const c = data.coincidence;
  const j = c ? c.byId.get(p.ids[i]) : undefined;
  if (j !== undefined) lines.push(h("br"), "coincidence (k-NN Jaccard A↔B, k = " + c.k + "): " + fmt(j));
  fill(tip, lines);
  tip.hidden = false;
  tip.style.left = Math.min(lastMouse[0] + 14, innerWidth - 350) + "px";
  tip.style.top = lastMouse[1] + 14 + "px";
}

/** Screen ↔ normalised map coordinates: linear, read off the screen positions of the extreme points. */
function screenMap(side) {
  const p = data[side], sp = plots[side];
  let ix0 = 0, ix1 = 0, iy0 = 0, iy1 = 0;
  for (let i = 1; i < p.n; i++) {
    if (p.xy.x[i] < p.xy.x[ix0]) ix0 = i; if (p.xy.x[i] > p.xy.x[ix1]) ix1 = i;
    if (p.xy.y[i] < p.xy.y[iy0]) iy0 = i; if (p.xy.y[i] > p.xy.y[iy1]) iy1 = i;
  }
  const [sx0] = sp.getScreenPosition(ix0), [sx1] = sp.getScreenPosition(ix1);
  const [, sy0] = sp.getScreenPosition(iy0), [, sy1] = sp.getScreenPosition(iy1);
  const ax = (sx1 - sx0) / ((p.xy.x[ix1] - p.xy.x[ix0]) || 1), bx = sx0 - ax * p.xy.x[ix0];
  const ay = (sy1 - sy0) / ((p.xy.y[iy1] - p.xy.y[iy0]) || 1), by = sy0 - ay * p.xy.y[iy0];
  return { toScreen: (x, y) => [ax * x + bx, ay * y + by], toMap: (sx, sy) => [(sx - bx) / ax, (sy - by) / ay] };
}

function attachBox(side) {
  const over = $("over" + side);
  let start = null, box = null;
  const rel = (e) => { const r = over.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  over.addEventListener("mousedown", (e) => {
    if (!data[side]) return;
    start = rel(e);
    box = h("div", { className: "box" });
    over.append(box);
    e.preventDefault();
  });
  over.addEventListener("mousemove", (e) => {
    if (!start) return;
    const [x, y] = rel(e);
    Object.assign(box.style, { left: Math.min(x, start[0]) + "px", top: Math.min(y, start[1]) + "px",
      width: Math.abs(x - start[0]) + "px", height: Math.abs(y - start[1]) + "px" });
  });
  const end = (e) => {
    if (!start) return;
    const [x, y] = rel(e), s0 = start;
    start = null;
    box.remove();
    if (Math.abs(x - s0[0]) < 4 || Math.abs(y - s0[1]) < 4) return;
    const m = screenMap(side);
    const [mx0, my0] = m.toMap(Math.min(x, s0[0]), Math.max(y, s0[1]));
    const [mx1, my1] = m.toMap(Math.max(x, s0[0]), Math.min(y, s0[1]));
    if (state.mode === "zoom") {
      plots[side].zoomToArea({ x: mx0, y: my0, width: mx1 - mx0, height: my1 - my0 });
    } else {
      const p = data[side], ids = [];
      for (let i = 0; i < p.n; i++) {
        const px = p.xy.x[i], py = p.xy.y[i];
        if (px >= mx0 && px <= mx1 && py >= my0 && py <= my1) ids.push(p.ids[i]);
      }
      if (ids.length === 1) selectPoint(ids[0]); else if (ids.length) selectRegion(ids, side); else clearSelection();
    }
  };
  over.addEventListener("mouseup", end);
  over.addEventListener("mouseleave", end);
}

function setMode(mode) {
  state.mode = mode;
  for (const side of SIDES) {
    $("over" + side).hidden = mode !== "zoom" && mode !== "box";
    plots[side].set({ mouseMode: mode === "lasso" ? "lasso" : "panZoom" });
  }
  for (const b of document.querySelectorAll("#mode button")) b.classList.toggle("on", b.dataset.v === mode);
}

// ---- selection

function selectPoint(id) {
  data.region = null;
  state.id = id;
  commit();
}

function selectRegion(ids, from) {
  state.id = null;
  data.region = { ids, from };
  commit();
  showRegion(ids, from);
}

function clearSelection() {
  data.region = null;
  data.neighbours = null;
  if (state.id !== null) { state.id = null; commit(); } else { highlight(); clearPanel(); }
}

function clearPanel() {
  fill($("selection"), h("div", { className: "hint" }, "Click a point (or find its id) to see its nearest neighbours in A and in B; drag with Box select or Lasso to list a region. Escape or a click on empty space clears."));
}

async function loadNeighbours(id, ckey) {
  try {
    const n = await api("/api/neighbours", { a: state.a, b: state.b, id, k: state.k, metric_a: state.ma, metric_b: state.mb });
    if (applied.neighbours !== ckey + "|" + id) return;
    data.neighbours = n;
    renderNeighbours(n);
  } catch (e) {
    fill($("selection"), h("div", { className: "err" }, e.message));
  }
}

function renderNeighbours(n) {
  const c = data.coincidence;
  const j = c ? c.byId.get(n.id) : undefined;
  const table = (key) => {
    const side = n[key];
    const cols = [...new Set(side.neighbours.flatMap((x) => Object.keys(x.metadata)))];
    const unit = side.metric === "cosine" ? "cos" : side.metric === "euclidean" ? "dist" : "dot";
    return h("div", { className: "card" },
      h("h2", null, h("span", { className: "tag" + (key === "b" ? " b" : "") }, key.toUpperCase()), side.space),
      h("div", { className: "desc" }, side.neighbours.length + " nearest by " + side.metric + " (" + n.search + "), self excluded, ties by " +
        n.tie_break + "; value = " + side.value + ". ", h("span", { className: "dot", style: { background: "var(--both)" } }), "found in both."),
      h("table", { className: "nb", dataset: { side: key } },
        h("tr", null, h("th", null, "#"), h("th", null, "id"), h("th", null, unit), cols.map((col) => h("th", null, col))),
        side.neighbours.map((x, r) => h("tr", { className: x.in_both ? "both" : "", dataset: { id: x.id }, onclick: () => selectPoint(x.id) },
          h("td", { className: "num" }, r + 1), h("td", { className: "id" }, x.id), h("td", { className: "num" }, fmt(x.value)),
          cols.map((col) => h("td", { className: col === "text" ? "text" : "" }, String(x.metadata[col] ?? "").slice(0, 140)))))));
  };
  const p = data.A, i = p ? p.index.get(n.id) : undefined;
  const label = i !== undefined && p.columns.label ? p.columns.label[i] : "";
  const text = i !== undefined && p.columns.text ? p.columns.text[i] : "";
  fill($("selection"),
    h("div", { className: "sel" }, h("h3", null, "Neighbours of ", h("code", { id: "selId" }, n.id)),
      label ? h("span", { className: "pill" }, label) : null,
      text ? h("span", { className: "q" }, "“" + text.slice(0, 220) + "”") : null,
      h("span", { id: "inBoth", dataset: { inBoth: String(n.in_both), k: String(n.k), jaccard: String(n.jaccard) } },
        h("b", null, String(n.in_both)), " of " + n.k + " in both · Jaccard " + fmt(n.jaccard)),
      j !== undefined ? h("span", { className: "note", id: "pointCoincidence", dataset: { value: String(j) } }, "· coincidence in the map: " + fmt(j)) : null),
    h("div", { className: "row" }, table("a"), table("b")));
}

const REGION_ROWS = 500;
function showRegion(ids, from) {
  const p = data[from] || data.A;
  if (!p) return;
  const c = data.coincidence;
  const cols = Object.keys(p.columns);
  const rows = ids.slice(0, REGION_ROWS);
  let sum = 0, m = 0;
  if (c) for (const id of ids) { const j = c.byId.get(id); if (j !== undefined) { sum += j; m++; } }
  const inOther = data[from === "A" ? "B" : "A"] ? ids.filter((id) => data[from === "A" ? "B" : "A"].index.has(id)).length : 0;
  fill($("selection"),
    h("div", { className: "sel" }, h("h3", { id: "regionTitle", dataset: { count: String(ids.length) } }, ids.length + " points selected in " + from),
      h("span", null, inOther + " of them highlighted in " + (from === "A" ? "B" : "A")),
      m ? h("span", null, "mean coincidence " + fmt(sum / m) + " (k = " + c.k + ")") : null,
      ids.length > REGION_ROWS ? h("span", { className: "note" }, "first " + REGION_ROWS + " listed; the CSV export holds every point") : null),
    h("div", { className: "card scroll" }, h("table", { id: "regionTable" },
      h("tr", null, h("th", null, "id"), cols.map((col) => h("th", null, col)), h("th", null, "coincidence")),
      rows.map((id) => {
        const i = p.index.get(id), j = c ? c.byId.get(id) : undefined;
        return h("tr", { dataset: { id }, onclick: () => selectPoint(id) }, h("td", { className: "id" }, id),
          cols.map((col) => h("td", { className: col === "text" ? "text" : "" }, String(p.columns[col][i] ?? "").slice(0, 140))),
          h("td", { className: "num" }, j === undefined ? "–" : fmt(j)));
      }))));
}

// ---- legend and histogram

function legend() {
  const L = $("legend");
  if (state.colour === "coincidence") {
    const c = data.coincidence, counts = new Array(11).fill(0);
    if (c && data.A) for (let i = 0; i < data.A.n; i++) { const j = c.byId.get(data.A.ids[i]); counts[j === undefined ? 10 : band(j)]++; }
    fill(L, h("span", { style: { color: "var(--muted)" } }, "coincidence in A (points per band):"),
      BANDS.map((col, i) => h("span", { className: "band", dataset: { band: String(i), count: String(counts[i]) } },
        h("span", { className: "sw", style: { background: col } }), (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1) + ": " + counts[i])),
      counts[10] ? h("span", null, h("span", { className: "sw", style: { background: MISSING } }), "not in B: " + counts[10]) : null);
    return;
  }
  const p = data.A;
  if (!p || !p.colouring || !p.colouring.legend) { fill(L); return; }
  const col = state.colour.slice(4), lg = p.colouring.legend;
  if (lg.kind === "continuous") {
    fill(L, h("span", { style: { color: "var(--muted)" } }, col + ":"), fmt(lg.lo, 2),
      h("span", { className: "grad", style: { background: "linear-gradient(90deg," + p.colouring.colours.slice(0, -1).join(",") + ")" } }), fmt(lg.hi, 2));
  } else {
    fill(L, h("span", { style: { color: "var(--muted)" } }, col + ":"),
      lg.entries.map(([v, colour, count]) => h("span", { className: "cat" }, h("span", { className: "sw", style: { background: colour } }), String(v) + " (" + count + ")")),
      lg.more ? h("span", null, h("span", { className: "sw", style: { background: "#ced4da" } }), lg.more + " more values") : null);
  }
}

function summary() {
  const c = data.coincidence;
  // T leaves a band above the tallest bar's count for the mean's label, so the two never overlap.
  const W = 520, H = 182, L = 46, R = 10, T = 30, B = 40;
  const max = Math.max(1, ...c.histogram);
  // The mean's label goes beside its line, on the side with room: right of a low mean, left of a high one.
  const labelLeft = c.mean_jaccard > 0.7;
  const bw = (W - L - R) / 10;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const bars = c.histogram.map((n, i) => [
    s("rect", { x: L + i * bw + 1, y: y(n), width: bw - 2, height: H - B - y(n), fill: BANDS[i] }, s("title", { text: (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1) + ": " + n + " points" })),
    s("text", { x: L + i * bw + bw / 2, y: y(n) - 3, "text-anchor": "middle", text: n }),
  ]);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => s("text", { x: L + t * (W - L - R), y: H - B + 14, "text-anchor": "middle", text: t.toFixed(1) }));
  const mx = L + c.mean_jaccard * (W - L - R);
  fill($("summary"),
    h("div", null, h("span", { className: "big", id: "meanJaccard" }, fmt(c.mean_jaccard, 4)), " mean k-NN Jaccard between A and B"),
    h("div", { className: "note" }, "Exact search over all " + c.n + " common points · k = " + c.k + " · " + c.metric_a + " in A, " + c.metric_b +
      " in B · a point is not its own neighbour · ties broken by " + c.tie_break + " · " + fmt(c.seconds, 2) + " s"),
    s("svg", { viewBox: "0 0 " + W + " " + H, id: "histogram", role: "img", "aria-label": "histogram of per-point Jaccard" },
      s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#98a2b3" }),
      s("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#98a2b3" }),
      s("text", { x: L - 4, y: T + 4, "text-anchor": "end", text: max }),
      s("text", { x: L - 4, y: H - B, "text-anchor": "end", text: 0 }),
      s("text", { x: 12, y: (T + H - B) / 2, transform: "rotate(-90 12 " + (T + H - B) / 2 + ")", "text-anchor": "middle", text: "points" }),
      bars, ticks,
      s("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", text: "per-point Jaccard of the k-NN sets in A and B (10 bins)" }),
      s("line", { x1: mx, y1: 4, x2: mx, y2: H - B, stroke: "#c92a2a", "stroke-dasharray": "4 3" }),
      s("text", { x: labelLeft ? mx - 4 : mx + 4, y: 13, "text-anchor": labelLeft ? "end" : "start", fill: "#c92a2a",
        text: "mean " + fmt(c.mean_jaccard) })));
}

// ---- the experiment view

async function loadExperiment(exp) {
  $("expName").textContent = exp || "";
  if (!exp) { fill($("expBody"), "Space A is not a checkpoint of an experiment."); return; }
  try {
    const e = await api("/api/experiment", { name: exp });
    if (applied.experiment !== exp) return;
    data.experiment = e;
    renderExperiment(e);
  } catch (err) {
    fill($("expBody"), h("div", { className: "err" }, err.message));
  }
}

function renderExperiment(e) {
  const space = spaceByName(state.a).space;
  const cs = e.comparisons.filter((c) => c.space === space && (c.relation === "previous" || c.relation === "first"));
  const alerts = e.alerts.filter((a) => a.space === space);
  if (!cs.length) { fill($("expBody"), "No stored comparisons for " + e.experiment + "/" + space + " yet."); return; }
  const steps = [...new Set(cs.map((c) => c.step))].sort((a, b) => a - b);
  const W = 900, H = 240, L = 46, R = 16, T = 14, B = 38;
  const x0 = steps[0], x1 = steps[steps.length - 1];
  const x = (st) => L + (x1 === x0 ? 0.5 : (st - x0) / (x1 - x0)) * (W - L - R);
  const y = (j) => T + (1 - j) * (H - T - B);
  // "first" is drawn first and larger, "previous" on top and smaller: where the two coincide both stay clickable.
  const series = { first: "#0c8599", previous: "#3b5bdb" };
  const open = (c) => { data.region = null; state.id = null; state.a = c.a; state.b = c.b; commit(); scrollTo({ top: 0 }); };
  const parts = [s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#98a2b3" }), s("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#98a2b3" })];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) parts.push(s("text", { x: L - 4, y: y(t) + 4, "text-anchor": "end", text: t.toFixed(2) }));
  for (const st of steps) parts.push(s("text", { x: x(st), y: H - B + 14, "text-anchor": "middle", text: st }));
  parts.push(s("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", text: "training step" }));
  parts.push(s("text", { x: 12, y: (T + H - B) / 2, transform: "rotate(-90 12 " + (T + H - B) / 2 + ")", "text-anchor": "middle", text: "mean k-NN Jaccard" }));
  for (const a of alerts) {
    parts.push(s("line", { x1: x(a.step), y1: T, x2: x(a.step), y2: H - B, stroke: "#c92a2a", "stroke-dasharray": "3 3" }),
      s("path", { d: "M" + x(a.step) + " " + (T + 2) + " l-6 -10 h12 z", fill: "#c92a2a", class: "alert" }, s("title", { text: a.message })));
  }
  for (const [rel, colour] of Object.entries(series)) {
    const pts = cs.filter((c) => c.relation === rel).sort((a, b) => a.step - b.step);
    if (pts.length > 1) parts.push(s("polyline", { points: pts.map((c) => x(c.step) + "," + y(c.mean_jaccard)).join(" "), fill: "none", stroke: colour, "stroke-width": 2 }));
    for (const c of pts) {
      parts.push(s("circle", { cx: x(c.step), cy: y(c.mean_jaccard), r: rel === "first" ? 7 : 4, fill: colour, class: "step", dataset: { step: String(c.step), relation: rel }, onclick: () => open(c) },
        s("title", { text: "step " + c.step + " vs " + c.relation + " (step " + c.b_step + "): " + fmt(c.mean_jaccard) + " — click to open the pair" })));
    }
  }
  const legendRow = h("div", { className: "legend" }, Object.entries(series).map(([rel, colour]) =>
    h("span", null, h("span", { className: "sw", style: { background: colour } }), "vs " + rel + " checkpoint")),
    h("span", null, h("span", { className: "sw", style: { background: "#c92a2a" } }), "drift alert (" + alerts.length + ")"));
  const byStep = (st, rel) => cs.find((c) => c.step === st && c.relation === rel);
  const table = h("table", { id: "expTable" }, h("tr", null, h("th", null, "step"), h("th", null, "vs previous"), h("th", null, "vs first"), h("th", null, "k"), h("th", null, "alerts"), h("th", null, "open")),
    steps.map((st) => {
      const pr = byStep(st, "previous"), fi = byStep(st, "first");
      const al = alerts.filter((a) => a.step === st);
      return h("tr", { className: al.length ? "alerted" : "" }, h("td", { className: "num" }, st),
        h("td", { className: "num" }, pr ? fmt(pr.mean_jaccard) + " (step " + pr.b_step + ")" : "–"),
        h("td", { className: "num" }, fi ? fmt(fi.mean_jaccard) : "–"),
        h("td", { className: "num" }, (pr || fi).k + ((pr || fi).exact ? "" : " (sampled)")),
        h("td", { className: al.length ? "err" : "" }, al.map((a) => a.message).join("; ")),
        h("td", null, pr ? h("button", { className: "btn open-pair", dataset: { step: String(st) }, onclick: () => open(pr) }, "vs previous") : null, " ",
          fi ? h("button", { className: "btn open-pair", dataset: { step: String(st), relation: "first" }, onclick: () => open(fi) }, "vs first") : null));
    }));
  fill($("expBody"), h("div", { className: "note" }, e.experiment + "/" + space + ": the stored comparisons of each checkpoint with the previous and the first one; click a step to open that pair above."),
    s("svg", { viewBox: "0 0 " + W + " " + H, id: "expChart" }, parts), legendRow, table);
}

// ---- export

function download(name, blob) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

const fileName = (s) => s.replace(/[^A-Za-z0-9._@-]+/g, "_");

function exportPng(side) {
  const p = data[side];
  if (!p) return;
  fullDetail(side);
  plots[side].redraw();
  $("canvas" + side).toBlob((b) => download("vectory-" + side + "-" + fileName(p.space) + "-" + state.method + ".png", b), "image/png");
}

const csvField = (v) => { const t = v === null || v === undefined ? "" : String(v); return /[",\r\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t; };

function csvText() {
  const c = data.coincidence, p = data.A;
  if (!c || !p) return null;
  const cols = Object.keys(p.columns);
  const lines = [["id", ...cols, "jaccard", "k", "metric_a", "metric_b"].map(csvField).join(",")];
  for (let r = 0; r < c.ids.length; r++) {
    const id = c.ids[r], i = p.index.get(id);
    lines.push([id, ...cols.map((col) => (i === undefined ? "" : p.columns[col][i])), c.jaccard[r], c.k, c.metric_a, c.metric_b].map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function exportCsv() {
  const t = csvText();
  if (t) download("vectory-coincidence-" + fileName(state.a) + "-vs-" + fileName(state.b) + "-k" + state.k + ".csv", new Blob([t], { type: "text/csv" }));
}

// ---- search

function searchIds(q) {
  const out = [];
  const all = data.A ? data.A.ids : [];
  for (const id of all) if (id.startsWith(q)) { out.push(id); if (out.length >= 50) return out; }
  for (const id of all) if (!id.startsWith(q) && id.includes(q)) { out.push(id); if (out.length >= 50) break; }
  return out;
}

function onSearch() {
  const q = $("search").value;
  fill($("ids"), q ? searchIds(q).map((id) => h("option", { value: id })) : []);
}

function findId() {
  const q = $("search").value;
  if (!q) return;
  if ((data.A && data.A.index.has(q)) || (data.B && data.B.index.has(q))) selectPoint(q);
  else fill($("selection"), h("div", { className: "err" }, "no point with id “" + q + "” in A or B"));
}

// ---- start

/**
 * The shared WebGL renderer draws each map into its own canvas, then copies the map's part onto the map's canvas.
 * Left to itself it is as large as the window: every frame then clears, blends and copies a window of pixels
 * (four times a map's), which on a software GL costs more than the points. Keep it the size of the larger map.
 */
function sizeRenderer() {
  let w = 1, hgt = 1;
  for (const side of SIDES) {
    const r = $("canvas" + side).getBoundingClientRect();
    w = Math.max(w, Math.ceil(r.width));
    hgt = Math.max(hgt, Math.ceil(r.height));
  }
  renderer.resize(w, hgt);
  renderer.refresh();
  for (const side of SIDES) if (plots[side]) plots[side].redraw();
}

async function init() {
  renderer = createRenderer({ canvas: document.createElement("canvas") });
  sizeRenderer();
  const maps = new ResizeObserver(() => requestAnimationFrame(sizeRenderer));
  for (const side of SIDES) maps.observe($("canvas" + side));
  for (const side of SIDES) createPlot(side);
  readHash();
  try {
    const [info, spaces] = await Promise.all([api("/api/info"), api("/api/spaces")]);
    $("store").textContent = "store: " + info.store;
    data.spaces = spaces;
    data.opening = info.opening;
  } catch (e) { fill($("selection"), h("div", { className: "err" }, e.message)); return; }
  if (!data.spaces.length) {
    for (const side of SIDES) { $("busy" + side).hidden = false; fill($("busy" + side), "The store holds no complete spaces yet. Run `vectory demo` (or the pipeline), then reload this page."); }
    return;
  }
  const on = (id, ev, f) => $(id).addEventListener(ev, f);
  on("dataset", "change", () => { state.dataset = $("dataset").value; state.a = state.b = null; state.id = null; data.region = null; commit(); });
  on("spaceA", "change", () => { state.a = $("spaceA").value; commit(); });
  on("spaceB", "change", () => { state.b = $("spaceB").value; commit(); });
  on("metricA", "change", () => { state.ma = $("metricA").value; commit(); });
  on("metricB", "change", () => { state.mb = $("metricB").value; commit(); });
  on("colour", "change", () => { state.colour = $("colour").value; commit(); });
  on("k", "change", () => {
    const k = Number($("k").value), max = Number($("k").max);
    if (!Number.isInteger(k) || k < 1 || k > max) {
      $("kError").textContent = "k must be a whole number between 1 and " + max + " (min(100, n − 1) for these spaces); got " + $("k").value;
      $("kError").hidden = false;
      $("k").value = String(state.k);
      return;
    }
    $("kError").hidden = true;
    state.k = k; commit();
  });
  on("size", "input", () => { state.size = Number($("size").value); for (const side of SIDES) plots[side].set({ pointSize: state.size }); });
  on("size", "change", () => commit());
  on("linked", "change", () => { state.linked = $("linked").checked ? "1" : "0"; commit(); });
  on("reset", "click", () => { for (const side of SIDES) if (data[side]) plots[side].reset(); });
  on("search", "input", onSearch);
  on("search", "change", findId);
  on("search", "keydown", (e) => { if (e.key === "Enter") findId(); });
  on("pngA", "click", () => exportPng("A"));
  on("pngB", "click", () => exportPng("B"));
  on("csv", "click", exportCsv);
  for (const b of document.querySelectorAll("#method button")) b.addEventListener("click", () => { state.method = b.dataset.v; commit(); });
  for (const b of document.querySelectorAll("#mode button")) b.addEventListener("click", () => setMode(b.dataset.v));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && e.target !== $("search")) clearSelection(); });
  window.addEventListener("hashchange", () => { readHash(); apply(); });
  window.addEventListener("popstate", () => { readHash(); apply(); });
  setMode("pan");
  apply();
}

// Read-only probes for the browser tests and the benchmark: what each map shows.
window.vectory = {
  state: () => ({ ...state }),
  ready: (side) => !!data[side] && $("busy" + side).hidden,
  visible: (side) => { fullDetail(side); return plots[side].get("pointsInView").length; },
  drawn: (side) => (lod[side] ? plots[side].get("filteredPoints").length : data[side] ? data[side].n : 0),
  selectedIds: (side) => (data[side] ? plots[side].get("selectedPoints").map((i) => data[side].ids[i]) : []),
  colours: (side) => (data[side] && data[side].colouring ? data[side].colouring.colours.length : 0),
  coincidence: (id) => (data.coincidence ? data.coincidence.byId.get(id) : undefined),
  csv: csvText,
  plot: (side) => plots[side],
  screen: (side, id) => { const p = data[side]; const i = p.index.get(id); return plots[side].getScreenPosition(i); },
};

init();
