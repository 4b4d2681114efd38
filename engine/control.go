package engine

// The control surface of an isolate: pause and resume, ping, exit and
// error listeners and errorsAreFatal, as control messages that overtake the
// data queue, and their handling on the loop (handleCtrl).

// Pause pauses the isolate with capability c (a fresh one if nil) and
// returns it. Pauses nest per capability: resuming takes as many Resume
// calls with c as Pause calls. While paused, messages and timers wait in
// order; control requests (kill, ping, resume) still act. Any goroutine.
func (iso *Isolate) Pause(c *Capability) *Capability {
	if c == nil {
		c = NewCapability()
	}
	if iso.remote != nil {
		iso.remote.ctrl(iso, wPause, 0, c, false, nil, nil)
		return c
	}
	iso.control(ctrl{kind: ctrlPause, cap: c})
	return c
}

// Resume undoes one Pause with capability c. An unknown capability is
// ignored. Any goroutine.
func (iso *Isolate) Resume(c *Capability) {
	if c != nil && iso.remote != nil {
		iso.remote.ctrl(iso, wResume, 0, c, false, nil, nil)
	} else if c != nil {
		iso.control(ctrl{kind: ctrlResume, cap: c})
	}
}

// Ping sends response to port when the isolate handles the ping: at once
// (Immediate), or before its next event (BeforeNextEvent). A dead isolate
// never answers. Any goroutine.
func (iso *Isolate) Ping(port *SendPort, response *Message, p Priority) {
	if port == nil {
		return
	}
	if response == nil {
		response = nullMessage()
	}
	if iso.remote != nil {
		iso.remote.ctrl(iso, wPing, p, nil, false, port, response)
		return
	}
	if p == Immediate {
		iso.mu.Lock()
		dead := iso.killed
		iso.mu.Unlock()
		if !dead {
			_ = port.Send(response)
		}
		return
	}
	iso.control(ctrl{kind: ctrlPing, port: port, msg: response})
}

// AddOnExitListener asks for response (nil: null) to be sent to port when
// the isolate dies. The exit listeners are a set keyed by port, as in Dart:
// adding a port that is already a listener (the spawn's onExit included)
// keeps one listener and replaces its response, so it gets one message.
// Any goroutine.
func (iso *Isolate) AddOnExitListener(port *SendPort, response *Message) {
	if port != nil {
		iso.control(ctrl{kind: ctrlAddExit, port: port, msg: response})
	}
}

// RemoveOnExitListener removes the exit listener on port, however many
// times it was added. Any goroutine.
func (iso *Isolate) RemoveOnExitListener(port *SendPort) {
	if port != nil {
		iso.control(ctrl{kind: ctrlRemoveExit, port: port})
	}
}

// AddErrorListener sends every uncaught error to port as {name, message,
// stack} (Dart's shape), with limit, max, seen and unit for a limit, and
// the copy of the thrown value as error (see ScriptError.Value). Like the
// exit listeners, the error listeners are a set keyed by port: adding a
// port twice still sends each error once, and one RemoveErrorListener
// removes it. Any goroutine.
func (iso *Isolate) AddErrorListener(port *SendPort) {
	if port != nil {
		iso.control(ctrl{kind: ctrlAddError, port: port})
	}
}

// RemoveErrorListener removes the error listener on port. Any goroutine.
func (iso *Isolate) RemoveErrorListener(port *SendPort) {
	if port != nil {
		iso.control(ctrl{kind: ctrlRemoveError, port: port})
	}
}

// SetErrorsFatal sets whether uncaught errors kill the isolate.
// Any goroutine.
func (iso *Isolate) SetErrorsFatal(fatal bool) {
	if iso.remote != nil {
		iso.remote.ctrl(iso, wErrorsFatal, 0, nil, fatal, nil, nil)
	}
	iso.control(ctrl{kind: ctrlErrorsFatal, flag: fatal})
}

// handleCtrl runs one control message on the loop.
func (iso *Isolate) handleCtrl(c ctrl) {
	switch c.kind {
	case ctrlKill:
		iso.terminate(ErrKilled, killSignal{})
	case ctrlPause:
		iso.mu.Lock()
		if iso.pauses == nil {
			iso.pauses = make(map[*Capability]int)
		}
		iso.pauses[c.cap]++
		iso.mu.Unlock()
	case ctrlResume:
		iso.mu.Lock()
		if n, ok := iso.pauses[c.cap]; ok {
			if n <= 1 {
				delete(iso.pauses, c.cap)
			} else {
				iso.pauses[c.cap] = n - 1
			}
		}
		iso.mu.Unlock()
	case ctrlPing:
		_ = c.port.Send(c.msg)
	case ctrlAddExit:
		// A set keyed by port, as in Dart: adding a port again keeps one
		// listener, with the latest response.
		for i := range iso.exitLs {
			if iso.exitLs[i].port == c.port {
				iso.exitLs[i].resp = c.msg
				return
			}
		}
		iso.exitLs = append(iso.exitLs, exitListener{c.port, c.msg})
	case ctrlRemoveExit:
		for i, l := range iso.exitLs {
			if l.port == c.port {
				iso.exitLs = append(iso.exitLs[:i], iso.exitLs[i+1:]...)
				break // there is at most one per port
			}
		}
	case ctrlAddError:
		for _, p := range iso.errorLs {
			if p == c.port {
				return
			}
		}
		iso.errorLs = append(iso.errorLs, c.port)
	case ctrlRemoveError:
		for i, p := range iso.errorLs {
			if p == c.port {
				iso.errorLs = append(iso.errorLs[:i], iso.errorLs[i+1:]...)
				break
			}
		}
	case ctrlErrorsFatal:
		iso.mu.Lock()
		iso.errorsFatal = c.flag
		iso.mu.Unlock()
	case ctrlRemoteError:
		if se, ok := c.err.(*ScriptError); ok {
			iso.reportError(se)
		}
	case ctrlRemoteExit:
		iso.mu.Lock()
		iso.holds = 0
		iso.mu.Unlock()
		iso.terminate(c.err, nil)
	}
}
