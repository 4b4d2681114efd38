package bindings_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// runFiles writes files into a temporary directory and runs main.js from
// there as the main isolate, allowed to read that directory (so that it
// can start Workers on the other files).
func runFiles(t *testing.T, files map[string]string) result {
	t.Helper()
	dir := t.TempDir()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	for name, src := range files {
		src = strings.ReplaceAll(src, "$DIR", dir)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb syncBuffer
	host := engine.NewHost(engine.WithStdout(&out), engine.WithStderr(&errb), engine.WithSetup(bindings.Setup(bindings.Config{})))
	main := filepath.Join(dir, "main.js")
	iso, err := host.Spawn(engine.ScriptSource(main, strings.ReplaceAll(files["main.js"], "$DIR", dir)), engine.WithName("main"),
		engine.WithCapabilities(engine.Capabilities{ReadRoots: []string{dir}}))
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	werr := waitScript(t, host, iso, 30*time.Second, &out, &errb)
	return result{stdout: strings.ReplaceAll(out.String(), dir+string(filepath.Separator), ""), stderr: errb.String(), err: werr}
}

// webCase is a script (and the files it needs) and the stdout it must
// print; wantErr, if set, must occur in the main isolate's error.
type webCase struct {
	name    string
	src     string
	files   map[string]string
	want    string
	wantErr string
}

func runWebCases(t *testing.T, cases []webCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"main.js": tc.src}
			for k, v := range tc.files {
				files[k] = v
			}
			res := runFiles(t, files)
			if res.stdout != tc.want {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s\nerr: %v", res.stdout, tc.want, res.stderr, res.err)
			}
			switch {
			case tc.wantErr == "" && res.err != nil:
				t.Errorf("error: %v\nstderr:\n%s", res.err, res.stderr)
			case tc.wantErr != "" && (res.err == nil || !strings.Contains(res.err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one containing %q", res.err, tc.wantErr)
			}
		})
	}
}

// TestEventTarget follows the DOM Standard's dispatch: listener order
// with capture listeners first at the target, options, duplicates,
// removal during dispatch, stopImmediatePropagation, cancelation, event
// handler attributes and their place in the listener list.
func TestEventTarget(t *testing.T) {
	runWebCases(t, []webCase{
		{name: "order, capture first, handleEvent objects", src: `
			const t = new EventTarget(), log = [];
			t.addEventListener('x', () => log.push('a'));
			t.addEventListener('x', { handleEvent(e) { log.push('h:' + (this !== t)) } });
			t.addEventListener('x', () => log.push('cap'), true);
			t.addEventListener('x', function (e) { log.push('this:' + (this === t) + e.eventPhase) });
			console.log(t.dispatchEvent(new Event('x')), log.join(' '));`,
			want: "true cap a h:true this:true2\n"},
		{name: "duplicates are suppressed by type, callback and capture", src: `
			const t = new EventTarget(); let n = 0; const f = () => n++;
			t.addEventListener('x', f); t.addEventListener('x', f); t.addEventListener('x', f, {capture: false});
			t.addEventListener('x', f, true); t.addEventListener('x', f, {capture: true, once: true});
			t.dispatchEvent(new Event('x')); console.log(n);
			t.removeEventListener('x', f, true); t.dispatchEvent(new Event('x')); console.log(n);
			t.removeEventListener('x', f); t.dispatchEvent(new Event('x')); console.log(n);`,
			want: "2\n3\n3\n"},
		{name: "once, and removal and addition during dispatch", src: `
			const t = new EventTarget(), log = [];
			const b = () => log.push('b');
			t.addEventListener('x', () => { log.push('a'); t.removeEventListener('x', b); t.addEventListener('x', () => log.push('new')); });
			t.addEventListener('x', b);
			t.addEventListener('x', () => log.push('once'), {once: true});
			t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('x'));
			console.log(log.join(' '));`,
			want: "a once a new\n"},
		{name: "stopImmediatePropagation and stopPropagation", src: `
			const t = new EventTarget(), log = [];
			t.addEventListener('x', e => { log.push(1); e.stopImmediatePropagation(); });
			t.addEventListener('x', () => log.push(2));
			t.addEventListener('y', e => { log.push('c'); e.stopPropagation(); }, true);
			t.addEventListener('y', () => log.push('bubble'));
			t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('y'));
			console.log(log.join(' '));`,
			want: "1 c\n"},
		{name: "preventDefault needs cancelable and no passive listener", src: `
			const t = new EventTarget();
			t.addEventListener('x', e => e.preventDefault());
			const a = new Event('x'), b = new Event('x', {cancelable: true});
			console.log(t.dispatchEvent(a), a.defaultPrevented, t.dispatchEvent(b), b.defaultPrevented, b.returnValue);
			const p = new EventTarget();
			p.addEventListener('x', e => e.preventDefault(), {passive: true});
			const c = new Event('x', {cancelable: true});
			console.log(p.dispatchEvent(c), c.defaultPrevented);`,
			want: "true false false true false\ntrue false\n"},
		{name: "script-made events are untrusted; state after dispatch", src: `
			const t = new EventTarget(), e = new Event('x', {bubbles: true});
			let during;
			t.addEventListener('x', ev => during = [ev.target === t, ev.currentTarget === t, ev.eventPhase, ev.composedPath().length]);
			t.dispatchEvent(e);
			console.log(e.isTrusted, during, e.target === t, e.currentTarget, e.eventPhase, e.composedPath().length, e.bubbles);
			console.log(Object.getOwnPropertyNames(e), Event.AT_TARGET, e.CAPTURING_PHASE, typeof e.timeStamp);`,
			want: "false [ true, true, 2, 1 ] true null 0 0 true\n[ 'isTrusted' ] 2 1 number\n"},
		{name: "dispatching an event being dispatched is an InvalidStateError", src: `
			const t = new EventTarget(), e = new Event('x');
			t.addEventListener('x', ev => { try { t.dispatchEvent(ev) } catch (err) { console.log(err.name, err instanceof DOMException) } });
			t.dispatchEvent(e);
			try { t.dispatchEvent({}) } catch (err) { console.log(err.name) }`,
			want: "InvalidStateError true\nTypeError\n"},
		{name: "event handler attributes keep their place", src: `
			const t = new BroadcastChannel('attr'), log = [];
			t.addEventListener('message', () => log.push('first'));
			t.onmessage = () => log.push('h1');
			t.addEventListener('message', () => log.push('last'));
			t.onmessage = () => log.push('h2');   // same place
			t.dispatchEvent(new MessageEvent('message'));
			t.onmessage = null; t.onmessage = () => log.push('h3'); // moved to the end
			t.dispatchEvent(new MessageEvent('message'));
			console.log(log.join(' '), typeof t.onmessage, (t.onmessage = 5, t.onmessage));
			t.close();`,
			want: "first h2 last first last h3 function null\n"},
		{name: "a handler returning false cancels", src: `
			const s = new AbortController().signal;
			s.onabort = () => false;
			const e = new Event('abort', {cancelable: true});
			console.log(s.dispatchEvent(e), e.defaultPrevented);`,
			want: "false true\n"},
		{name: "a throwing listener is reported and the dispatch goes on", src: `
			Isolate.current.setErrorsFatal(false);
			const t = new EventTarget();
			t.addEventListener('x', () => { throw new Error('bad listener') });
			t.addEventListener('x', () => console.log('second ran'));
			console.log(t.dispatchEvent(new Event('x')));`,
			want: "second ran\ntrue\n"},
		{name: "a throwing listener is an uncaught error", src: `
			const t = new EventTarget();
			t.addEventListener('x', () => { throw new RangeError('bad listener') });
			t.addEventListener('x', () => console.log('second ran'));
			t.dispatchEvent(new Event('x'));`,
			want: "second ran\n", wantErr: "bad listener"},
		{name: "recursive dispatch is bounded by the stack limit", src: `
			const t = new EventTarget(); let depth = 0;
			t.addEventListener('x', () => { depth++; t.dispatchEvent(new Event('x')) });
			t.dispatchEvent(new Event('x'));`,
			want: "", wantErr: "Maximum call stack size exceeded"},
		{name: "bad arguments are TypeErrors", src: `
			const t = new EventTarget();
			for (const f of [() => t.addEventListener('x'), () => t.addEventListener('x', 5), () => new Event(),
				() => t.addEventListener('x', () => {}, {signal: {}}), () => EventTarget.prototype.dispatchEvent.call({}, new Event('x')),
				() => Object.getOwnPropertyDescriptor(Event.prototype, 'type').get.call({}), () => new MessageEvent('m', {ports: [1]}),
				() => new MessageEvent('m', {source: {}})])
				try { f(); console.log('no error') } catch (e) { console.log(e.name) }
			t.addEventListener('x', null); console.log(t.dispatchEvent(new Event('x')));`,
			want: strings.Repeat("TypeError\n", 8) + "true\n"},
		{name: "WebIDL lengths and required arguments", src: `
			console.log([EventTarget.prototype.addEventListener, EventTarget.prototype.removeEventListener, EventTarget.prototype.dispatchEvent,
				Event, MessageEvent, ErrorEvent, CustomEvent, Worker, BroadcastChannel, AbortSignal.timeout, AbortSignal.any,
				MessagePort.prototype.postMessage, Worker.prototype.postMessage, BroadcastChannel.prototype.postMessage].map(f => f.length).join(''));
			for (const f of [() => new MessageChannel().port1.postMessage(), () => new BroadcastChannel('l').postMessage(), () => new BroadcastChannel()])
				try { f(); console.log('no error') } catch (e) { console.log(e.name) }`,
			want: "22111111111111\nTypeError\nTypeError\nTypeError\n"},
		{name: "subclasses of EventTarget and Event", src: `
			class Bus extends EventTarget { constructor() { super(); this.n = 0 } }
			class Ping extends Event { constructor() { super('ping'); this.extra = 1 } }
			const b = new Bus();
			b.addEventListener('ping', e => console.log(e instanceof Ping, e instanceof Event, e.type, e.extra, b.n));
			b.dispatchEvent(new Ping());`,
			want: "true true ping 1 0\n"},
		{name: "MessageEvent, ErrorEvent and CustomEvent fields", src: `
			const m = new MessageEvent('message', {data: {a: 1}, lastEventId: 'l'});
			console.log(m.data, m.origin === '', m.lastEventId, m.source, m.ports, Object.isFrozen(m.ports), m.ports === m.ports);
			const d = new MessageEvent('message');
			console.log(d.data, d instanceof Event);
			const e = new ErrorEvent('error', {message: 'm', filename: 'f.js', lineno: 3, colno: -1, error: 7});
			console.log(e.message, e.filename, e.lineno, e.colno, e.error, new ErrorEvent('error').error);
			console.log(new CustomEvent('c', {detail: [1]}).detail, new CustomEvent('c').detail);`,
			want: "{ a: 1 } true l null [] true true\nnull true\nm f.js 3 4294967295 7 undefined\n[ 1 ] null\n"},
		{name: "MessageEvent ports frozen by goja's freeze, whatever the script replaced", src: `
			const isFrozen = Object.isFrozen, log = console.log; let called = 0;
			Object.freeze = (o) => { called++; return o }; globalThis.Object = function () { called++ };
			const m = new MessageEvent('message', {data: 1});
			const c = new MessageChannel(); c.port2.onmessage = (e) => { log(isFrozen(e.ports), e.data, called); c.port2.close() };
			log(isFrozen(m.ports), called); c.port1.postMessage(2);`,
			want: "true 0\ntrue 2 0\n"},
	})
}

// TestAbortSignal covers AbortController, AbortSignal.abort, timeout and
// any, and listeners removed by a signal.
func TestAbortSignal(t *testing.T) {
	runWebCases(t, []webCase{
		{name: "abort with the default reason", src: `
			const c = new AbortController(), s = c.signal;
			let fired = 0; s.onabort = e => { fired++; console.log(e.type, e.isTrusted, s.aborted) };
			console.log(s.aborted, s.reason, c.signal === s);
			c.abort(); c.abort('again');
			console.log(fired, s.reason instanceof DOMException, s.reason.name, s.reason.code);
			try { s.throwIfAborted() } catch (e) { console.log('threw', e === s.reason) }`,
			want: "false undefined true\nabort true true\n1 true AbortError 20\nthrew true\n"},
		{name: "AbortSignal.abort(reason)", src: `
			const s = AbortSignal.abort('why');
			console.log(s.aborted, s.reason, s instanceof EventTarget, AbortSignal.abort().reason.name);
			try { new AbortSignal() } catch (e) { console.log(e.name) }`,
			want: "true why true AbortError\nTypeError\n"},
		{name: "a signal removes its listeners", src: `
			const c = new AbortController(), t = new EventTarget(); let n = 0;
			t.addEventListener('x', () => n++, {signal: c.signal});
			t.dispatchEvent(new Event('x')); c.abort(); t.dispatchEvent(new Event('x'));
			t.addEventListener('x', () => n++, {signal: c.signal}); t.dispatchEvent(new Event('x'));
			console.log(n);`,
			want: "1\n"},
		{name: "timeout aborts with a TimeoutError", src: `
			const s = AbortSignal.timeout(5);
			s.addEventListener('abort', () => console.log('aborted', s.reason.name, s.reason.code));
			setTimeout(() => {}, 200);`,
			want: "aborted TimeoutError 23\n"},
		{name: "timeout does not keep the isolate alive", src: `
			AbortSignal.timeout(3600e3).onabort = () => console.log('never');
			console.log('done');`,
			want: "done\n"},
		{name: "timeout rejects bad delays", src: `
			for (const v of [-1, NaN, Infinity, 2**53]) try { AbortSignal.timeout(v) } catch (e) { console.log(e.name) }`,
			want: "TypeError\nTypeError\nTypeError\nTypeError\n"},
		{name: "any follows its sources", src: `
			const a = new AbortController(), b = new AbortController();
			const any = AbortSignal.any([a.signal, b.signal]), nested = AbortSignal.any([any]);
			const log = [];
			any.onabort = () => log.push('any'); nested.onabort = () => log.push('nested'); b.signal.onabort = () => log.push('b');
			b.abort('B'); a.abort('A');
			console.log(log.join(' '), any.reason, nested.reason, AbortSignal.any([AbortSignal.abort(1)]).reason, AbortSignal.any([]).aborted);
			try { AbortSignal.any([{}]) } catch (e) { console.log(e.name) }`,
			want: "b any nested B B 1 false\nTypeError\n"},
	})
}

// TestMessageChannel: ports deliver in order, addEventListener needs
// start() while onmessage starts the port, close drops, and transfer
// moves a port with its queued messages.
func TestMessageChannel(t *testing.T) {
	runWebCases(t, []webCase{
		{name: "order and implicit start", src: `
			const {port1, port2} = new MessageChannel();
			for (let i = 0; i < 5; i++) port1.postMessage(i);
			const got = [];
			port2.onmessage = e => { got.push(e.data); if (got.length === 5) { console.log(got.join(','), e.isTrusted, e.ports.length, e.target === port2); port2.close(); } };`,
			want: "0,1,2,3,4 true 0 true\n"},
		{name: "addEventListener needs start", src: `
			const {port1, port2} = new MessageChannel();
			port2.addEventListener('message', e => { console.log('got', e.data); port2.close(); });
			port1.postMessage('a');
			setTimeout(() => { console.log('not yet'); port2.start(); }, 20);`,
			want: "not yet\ngot a\n"},
		{name: "a closed port drops silently", src: `
			const {port1, port2} = new MessageChannel();
			port2.onmessage = e => console.log('never', e.data);
			port2.close(); port1.postMessage('x'); port2.postMessage('y'); port2.close();
			console.log('ok');`,
			want: "ok\n"},
		{name: "transfer carries the queue in order", src: `
			const a = new MessageChannel(), b = new MessageChannel();
			a.port1.postMessage(1); a.port1.postMessage(2);
			b.port1.postMessage('carrier', [a.port2]);
			a.port1.postMessage(3);
			b.port2.onmessage = e => {
				const p = e.ports[0]; const got = [];
				console.log(e.data, e.ports.length, p instanceof MessagePort);
				p.onmessage = ev => { got.push(ev.data); if (got.length === 3) { console.log(got.join(',')); p.close(); b.port2.close(); } };
			};`,
			want: "carrier 1 true\n1,2,3\n"},
		{name: "transfer of a started port takes back its queued messages", src: `
			const a = new MessageChannel(), b = new MessageChannel();
			a.port2.onmessage = e => console.log('stayed', e.data);
			a.port1.postMessage('m1'); a.port1.postMessage('m2');
			b.port1.postMessage(null, [a.port2]);   // before m1 and m2 are dispatched here
			b.port2.onmessage = e => { const p = e.ports[0]; let n = 0;
				p.onmessage = ev => { console.log('moved', ev.data); if (++n === 2) { p.close(); b.port2.close(); a.port1.close(); } }; };`,
			want: "moved m1\nmoved m2\n"},
		{name: "transfer errors", src: `
			const {port1, port2} = new MessageChannel();
			const tries = [() => port1.postMessage(1, [port1]), () => port1.postMessage(port2),
				() => port1.postMessage(1, [port2, port2]), () => port1.postMessage(1, {transfer: [new EventTarget()]})];
			for (const f of tries) try { f(); console.log('no error') } catch (e) { console.log(e.name, e instanceof DOMException) }
			const c = new MessageChannel(); port1.postMessage(1, [c.port1]);
			try { port1.postMessage(1, [c.port1]) } catch (e) { console.log('again:', e.name) }
			c.port1.postMessage('into the void'); console.log('neutered post is silent');
			port1.close(); port2.close(); c.port2.close();`,
			want: "DataCloneError true\nDataCloneError true\nDataCloneError true\nDataCloneError true\nagain: DataCloneError\nneutered post is silent\n"},
		{name: "a message whose transfer holds its target is dropped", src: `
			const {port1, port2} = new MessageChannel();
			port2.onmessage = e => console.log('never');
			port1.postMessage('doomed', [port2]);
			setTimeout(() => console.log('done'), 20);`,
			want: "done\n"},
		{name: "a port travels through a SendPort to another isolate", src: `
			const {port1, port2} = new MessageChannel();
			port1.onmessage = e => { console.log('reply', e.data); port1.close(); };
			Isolate.spawn(p => { const rp = new ReceivePort(); rp.listen(m => { m.port.postMessage('from ' + m.who); m.port.close(); rp.close(); }); p.send(rp.sendPort); },
				(() => { const rp = new ReceivePort(); rp.listen(sp => { sp.send({port: port2, who: 'child'}, [port2]); rp.close(); }); return rp.sendPort; })());`,
			want: "reply from child\n"},
		{name: "a DOMException is serializable", src: `
			const d = structuredClone(new DOMException('m', 'AbortError'));
			console.log(d instanceof DOMException, d.name, d.message, d.code);
			const {port1, port2} = new MessageChannel();
			port2.onmessage = e => { console.log(e.data.name, e.data instanceof DOMException); port2.close(); };
			port1.postMessage(AbortSignal.timeout(0).reason ?? AbortSignal.abort().reason);`,
			want: "true AbortError m 20\nAbortError true\n"},
		{name: "a getter cannot transfer a port the outer clone is moving", src: `
			const a = new MessageChannel(), b = new MessageChannel();
			let inner;
			const msg = {get x() { try { b.port1.postMessage(1, [a.port2]); inner = 'sent' } catch (e) { inner = e.name } return 1 }};
			a.port1.postMessage(msg, [a.port2]);
			console.log(inner);
			a.port1.close(); b.port1.close(); b.port2.close();`,
			want: "DataCloneError\n"},
		{name: "structuredClone transfers ports", src: `
			const {port1, port2} = new MessageChannel();
			port1.postMessage('queued');
			const copy = structuredClone({p: port2}, {transfer: [port2]});
			console.log(copy.p instanceof MessagePort, copy.p !== port2);
			try { structuredClone(port2, {transfer: [port2]}) } catch (e) { console.log(e.name) }
			copy.p.onmessage = e => { console.log(e.data); copy.p.close(); };`,
			want: "true true\nDataCloneError\nqueued\n"},
		{name: "hostile transfer lists", src: `
			const {port1, port2} = new MessageChannel();
			const endless = {[Symbol.iterator]() { return {next() { return {value: port2, done: false} }} }};
			const getter = {[Symbol.iterator]() { return {next() { throw new Error('from next') }} }};
			const cyc = [port2]; cyc.push(cyc);
			for (const t of [endless, getter, {length: 2**40}, cyc, [port2, port2]])
				try { port1.postMessage(1, t); console.log('no error') } catch (e) { console.log(e.name, e.message.slice(0, 40)) }
			port1.close();`,
			want: "TypeError MessagePort.postMessage: transfer list i\nError from next\nno error\nDataCloneError MessagePort.postMessage: transfer list i\nDataCloneError MessagePort.postMessage: MessagePort at \n"},
	})
}

// TestWorker: lifecycle, queued messages, ports, errors and the worker's
// global scope.
func TestWorker(t *testing.T) {
	echo := `onmessage = e => { if (e.data === 'bye') close(); else postMessage([self.name, e.data, self === globalThis]) };`
	runWebCases(t, []webCase{
		{name: "messages posted before the script ran are queued", files: map[string]string{"w.js": echo}, src: `
			const w = new Worker('./w.js', {name: 'echo'});
			w.postMessage(1); w.postMessage(2);
			let n = 0;
			w.onmessage = e => { console.log(e.data, e.isTrusted, e.target === w); if (++n === 2) w.postMessage('bye'); };`,
			want: "[ 'echo', 1, true ] true true\n[ 'echo', 2, true ] true true\n"},
		{name: "file: URLs and addEventListener", files: map[string]string{"w.js": `addEventListener('message', e => { postMessage(e.data + 1); close(); });`}, src: `
			for (const spec of ['file://$DIR/w.js', 'file:w.js', 'file://localhost$DIR/w.js']) {
				const w = new Worker(spec);
				w.addEventListener('message', e => console.log('got', e.data));
				w.postMessage(41);
			}`,
			want: "got 42\ngot 42\ngot 42\n"},
		{name: "a port to the worker carries a channel", files: map[string]string{"w.js": `
			onmessage = e => { const p = e.ports[0]; p.onmessage = m => { p.postMessage(m.data * 2); p.close(); close(); }; };`}, src: `
			const w = new Worker('w.js'), {port1, port2} = new MessageChannel();
			w.postMessage('port', [port2]);
			port1.postMessage(21);
			port1.onmessage = e => { console.log(e.data); port1.close(); };`,
			want: "42\n"},
		{name: "an uncaught error fires an ErrorEvent; preventDefault keeps the parent alive", files: map[string]string{"w.js": "function f() {\n  throw new TypeError('boom');\n}\nsetTimeout(f, 1);\n"}, src: `
			const w = new Worker('w.js');
			w.onerror = e => { console.log(e instanceof ErrorEvent, e.message, e.filename, e.lineno, e.colno, e.error.message, e.cancelable); e.preventDefault(); };
			setTimeout(() => console.log('parent lives'), 100);`,
			want: "true Uncaught TypeError: boom w.js 2 9 boom true\nparent lives\n"},
		{name: "an error not prevented becomes the parent's", files: map[string]string{"w.js": "throw new RangeError('worker failed');"}, src: `
			const w = new Worker('w.js');
			w.addEventListener('error', e => console.log('saw', e.message));
			setTimeout(() => console.log('never'), 5000);`,
			want: "saw Uncaught RangeError: worker failed\n", wantErr: "worker failed"},
		{name: "terminate stops the worker", files: map[string]string{"w.js": `postMessage('up'); onmessage = () => {}; while (false) {}`}, src: `
			const w = new Worker('w.js');
			w.onmessage = e => { console.log(e.data); w.terminate(); w.postMessage('dropped'); w.terminate(); };`,
			want: "up\n"},
		{name: "ports sent to a terminated worker release their peers", files: map[string]string{"w.js": `onmessage = () => {};`}, src: `
			const w = new Worker('w.js');
			const a = new MessageChannel(), b = new MessageChannel();
			a.port1.onmessage = () => console.log('never');
			b.port1.onmessage = () => console.log('never');
			w.postMessage(null, [a.port2]);   // still waiting for the worker's hello
			w.terminate();
			w.postMessage(null, [b.port2]);   // after terminate: dropped
			console.log('main ends');`,
			want: "main ends\n"},
		{name: "a port held by a worker that ends releases its peer", files: map[string]string{"w.js": `onmessage = e => { e.ports[0].onmessage = () => {}; postMessage('holding'); setTimeout(close, 10); };`}, src: `
			const w = new Worker('w.js'), {port1, port2} = new MessageChannel();
			port1.onmessage = () => console.log('never');
			w.onmessage = e => console.log(e.data);
			w.postMessage(null, [port2]);`,
			want: "holding\n"},
		{name: "a process worker", files: map[string]string{"w.js": echo}, src: `
			const w = new Worker('w.js', {name: 'far', process: true});
			w.postMessage('hi');
			w.onmessage = e => {
				console.log(e.data);
				w.terminate();
			};`,
			want: "[ 'far', 'hi', true ]\n"},
		{name: "MessagePorts cross into and out of a process worker", files: map[string]string{"w.js": `
			let left = 2;
			const end = () => { if (--left === 0) close() };
			onmessage = e => {
				const p = e.ports[0];
				p.onmessage = m => { p.postMessage('worker got ' + m.data); if (m.data === 'bye') { p.close(); end() } };
				const c = new MessageChannel();
				c.port2.onmessage = m => { c.port2.postMessage('back ' + m.data); c.port2.close(); end() };
				postMessage('ready', [c.port1]);
			};`}, src: `
			const w = new Worker('w.js', {process: true});
			const {port1, port2} = new MessageChannel();
			w.postMessage(null, [port2]);
			port1.postMessage('one'); // before the worker attaches the end: held, in order
			port1.postMessage('two');
			const log = [];
			let pending = 2;
			const done = () => { if (--pending === 0) console.log(log.sort().join(', ')) };
			port1.onmessage = e => {
				log.push(e.data);
				if (e.data === 'worker got two') port1.postMessage('bye');
				if (e.data === 'worker got bye') { port1.close(); done() }
			};
			w.onmessage = e => { const q = e.ports[0]; q.onmessage = m => { log.push(m.data); q.close(); done() }; q.postMessage(e.data) };`,
			want: "back ready, worker got bye, worker got one, worker got two\n"},
		{name: "a port held by a process worker that is terminated releases its peer", files: map[string]string{"w.js": `onmessage = e => { e.ports[0].onmessage = () => {}; postMessage('holding') };`}, src: `
			const w = new Worker('w.js', {process: true}), {port1, port2} = new MessageChannel();
			port1.onmessage = () => console.log('never');
			w.onmessage = e => { console.log(e.data); w.terminate() };
			w.postMessage(null, [port2]);`,
			want: "holding\n"},
		{name: "a worker without listeners ends by itself", files: map[string]string{"w.js": `postMessage(typeof self.postMessage + ' ' + typeof close)`}, src: `
			const w = new Worker('w.js'); w.onmessage = e => console.log(e.data);`,
			want: "function function\n"},
		{name: "self is globalThis outside workers too", src: `
			console.log(self === globalThis, typeof postMessage, typeof self.name);`,
			want: "true undefined undefined\n"},
		{name: "a module worker", files: map[string]string{"w.mjs": `import {twice} from './lib.mjs'; onmessage = e => { postMessage(twice(e.data) + ' ' + typeof import.meta.url); close() }`,
			"lib.mjs": `export const twice = x => x * 2;`, "w.ts": `const n: number = 21; postMessage(n * 2);`}, src: `
			const w = new Worker('w.mjs', {type: 'module'});
			w.onmessage = e => { console.log(e.data); const t = new Worker('w.ts', {type: 'module'}); t.onmessage = e => { console.log(e.data); t.terminate() } };
			w.postMessage(4);`,
			want: "8 string\n42\n"},
		{name: "bad specifiers and options", src: `
			for (const f of [() => new Worker('nope.js'), () => new Worker('/etc/passwd'), () => new Worker('/etc/passwd', {type: 'module'}),
				() => new Worker('w.js', {type: 'x'}), () => new Worker('https://example.com/w.js'), () => new Worker()])
				try { f(); console.log('no error') } catch (e) { console.log(e.name) }`,
			want: "Error\nError\nError\nTypeError\nNotSupportedError\nTypeError\n"},
	})
}

// TestBroadcastChannel: a message reaches every other open channel of the
// name, in any isolate, and a closed channel refuses to post.
func TestBroadcastChannel(t *testing.T) {
	runWebCases(t, []webCase{
		{name: "three isolates", src: `
			const c = new BroadcastChannel('room'), other = new BroadcastChannel('other');
			other.onmessage = () => console.log('wrong channel');
			const got = [];
			c.onmessage = e => { got.push(e.data); if (got.length === 2) { console.log(got.sort().join(' ')); c.close(); other.close(); } };
			const rp = new ReceivePort(); let up = 0;
			rp.listen(() => { if (++up === 2) { rp.close(); c.postMessage('go'); } });
			for (const name of ['a', 'b'])
				Isolate.spawn(p => {
					const b = new BroadcastChannel('room');
					b.onmessage = e => { if (e.data === 'go') { b.postMessage('from ' + Isolate.current.name); b.close(); } };
					p.send(1);
				}, rp.sendPort, {name});`,
			want: "from a from b\n"},
		{name: "not to itself, cloned, and InvalidStateError when closed", src: `
			const a = new BroadcastChannel('n'), b = new BroadcastChannel('n');
			a.onmessage = () => console.log('not to itself');
			const obj = {x: 1};
			b.onmessage = e => { console.log(e.data, e.data !== obj, e.origin, b.name); a.close(); b.close();
				try { a.postMessage(1) } catch (err) { console.log(err.name, err.code) } };
			a.postMessage(obj);
			try { a.postMessage(() => 1) } catch (e) { console.log(e.name) }`,
			want: "DataCloneError\n{ x: 1 } true  n\nInvalidStateError 11\n"},
	})
}
