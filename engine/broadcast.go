package engine

import "sync"

// broadcastRegistry is a host's named broadcast channels: for each name,
// the open members in the order they joined. The zero value is ready.
type broadcastRegistry struct {
	mu      sync.Mutex
	members map[string][]*BroadcastMember
}

// BroadcastMember is one open member of a host's named broadcast channel
// (a Web BroadcastChannel): what one member posts reaches the ReceivePort
// of every other open member of that name in the same host, whatever
// isolate holds it, in the order the members joined. Its methods are safe
// from any goroutine.
type BroadcastMember struct {
	h    *Host
	name string
	rp   *ReceivePort
}

// JoinBroadcast adds rp as a member of the host's broadcast channel name.
// Messages posted by other members are delivered to rp. Closing rp (or
// the death of its isolate) leaves the channel. rp must not be attached
// to a PortEnd. Loop only (rp's isolate).
func (h *Host) JoinBroadcast(name string, rp *ReceivePort) *BroadcastMember {
	b := &BroadcastMember{h: h, name: name, rp: rp}
	r := &h.broadcasts
	r.mu.Lock()
	if r.members == nil {
		r.members = make(map[string][]*BroadcastMember)
	}
	r.members[name] = append(r.members[name], b)
	r.mu.Unlock()
	rp.onClose = b.Leave
	return b
}

// Name returns the channel's name. Any goroutine.
func (b *BroadcastMember) Name() string { return b.name }

// Post delivers m to every other member of the channel, in the order they
// joined: those of this host, and those in its worker processes (process
// isolates) or, inside a worker process, those of the parent host and its
// other workers; across a process boundary the message is sent once per
// process and then delivered there in join order. m must carry no
// transferred buffers (it is received once per member); a full or closed
// receiver drops its copy. Any goroutine.
func (b *BroadcastMember) Post(m *Message) {
	b.h.broadcasts.deliver(b.name, m, b)
	b.h.relayBroadcast(b.name, m, nil)
}

// deliver gives m to every member of name but skip.
func (r *broadcastRegistry) deliver(name string, m *Message, skip *BroadcastMember) {
	r.mu.Lock()
	ms := append([]*BroadcastMember(nil), r.members[name]...)
	r.mu.Unlock()
	for _, o := range ms {
		if o != skip {
			_ = o.rp.sp.Send(m)
		}
	}
}

// relayBroadcast sends a post across every process boundary of the host
// but from: up to the parent (in a worker process) and down to every live
// worker. A message that cannot be encoded for a connection (a value that
// cannot cross) is not sent there.
func (h *Host) relayBroadcast(name string, m *Message, from *conn) {
	var links []*conn
	if h.uplink != nil && h.uplink != from {
		links = append(links, h.uplink)
	}
	h.mu.Lock()
	for w := range h.allWorkers {
		if w.c != from && !w.isDead() {
			links = append(links, w.c)
		}
	}
	h.mu.Unlock()
	for _, c := range links {
		body, err := c.encode(m)
		if err != nil || len(body) == 0 {
			continue
		}
		_ = c.write(newFrame(fBroadcast).str(name).bytes(body).done())
	}
}

// broadcastFrame handles an fBroadcast frame from the peer of c: the
// message is delivered to this host's members and relayed on (a parent
// passes a worker's post to its other workers). A message that does not
// decode is a bad frame.
func (h *Host) broadcastFrame(c *conn, r *frameReader) error {
	name, body := r.str(), r.bytes()
	if err := r.end(); err != nil {
		return err
	}
	m, err := c.decode(body)
	if err != nil {
		return err
	}
	if m == nil {
		return &FrameError{Msg: "empty broadcast"}
	}
	h.broadcasts.deliver(name, m, nil)
	if h.uplink == nil {
		h.relayBroadcast(name, m, c)
	}
	return nil
}

// Leave removes the member from its channel. Idempotent. Any goroutine.
func (b *BroadcastMember) Leave() {
	r := &b.h.broadcasts
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := r.members[b.name]
	for i, o := range ms {
		if o == b {
			ms = append(ms[:i:i], ms[i+1:]...)
			break
		}
	}
	if len(ms) == 0 {
		delete(r.members, b.name)
	} else {
		r.members[b.name] = ms
	}
}
