// broadcast_fanout.js: a BroadcastChannel fan-out across three isolates.
// Two subscriber isolates and the main one join the channel "news"; every
// message one of them posts reaches all the others (never itself), cloned.
// Each subscriber acknowledges each headline on a second channel, and
// everyone closes its channels at the end so that every isolate exits.
//
//   go run . scripts/broadcast_fanout.js

const HEADLINES = ["isolates share nothing", "ports carry clones", "channels fan out"];

function subscriber(ready) {
  const news = new BroadcastChannel("news");
  const acks = new BroadcastChannel("acks");
  const me = Isolate.current.name;
  news.onmessage = ({ data }) => {
    if (data === "that's all") { news.close(); acks.close(); return; }
    acks.postMessage(`${me} read "${data.title}" (#${data.n})`);
  };
  ready.send(me);
}

const news = new BroadcastChannel("news");
const acks = new BroadcastChannel("acks");
const lines = [];
acks.onmessage = ({ data }) => {
  lines.push(data);
  if (lines.length === HEADLINES.length * 2) {
    lines.sort().forEach((l) => console.log(l));
    news.postMessage("that's all");
    news.close();
    acks.close();
  }
};

const ready = new ReceivePort();
const subscribed = [];
ready.listen((name) => {
  subscribed.push(name);
  if (subscribed.length < 2) return;
  console.log(`subscribed: ${subscribed.sort().join(", ")}`);
  ready.close();
  HEADLINES.forEach((title, n) => news.postMessage({ title, n }));
});
Isolate.spawn(subscriber, ready.sendPort, { name: "alice" });
Isolate.spawn(subscriber, ready.sendPort, { name: "bob" });
