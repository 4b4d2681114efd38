// periodic-kill.js: three isolates tick on periodic timers and report each
// tick to the main isolate, which then kills them one by one, each in its
// own way, and learns of each death from an exit listener:
//
//   - "steady" is killed with Isolate.beforeNextEvent (the default): the
//     event it is handling finishes, and nothing runs after it.
//   - "busy" is stuck in `while (true) {}` after its third tick. It never
//     reaches a "next event", so only Isolate.immediate can stop it: that
//     interrupts the running JS at once.
//   - "self" kills itself with Isolate.immediate after its third tick; no
//     code after the call runs.
//
//   go run . scripts/periodic-kill.js

function steady({ name, report }) {
  Timer.periodic(20, (t) => report.send({ name, tick: t.tick }));
}

function busy({ name, report }) {
  Timer.periodic(30, (t) => {
    report.send({ name, tick: t.tick });
    if (t.tick === 3) while (true) {} // hog the isolate forever
  });
}

function self({ name, report }) {
  Timer.periodic(40, (t) => {
    report.send({ name, tick: t.tick });
    if (t.tick === 3) {
      Isolate.current.kill({ priority: Isolate.immediate });
      stdout.writeln("never printed: an immediate self-kill stops the code at once");
    }
  });
}

async function main() {
  const ticks = new ReceivePort();
  const exits = new ReceivePort();
  const seen = {}; // name -> latest tick
  const gone = new Set(); // names whose exit listener fired
  let wake = () => {};
  ticks.listen(({ name, tick }) => { seen[name] = tick; wake(); });
  exits.listen((name) => { gone.add(name); wake(); });
  const until = (cond) => new Promise((resolve) => {
    wake = () => { if (cond()) { wake = () => {}; resolve(); } };
    wake();
  });

  const plan = [
    ["steady", steady, Isolate.beforeNextEvent],
    ["busy", busy, Isolate.immediate],
    ["self", self, null], // it kills itself
  ];
  const isolates = {};
  for (const [name, fn] of plan) {
    isolates[name] = await Isolate.spawn(fn, { name, report: ticks.sendPort }, { name });
    // The response is what the listener receives when the isolate dies.
    isolates[name].addOnExitListener(exits.sendPort, { response: name });
    console.log(`spawned ${name}`);
  }

  for (const [name, , priority] of plan) {
    await until(() => seen[name] >= 3);
    if (priority) {
      console.log(`${name}: 3 ticks, killing it with ${priority}`);
      isolates[name].kill({ priority });
    } else {
      console.log(`${name}: 3 ticks, it kills itself`);
    }
    await until(() => gone.has(name));
    console.log(`${name}: exit listener fired`);
  }
  ticks.close();
  exits.close();
  console.log("all workers are gone");
}

main();
