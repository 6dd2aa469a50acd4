package miniostore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// Checksums of uploads. A body that goes to the store in one PUT carries
// them to the store (Content-MD5, x-amz-checksum-sha256), which checks
// the bytes it received before it commits the object. A body that goes in
// parts is hashed here as it streams through, and the upload is completed
// only if it matches (else aborted): S3's own checksums of a multipart
// upload are checksums of the parts, not of the object.
//
// The SHA-256 is kept as user metadata (service.DigestMetadataKey), the one
// place that serves both kinds of upload and that copies keep.

// digests is what an upload's body must hash to.
type digests struct {
	md5, sha256 []byte // nil: not asked
}

func digestsOf(opts service.PutOptions) digests {
	return digests{md5: opts.ContentMD5, sha256: opts.SHA256}
}

func (d digests) any() bool { return d.md5 != nil || d.sha256 != nil }

// md5Base64 is the Content-MD5 to send with a single PUT, "" when none.
func (d digests) md5Base64() string {
	if d.md5 == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(d.md5)
}

// singlePutOptions are opts with the store's own SHA-256 check added, for
// an upload in one PUT.
func (d digests) singlePutOptions(opts minio.PutObjectOptions) minio.PutObjectOptions {
	if d.sha256 == nil {
		return opts
	}
	meta := make(map[string]string, len(opts.UserMetadata)+1)
	for k, v := range opts.UserMetadata {
		meta[k] = v
	}
	meta["X-Amz-Checksum-Sha256"] = base64.StdEncoding.EncodeToString(d.sha256)
	opts.UserMetadata = meta
	return opts
}

// hashingReader hashes what is read through it for the digests asked.
type hashingReader struct {
	r           io.Reader
	md5, sha256 hash.Hash // nil: not asked
}

func (d digests) reader(r io.Reader) *hashingReader {
	h := &hashingReader{r: r}
	if d.md5 != nil {
		h.md5 = md5.New()
	}
	if d.sha256 != nil {
		h.sha256 = sha256.New()
	}
	return h
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		if h.md5 != nil {
			h.md5.Write(p[:n])
		}
		if h.sha256 != nil {
			h.sha256.Write(p[:n])
		}
	}
	return n, err
}

// check compares what was read with the digests, once the body is read
// to its end.
func (d digests) check(h *hashingReader, what string) error {
	if h.md5 != nil && !bytes.Equal(h.md5.Sum(nil), d.md5) {
		return errs.New(errs.BadDigest, "the body of %s does not match its Content-MD5", what)
	}
	if h.sha256 != nil && !bytes.Equal(h.sha256.Sum(nil), d.sha256) {
		return errs.New(errs.BadDigest, "the body of %s does not match its Repr-Digest", what)
	}
	return nil
}
