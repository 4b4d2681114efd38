package clone

import (
	"sync/atomic"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/internal/gojax"
)

// Message is a value in VM-neutral form, produced by Codec.Clone or
// FromGo. It is immutable after creation, except that materializing a
// message that carries transferred ArrayBuffers hands those buffers over, so
// it can be materialized (or read with ToGo) only once.
//
// A Message may be passed between goroutines freely; see each method for
// which goroutine may call it.
type Message struct {
	prim goja.Value // the value of a primitive message (g == nil); nil is undefined
	root int32      // the root slot of a graph message
	size int64
	g    *graph // nil for a primitive message
}

// Size returns the approximate size of the cloned value in bytes: string
// lengths (in UTF-16 units) and key lengths, ArrayBuffer byte lengths
// (transferred ones included), 16 bytes per object and 8 per value. It is computed during the clone and is
// what the maxMessageBytes limit is checked against. Any goroutine may call
// it.
func (m *Message) Size() int64 {
	if m == nil {
		return 0
	}
	return m.size
}

// HostRefs returns the host references the message carries (see
// HostCodec), in the order they were met; the slice is the message's own
// and must not be changed. Any goroutine may call it.
func (m *Message) HostRefs() []any {
	if m == nil || m.g == nil {
		return nil
	}
	return m.g.hosts
}

type nodeKind uint8

const (
	kObject nodeKind = iota + 1
	kArray
	kMap
	kSet
	kDate
	kRegExp
	kArrayBuffer
	kTypedArray
	kDataView
	kError
	kWrapper // Boolean, Number, String or BigInt object; its primitive is slots[s]
	kHost    // a host reference: graph.hosts[a]
)

const (
	flagShared  uint8 = 1 << iota // target of a repeated reference (or a cycle)
	flagGeneric                   // array stored as own properties (holes, extra or odd properties)
	flagEnum                      // error whose keys from a on are its own enumerable properties (Options.Thrown)
)

type node struct {
	kind  nodeKind
	sub   uint8 // typed array type, error type
	flags uint8
	s     int32 // first slot
	n     int32 // element slots; the property values follow them
	k     int32 // first key
	np    int32 // number of own properties
	a     int64 // array length, bufs/hosts index, byte offset, Date time value bits, first enumerable key of an error (flagEnum)
	b     int64 // typed array length (elements), DataView byte length
}

type buffer struct {
	data        []byte
	transferred bool // data was moved out of a detached sender buffer
}

type graph struct {
	nodes []node
	slots []int32 // node index, or ^i for prims[i]
	prims []goja.Value
	keys  []string
	bufs  []buffer
	hosts []any // opaque host references (see HostCodec)

	transfer bool        // some bufs were transferred: the message can be received once
	consumed atomic.Bool // set by the receive that took the transferred buffers

	// Inline storage so that a small message is a single allocation.
	nodeBuf [4]node
	slotBuf [16]int32
	primBuf [8]goja.Value
	keyBuf  [8]string
}

type messageAlloc struct {
	m Message
	g graph
}

func newGraphMessage() *Message {
	a := &messageAlloc{}
	g := &a.g
	g.nodes = g.nodeBuf[:0]
	g.slots = g.slotBuf[:0]
	g.prims = g.primBuf[:0]
	g.keys = g.keyBuf[:0]
	a.m.g = g
	return &a.m
}

// ensure makes room for n more elements, doubling the capacity (append grows
// large slices by only 1.25x, which allocates about 5 times the final size).
func ensure[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	c := max(2*cap(s), len(s)+n, 16)
	ns := make([]T, len(s), c)
	copy(ns, s)
	return ns
}

func (g *graph) addNode(k nodeKind) int32 {
	g.nodes = append(ensure(g.nodes, 1), node{kind: k})
	return int32(len(g.nodes) - 1)
}

// reserve appends n zero slots and returns the index of the first.
func (g *graph) reserve(n int) int32 {
	s := len(g.slots)
	if n > 0 {
		g.slots = ensure(g.slots, n)[:s+n]
		clear(g.slots[s:])
	}
	return int32(s)
}

// prim stores a primitive and returns its slot value.
func (g *graph) prim(v goja.Value) int32 {
	g.prims = append(ensure(g.prims, 1), v)
	return ^int32(len(g.prims) - 1)
}

// Approximate per-item costs used by Size.
const (
	nodeBytes = 16
	slotBytes = 8
)

// The typed array types, in the order of typedArrayNames.
const (
	taInt8 uint8 = iota
	taUint8
	taUint8Clamped
	taInt16
	taUint16
	taInt32
	taUint32
	taFloat32
	taFloat64
	taBigInt64
	taBigUint64
	numTypedArrays
)

var typedArrayNames = gojax.TypedArrayNames

var typedArrayElemSize = [numTypedArrays]int64{1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8}

// The serializable error types ([[ErrorData]] names), in HTML's order.
const (
	errError uint8 = iota
	errEval
	errRange
	errReference
	errSyntax
	errType
	errURI
	errAggregate
	numErrorTypes
)

var errorNames = [numErrorTypes]string{
	"Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError",
}

// HostCodec turns the JS handles of host objects (the embedder's
// platform objects: for isobox, SendPorts, Capabilities and Isolate
// handles) into opaque references and back. The codec never looks inside a
// reference: it only carries it. Its methods are called on the goroutine
// that owns the runtime being cloned from or materialized into.
type HostCodec interface {
	// HostRef reports the reference behind o, if o is a host object that
	// may be sent. It is called only for host objects (goja DynamicObjects
	// and Go values wrapped by goja), never for ordinary JS objects. A host
	// object it does not recognize is a DataCloneError. The same object
	// reached twice in one value is one reference (it is asked once).
	HostRef(o *goja.Object) (ref any, ok bool)
	// HostValue makes the JS handle of ref in the receiving runtime. An
	// error (for example a reference of a kind this side cannot receive)
	// fails the materialization. Within one message, a pointer reference
	// that occurs more than once (the same port sent through two different
	// handles, say) is asked once and arrives as one object.
	HostValue(ref any) (goja.Value, error)
}

// Options are the limits of one clone. The zero value has none.
type Options struct {
	// MaxBytes caps Message.Size; exceeding it fails the clone with a
	// *SizeError. 0 is unlimited.
	MaxBytes int64
	// Thrown copies errors as a thrown value is copied, not as HTML's
	// structured clone does: besides its class (for the standard names),
	// message, stack and cause, an error keeps its name when it is not a
	// standard one (or is an own property) and its own enumerable string-keyed
	// properties (code, errno, ...), enumerable on the copy. It applies to
	// every error in the value. structuredClone and messages leave it false.
	Thrown bool
}

// HostObject is implemented by the Go value behind a host object (a goja
// DynamicObject or a wrapped Go value) that wants its JS class named when it
// cannot be cloned: "Isolate could not be cloned" rather than "host object
// could not be cloned". JSClassName is called on the goroutine that owns the
// runtime being cloned from.
type HostObject interface {
	JSClassName() string
}
