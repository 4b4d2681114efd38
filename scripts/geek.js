// geek.js: the seed program, ported from Dart. The main isolate spawns a
// worker that prints a greeting every 2 seconds from a periodic timer, then
// waits for a line on stdin, kills the worker immediately and exits.
//
//   (sleep 4.5; echo) | isobox scripts/geek.js

let geek = null;

function gfg(sendPort) {
  let counter = 0;
  Timer.periodic(2000, () => {
    counter++;
    const msg = `Welcome to GeeksForGeeks ${counter}`;
    stdout.writeln(msg);
    sendPort.send(msg);
  });
}

async function main() {
  stdout.writeln("--------------Start Geek Isolate--------------");
  const geekReceive = new ReceivePort();
  geekReceive.keepAlive = false;
  geekReceive.listen(() => {});
  geek = await Isolate.spawn(gfg, geekReceive.sendPort);
  stdout.writeln("Press enter key to quit");
  await stdin.first;
  geek.kill({ priority: Isolate.immediate });
  geek = null;
  stdout.writeln("--------------Stopping Geek Isolate--------------");
  stdout.writeln("GoodBye Geek!");
  exit(0);
}

main();
