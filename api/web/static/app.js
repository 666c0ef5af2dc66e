"use strict";
// The coordinator's page: sign in with a site token, fill the day's counts, plan, print cards.
const L = JSON.parse(document.getElementById("labels").textContent);
const COLUMN_OF = JSON.parse(document.getElementById("column-names").textContent);  // 楼号 → building …
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("onebell-token");
let site = null;
let buildings = [];
let currentPlan = null;
let allSites = [];
let overviewAsked = 0;
const STATUS = Object.fromEntries(L.status_names.split(",").map((pair) => pair.split("=")));
// Bumped whenever the site or the date changes: an answer for an earlier choice is dropped.
let currentView = 0;
let dayReady = Promise.resolve();  // see dayLoaded
let shownSite = null;  // the compound whose buildings the grid and the details form show
let shownDate = null;  // the day whose counts the grid shows
let unsaved = false;  // the grid holds counts typed, pasted or uploaded since it was last saved
let readOnly = false;  // a viewer's token: the grid shows the counts and takes none
let countsTag = null;  // the stored counts the grid started from (ETag): saving over others' is refused

// Counts typed and not saved would be lost when another day or compound opens or the page
// closes (a phone's browser may close it): ask first.
function mayLeaveGrid() { return !unsaved || window.confirm(L.unsaved_confirm); }

// The server words every message in the page's language and names the row and field to fix.
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${token}`, "Accept-Language": pageLang() }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers }));
}

async function errorMessage(response) {
  try { return (await response.json()).error.message; } catch (e) { return `${response.status}`; }
}

function siteLabel(s) {
  const name = s.name === s.id ? s.id : `${s.name} (${s.id})`;
  return s.archived ? `${name} · ${L.archived_tag}` : name;
}

async function signIn(event) {
  if (event) event.preventDefault();
  if (!token) token = $("token").value.trim();
  const response = await api("/sites?archived=true");
  if (!response.ok) {
    $("sign-in-error").textContent = response.status === 401 ? L.bad_token : await errorMessage(response);
    token = null;
    sessionStorage.removeItem("onebell-token");
    return;
  }
  // archived compounds last, to be opened and brought back
  const sites = (await response.json()).sort((a, b) => a.archived - b.archived || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const me = await (await api("/me")).json();
  const adds = ["admin", "district"].includes(me.role);  // a district office adds its compounds
  if (!sites.length && !adds) { $("sign-in-error").textContent = L.bad_token; return; }
  sessionStorage.setItem("onebell-token", token);
  $("add-compound").hidden = !adds;
  $("sign-out").hidden = false;
  allSites = sites;
  if (!sites.length) {  // nothing to open yet: only the way to add the first compound
    $("sign-in").hidden = true;
    $("no-compounds").hidden = false;
    $("add-compound").open = true;
    return;
  }
  $("no-compounds").hidden = true;
  const coordinates = !["courier", "viewer"].includes(me.role);
  $("building-edit").hidden = !coordinates;  // building details are the coordinator's
  $("roster-edit").hidden = !coordinates;  // and so are the crews and vehicles
  $("team-tokens").hidden = !coordinates;  // who else may sign in to the compound
  $("site-archive").hidden = !coordinates;
  $("site-map").hidden = !coordinates;  // the map corrected and sent again
  tokenInHand = me.token_id;
  readOnly = me.role === "viewer";  // sees the day, sends nothing: no buttons that would be refused
  document.body.classList.toggle("read-only", readOnly);
  $("read-only-note").hidden = !readOnly;
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("date").value = $("date").value || new Date().toISOString().slice(0, 10);
  // A district office's token sees many compounds: it picks one, and the page remembers which.
  const remembered = sites.find((s) => s.id === sessionStorage.getItem("onebell-site")) || sites[0];
  const pick = $("site-pick");
  pick.innerHTML = "";
  for (const s of sites) pick.add(new Option(siteLabel(s), s.id, false, s === remembered));
  $("site-choice").hidden = sites.length < 2;
  $("overview").hidden = sites.length < 2;
  pick.onchange = () => {
    if (!mayLeaveGrid()) { pick.value = site.id; return; }
    openSite(sites.find((s) => s.id === pick.value));
  };
  loadOverview();
  await openSite(remembered);
}

// A district office's morning: every compound's day in one table, those needing attention first
// (by default only those); a row opens its compound.
async function loadOverview() {
  if (allSites.length < 2) return;
  loadDistrictDays();
  const asked = ++overviewAsked;
  const response = await api(`/days/${$("date").value}${$("attention-only").checked ? "?needs_attention=true" : ""}`);
  if (!response.ok) return;
  const overview = await response.json();
  if (asked !== overviewAsked) return;  // a later date or filter was asked for meanwhile
  const totals = overview.totals;
  const statuses = Object.entries(totals.statuses).map(([status, n]) => `${STATUS[status] || status} ${n}`);
  $("overview-totals").textContent = [
    L.overview_totals.replace("{sites}", totals.sites).replace("{parcels}", totals.parcels)
      .replace("{delivered}", totals.delivered).replace("{undelivered}", totals.undelivered),
    ...(totals.held_over ? [L.overview_held.replace("{n}", totals.held_over)] : []),  // the backlog
    ...(totals.late_urgent ? [L.overview_late_tag.replace("{n}", totals.late_urgent)] : []),
    ...statuses,
  ].join(" · ");
  const body = document.querySelector("#overview-table tbody");
  body.innerHTML = "";
  for (const day of overview.sites) {
    const row = document.createElement("tr");
    row.dataset.site = day.site;
    row.classList.toggle("current", site !== null && day.site === site.id);
    const cells = [day.name, STATUS[day.status] || day.status, day.counts?.parcels ?? "—", day.plan?.delivered ?? "—", day.plan?.undelivered ?? "—"];
    cells.forEach((text, k) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (k === 1) cell.className = `status-${day.status}`;
      row.appendChild(cell);
    });
    // crews and vehicles set for this day alone; the map's seals and closures as they are now;
    // urgent parcels the plan brings past their window (medicine late: the compound needs crews)
    for (const [shown, kind, label] of [[day.own_roster, "own", L.roster_own_tag], [day.sealed_buildings, "sealed", L.overview_sealed_tag], [day.closed_lanes, "closed", L.overview_closed_tag], [day.plan?.late_urgent, "late", L.overview_late_tag]]) {
      if (!shown) continue;
      const tag = document.createElement("span");
      tag.className = `tag ${kind}`;
      tag.textContent = label.replace("{n}", shown);
      row.cells[0].append(tag);
    }
    if (day.left_before) {  // an earlier day's leftovers at the gate, not in the day's counts
      const tag = document.createElement("span");
      tag.className = "tag left";
      const left = day.left_before;  // since an earlier day when a day was planned without them
      const label = left.since === left.date ? L.overview_left_tag : L.overview_left_since_tag;
      tag.textContent = label.replace("{n}", left.parcels).replace("{date}", left.date.slice(5)).replace("{since}", left.since.slice(5));
      row.cells[0].append(tag);
    }
    row.addEventListener("click", () => {
      if (day.site !== site.id && !mayLeaveGrid()) return;
      $("site-pick").value = day.site;
      openSite(allSites.find((s) => s.id === day.site));
    });
    body.appendChild(row);
  }
}

// The district office's one press: a plan for every compound whose day needs one (counts and no
// plan, an outdated plan, a failed job). The server starts as many as it has room for and keeps
// the rest waiting, starting them itself as room frees (the page may close); the page follows the
// overview until none is planning.
async function planEverySite() {
  const date = $("date").value;
  $("plan-all-status").textContent = "";
  $("overview-error").textContent = "";
  // Parcels an earlier day left at a compound's gate go into its counts first, unless unticked:
  // then such a compound is refused, saying how many wait (a plan without them leaves them again).
  const body = $("plan-all-held").checked ? { held_over: "add" } : {};
  const response = await api(`/days/${date}/plans`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) { $("overview-error").textContent = await errorMessage(response); return; }
  const { queued, waiting, refused, held_over_added: added } = await response.json();
  const parts = queued.length ? [L.plan_all_queued.replace("{n}", queued.length)] : [];
  if (waiting.length) parts.push(L.plan_all_waiting.replace("{n}", waiting.length));
  const addedAt = Object.keys(added || {});
  if (addedAt.length) parts.push(L.plan_all_held_added.replace("{n}", addedAt.length).replace("{p}", Object.values(added).reduce((a, b) => a + b, 0)));
  if (!queued.length && !waiting.length && !refused.length) parts.push(L.plan_all_none);
  $("plan-all-status").textContent = parts.join(" · ");
  $("overview-error").textContent = refused.map((r) => `${L.plan_all_refused} ${allSites.find((s) => s.id === r.site)?.name || r.site}: ${r.message}`).join(" · ");
  if ([...queued, ...waiting].some((job) => job.site === site.id)) showDayPlan(currentView);  // follows the open compound's job
  $("plan-all-cancel").hidden = !waiting.length;
  $("plan-all-cancel").dataset.date = date;
  for (let asked = 0; asked < 1200 && $("date").value === date; asked++) {
    loadOverview();
    const day = await api(`/days/${date}`);  // the totals alone: the table may be filtered
    if (!day.ok || !(await day.json()).totals.statuses.planning) break;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  $("plan-all-cancel").hidden = true;
  loadOverview();
}

// A press on the wrong date, or a day to plan later: the plans not started yet are taken back
// (those queued or running finish).
async function cancelWaitingPlans() {
  const date = $("plan-all-cancel").dataset.date;
  const response = await api(`/days/${date}/plans`, { method: "DELETE" });
  if (!response.ok) { $("overview-error").textContent = await errorMessage(response); return; }
  const { cancelled } = await response.json();
  $("plan-all-cancel").hidden = true;
  $("plan-all-status").textContent = L.plan_all_cancelled.replace("{n}", cancelled.length);
  loadOverview();
}

async function openSite(chosen) {
  site = chosen;
  sessionStorage.setItem("onebell-site", site.id);
  $("site-name").textContent = site.name;
  for (const row of document.querySelectorAll("#overview-table tbody tr")) row.classList.toggle("current", row.dataset.site === site.id);
  const view = ++currentView;
  // Until the new compound's grid and counts are in, the grid on the page is the last one's:
  // saving it now would write its counts into this compound.
  const done = loading();
  let day;
  try {
    const response = await api(`/sites/${encodeURIComponent(site.id)}/buildings`);
    const listed = response.ok ? await response.json() : [];
    if (view !== currentView) return;  // checked after the last wait, before anything changes
    buildings = listed;
    shownSite = site.id;
    buildGrid();
    fillBuildingEditor();
    loadSwitches("zone");
    loadSwitches("lane");
    showArchived();
    $("token-made").hidden = true;  // a token just made is the last compound's
    mapOsmRead = null;  // and so is an export read for its map
    $("map-osm-send").hidden = true;
    $("map-osm-summary").textContent = "";
    $("map-osm-notes").innerHTML = "";
    $("token-error").textContent = "";
    loadTokens();
    day = loadDay();  // marks the grid loading until the day's counts are in
  } finally { done(); }
  await day;
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
      nameCell(label, b);
      const input = document.createElement("input");
      input.id = `b-${b.id}`;
      input.name = b.id;
      input.inputMode = "numeric";
      input.autocomplete = "off";
      input.readOnly = readOnly;
      input.addEventListener("input", () => { unsaved = true; clearError(cell); updateTotal(); });
      const held = document.createElement("span");
      held.className = "held";
      const error = document.createElement("span");
      error.className = "error";
      error.setAttribute("role", "alert");
      cell.append(label, input, held, error);
      cells.appendChild(cell);
    }
    fieldset.appendChild(cells);
    grid.appendChild(fieldset);
  }
  updateTotal();
}

// A building's name in the grid, tagged when it is sealed or its doorbell is broken.
function nameCell(label, b) {
  label.textContent = b.name;
  for (const [on, text, kind] of [[b.sealed || b.zone_sealed, L.sealed_tag, "sealed"], [b.doorbell === "broken", L.broken_tag, "broken"]]) {
    if (!on) continue;
    const span = document.createElement("span");
    span.className = `tag ${kind}`;
    span.textContent = text;
    label.append(span);
  }
}

// Building details the coordinator learns during the day: the household to notify, a broken
// doorbell, a seal. Saved at once; a plan made before the change is then marked outdated.
function fillBuildingEditor() {
  const pick = $("edit-building");
  const chosen = pick.value;
  pick.innerHTML = "";
  for (const b of buildings) pick.add(new Option(b.name, b.id, false, b.id === chosen));
  showBuildingDetails();
}

function showBuildingDetails() {
  const b = buildings.find((x) => x.id === $("edit-building").value);
  $("edit-status").textContent = "";
  $("edit-error").textContent = "";
  if (!b) return;
  $("edit-contact").value = b.contact || "";
  $("edit-households").value = b.households;
  $("edit-broken").checked = b.doorbell === "broken";
  $("edit-sealed").checked = b.sealed;
}

// Small zones sealed inside the compound after a positive case (every building inside gets door
// delivery) and lanes closed by a barricade (nobody rides them): a checkbox each, saved on Save,
// each changed on its own (someone else may seal or close another).
const SWITCHES = {
  zone: { path: "zones", field: "sealed", prefix: "zone" },
  lane: { path: "lanes", field: "closed", prefix: "lane" },
};
const switched = { zone: [], lane: [] };

function switchLabel(kind, item) {
  // pieces of one street (a map read from OpenStreetMap) share a name: their ids tell them apart
  const named = switched[kind].filter((other) => other.name === item.name).length > 1 ? `${item.name} [${item.id}]` : item.name;
  if (kind !== "lane" || !item.cut_off.length) return ` ${named}`;
  const names = item.cut_off.map((id) => buildings.find((b) => b.id === id)?.name || id);
  const shown = names.length > 6 ? [...names.slice(0, 6), "…"] : names;
  return ` ${named} (${item.closed ? L.lane_cuts_off : L.lane_would_cut_off} ${shown.join(L.list_separator)})`;
}

async function loadSwitches(kind) {
  const { path, prefix } = SWITCHES[kind];
  const siteId = site.id;
  const response = await api(`/sites/${encodeURIComponent(siteId)}/${path}`);
  if (site === null || site.id !== siteId) return;  // another compound opened meanwhile
  switched[kind] = response.ok ? await response.json() : [];
  $(`${prefix}-edit`).hidden = !switched[kind].length;
  $(`${prefix}-status`).textContent = "";
  $(`${prefix}-error`).textContent = "";
  const box = $(`${prefix}-switches`);
  box.innerHTML = "";
  for (const item of switched[kind]) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.dataset.id = item.id;
    input.checked = item[SWITCHES[kind].field];
    label.append(input, switchLabel(kind, item));
    box.appendChild(label);
  }
}

async function saveSwitches(kind) {
  if (shownSite !== site.id) return;
  const { path, field, prefix } = SWITCHES[kind];
  const siteId = site.id;
  $(`${prefix}-status`).textContent = "";
  $(`${prefix}-error`).textContent = "";
  const changed = [...document.querySelectorAll(`#${prefix}-switches input`)].filter((input) => input.checked !== switched[kind].find((item) => item.id === input.dataset.id)?.[field]);
  for (const input of changed) {
    const response = await api(`/sites/${encodeURIComponent(siteId)}/${path}/${encodeURIComponent(input.dataset.id)}`, {
      method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ [field]: input.checked }),
    });
    if (!response.ok) { $(`${prefix}-error`).textContent = await errorMessage(response); return; }
  }
  if (siteId !== site.id) return;
  if (kind === "zone") {
    // the buildings inside are sealed or open now: their tags in the grid follow
    const response = await api(`/sites/${encodeURIComponent(siteId)}/buildings`);
    if (response.ok && siteId === site.id) {
      buildings = await response.json();
      for (const b of buildings) { const cell = cellOf(b.id); if (cell) nameCell(cell.querySelector("label"), b); }
    }
  }
  await loadSwitches(kind);
  $(`${prefix}-status`).textContent = L.saved;
  if (!changed.length) return;
  loadOverview();
  await showDayPlan(currentView);  // the shown plan may now be outdated; the typed counts stay
}

async function saveBuildingDetails() {
  if (shownSite !== site.id) return;  // another compound is opening: the form is the last one's
  const id = $("edit-building").value;
  // Only what was changed here is sent: someone else may have changed the rest since this page
  // showed the building, and a seal after a positive case must not be undone by a new contact.
  const shown = buildings.find((b) => b.id === id) || {};
  const typed = $("edit-households").value.trim();  // left empty: the households stay as they are
  const households = typed === "" ? shown.households : Number(typed);
  const form = { contact: $("edit-contact").value.trim() || null, households, doorbell: $("edit-broken").checked ? "broken" : "working", sealed: $("edit-sealed").checked };
  const was = { contact: shown.contact || null, households: shown.households, doorbell: shown.doorbell === "broken" ? "broken" : "working", sealed: Boolean(shown.sealed) };
  const change = Object.fromEntries(Object.entries(form).filter(([field, value]) => value !== was[field]));
  $("edit-status").textContent = "";
  $("edit-error").textContent = "";
  if (!Object.keys(change).length) { $("edit-status").textContent = L.saved; return; }
  const response = await api(`/sites/${encodeURIComponent(site.id)}/buildings/${encodeURIComponent(id)}`, {
    method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify(change),
  });
  if (!response.ok) { $("edit-error").textContent = await errorMessage(response); return; }
  const saved = await response.json();
  buildings = buildings.map((b) => (b.id === saved.id ? saved : b));
  nameCell(cellOf(saved.id).querySelector("label"), saved);
  if ($("edit-building").value === saved.id) showBuildingDetails();  // as stored, others' changes too
  $("edit-status").textContent = L.saved;
  loadOverview();
  await showDayPlan(currentView);  // the shown plan may now be outdated; the typed counts stay
}

// A compound whose lockdown lifted is archived: out of the district's overview and one press, its
// data kept; the picker lists it last, marked, to be opened and brought back.
function showArchived() {
  $("archive-active").hidden = Boolean(site.archived);
  $("archive-archived").hidden = !site.archived;
  $("archive-error").textContent = "";
}

async function setArchived(archived) {
  const chosen = site;
  if (archived && !window.confirm(L.archive_confirm.replace("{name}", chosen.name))) return;
  const response = await api(`/sites/${encodeURIComponent(chosen.id)}/archived`, {
    method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ archived }),
  });
  if (!response.ok) { $("archive-error").textContent = await errorMessage(response); return; }
  chosen.archived = (await response.json()).archived;
  const option = [...$("site-pick").options].find((o) => o.value === chosen.id);
  if (option) option.text = siteLabel(chosen);
  if (site === chosen) showArchived();
  loadOverview();
  loadHistory();
}

// Who changed what on the shown day, newest first (counts, plans, seals, crews, tokens): several
// devices work on one compound's day, and "who sealed building 12?" has its answer here. Read
// only while the panel is open, and again after this page changes something.
async function loadHistory() {
  if (!$("history").open || site === null) return;
  const siteId = site.id, date = $("date").value;
  const response = await api(`/sites/${encodeURIComponent(siteId)}/history?date=${date}&limit=200`);
  if (!response.ok || site.id !== siteId || $("date").value !== date) return;
  const lines = await response.json();
  const list = $("history-list");
  list.innerHTML = "";
  for (const line of lines) {
    const item = document.createElement("li");
    const when = document.createElement("span");
    when.className = "when";
    const at = new Date(line.at);
    when.textContent = at.toLocaleDateString("sv") === date ? at.toTimeString().slice(0, 5) : at.toLocaleString(timeLocale(), { dateStyle: "short", timeStyle: "short" });
    item.append(when, ` ${line.who}: ${line.text}`);
    list.appendChild(item);
  }
  if (!lines.length) list.innerHTML = `<li>${L.history_none}</li>`;
}

// The fortnight up to the shown day, newest first: parcels counted, of them held over from earlier
// days, left at the gate and not added, delivered, left for the next, and brought back by the trips — whether the team keeps up as a lockdown's counts rise.
// A bar a day, to the scale of the fortnight's busiest: delivered, then left. A date opens that
// day. Read only while the panel is open.
async function loadDays() {
  if (!$("day-by-day").open || site === null) return;
  const siteId = site.id, date = $("date").value;
  const response = await api(`/sites/${encodeURIComponent(siteId)}/days?to=${date}`);
  if (site.id !== siteId || $("date").value !== date) return;
  if (!response.ok) { $("days-error").textContent = await errorMessage(response); return; }
  $("days-error").textContent = "";
  fillDays($("days-table"), date, (await response.json()).map((day) => ({
    date: day.date,
    counted: day.counts?.parcels,
    planned: day.plan,
    cells: [day.counts?.parcels, day.counts && day.counts.held_over, day.left_before?.parcels, day.plan?.delivered,
      day.plan?.undelivered, day.back?.returned, day.plan?.crew_hours?.toFixed(1), STATUS[day.status] || day.status],
  })), 2);
}

// The district's fortnight up to the date shown, its compounds' days summed: counted, held over,
// left at the gates and not added, delivered and left by the latest plans — whether the district keeps up. Read while open.
async function loadDistrictDays() {
  if (!$("district-days").open) return;
  const date = $("date").value;
  const response = await api(`/days?to=${date}`);
  if ($("date").value !== date || !response.ok) return;
  fillDays($("district-days-table"), date, (await response.json()).map((day) => ({
    date: day.date,
    counted: day.parcels,
    planned: day.planned_sites ? day : null,
    cells: [`${day.counted_sites} / ${day.sites}`, day.parcels, day.held_over, day.left_before, day.delivered, day.undelivered, day.returned],
  })), 3);
}

// Days newest first, a date opening its day, and a bar a day to the scale of the busiest:
// delivered and left where planned, else what was counted. `waitingAt`: the cell of parcels left
// at the gate that the day's counts lack (its plan went without them), red where there are any.
function fillDays(table, date, days, waitingAt) {
  const body = table.querySelector("tbody");
  body.innerHTML = "";
  const most = Math.max(1, ...days.map((day) => day.counted || 0));
  for (const day of days.reverse()) {
    const row = body.insertRow();
    row.dataset.date = day.date;
    row.classList.toggle("current", day.date === date);
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = day.date;
    open.addEventListener("click", () => openDate(day.date));
    row.insertCell().appendChild(open);
    for (const value of day.cells) row.insertCell().textContent = value ?? "";
    // parcels left at the gate that the day's counts lack (its plan went without them): in red
    if (day.cells[waitingAt]) row.cells[waitingAt + 1].classList.add("waiting");
    const bar = document.createElement("span");
    bar.className = "bar";
    const parts = day.planned ? [["done", day.planned.delivered], ["left", day.planned.undelivered]] : [["counted", day.counted || 0]];
    for (const [kind, n] of parts) {
      const part = document.createElement("span");
      part.className = kind;
      part.style.width = `${(100 * n) / most}%`;
      bar.appendChild(part);
    }
    row.insertCell().appendChild(bar);
  }
  if (!days.length) body.innerHTML = `<tr><td colspan="${table.tHead.rows[0].cells.length}">${L.days_none}</td></tr>`;
}

// Every change at the compound, oldest first, for its records (the panel shows the day's).
function downloadHistory() {
  download(`/sites/${encodeURIComponent(site.id)}/history.csv`, `${site.id}-history.csv`, "history-error");
}

function downloadDistrictDays() {
  const date = $("date").value;
  download(`/days.csv?to=${date}`, `onebell-${date}-days.csv`, "overview-error");
}

function downloadDays() {
  const date = $("date").value;
  download(`/sites/${encodeURIComponent(site.id)}/days.csv?to=${date}`, `${site.id}-${date}-days.csv`, "days-error");
}

// Another day opened (the date field, or a date in the days' table): counts typed and not saved
// are asked about first.
function openDate(date) {
  if (!mayLeaveGrid()) { $("date").value = shownDate; return; }
  $("date").value = date;
  loadOverview();
  loadDay();
}

// The compound's map, corrected in a GeoJSON editor and sent back as a whole (PUT): the server keeps
// the day's seals, closed lanes, doorbells and households to notify that the file leaves out and
// lists them; the compound is then opened afresh, as its buildings may have changed.
function downloadMap() {
  download(`/sites/${encodeURIComponent(site.id)}`, `${site.id}.geojson`, "map-error");
}

function clearMapResult() {
  $("map-status").textContent = $("map-error").textContent = "";
  for (const list of ["map-kept", "map-dropped"]) { $(list).innerHTML = ""; $(`${list}-head`).hidden = true; }
}

async function sendMap() {
  const file = $("map-file").files[0];
  clearMapResult();
  if (!file) { $("map-error").textContent = L.map_need; return; }
  let drawn;
  try { drawn = JSON.parse(await file.text()); } catch { $("map-error").textContent = L.map_not_json.replace("{file}", file.name); return; }
  // The compound reopens before putMap returns: a file chosen meanwhile is the next to send.
  if (await putMap(site, drawn) && $("map-file").files[0] === file) $("map-file").value = "";
}

// A fresh export of the open compound, read by the server (the stored map's households fill in
// what it lacks), looked at, then sent as any corrected map.
let mapOsmRead = null;

async function readMapOsm() {
  const chosen = site;
  mapOsmRead = null;
  $("map-osm-send").hidden = true;
  clearMapResult();
  if (!$("map-osm-file").files[0]) { $("map-error").textContent = L.map_need; return; }
  const read = await readExport("map-osm", chosen.id, "map-error");
  if (!read || site !== chosen) return;
  mapOsmRead = { forSite: chosen, ...read };
  $("map-osm-send").hidden = false;
}

async function sendMapOsm() {
  if (!mapOsmRead || mapOsmRead.forSite !== site) return;
  const sent = mapOsmRead, file = $("map-osm-file").files[0];
  clearMapResult();
  $("map-osm-send").hidden = true;  // sent once; offered again if it was not saved
  if (!(await putMap(site, sent.site))) {
    if (mapOsmRead === sent) $("map-osm-send").hidden = false;
    return;
  }
  // Reopening the compound forgot the export read; a file chosen meanwhile is the next to read.
  if ($("map-osm-file").files[0] === file) $("map-osm-file").value = "";
}

// The map sent whole (PUT); what it kept and dropped of the day listed; true once saved.
async function putMap(chosen, drawn) {
  if (!mayLeaveGrid()) return false;  // the grid is built again from the new map
  const response = await api(`/sites/${encodeURIComponent(chosen.id)}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(drawn) });
  if (!response.ok) { $("map-error").textContent = await errorMessage(response); return false; }
  const saved = await response.json();
  $("map-status").textContent = L.map_saved.replace("{buildings}", saved.buildings).replace("{lanes}", saved.lanes);
  for (const [list, properties] of [["map-kept", saved.kept], ["map-dropped", saved.dropped]]) {
    $(`${list}-head`).hidden = !properties.length;
    for (const k of properties) {
      $(list).appendChild(document.createElement("li")).textContent = L[`kept_${k.kind}_${k.field}`].replace("{name}", k.name).replace("{value}", k.value);
    }
  }
  chosen.name = saved.name;
  const option = [...$("site-pick").options].find((o) => o.value === chosen.id);
  if (option) option.text = siteLabel(chosen);
  unsaved = false;
  loadOverview();
  loadHistory();
  if (site === chosen) await openSite(chosen);
  return true;
}

// A district office's new compound: the server reads the OpenStreetMap export into a site map and
// says what it found and what to fill in; nothing is stored until "Add this compound", which sends
// the map as any other (PUT). An id already taken is refused here: that PUT would replace its map.
let osmRead = null;

async function readOsm() {
  osmRead = null;
  $("osm-add").hidden = true;
  $("osm-error").textContent = "";
  const file = $("osm-file").files[0], id = $("osm-id").value.trim();
  if (!file || !id) { $("osm-error").textContent = L.osm_need; return; }
  if (allSites.some((s) => s.id === id)) { $("osm-error").textContent = L.osm_exists.replace("{id}", id); return; }
  const read = await readExport("osm", id, "osm-error");
  if (!read) return;
  osmRead = { id, ...read };
  $("osm-add").hidden = false;
}

// An OpenStreetMap export, from the form whose fields' ids begin with `prefix` (file, compound,
// gate), read by the server as site `id`'s map: what it found and what to fill in shown under the
// form; the answer, or null with the server's words in `errorId`.
async function readExport(prefix, id, errorId) {
  $(`${prefix}-summary`).textContent = "";
  $(`${prefix}-notes`).innerHTML = "";
  const query = new URLSearchParams();
  for (const name of ["compound", "gate"]) if ($(`${prefix}-${name}`).value.trim()) query.set(name, $(`${prefix}-${name}`).value.trim());
  const response = await api(`/sites/${encodeURIComponent(id)}/map/osm?${query}`, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: $(`${prefix}-file`).files[0] });
  if (!response.ok) { $(errorId).textContent = await errorMessage(response); return null; }
  const read = await response.json();
  $(`${prefix}-summary`).textContent = L.osm_summary.replace("{name}", read.site.site.name).replace("{buildings}", read.buildings)
    .replace("{lanes}", read.lanes).replace("{gate}", read.gate);
  for (const [key, label] of [["households_from_map", L.map_osm_from_map], ["without_households", L.osm_without_households], ["no_tricycle", L.osm_no_tricycle], ["renamed", L.osm_renamed], ["unnumbered", L.osm_unnumbered], ["cut_off", L.osm_cut_off]]) {
    if (read[key].length) $(`${prefix}-notes`).appendChild(document.createElement("li")).textContent = label.replace("{list}", read[key].join(", "));
  }
  return read;
}

async function addOsm() {
  if (!osmRead || !mayLeaveGrid()) return;
  const response = await api(`/sites/${encodeURIComponent(osmRead.id)}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(osmRead.site) });
  if (!response.ok) { $("osm-error").textContent = await errorMessage(response); return; }
  sessionStorage.setItem("onebell-site", osmRead.id);  // opened next, to set up its crews and vehicles
  unsaved = false;
  osmRead = null;
  $("osm-add").hidden = true;
  $("osm-summary").textContent = "";
  $("osm-notes").innerHTML = "";
  $("add-compound").open = false;
  await signIn();
}

// Who else signs in to the compound: the coordinator hands the sorter and the riders a courier
// token and a residents' committee a viewer's, and takes back one that is lost — without the API.
// A new token is shown once (only its hash is stored); the one this page signed in with is
// marked and cannot be taken back from here.
let tokenInHand = null;

async function loadTokens() {
  if ($("team-tokens").hidden) return;
  const siteId = site.id;
  const response = await api(`/sites/${encodeURIComponent(siteId)}/tokens`);
  if (site === null || site.id !== siteId) return;  // another compound opened meanwhile
  const body = document.querySelector("#tokens-table tbody");
  body.innerHTML = "";
  if (!response.ok) { $("token-error").textContent = await errorMessage(response); return; }
  const made = (await response.json()).sort((a, b) => a.revoked - b.revoked || b.id - a.id);  // live first, newest first
  for (const t of made) {
    const row = document.createElement("tr");
    row.dataset.token = t.id;
    row.classList.toggle("revoked", t.revoked);
    const when = new Date(t.created_at).toLocaleString(timeLocale(), { dateStyle: "short", timeStyle: "short" });
    for (const text of [t.label || "—", L[`role_${t.role}`] || t.role, when]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    const action = document.createElement("td");
    if (t.revoked) action.textContent = L.token_revoked;
    else if (t.id === tokenInHand) action.textContent = L.token_this;
    else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "revoke";
      button.textContent = L.token_revoke;
      button.addEventListener("click", () => revokeToken(siteId, t));
      action.appendChild(button);
    }
    row.appendChild(action);
    body.appendChild(row);
  }
}

async function makeToken() {
  const siteId = site.id;
  $("token-error").textContent = "";
  $("token-made").hidden = true;
  const response = await api(`/sites/${encodeURIComponent(siteId)}/tokens`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role: $("token-new-role").value, label: $("token-new-label").value.trim() }),
  });
  if (!response.ok) { $("token-error").textContent = await errorMessage(response); return; }
  const made = await response.json();
  if (site.id !== siteId) return;
  $("token-secret").value = made.token;
  $("token-made").hidden = false;
  $("token-new-label").value = "";
  $("token-secret").select();
  await loadTokens();
  loadHistory();
}

async function revokeToken(siteId, t) {
  if (!window.confirm(L.token_revoke_confirm.replace("{label}", t.label || `#${t.id}`))) return;
  $("token-error").textContent = "";
  const response = await api(`/sites/${encodeURIComponent(siteId)}/tokens/${t.id}`, { method: "DELETE" });
  if (!response.ok) { $("token-error").textContent = await errorMessage(response); return; }
  if (site.id === siteId) { await loadTokens(); loadHistory(); }
}

// The day's crews and vehicles, as the coordinator learns who came: riders and sorters per
// shift, how many vehicles of each kind, a kind that joins (e-bikes when tricycles run short).
// Saved for the day alone (its own roster; the next day has the usual one again) or as the
// compound's usual roster. Saving sends only what was changed here, onto the roster as stored
// then (someone else may have changed another shift meanwhile), and a plan made before is then
// marked outdated.
const VEHICLES = JSON.parse(document.getElementById("vehicles").textContent);  // kind (a mode, or the sealed pair) → figures, name
let roster = null;  // the operations as the form shows them, or null if the compound has none
let rosterOwn = false;  // they are the shown day's own roster, not the compound's usual one
let rosterDate = null;  // the day they are for
const SHIFT_FIELDS = { riders: "number", sorters: "number", start: "time", end: "time" };  // most changed first (a phone shows the first columns)
const VEHICLE_FIELDS = { capacity: "number", crew: "number", count: "number" };

function usualRosterPath(siteId) { return `/sites/${encodeURIComponent(siteId)}/operations`; }
function dayRosterPath(siteId, date) { return `/sites/${encodeURIComponent(siteId)}/days/${date}/operations`; }

// How many riders the day needs (coordinators, under the roster they set): the server plans each
// shift with more crews until its parcels all go out; the rows arrive shift by shift, a minute or
// two in all, so the answer is followed like a plan's and a page opened again shows the last one.
// Followed while the same compound and day stay open (the day reloading, held-over parcels added,
// does not stop it; another day does).
let staffingDay = "";

async function askStaffing() {
  $("staffing-error").textContent = "";
  if (rosterUnsaved()) return;
  if (!(await saveCounts())) return;  // the counts in the grid are the ones worked out
  const day = staffingDay;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/staffing`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify($("staffing-both").checked ? { policy: "both" } : {}),
  });
  if (day !== staffingDay) return;
  if (!response.ok) { $("staffing-error").textContent = await errorMessage(response); return; }
  await followStaffing(await response.json(), day);
}

async function loadStaffing() {
  const day = staffingDay = `${site.id} ${$("date").value}`;
  $("staffing-table").hidden = true;
  $("staffing-status").textContent = "";
  $("staffing-error").textContent = "";
  $("staffing-ask").disabled = false;
  if ($("roster-edit").hidden) return;  // not a coordinator's page
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/staffing/latest`);
  if (day !== staffingDay || !response.ok) return;  // another day opened, or none asked for this one
  await followStaffing(await response.json(), day);
}

async function followStaffing(run, day) {
  $("staffing-ask").disabled = true;
  while (["queued", "running"].includes(run.status)) {
    showStaffing(run);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const response = await api(`/staffing/${run.id}`);
    if (day !== staffingDay) return;  // loadStaffing set the panel for the day opened
    if (!response.ok) { $("staffing-error").textContent = await errorMessage(response); break; }
    run = await response.json();
  }
  $("staffing-ask").disabled = false;
  showStaffing(run);
}

function showStaffing(run) {
  const byId = (id) => {
    const vehicle = roster?.fleet.find((v) => v.id === id);
    if (vehicle) return vehicleLabel(vehicle);
    return id.startsWith("sealed-pair") ? L.staffing_pair : id;  // a designated pair the server added
  };
  const listed = (counts, sign) => Object.entries(counts).map(([id, n]) => `${byId(id)} ${sign}${n}`).join(", ");
  const body = document.querySelector("#staffing-table tbody");
  body.innerHTML = "";
  for (const row of run.rows) {
    const more = listed(row.added, "+");
    // parcels more crews would not take (a sealed building without a designated pair, ...)
    const beyond = Object.entries(row.beyond_crews || {});
    const left = beyond.reduce((sum, [, n]) => sum + n, 0);
    const suffice = row.delivered + left >= row.parcels;
    const notes = [];
    if (suffice && (more || row.clears)) notes.push(more ? L.staffing_added.replace("{more}", more) : L.staffing_clears);
    if (!suffice) notes.push((more ? L.staffing_not_even : L.staffing_not_with_fleet).replace("{more}", more).replace("{delivered}", row.delivered));
    if (left) notes.push(L.staffing_beyond.replace("{n}", left).replace("{causes}", beyond.map(([cause]) => L[`staffing_cause_${cause}`] || cause).join("; ")));
    const note = notes.join(" · ");
    const shift = run.policies.length > 1 ? `${L[`policy_${row.policy}`]} · ${shiftLabel(row.shift)}` : shiftLabel(row.shift);
    const line = body.insertRow();
    line.classList.toggle("short", !row.clears);
    for (const text of [shift, row.parcels, row.riders, listed(row.vehicles, "×") || "—", row.finish?.slice(0, 5) ?? "—", row.crew_hours.toFixed(1), note]) {
      line.insertCell().textContent = text;
    }
  }
  $("staffing-table").hidden = !run.rows.length;
  const time = run.finished_at && new Date(run.finished_at).toLocaleTimeString(timeLocale(), { hour: "2-digit", minute: "2-digit" });
  $("staffing-status").textContent = ["queued", "running"].includes(run.status)
    ? L.staffing_running.replace("{n}", run.rows.length)
    : run.status === "done" ? L.staffing_done.replace("{time}", time) : "";
  $("staffing-error").textContent = run.status === "failed" ? run.error : "";
}

// The compound and day whose roster was last asked for: a day opened twice in quick succession
// (a date field fires more than one event) asks once, so a second answer cannot come after the
// coordinator began typing and put back what the form showed.
let rosterAsked = "";

async function loadRoster() {
  const siteId = site.id;
  const date = $("date").value;
  rosterAsked = `${siteId} ${date}`;
  const own = await api(dayRosterPath(siteId, date));
  const response = own.status === 404 ? await api(usualRosterPath(siteId)) : own;
  if (site === null || site.id !== siteId || $("date").value !== date) return;  // another opened meanwhile
  roster = response.ok ? await response.json() : null;
  rosterOwn = own.ok;
  rosterDate = date;
  fillRoster();
  if (response.ok) return;
  $("roster-error").textContent = response.status === 404 ? L.no_roster : await errorMessage(response);
  if (response.status === 404) {  // a new compound: no counts go in before its roster
    $("roster-start").hidden = false;
    $("roster-edit").open = true;
  }
}

// A new compound's first roster, from the usual day (the server's starting operations, shift
// names in the page's language), to correct in the table; never over one someone else set.
async function startRoster() {
  const siteId = site.id;
  const response = await api(usualRosterPath(siteId), {
    method: "PUT",
    headers: { "Content-Type": "application/json", "If-None-Match": "*" },
    body: $("starting-roster").textContent,
  });
  if (siteId !== site.id) return;
  if (!response.ok && response.status !== 412) { $("roster-error").textContent = await errorMessage(response); return; }
  await loadRoster();  // set now, by this page or (412) by someone else a moment before
  if (response.ok) $("roster-status").textContent = L.saved;
  loadOverview();  // the compound is no longer "no shifts and vehicles"
}

function rosterInput(kind, field, value, label) {
  const input = document.createElement("input");
  input.type = kind;
  input.className = field;
  input.setAttribute("aria-label", label);
  if (kind === "number") { input.min = field === "capacity" || field === "crew" ? "1" : "0"; input.step = "1"; input.inputMode = "numeric"; }
  input.value = value ?? (field === "sorters" ? 1 : "");
  if (kind === "time" && value && !input.value) {  // "8:00", "24:00": a time field cannot show it
    input.type = "text";
    input.value = value;
  }
  input.dataset.shown = input.value;  // only a field changed from what it showed is sent
  return input;
}

function rosterRow(label, fields, item, key, id) {
  const row = document.createElement("tr");
  row.dataset[key] = id;
  const head = document.createElement("th");
  head.textContent = label;
  row.appendChild(head);
  for (const [field, kind] of Object.entries(fields)) {
    const cell = document.createElement("td");
    cell.appendChild(rosterInput(kind, field, item[field], `${label} ${L[field === "count" ? "vehicle_count" : field]}`));
    row.appendChild(cell);
    if (field === "sorters") {  // what the riders make, from the server (`showCrews`)
      const made = document.createElement("td");
      made.className = "made";
      row.appendChild(made);
    }
  }
  if (key === "vehicle") row.appendChild(sealedOnlyCell(item, label));
  return row;
}

// A designated pair may be kept to the sealed buildings (the roster's `sealed_only`): a box in
// its row; other vehicles never serve sealed doors, so theirs is empty.
function sealedOnlyCell(vehicle, label) {
  const cell = document.createElement("td");
  if (!vehicle.sealed_ok) return cell;
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "sealed_only";
  box.checked = Boolean(vehicle.sealed_only);
  box.dataset.shown = String(box.checked);
  box.setAttribute("aria-label", `${label} ${L.sealed_only}`);
  cell.appendChild(box);
  return cell;
}

// The crews each shift's riders make, as the server fields them (the crews that move the most
// parcels between them), shown as the coordinator types: an idle rider, or a designated pair
// the other crews leave no riders for, shows before planning. Asked afresh on every change.
let crewsAsked = 0;
async function showCrews() {
  if (roster === null) return;
  const asked = ++crewsAsked;
  const proposed = withChanges(roster, rosterChanges());
  const response = await api(`/sites/${encodeURIComponent(site.id)}/operations/read`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(proposed),
  });
  if (asked !== crewsAsked) return;  // the form changed again meanwhile
  const read = response.ok ? await response.json() : null;
  $("roster-error").textContent = read ? "" : await errorMessage(response);
  for (const row of document.querySelectorAll("#roster-shifts tbody tr")) {
    const shift = read && read.shifts.find((s) => s.shift === row.dataset.shift);
    const parts = shift ? Object.entries(shift.crews).map(([id, n]) => `${n} × ${vehicleLabel(proposed.fleet.find((v) => v.id === id))}`) : [];
    if (shift && shift.idle_riders) parts.push(L.idle_riders.replace("{n}", shift.idle_riders));
    row.querySelector(".made").textContent = shift ? parts.join(" · ") || L.none : "";
  }
}

function vehicleKind(vehicle) { return vehicle.sealed_ok ? "sealed-pair" : vehicle.mode; }

function vehicleLabel(vehicle) {
  const kind = vehicleKind(vehicle);
  const name = VEHICLES[kind]?.name || vehicle.mode;
  return vehicle.id === kind ? name : `${name} (${vehicle.id})`;
}

// A fleet row's heading: a vehicle there for some shifts only (the roster's "shifts", kept as it
// is when the roster is saved) says which.
function fleetRowLabel(vehicle) {
  const label = vehicleLabel(vehicle);
  return vehicle.shifts ? `${label} · ${L.vehicle_shifts.replace("{shifts}", vehicle.shifts.map(shiftLabel).join(", "))}` : label;
}

function fillRoster() {
  $("roster-status").textContent = "";
  $("roster-error").textContent = "";
  $("roster-start").hidden = true;
  $("roster-own").hidden = $("roster-own-tag").hidden = !(roster !== null && rosterOwn);  // seen folded too
  $("roster-scope").hidden = roster === null || rosterOwn;  // a day's own roster is saved as the day's
  $("roster-date").textContent = rosterDate ? `(${rosterDate})` : "";
  const shifts = document.querySelector("#roster-shifts tbody");
  const fleet = document.querySelector("#roster-fleet tbody");
  shifts.innerHTML = "";
  fleet.innerHTML = "";
  $("roster-form").querySelectorAll("#roster-save, select, #roster-wait").forEach((element) => { element.disabled = roster === null; });
  const wait = $("roster-wait");  // the roster's wait at a building, or the server's default
  wait.value = roster === null ? "" : String(roster.stop?.wait_s ?? wait.dataset.default);
  wait.dataset.shown = wait.value;
  if (roster === null) return;
  // a shift the page calls otherwise (上午班) keeps its id beside it: the server's messages name the id
  for (const shift of roster.shifts) {
    const label = shiftLabel(shift.id) === shift.id ? shift.id : `${shiftLabel(shift.id)} (${shift.id})`;
    shifts.appendChild(rosterRow(label, SHIFT_FIELDS, shift, "shift", shift.id));
  }
  for (const vehicle of roster.fleet) {
    const row = rosterRow(fleetRowLabel(vehicle), VEHICLE_FIELDS, vehicle, "vehicle", vehicle.id);
    row.dataset.kind = vehicleKind(vehicle);  // what "Add a kind of vehicle" adds one more of
    fleet.appendChild(row);
  }
  showCrews();
}

// A kind of vehicle that joins: a row with its kind's usual load and crew, one vehicle.
function addVehicle() {
  const kind = $("add-mode").value;
  $("add-mode").value = "";
  if (!kind || roster === null) return;
  // One more of a kind the fleet has already: its count goes up (a third tricycle, not a second
  // tricycle entry).
  const have = [...document.querySelectorAll("#roster-fleet tbody tr")].find((row) => row.dataset.kind === kind);
  if (have) {
    const count = have.querySelector("input.count");
    count.value = Number(count.value || 0) + 1;
    count.focus();
    showCrews();
    return;
  }
  const taken = new Set([...document.querySelectorAll("#roster-fleet tbody tr")].map((row) => row.dataset.vehicle));
  let id = kind;
  for (let n = 2; taken.has(id); n++) id = `${kind}-${n}`;
  const { mode, capacity, crew, sealed_ok } = VEHICLES[kind];
  const vehicle = { id, mode, capacity, crew, count: 1, sealed_ok };
  const row = rosterRow(vehicleLabel(vehicle), VEHICLE_FIELDS, vehicle, "vehicle", id);
  row.dataset.added = row.dataset.kind = kind;
  document.querySelector("#roster-fleet tbody").appendChild(row);
  row.querySelector("input.count").focus();
  showCrews();
}

// A field as typed: a time as HH:MM, a number as a number; left empty or not a number, as
// typed, so the server names the shift or vehicle and the field.
function typedValue(input) {
  if (input.type !== "number") return input.value;
  const number = Number(input.value);
  return input.value.trim() === "" ? null : Number.isFinite(number) ? number : input.value;
}

function changedFields(row, fields) {
  const inputs = Object.keys(fields).map((field) => [field, row.querySelector(`input.${field}`)]);
  const changed = Object.fromEntries(inputs.filter(([, input]) => input.value !== input.dataset.shown).map(([field, input]) => [field, typedValue(input)]));
  const box = row.querySelector("input.sealed_only");
  if (box && String(box.checked) !== box.dataset.shown) changed.sealed_only = box.checked;
  return changed;
}

function rosterChanges() {
  const wait = $("roster-wait");
  const changes = { shifts: {}, fleet: {}, added: [], stop: wait.value !== wait.dataset.shown ? { wait_s: typedValue(wait) } : {} };
  for (const row of document.querySelectorAll("#roster-shifts tbody tr")) changes.shifts[row.dataset.shift] = changedFields(row, SHIFT_FIELDS);
  for (const row of document.querySelectorAll("#roster-fleet tbody tr")) {
    if (!row.dataset.added) { changes.fleet[row.dataset.vehicle] = changedFields(row, VEHICLE_FIELDS); continue; }
    const typed = Object.fromEntries(Object.keys(VEHICLE_FIELDS).map((field) => [field, typedValue(row.querySelector(`input.${field}`))]));
    const { mode, speed_kmh, sealed_ok } = VEHICLES[row.dataset.added];
    const sealedOnly = row.querySelector("input.sealed_only")?.checked ? { sealed_only: true } : {};
    changes.added.push({ id: row.dataset.vehicle, mode, speed_kmh, ...(sealed_ok ? { sealed_ok } : {}), ...sealedOnly, ...typed });
  }
  return changes;
}

// Riders or vehicles typed into the roster and not saved: a plan (or a staffing answer) is worked
// out on the saved roster, so pressing for one then would quietly leave the typing out. The
// press is refused instead, with the roster opened at its Save button (saving asks this day or
// every day, which only the coordinator can answer).
function rosterUnsaved() {
  if (roster === null || rosterDate !== $("date").value) return false;
  const changes = rosterChanges();
  const changed = [changes.stop, ...Object.values(changes.shifts), ...Object.values(changes.fleet)];
  if (!changes.added.length && changed.every((fields) => !Object.keys(fields).length)) return false;
  $("roster-edit").open = true;
  $("roster-error").textContent = L.roster_unsaved;
  $("roster-save").scrollIntoView({ block: "center" });
  $("roster-save").focus();
  return true;
}

function withChanges(stored, changes) {
  const updated = structuredClone(stored);
  for (const shift of updated.shifts) Object.assign(shift, changes.shifts[shift.id] || {});
  for (const vehicle of updated.fleet) Object.assign(vehicle, changes.fleet[vehicle.id] || {});
  if (Object.keys(changes.stop || {}).length) updated.stop = { ...(updated.stop || {}), ...changes.stop };
  const ids = new Set(updated.fleet.map((v) => v.id));
  for (const vehicle of changes.added) {
    let id = vehicle.id;
    for (let n = 2; ids.has(id); n++) id = `${vehicle.id}-${n}`;  // someone added one meanwhile
    ids.add(id);
    updated.fleet.push({ ...vehicle, id });
  }
  return updated;
}

async function saveRoster(event) {
  event.preventDefault();
  if (roster === null || shownSite !== site.id || rosterDate !== $("date").value) return;
  const siteId = site.id;
  const changes = rosterChanges();
  const forDay = rosterOwn || document.querySelector('input[name="roster-scope"]:checked').value === "day";
  $("roster-status").textContent = "";
  $("roster-error").textContent = "";
  const target = forDay ? dayRosterPath(siteId, rosterDate) : usualRosterPath(siteId);
  for (let attempt = 0; attempt < 3; attempt++) {
    // As stored now, the changes go onto it: the day's own roster, or the usual one that a day
    // without its own starts from (the day's is then set only if nobody set it meanwhile).
    let current = await api(target);
    let condition = { "If-Match": current.headers.get("ETag") };
    if (forDay && current.status === 404) {
      current = await api(usualRosterPath(siteId));
      condition = { "If-None-Match": "*" };
    }
    if (!current.ok) { $("roster-error").textContent = await errorMessage(current); return; }
    const response = await api(target, {
      method: "PUT", headers: { "Content-Type": "application/json", ...condition }, body: JSON.stringify(withChanges(await current.json(), changes)),
    });
    if (response.status === 412) continue;  // saved by someone else between the two: again
    if (!response.ok) { $("roster-error").textContent = await errorMessage(response); return; }
    if (siteId !== site.id) return;
    await rosterSaved();
    return;
  }
  $("roster-error").textContent = L.busy_saving;
}

// The day back on the compound's usual roster: its own is dropped.
async function backToUsualRoster() {
  if (roster === null || !rosterOwn || rosterDate !== $("date").value) return;
  const siteId = site.id;
  const response = await api(dayRosterPath(siteId, rosterDate), { method: "DELETE" });
  if (!response.ok) { $("roster-error").textContent = await errorMessage(response); return; }
  if (siteId !== site.id) return;
  await rosterSaved();
}

async function rosterSaved() {
  await loadRoster();
  $("roster-status").textContent = L.saved;
  loadOverview();
  await showDayPlan(currentView);  // the shown plan may now be outdated; the typed counts stay
}

function cellOf(buildingId) { return document.querySelector(`.cell[data-building="${CSS.escape(buildingId)}"]`); }
function clearError(cell) { cell.classList.remove("invalid"); cell.querySelector(".error").textContent = ""; }
function markError(cell, message) { cell.classList.add("invalid"); cell.querySelector(".error").textContent = message; }

function updateTotal() {
  let total = apartRows().reduce((sum, row) => sum + row.parcels, 0);
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

// Parcels held over from earlier days, and those a trip brought back and sent out again today,
// are not in a building's box: the box holds the day's own parcels, which the coordinator
// corrects, and the others are shown under it and always sent back as they came, so typing a
// building's count never turns them into ordinary parcels (held-over ones go first, brought-back
// ones go from when they were back). A sheet applied over the day keeps them too, unless it has
// their column itself (a saved day's file, uploaded again).
function apart(row) { return Boolean(row.held_from || row.back_at); }
function apartRows() { return loadedRows.filter(apart); }
function heldRows() { return loadedRows.filter((row) => row.held_from && !row.back_at); }
function backRows() { return loadedRows.filter((row) => row.back_at); }

function showHeld() {
  const sums = (rows) => {
    const by = {};
    for (const row of rows) by[row.building] = (by[row.building] || 0) + row.parcels;
    return by;
  };
  const held = sums(heldRows()), back = sums(backRows());
  for (const cell of document.querySelectorAll(".cell")) {
    const n = held[cell.dataset.building], m = back[cell.dataset.building];
    cell.querySelector(".held").textContent = [
      n ? L.held_in_cell.replace("{n}", n) : "",
      m ? L.back_in_cell.replace("{n}", m) : "",
    ].filter(Boolean).join(" ");
  }
  const total = (by) => Object.values(by).reduce((sum, n) => sum + n, 0);
  $("held-total").textContent = [
    total(held) ? L.held_in_total.replace("{n}", total(held)) : "",
    total(back) ? L.back_in_total.replace("{n}", total(back)) : "",
  ].filter(Boolean).join(" ");
  $("held-clear").hidden = !total(held);
}

// Settles once the open day's stored counts are in the grid (`dayReady`). A sheet pasted or
// uploaded while they are still coming waits for them: arriving after it, they would replace the
// rows it gave (its shifts and urgent parcels) with nothing. Saving waits too.
async function dayLoaded() {
  for (let waited = null; waited !== dayReady;) { waited = dayReady; await waited; }
}

// Marks the grid as loading until the returned function is called.
function loading() {
  let done;
  dayReady = new Promise((resolve) => { done = resolve; });
  return done;
}

// Opening a day shows its counts and, where there is one, its latest plan, so cards can be
// printed again later; a plan made before the counts last changed says so.
async function loadDay() {
  const view = ++currentView;
  // the day's own crews and vehicles, or the usual ones; changes typed there stay while the
  // same day reloads (held-over parcels added)
  if (rosterAsked !== `${site.id} ${$("date").value}`) { loadRoster(); loadStaffing(); }
  const done = loading();
  let day;
  try { day = await loadCounts(view); } finally { done(); }
  if (day) {
    showHeldWaiting(view);
    await showDayPlan(view, day);
  }
}

// What an earlier day left at the gate and this day's counts do not hold yet (or no longer match,
// the earlier day planned again), said at the top as the day opens, with the button that adds it:
// a day planned without it leaves those parcels standing unawares, and their buildings' residents
// were told they would come.
async function showHeldWaiting(view) {
  const note = $("held-waiting");
  note.hidden = true;
  if (readOnly) return;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts/held-over`);
  if (view !== currentView || !response.ok) return;
  const left = await response.json();
  if (left.added) return;
  // Taken off this day on purpose (sent back): said, not in red; they can still be added.
  const setAside = left.set_aside && !left.in_counts;
  const urgent = left.urgent ? L.held_waiting_urgent.replace("{n}", left.urgent) : "";
  // All of them carried on from before the earlier day (its own plan left nothing): said so, not
  // as if that day's plan had left them.
  const carriedOnly = !setAside && !left.in_counts && left.forgotten && !(left.undelivered + left.returned);
  const forgotten = left.forgotten && !setAside && !carriedOnly ? L.held_waiting_forgotten.replace("{f}", left.forgotten).replace("{since}", left.forgotten_from) : "";
  $("held-waiting-text").textContent = (carriedOnly ? L.held_waiting_carried : setAside ? L.held_set_aside : left.in_counts ? L.held_waiting_changed : L.held_waiting)
    .replace("{date}", left.plan_date).replace("{n}", left.undelivered + left.returned + left.forgotten)
    .replace("{m}", left.in_counts).replace("{urgent}", urgent).replace("{since}", left.forgotten_from) + forgotten;
  note.classList.toggle("set-aside", setAside);
  note.hidden = false;
}

// The day's counts into the grid; the day's line (for `showDayPlan`), or null if another day was
// opened meanwhile.
async function loadCounts(view) {
  const date = $("date").value;
  loadedRows = [];
  currentPlan = null;
  $("result").hidden = true;
  $("replan-row").hidden = true;
  $("keep-departed").checked = false;
  $("stops").innerHTML = "";
  $("stops-head").hidden = true;
  $("plan").disabled = false;
  $("plan-cancel").hidden = true;
  $("progress").textContent = "";
  $("form-error").textContent = "";
  $("held-over-status").textContent = "";
  for (const input of document.querySelectorAll(".cell input")) input.value = "";
  unsaved = false;
  shownDate = date;
  showHeld();
  updateTotal();
  const where = `/sites/${encodeURIComponent(site.id)}/days/${date}`;
  const [counts, day] = await Promise.all([api(`${where}/counts`), api(where)]);
  const rows = counts.ok ? (await counts.json()).rows : null;
  if (view === currentView) countsTag = counts.ok ? counts.headers.get("ETag") : null;
  // Checked after the last wait: a day opened twice in quick succession (a date field fires
  // both input and change) must not add its counts to the grid twice.
  if (view !== currentView) return null;
  if (rows) {
    loadedRows = rows;
    // A field typed into while the counts came keeps what was typed: it replaces that building's
    // stored rows when saved, as a correction typed later would.
    const stored = {};
    for (const row of loadedRows) if (!apart(row)) stored[row.building] = (stored[row.building] || 0) + row.parcels;
    for (const [building, parcels] of Object.entries(stored)) {
      const input = cellOf(building)?.querySelector("input");
      if (input && input.value === "") input.value = String(parcels);
    }
    showHeld();
    updateTotal();
  }
  return day;
}

// The day's latest plan, or the job planning it; `day` is the site's day line if already fetched.
async function showDayPlan(view, day) {
  loadHistory();  // a building, zone or roster saved, or the day opened
  loadDays();
  day = day || (await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}`));
  const glance = day.ok ? await day.json() : null;
  if (view !== currentView) return;
  if (glance && glance.status === "planning" && glance.job) {
    await followJob(glance.job, view);
    return;
  }
  if (glance && glance.status === "failed" && glance.job) $("form-error").textContent = glance.job.error;
  if (!glance || !glance.plan) { await showMap(); return; }
  const planned = await api(`/plans/${glance.plan.id}`);
  const shown = planned.ok ? await planned.json() : null;
  if (view !== currentView || !shown) return;
  currentPlan = shown;
  showPlan(currentPlan, glance.plan);
  await showMap(currentPlan.id);
}

// A pasted or uploaded sheet may hold several rows per building (one per arrival wave) and more
// columns than the grid shows: the grid gets each building's total, and the rows themselves are
// kept, so saving sends them as they were for every building whose total is left alone.
// A sheet may name a building as the map does ("3号楼") instead of by its id ("3"), as the
// server accepts: an id wins, then a name only one building has.
function buildingId(text) {
  if (buildings.some((b) => b.id === text)) return text;
  const named = buildings.filter((b) => b.name.trim() === text);
  return named.length === 1 ? named[0].id : text;
}

function applyCsv(text) {
  $("paste-error").textContent = "";
  const problems = [];
  const lines = text.split(/\r?\n/);
  const first = lines.find((line) => line.trim()) ?? "";
  const header = first.split(/[,\t;]/).map((f) => f.trim().toLowerCase()).map((f) => COLUMN_OF[f] || f);
  const columns = header.includes("building") && header.includes("parcels") ? header : ["building", "parcels"];
  const pasted = [];
  lines.forEach((line, index) => {
    if (!line.trim() || (columns === header && line === first)) return;
    const fields = line.split(/[,\t;]/).map((f) => f.trim());
    const row = {};
    columns.forEach((name, k) => { if (fields[k] !== undefined && fields[k] !== "") row[name] = fields[k]; });
    row.building = buildingId(row.building ?? "");
    const cell = cellOf(row.building);
    if (!cell) { problems.push(`${index + 1}: ${row.building ?? ""}`); return; }
    if (Object.keys(row).length === 1) row.parcels = "0";  // a sheet's row left blank: no parcels
    if (!/^\d+$/.test(row.parcels ?? "") || !/^\d*$/.test(row.urgent ?? "")) { markError(cell, `${L.parcels}: 0, 1, 2 …`); return; }
    pasted.push({ ...row, parcels: Number(row.parcels), urgent: row.urgent === undefined ? 0 : Number(row.urgent) });
  });
  applyRows(pasted, { held: columns.includes("held_from"), back: columns.includes("back_at") });
  if (problems.length) $("paste-error").textContent = `${L.building}? ${problems.join(", ")}`;
}

// A sheet replaces its buildings' own parcels; their held-over and brought-back ones stay unless
// the sheet itself has a held_from or back_at column (a saved day's file, uploaded again).
function applyRows(pasted, replaces) {
  const totals = {};
  const stays = (row) => (row.back_at ? !replaces.back : row.held_from && !replaces.held);
  for (const row of pasted) if (!apart(row)) totals[row.building] = (totals[row.building] || 0) + row.parcels;
  const touched = new Set(pasted.map((row) => row.building));
  for (const building of touched) {
    const cell = cellOf(building);
    cell.querySelector("input").value = totals[building] ? String(totals[building]) : "";
    clearError(cell);
  }
  loadedRows = [...loadedRows.filter((row) => !touched.has(row.building) || stays(row)), ...pasted];
  if (pasted.length) unsaved = true;
  showHeld();
  updateTotal();
}

// A CSV is read here; an Excel workbook is read by the server (which stores nothing) and its
// rows, checked and with building ids, come into the grid the same way.
async function uploadFile(file) {
  $("paste-error").textContent = "";
  if (!/\.xlsx$/i.test(file.name)) {
    const text = sheetText(await file.arrayBuffer());
    await dayLoaded();
    applyCsv(text);
    return;
  }
  const form = new FormData();
  form.append("file", file);
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts/read`, { method: "POST", body: form });
  if (!response.ok) { $("paste-error").textContent = await errorMessage(response); return; }
  const read = await response.json();
  await dayLoaded();
  const blank = read.left_blank.filter((building) => cellOf(building)).map((building) => ({ building, parcels: 0, urgent: 0 }));
  applyRows([...read.rows, ...blank], {
    held: read.rows.some((row) => row.held_from),
    back: read.rows.some((row) => row.back_at),
  });
}

// UTF-8, else GBK (GB18030): what Excel or WPS on a Chinese Windows machine saves as CSV.
function sheetText(bytes) {
  try { return new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { return new TextDecoder("gb18030").decode(bytes); }
}

// A download link cannot carry the token, so the page fetches the file and hands it to the
// browser; a refusal is shown in `errorId`.
async function download(path, filename, errorId) {
  const lang = pageLang();
  const response = await api(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
  if (!response.ok) { $(errorId).textContent = await errorMessage(response); return; }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// The sheet to fill in at the gate: every building, parcels blank.
function downloadSheet() {
  download(`/sites/${encodeURIComponent(site.id)}/counts/sheet.csv`, `${site.id}-${$("date").value}.csv`, "paste-error");
}

// The district's day, a compound a row, for its report.
function downloadOverview() {
  download(`/days/${$("date").value}/overview.csv`, `onebell-${$("date").value}.csv`, "overview-error");
}

function keptRow(row) {
  const kept = { building: row.building, parcels: row.parcels };
  for (const field of ["shift", "urgent", "arrived", "held_from", "back_at"]) if (row[field]) kept[field] = row[field];
  return kept;
}

function collectCounts() {
  const counts = [];
  let valid = true;
  const own = loadedRows.filter((row) => !apart(row)), held = apartRows();
  const loadedTotal = {};
  for (const row of own) loadedTotal[row.building] = (loadedTotal[row.building] || 0) + row.parcels;
  for (const cell of document.querySelectorAll(".cell")) {
    const building = cell.dataset.building;
    const raw = cell.querySelector("input").value.trim();
    if (raw !== "" && !/^\d+$/.test(raw)) { markError(cell, `${L.parcels}: 0, 1, 2 …`); valid = false; continue; }
    const parcels = Number(raw);
    if (parcels > 0 && loadedTotal[building] === parcels) {
      for (const row of own) if (row.building === building && row.parcels > 0) counts.push(keptRow(row));
    } else if (parcels > 0) {
      counts.push({ building, parcels });
    }
    for (const row of held) if (row.building === building) counts.push(keptRow(row));
  }
  return valid ? counts : null;
}

// Saves the grid as the day's counts; false (with the error shown) if the server refused them.
async function saveCounts() {
  $("form-error").textContent = "";
  await dayLoaded();  // saving a grid the day's counts have not reached yet would erase them
  const counts = collectCounts();
  if (counts === null) { $("form-error").textContent = document.querySelector(".cell.invalid .error").textContent; return false; }
  const date = $("date").value;
  const put = await api(`/sites/${encodeURIComponent(site.id)}/days/${date}/counts`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...(countsTag ? { "If-Match": countsTag } : {}) },
    body: JSON.stringify({ date, counts }),
  });
  if (!put.ok) {
    const message = await errorMessage(put);
    const match = /counts\[(\d+)\]/.exec(message);
    const cell = match ? cellOf(counts[Number(match[1])].building) : null;
    if (cell) markError(cell, message); else $("form-error").textContent = message;
    return false;
  }
  loadedRows = (await put.json()).rows;
  countsTag = put.headers.get("ETag");
  loadHistory();
  loadDays();
  unsaved = false;
  return true;
}

// What the day before left undelivered joins the day's counts (held over: it goes first). The
// grid is saved first, so counts typed and not yet planned are not lost when the day reloads.
async function addHeldOver() {
  $("held-over-status").textContent = "";
  if (!(await saveCounts())) return;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts/held-over`, { method: "POST" });
  if (!response.ok) { $("form-error").textContent = await errorMessage(response); return; }
  const held = (await response.json()).totals.held_over;
  await loadDay();
  $("held-over-status").textContent = held ? L.held_over_added.replace("{n}", held) : L.held_over_nothing;
}

// Held-over parcels that went another way (fetched at the gate, sent back) come off the day, the
// grid saved first as for adding; the server keeps them as set aside, so the day is not said to
// lack them. Adding the held-over parcels again brings back what the earlier plan left.
async function clearHeld() {
  $("held-over-status").textContent = "";
  if (!(await saveCounts())) return;
  const removed = heldRows().reduce((sum, row) => sum + row.parcels, 0);
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts/held-over`, { method: "DELETE" });
  if (!response.ok) { $("form-error").textContent = await errorMessage(response); return; }
  await loadDay();
  $("held-over-status").textContent = L.held_cleared.replace("{n}", removed);
}

async function plan(event) {
  event.preventDefault();
  if (readOnly) return;  // Enter in a grid cell
  $("form-error").textContent = "";
  if (rosterUnsaved()) { $("form-error").textContent = L.roster_unsaved; return; }
  if (!(await saveCounts())) return;
  const date = $("date").value;
  $("plan").disabled = true;
  $("progress").textContent = L.planning;
  const request = {};  // the search's seconds: the server's default (ONEBELL_DEFAULT_TIME_LIMIT_S, 10)
  // A later wave mid-shift: the trips already out stay as they are, only the rest is planned.
  if ($("keep-departed").checked && currentPlan) request.replan = { now: $("replan-now").value, plan_id: currentPlan.id };
  const started = await api(`/sites/${encodeURIComponent(site.id)}/days/${date}/plans`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request),
  });
  if (!started.ok) { $("form-error").textContent = await errorMessage(started); $("plan").disabled = false; return; }
  $("keep-departed").checked = false;
  await followJob(await started.json(), currentView);
}

// Waits for a planning job (this page's, or one another device started) and shows its plan.
async function followJob(job, view) {
  loadHistory();  // the plan asked for
  $("plan").disabled = true;
  $("progress").textContent = job.status === "waiting" ? L.plan_waiting.replace("{n}", job.ahead ?? "…") : L.planning;
  $("plan-cancel").dataset.job = job.id;
  $("plan-cancel").hidden = job.status !== "waiting";
  while (["waiting", "queued", "running"].includes(job.status)) {
    // A waiting plan's place changes only as others end (each poll counts the queue): every 2 s;
    // a running one's progress every 0.7 s.
    await new Promise((resolve) => setTimeout(resolve, job.status === "waiting" ? 2000 : 700));
    const response = await api(`/jobs/${job.id}`);
    if (view !== currentView) return;  // the page moved on; loadDay reset the button
    if (response.status === 404) {  // taken back, here or on another device, before it started
      $("plan").disabled = false;
      $("plan-cancel").hidden = true;
      $("progress").textContent = L.plan_cancelled;
      return;
    }
    job = await response.json();
    const p = job.progress || {};
    $("plan-cancel").hidden = job.status !== "waiting";
    $("progress").textContent = job.status === "waiting" ? L.plan_waiting.replace("{n}", job.ahead ?? "…") : `${L.planning} ${L.elapsed} ${p.elapsed_s ?? 0} s · ${L.placed} ${p.parcels_placed ?? 0}`;
  }
  $("plan").disabled = false;
  $("plan-cancel").hidden = true;
  $("progress").textContent = "";
  if (job.status !== "done") { $("form-error").textContent = job.error; return; }
  const made = await (await api(`/plans/${job.plan_id}`)).json();
  if (view !== currentView) return;
  currentPlan = made;
  showPlan(currentPlan, null);
  loadOverview();
  await showMap(currentPlan.id);
}

function showPlan(planned, glance) {
  $("result").hidden = false;
  loadDays();  // the day's delivered and left, as planned now
  const note = $("plan-note");
  note.textContent = glance ? L.plan_made.replace("{time}", new Date(glance.created_at).toLocaleTimeString(timeLocale(), { hour: "2-digit", minute: "2-digit" })) : "";
  note.classList.toggle("outdated", Boolean(glance && !glance.up_to_date));
  if (glance && !glance.up_to_date) note.textContent += ` · ${L.plan_outdated}`;
  const kept = planned.shifts.reduce((n, s) => n + s.crews.reduce((m, c) => m + c.trips.filter((t) => t.kept).length, 0), 0);
  if (planned.replanned_at) note.textContent += `${note.textContent ? " · " : ""}${L.replanned.replace("{time}", planned.replanned_at.slice(0, 5)).replace("{n}", kept)}`;
  $("replan-row").hidden = false;
  const body = document.querySelector("#shifts tbody");
  body.innerHTML = "";
  for (const shift of planned.shifts) {
    const trips = shift.crews.reduce((n, c) => n + c.trips.length, 0);
    const parcels = shift.crews.reduce((n, c) => n + c.trips.reduce((m, t) => m + t.parcels, 0), 0);
    const row = document.createElement("tr");
    row.dataset.shift = shift.id;
    for (const text of [shiftLabel(shift.id), shift.crews.length, trips, parcels, shift.crews.map((c) => c.finish.slice(0, 5)).join(" ") || "—"]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    const actions = document.createElement("td");
    if (trips) {
      const shiftQuery = `shift=${encodeURIComponent(shift.id)}&lang=${pageLang()}`;
      actions.append(
        openButton(L.cards, "print-cards", `/plans/${planned.id}/cards.pdf?${shiftQuery}&part=cards`), " ",
        openButton(L.load_list, "print-load_list", `/plans/${planned.id}/cards.pdf?${shiftQuery}&part=load_list`), " ",
        openButton(L.notices, "notices", `/plans/${planned.id}/notices.txt?${shiftQuery}`),
      );
    }
    row.appendChild(actions);
    body.appendChild(row);
  }
  const names = new Map(buildings.map((b) => [b.id, b.name]));
  // What stayed, one line per shift and reason (a short day leaves a hundred buildings for one), its
  // buildings under it; a plan made before the groups has a line per building.
  const undelivered = $("undelivered");
  undelivered.innerHTML = "";
  const leftAt = new Map(planned.undelivered.map((i) => [`${i.shift}\t${i.cause}\t${i.held_from || ""}\t${i.building}`, i.parcels]));
  const groups = planned.undelivered_groups || planned.undelivered.map((item) => ({ ...item, buildings: [item.building] }));
  for (const group of groups) {
    const li = document.createElement("li");
    li.textContent = pageLang() === "zh" && group.reason_zh ? group.reason_zh : group.reason;
    if (group.buildings.length > 1) {
      const each = document.createElement("div");
      each.className = "left-buildings";
      const key = `${group.shift}\t${group.cause}\t${group.held_from || ""}`;
      each.textContent = group.buildings.map((b) => `${names.get(b) || b} ×${leftAt.get(`${key}\t${b}`)}`).join(" · ");
      li.appendChild(each);
    }
    undelivered.appendChild(li);
  }
  if (!planned.undelivered.length) undelivered.innerHTML = `<li>${L.none}</li>`;
  // Urgent parcels no crew could bring within the window go late rather than tomorrow: said apart,
  // for the coordinator to phone whoever waits for medicine.
  const late = planned.summary.late_urgent || 0;
  $("late-urgent").hidden = !late;
  $("late-urgent").textContent = late ? L.late_urgent.replace("{n}", late) : "";
  // Parcels left for want of crews: the way to more crews is one press away (coordinators only).
  // Parcels the sorter could not have ready: the same press goes to the shift's sorters.
  const short = planned.undelivered.find((item) => ["shift_capacity", "no_crew", "no_sealed_team", "behind_sealed_zone", "sorter_pace"].includes(item.cause));
  $("more-crews").hidden = !short || $("roster-edit").hidden;
  $("more-crews").dataset.shift = short ? short.shift : "";
  $("more-crews").dataset.field = short?.cause === "sorter_pace" ? "sorters" : "riders";
  $("more-crews").textContent = short?.cause === "sorter_pace" ? L.more_sorters : L.more_crews;
  // Parcels held up by a closed lane: the lanes are one press away, to open it when it can be ridden.
  $("closed-lanes").hidden = !planned.undelivered.some((item) => item.cause === "lane_closed");  // a viewer's page hides .writes
  // When each building gets its parcels, buildings in the order their numbers go and each one's
  // stops by time: what the coordinator answers a resident who asks (the route order is on the cards).
  const stops = $("stops");
  stops.innerHTML = "";
  const visits = new Map();
  for (const shift of planned.shifts) for (const crew of shift.crews) for (const trip of crew.trips) for (const stop of trip.stops) {
    if (!visits.has(stop.building)) visits.set(stop.building, []);
    const lateHere = stop.late_urgent ? L.stops_late.replace("{n}", stop.late_urgent) : "";
    visits.get(stop.building).push({ at: stop.arrive, text: `${stop.arrive.slice(0, 5)} ${crewName(crew.id)} ×${stop.parcels}${lateHere}` });
  }
  const leftHere = new Map();
  for (const item of planned.undelivered) leftHere.set(item.building, (leftHere.get(item.building) || 0) + item.parcels);
  const ids = [...new Set([...visits.keys(), ...leftHere.keys()])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  for (const id of ids) {
    const li = document.createElement("li");
    li.dataset.building = id;
    const times = (visits.get(id) || []).sort((a, b) => a.at.localeCompare(b.at)).map((visit) => visit.text);
    li.textContent = [names.get(id) || id, times.join(" · ")].filter(Boolean).join(" ");
    if (leftHere.get(id)) {
      const left = document.createElement("span");
      left.className = "stops-left";
      left.textContent = `${times.length ? " · " : " "}${L.stops_left.replace("{n}", leftHere.get(id))}`;
      li.appendChild(left);
    }
    stops.appendChild(li);
  }
  $("stops-head").hidden = !ids.length;
  loadTripsBack(planned);
}

// Trips back at the gate: the sorter says which trip came back and what it brought back. A report
// is kept by crew and departure, so it stands beside a re-plan that kept the trip.
const REASONS = JSON.parse(document.getElementById("reasons").textContent);
let tripReports = [];

async function loadTripsBack(planned) {
  const view = currentView;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${planned.date}/reports`);
  if (view !== currentView || currentPlan !== planned) return;
  if (!response.ok) { $("back-error").textContent = await errorMessage(response); return; }
  tripReports = await response.json();
  showTripsBack(planned);
  await showStopTimes(planned);
}

// What the times back say of the wait at a building, once enough trips are back with a time:
// the wait to set in the roster so that the next plan holds, one press away.
async function showStopTimes(planned) {
  const view = currentView;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${planned.date}/reports/stop-times`);
  if (view !== currentView || currentPlan !== planned) return;
  const text = $("stop-times-text"), set = $("stop-times-set");
  text.textContent = "";
  set.hidden = true;
  if (!response.ok) { $("back-error").textContent = await errorMessage(response); return; }
  const times = await response.json();
  if (!times.trips) return;
  if (times.per_stop_s === null) { text.textContent = L.stop_more.replace("{n}", times.needed - times.trips); return; }
  if (times.suggested_wait_s === null) { text.textContent = L.stop_holds.replace("{trips}", times.trips); return; }
  const lead = (times.per_stop_s > 0 ? L.stop_slower : L.stop_faster)
    .replace("{trips}", times.trips).replace("{s}", Math.round(Math.abs(times.per_stop_s)));
  if (times.wait_s === times.suggested_wait_s) {
    text.textContent = `${lead} ${L.stop_already.replace("{new}", times.suggested_wait_s).replace("{plan}", L.plan)}`;
    return;
  }
  text.textContent = `${lead} ${L.stop_suggest.replace("{new}", times.suggested_wait_s).replace("{now}", times.wait_s)}`;
  set.textContent = L.stop_set.replace("{new}", times.suggested_wait_s);
  set.dataset.wait = times.suggested_wait_s;
  set.hidden = $("roster-edit").hidden;  // coordinators only
}

function showTripsBack(planned) {
  $("back-error").textContent = "";
  const names = new Map(buildings.map((b) => [b.id, b.name]));
  const reported = new Map(tripReports.map((r) => [`${r.crew} ${r.depart}`, r]));
  const matched = new Set();
  const trips = [];
  for (const shift of planned.shifts) for (const crew of shift.crews) {
    crew.trips.forEach((trip, i) => trips.push({ crew: crew.id, number: i + 1, trip }));
  }
  trips.sort((a, b) => a.trip.depart.localeCompare(b.trip.depart) || a.crew.localeCompare(b.crew));
  const body = document.querySelector("#back-table tbody");
  body.innerHTML = "";
  for (const { crew, number, trip } of trips) {
    // A report belongs to this trip if it carried the same load to the buildings it names (a plan
    // made afresh after trips left may give another trip the same crew and time).
    const found = reported.get(`${crew} ${trip.depart}`);
    const report = found && found.parcels === trip.parcels && found.returned.every((r) => trip.stops.some((s) => s.building === r.building)) ? found : null;
    if (report) matched.add(report);
    const row = document.createElement("tr");
    row.dataset.trip = `${crew}/${number}`;
    // The crew, its trip number and the time out name the trip; its first buildings help the eye.
    const shown = trip.stops.slice(0, 4).map((s) => `${names.get(s.building) || s.building} ×${s.parcels}`).join("、");
    const stops = `${shown}${trip.stops.length > 4 ? " …" : ""} (${L.back_load.replace("{n}", trip.stops.length).replace("{p}", trip.parcels)})`;
    let state = L.back_not;
    if (report) {
      const time = report.back_at ? report.back_at.slice(0, 5) : new Date(report.reported_at).toLocaleTimeString(timeLocale(), { hour: "2-digit", minute: "2-digit" });
      const what = report.returned.map((r) => `${names.get(r.building) || r.building} ×${r.parcels} ${r.reason_text}`).join("；");
      state = (report.returned_parcels ? L.back_some.replace("{n}", report.returned_parcels).replace("{what}", what) : L.back_all).replace("{time}", time);
      if (report.late_min) state += ` · ${lateness(report.late_min)}`;
      if (report.sent_again_at) state += ` (${L.back_sent})`;
    }
    for (const text of [crewName(crew), number, trip.depart.slice(0, 5), stops, state]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    row.classList.toggle("back", Boolean(report));
    const actions = document.createElement("td");
    actions.className = "writes";
    const press = document.createElement("button");
    press.type = "button";
    press.className = "back-press";
    press.textContent = report ? L.back_change : L.back_press;
    press.addEventListener("click", () => backForm(planned, row, crew, number, trip, report));
    actions.appendChild(press);
    if (report) {
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "back-undo";
      undo.textContent = L.back_undo;
      undo.addEventListener("click", () => sendTripBack(planned, crew, number, null));
      actions.append(" ", undo);
    }
    if (report && report.sent_again_at) actions.innerHTML = "";  // the counts hold them now
    row.appendChild(actions);
    body.appendChild(row);
  }
  // Text for the group chats of the buildings parcels came back from.
  const notices = $("back-notices");
  notices.innerHTML = "";
  if (tripReports.some((r) => r.returned_parcels)) {
    notices.appendChild(openButton(L.back_notices, "back-notices", `/sites/${encodeURIComponent(site.id)}/days/${planned.date}/reports/notices.txt?lang=${pageLang()}`));
  }
  // What came back to go again and is not in the counts yet can go out again today.
  $("send-again").hidden = !tripReports.some((r) => r.again_parcels && !r.sent_again_at);
  // How far the plan's times held, over the trips with a time back: what to tell the coordinator
  // before the stop and ride times are trusted for the next shift.
  const timed = [...matched].filter((r) => r.late_min !== null);
  const mean = timed.length ? Math.round(timed.reduce((n, r) => n + r.late_min, 0) / timed.length) : 0;
  $("back-of").textContent = `(${L.back_of.replace("{n}", matched.size).replace("{all}", trips.length)}${mean ? ` · ${L.back_mean.replace("{late}", lateness(mean))}` : ""})`;
  // Reports of trips this plan does not have: still counted (held over, brought back), so shown.
  $("back-other").textContent = tripReports.filter((r) => !matched.has(r))
    .map((r) => L.back_other.replace("{crew}", crewName(r.crew)).replace("{n}", r.trip).replace("{time}", r.depart.slice(0, 5)).replace("{back}", r.returned_parcels))
    .join(" ");
}

function lateness(minutes) {
  return (minutes > 0 ? L.back_late : L.back_early).replace("{n}", Math.abs(minutes));
}

// What came back, a line per building (its count and why); no line: everything was delivered.
// A trip serves dozens of buildings and parcels come back from a few, so lines are added as needed.
function backForm(planned, row, crew, number, trip, report) {
  document.querySelectorAll("#back-table .back-form").forEach((open) => open.remove());
  const names = new Map(buildings.map((b) => [b.id, b.name]));
  const form = document.createElement("tr");
  form.className = "back-form";
  const cell = document.createElement("td");
  cell.colSpan = 6;
  // When it was back, the compound's clock: now, as the sorter presses on the day, or the time
  // written on the load list when reported later (left blank, the report has no time).
  const when = document.createElement("input");
  when.type = "time";
  when.className = "back-at";
  const now = new Date();
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
  const clock = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
  when.value = report && report.back_at ? report.back_at.slice(0, 5) : planned.date === today ? clock : "";
  const whenLabel = document.createElement("label");
  whenLabel.textContent = `${L.back_at} `;
  whenLabel.appendChild(when);
  const lines = document.createElement("div");
  const addLine = (earlier) => {
    const line = document.createElement("div");
    line.className = "row back-line";
    const building = document.createElement("select");
    building.className = "back-building";
    building.setAttribute("aria-label", L.building);
    for (const stop of trip.stops) {
      building.add(new Option(`${names.get(stop.building) || stop.building} ×${stop.parcels}`, stop.building, false, earlier ? earlier.building === stop.building : false));
    }
    const count = document.createElement("input");
    Object.assign(count, { type: "number", min: 1, value: earlier ? earlier.parcels : 1, className: "back-count" });
    count.setAttribute("aria-label", L.back_count);
    const reason = document.createElement("select");
    reason.className = "back-reason";
    reason.setAttribute("aria-label", L.back_reason);
    for (const [value, words] of Object.entries(REASONS)) reason.add(new Option(words, value, false, earlier ? earlier.reason === value : false));
    const drop = document.createElement("button");
    drop.type = "button";
    drop.className = "back-drop";
    drop.textContent = "×";
    drop.setAttribute("aria-label", L.back_drop);
    drop.addEventListener("click", () => line.remove());
    line.append(building, " ", count, " ", reason, " ", drop);
    lines.appendChild(line);
    return line;
  };
  for (const earlier of report ? report.returned : []) addLine(earlier);
  const more = document.createElement("button");
  more.type = "button";
  more.className = "back-add";
  more.textContent = L.back_add;
  more.addEventListener("click", () => addLine(null).querySelector("select").focus());
  const save = document.createElement("button");
  save.type = "button";
  save.className = "back-save";
  save.addEventListener("click", () => {
    const returned = [...lines.querySelectorAll(".back-line")].map((line) => ({
      building: line.querySelector(".back-building").value,
      parcels: Number(line.querySelector(".back-count").value || 0),
      reason: line.querySelector(".back-reason").value,
    }));
    sendTripBack(planned, crew, number, returned, when.value || null);
  });
  // The button says what it will record: nothing came back, or what the lines say.
  const label = () => { save.textContent = lines.children.length ? L.save : L.back_none; };
  new MutationObserver(label).observe(lines, { childList: true });
  label();
  const note = document.createElement("p");
  note.className = "note";
  note.textContent = L.back_form_help;
  cell.append(note, whenLabel, lines, more, " ", save);
  form.appendChild(cell);
  row.after(form);
  more.focus();
}

// What came back goes out again today: into the day's counts (typed counts saved first), and the
// re-plan that keeps the trips on the road made ready, a press away.
async function sendAgainToday() {
  $("back-status").textContent = "";
  if (!(await saveCounts())) return;
  const response = await api(`/sites/${encodeURIComponent(site.id)}/days/${$("date").value}/counts/brought-back`, { method: "POST" });
  if (!response.ok) { $("back-error").textContent = await errorMessage(response); return; }
  const added = tripReports.filter((r) => !r.sent_again_at).reduce((n, r) => n + r.again_parcels, 0);
  await loadDay();
  $("keep-departed").checked = true;
  $("keep-departed").dispatchEvent(new Event("change"));
  $("back-status").textContent = L.sent_again.replace("{n}", added).replace("{keep}", L.keep_departed).replace("{plan}", L.plan);
  loadHistory();
}

// returned: what came back (a list; empty: all delivered), or null to take the report back.
async function sendTripBack(planned, crew, number, returned, backAt = null) {
  const path = `/plans/${planned.id}/crews/${encodeURIComponent(crew)}/trips/${number}/report`;
  const body = JSON.stringify(backAt ? { returned, back_at: backAt } : { returned });
  const response = returned === null
    ? await api(path, { method: "DELETE" })
    : await api(path, { method: "PUT", headers: { "Content-Type": "application/json" }, body });
  if (!response.ok) { $("back-error").textContent = await errorMessage(response); return; }
  await loadTripsBack(planned);
  loadHistory();
  loadDays();
}

// Times as the page's language writes them: 07:51 on the page in Chinese, not a browser's "07:51 AM".
function timeLocale() {
  return pageLang() === "zh" ? "zh-CN" : [];
}

function pageLang() { return document.documentElement.lang.startsWith("zh") ? "zh" : "en"; }

// Shifts and crews as the cards call them (上午班, 上午1组; optimizer/names.py): a roster written in
// English keeps its ids as the keys the server and the counts' shift column know.
const SHIFT_NAMES = JSON.parse(document.getElementById("shift-names").textContent);
function shiftName(id) { return SHIFT_NAMES[id.trim().toLowerCase()] || id; }
function shiftLabel(id) { const name = shiftName(id); return pageLang() !== "zh" || name.endsWith("班") ? name : `${name}班`; }
function crewName(id) {
  const numbered = /^(.+)-(\d+)$/.exec(id);
  return pageLang() === "zh" && numbered ? `${shiftName(numbered[1])}${numbered[2]}组` : id;
}

// Cards and load lists open as PDFs, notices as text to copy into the buildings' group chats.
function openButton(label, kind, path) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.className = kind;
  button.addEventListener("click", async () => {
    const response = await api(path);
    if (!response.ok) { $("form-error").textContent = await errorMessage(response); return; }
    const blob = await response.blob();
    const typed = blob.type.startsWith("text/plain") ? new Blob([blob], { type: "text/plain;charset=utf-8" }) : blob;
    window.open(URL.createObjectURL(typed), "_blank");
  });
  return button;
}

async function showMap(planId) {
  const view = currentView;
  const query = planId ? `?plan_id=${planId}` : "";
  const response = await api(`/sites/${encodeURIComponent(site.id)}/map.svg${query}`);
  if (response.ok && view === currentView) $("map").innerHTML = await response.text();
}

// A plan waiting in a full queue, no longer wanted (counts still coming in, pressed by mistake):
// taken back, the day stays as it was; the job being followed then ends as taken back.
async function cancelPlan() {
  $("plan-cancel").hidden = true;
  const response = await api(`/jobs/${$("plan-cancel").dataset.job}`, { method: "DELETE" });
  if (!response.ok && response.status !== 404) $("form-error").textContent = await errorMessage(response);
  loadHistory();
}

$("sign-in").addEventListener("submit", signIn);
$("counts-form").addEventListener("submit", plan);
$("apply-paste").addEventListener("click", async () => { const text = $("paste").value; await dayLoaded(); applyCsv(text); });
$("held-over").addEventListener("click", addHeldOver);
$("held-waiting-add").addEventListener("click", addHeldOver);
$("send-again").addEventListener("click", sendAgainToday);
$("held-clear").addEventListener("click", clearHeld);
$("download-sheet").addEventListener("click", downloadSheet);
$("download-overview").addEventListener("click", downloadOverview);
$("plan-all").addEventListener("click", planEverySite);
$("plan-all-cancel").addEventListener("click", cancelWaitingPlans);
$("plan-cancel").addEventListener("click", cancelPlan);
$("upload").addEventListener("change", async (event) => { const file = event.target.files[0]; if (file) await uploadFile(file); event.target.value = ""; });
$("date").addEventListener("change", () => openDate($("date").value));
// Enter in the date field opens that day: left to the form, it would save the grid into it and plan it.
$("date").addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  if ($("date").value && $("date").value !== shownDate) openDate($("date").value);
});
window.addEventListener("beforeunload", (event) => { if (unsaved) { event.preventDefault(); event.returnValue = ""; } });
$("attention-only").addEventListener("change", loadOverview);
$("edit-building").addEventListener("change", showBuildingDetails);
$("edit-save").addEventListener("click", saveBuildingDetails);
$("token-make").addEventListener("click", makeToken);
$("archive").addEventListener("click", () => setArchived(true));
$("unarchive").addEventListener("click", () => setArchived(false));
$("history").addEventListener("toggle", loadHistory);
$("day-by-day").addEventListener("toggle", loadDays);
$("district-days").addEventListener("toggle", loadDistrictDays);
$("district-days-download").addEventListener("click", downloadDistrictDays);
$("days-download").addEventListener("click", downloadDays);
$("history-download").addEventListener("click", downloadHistory);
$("map-download").addEventListener("click", downloadMap);
$("map-send").addEventListener("click", sendMap);
$("map-osm-read").addEventListener("click", readMapOsm);
$("map-osm-send").addEventListener("click", sendMapOsm);
$("osm-read").addEventListener("click", readOsm);
$("osm-add").addEventListener("click", addOsm);
$("zone-save").addEventListener("click", () => saveSwitches("zone"));
$("lane-save").addEventListener("click", () => saveSwitches("lane"));
$("roster-form").addEventListener("submit", saveRoster);
$("roster-start").addEventListener("click", startRoster);
$("roster-usual").addEventListener("click", backToUsualRoster);
$("roster-form").addEventListener("input", showCrews);
$("more-crews").addEventListener("click", () => {
  $("roster-edit").open = true;
  const riders = document.querySelector(`#roster-shifts tr[data-shift="${CSS.escape($("more-crews").dataset.shift)}"] input.${$("more-crews").dataset.field || "riders"}`);
  $("roster-edit").scrollIntoView();
  if (riders) riders.focus();
});
$("closed-lanes").addEventListener("click", () => {
  $("building-edit").open = true;
  $("lane-edit").scrollIntoView();
  const closed = document.querySelector("#lane-switches input:checked");
  if (closed) closed.focus();
});
$("stop-times-set").addEventListener("click", () => {
  const wait = $("roster-wait");
  wait.value = $("stop-times-set").dataset.wait;
  $("roster-edit").open = true;
  $("roster-edit").scrollIntoView();
  wait.focus();
});
$("add-mode").addEventListener("change", addVehicle);
$("staffing-ask").addEventListener("click", askStaffing);
$("keep-departed").addEventListener("change", () => {
  if ($("keep-departed").checked && !$("replan-now").value) {
    const now = new Date();
    $("replan-now").value = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
  }
});
$("sign-out").addEventListener("click", () => {
  if (!mayLeaveGrid()) return;
  unsaved = false;  // asked already: the page reloads without asking again
  sessionStorage.removeItem("onebell-token");
  sessionStorage.removeItem("onebell-site");
  window.location.reload();
});
if (token) signIn();
