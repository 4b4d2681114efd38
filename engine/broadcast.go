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
// joined. m must carry no transferred buffers (it is received once per
// member); a full or closed receiver drops its copy. Any goroutine.
func (b *BroadcastMember) Post(m *Message) {
	r := &b.h.broadcasts
	r.mu.Lock()
	ms := append([]*BroadcastMember(nil), r.members[b.name]...)
	r.mu.Unlock()
	for _, o := range ms {
		if o != b {
			_ = o.rp.sp.Send(m)
		}
	}
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
