// workers/primes.js: the worker of web_worker_pool.js. It is a classic Web
// worker: its global scope is `self`, the pool sends it one MessagePort,
// and every job arrives on that port and is answered on it.

function countPrimes(limit) {
  if (limit < 0) throw new RangeError(`limit must be >= 0, got ${limit}`);
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) { prime = false; break; }
    }
    if (prime) count++;
  }
  return count;
}

self.onmessage = (event) => {
  const [port] = event.ports; // the pool's private line to this worker
  port.onmessage = ({ data: job }) => {
    if (job === "stop") { port.close(); self.close(); return; }
    try {
      port.postMessage({ id: job.id, worker: self.name, ok: countPrimes(job.limit) });
    } catch (e) {
      port.postMessage({ id: job.id, worker: self.name, error: `${e.name}: ${e.message}` });
    }
  };
  port.postMessage({ ready: self.name });
};
