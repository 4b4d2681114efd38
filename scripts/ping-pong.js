// ping-pong.js: two isolates play ping-pong. Each opens a ReceivePort and
// sends its SendPort to the other, so after the introduction they talk
// directly; the main isolate only introduces them and hears the score.
// Ports are the only way isolates talk: they share no memory.
//
//   go run . scripts/ping-pong.js

function pong(intro) {
  const inbox = new ReceivePort();
  intro.send(inbox.sendPort); // "reach me here"
  inbox.listen(([ball, n, replyTo, last]) => {
    stdout.writeln(`  pong <- ${ball} ${n}`);
    replyTo.send(["pong", n]);
    if (last) inbox.close(); // nothing left to wait for: this isolate ends
  });
}

function ping({ pongPort, done, rallies }) {
  const inbox = new ReceivePort();
  const serve = (n) => pongPort.send(["ping", n, inbox.sendPort, n === rallies]);
  inbox.listen(([ball, n]) => {
    stdout.writeln(`ping <- ${ball} ${n}`);
    if (n === rallies) {
      inbox.close();
      done.send(`${rallies} rallies, no ball dropped`);
    } else {
      serve(n + 1);
    }
  });
  serve(1);
}

async function main() {
  const intro = new ReceivePort();
  await Isolate.spawn(pong, intro.sendPort, { name: "pong" });
  const pongPort = await intro.first; // pong's SendPort

  const done = new ReceivePort();
  await Isolate.spawn(ping, { pongPort, done: done.sendPort, rallies: 3 }, { name: "ping" });
  console.log("score:", await done.first);
}

main();
