// lahar dashboard: plain JavaScript over the REST API (/api/...). No build step, no outside
// host: plotly.js comes from /vendor/plotly.min.js (the installed plotly package's bundle).
"use strict";

const $ = (sel) => document.querySelector(sel);

// ---------------------------------------------------------------------------- helpers
async function api(path, options) {
  const res = await fetch(path, options);
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (!res.ok) {
    throw new Error(errorText(res.status, body));
  }
  return body;
}

function errorText(status, body) {
  if (body && Array.isArray(body.detail)) {
    return body.detail
      .map((d) => `${(d.loc || []).filter((x) => x !== "body").join(".")}: ${d.msg}`)
      .join("; ");
  }
  if (body && typeof body.detail === "string") return body.detail;
  return `HTTP ${status}`;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// A source's address as a link only when it is http(s): a javascript: or data: URL in the
// dataset stays text (as the HTML report does).
function sourceLink(url) {
  if (!url) return "";
  let scheme = "";
  try {
    scheme = new URL(url).protocol;
  } catch {
    return url;
  }
  if (scheme !== "http:" && scheme !== "https:") return url;
  return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, url);
}

function fmtNumber(x, unit) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  if (unit === "USD" || unit === "usd") {
    const a = Math.abs(x);
    const sign = x < 0 ? "-" : "";
    for (const [scale, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
      if (a >= scale) return `${sign}$${(a / scale).toFixed(1)}${suffix}`;
    }
    return `${sign}$${a.toFixed(0)}`;
  }
  if (unit === "percent") return `${x.toFixed(2)}%`;
  const digits = Math.abs(x) >= 100 ? 0 : 2;
  return `${x.toLocaleString("en-US", { maximumFractionDigits: digits })}${unit && unit !== "count" ? " " + unit : ""}`;
}

function fillRows(table, rows) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...rows);
}

function sourceCell(id) {
  return el("td", {}, id ? el("a", { href: `#source-${id}`, class: "source-ref" }, id) : "");
}

// ---------------------------------------------------------------------------- tabs
function showTab(name) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    $(`#${tab.getAttribute("aria-controls")}`).hidden = !on;
  }
  if (name === "compare") loadRunChoices();
  if (name === "charts") loadDatasetCharts();
  window.dispatchEvent(new Event("resize")); // plotly charts size to their now-visible box
}

// ---------------------------------------------------------------------------- explore
let searchTimer = null;

async function searchEntities() {
  const q = $("#entity-search").value.trim();
  const kind = $("#entity-kind").value;
  const params = new URLSearchParams({ limit: "50" });
  if (q) params.set("q", q);
  if (kind) params.set("kind", kind);
  try {
    const page = await api(`/api/entities?${params}`);
    $("#entity-count").textContent = `${page.total} entit${page.total === 1 ? "y" : "ies"}` +
      (page.total > page.items.length ? ` (first ${page.items.length} shown)` : "");
    $("#entity-results").replaceChildren(
      ...page.items.map((e) =>
        el("li", {},
          el("button", { type: "button", class: "entity-hit", "data-id": e.id },
            el("strong", {}, e.name), ` ${e.kind}, ${e.country}`,
            e.balance_sheet.total_assets !== undefined
              ? el("span", { class: "muted" }, ` · assets ${fmtNumber(e.balance_sheet.total_assets, "USD")}`)
              : null)))
    );
  } catch (err) {
    $("#entity-count").textContent = `Search failed: ${err.message}`;
  }
}

function figureRow(f) {
  const period = [f.period || f.year, f.basis].filter(Boolean).join(" · ");
  return el("tr", {},
    el("td", {}, f.metric.replaceAll("_", " ")),
    el("td", { class: "num" }, fmtNumber(f.value, f.unit)),
    el("td", {}, period),
    el("td", {}, `${f.status || ""}${f.confidence ? ", " + f.confidence + " confidence" : ""}`),
    sourceCell(f.source_id));
}

function dealRow(x, other, otherName) {
  return el("tr", { class: x.current ? "" : "superseded" },
    el("td", {}, el("button", { type: "button", class: "link entity-hit", "data-id": other }, otherName)),
    el("td", {}, x.layer.replaceAll("_", " ")),
    el("td", { class: "num" }, fmtNumber(x.amount_usd, "USD")),
    el("td", {}, x.status + (x.current ? "" : " (superseded)")),
    el("td", {}, x.date || ""),
    sourceCell(x.source_id));
}

async function showEntity(id) {
  try {
    const e = await api(`/api/entities/${encodeURIComponent(id)}`);
    $("#entity-detail").hidden = false;
    $("#entity-name").textContent = e.name;
    $("#entity-meta").textContent = [e.kind, e.country, e.ticker, e.parent ? `part of ${e.parent}` : null,
      e.end_investor ? "end investor" : null, `id ${e.id}`].filter(Boolean).join(" · ");
    const sheet = e.figures.filter((f) => f.metric in e.balance_sheet);
    const other = e.figures.filter((f) => !(f.metric in e.balance_sheet));
    fillRows($("#balance-sheet"), sheet.length ? sheet.map(figureRow)
      : [el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No balance-sheet figure in the dataset."))]);
    fillRows($("#entity-figures"), other.map(figureRow));
    fillRows($("#deals-out"), e.exposures_out.map((x) => dealRow(x, x.target, x.target_name)));
    fillRows($("#deals-in"), e.exposures_in.map((x) => dealRow(x, x.source, x.source_name)));
    fillRows($("#entity-sources"), e.sources.map((s) =>
      el("tr", { id: `source-${s.id}` },
        el("td", {}, s.id),
        el("td", {}, s.publication),
        el("td", {}, s.title),
        el("td", {}, s.date || ""),
        el("td", {}, el("span", { class: `class class-${s.source_class}` }, s.source_class)),
        el("td", {}, sourceLink(s.url)))));
    $("#entity-name").focus();
  } catch (err) {
    $("#entity-count").textContent = `Could not load ${id}: ${err.message}`;
  }
}

// ---------------------------------------------------------------------------- charts
// Charts are the HTML report's figures, sent by the API as plotly JSON.
async function drawFigure(div, url) {
  const fig = await api(url);
  div.setAttribute("aria-label", fig.title);
  await Plotly.newPlot(div, fig.data, fig.layout, { displaylogo: false, responsive: true });
  return fig;
}

// Every chart of a finished run, one div each (ids: PREFIX-NAME).
async function drawRunCharts(container, runId, prefix) {
  delete container.dataset.drawn;
  const list = await api(`/api/runs/${runId}/figures`);
  const divs = list.map((f) => el("div", { class: "chart", id: `${prefix}-${f.name}`, role: "img", "aria-label": f.title }));
  container.replaceChildren(...divs);
  for (const [k, f] of list.entries()) {
    await drawFigure(divs[k], `/api/runs/${runId}/figures/${f.name}`);
  }
  container.dataset.drawn = runId; // every chart is on the page
}

async function loadDatasetCharts() {
  const sel = $("#dataset-figure");
  if (sel.options.length) return;
  try {
    const list = await api("/api/figures");
    sel.replaceChildren(...list.map((f) => el("option", { value: f.name }, f.title)));
    await showDatasetChart();
  } catch (err) {
    $("#dataset-chart-status").textContent = `Could not load the charts: ${err.message}`;
  }
}

async function showDatasetChart() {
  const name = $("#dataset-figure").value;
  $("#dataset-chart-status").textContent = "Drawing…";
  try {
    await drawFigure($("#dataset-chart"), `/api/figures/${encodeURIComponent(name)}`);
    $("#dataset-chart-status").textContent = "";
  } catch (err) {
    $("#dataset-chart-status").textContent = `Could not draw ${name}: ${err.message}`;
  }
}

// ---------------------------------------------------------------------------- scenarios
let scenarios = {};

function quantityControl(q, i) {
  const share = q.share;
  const hi = q.high ?? q.value ?? 1;
  const max = share ? 1 : Math.max(1, 2 * Math.abs(hi));
  const step = share ? 0.01 : max / 200;
  const box = el("fieldset", { class: "quantity", id: `q-${i}`, "data-name": q.name });
  const basis = q.param ? `parameters.csv: ${q.param}` : q.source;
  box.append(el("legend", {}, `${q.name}`, el("span", { class: "muted" }, basis ? ` (${basis})` : "")));
  const ends = q.drawn ? [["low", q.low], ["high", q.high]] : [["value", q.value]];
  for (const [end, v] of ends) {
    const id = `q-${i}-${end}`;
    const input = el("input", { type: "range", id, min: "0", max: String(max), step: String(step),
      value: String(v), "data-end": end, "data-initial": String(v) });
    const out = el("output", { for: id, id: `${id}-out` }, String(v));
    input.addEventListener("input", () => {
      out.textContent = input.value;
      if (q.drawn) keepOrdered(box, end);
    });
    box.append(el("label", { for: id }, end), input, out);
  }
  return box;
}

// Keep low <= high while sliders move.
function keepOrdered(box, moved) {
  const low = box.querySelector('[data-end="low"]');
  const high = box.querySelector('[data-end="high"]');
  if (Number(low.value) > Number(high.value)) {
    if (moved === "low") high.value = low.value;
    else low.value = high.value;
    for (const inp of [low, high]) $(`#${inp.id}-out`).textContent = inp.value;
  }
}

function showScenario(name) {
  const sc = scenarios[name];
  if (!sc) return;
  $("#scenario-description").textContent = `${sc.title}. ${sc.description}` +
    (sc.runnable ? "" : ` (cannot run on this store: ${sc.problem})`);
  $("#draws").value = String(Math.min(sc.draws, 512));
  const box = $("#quantities");
  box.replaceChildren(box.querySelector("legend"), ...sc.quantities.map(quantityControl));
  $("#run-button").disabled = !sc.runnable;
}

function overrides() {
  const out = {};
  for (const box of document.querySelectorAll("#quantities fieldset.quantity")) {
    const inputs = [...box.querySelectorAll("input[data-end]")];
    if (!inputs.some((i) => Number(i.value) !== Number(i.dataset.initial))) continue;
    const q = {};
    for (const i of inputs) q[i.dataset.end] = Number(i.value);
    out[box.dataset.name] = q;
  }
  return out;
}

async function submitRun(event) {
  event.preventDefault();
  const body = {
    scenario: $("#scenario-select").value,
    draws: Number($("#draws").value),
    seed: Number($("#seed").value),
    overrides: overrides(),
  };
  $("#run-button").disabled = true;
  $("#run-status").textContent = "Queuing…";
  $("#run-progress").value = 0;
  try {
    const run = await api("/api/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await pollRun(run.run_id);
  } catch (err) {
    $("#run-status").textContent = `Run refused: ${err.message}`;
  } finally {
    $("#run-button").disabled = false;
  }
}

async function pollRun(runId) {
  for (;;) {
    const run = await api(`/api/runs/${runId}`);
    const p = run.progress;
    if (p && p.draws_total) $("#run-progress").value = p.draws_done / p.draws_total;
    $("#run-status").textContent = `Run ${runId.slice(0, 8)}: ${run.status}` +
      (p ? ` (${p.draws_done} of ${p.draws_total} draws)` : "") + (run.error ? `: ${run.error}` : "");
    if (run.status === "done") {
      await showRun(run);
      return;
    }
    if (["failed", "killed"].includes(run.status)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function showRun(run) {
  $("#run-result").hidden = false;
  $("#run-title").textContent = `${run.scenario}: ${run.draws} draws, seed ${run.seed} (run ${run.run_id.slice(0, 8)})`;
  fillRows($("#headline"), run.headline.map((h) =>
    el("tr", {}, el("td", {}, h.label), el("td", { class: "num" }, h.text), el("td", {}, h.band))));
  fillRows($("#losers"), run.losers.map((l) =>
    el("tr", {},
      el("td", {}, l.name),
      el("td", { class: "num" }, l.default_probability === null ? "–" : `${(100 * l.default_probability).toFixed(0)}%`),
      el("td", { class: "num" }, fmtNumber(l.mean, "USD")),
      el("td", { class: "num" }, fmtNumber(l.q95, "USD")))));
  await drawRunCharts($("#run-charts"), run.run_id, "run-chart");
}

// ---------------------------------------------------------------------------- compare
async function loadRunChoices() {
  try {
    const page = await api("/api/runs?status=done&limit=200");
    const runs = page.items.filter((r) => r.scenario);
    for (const [sel, pick] of [[$("#compare-a"), 1], [$("#compare-b"), 0]]) {
      const before = sel.value;
      sel.replaceChildren(...runs.map((r) =>
        el("option", { value: r.run_id }, `${r.scenario} · ${r.draws} draws · seed ${r.seed} · ${r.created_at} · ${r.run_id.slice(0, 8)}`)));
      if (before && runs.some((r) => r.run_id === before)) sel.value = before;
      else if (runs[pick]) sel.value = runs[pick].run_id;
    }
    $("#compare-status").textContent = runs.length < 2
      ? "Run at least two scenarios to compare them." : `${runs.length} finished runs.`;
  } catch (err) {
    $("#compare-status").textContent = `Could not list runs: ${err.message}`;
  }
}

function quantityText(q) {
  if (!q) return "–";
  return q.drawn ? `${q.low} to ${q.high}` : `${q.value}`;
}

async function compareRuns(event) {
  event.preventDefault();
  const [a, b] = [$("#compare-a").value, $("#compare-b").value];
  if (!a || !b) return;
  try {
    const [ra, rb] = await Promise.all([api(`/api/runs/${a}`), api(`/api/runs/${b}`)]);
    $("#compare-result").hidden = false;
    $("#compare-title-a").textContent = `A: ${ra.scenario}, ${ra.draws} draws (${ra.run_id.slice(0, 8)})`;
    $("#compare-title-b").textContent = `B: ${rb.scenario}, ${rb.draws} draws (${rb.run_id.slice(0, 8)})`;
    const qa = Object.fromEntries(ra.quantities.map((q) => [q.name, q]));
    const qb = Object.fromEntries(rb.quantities.map((q) => [q.name, q]));
    const names = [...new Set([...Object.keys(qa), ...Object.keys(qb)])];
    fillRows($("#compare-params"), [
      el("tr", {}, el("td", {}, "draws, seed"), el("td", {}, `${ra.draws}, ${ra.seed}`), el("td", {}, `${rb.draws}, ${rb.seed}`)),
      ...names.map((n) => el("tr", {}, el("td", {}, n), el("td", {}, quantityText(qa[n])), el("td", {}, quantityText(qb[n])))),
    ]);
    const hb = Object.fromEntries(rb.headline.map((h) => [h.outcome, h]));
    fillRows($("#compare-table"), ra.headline.map((h) => {
      const o = hb[h.outcome] || { text: "–", band: "" };
      return el("tr", {}, el("td", {}, h.label), el("td", { class: "num" }, h.text), el("td", {}, h.band),
        el("td", { class: "num" }, o.text), el("td", {}, o.band));
    }));
    $("#compare-status").textContent = "";
    delete $("#compare-result").dataset.drawn;
    await drawFigure($("#compare-fan"), `/api/compare?a=${a}&b=${b}&outcome=${$("#compare-outcome").value}`);
    await drawFigure($("#compare-chart-a"), `/api/runs/${a}/figures/waterfall`);
    await drawFigure($("#compare-chart-b"), `/api/runs/${b}/figures/waterfall`);
    $("#compare-result").dataset.drawn = `${a} ${b}`;
  } catch (err) {
    $("#compare-status").textContent = `Could not compare: ${err.message}`;
  }
}

// ---------------------------------------------------------------------------- start
async function start() {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener("click", () => showTab(tab.id.replace("tab-", "")));
  }
  $("#entity-form").addEventListener("submit", (e) => { e.preventDefault(); searchEntities(); });
  $("#entity-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(searchEntities, 150);
  });
  $("#entity-kind").addEventListener("change", searchEntities);
  document.addEventListener("click", (e) => {
    const hit = e.target.closest(".entity-hit");
    if (hit) showEntity(hit.dataset.id);
  });
  $("#scenario-select").addEventListener("change", (e) => showScenario(e.target.value));
  $("#run-form").addEventListener("submit", submitRun);
  $("#compare-form").addEventListener("submit", compareRuns);
  $("#dataset-figure").addEventListener("change", showDatasetChart);

  try {
    const info = await api("/api/info");
    const c = info.counts;
    $("#info").textContent = `lahar ${info.lahar_version} · store ${info.store} · dataset ${info.dataset_digest || "?"} · ` +
      `${c.entities} entities, ${c.exposures} exposures, ${c.facts} facts, ${c.sources} sources`;
    $("#draws").max = String(info.max_draws);
    $("#entity-kind").append(...info.entity_kinds.map((k) => el("option", { value: k }, k)));
  } catch (err) {
    $("#info").textContent = `The API did not answer: ${err.message}`;
  }
  try {
    const list = await api("/api/scenarios");
    scenarios = Object.fromEntries(list.map((s) => [s.name, s]));
    $("#scenario-select").replaceChildren(...list.map((s) => el("option", { value: s.name }, `${s.title} (${s.name})`)));
    if (list.length) showScenario(list[0].name);
  } catch (err) {
    $("#scenario-description").textContent = `Could not load the scenarios: ${err.message}`;
  }
  searchEntities();
}

document.addEventListener("DOMContentLoaded", start);
