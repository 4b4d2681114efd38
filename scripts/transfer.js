// transfer.js: moves a 64 MB ArrayBuffer to a worker without copying it.
// Listing the buffer in send's transfer list moves its bytes: the worker
// gets them, and the sender's buffer is detached (byteLength 0, unusable),
// so the two isolates never share memory. Without the transfer list the
// buffer would be copied and the sender would keep its own.
//
//   go run . scripts/transfer.js

const MB = 1024 * 1024;

function worker(reply) {
  const inbox = new ReceivePort();
  reply.send(inbox.sendPort);
  inbox.listen((buf) => {
    const bytes = new Uint8Array(buf);
    reply.send({ byteLength: buf.byteLength, first: bytes[0], last: bytes[bytes.length - 1] });
    inbox.close();
  });
}

async function main() {
  const buf = new ArrayBuffer(64 * MB);
  const bytes = new Uint8Array(buf);
  bytes[0] = 42;
  bytes[bytes.length - 1] = 7;
  console.log(`sender: ${buf.byteLength / MB} MB, first byte ${bytes[0]}, last byte ${bytes[bytes.length - 1]}`);

  // A copy first, for contrast: structuredClone without a transfer list.
  const copy = structuredClone(buf);
  console.log(`a copy is ${copy.byteLength / MB} MB and the original keeps its ${buf.byteLength / MB} MB`);

  const reply = new ReceivePort();
  const answers = [];
  let wake = null;
  reply.listen((m) => { answers.push(m); if (wake) wake(); });
  const next = () => answers.length ? Promise.resolve(answers.shift())
    : new Promise((r) => { wake = () => { wake = null; r(answers.shift()); }; });

  await Isolate.spawn(worker, reply.sendPort, { name: "worker" });
  const workerPort = await next();

  workerPort.send(buf, [buf]); // move, don't copy
  console.log(`after the transfer the sender's buffer is detached: byteLength ${buf.byteLength}, view length ${bytes.length}`);
  try {
    new Uint8Array(buf);
  } catch (e) {
    console.log(`using it throws ${e.name}`);
  }

  const got = await next();
  console.log(`worker: received ${got.byteLength / MB} MB, first byte ${got.first}, last byte ${got.last}`);
  reply.close();
}

main();
