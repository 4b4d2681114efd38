// The Web surface being merged from other branches, typed as lib.dom types it.
export {};

const u = new URL("https://example.com/a?b=1");
u.searchParams.set("c", "2");
console.log(u.href, URL.canParse("x:"), new URLSearchParams({ a: "1" }).toString());
const bytes: Uint8Array = new TextEncoder().encode("hi");
console.log(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
const { port1, port2 } = new MessageChannel();
port1.onmessage = (ev: MessageEvent<string>) => console.log(ev.data);
port2.postMessage("ping");
const bc = new BroadcastChannel("news");
bc.postMessage({ a: 1 });
bc.close();
const w = new Worker("./w.mjs", { type: "module", name: "w" });
w.addEventListener("message", (ev) => console.log(ev.type));
w.terminate();
const ac = new AbortController();
ac.signal.addEventListener("abort", () => console.log(ac.signal.reason), { once: true });
ac.abort(new DOMException("stop", "AbortError"));
const t0: number = performance.now();
performance.mark("m");
console.log(crypto.randomUUID(), crypto.getRandomValues(new Uint8Array(4)), t0);
const target = new EventTarget();
target.dispatchEvent(new Event("x"));
