"use strict";
// The coordinator's page: sign in with a site token, fill the day's counts, plan, print cards.
const L = JSON.parse(document.getElementById("labels").textContent);
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("onebell-token");
let site = null;
let buildings = [];
let currentPlan = null;

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${token}` }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers }));
}

async function errorMessage(response) {
  try { return (await response.json()).error.message; } catch (e) { return `${response.status}`; }
}

async function signIn(event) {
  if (event) event.preventDefault();
  if (!token) token = $("token").value.trim();
  const response = await api("/sites");
  if (!response.ok) {
    $("sign-in-error").textContent = response.status === 401 ? L.bad_token : await errorMessage(response);
    token = null;
    sessionStorage.removeItem("onebell-token");
    return;
  }
  const sites = await response.json();
  if (!sites.length) { $("sign-in-error").textContent = L.bad_token; return; }
  sessionStorage.setItem("onebell-token", token);
  site = sites[0];
  $("site-name").textContent = site.name;
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  $("date").value = $("date").value || new Date().toISOString().slice(0, 10);
  buildings = await (await api(`/sites/${encodeURIComponent(site.id)}/buildings`)).json();
  buildGrid();
  await showMap();
  await loadCounts();
}

function buildGrid() {
  const zones = new Map();
  for (const b of buildings) {
    const zone = b.zone || L.zone_none;
    if (!zones.has(zone)) zones.set(zone, []);
    zones.get(zone).push(b);
  }
  const grid = $("grid");
  grid.innerHTML = "";
  for (const [zone, members] of zones) {
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = zones.size > 1 ? zone : L.building;
    fieldset.appendChild(legend);
    const cells = document.createElement("div");
    cells.className = "cells";
    for (const b of members) {
      const cell = document.createElement("div");
      cell.className = "cell";
      cell.dataset.building = b.id;
      const label = document.createElement("label");
      label.htmlFor = `b-${b.id}`;
      label.textContent = b.name;
      const input = document.createElement("input");
      input.id = `b-${b.id}`;
      input.name = b.id;
      input.inputMode = "numeric";
      input.autocomplete = "off";
      input.addEventListener("input", () => { clearError(cell); updateTotal(); });
      const error = document.createElement("span");
      error.className = "error";
      error.setAttribute("role", "alert");
      cell.append(label, input, error);
      cells.appendChild(cell);
    }
    fieldset.appendChild(cells);
    grid.appendChild(fieldset);
  }
  updateTotal();
}

function cellOf(buildingId) { return document.querySelector(`.cell[data-building="${CSS.escape(buildingId)}"]`); }
function clearError(cell) { cell.classList.remove("invalid"); cell.querySelector(".error").textContent = ""; }
function markError(cell, message) { cell.classList.add("invalid"); cell.querySelector(".error").textContent = message; }

function updateTotal() {
  let total = 0;
  for (const input of document.querySelectorAll(".cell input")) {
    const value = Number(input.value);
    if (Number.isInteger(value) && value > 0) total += value;
  }
  $("total").textContent = total;
}

// The day's rows as the server holds them. The page shows one total per building, but a row may
// also say its shift, urgent parcels and arrival time (from an uploaded file): a building whose
// total the coordinator leaves as it was is sent back with its rows unchanged, so planning from
// this page never strips what an upload said.
let loadedRows = [];

async function loadCounts() {
  loadedRows = [];
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts`);
  if (!response.ok) return;
  const body = await response.json();
  loadedRows = body.rows;
  for (const input of document.querySelectorAll(".cell input")) input.value = "";
  for (const row of body.rows) {
    const cell = cellOf(row.building);
    if (cell) { const input = cell.querySelector("input"); input.value = String(Number(input.value || 0) + row.parcels); }
  }
  updateTotal();
}

// A pasted or uploaded sheet may hold several rows per building (one per arrival wave) and more
// columns than the grid shows: the grid gets each building's total, and the rows themselves are
// kept, so saving sends them as they were for every building whose total is left alone.
function applyCsv(text) {
  $("paste-error").textContent = "";
  const problems = [];
  const lines = text.split(/\r?\n/);
  const first = lines.find((line) => line.trim()) ?? "";
  const header = first.split(/[,\t;]/).map((f) => f.trim().toLowerCase());
  const columns = header[0] === "building" ? header : ["building", "parcels"];
  const pasted = [];
  lines.forEach((line, index) => {
    if (!line.trim() || (columns === header && line === first)) return;
    const fields = line.split(/[,\t;]/).map((f) => f.trim());
    const row = {};
    columns.forEach((name, k) => { if (fields[k] !== undefined && fields[k] !== "") row[name] = fields[k]; });
    const cell = cellOf(row.building ?? "");
    if (!cell) { problems.push(`${index + 1}: ${row.building ?? ""}`); return; }
    if (!/^\d+$/.test(row.parcels ?? "") || !/^\d*$/.test(row.urgent ?? "")) { markError(cell, `${L.parcels}: 0, 1, 2 …`); return; }
    pasted.push({ ...row, parcels: Number(row.parcels), urgent: row.urgent === undefined ? 0 : Number(row.urgent) });
  });
  const totals = {};
  for (const row of pasted) totals[row.building] = (totals[row.building] || 0) + row.parcels;
  for (const [building, total] of Object.entries(totals)) {
    const cell = cellOf(building);
    cell.querySelector("input").value = String(total);
    clearError(cell);
  }
  loadedRows = [...loadedRows.filter((row) => !(row.building in totals)), ...pasted];
  if (problems.length) $("paste-error").textContent = `${L.building}? ${problems.join(", ")}`;
  updateTotal();
}

function keptRow(row) {
  const kept = { building: row.building, parcels: row.parcels };
  for (const field of ["shift", "urgent", "arrived"]) if (row[field]) kept[field] = row[field];
  return kept;
}

function collectCounts() {
  const counts = [];
  let valid = true;
  const loadedTotal = {};
  for (const row of loadedRows) loadedTotal[row.building] = (loadedTotal[row.building] || 0) + row.parcels;
  for (const cell of document.querySelectorAll(".cell")) {
    const raw = cell.querySelector("input").value.trim();
    if (raw === "") continue;
    if (!/^\d+$/.test(raw)) { markError(cell, `${L.parcels}: 0, 1, 2 …`); valid = false; continue; }
    const building = cell.dataset.building, parcels = Number(raw);
    if (parcels > 0 && loadedTotal[building] === parcels) {
      for (const row of loadedRows) if (row.building === building && row.parcels > 0) counts.push(keptRow(row));
    } else if (parcels > 0) {
      counts.push({ building, parcels });
    }
  }
  return valid ? counts : null;
}

async function plan(event) {
  event.preventDefault();
  $("form-error").textContent = "";
  const counts = collectCounts();
  if (counts === null) { $("form-error").textContent = document.querySelector(".cell.invalid .error").textContent; return; }
  const date = $("date").value;
  const put = await api(`/sites/${encodeURIComponent(site.id)}/days/${date}/counts`, {
    method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ date, counts }),
  });
  if (!put.ok) {
    const message = await errorMessage(put);
    const match = /counts\[(\d+)\]/.exec(message);
    const cell = match ? cellOf(counts[Number(match[1])].building) : null;
    if (cell) markError(cell, message); else $("form-error").textContent = message;
    return;
  }
  loadedRows = (await put.json()).rows;
  $("plan").disabled = true;
  $("progress").textContent = L.planning;
  const started = await api(`/sites/${encodeURIComponent(site.id)}/days/${date}/plans`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ time_limit_s: 10 }),
  });
  if (!started.ok) { $("form-error").textContent = await errorMessage(started); $("plan").disabled = false; return; }
  let job = await started.json();
  while (job.status === "queued" || job.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, 700));
    job = await (await api(`/jobs/${job.id}`)).json();
    const p = job.progress || {};
    $("progress").textContent = `${L.planning} ${L.elapsed} ${p.elapsed_s ?? 0} s · ${L.placed} ${p.parcels_placed ?? 0}`;
  }
  $("plan").disabled = false;
  if (job.status !== "done") { $("progress").textContent = ""; $("form-error").textContent = job.error; return; }
  $("progress").textContent = "";
  currentPlan = await (await api(`/plans/${job.plan_id}`)).json();
  showPlan(currentPlan);
  await showMap(currentPlan.id);
}

function showPlan(planned) {
  $("result").hidden = false;
  const body = document.querySelector("#shifts tbody");
  body.innerHTML = "";
  for (const shift of planned.shifts) {
    const trips = shift.crews.reduce((n, c) => n + c.trips.length, 0);
    const parcels = shift.crews.reduce((n, c) => n + c.trips.reduce((m, t) => m + t.parcels, 0), 0);
    const row = document.createElement("tr");
    row.dataset.shift = shift.id;
    for (const text of [shift.id, shift.crews.length, trips, parcels, shift.crews.map((c) => c.finish.slice(0, 5)).join(" ") || "—"]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    const actions = document.createElement("td");
    if (trips) {
      actions.append(printButton(L.cards, planned.id, shift.id, "cards"), " ", printButton(L.load_list, planned.id, shift.id, "load_list"));
    }
    row.appendChild(actions);
    body.appendChild(row);
  }
  const undelivered = $("undelivered");
  undelivered.innerHTML = "";
  for (const item of planned.undelivered) {
    const li = document.createElement("li");
    li.textContent = item.reason;
    undelivered.appendChild(li);
  }
  if (!planned.undelivered.length) undelivered.innerHTML = `<li>${L.none}</li>`;
  const stops = $("stops");
  stops.innerHTML = "";
  const names = new Map(buildings.map((b) => [b.id, b.name]));
  for (const shift of planned.shifts) for (const crew of shift.crews) for (const trip of crew.trips) for (const stop of trip.stops) {
    const li = document.createElement("li");
    li.dataset.building = stop.building;
    li.textContent = `${names.get(stop.building) || stop.building} ×${stop.parcels} (${crew.id} ${stop.arrive.slice(0, 5)})`;
    stops.appendChild(li);
  }
}

function printButton(label, planId, shiftId, part) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.className = `print-${part}`;
  button.addEventListener("click", async () => {
    const lang = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
    const response = await api(`/plans/${planId}/cards.pdf?shift=${encodeURIComponent(shiftId)}&lang=${lang}&part=${part}`);
    if (!response.ok) { $("form-error").textContent = await errorMessage(response); return; }
    window.open(URL.createObjectURL(await response.blob()), "_blank");
  });
  return button;
}

async function showMap(planId) {
  const query = planId ? `?plan_id=${planId}` : "";
  const response = await api(`/sites/${encodeURIComponent(site.id)}/map.svg${query}`);
  if (response.ok) $("map").innerHTML = await response.text();
}

$("sign-in").addEventListener("submit", signIn);
$("counts-form").addEventListener("submit", plan);
$("apply-paste").addEventListener("click", () => applyCsv($("paste").value));
$("upload").addEventListener("change", async (event) => { const file = event.target.files[0]; if (file) applyCsv(await file.text()); });
$("date").addEventListener("change", loadCounts);
$("sign-out").addEventListener("click", () => { sessionStorage.removeItem("onebell-token"); window.location.reload(); });
if (token) signIn();
