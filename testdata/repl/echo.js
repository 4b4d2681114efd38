// echo.js: prints every message sent to its default port (its first
// ReceivePort). The REPL tests spawn it with .spawn and talk to it with
// .send.
const inbox = new ReceivePort();
inbox.listen((m) => console.log("echo got", m));
