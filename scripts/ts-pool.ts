// ts-pool.ts: a worker pool in TypeScript: three workers, spawned from a .ts file, import the same module as the pool (lib/jobs.ts), take jobs as they come free, and the results are printed in job order, errors included.
import { describe, JobKind, runs, type Job, type Outcome } from "./lib/jobs.ts";

type FromWorker =
  | { ready: string; port: SendPort }
  | { from: string; outcome: Outcome }
  | { bye: string; runs: number };

const jobs: Job[] = [
  { id: 1, kind: JobKind.Fib, n: 30 },
  { id: 2, kind: JobKind.Primes, n: 20000 },
  { id: 3, kind: JobKind.Collatz, n: 27 },
  { id: 4, kind: JobKind.Fib, n: -1 },
  { id: 5, kind: JobKind.Primes, n: 100 },
  { id: 6, kind: JobKind.Collatz, n: 97 },
  { id: 7, kind: JobKind.Fib, n: 50 },
];

const WORKERS = 3;
const inbox = new ReceivePort("pool");
const idle: SendPort[] = [];
const outcomes = new Map<number, Outcome>();
let next = 0;
let handled = 0;
let byes = 0;

function dispatch(): void {
  while (idle.length > 0 && next < jobs.length) idle.shift()!.send(jobs[next++]);
}

const workers = new Map<string, SendPort>();
inbox.listen((m: FromWorker) => {
  if ("ready" in m) {
    workers.set(m.ready, m.port);
    idle.push(m.port);
  } else if ("outcome" in m) {
    outcomes.set(m.outcome.id, m.outcome);
    idle.push(workers.get(m.from)!);
  } else {
    handled += m.runs;
    if (++byes === WORKERS) finish();
    return;
  }
  if (outcomes.size === jobs.length) {
    for (const w of workers.values()) w.send("stop");
    return;
  }
  dispatch();
});

function finish(): void {
  for (const job of jobs) {
    const o = outcomes.get(job.id)!;
    console.log(`job ${job.id} ${describe(job)} = ${o.ok ? o.value : "failed: " + o.error}`);
  }
  console.log(`${WORKERS} workers ran ${handled} jobs; the pool's own instance of jobs.ts ran ${runs}`);
  inbox.close();
}

for (let i = 1; i <= WORKERS; i++) {
  await Isolate.spawnFile("./lib/pool-worker.ts", { name: `worker-${i}`, pool: inbox.sendPort });
}
