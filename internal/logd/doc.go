// Package logd is the separate log server that keeps the audit trail in a
// Tessera transparency log (tlog-tiles layout on a POSIX file system, RFC 6962
// hashing, checkpoints signed with the log's own Ed25519 key in the
// signed-note format), and the client the application uses to ship events to
// it and to check what it serves.
//
// The log server is meant to run on a separate machine with its own data
// directory, so that a compromise of the application cannot rewrite history
// without the rewrite being visible to anyone who holds an earlier
// checkpoint.
//
// # Data directory
//
//	logd.key      private signer key (note format), mode 0600
//	logd.pub      public verifier key, given to the application and auditors
//	senders.json  senders allowed to append, with SHA-256 hashes of their tokens
//	journal       append-only record of which sender sequence went to which leaf
//	log/          the Tessera POSIX log: checkpoint, tile/…, tile/entries/…, .state/
//
// # Authentication
//
// Senders authenticate with TLS (server certificate) plus a bearer token per
// sender, created by `seura logd sender add NAME`; only the token's SHA-256 is
// stored, and a new sender takes effect without a restart. Reading the log
// (checkpoint, tiles, entry bundles, proofs) needs no token: an auditor must
// be able to check it without an account, and the leaves hold the
// application's canonical event encodings, whose personal values are HMAC'd.
//
// # Sender API (JSON over HTTPS)
//
//	POST /v1/entries  {"entries":[{"seq":1,"hash":"<64 hex>","data":"<base64>"},…]}
//	                  → 200 {"entries":[{"seq":1,"index":0},…],"tree_size":N}
//	GET  /v1/head     → 200 {"sender":"app","last_seq":N,"tree_size":N,"checkpoint":"<signed note>"}
//
// Sequence numbers are per sender, gapless from 1, and a batch must be
// consecutive (at most 1000 entries, each 1 to 65535 bytes of data). An entry
// the log already holds under the same seq, hash and data is answered with
// its existing index (re-sending is harmless); a different hash or data for a
// held seq is refused with 409 and logged; a seq beyond the next expected one
// is refused with 422 and "expected" naming the next seq. A refused batch
// changes nothing. Errors are {"error":"…","seq":…,"expected":…}; 401 means a
// missing or unknown token.
//
// # Read API
//
//	GET /checkpoint                          the latest signed checkpoint
//	GET /tile/<L>/<N>[.p/<W>]                hash tiles (tlog-tiles)
//	GET /tile/entries/<N>[.p/<W>]            entry bundles (tlog-tiles)
//	GET /v1/proof/inclusion?index=I&size=S   {"hashes":["<base64>",…]}
//	GET /v1/proof/consistency?from=A&to=B    {"hashes":["<base64>",…]}
//
// The leaf hash of an entry is the RFC 6962 leaf hash of its data.
// Checkpoints are signed about once a second, not per append. Client checks
// every checkpoint against the public key and every proof against a root from
// a verified checkpoint, never against anything else the server says.
//
// # Exactly once
//
// Every batch is recorded in the journal as an intent (synced) before it is
// handed to Tessera and as done, with leaf indices, afterwards. A server that
// dies between the two finds, at the next start, the leaves beyond the last
// done record and matches them against the intent, so that whatever the
// moment of the crash each entry is in the log once and the sender's next
// re-send is answered from the journal.
package logd
