// web_worker_pool.js: a worker pool written the Web way. Each worker is a
// `new Worker(file)`; the pool talks to each one on a MessageChannel whose
// port2 it transfers to the worker, so that jobs and results travel on a
// private line. A job goes to whichever worker is free; results are
// printed in job order, and a job that throws is recorded, not fatal.
//
//   go run . scripts/web_worker_pool.js

const POOL_SIZE = 3;
const jobs = [10, 100, 1000, 10000, -1, 50000, 20, 2000];

function startWorker(name) {
  const worker = new Worker("./workers/primes.js", { name });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage("hello", [port2]); // queued until the worker's script has run
  return new Promise((resolve) => {
    port1.onmessage = ({ data }) => {
      if (data.ready) resolve({ name, worker, port: port1 });
    };
  });
}

async function runPool() {
  const workers = await Promise.all(
    Array.from({ length: POOL_SIZE }, (_, i) => startWorker(`w${i + 1}`)));
  console.log(`${workers.length} workers ready: ${workers.map((w) => w.name).join(", ")}`);

  const results = new Array(jobs.length);
  let next = 0;
  const used = new Set();
  await Promise.all(workers.map((w) => new Promise((done) => {
    const feed = () => {
      if (next >= jobs.length) { w.port.postMessage("stop"); w.port.close(); done(); return; }
      const id = next++;
      w.port.postMessage({ id, limit: jobs[id] });
    };
    w.port.onmessage = ({ data }) => {
      results[data.id] = data;
      used.add(data.worker);
      feed();
    };
    feed();
  })));

  results.forEach((r, i) => {
    const what = "ok" in r ? `${r.ok} primes` : `failed (${r.error})`;
    console.log(`job ${i}: primes below ${jobs[i]}: ${what}`);
  });
  console.log(`${results.length} jobs, ${used.size <= POOL_SIZE ? "at most " + POOL_SIZE : "too many"} workers`);
}

runPool();
