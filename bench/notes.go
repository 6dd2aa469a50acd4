package bench

// The report's explanations: what the figures mean, what was cut and what
// remains. They are about the code, not about one run's numbers.

const spliceNotes = `Why the saving shows in the gateway's CPU but hardly in throughput on this machine: on loopback
the sender of each TCP segment also runs the receiver's TCP processing, so the copy that splice
saves is a small part of what a 64 MiB download costs all three processes together. Its error and
reuse paths are covered by store/minio/stream_test.go (a connection reused only after a whole
body, closed after an unfinished one, one resend on a kept-alive connection the store closed, none
after a timeout, the request's context ending a waiting body, answers of unknown length and
errors, a short body); the store's answer header is bounded to 16 KiB (the connection's read
buffer; S3 allows 2 KiB of user metadata), and an oversized one fails the request without a
resend (TestStreamTransport_answerHeaderBounded).
`

const streamNotes = `On this branch each event stream is its own listen request to the store
(ListenBucketNotification), so the store holds a connection and a listener per stream; the event
engine that shares one subscription per bucket is being wired in separately, and this curve is the
one that shows it: with it, MinIO's memory should stay flat as streams grow.
`

const costNotes = `## Where the small-request CPU goes

A 1 KiB GET through the gateway is two HTTP exchanges instead of one. The profile below
(get_1kib_c16) splits the gateway's CPU roughly as: about half in the minio-go call (its request
building and SigV4 signature, about 8%: a signing key of four HMAC-SHA256 and the string to sign,
every request; the exchange with the store, mostly the write and read system calls of the second
connection; and ToObjectInfo, minio-go's parsing of the store's headers into an ObjectInfo, about
10%, allocation-heavy), the server side of the client's exchange (net/http's request parsing and
response, about 15%), the request's log line (about 5%, most of it the write(2) of the line: the
log is unbuffered so that a line is out when the request is), and the garbage collector and the
scheduler for the rest. The middleware itself (request id, auth, metrics, body limits) is a few
percent.

What was already cut: object GETs and HEADs run their exchange with the store on the request's own
goroutine (the stream transport) instead of the standard transport's two goroutines per
connection; no per-download copy buffer; no copy of the store's headers per read; no per-request
logger clone or caller lookup.

What remains, and why: the system calls of the second connection are inherent to a proxy (nginx
pays them too, in C, with no garbage collector). The signature is minio-go's: caching the signing
key per tenant and day would need the gateway to sign its own requests instead of minio-go (its
signer takes no key), a larger change than the issue's scope and one the store package's single
import of minio-go is meant to keep possible. ToObjectInfo is inside minio-go's Core.GetObject.
The log line could be buffered (zap's BufferedWriteSyncer), at the price of lines reaching the log
up to a flush interval late and of being lost in a crash; that is a choice for the operator, not
made here. So the gateway spends three to four times nginx's CPU on a small GET, and the target of
two times is not within reach without replacing minio-go on the read path.
`
