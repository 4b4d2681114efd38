// Package clone is isobox's structured-clone codec (HTML
// "StructuredSerializeWithTransfer" and "StructuredDeserializeWithTransfer")
// between goja runtimes, and between goja values and Go values.
//
// A value is copied at send time, on the sender's goroutine, into a *Message:
// a VM-neutral, flat graph of nodes that holds no *goja.Object. It is
// materialized later, on the receiver's goroutine, in another runtime. Go
// code builds messages with FromGo and reads them with Message.ToGo.
//
// It knows nothing of isolates, hosts, ports or limits. A host object
// inside a message (for isobox a SendPort, a Capability or an Isolate
// handle) is an opaque reference: the HostCodec each side hands in turns a
// JS handle into a reference and back, and FromGo is told which Go values
// are host references. The only limit it applies is Options.MaxBytes, reported
// as a *SizeError; engine turns that into its own LimitError.
//
// Public surface: Message (Size, ToGo), FromGo, NewError (with ErrorValue),
// Codec (Clone, CloneDeferred, Materialize), HostCodec, HostObject, Options,
// and the errors Error (DataCloneError), SizeError, InternalError and
// ErrInvalidArgument.
//
// Options.Thrown copies errors as thrown values, for the embedder that hands
// what one runtime threw to another: HTML's structured clone drops an
// error's own properties and non-standard names, a thrown value keeps them.
//
// # Goroutines
//
// A Codec belongs to one runtime and is used only on the goroutine that owns
// it. A Message may be passed between goroutines freely; FromGo and ToGo may
// run on any goroutine.
//
// # Layout
//
// A value is a slot, an int32 that is either the index of a node (>= 0) or
// ^i for graph.prims[i], a primitive goja.Value (primitives are immutable and
// may cross runtimes). A node is one object of the graph. Its children are
// slots graph.slots[s:s+n] (array elements, Map key/value pairs, Set values,
// a view's buffer, a wrapper's primitive, a RegExp's source and flags)
// followed by its own properties, whose names are graph.keys[k:k+np] and
// values graph.slots[s+n:s+n+np]. ArrayBuffer contents live in graph.bufs,
// host references in graph.hosts. Node 0 is the root object; a node is
// numbered when first reached, so an edge to a lower (or equal) index is
// always a repeated reference and the target is flagged "shared".
//
// Neither direction recurses over the value graph: cloning is a depth-first
// walk with an explicit frame stack (getters run in the order HTML runs them),
// and materializing is two linear passes over the node slice.
//
// # Reading goja's objects
//
// Telling a plain object from a Go map wrapper, a DataView from a plain
// object, and reading the slots of views and dates needs goja's unexported
// layout; package internal/gojax does that, read-only and verified at start.
// When gojax reports its layout unavailable (a goja upgrade changed it), the
// codec classifies objects through the public API instead (see slowKind),
// more slowly, and TestCloneWithoutLayout runs the behaviour tests that way.
package clone
