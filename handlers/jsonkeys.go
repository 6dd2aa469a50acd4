package handlers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"s3gateway/errs"
)

// checkJSONKeys refuses what encoding/json silently accepts in a body that
// decodes into a value of type t: a key given twice in one object (the last
// would win: {"name":"a","name":"b"}) and a key that names a field in other
// letter case ({"NAME":"x"} would fill name). Both are ambiguous, and a
// check made on one reading of the body could be bypassed by another.
// data must be valid JSON (it has been decoded already).
func checkJSONKeys(data []byte, t reflect.Type) error {
	w := keyWalker{dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	return w.value(t, "")
}

type keyWalker struct {
	dec *json.Decoder
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// value walks one JSON value that decodes into t (nil: unknown or opaque,
// only duplicates are checked). path names it in errors.
func (w *keyWalker) value(t reflect.Type, path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return errs.New(errs.MalformedJSON, "malformed JSON")
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface) {
		t = nil // decoded by its own rules: check duplicates only
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err = w.dec.Token() // ]
	}
	if err != nil {
		return errs.New(errs.MalformedJSON, "malformed JSON")
	}
	return nil
}

// object walks the members of an object after its '{'.
func (w *keyWalker) object(t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t != nil && t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return errs.New(errs.MalformedJSON, "malformed JSON")
		}
		name := joinPath(path, key)
		if seen[key] {
			return errs.New(errs.MalformedJSON, "%s: given more than once", name)
		}
		seen[key] = true
		vt := elem
		if fields != nil {
			ft, exact := fields[key]
			if !exact {
				for f := range fields {
					if strings.EqualFold(f, key) {
						return errs.New(errs.MalformedJSON, "unknown field %q (field names are case-sensitive: %q)", name, joinPath(path, f))
					}
				}
			}
			vt = ft
		}
		if err := w.value(vt, name); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // }
		return errs.New(errs.MalformedJSON, "malformed JSON")
	}
	return nil
}

// jsonFields maps the JSON names of a struct's fields, embedded structs'
// included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		case name == "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
