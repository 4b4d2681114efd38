package engine

// task is one macrotask: a message for a port, or a host callback.
type task struct {
	port *ReceivePort // message task when non-nil
	msg  *Message
	fn   func() error // host callback when port is nil
	// entry marks the isolate's first task; Ready closes after it.
	entry bool
}

// deque is a growable ring buffer of tasks. It is not synchronized; the
// isolate's mutex guards it.
type deque struct {
	buf  []task
	head int
	n    int
}

func (q *deque) len() int { return q.n }

func (q *deque) grow() {
	size := len(q.buf) * 2
	if size == 0 {
		size = 8
	}
	nb := make([]task, size)
	for i := 0; i < q.n; i++ {
		nb[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = nb, 0
}

func (q *deque) pushBack(t task) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = t
	q.n++
}

func (q *deque) pushFront(t task) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
	q.buf[q.head] = t
	q.n++
}

func (q *deque) popFront() (task, bool) {
	if q.n == 0 {
		return task{}, false
	}
	t := q.buf[q.head]
	q.buf[q.head] = task{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > 1024 {
			q.buf = nil // give back the memory of a flood
		}
	}
	return t, true
}

// clear drops every task and returns how many were dropped.
func (q *deque) clear() int {
	n := q.n
	q.buf, q.head, q.n = nil, 0, 0
	return n
}

// extract removes the tasks for which take is true, keeping the order of
// the others, and returns the removed ones in order.
func (q *deque) extract(take func(task) bool) []task {
	var out []task
	var keep deque
	for q.n > 0 {
		t, _ := q.popFront()
		if take(t) {
			out = append(out, t)
		} else {
			keep.pushBack(t)
		}
	}
	*q = keep
	return out
}
