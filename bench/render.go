package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Render rewrites dir/RESULTS.md from dir/results.json, for a report whose
// wording changed after the run; the figures stay the run's.
func Render(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	// What the workload table knows but results.json does not keep.
	for i := range r.Workloads {
		for _, w := range workloads {
			if w.Key == r.Workloads[i].Key {
				r.Workloads[i].workload = w
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, "RESULTS.md"), []byte(r.markdown()), 0o644)
}
