// web-globals.js: the everyday Web globals, each built the first time a
// script touches it. A worker isolate hashes and encodes what it is sent;
// the main isolate parses URLs, decodes a stream split mid-character, and
// prints a summary table the way Node does.
//
//   go run . scripts/web-globals.js

const enc = new TextEncoder();
const dec = new TextDecoder();

// A stream whose chunks split a multi-byte character: stream: true keeps
// the partial sequence for the next chunk.
const bytes = enc.encode("naïve café €5 😀");
const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 13), bytes.subarray(13)];
let text = "";
for (const c of chunks) text += dec.decode(c, { stream: true });
text += dec.decode();
console.log("decoded:", text);

// URL and URLSearchParams: searchParams is live-bound to its URL.
const url = new URL("../search?q=isolates&lang=go#top", "https://example.com/docs/guide/");
url.searchParams.append("page", "2");
url.searchParams.sort();
console.log("href:", url.href);
console.log("origin:", url.origin, "path:", url.pathname);
console.log("canParse:", URL.canParse("not a url"), URL.canParse("/x", "http://h"));

// base64 round trip.
const b64 = btoa("isobox");
console.log("btoa:", b64, "atob:", atob(b64));

// A worker isolate digests the texts it is given (crypto.subtle there is
// its own, built when it first touches it).
async function main() {
  const texts = ["abc", "", text];
  const digests = await Isolate.run(async (list) => {
    const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
    const out = [];
    for (const t of list) {
      const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(t));
      out.push({ text: t.length > 8 ? t.slice(0, 8) + "…" : t, sha256: hex(d).slice(0, 16) });
    }
    return out;
  }, texts);
  console.table(digests);

  performance.mark("start");
  const uuid = crypto.randomUUID();
  performance.mark("end");
  const m = performance.measure("uuid", "start", "end");
  console.log("uuid looks right:", /^[0-9a-f-]{36}$/.test(uuid), "measure:", m.name, m.duration >= 0);

  console.group("counts");
  for (const w of ["a", "b", "a"]) console.count(w);
  console.groupEnd();
}
main();
