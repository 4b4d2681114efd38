// Must NOT type-check: TestTypesCompile expects tsc to reject each line.
export {};
Isolate.spawn(42);
new ReceivePort().sendPort.send();
const n: string = setTimeout(() => {}, 1);
