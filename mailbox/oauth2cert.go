package mailbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// jwtBearer is RFC 7523's client assertion type.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientCert is the certificate an app registration knows and the key that signs the
// client assertions proving we hold it.
type clientCert struct {
	key        *rsa.PrivateKey
	thumbprint []byte // SHA-1 of the DER certificate: Entra ID's x5t
	thumb256   []byte // SHA-256: x5t#S256
	notAfter   time.Time
}

func parseClientCert(pemData []byte) (*clientCert, error) {
	var c clientCert
	var haveCert bool
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			if haveCert {
				continue // the first is ours; others are its chain
			}
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("oauth2: client certificate: %w", err)
			}
			s1, s256 := sha1.Sum(b.Bytes), sha256.Sum256(b.Bytes)
			c.thumbprint, c.thumb256, c.notAfter, haveCert = s1[:], s256[:], cert.NotAfter, true
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("oauth2: client certificate key: %w", err)
			}
			c.key = k
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("oauth2: client certificate key: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, errors.New("oauth2: client certificate key: Entra ID needs an RSA key")
			}
			c.key = rk
		}
	}
	if !haveCert || c.key == nil {
		return nil, errors.New("oauth2: the client certificate file needs the certificate and its unencrypted RSA private key, in PEM")
	}
	return &c, nil
}

// Thumbprint is the certificate's SHA-1 thumbprint in hex, as the Entra portal shows it.
func (c *clientCert) Thumbprint() string { return fmt.Sprintf("%X", c.thumbprint) }

// assertion is a signed JWT (RS256) valid for ten minutes, for one token request.
func (c *clientCert) assertion(clientID, tokenURL string, now time.Time) (string, error) {
	if now.After(c.notAfter) {
		return "", fmt.Errorf("oauth2: the client certificate expired on %s", c.notAfter.Format("2006-01-02"))
	}
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT",
		"x5t": enc.EncodeToString(c.thumbprint), "x5t#S256": enc.EncodeToString(c.thumb256)})
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims, _ := json.Marshal(map[string]any{"aud": tokenURL, "iss": clientID, "sub": clientID,
		"jti": hex.EncodeToString(jti), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("oauth2: sign client assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}
