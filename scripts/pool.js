// pool.js: a worker pool. Jobs fan out with Isolate.run, at most POOL_SIZE
// at a time: each job runs in a fresh isolate, so they run in parallel on
// separate goroutines, and each result comes back as its promise's value.
// Results are collected in job order; a job that throws rejects its promise
// and the pool records the error instead of stopping.
//
//   go run . scripts/pool.js

const POOL_SIZE = 3;

// The work function is sent as source: it must not use this script's
// variables.
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

async function pool(jobs, size, work) {
  const results = new Array(jobs.length);
  let next = 0, running = 0, maxRunning = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        results[i] = { ok: await Isolate.run(work, jobs[i]) };
      } catch (e) {
        results[i] = { error: `${e.name}: ${e.message}` };
      }
      running--;
    }
  }
  await Promise.all(Array.from({ length: size }, worker));
  return { results, maxRunning };
}

async function main() {
  const jobs = [10, 100, 1000, -1, 10000, 50000, 100000];
  const { results, maxRunning } = await pool(jobs, POOL_SIZE, countPrimes);
  jobs.forEach((limit, i) => {
    const r = results[i];
    console.log(r.error ? `job ${i}: failed: ${r.error}` : `job ${i}: primes below ${limit}: ${r.ok}`);
  });
  console.log(`${jobs.length} jobs, at most ${maxRunning} isolates at once`);
}

main();
