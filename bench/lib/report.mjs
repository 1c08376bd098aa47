/**
 * @module bench/lib/report — the printed tables and the list of targets met or missed.
 */
import { fmtNs, fmtRatio } from "./stats.mjs";

function table(title, head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [`\n${title}\n`, line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Every issue target with the measured value and whether it is met. */
export function targets(r) {
  const out = [];
  const add = (name, value, goal, met, shown) => out.push({ name, value, goal, met, shown });
  if (r.w1?.length) {
    const big = r.w1[r.w1.length - 1];
    const small = r.w1[0];
    const limits = { memory: 5_000, sqlite: 200_000, postgres: 500_000 };
    const speedups = { memory: 1000, sqlite: 50, postgres: 50 };
    for (const name of ["memory", "sqlite", "postgres"]) {
      const s = big.stores[name];
      if (s === undefined) continue;
      add(`W1 ${name} median per check, N=${big.n}`, s.resolution.medianNs, `≤ ${fmtNs(limits[name])}`, s.resolution.medianNs <= limits[name], fmtNs(s.resolution.medianNs));
      add(`W1 ${name} vs naive, N=${big.n}`, s.speedup, `≥ ${speedups[name]}×`, s.speedup >= speedups[name], fmtRatio(s.speedup));
      if (small.stores[name] && small !== big) {
        const growth = s.resolution.medianNs / small.stores[name].resolution.medianNs;
        add(`W1 ${name} growth N=${small.n}→${big.n}`, growth, "< 2×", growth < 2, fmtRatio(growth));
      }
    }
  }
  for (const row of r.w2 ?? []) {
    for (const [format, f] of Object.entries(row.formats)) {
      add(`W2 ${format} cold, ${row.files} files, vs JSON.stringify`, f.ratioToFloor, "≤ 1.5×", f.ratioToFloor <= 1.5, fmtRatio(f.ratioToFloor));
      add(`W2 ${format} repeat from cache renders`, f.repeatsRendered, "0", f.repeatsRendered === 0, String(f.repeatsRendered));
    }
  }
  for (const [name, x] of Object.entries(r.w3?.routes ?? {})) add(`W3 ${name} vs bare node:http`, x.ratio, `≥ ${x.target}×`, x.ratio >= x.target, fmtRatio(x.ratio));
  for (const [name, x] of Object.entries(r.w3?.routes ?? {})) if (x.peer) add(`W3 ${name} vs ${x.peer.name}`, x.peer.ratio, `≥ ${x.peer.target}×`, x.peer.ratio >= x.peer.target, fmtRatio(x.peer.ratio));
  if (r.w4) add(`W4 memory store bytes per release, N=${r.w4.n}`, r.w4.storeBytesPerRelease, "≤ 1024 B", r.w4.storeBytesPerRelease <= 1024, `${r.w4.storeBytesPerRelease.toFixed(0)} B`);
  for (const row of r.w5 ?? []) {
    const m = row.stores.memory;
    if (m && row.n >= 100_000) add(`W5 memory serve to listening, N=${row.n}`, m.listeningNs, "≤ 3 s", m.listeningNs <= 3e9, fmtNs(m.listeningNs));
    if (m?.vsFloor !== undefined && row.n >= 100_000) add(`W5 memory serve vs floor (read + JSON.parse), N=${row.n}`, m.vsFloor, "≤ 1.3×", m.vsFloor <= 1.3, fmtRatio(m.vsFloor));
    const live = r.w4 && r.w4.n === row.n ? r.w4.datasetHeapBytes + r.w4.storeHeapBytes : null;
    if (m?.rssBytes && live !== null) add(`W5 memory serve RSS vs live heap (W4), N=${row.n}`, m.rssBytes / live, "≤ 1.5×", m.rssBytes / live <= 1.5, fmtRatio(m.rssBytes / live));
  }
  for (const [store, x] of Object.entries(r.w6?.stores ?? {})) {
    for (const [route, y] of Object.entries(x.reads)) add(`W6 ${store} ${route} with a publish per second vs without`, y.ratio, `≥ ${y.target}×`, y.ratio >= y.target, fmtRatio(y.ratio));
  }
  return out;
}

/** The whole report as text: machine, one table per workload, targets. */
export function render(r) {
  const parts = [];
  const m = r.machine;
  parts.push(`Machine: ${m.cpu} × ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}, ${m.os}; PostgreSQL ${m.postgres ?? "not run"}; load average at start ${m.loadStart.join(" ")}, at end ${m.loadEnd?.join(" ") ?? "—"}; pinning: ${m.pinning ?? "none"}`);
  if (r.w1?.length) {
    const rows = [];
    for (const x of r.w1) {
      for (const [name, s] of Object.entries(x.stores)) {
        rows.push([x.n.toLocaleString("en-US"), name, fmtNs(s.resolution.medianNs), fmtNs(s.resolution.p99Ns), fmtRatio(s.speedup), fmtNs(s.engine.medianNs), fmtNs(s.engine.p99Ns), `${fmtNs(s.loadNs)} (${s.loadWhat})`]);
      }
      rows.push([x.n.toLocaleString("en-US"), `naive (${x.naive.checks} checks)`, fmtNs(x.naive.medianNs), fmtNs(x.naive.p99Ns), "1×", "", "", ""]);
    }
    parts.push(table(`W1 Tauri resolution: ${r.w1[0].checks.toLocaleString("en-US")} random checks × ${r.w1[0].rounds} rounds, median of round medians`,
      ["N releases", "store", "median/check", "p99/check", "vs naive", "engine call median", "engine call p99", "load"], rows));
  }
  if (r.w2?.length) {
    const rows = [];
    for (const x of r.w2) {
      for (const [format, f] of Object.entries(x.formats)) {
        rows.push([x.files.toLocaleString("en-US"), format, `${(f.bytes / 1024).toFixed(0)} KiB`, fmtNs(f.coldNs), fmtNs(x.floorNs), fmtRatio(f.ratioToFloor), fmtNs(f.warmNs), `${f.repeatHits} hits, ${f.repeatsRendered} renders`]);
      }
    }
    parts.push(table("W2 PyPI project page (memory store)", ["files", "format", "size", "cold render", "JSON.stringify floor", "cold / floor", "repeat (cache)", "repeats"], rows));
  }
  if (r.w3) {
    const rows = Object.entries(r.w3.routes).map(([name, x]) => [name, x.store ?? "memory", x.status, `${x.bytes} B`, x.rps.toFixed(0), x.baselineRps.toFixed(0), fmtRatio(x.ratio), `≥ ${x.target}×`, `${(x.p50us / 1000).toFixed(2)} ms`,
      `${x.cpuUsPerRequest.toFixed(1)} µs`, `${x.baselineCpuUsPerRequest.toFixed(1)} µs`, x.sameHeaders ? `${fmtRatio(x.sameHeaders.ratio)} of ${x.sameHeaders.rps.toFixed(0)}` : "",
      x.pgFloor ? `${fmtRatio(x.pgFloor.ratio)} of ${x.pgFloor.rps.toFixed(0)}` : ""]);
    parts.push(table(`W3 HTTP (wrk -t1 -c${r.w3.connections}, ${r.w3.seconds} s × ${r.w3.reps}, alternating with the bare server)`,
      ["route", "store", "status", "body", "req/s", "bare node:http req/s", "ratio", "target", "p50 latency", "server CPU/req", "bare CPU/req", "vs bare with our headers", "vs one-statement PostgreSQL floor"], rows));
    const peers = Object.entries(r.w3.routes).filter(([, x]) => x.peer).map(([name, x]) => [name, x.rps.toFixed(0), x.peer.name, x.peer.rps.toFixed(0), fmtRatio(x.peer.ratio), `≥ ${x.peer.target}×`,
      `${(x.peer.p50us / 1000).toFixed(2)} ms`, `${x.cpuUsPerRequest.toFixed(1)} µs`, `${x.peer.cpuUsPerRequest.toFixed(1)} µs`]);
    if (peers.length > 0) parts.push(table("W3 peers (same run, alternating: hazel's update check with no auth; nginx serving the pre-rendered gzip page)",
      ["route", "req/s", "peer", "peer req/s", "ratio", "target", "peer p50", "server CPU/req", "peer CPU/req"], peers));
  }
  if (r.w4) {
    const x = r.w4;
    parts.push(table("W4 Memory (fresh process, after gc)", ["N releases", "records (heap)", "memory store on top", "per release: records", "per release: store", "RSS after load"], [[
      x.n.toLocaleString("en-US"), `${(x.datasetHeapBytes / 2 ** 20).toFixed(0)} MiB`, `${(x.storeHeapBytes / 2 ** 20).toFixed(0)} MiB`,
      `${x.datasetBytesPerRelease.toFixed(0)} B`, `${x.storeBytesPerRelease.toFixed(0)} B`, `${(x.rssAfterLoadBytes / 2 ** 20).toFixed(0)} MiB`,
    ]]));
  }
  if (r.w5?.length) {
    const rows = [];
    for (const x of r.w5) {
      for (const [name, s] of Object.entries(x.stores)) {
        const label = name === "floor" ? "floor (read + JSON.parse)" : name;
        const first = s.firstAnswerNs === null ? "" : fmtNs(s.firstAnswerNs);
        const rss = s.rssBytes ? `${(s.rssBytes / 2 ** 20).toFixed(0)} MiB` : "";
        rows.push([x.n.toLocaleString("en-US"), label, fmtNs(s.listeningNs), first, s.vsFloor === undefined ? "" : fmtRatio(s.vsFloor), rss, s.runs]);
      }
    }
    parts.push(table("W5 serve start-up (RSS: memory 3 s after the first answer)", ["N releases", "store", "to listening", "to first answer", "vs floor", "RSS", "runs"], rows));
  }
  if (r.w6) {
    const ms = (x) => `${x.toFixed(1)} ms`;
    parts.push(table(`W6 publish over HTTP (create release + POST artifact → 307 + PUT ${r.w6.uploadBytes / 2 ** 20} MiB + publish)`, ["store", "publishes", "median", "p95", "serve CPU per publish"],
      Object.entries(r.w6.stores).map(([store, x]) => [store, x.publish.n, ms(x.publish.medianMs), ms(x.publish.p95Ms), ms(x.publish.serverCpuMs)])));
    const rows = [];
    for (const [store, x] of Object.entries(r.w6.stores)) {
      for (const [route, y] of Object.entries(x.reads)) {
        rows.push([store, route, y.quietRps.toFixed(0), y.rps.toFixed(0), fmtRatio(y.ratio), `≥ ${y.target}×`, `${(y.quietP50us / 1000).toFixed(2)} ms`, `${(y.p50us / 1000).toFixed(2)} ms`,
          `${y.quietCpuUsPerRequest.toFixed(0)} µs`, `${y.cpuUsPerRequest.toFixed(0)} µs`, y.publishes, ms(y.publishMedianMs)]);
      }
    }
    parts.push(table(`W6 reads while publishing (wrk -t1 -c${r.w6.connections}, ${r.w6.seconds} s × ${r.w6.reps}, alternating without and with one publish per second into the package read; ratio: median of the pairs' ratios)`,
      ["store", "route", "req/s without writes", "req/s with writes", "ratio", "target", "p50 without", "p50 with", "server CPU/req without", "with (publishes included)", "publishes", "publish median"], rows));
  }
  if (r.w7) {
    parts.push(table(`W7 npm packument, ${r.w7.versions} versions (wrk -t1 -c${r.w7.connections}, ${r.w7.seconds} s × ${r.w7.reps}, alternating with verdaccio ${r.w7.verdaccio} in the same run; full JSON, gzip)`,
      ["server", "body", "req/s", "vs verdaccio", "p50 latency", "server CPU/req"],
      Object.entries(r.w7.routes).map(([name, x]) => [name, `${x.bytes} B ${x.encoding}`, x.rps.toFixed(0), fmtRatio(x.ratioToVerdaccio), `${(x.p50us / 1000).toFixed(2)} ms`, `${x.cpuUsPerRequest.toFixed(0)} µs`])));
  }
  const t = targets(r);
  if (t.length) parts.push(table("Targets", ["target", "goal", "measured", "met"], t.map((x) => [x.name, x.goal, x.shown, x.met ? "yes" : "NO"])));
  return parts.join("\n");
}
