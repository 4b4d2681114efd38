// pool-worker.ts: a worker of ts-pool.ts. It opens an inbox, tells the pool
// where it is, and runs each job it gets with the shared module.
import { work, runs, type Job, type Outcome } from "./jobs.ts";

interface Hello {
  name: string;
  pool: SendPort;
}

export function main({ name, pool }: Hello): void {
  const inbox = new ReceivePort(name);
  inbox.listen((job: Job | "stop") => {
    if (job === "stop") {
      pool.send({ bye: name, runs });
      inbox.close();
      return;
    }
    let outcome: Outcome;
    try {
      outcome = { id: job.id, ok: true, value: work(job) };
    } catch (e) {
      outcome = { id: job.id, ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
    }
    pool.send({ from: name, outcome });
  });
  pool.send({ ready: name, port: inbox.sendPort });
}
