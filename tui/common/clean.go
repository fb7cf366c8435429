package common

import (
	"reflect"

	"ferry/models"
)

// Clean makes every string reachable from v (a pointer to what the engine returned:
// a view, a list, a timeline) printable, in place, so that stored text (a note, a
// reason, a step's output line) is shown and never drives the terminal. Each page
// cleans what it loads where it loads it; values that are clean stay as they are.
func Clean(v any) {
	clean(reflect.ValueOf(v), map[uintptr]bool{})
}

func clean(v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		clean(v.Elem(), seen)
	case reflect.Interface:
		// An interface holds a copy that cannot be set; errors are cleaned where shown.
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				clean(f, seen)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			clean(v.Index(i), seen)
		}
	case reflect.Map:
		cleanMap(v, seen)
	case reflect.String:
		if s := v.String(); v.CanSet() {
			if p := models.Line(s); p != s {
				v.SetString(p)
			}
		}
	}
}

// cleanMap cleans a map's values (its keys are IDs and names, which are checked
// where they are typed).
func cleanMap(v reflect.Value, seen map[uintptr]bool) {
	if v.IsNil() {
		return
	}
	it := v.MapRange()
	for it.Next() {
		val := reflect.New(v.Type().Elem()).Elem()
		val.Set(it.Value())
		clean(val, seen)
		v.SetMapIndex(it.Key(), val)
	}
}
