package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	bin "encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"seura.fi/seura/internal/logd"
)

// logdCert writes a self-signed certificate for 127.0.0.1 and returns the
// file names and a client that trusts it.
func logdCert(t *testing.T) (certFile, keyFile string, client *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "logd"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile = writeFile(t, "logd.crt", string(certPEM))
	keyFile = writeFile(t, "logd.key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

var logdServingLine = regexp.MustCompile(`^Log server \S+ is serving (https://\S+)$`)

// startLogd runs `seura logd serve` and waits for its address.
func startLogd(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	cmd := command(context.Background(), t, append([]string{"logd", "serve"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	m := logdServingLine.FindStringSubmatch(strings.TrimSpace(line))
	if err != nil || m == nil {
		cmd.Wait()
		t.Fatalf("seura logd serve printed %q (%v); stderr:\n%s", line, err, stderr.String())
	}
	stop := func() {
		t.Helper()
		if runtime.GOOS == "windows" {
			return
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("seura logd serve after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	}
	return m[1], stop
}

func TestLogdCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logd")
	res := runSeura(t, time.Minute, nil, "logd", "init", "--dir", dir, "--origin", "logd.test.invalid/seura")
	if res.code != 0 {
		t.Fatalf("logd init: %d %s", res.code, res.stderr)
	}
	vkey := regexp.MustCompile(`(?m)^logd\.test\.invalid/seura\+[0-9a-f]{8}\+\S+$`).FindString(res.stdout)
	if vkey == "" {
		t.Fatalf("logd init printed no public key:\n%s", res.stdout)
	}
	if again := runSeura(t, time.Minute, nil, "logd", "init", "--dir", dir, "--origin", "other"); again.code == 0 || !strings.Contains(again.stderr, "refusing to replace") {
		t.Errorf("second init: %d %q", again.code, again.stderr)
	}
	res = runSeura(t, time.Minute, nil, "logd", "sender", "add", "app", "--dir", dir)
	token := regexp.MustCompile(`(?m)^logd_\S+$`).FindString(res.stdout)
	if res.code != 0 || token == "" {
		t.Fatalf("sender add: %d %q %q", res.code, res.stdout, res.stderr)
	}
	if bad := runSeura(t, time.Minute, nil, "logd", "serve", "--dir", dir); bad.code == 0 || !strings.Contains(bad.stderr, "--tls-cert is required") {
		t.Errorf("serve without certificate: %d %q", bad.code, bad.stderr)
	}

	certFile, keyFile, httpClient := logdCert(t)
	url, stop := startLogd(t, "--dir", dir, "--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile, "--checkpoint-interval", "200ms")
	client, err := logd.NewClient(url, vkey, token, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var batch []logd.Entry
	for seq := uint64(1); seq <= 20; seq++ {
		data := []byte(fmt.Sprintf(`{"seq":%d,"action":"member.create"}`, seq))
		h := sha256.Sum256(data)
		batch = append(batch, logd.Entry{Seq: seq, Hash: h[:], Data: data})
	}
	if _, err := client.Append(ctx, batch); err != nil {
		t.Fatal(err)
	}
	cp, err := client.WaitCheckpoint(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.InclusionProof(ctx, 7, cp, logd.LeafHash(batch[7].Data)); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	stop()

	res = runSeura(t, time.Minute, nil, "logd", "verify", "--dir", dir)
	if res.code != 0 || !strings.Contains(res.stdout, "Log verified: 20 entries") {
		t.Fatalf("verify: %d %q %q", res.code, res.stdout, res.stderr)
	}
	// Change the data of leaf 5 on disk.
	bundlePath := filepath.Join(logd.LogPath(dir), "tile/entries/000.p/20")
	bundle, err := os.ReadFile(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range 5 {
		off += 2 + int(bin.BigEndian.Uint16(bundle[off:]))
	}
	bundle[off+4] ^= 1
	if err := os.WriteFile(bundlePath, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	res = runSeura(t, time.Minute, nil, "logd", "verify", "--dir", dir)
	if res.code != 1 || !strings.Contains(res.stderr, "tile/entries/000.p/20: leaf 5: entry data changed") {
		t.Errorf("verify of a changed entry: %d %q", res.code, res.stderr)
	}
}
