package bindings

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// Web Crypto: crypto.getRandomValues, crypto.randomUUID and
// crypto.subtle.digest (SHA-1, SHA-256, SHA-384, SHA-512). The random
// bytes come from crypto/rand.

// maxRandomBytes is getRandomValues' quota (Web Crypto, 10.1.1).
const maxRandomBytes = 65536

// cryptoObj and subtleObj are the JS Crypto and SubtleCrypto instances.
type cryptoObj struct{ hostObject }
type subtleObj struct{ hostObject }

func (e *env) cryptoClass() goja.Value {
	if c, ok := e.built("Crypto"); ok {
		return c
	}
	c, proto := e.class("Crypto", nil)
	e.method(proto, "getRandomValues", e.getRandomValues)
	e.method(proto, "randomUUID", func(c goja.FunctionCall) goja.Value {
		thisAs[*cryptoObj](e, c, "Crypto", "randomUUID")
		var b [16]byte
		_, _ = rand.Read(b[:])
		b[6] = b[6]&0x0F | 0x40
		b[8] = b[8]&0x3F | 0x80
		return e.vm.ToValue(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
	})
	e.getter(proto, "subtle", func(c goja.FunctionCall) goja.Value {
		thisAs[*cryptoObj](e, c, "Crypto", "subtle")
		return e.subtle()
	})
	return c
}

func (e *env) subtleCryptoClass() goja.Value {
	if c, ok := e.built("SubtleCrypto"); ok {
		return c
	}
	c, proto := e.class("SubtleCrypto", nil)
	e.method(proto, "digest", e.digest)
	return c
}

// cryptoObject is the crypto global.
func (e *env) cryptoObject() goja.Value {
	e.cryptoClass()
	return e.wrap(&cryptoObj{}, "Crypto")
}

// subtle returns the one SubtleCrypto of the isolate.
func (e *env) subtle() goja.Value {
	w := e.webs()
	if w.subtle == nil {
		e.subtleCryptoClass()
		w.subtle = e.wrap(&subtleObj{}, "SubtleCrypto")
	}
	return w.subtle
}

func (e *env) getRandomValues(c goja.FunctionCall) goja.Value {
	thisAs[*cryptoObj](e, c, "Crypto", "getRandomValues")
	if len(c.Arguments) == 0 {
		e.typeError("Crypto.getRandomValues: 1 argument required, but only 0 present")
	}
	a := c.Argument(0)
	b, kind, typ := e.bufferSource(a)
	if kind != isTypedArray && kind != isDataView {
		// Not an ArrayBufferView: WebIDL's TypeError (Node throws a
		// TypeMismatchError here too).
		e.typeError("Crypto.getRandomValues: the argument must be an integer typed array")
	}
	// Float32Array and Float64Array (7, 8 in gojax.TypedArrayNames) and
	// DataView are not integer arrays; neither is an unknown type.
	if kind == isDataView || typ < 0 || typ == 7 || typ == 8 {
		e.throwDOMException("TypeMismatchError", "The data argument must be an integer-type TypedArray")
	}
	if len(b) > maxRandomBytes {
		e.throwDOMException("QuotaExceededError", "The requested length exceeds 65,536 bytes")
	}
	_, _ = rand.Read(b)
	return a
}

// digestAlgorithm normalizes digest's algorithm argument (a string or an
// object with a name), case-insensitively.
func (e *env) digestAlgorithm(v goja.Value) (func() hash.Hash, error) {
	var name string
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
		return nil, fmt.Errorf("type: Failed to normalize algorithm: passed algorithm can not be converted to 'Algorithm' because 'name' is required in 'Algorithm'.")
	default:
		if o, ok := v.(*goja.Object); ok {
			n := o.Get("name")
			if n == nil || goja.IsUndefined(n) {
				return nil, fmt.Errorf("type: Failed to normalize algorithm: passed algorithm can not be converted to 'Algorithm' because 'name' is required in 'Algorithm'.")
			}
			name = e.toUSV(n)
		} else {
			name = e.toUSV(v)
		}
	}
	switch strings.ToUpper(name) {
	case "SHA-1":
		return sha1.New, nil
	case "SHA-256":
		return sha256.New, nil
	case "SHA-384":
		return sha512.New384, nil
	case "SHA-512":
		return sha512.New, nil
	}
	return nil, fmt.Errorf("notsupported: Unrecognized algorithm name")
}

// digest is SubtleCrypto.digest(algorithm, data): a promise of an
// ArrayBuffer. Every failure, conversions included, rejects the promise.
func (e *env) digest(c goja.FunctionCall) goja.Value {
	p, resolve, reject := e.promise()
	var h hash.Hash
	var data []byte
	if ex := e.vm.Try(func() {
		thisAs[*subtleObj](e, c, "SubtleCrypto", "digest")
		mk, err := e.digestAlgorithm(c.Argument(0))
		b, kind, _ := e.bufferSource(c.Argument(1))
		if kind == notBuffer {
			e.typeError("Failed to execute 'digest' on 'SubtleCrypto': 2nd argument is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.")
		}
		if err != nil {
			msg := err.Error()
			if strings.HasPrefix(msg, "type: ") {
				e.typeError("%s", strings.TrimPrefix(msg, "type: "))
			}
			e.throwDOMException("NotSupportedError", strings.TrimPrefix(msg, "notsupported: "))
		}
		// "Let data be a copy of the bytes held by the data parameter": the
		// hash is computed now, so later writes to the buffer cannot matter.
		h, data = mk(), b
	}); ex != nil {
		reject(ex.Value())
		return p
	}
	h.Write(data)
	sum := h.Sum(nil)
	// The spec resolves in a task queued after the digest ran "in
	// parallel": argument errors reject first, results come a task later,
	// as in browsers and Node.
	release := e.iso.Hold()
	if !e.iso.Post(func() error {
		release()
		ab, err := gojax.NewArrayBuffer(e.vm, sum) // constructor guards first
		if ex, ok := err.(*goja.Exception); ok {
			reject(ex.Value())
			return nil
		} else if err != nil {
			return err
		}
		resolve(e.vm.ToValue(ab))
		return nil
	}) {
		release()
	}
	return p
}
