package config

import (
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite the README's configuration table from Vars")

const (
	readmePath  = "../README.md"
	tableHeader = "| variable | meaning | default |"
)

// row is a variable as the README's configuration table shows it.
func row(v Var) string {
	def := "none"
	if v.Default != "" {
		def = "`" + v.Default + "`"
	}
	return "| `" + v.Name + "` | " + v.Meaning + " | " + def + " |"
}

// readmeTable returns the README's lines and where the rows of its
// configuration table start and end.
func readmeTable(t *testing.T) (lines []string, start, end int) {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(string(b), "\n")
	head := slices.Index(lines, tableHeader)
	if head < 0 || head+1 >= len(lines) || !strings.HasPrefix(lines[head+1], "|---") {
		t.Fatalf("%s has no configuration table (a line %q, then |---|)", readmePath, tableHeader)
	}
	start = head + 2
	for end = start; end < len(lines) && strings.HasPrefix(lines[end], "|"); end++ {
	}
	return lines, start, end
}

// The README's configuration table is Vars, row for row: every variable the
// gateway reads, with the default it uses. `go test ./config -run README
// -update` rewrites it.
func TestREADMETableIsVars(t *testing.T) {
	lines, start, end := readmeTable(t)
	var want []string
	for _, v := range Vars() {
		want = append(want, row(v))
	}
	got := lines[start:end]
	if *updateREADME {
		lines = slices.Concat(lines[:start], want, lines[end:])
		if err := os.WriteFile(readmePath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, d := range tableDiff(got, want) {
		t.Error(d)
	}
}

// tableDiff describes how the README's rows differ from the wanted ones, by
// variable name.
func tableDiff(got, want []string) []string {
	name := func(r string) string {
		if cells := strings.SplitN(r, "|", 3); len(cells) == 3 {
			return strings.Trim(strings.TrimSpace(cells[1]), "`")
		}
		return r
	}
	gotByName := map[string]string{}
	for _, r := range got {
		gotByName[name(r)] = r
	}
	var diffs []string
	for _, w := range want {
		g, ok := gotByName[name(w)]
		switch {
		case !ok:
			diffs = append(diffs, "README lacks "+name(w)+"; want the row\n"+w)
		case g != w:
			diffs = append(diffs, "README's row of "+name(w)+" is\n"+g+"\nwant\n"+w)
		}
		delete(gotByName, name(w))
	}
	for n := range gotByName {
		diffs = append(diffs, "README has "+n+", which config does not read")
	}
	if len(diffs) == 0 && !slices.Equal(got, want) {
		diffs = append(diffs, "README's rows are not in the order of Vars")
	}
	return diffs
}

// The check can fail: a missing row, a wrong default and a row config does
// not read are each reported.
func TestTableDiffReportsDrift(t *testing.T) {
	vars := Vars()[:3]
	var want []string
	for _, v := range vars {
		want = append(want, row(v))
	}
	stale := vars[1]
	stale.Default = "http://elsewhere:9000"
	got := []string{row(stale), row(vars[2]), "| `GATEWAY_GONE` | removed | `1` |"}
	diffs := tableDiff(got, want)
	if len(diffs) != 3 {
		t.Fatalf("want 3 differences, got %d: %q", len(diffs), diffs)
	}
	for i, part := range []string{"lacks GATEWAY_ADDR", "row of GATEWAY_S3_ENDPOINT", "has GATEWAY_GONE"} {
		if !strings.Contains(diffs[i], part) {
			t.Errorf("difference %d is %q, want it to mention %q", i, diffs[i], part)
		}
	}
}

// Vars lists exactly the variables FromEnv and AdminFromEnv read.
func TestVarsAreWhatConfigReads(t *testing.T) {
	read := map[string]bool{}
	getenv := func(name string) string { read[name] = true; return "" }
	if _, err := FromEnv(getenv); err != nil {
		t.Fatal(err)
	}
	_, _ = AdminFromEnv(getenv)
	for _, v := range Vars() {
		if !read[v.Name] {
			t.Errorf("Vars lists %s, which config does not read", v.Name)
		}
		delete(read, v.Name)
	}
	for name := range read {
		t.Errorf("config reads %s, which Vars does not list", name)
	}
}

// Setting every variable to the default Vars shows changes nothing: the
// table's defaults are the ones config uses.
func TestVarsDefaultsAreConfigDefaults(t *testing.T) {
	explicit := map[string]string{}
	for _, v := range Vars() {
		if v.Default != "" && v.Name != "GATEWAY_S3_PUBLIC_URL" {
			explicit[v.Name] = v.Default
		}
	}
	got, err := FromEnv(env(explicit))
	if err != nil {
		t.Fatal(err)
	}
	want, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with the defaults set explicitly\n%+v\nwithout\n%+v", got, want)
	}
}

func TestAdminFromEnv(t *testing.T) {
	if _, err := AdminFromEnv(env(map[string]string{AdminAccessKeyVar: "root"})); err == nil || !strings.Contains(err.Error(), AdminSecretKeyVar) {
		t.Fatalf("a missing secret key: %v", err)
	}
	a, err := AdminFromEnv(env(map[string]string{AdminAccessKeyVar: "root", AdminSecretKeyVar: "secret"}))
	if err != nil || a != (Admin{AccessKey: "root", SecretKey: "secret"}) {
		t.Fatalf("%+v, %v", a, err)
	}
}
