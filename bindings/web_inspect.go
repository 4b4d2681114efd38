package bindings

import "github.com/dop251/goja"

// What console.log and util.inspect show of the Web globals' host objects
// (inspect.Previewer): the properties Node's custom inspectors print, in
// Node's order, on an ordinary object with the class's prototype.

// preview makes the object inspect prints for a host object of class.
func preview(vm *goja.Runtime, class *goja.Object, kv ...any) *goja.Object {
	o := vm.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		_ = o.Set(kv[i].(string), kv[i+1])
	}
	if class != nil {
		_ = o.SetPrototype(class)
	}
	return o
}

// InspectPreview shows a URL as Node does: its href and components, and
// searchParams.
func (u *urlObj) InspectPreview(vm *goja.Runtime) *goja.Object {
	if u.self == nil {
		return nil
	}
	sp := goja.Value(goja.Undefined())
	if u.sp != nil {
		sp = u.sp
	} else if u.env != nil {
		sp = u.env.searchParamsOf(u)
	}
	return preview(vm, u.self.Prototype(),
		"href", u.u.Href(false), "origin", urlOrigin(u.u), "protocol", u.u.Protocol(),
		"username", u.u.Username(), "password", u.u.Password(), "host", u.u.Host(),
		"hostname", u.u.Hostname(), "port", u.u.Port(), "pathname", u.u.Pathname(),
		"search", u.u.Search(), "searchParams", sp, "hash", u.u.Hash())
}

// InspectPreview shows a TextDecoder's encoding and flags, as Node does.
func (t *textDecoderObj) InspectPreview(vm *goja.Runtime) *goja.Object {
	if t.self == nil {
		return nil
	}
	return preview(vm, t.self.Prototype(), "encoding", t.d.name, "fatal", t.d.fatal, "ignoreBOM", t.d.ignoreBOM)
}

// InspectPreview shows a mark's or measure's fields, as Node does.
func (p *perfEntry) InspectPreview(vm *goja.Runtime) *goja.Object {
	if p.self == nil {
		return nil
	}
	return preview(vm, p.self.Prototype(), "name", p.name, "entryType", p.typ, "startTime", p.start,
		"duration", p.dur, "detail", p.detail)
}
