// The Mayfly dashboard: one page that draws itself from the JSON API (docs/api.md).
// Everything that came from the database is put into the page as text (textContent), never as HTML.
"use strict";

const BASE = document.querySelector('meta[name="mayfly-base"]').content;
const CSRF = document.querySelector('meta[name="mayfly-csrf"]').content;
// In an app whose own security checks CSRF too (Spring Security), its token, sent beside ours.
const APP_CSRF_HEADER = document.querySelector('meta[name="mayfly-app-csrf-header"]').content;
const APP_CSRF = document.querySelector('meta[name="mayfly-app-csrf"]').content;
const main = document.getElementById("main");
let timer = null;
let generation = 0;
let redraw = async () => {};

// ---- helpers ----------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function link(path, text) {
  return el("a", { href: BASE + path, on: { click: navigate } }, text);
}

function badge(state) {
  return el("span", { class: "badge " + state }, state);
}

function time(t) {
  return t ? t.replace("T", " ").replace(/\.\d+Z$/, "Z") : "–";
}

function secs(s) {
  if (s === null || s === undefined) return "–";
  if (s < 600) return s.toFixed(1) + " s";
  if (s < 36000) return (s / 60).toFixed(1) + " min";
  return (s / 3600).toFixed(1) + " h";
}

function money(d) {
  if (d === null || d === undefined) return "–";
  return d >= 1 || d === 0 ? "$" + d.toFixed(2) : "$" + d.toFixed(6);
}

function firstLine(s) {
  if (!s) return "";
  const line = s.split("\n")[0];
  return line.length > 100 ? line.slice(0, 97) + "…" : line;
}

function table(headers, rows, numeric) {
  const num = new Set(numeric || []);
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { class: num.has(i) ? "num" : null }, h)))),
    el("tbody", {}, rows.length === 0
      ? el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "nothing here yet"))
      : rows.map(r => el("tr", {}, r.map((c, i) => el("td", { class: num.has(i) ? "num" : null }, c))))));
}

function card(label, value, id) {
  return el("div", { class: "card" }, el("div", { class: "value", id }, value), el("div", { class: "label" }, label));
}

async function api(path, options) {
  const res = await fetch(BASE + "/api" + path, Object.assign({ headers: { "Accept": "application/json" } }, options));
  const body = await res.json().catch(() => ({ error: res.status + " " + res.statusText }));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function post(path) {
  const headers = { "Accept": "application/json", "X-Mayfly-CSRF": CSRF };
  if (APP_CSRF_HEADER && APP_CSRF) headers[APP_CSRF_HEADER] = APP_CSRF;
  return api(path, { method: "POST", headers });
}

function status(text, isError) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = "status" + (isError ? " error" : "");
}

function flash(text, isError) {
  const old = document.querySelector(".flash");
  if (old) old.remove();
  main.prepend(el("div", { class: "flash" + (isError ? " error" : ""), id: "flash" }, text));
}

// Redraws every `every` ms while the page stays the same; a redraw failing shows in the corner.
function live(draw, every) {
  const mine = ++generation;
  const tick = async () => {
    if (mine !== generation) return;
    try {
      await draw();
      status("updated " + new Date().toLocaleTimeString());
    } catch (e) {
      status("cannot reach Mayfly: " + e.message, true);
    }
    if (mine === generation && every) timer = setTimeout(tick, every);
  };
  clearTimeout(timer);
  redraw = async () => { if (mine === generation) { await draw(); } };
  return tick();
}

// Swaps in a redrawn part of the page, but keeps the old one when nothing in it changed, so a
// poll that found nothing new leaves the page (a selection, a hovered link, a button about to be
// clicked) exactly as it was.
function replace(id, node) {
  const old = document.getElementById(id);
  node.id = id;
  if (!old) main.append(node);
  else if (!old.isEqualNode(node)) old.replaceWith(node);
}

// ---- pages ------------------------------------------------------------------------------------

function overview() {
  main.replaceChildren(el("h1", {}, "Overview"),
    el("div", { class: "cards", id: "cards" }),
    el("div", { class: "actions" },
      el("button", { id: "retry-dead", on: { click: retryDead } }, "Retry all dead jobs")),
    el("h2", {}, "Queues"), el("div", { id: "queues" }), el("div", { id: "problems" }),
    el("h2", {}, "Recent jobs"), el("div", { id: "recent" }),
    el("p", { class: "muted", id: "database" }));
  return live(async () => {
    const [o, jobs] = await Promise.all([api("/overview"), api("/jobs?limit=15")]);
    const sum = k => o.queues.reduce((n, q) => n + q[k], 0);
    replace("cards", el("div", { class: "cards" },
      card("runners alive", o.runnersAlive, "runners-alive"),
      card("jobs per minute", o.jobsPerMinute, "jobs-per-minute"),
      card("ready", sum("queued"), "ready"), card("running", sum("running"), "running"),
      card("failed (retrying)", sum("failed")), card("dead", sum("dead"))));
    replace("queues", table(
      ["queue", "ready", "scheduled", "running", "failed", "dead", "succeeded", "cancelled", "runners alive"],
      o.queues.map(q => [link("/jobs?queue=" + encodeURIComponent(q.queue), q.queue),
        q.queued, q.scheduled, q.running, q.failed, q.dead, q.succeeded, q.cancelled, q.runnersAlive]),
      [1, 2, 3, 4, 5, 6, 7, 8]));
    replace("problems", el("div", {}, ...o.queues.filter(q => q.unrunnable > 0).map(q =>
      el("p", { class: "problem" }, "queue " + q.queue + ": " + q.unrunnable + " ready job(s) " + q.problem))));
    replace("recent", jobTable(jobs));
    replace("database", el("p", { class: "muted" }, "database " + o.database + " · job types " + o.jobTypes.join(", ")));
  }, 2000);
}

async function retryDead() {
  try {
    const r = await post("/jobs/retry-dead");
    const refused = (r.refused || []).map(n => "job " + n.id + " not retried: " + n.reason);
    flash([r.retried + " dead job(s) sent back to the queue", ...refused].join("; "));
  } catch (e) {
    flash("retry failed: " + e.message, true);
  }
}

function jobTable(jobs) {
  return table(["id", "type", "queue", "state", "attempts", "enqueued", "finished", "error"],
    jobs.map(j => [link("/jobs/" + j.id, "#" + j.id), j.type, j.queue, badge(j.state), j.attempts,
      time(j.enqueuedAt), time(j.finishedAt), firstLine(j.error)]), [4]);
}

function jobs() {
  const params = new URLSearchParams(location.search);
  const field = (name, input) => el("label", {}, name, input);
  const form = el("form", { class: "filters", on: { submit: e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["queue", "type", "state"]) {
      const v = form.elements[k].value.trim();
      if (v) q.set(k, v);
    }
    go("/jobs" + (q.toString() ? "?" + q : ""));
  } } },
    field("queue", el("input", { name: "queue", value: params.get("queue") || "" })),
    field("type", el("input", { name: "type", value: params.get("type") || "" })),
    field("state", el("select", { name: "state" },
      ["", "queued", "scheduled", "running", "succeeded", "failed", "dead", "cancelled"].map(s =>
        el("option", { value: s, selected: s === (params.get("state") || "") }, s || "any")))),
    el("button", { class: "primary", type: "submit" }, "Filter"));
  main.replaceChildren(el("h1", {}, "Jobs"), form, el("div", { id: "jobs" }), el("p", { id: "pages" }));
  const query = new URLSearchParams();
  for (const k of ["queue", "type", "state", "before"]) if (params.get(k)) query.set(k, params.get(k));
  const size = 200;
  query.set("limit", String(size));
  // Pages are cut by id ("before" the last one shown), so a page keeps its jobs while new ones come.
  const page = (before) => {
    const q = new URLSearchParams(query);
    q.delete("limit");
    if (before) q.set("before", before); else q.delete("before");
    return "/jobs" + (q.toString() ? "?" + q : "");
  };
  return live(async () => {
    const js = await api("/jobs?" + query);
    replace("jobs", jobTable(js));
    replace("pages", el("p", { id: "pages" },
      params.get("before") ? link(page(null), "← newest") : null, " ",
      js.length === size ? link(page(String(js[js.length - 1].id)), "older →") : null));
  }, 3000);
}

function job(id) {
  main.replaceChildren(el("h1", {}, "Job #" + id), el("div", { id: "job" }));
  return live(async () => {
    const d = await api("/jobs/" + encodeURIComponent(id));
    const j = d.job;
    const retryable = ["dead", "failed", "cancelled"].includes(j.state);
    const cancellable = ["queued", "scheduled", "running", "failed"].includes(j.state);
    const act = (verb) => async () => {
      try {
        const r = await post("/jobs/" + j.id + "/" + verb);
        flash("job #" + j.id + " is now " + r.state);
        await redraw();
      } catch (e) {
        flash(verb + " failed: " + e.message, true);
      }
    };
    replace("job", el("div", {},
      el("dl", {},
        el("dt", {}, "state"), el("dd", { id: "job-state" }, badge(j.state)),
        el("dt", {}, "type"), el("dd", {}, j.type),
        el("dt", {}, "queue"), el("dd", {}, link("/jobs?queue=" + encodeURIComponent(j.queue), j.queue)),
        el("dt", {}, "attempts"), el("dd", {}, String(j.attempts)),
        el("dt", {}, "enqueued"), el("dd", {}, time(j.enqueuedAt)),
        el("dt", {}, "run at"), el("dd", {}, time(j.runAt)),
        el("dt", {}, "started"), el("dd", {}, time(j.startedAt)),
        el("dt", {}, "finished"), el("dd", {}, time(j.finishedAt)),
        el("dt", {}, "runner"), el("dd", {}, j.runnerId ? link("/runners/" + encodeURIComponent(j.runnerId), j.runnerId) : "–")),
      el("div", { class: "actions" },
        el("button", { id: "retry", class: "primary", disabled: !retryable, on: { click: act("retry") } }, "Retry"),
        el("button", { id: "cancel", disabled: !cancellable, on: { click: act("cancel") } }, "Cancel")),
      el("h2", {}, "Arguments"), el("pre", { id: "args" }, JSON.stringify(j.args, null, 2)),
      el("h2", {}, "Attempts"),
      d.attempts.length === 0 ? el("p", { class: "muted" }, "not run yet") :
        el("div", { id: "attempts" }, d.attempts.map(a => el("div", {},
          el("p", {}, "attempt " + a.attempt + " ", badge(a.outcome), " on ",
            link("/runners/" + encodeURIComponent(a.runnerId), a.runnerId), ", " + time(a.startedAt) + " → " + time(a.finishedAt)),
          a.error ? el("pre", { class: "error" }, a.error) : null))),
      el("h2", {}, "Log"),
      d.log.length === 0 ? el("p", { class: "muted" }, "no log lines") :
        el("pre", { id: "log" }, d.log.map(l => time(l.at) + " " + l.level + " " + l.message).join("\n"))));
  }, 2000);
}

function runners() {
  const before = new URLSearchParams(location.search).get("before");
  main.replaceChildren(el("h1", {}, "Runners"), el("div", { id: "runners" }), el("p", { id: "pages" }));
  const size = 200;
  const query = "/runners?limit=" + size + (before ? "&before=" + encodeURIComponent(before) : "");
  return live(async () => {
    const rs = await api(query);
    replace("runners", runnerTable(rs));
    replace("pages", el("p", { id: "pages" },
      before ? link("/runners", "← newest") : null, " ",
      rs.length === size ? link("/runners?before=" + encodeURIComponent(rs[rs.length - 1].id), "older →") : null));
  }, 3000);
}

function runnerTable(rs) {
  return table(["id", "queue", "launcher", "platform id", "size", "state", "launched", "started", "ended", "exit code", "jobs run", "billed"],
    rs.map(r => [link("/runners/" + encodeURIComponent(r.id), r.id), r.queue, r.launcher, r.platformId || "–",
      r.size || "–", badge(r.state), time(r.launchedAt), time(r.startedAt), time(r.exitedAt),
      r.exitCode === null ? "–" : r.exitCode, r.jobsRun, secs(r.billedSeconds)]), [9, 10, 11]);
}

function runner(id) {
  main.replaceChildren(el("h1", {}, "Runner " + id), el("div", { id: "runner" }));
  return live(async () => {
    const [r, out] = await Promise.all([api("/runners/" + encodeURIComponent(id)),
      api("/runners/" + encodeURIComponent(id) + "/output")]);
    replace("runner", el("div", {}, runnerTable([r]),
      r.error ? el("pre", { class: "error" }, r.error) : null,
      el("h2", {}, "Output"),
      out.length === 0 ? el("p", { class: "muted" }, "no output captured (detached runners keep theirs on the platform)") :
        el("pre", { id: "output" }, out.map(l => time(l.at) + " " + l.message).join("\n"))));
  }, 3000);
}

function schedules() {
  main.replaceChildren(el("h1", {}, "Schedules"), el("div", { id: "schedules" }),
    el("p", { class: "muted" }, "Declared in each node's configuration (schedule.NAME.* properties or "
      + "MayflyConfig.builder().schedule(...)). Whichever dispatcher is alive fires them, one job per fire "
      + "time; mayfly tick fires them where none is. Times in UTC."));
  return live(async () => {
    const ss = await api("/schedules");
    replace("schedules", table(["name", "cron", "zone", "job type", "queue", "catch-up", "overlap", "state",
      "next fire", "last fire", "last job", "fired", "skipped", ""],
      ss.map(s => [s.name, el("code", {}, s.cron), s.zone, s.type, s.queue || "default", s.catchUp, s.overlap,
        badge(s.paused ? "paused" : "active"), s.paused ? "–" : time(s.nextFire), time(s.lastFire),
        s.lastJobId === null ? "–" : el("span", {}, link("/jobs/" + s.lastJobId, "#" + s.lastJobId), " ",
          s.lastJobState ? badge(s.lastJobState) : null),
        s.fired, s.skipped,
        el("span", { class: "actions" },
          el("button", { "data-schedule": s.name, "data-action": "run", on: { click: onSchedule(s.name, "run") } },
            "Run now"),
          el("button", { "data-schedule": s.name, "data-action": s.paused ? "resume" : "pause",
            on: { click: onSchedule(s.name, s.paused ? "resume" : "pause") } }, s.paused ? "Resume" : "Pause"))]),
      [11, 12]));
  }, 3000);
}

function onSchedule(name, verb) {
  return async () => {
    try {
      const r = await post("/schedules/" + encodeURIComponent(name) + "/" + verb);
      flash(verb === "run" ? "schedule " + name + ": enqueued job #" + r.jobId
        : "schedule " + name + " is now " + (r.paused ? "paused" : "active"));
      await redraw();
    } catch (e) {
      flash(verb + " failed: " + e.message, true);
    }
  };
}

function cost() {
  const params = new URLSearchParams(location.search);
  const since = params.get("since") || "30d";
  main.replaceChildren(el("h1", {}, "Cost"),
    el("form", { class: "filters" }, el("label", {}, "period",
      el("select", { name: "since", id: "since", on: { change: e => go("/cost?since=" + e.target.value) } },
        ["1h", "24h", "7d", "30d", "90d"].map(s => el("option", { value: s, selected: s === since }, "last " + s))))),
    el("div", { id: "cost" }));
  return live(async () => {
    const [c, rs] = await Promise.all([api("/cost?since=" + encodeURIComponent(since)), api("/runners?limit=200")]);
    const t = c.total;
    const inPeriod = rs.filter(r => r.launchedAt >= c.since);
    replace("cost", el("div", {},
      el("div", { class: "cards" },
        card("one-off runners cost", money(t.cost), "cost-total"),
        card("always-on workers, same sizes", money(t.alwaysOnCost), "always-on-total"),
        card(t.alwaysOnCost >= t.cost ? "saved against always-on" : "more than always-on",
          t.alwaysOnCost > 0 ? Math.abs(Math.round((1 - t.cost / t.alwaysOnCost) * 100)) + " %" : "–", "saving"),
        card("runners", t.runners, "cost-runners"),
        card("billed runner time", secs(t.billedSeconds)),
        card("busy job time", secs(t.busySeconds)),
        card("start-up overhead", secs(t.startupSeconds))),
      el("p", { class: "muted" }, "Always-on: as many workers as runners were ever alive at once, each queue's size, for the "
        + secs(c.windowSeconds) + " since the period's first launch. Money in " + c.currency + "; days in UTC."),
      el("h2", {}, "One-off runners against always-on workers"), costChart(c.byQueue),
      el("h2", {}, "Billed time per day"), dayChart(c.byDay),
      el("h2", {}, "Per queue"),
      table(["queue", "launcher", "size", "runners", "jobs", "billed", "start-up", "busy", "idle", "cost", "peak runners", "always-on", "price basis"],
        c.byQueue.map(q => [q.queue, q.launcher, q.size, q.usage.runners, q.usage.jobsRun, secs(q.usage.billedSeconds),
          secs(q.usage.startupSeconds), secs(q.usage.busySeconds), secs(q.usage.idleSeconds), money(q.usage.cost),
          q.peakRunners, money(q.alwaysOnCost), q.priceBasis]), [3, 4, 5, 6, 7, 8, 9, 10, 11]),
      el("h2", {}, "Runners in this period"), runnerTable(inPeriod)));
  }, 30000); // the report reads the whole period's history: about 1 s for 100,000 runners
}

// Per queue, two bars on one scale: what the runners cost, what always-on workers would have.
function costChart(queues) {
  const NS = "http://www.w3.org/2000/svg";
  const W = 900, row = 54, label = 140, right = 120;
  const max = Math.max(1e-12, ...queues.flatMap(q => [q.usage.cost, q.alwaysOnCost]));
  const root = document.createElementNS(NS, "svg");
  const height = Math.max(row, queues.length * row);
  for (const [k, v] of Object.entries({ width: W, height, viewBox: `0 0 ${W} ${height}`, id: "cost-comparison", role: "img" })) {
    root.setAttribute(k, v);
  }
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    root.append(e);
  };
  queues.forEach((q, i) => {
    const y = i * row + 6;
    add("text", { x: 0, y: y + 18 }, q.queue + " (" + q.size + ")");
    [[q.usage.cost, "#1f8a4c", "one-off " + money(q.usage.cost)],
     [q.alwaysOnCost, "#a0a7b5", "always-on " + money(q.alwaysOnCost) + " (" + q.peakRunners + " workers)"]]
      .forEach(([v, color, text], j) => {
        const w = Math.max(1, v / max * (W - label - right - 160));
        add("rect", { x: label, y: y + j * 20, width: w, height: 16, fill: color });
        add("text", { x: label + w + 6, y: y + j * 20 + 12 }, text);
      });
  });
  return root;
}

// A stacked bar per day: start-up, busy and idle runner-seconds; the label says cost vs always-on.
function dayChart(days) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const W = 900, H = 220, pad = 40, n = Math.max(days.length, 1);
  const max = Math.max(1, ...days.map(d => d.usage.billedSeconds));
  const bw = Math.min(60, (W - 2 * pad) / n * 0.7);
  const root = svg("svg", { width: W, height: H + 40, viewBox: `0 0 ${W} ${H + 40}`, id: "cost-chart", role: "img" });
  root.append(svg("line", { x1: pad, y1: H, x2: W - pad, y2: H, stroke: "#ccc" }));
  root.append(svg("text", { x: 2, y: 12 }, secs(max)));
  const colors = { startupSeconds: "#dd8a1c", busySeconds: "#1f8a4c", idleSeconds: "#a0a7b5" };
  days.forEach((d, i) => {
    const x = pad + (i + 0.5) * (W - 2 * pad) / n - bw / 2;
    let y = H;
    for (const k of ["startupSeconds", "busySeconds", "idleSeconds"]) {
      const h = d.usage[k] / max * (H - 20);
      if (h > 0) {
        y -= h;
        const r = svg("rect", { x, y, width: bw, height: h, fill: colors[k] });
        r.append(svg("title", {}, d.day + " " + k.replace("Seconds", "") + ": " + secs(d.usage[k])));
        root.append(r);
      }
    }
    root.append(svg("text", { x: x, y: H + 14 }, d.day.slice(5)));
    root.append(svg("text", { x: x, y: H + 28 }, money(d.usage.cost) + " / " + money(d.usage.alwaysOnCost)));
  });
  return el("div", {}, root, el("div", { class: "legend" },
    el("span", {}, el("i", { class: "start" }), "start-up"),
    el("span", {}, el("i", { class: "busy" }), "busy"),
    el("span", {}, el("i", { class: "idle" }), "idle"),
    el("span", { class: "muted" }, "under each day: one-off cost / always-on cost")));
}

// ---- routing ----------------------------------------------------------------------------------

function route() {
  const path = location.pathname.slice(BASE.length) || "/";
  for (const a of document.querySelectorAll("nav a")) {
    const section = path === "/" ? "overview" : path.split("/")[1];
    a.classList.toggle("active", a.dataset.nav === section);
  }
  let m;
  if (path === "/") return overview();
  if (path === "/jobs") return jobs();
  if ((m = path.match(/^\/jobs\/(\d+)$/))) return job(m[1]);
  if (path === "/runners") return runners();
  if ((m = path.match(/^\/runners\/([^/]+)$/))) return runner(decodeURIComponent(m[1]));
  if (path === "/schedules") return schedules();
  if (path === "/cost") return cost();
  main.replaceChildren(el("p", { class: "error" }, "no such page"));
}

function go(path) {
  history.pushState(null, "", BASE + path);
  route();
}

function navigate(e) {
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(e.currentTarget.getAttribute("href").slice(BASE.length));
}

for (const a of document.querySelectorAll("header a")) a.addEventListener("click", navigate);
window.addEventListener("popstate", route);
route();
