// jobs.ts: the jobs of ts-pool.ts and the work itself, one module shared by
// the pool and its workers (each isolate gets its own instance of it).

export enum JobKind {
  Fib = "fib",
  Primes = "primes",
  Collatz = "collatz",
}

export interface Job {
  id: number;
  kind: JobKind;
  n: number;
}

export type Outcome = { id: number; ok: true; value: number } | { id: number; ok: false; error: string };

/** How many jobs this instance of the module has run (per isolate). */
export let runs = 0;

export function work(job: Job): number {
  runs++;
  if (job.n < 0) throw new RangeError(`${job.kind}(${job.n}): n must not be negative`);
  switch (job.kind) {
    case JobKind.Fib: {
      let [a, b] = [0, 1];
      for (let i = 0; i < job.n; i++) [a, b] = [b, a + b];
      return a;
    }
    case JobKind.Primes: {
      let count = 0;
      for (let k = 2; k <= job.n; k++) {
        let prime = true;
        for (let d = 2; d * d <= k; d++) if (k % d === 0) { prime = false; break; }
        if (prime) count++;
      }
      return count;
    }
    case JobKind.Collatz: {
      let steps = 0;
      for (let x = job.n; x > 1; steps++) x = x % 2 ? 3 * x + 1 : x / 2;
      return steps;
    }
  }
}

export function describe(job: Job): string {
  return `${job.kind}(${job.n})`;
}
