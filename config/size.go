package config

import (
	"errors"
	"strconv"
	"strings"
)

// MaxUploadSizeLimit is S3's largest object, the most GATEWAY_MAX_UPLOAD_SIZE
// may be.
const MaxUploadSizeLimit = 5 << 40

// sizeUnits are the suffixes ParseSize knows, largest first.
var sizeUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}}

// ParseSize reads a positive size in bytes, given as a plain number or a
// number followed by KiB, MiB, GiB or TiB ("5TiB", "100MiB", "1048576").
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	shift := uint(0)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)>>shift {
		return 0, errors.New("not a positive size")
	}
	return n << shift, nil
}
