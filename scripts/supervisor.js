// supervisor.js: a one_for_one supervisor, as in Erlang/OTP. It starts two
// children and watches each with an error listener and an exit listener
// (the onError and onExit spawn options). When a child crashes (an
// uncaught error ends its isolate), only that child is restarted. After
// MAX_RESTARTS restarts the supervisor gives up: it stops the other
// children and ends, as an OTP supervisor does when its restart intensity
// is exceeded. (OTP counts restarts within a time window; this one counts
// them over its whole life, so its output is the same on every run.)
//
//   go run . scripts/supervisor.js

const MAX_RESTARTS = 3;

// A child that serves requests and never crashes.
function steady() {
  const inbox = new ReceivePort();
  Isolate.publish(inbox); // its default port: where requests go
  inbox.listen(([question, replyTo]) => replyTo.send(`steady heard "${question}"`));
}

// A child with a bug: it crashes shortly after it starts.
function flaky(generation) {
  setTimeout(() => {
    throw new Error(`flaky crashed in generation ${generation}`);
  }, 10);
}

const specs = [
  { name: "steady", fn: steady },
  { name: "flaky", fn: flaky },
];

async function main() {
  let restarts = 0;
  const children = {}; // name -> { isolate, generation }
  let done;
  const finished = new Promise((resolve) => { done = resolve; });

  async function start(spec, generation) {
    const errors = new ReceivePort();
    const exits = new ReceivePort();
    let crash = null;
    errors.listen((e) => { crash = e; });
    exits.listen(() => {
      errors.close();
      exits.close();
      onExit(spec, generation, crash);
    });
    const isolate = await Isolate.spawn(spec.fn, generation, {
      name: spec.name,
      onError: errors.sendPort,
      onExit: exits.sendPort,
    });
    children[spec.name] = { isolate, generation, exits };
    console.log(`started ${spec.name} (generation ${generation}, isolate ${isolate.id})`);
  }

  async function onExit(spec, generation, crash) {
    if (!crash) return; // a normal exit or our own kill: nothing to do
    console.log(`${spec.name} crashed: ${crash.name}: ${crash.message}`);
    if (restarts === MAX_RESTARTS) {
      console.log(`restart limit (${MAX_RESTARTS}) reached: shutting down`);
      await shutdown();
      return;
    }
    restarts++;
    console.log(`restarting ${spec.name} (restart ${restarts} of ${MAX_RESTARTS})`);
    await start(spec, generation + 1); // one_for_one: the others keep running
  }

  async function shutdown() {
    for (const [name, child] of Object.entries(children)) {
      if (name === "flaky") continue; // already dead
      const reply = new ReceivePort();
      child.isolate.ping(reply.sendPort, { response: "pong" });
      await reply.first;
      console.log(`${name} is still generation ${child.generation} (isolate ${child.isolate.id}): never restarted`);
      child.isolate.kill();
      await child.isolate.exited;
      console.log(`stopped ${name}`);
    }
    done();
  }

  for (const spec of specs) await start(spec, 1);
  await finished;
  console.log("supervisor done");
}

main();
