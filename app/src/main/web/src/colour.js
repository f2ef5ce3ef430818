// Colour scales: a categorical palette of distinguishable colours (Tableau 10 + 10 more), viridis for numbers,
// and the ten coincidence bands.

export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
  "#393b79", "#637939"];
export const OTHER = "#ced4da";
export const MISSING = "#e9ecef";
const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
  [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];

export function viridis(t) {
  t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
  const c = a.map((v, k) => Math.round(v + f * (b[k] - v)));
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** Ten bands of per-point Jaccard: [0, .1), …, [.9, 1]; 1.0 falls in the last band, as in the histogram. */
export const BANDS = Array.from({ length: 10 }, (_, i) => viridis((i + 0.5) / 10));
export const band = (j) => Math.min(9, Math.floor(j * 10));

/** Whether a column's values are numbers (all non-empty values parse), so it gets a continuous scale. */
export function numeric(values) {
  let seen = 0;
  for (const v of values) {
    if (v === null || v === undefined || v === "") continue;
    if (!Number.isFinite(Number(v))) return false;
    seen++;
  }
  return seen > 0 && new Set(values).size > PALETTE.length;
}

/**
 * A colouring of one map: per point a category index into `colours`, and the legend that explains it.
 * `ref` gives the category order (A's values), so a label has the same colour in both maps.
 */
export function byColumn(values, refValues) {
  if (numeric(refValues)) {
    let lo = Infinity, hi = -Infinity;
    for (const v of refValues) { const x = Number(v); if (v !== "" && v !== null && Number.isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); } }
    const steps = 32;
    const colours = Array.from({ length: steps }, (_, i) => viridis(i / (steps - 1)));
    colours.push(MISSING);
    const z = new Float32Array(values.length);
    values.forEach((v, i) => {
      const x = Number(v);
      z[i] = v === "" || v === null || !Number.isFinite(x) ? steps : Math.max(0, Math.min(steps - 1, Math.round((x - lo) / ((hi - lo) || 1) * (steps - 1))));
    });
    return { z, colours, legend: { kind: "continuous", lo, hi } };
  }
  const counts = new Map();
  for (const v of refValues) counts.set(v, (counts.get(v) || 0) + 1);
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1] || String(x[0]).localeCompare(String(y[0])));
  const shown = top.slice(0, top.length > PALETTE.length ? PALETTE.length - 1 : PALETTE.length)
    .sort((x, y) => String(x[0]).localeCompare(String(y[0]), undefined, { numeric: true }));
  const index = new Map(shown.map(([v], i) => [v, i]));
  const colours = shown.map((_, i) => PALETTE[i]);
  colours.push(OTHER);
  const z = new Float32Array(values.length);
  values.forEach((v, i) => { z[i] = index.has(v) ? index.get(v) : shown.length; });
  return { z, colours, legend: { kind: "categorical", entries: shown.map(([v, n], i) => [v, PALETTE[i], n]), more: top.length - shown.length } };
}
