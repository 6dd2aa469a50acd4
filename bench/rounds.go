package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// measurements are the samples of every round: by placement, workload key
// and path name.
type measurements map[string]map[string]map[string][]sample

func (m measurements) add(placement, key, pathName string, s sample) {
	if m[placement] == nil {
		m[placement] = map[string]map[string][]sample{}
	}
	if m[placement][key] == nil {
		m[placement][key] = map[string][]sample{}
	}
	m[placement][key][pathName] = append(m[placement][key][pathName], s)
}

// placements are those this machine can measure.
func placements() []string {
	if canPlace() {
		return []string{placeShared, placeOwnCore}
	}
	return []string{placeShared}
}

// selectedWorkloads are the workloads of a run and placement.
func selectedWorkloads(cfg Config, placement string) []workload {
	var out []workload
	for _, w := range workloads {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, w.Key) {
			continue
		}
		if placement == placeOwnCore && !w.ownCore {
			continue
		}
		out = append(out, w)
	}
	return out
}

// pathsFor are the paths that take part in w: those that can do its
// operation; the gateway with the standard transport only where the two
// transports differ (object reads); only direct and the gateway on the
// reference row.
func pathsFor(w workload, all []path, d *data) []path {
	var out []path
	for _, p := range all {
		switch {
		case !p.supports(w.Op):
		case p.name() == pathGatewayStd && w.Op != "get" && w.Op != "stat":
		case (w.UnsignedDirect || w.Digest) && p.name() != pathDirect && p.name() != pathGateway:
		default:
			switch tp := p.(type) {
			case directPath:
				tp.unsigned = w.UnsignedDirect
				p = tp
			case gatewayPath:
				if w.Digest {
					tp.digest = d.bigDigest
				}
				p = tp
			}
			out = append(out, p)
		}
	}
	return out
}

// measureRounds runs every selected workload on every path, in every
// placement, round after round; which path goes first turns with the
// rounds, so that drift of the machine spreads over all of them.
func measureRounds(ctx context.Context, cfg Config, e *env, d *data, logf func(string, ...any)) (measurements, error) {
	m := measurements{}
	all := e.peerPaths()
	defer func() { _ = place(placeShared, e.proxyPIDs(), e.otherPIDs()) }()
	for round := range cfg.Rounds {
		for _, pl := range placements() {
			if err := place(pl, e.proxyPIDs(), e.otherPIDs()); err != nil {
				return nil, err
			}
			for _, w := range selectedWorkloads(cfg, pl) {
				ps := pathsFor(w, all, d)
				k := round % len(ps)
				order := append(slices.Clone(ps[k:]), ps[:k]...)
				var line strings.Builder
				for _, p := range order {
					s, err := run(ctx, w, p, d, cfg.BigPerRound, cfg.OpsDuration, e.procsFor(p))
					if err != nil {
						return nil, fmt.Errorf("%s: %w", pl, err)
					}
					m.add(pl, w.Key, p.name(), s)
					fmt.Fprintf(&line, "  %s %.1f", p.name(), s.Value)
					if v, ok := s.CPU["proxy"]; ok {
						fmt.Fprintf(&line, " (%.3fms)", v)
					}
				}
				logf("round %d/%d %-7s %-22s %s %s", round+1, cfg.Rounds, pl, w.Key, w.Unit, line.String())
			}
		}
	}
	return m, nil
}

// warmUp runs each operations workload briefly on every path.
func warmUp(ctx context.Context, e *env, d *data) error {
	for _, w := range workloads {
		if w.bytes {
			continue
		}
		for _, p := range pathsFor(w, e.peerPaths(), d) {
			if _, err := run(ctx, w, p, d, 1, 150*time.Millisecond, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
