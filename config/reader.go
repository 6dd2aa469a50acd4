package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// envReader reads typed variables, falling back to the defaults of Vars,
// and collects every bad one so that all are reported at once.
type envReader struct {
	getenv   func(string) string
	defaults map[string]string
	problems []string
}

func newEnvReader(getenv func(string) string) *envReader {
	defaults := map[string]string{}
	for _, v := range Vars() {
		defaults[v.Name] = v.Default
	}
	return &envReader{getenv: getenv, defaults: defaults}
}

// bad records a problem with the variable name.
func (r *envReader) bad(name, format string, args ...any) {
	r.problems = append(r.problems, name+": "+fmt.Sprintf(format, args...))
}

// err is the problems found so far as one error, or nil.
func (r *envReader) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return errors.New("configuration: " + strings.Join(r.problems, "; "))
}

// get returns the variable, or its default from Vars.
func (r *envReader) get(name string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return r.defaults[name]
}

// url parses raw, the value of name, as an http(s) URL with a host and no path.
func (r *envReader) url(name, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		r.bad(name, "%q must be an http:// or https:// URL with a host and no path", raw)
		return nil
	}
	u.Path = ""
	return u
}

func (r *envReader) positiveInt(name string) int {
	raw := r.get(name)
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		r.bad(name, "%q must be a positive whole number", raw)
	}
	return n
}

func (r *envReader) nonNegativeInt(name string) int {
	raw := r.get(name)
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		r.bad(name, "%q must be a whole number, 0 or more", raw)
	}
	return n
}

func (r *envReader) nonNegativeFloat(name string) float64 {
	raw := r.get(name)
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		r.bad(name, "%q must be a number, 0 or more", raw)
	}
	return f
}

func (r *envReader) boolean(name string) bool {
	raw := r.get(name)
	switch strings.ToLower(raw) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	r.bad(name, "%q must be true or false", raw)
	return false
}

func (r *envReader) duration(name string) time.Duration {
	raw := r.get(name)
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		r.bad(name, "%q must be a positive duration such as 30s", raw)
	}
	return d
}

// list splits a comma-separated variable, dropping empty items.
func (r *envReader) list(name string) []string {
	var items []string
	for _, o := range strings.Split(r.get(name), ",") {
		if o = strings.TrimSpace(o); o != "" {
			items = append(items, o)
		}
	}
	return items
}
