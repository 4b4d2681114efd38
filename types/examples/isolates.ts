// Typed use of the isolate globals: checked by tsc --noEmit (TestTypesCompile).
export {};

const inbox = new ReceivePort("inbox");
inbox.keepAlive = true;
inbox.listen((m: { n: number }) => {
  console.log("got", m.n);
  inbox.close();
});
const child: Isolate = await Isolate.spawn((port: SendPort) => port.send({ n: 1 }), inbox.sendPort, {
  name: "child",
  limits: { maxTaskMs: 100, memoryMb: 64 },
  errorsAreFatal: true,
  process: false,
});
child.addOnExitListener(inbox.sendPort, { response: "bye" });
child.kill({ priority: Isolate.immediate });
await child.exited;

const doubled: number = await Isolate.run((x: number) => x * 2, 21);
const fromFile = await Isolate.spawnFile("./worker.ts", { job: 1 }, { entry: "main" });
console.log(doubled, fromFile.id, fromFile.name, Isolate.current.pauseCapability.equals(new Capability()));

const t = Timer.periodic(10, (timer) => {
  if (timer.tick >= 3) timer.cancel();
});
console.log(t.isActive);
const id: number = setTimeout((a: string) => stdout.writeln(a), 5, "later");
clearTimeout(id);
queueMicrotask(() => stderr.write("micro\n"));

const buf = new ArrayBuffer(8);
const copy = structuredClone({ buf }, { transfer: [buf] });
console.log(copy.buf.byteLength);
try {
  structuredClone(() => 1);
} catch (e) {
  if (e instanceof DOMException) console.log(e.name, e.code === DOMException.DATA_CLONE_ERR);
}
console.log(import.meta.url, import.meta.filename, import.meta.dirname);
