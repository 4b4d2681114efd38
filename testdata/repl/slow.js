// slow.js: busy for a moment before it opens its port, so a .send typed
// right after .spawn must wait for the entry to have run.
const t0 = Date.now();
while (Date.now() - t0 < 300) {}
new ReceivePort().listen((m) => console.log("slow got", m));
