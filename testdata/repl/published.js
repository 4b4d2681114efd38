// published.js: opens two ports and publishes the second as its default
// port, so .send reaches it rather than the first one.
const first = new ReceivePort();
first.listen((m) => console.log("first port got", m));
const second = new ReceivePort();
second.listen((m) => console.log("published port got", m));
Isolate.publish(second);
Timer.periodic(60000, () => {});
