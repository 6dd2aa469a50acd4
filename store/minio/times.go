package miniostore

import "time"

// unixSecond truncates t to the second, the precision of HTTP dates.
func unixSecond(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
