package bindings

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// DOMException (WebIDL, "DOMException" interface). Every binding that the
// Web specs say throws a DOMException (atob's InvalidCharacterError, a
// clone's DataCloneError, an AbortSignal's AbortError and TimeoutError)
// makes it with e.newDOMException, which does not consult the script's
// (replaceable) DOMException global.
//
// An instance is a host object whose own properties live in a Go map, so
// that the name and message slots are reachable only through the
// prototype's getters, as WebIDL requires; it inherits from Error.prototype
// (instanceof Error holds and Error.prototype.toString prints
// "Name: message").

// domExceptionCodes are the legacy codes of the names that have one
// (WebIDL's "DOMException names" table). Every other name has code 0.
var domExceptionCodes = map[string]int{
	"IndexSizeError":             1,
	"HierarchyRequestError":      3,
	"WrongDocumentError":         4,
	"InvalidCharacterError":      5,
	"NoModificationAllowedError": 7,
	"NotFoundError":              8,
	"NotSupportedError":          9,
	"InUseAttributeError":        10,
	"InvalidStateError":          11,
	"SyntaxError":                12,
	"InvalidModificationError":   13,
	"NamespaceError":             14,
	"InvalidAccessError":         15,
	"TypeMismatchError":          17,
	"SecurityError":              18,
	"NetworkError":               19,
	"AbortError":                 20,
	"URLMismatchError":           21,
	"QuotaExceededError":         22,
	"TimeoutError":               23,
	"InvalidNodeTypeError":       24,
	"DataCloneError":             25,
}

// domExceptionConstants are the constants on DOMException and its
// prototype, in the spec's order.
var domExceptionConstants = [...]string{
	"INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR",
	"INVALID_CHARACTER_ERR", "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR",
	"NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR", "INVALID_STATE_ERR", "SYNTAX_ERR",
	"INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR", "VALIDATION_ERR",
	"TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR", "URL_MISMATCH_ERR",
	"QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
}

// domException is the state of one DOMException: its two slots, and the
// own properties a script (or the constructor, for stack) gives it.
type domException struct {
	name, message string
	props         map[string]goja.Value
	order         []string // enumerable own keys, in creation order
	hidden        map[string]bool
}

// EnginePlatformObject makes a DOMException serializable, as WebIDL's
// [Serializable] DOMException is: its name and message travel, and the
// receiver gets a DOMException of its own. Loop only.
func (d *domException) EnginePlatformObject() *engine.PlatformObject {
	return &engine.PlatformObject{Class: "DOMException", Fields: map[string]string{"name": d.name, "message": d.message}}
}

// wrapPlatform rebuilds a serializable platform object from a message.
func (e *env) wrapPlatform(p *engine.PlatformObject) goja.Value {
	if p.Class == "DOMException" {
		return e.newDOMException(p.Fields["name"], p.Fields["message"])
	}
	return nil
}

func (d *domException) Get(k string) goja.Value { return d.props[k] }
func (d *domException) Has(k string) bool       { _, ok := d.props[k]; return ok }
func (d *domException) Set(k string, v goja.Value) bool {
	if _, ok := d.props[k]; !ok {
		if d.props == nil {
			d.props = make(map[string]goja.Value)
		}
		d.order = append(d.order, k)
	}
	d.props[k] = v
	return true
}
func (d *domException) Delete(k string) bool {
	if _, ok := d.props[k]; ok {
		delete(d.props, k)
		for i, o := range d.order {
			if o == k {
				d.order = append(d.order[:i], d.order[i+1:]...)
				break
			}
		}
	}
	return true
}
func (d *domException) Keys() []string {
	keys := make([]string, 0, len(d.order))
	for _, k := range d.order {
		if !d.hidden[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// domExceptionClass builds the DOMException constructor and prototype.
func (e *env) domExceptionClass() goja.Value {
	if c, ok := e.built("DOMException"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("DOMException", func(call goja.ConstructorCall) *goja.Object {
		message, name := "", "Error"
		if a := call.Argument(0); !goja.IsUndefined(a) {
			message = a.String()
		}
		if a := call.Argument(1); !goja.IsUndefined(a) {
			// Node and Deno also take an options bag {name, cause}.
			if o, ok := a.(*goja.Object); ok && !isCallable(o) {
				if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
					name = n.String()
				}
				d := e.domExceptionObject(name, message, call.This.Prototype())
				if cause := o.Get("cause"); cause != nil {
					_ = d.Set("cause", cause)
				}
				return d
			}
			name = a.String()
		}
		return e.domExceptionObject(name, message, call.This.Prototype())
	})
	_ = proto.SetPrototype(e.intrinsicErrorProto())
	get := func(method string, f func(d *domException) goja.Value) {
		e.getter(proto, method, func(call goja.FunctionCall) goja.Value {
			if o, ok := call.This.(*goja.Object); ok {
				if d, ok := o.Export().(*domException); ok {
					return f(d)
				}
			}
			panic(vm.NewTypeError("Illegal invocation: DOMException.prototype." + method + " called on an object that is not a DOMException"))
		})
	}
	get("name", func(d *domException) goja.Value { return vm.ToValue(d.name) })
	get("message", func(d *domException) goja.Value { return vm.ToValue(d.message) })
	get("code", func(d *domException) goja.Value { return vm.ToValue(domExceptionCodes[d.name]) })
	for i, k := range domExceptionConstants {
		v := vm.ToValue(i + 1)
		_ = c.DefineDataProperty(k, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = proto.DefineDataProperty(k, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	_ = c.DefineDataProperty("length", vm.ToValue(0), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return c
}

// domExceptionObject makes a DOMException with the given prototype and a
// stack property of the current JS stack.
func (e *env) domExceptionObject(name, message string, proto *goja.Object) *goja.Object {
	d := &domException{name: name, message: message}
	head := name
	if message != "" {
		head += ": " + message
	}
	d.Set("stack", e.vm.ToValue(strings.TrimRight(head+"\n"+strings.ReplaceAll(jsStack(e.vm), "\tat ", "    at "), "\n")))
	d.hidden = map[string]bool{"stack": true}
	o := e.vm.NewDynamicObject(d)
	if proto == nil {
		e.domExceptionClass()
		proto = e.protoCache["DOMException"]
	}
	_ = o.SetPrototype(proto)
	return o
}

// newDOMException makes a DOMException with the given name and message,
// built from the bindings' own class whatever the script did to the
// DOMException global. Loop only.
func (e *env) newDOMException(name, message string) *goja.Object {
	return e.domExceptionObject(name, message, nil)
}

// throwDOMException throws a new DOMException from inside a native.
func (e *env) throwDOMException(name, message string) {
	panic(e.newDOMException(name, message))
}

// intrinsicErrorProto is %Error.prototype%, whatever the script did to the
// Error global.
func (e *env) intrinsicErrorProto() *goja.Object {
	if e.errorProto == nil {
		e.errorProto = e.vm.NewTypeError("").Prototype().Prototype()
	}
	return e.errorProto
}

func isCallable(o *goja.Object) bool {
	_, ok := goja.AssertFunction(o)
	return ok
}
