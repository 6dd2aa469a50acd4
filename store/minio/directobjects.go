package miniostore

import (
	"context"
	"net/http"

	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// getDirect is GetObject on the direct read path (see directReader).
func (c *client) getDirect(ctx context.Context, bucket, name string, opts service.GetOptions) (*service.Object, error) {
	header := make(http.Header, 4)
	if opts.Range != nil {
		h, err := rangeHeader(*opts.Range)
		if err != nil {
			return nil, err
		}
		header["Range"] = []string{h}
	}
	if opts.IfNoneMatch != "" {
		header["If-None-Match"] = []string{httpsyntax.QuoteETag(opts.IfNoneMatch)}
	}
	if opts.IfMatch != "" {
		// The service pins a conditional read to the version it evaluated.
		header["If-Match"] = []string{httpsyntax.QuoteETag(opts.IfMatch)}
	}
	resp, err := c.direct.do(withMark(ctx, markObjectRead), http.MethodGet, bucket, name, header, true)
	if err != nil {
		return nil, c.translate(err, bucket, name)
	}
	if resp.StatusCode == http.StatusNotModified {
		resp.Body.Close()
		return notModifiedFrom(name, resp.Header), nil
	}
	info, err := headerInfo(bucket, name, resp.Header)
	if err != nil {
		resp.Body.Close()
		return nil, c.translate(err, bucket, name)
	}
	return openedObject(name, info, resp.Header, resp.Body)
}

// statDirect is StatObject on the direct read path; ctx is the call's,
// marked as an object read.
func (c *client) statDirect(ctx context.Context, bucket, name string) (service.ObjectInfo, error) {
	resp, err := c.direct.do(ctx, http.MethodHead, bucket, name, make(http.Header, 2), false)
	if err != nil {
		return service.ObjectInfo{}, c.translate(err, bucket, name)
	}
	resp.Body.Close()
	info, err := headerInfo(bucket, name, resp.Header)
	if err != nil {
		return service.ObjectInfo{}, c.translate(err, bucket, name)
	}
	return objectInfo(name, info), nil
}
