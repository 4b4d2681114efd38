package bindings

import "github.com/dop251/goja"

// messagingClasses are the Web globals of events, aborting and messaging, each
// installed lazily (e.lazy): an isolate pays for one only when a script
// reads it.
func (e *env) messagingClasses() []struct {
	name  string
	build func() goja.Value
} {
	return []struct {
		name  string
		build func() goja.Value
	}{
		{"EventTarget", e.eventTargetClass},
		{"Event", e.eventClass},
		{"CustomEvent", e.customEventClass},
		{"MessageEvent", e.messageEventClass},
		{"ErrorEvent", e.errorEventClass},
		{"AbortController", e.abortControllerClass},
		{"AbortSignal", e.abortSignalClass},
		{"MessageChannel", e.messageChannelClass},
		{"MessagePort", e.messagePortClass},
		{"BroadcastChannel", e.broadcastChannelClass},
		{"Worker", e.workerClass},
	}
}

// installMessaging defines the Web globals. self is globalThis everywhere, as in
// browsers and Deno; an isolate started as a Worker gets the worker's
// global scope (installWorkerScope) at once, since its parent's messages
// need it.
func (e *env) installMessaging(g *goja.Object) {
	for _, c := range e.messagingClasses() {
		e.lazy(g, c.name, c.build)
	}
	if m := e.iso.SetupMessage(); m != nil {
		e.installWorkerScope(g, m)
		return
	}
	e.lazy(g, "self", func() goja.Value { return g })
}

// buildMessaging builds the Web class name for env.proto.
func (e *env) buildMessaging(name string) {
	for _, c := range e.messagingClasses() {
		if c.name == name {
			c.build()
			return
		}
	}
}
