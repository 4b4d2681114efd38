// workloads.js: the Node worker_threads side of `go run ./bench/compare`.
// Usage: node workloads.js CONFIG_JSON. Prints one JSON object mapping each
// metric name (the same names the Go side uses) to its value in each run.
'use strict';
const { Worker } = require('worker_threads');
const { performance } = require('perf_hooks');

// The child side of the process rows (child_process.fork of this file).
if (process.argv[2] === '--child') {
  const mode = process.argv[3];
  if (mode === 'first') { process.send(1, () => process.exit(0)); }
  if (mode === 'echo') process.on('message', (m) => { if (m === 'stop') process.exit(0); else process.send(m); });
  if (mode === 'busy') { process.send(1); setImmediate(() => { while (true) {} }); }
  if (mode === 'idle') process.send({ rss: process.memoryUsage().rss });
  if (mode === 'recv') {
    let k = 0, n = 0;
    process.on('message', (m) => { if (typeof m === 'object') { n = m.n; return; } if (++k === n) process.send(k); });
    process.send('ready');
  }
  return;
}

const cfg = JSON.parse(process.argv[2] || '{}');
const out = {};
const add = (k, v) => { (out[k] = out[k] || []).push(v); };
const pct = (xs, p) => {
  const s = xs.slice().sort((a, b) => a - b);
  let i = Math.ceil((p / 100) * s.length) - 1;
  return s[Math.max(0, Math.min(s.length - 1, i))];
};
const addLatency = (prefix, us) => { add(prefix + ' p50 (µs)', pct(us, 50)); add(prefix + ' p99 (µs)', pct(us, 99)); };
const now = () => performance.now() * 1000; // µs
const wants = (name) => !cfg.only || cfg.only.split(',').map((s) => s.trim()).includes(name);
const sizeName = (n) => (n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MB` : `${n >> 10} KB`);
const log = (s) => process.stderr.write(s + '\n');

const worker = (code) => new Worker(code, { eval: true });
const exited = (w) => new Promise((r) => w.once('exit', r));

// inbox turns a worker's messages into awaitable values.
function inbox(w) {
  const q = []; let wake = null;
  w.on('message', (m) => { if (wake) { const f = wake; wake = null; f(m); } else q.push(m); });
  return () => (q.length ? Promise.resolve(q.shift()) : new Promise((r) => { wake = r; }));
}

function graph(bytes) {
  const items = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const it = { id: i, name: 'item-' + i, tags: ['x', 'y', 'z'], pos: { x: i * 0.5, y: -i, ok: i % 2 === 0 } };
    items.push(it);
    size += JSON.stringify(it).length + 1;
  }
  return { kind: 'graph', items };
}

const ECHO = `const { parentPort } = require('worker_threads');
parentPort.on('message', (m) => { if (m === 'stop') { parentPort.close(); return; }
  if (m instanceof ArrayBuffer) parentPort.postMessage(m, [m]); else parentPort.postMessage(m); });`;

async function spawnFirst(n) {
  const us = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const w = worker(`require('worker_threads').parentPort.postMessage(1)`);
    const ex = exited(w);
    await new Promise((r) => w.once('message', r));
    us.push(now() - t0);
    await ex;
  }
  return us;
}

async function idle(n) {
  global.gc && global.gc();
  const rss0 = process.memoryUsage().rss;
  const ws = [];
  for (let i = 0; i < n; i++) {
    const w = worker(`const { parentPort, MessageChannel } = require('worker_threads');
      const c = new MessageChannel(); c.port1.on('message', () => {}); parentPort.postMessage(1);`);
    await new Promise((r) => w.once('message', r));
    ws.push(w);
  }
  global.gc && global.gc();
  const rss1 = process.memoryUsage().rss;
  await Promise.all(ws.map((w) => w.terminate()));
  return (rss1 - rss0) / n;
}

async function roundTrip(n, v) {
  const w = worker(ECHO);
  const ex = exited(w);
  const next = inbox(w);
  w.postMessage(0); await next(); // warm-up: the worker is running
  const us = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    w.postMessage(v);
    await next();
    us.push(now() - t0);
  }
  w.postMessage('stop'); await ex;
  return us;
}

async function throughput(n) {
  const { MessageChannel } = require('worker_threads');
  const ch = new MessageChannel();
  const recv = worker(`const { parentPort } = require('worker_threads');
    parentPort.once('message', ({ port, n }) => { let k = 0;
      port.on('message', () => { if (++k === n) { parentPort.postMessage(k); port.close(); } });
      parentPort.postMessage('ready'); });`);
  const send = worker(`const { parentPort } = require('worker_threads');
    parentPort.once('message', ({ port, n }) => { parentPort.once('message', () => {
      for (let i = 0; i < n; i++) port.postMessage(i); port.close(); }); parentPort.postMessage('ready'); });`);
  const rnext = inbox(recv), snext = inbox(send);
  const exs = [exited(recv), exited(send)];
  recv.postMessage({ port: ch.port2, n }, [ch.port2]);
  send.postMessage({ port: ch.port1, n }, [ch.port1]);
  await rnext(); await snext();
  const t0 = now();
  send.postMessage('go');
  const k = await rnext();
  const secs = (now() - t0) / 1e6;
  if (k !== n) throw new Error('throughput: count ' + k);
  await Promise.all(exs);
  return n / secs;
}

async function clone(n, size) {
  const g = graph(size);
  const w = worker(ECHO); const ex = exited(w); const next = inbox(w);
  w.postMessage(0); await next(); // warm-up: the worker is running
  const rt = [], js = [];
  for (let i = 0; i < n; i++) {
    const t0 = now(); w.postMessage(g); const back = await next(); rt.push(now() - t0);
    if (back.items.length !== g.items.length) throw new Error('bad echo');
  }
  for (let i = 0; i < n; i++) {
    const t0 = now(); const back = JSON.parse(JSON.stringify(g)); js.push(now() - t0);
    if (back.items.length !== g.items.length) throw new Error('bad json');
  }
  w.postMessage('stop'); await ex;
  return { rt, js };
}

async function transfer(n, size) {
  const w = worker(ECHO); const ex = exited(w); const next = inbox(w);
  w.postMessage(0); await next(); // warm-up: the worker is running
  let buf = new ArrayBuffer(size);
  const rt = [];
  for (let i = 0; i < n; i++) {
    const t0 = now(); w.postMessage(buf, [buf]); buf = await next(); rt.push(now() - t0);
    if (buf.byteLength !== size) throw new Error('bad transfer');
  }
  w.postMessage('stop'); await ex;
  return rt;
}

async function kill(n) {
  const us = [];
  for (let i = 0; i < n; i++) {
    const w = worker(`require('worker_threads').parentPort.postMessage(1); while (true) {}`);
    await new Promise((r) => w.once('message', r));
    await new Promise((r) => setTimeout(r, 1));
    const ex = exited(w);
    const t0 = now();
    w.terminate();
    await ex;
    us.push(now() - t0);
  }
  return us;
}

const CPU = `const { parentPort } = require('worker_threads');
parentPort.once('message', (n) => { let s = 0; for (let i = 0; i < n; i++) { s = (s + i * 7) % 1000003; } parentPort.postMessage(s); });
parentPort.postMessage('ready');`;

async function cpuRun(k, iters) {
  const ws = [], nexts = [];
  const exs = [];
  for (let i = 0; i < k; i++) { const w = worker(CPU); ws.push(w); exs.push(exited(w)); nexts.push(inbox(w)); }
  await Promise.all(nexts.map((f) => f()));
  const t0 = now();
  ws.forEach((w) => w.postMessage(iters));
  await Promise.all(nexts.map((f) => f()));
  const t = now() - t0;
  await Promise.all(exs);
  return t;
}

async function timer(interval, total) {
  return new Promise((resolve) => {
    const ticks = [];
    const t0 = performance.now();
    const id = setInterval(() => {
      ticks.push(performance.now() - t0);
      if (ticks.length * interval >= total) { clearInterval(id); resolve(ticks); }
    }, interval);
  });
}

// Process rows: child_process.fork with its IPC channel, the peer of
// isobox's process isolates.
const { fork } = require('child_process');
const child = (mode) => fork(__filename, ['--child', mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const childExit = (c) => new Promise((r) => c.once('exit', r));
const childMsg = (c) => new Promise((r) => c.once('message', r));

async function processRows(n) {
  let us = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const c = child('first');
    const ex = childExit(c);
    await childMsg(c);
    us.push(now() - t0);
    await ex;
  }
  addLatency('process spawn → first message, no pool', us);
  for (const [name, v] of [['number', 42], ['object', { a: 1, b: 'hello', c: [1, 2, 3], d: { e: true } }]]) {
    const c = child('echo');
    const ex = childExit(c);
    c.send(0); await childMsg(c);
    us = [];
    for (let i = 0; i < 100 * n; i++) {
      const t0 = now();
      c.send(v);
      await childMsg(c);
      us.push(now() - t0);
    }
    c.send('stop'); await ex;
    addLatency('process round trip ' + name, us);
  }
  {
    const m = Math.max(Math.floor(cfg.throughputN / 5), 1000);
    const c = child('recv');
    await childMsg(c);
    c.send({ n: m });
    const t0 = now();
    const done = childMsg(c);
    for (let i = 0; i < m; i++) c.send(i);
    await done;
    add('process throughput one-way (msgs/s)', m / ((now() - t0) / 1e6));
    c.kill(); await childExit(c);
  }
  us = [];
  for (let i = 0; i < n; i++) {
    const c = child('busy');
    await childMsg(c);
    await new Promise((r) => setTimeout(r, 1));
    const ex = childExit(c);
    const t0 = now();
    c.kill('SIGKILL');
    await ex;
    us.push(now() - t0);
  }
  addLatency('process kill busy isolate → exit seen', us);
  let rss = 0;
  const k = Math.min(n, 5);
  for (let i = 0; i < k; i++) {
    const c = child('idle');
    rss += (await childMsg(c)).rss;
    c.kill(); await childExit(c);
  }
  add('process worker with one idle isolate: RSS (bytes)', rss / k);
}

async function main() {
  for (let r = 0; r < cfg.repeats; r++) {
    log(`node run ${r + 1}/${cfg.repeats}`);
    if (wants('spawn')) addLatency('spawn → first message', await spawnFirst(cfg.nodeSpawnN));
    if (wants('idle')) add('idle isolate: RSS (bytes)', await idle(cfg.nodeIdleN));
    if (wants('roundtrip')) {
      addLatency('round trip number', await roundTrip(cfg.roundTripN, 42));
      addLatency('round trip object', await roundTrip(cfg.roundTripN, { a: 1, b: 'hello', c: [1, 2, 3], d: { e: true } }));
    }
    if (wants('jsside')) {
      // Node's side is JS to JS already: the same rows as means.
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
      add('from JS: spawn → first message, mean (µs)', mean(await spawnFirst(cfg.nodeSpawnN)));
      const n = Math.max(1, Math.min(cfg.jsRoundTripN || 1, 10000));
      add('from JS: round trip number JS ↔ JS, mean (µs)', mean(await roundTrip(n, 42)));
      add('from JS: round trip object JS ↔ JS, mean (µs)', mean(await roundTrip(n, { a: 1, b: 'hello', c: [1, 2, 3], d: { e: true } })));
    }
    if (wants('throughput')) add('throughput one-way (msgs/s)', await throughput(cfg.throughputN));
    if (wants('clone')) {
      const c = await clone(cfg.cloneN, cfg.cloneBytes);
      addLatency(`clone ${sizeName(cfg.cloneBytes)} graph round trip`, c.rt);
      addLatency(`JSON.stringify+parse ${sizeName(cfg.cloneBytes)} graph`, c.js);
    }
    if (wants('transfer')) {
      for (const size of cfg.transferSizes) {
        addLatency(`transfer ${sizeName(size)} ArrayBuffer round trip`, await transfer(cfg.transferN, size));
      }
    }
    if (wants('kill')) addLatency('kill busy isolate → exit seen', await kill(cfg.killN));
    if (wants('process')) await processRows(Math.max(cfg.processN || 1, 1));
    if (wants('cpu')) {
      const n = cfg.cpuWorkers;
      const iters = cfg.nodeCpuIters || cfg.cpuIters;
      const t1 = await cpuRun(1, iters);
      const tn = await cpuRun(n, iters);
      add(`CPU speed-up, ${n} isolates vs 1 (×)`, (n * t1) / tn);
    }
    if (wants('timer')) {
      const ticks = await timer(cfg.timerMs, cfg.timerTotalMs);
      let prev = 0, mean = 0, mx = 0;
      for (const t of ticks) { const j = Math.abs(t - prev - cfg.timerMs); mean += j; mx = Math.max(mx, j); prev = t; }
      const p = `setInterval(${cfg.timerMs}) over ${cfg.timerTotalMs / 1000} s`;
      add(`${p}: final drift (ms)`, ticks[ticks.length - 1] - ticks.length * cfg.timerMs);
      add(`${p}: mean jitter (ms)`, mean / ticks.length);
      add(`${p}: max jitter (ms)`, mx);
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
