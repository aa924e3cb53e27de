package parser

// PDF standard security handler, for the common case of a PDF "protected" only
// against editing or printing: it is encrypted, but with an empty user password, so
// any reader opens it. We decrypt with the empty password (RC4 and AES-128, revisions
// 2 to 4; AES-256, revisions 5 and 6). A PDF that needs a real password to open is an
// ErrEncrypted error asking for the document without one.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
)

var pdfPasswordPad = []byte{
	0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
}

type pdfCrypt struct {
	key        []byte
	stm, str   string // crypt method for streams and strings: "RC4", "AESV2", "AESV3" or "Identity"
	encryptNum int    // object number of the Encrypt dictionary (never encrypted itself)
	metadata   bool   // whether /Metadata streams are encrypted
}

var errPDFPassword = fmt.Errorf("PDF is password-protected: please send it without a password, or as .docx: %w", ErrEncrypted)

// setupCrypt reads the trailer's /Encrypt and derives the file key from the empty
// user password.
func (d *pdfDoc) setupCrypt() error {
	encObj := d.trailer["Encrypt"]
	enc, ok := d.resolve(encObj).(pdfDict)
	if !ok {
		return pdfCorrupt("unreadable /Encrypt dictionary")
	}
	if f, _ := d.resolve(enc["Filter"]).(pdfName); f != "Standard" {
		return fmt.Errorf("PDF uses the %q security handler (certificates?): please send it without protection, or as .docx: %w", f, ErrEncrypted)
	}
	c := &pdfCrypt{encryptNum: -1, metadata: true}
	if r, ok := encObj.(pdfRef); ok {
		c.encryptNum = r.num
	}
	if b, ok := d.resolve(enc["EncryptMetadata"]).(bool); ok {
		c.metadata = b
	}
	v, _ := pdfInt(d.resolve(enc["V"]))
	r, _ := pdfInt(d.resolve(enc["R"]))
	o, _ := d.resolve(enc["O"]).(pdfString)
	u, _ := d.resolve(enc["U"]).(pdfString)
	p, _ := pdfInt(d.resolve(enc["P"]))
	var id0 []byte
	if ids, ok := d.resolve(d.trailer["ID"]).(pdfArray); ok && len(ids) > 0 {
		id0, _ = d.resolve(ids[0]).(pdfString)
	}
	length := int64(40)
	if l, ok := pdfInt(d.resolve(enc["Length"])); ok {
		length = l
	}
	c.stm, c.str = "RC4", "RC4"
	if v == 4 || v == 5 {
		cf, _ := d.resolve(enc["CF"]).(pdfDict)
		method := func(name pdfObj) string {
			n, _ := d.resolve(name).(pdfName)
			if n == "" || n == "Identity" {
				return "Identity"
			}
			f, _ := d.resolve(cf[string(n)]).(pdfDict)
			m, _ := d.resolve(f["CFM"]).(pdfName)
			switch m {
			case "V2":
				return "RC4"
			case "AESV2", "AESV3":
				return string(m)
			case "None":
				return "Identity"
			}
			return "unknown " + string(m)
		}
		c.stm, c.str = method(enc["StmF"]), method(enc["StrF"])
		for _, m := range []string{c.stm, c.str} {
			if m != "RC4" && m != "AESV2" && m != "AESV3" && m != "Identity" {
				return fmt.Errorf("PDF encryption method %s is not supported: %w", m, ErrUnsupported)
			}
		}
		if v == 4 {
			length = 128
		}
	}
	switch {
	case r >= 2 && r <= 4:
		if len(o) < 32 || len(u) < 32 {
			return pdfCorrupt("bad /O or /U in /Encrypt")
		}
		n := int(length / 8)
		if r == 2 {
			n = 5
		}
		if n < 5 || n > 16 {
			return pdfCorrupt("bad key length in /Encrypt")
		}
		h := md5.New()
		h.Write(pdfPasswordPad)
		h.Write(o[:32])
		var pb [4]byte
		binary.LittleEndian.PutUint32(pb[:], uint32(int32(p)))
		h.Write(pb[:])
		h.Write(id0)
		if r >= 4 && !c.metadata {
			h.Write([]byte{0xFF, 0xFF, 0xFF, 0xFF})
		}
		key := h.Sum(nil)
		if r >= 3 {
			for i := 0; i < 50; i++ {
				s := md5.Sum(key[:n])
				key = s[:]
			}
		}
		key = key[:n]
		// Check the empty password opens the file (algorithms 4 and 5).
		var ok bool
		if r == 2 {
			out := make([]byte, 32)
			rc, _ := rc4.NewCipher(key)
			rc.XORKeyStream(out, pdfPasswordPad)
			ok = bytes.Equal(out, u[:32])
		} else {
			h := md5.New()
			h.Write(pdfPasswordPad)
			h.Write(id0)
			x := h.Sum(nil)
			for i := 0; i < 20; i++ {
				k := make([]byte, len(key))
				for j := range key {
					k[j] = key[j] ^ byte(i)
				}
				rc, _ := rc4.NewCipher(k)
				rc.XORKeyStream(x, x)
			}
			ok = bytes.Equal(x[:16], u[:16])
		}
		if !ok {
			return errPDFPassword
		}
		c.key = key
	case r == 5 || r == 6:
		ue, _ := d.resolve(enc["UE"]).(pdfString)
		if len(u) < 48 || len(ue) < 32 {
			return pdfCorrupt("bad /U or /UE in /Encrypt")
		}
		if !bytes.Equal(pdfHash2B(nil, u[32:40], nil, int(r)), u[:32]) {
			return errPDFPassword
		}
		ik := pdfHash2B(nil, u[40:48], nil, int(r))
		block, _ := aes.NewCipher(ik)
		key := make([]byte, 32)
		cipher.NewCBCDecrypter(block, make([]byte, 16)).CryptBlocks(key, ue[:32])
		c.key = key
	default:
		return fmt.Errorf("PDF security handler revision %d is not supported: %w", r, ErrUnsupported)
	}
	d.crypt = c
	// Everything read so far was read without decryption: read it again.
	d.cache = map[int]pdfObj{}
	d.objstms = map[int]map[int]pdfObj{}
	return nil
}

// pdfHash2B is algorithm 2.B of ISO 32000-2 (revision 6), or plain SHA-256 for
// revision 5.
func pdfHash2B(password, salt, udata []byte, r int) []byte {
	h := sha256.New()
	h.Write(password)
	h.Write(salt)
	h.Write(udata)
	k := h.Sum(nil)
	if r == 5 {
		return k
	}
	for round := 0; ; round++ {
		var k1 []byte
		for i := 0; i < 64; i++ {
			k1 = append(k1, password...)
			k1 = append(k1, k...)
			k1 = append(k1, udata...)
		}
		block, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(block, k[16:32]).CryptBlocks(e, k1)
		sum := 0
		for _, b := range e[:16] {
			sum += int(b)
		}
		var hh hash.Hash
		switch sum % 3 {
		case 0:
			hh = sha256.New()
		case 1:
			hh = sha512.New384()
		default:
			hh = sha512.New()
		}
		hh.Write(e)
		k = hh.Sum(nil)
		if round >= 63 && int(e[len(e)-1]) <= round-32 {
			break
		}
		if round > 1000 {
			break
		}
	}
	return k[:32]
}

func (c *pdfCrypt) objectKey(num, gen int, aesMethod bool) []byte {
	if len(c.key) == 32 { // AESV3: the file key itself
		return c.key
	}
	h := md5.New()
	h.Write(c.key)
	h.Write([]byte{byte(num), byte(num >> 8), byte(num >> 16), byte(gen), byte(gen >> 8)})
	if aesMethod {
		h.Write([]byte("sAlT"))
	}
	return h.Sum(nil)[:min(len(c.key)+5, 16)]
}

// decrypt decrypts one string or stream of object num.
func (c *pdfCrypt) decrypt(method string, num, gen int, data []byte) []byte {
	switch method {
	case "RC4":
		out := make([]byte, len(data))
		rc, err := rc4.NewCipher(c.objectKey(num, gen, false))
		if err != nil {
			return nil
		}
		rc.XORKeyStream(out, data)
		return out
	case "AESV2", "AESV3":
		if len(data) < 32 || len(data)%16 != 0 {
			return nil // an IV and at least one block, or it is not AES data
		}
		block, err := aes.NewCipher(c.objectKey(num, gen, true))
		if err != nil {
			return nil
		}
		out := make([]byte, len(data)-16)
		cipher.NewCBCDecrypter(block, data[:16]).CryptBlocks(out, data[16:])
		if pad := int(out[len(out)-1]); pad >= 1 && pad <= 16 && pad <= len(out) {
			out = out[:len(out)-pad]
		}
		return out
	}
	return data
}

// decryptObject decrypts the strings and stream of indirect object num in place.
func (d *pdfDoc) decryptObject(num, gen int, o pdfObj) pdfObj {
	c := d.crypt
	if c == nil || num == c.encryptNum {
		return o
	}
	var walk func(o pdfObj, depth int) pdfObj
	walk = func(o pdfObj, depth int) pdfObj {
		if depth > pdfMaxNesting {
			return o
		}
		switch v := o.(type) {
		case pdfString:
			return pdfString(c.decrypt(c.str, num, gen, v))
		case pdfArray:
			for i := range v {
				v[i] = walk(v[i], depth+1)
			}
		case pdfDict:
			for k, x := range v {
				v[k] = walk(x, depth+1)
			}
		case *pdfStream:
			walk(v.dict, depth+1)
			t, _ := v.dict["Type"].(pdfName)
			if t == "XRef" || (t == "Metadata" && !c.metadata) {
				return v
			}
			v.raw = c.decrypt(c.stm, num, gen, v.raw)
		}
		return o
	}
	return walk(o, 0)
}
