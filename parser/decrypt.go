package parser

// Password-protected Office documents (ECMA-376 encryption, [MS-OFFCRYPTO]).
//
// An encrypted .docx is not a zip but an OLE compound file (CFB) holding two
// streams: EncryptionInfo (how the key is made) and EncryptedPackage (the zip,
// encrypted). This file reads the CFB container itself, with caps on size, sectors
// and directory entries and a guard against cyclic sector chains, and decrypts both
// kinds Office writes: "agile" (XML description, SHA-512 and AES-CBC per 4096-byte
// segment, Office 2010 on) and "standard" (binary description, SHA-1 and AES-ECB,
// Office 2007).

import (
	"archive/zip"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash"
	"strings"
	"unicode/utf16"
)

const (
	cfbMaxFile       = 64 << 20 // bytes of the compound file
	cfbMaxDirEntries = 4096     // directory entries read
	cfbMaxSpinCount  = 1000000  // agile key derivation rounds (Office uses 100000)
	cfbEndOfChain    = 0xFFFFFFFE
	cfbFreeSect      = 0xFFFFFFFF
	cfbMaxRegSect    = 0xFFFFFFFA
)

// errLegacyDoc is decryptOOXML's answer to a Word 97-2003 .doc: a caller that wants
// to read it anyway can test errors.Is(err, errLegacyDoc) and call extractDoc.
var errLegacyDoc = fmt.Errorf("legacy Word .doc is not supported: please send it as .docx: %w", ErrUnsupported)

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// decryptOOXML returns the zip package inside a password-protected Office file,
// trying each password in turn.
func decryptOOXML(raw []byte, passwords []string) ([]byte, error) {
	cf, err := openCFB(raw)
	if err != nil {
		return nil, err
	}
	infoEnt, hasInfo := cf.entries["EncryptionInfo"]
	pkgEnt, hasPkg := cf.entries["EncryptedPackage"]
	if !hasInfo || !hasPkg {
		if _, ok := cf.entries["WordDocument"]; ok {
			return nil, errLegacyDoc
		}
		return nil, fmt.Errorf("an OLE compound file that is not an encrypted Office document (old Excel, PowerPoint or Outlook file?): please send it as .docx: %w", ErrUnsupported)
	}
	info, err := cf.read(infoEnt)
	if err != nil {
		return nil, err
	}
	pkg, err := cf.read(pkgEnt)
	if err != nil {
		return nil, err
	}
	if len(pkg) < 8 {
		return nil, fmt.Errorf("encrypted package is %d bytes, too short: %w", len(pkg), ErrCorrupt)
	}
	size := binary.LittleEndian.Uint64(pkg[:8])
	if size > uint64(len(pkg)-8) {
		return nil, fmt.Errorf("encrypted package claims %d bytes but holds %d: %w", size, len(pkg)-8, ErrCorrupt)
	}
	if len(info) < 8 {
		return nil, fmt.Errorf("encryption info is %d bytes, too short: %w", len(info), ErrCorrupt)
	}
	major := binary.LittleEndian.Uint16(info[0:2])
	minor := binary.LittleEndian.Uint16(info[2:4])

	var dec ooxmlDecryptor
	switch {
	case major == 4 && minor == 4:
		dec, err = parseAgileInfo(info[8:])
	case (major == 2 || major == 3 || major == 4) && minor == 2:
		dec, err = parseStandardInfo(info[8:])
	case minor == 3 && (major == 3 || major == 4):
		return nil, fmt.Errorf("extensible encryption (version %d.%d) is not supported: please send the document without a password: %w", major, minor, ErrUnsupported)
	default:
		return nil, fmt.Errorf("unknown encryption version %d.%d: please send the document without a password: %w", major, minor, ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	if len(passwords) == 0 {
		return nil, fmt.Errorf("no password given for a password-protected document: %w", ErrEncrypted)
	}
	for _, pw := range passwords {
		key, ok := dec.key(pw)
		if !ok {
			continue
		}
		out, err := dec.decrypt(key, pkg[8:])
		if err != nil {
			return nil, err
		}
		if uint64(len(out)) < size {
			return nil, fmt.Errorf("encrypted package claims %d bytes but decrypts to %d: %w", size, len(out), ErrCorrupt)
		}
		out = out[:size]
		if !bytes.HasPrefix(out, []byte("PK\x03\x04")) {
			return nil, fmt.Errorf("decrypted package is not a zip (wrong password or damaged file): %w", ErrEncrypted)
		}
		if _, err := zip.NewReader(bytes.NewReader(out), int64(len(out))); err != nil {
			return nil, fmt.Errorf("decrypted package is not a readable zip (%v): %w", err, ErrCorrupt)
		}
		return out, nil
	}
	n := len(passwords)
	if n == 1 {
		return nil, fmt.Errorf("wrong password: the 1 password given does not open the document: %w", ErrEncrypted)
	}
	return nil, fmt.Errorf("wrong password: none of the %d passwords given opens the document: %w", n, ErrEncrypted)
}

// ooxmlDecryptor is one encryption scheme: key checks a password against the
// verifier and returns the package key; decrypt decrypts the package body (after
// its 8-byte size), returning at least as many bytes as the size says.
type ooxmlDecryptor interface {
	key(password string) ([]byte, bool)
	decrypt(key, body []byte) ([]byte, error)
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func le32(n uint32) []byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], n)
	return b[:]
}

// --- standard encryption ([MS-OFFCRYPTO] 2.3.4.5, 2.3.4.7, 2.3.4.9) ---

type standardInfo struct {
	keyBytes      int
	salt          []byte
	verifier      []byte // encrypted, 16 bytes
	verifierHash  []byte // encrypted, 32 bytes
	verifierHashN int    // bytes of the SHA-1 hash that count (20)
}

func parseStandardInfo(b []byte) (*standardInfo, error) {
	bad := func(why string) error {
		return fmt.Errorf("standard encryption info: %s: %w", why, ErrCorrupt)
	}
	if len(b) < 4 {
		return nil, bad("truncated header")
	}
	hdrSize := binary.LittleEndian.Uint32(b[:4])
	b = b[4:]
	if hdrSize < 32 || uint64(hdrSize) > uint64(len(b)) {
		return nil, bad("bad header size")
	}
	hdr := b[:hdrSize]
	algID := binary.LittleEndian.Uint32(hdr[8:12])
	hashID := binary.LittleEndian.Uint32(hdr[12:16])
	keyBits := binary.LittleEndian.Uint32(hdr[16:20])
	switch algID {
	case 0x660E, 0x660F, 0x6610: // AES-128, -192, -256
	case 0x6801:
		return nil, fmt.Errorf("RC4 encryption is not supported: please send the document without a password: %w", ErrUnsupported)
	default:
		return nil, fmt.Errorf("standard encryption with cipher 0x%x is not supported: %w", algID, ErrUnsupported)
	}
	if hashID != 0 && hashID != 0x8004 {
		return nil, fmt.Errorf("standard encryption with hash 0x%x is not supported: %w", hashID, ErrUnsupported)
	}
	if keyBits != 128 && keyBits != 192 && keyBits != 256 {
		return nil, bad(fmt.Sprintf("key size %d bits", keyBits))
	}
	v := b[hdrSize:]
	if len(v) < 4 {
		return nil, bad("truncated verifier")
	}
	saltSize := binary.LittleEndian.Uint32(v[:4])
	if saltSize != 16 || len(v) < 4+16+16+4+32 {
		return nil, bad("truncated verifier")
	}
	si := &standardInfo{
		keyBytes:      int(keyBits / 8),
		salt:          v[4:20],
		verifier:      v[20:36],
		verifierHashN: int(binary.LittleEndian.Uint32(v[36:40])),
		verifierHash:  v[40:72],
	}
	if si.verifierHashN != 20 {
		return nil, bad("verifier hash size is not 20")
	}
	return si, nil
}

func (si *standardInfo) key(password string) ([]byte, bool) {
	h := sha1.New()
	h.Write(si.salt)
	h.Write(utf16LE(password))
	sum := h.Sum(nil)
	for i := uint32(0); i < 50000; i++ {
		h.Reset()
		h.Write(le32(i))
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
	h.Reset()
	h.Write(sum)
	h.Write(le32(0))
	final := h.Sum(nil)

	derive := func(c byte) []byte {
		buf := bytes.Repeat([]byte{c}, 64)
		for i := range final {
			buf[i] ^= final[i]
		}
		s := sha1.Sum(buf)
		return s[:]
	}
	x := append(derive(0x36), derive(0x5C)...)
	key := x[:si.keyBytes]

	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	verifier := ecbDecrypt(block, si.verifier)
	vhash := ecbDecrypt(block, si.verifierHash)
	want := sha1.Sum(verifier)
	if subtle.ConstantTimeCompare(want[:], vhash[:si.verifierHashN]) != 1 {
		return nil, false
	}
	return key, true
}

func (si *standardInfo) decrypt(key, body []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("standard encryption key: %v: %w", err, ErrCorrupt)
	}
	n := len(body) - len(body)%aes.BlockSize
	return ecbDecrypt(block, body[:n]), nil
}

// ecbDecrypt decrypts whole blocks; a trailing partial block is dropped.
func ecbDecrypt(b cipher.Block, src []byte) []byte {
	bs := b.BlockSize()
	out := make([]byte, len(src)-len(src)%bs)
	for i := 0; i+bs <= len(src); i += bs {
		b.Decrypt(out[i:i+bs], src[i:i+bs])
	}
	return out
}

// --- agile encryption ([MS-OFFCRYPTO] 2.3.4.10 to 2.3.4.15) ---

type agileXML struct {
	KeyData struct {
		SaltSize        int    `xml:"saltSize,attr"`
		BlockSize       int    `xml:"blockSize,attr"`
		KeyBits         int    `xml:"keyBits,attr"`
		HashSize        int    `xml:"hashSize,attr"`
		CipherAlgorithm string `xml:"cipherAlgorithm,attr"`
		CipherChaining  string `xml:"cipherChaining,attr"`
		HashAlgorithm   string `xml:"hashAlgorithm,attr"`
		SaltValue       string `xml:"saltValue,attr"`
	} `xml:"keyData"`
	KeyEncryptors struct {
		KeyEncryptor []struct {
			URI          string `xml:"uri,attr"`
			EncryptedKey struct {
				SpinCount                  int    `xml:"spinCount,attr"`
				SaltSize                   int    `xml:"saltSize,attr"`
				BlockSize                  int    `xml:"blockSize,attr"`
				KeyBits                    int    `xml:"keyBits,attr"`
				HashSize                   int    `xml:"hashSize,attr"`
				CipherAlgorithm            string `xml:"cipherAlgorithm,attr"`
				CipherChaining             string `xml:"cipherChaining,attr"`
				HashAlgorithm              string `xml:"hashAlgorithm,attr"`
				SaltValue                  string `xml:"saltValue,attr"`
				EncryptedVerifierHashInput string `xml:"encryptedVerifierHashInput,attr"`
				EncryptedVerifierHashValue string `xml:"encryptedVerifierHashValue,attr"`
				EncryptedKeyValue          string `xml:"encryptedKeyValue,attr"`
			} `xml:"encryptedKey"`
		} `xml:"keyEncryptor"`
	} `xml:"keyEncryptors"`
}

type agileInfo struct {
	// keyData: how the package itself is encrypted
	dataSalt     []byte
	dataHash     func() hash.Hash
	dataKeyBytes int
	dataBlock    int
	// password key encryptor
	spin          int
	pwSalt        []byte
	pwHash        func() hash.Hash
	pwKeyBytes    int
	pwBlock       int
	encVerInput   []byte
	encVerValue   []byte
	encKeyValue   []byte
	pwHashSize    int
	dataSaltBytes int
}

func agileHash(name string) (func() hash.Hash, int, bool) {
	switch strings.ToUpper(strings.ReplaceAll(name, "-", "")) {
	case "SHA1":
		return sha1.New, 20, true
	case "SHA256":
		return sha256.New, 32, true
	case "SHA384":
		return sha512.New384, 48, true
	case "SHA512":
		return sha512.New, 64, true
	}
	return nil, 0, false
}

func parseAgileInfo(b []byte) (*agileInfo, error) {
	bad := func(why string) error {
		return fmt.Errorf("agile encryption info: %s: %w", why, ErrCorrupt)
	}
	var x agileXML
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, bad(fmt.Sprintf("XML: %v", err))
	}
	kd := x.KeyData
	if !strings.EqualFold(kd.CipherAlgorithm, "AES") || !strings.EqualFold(kd.CipherChaining, "ChainingModeCBC") {
		return nil, fmt.Errorf("agile encryption with %s/%s is not supported: %w", kd.CipherAlgorithm, kd.CipherChaining, ErrUnsupported)
	}
	ai := &agileInfo{}
	var ok bool
	if ai.dataHash, _, ok = agileHash(kd.HashAlgorithm); !ok {
		return nil, fmt.Errorf("agile encryption with hash %q is not supported: %w", kd.HashAlgorithm, ErrUnsupported)
	}
	var err error
	if ai.dataSalt, err = base64.StdEncoding.DecodeString(kd.SaltValue); err != nil || len(ai.dataSalt) == 0 {
		return nil, bad("key data salt")
	}
	ai.dataKeyBytes = kd.KeyBits / 8
	ai.dataBlock = kd.BlockSize
	if !validAESKey(ai.dataKeyBytes) || ai.dataBlock != aes.BlockSize {
		return nil, bad("key data key or block size")
	}
	found := false
	for _, ke := range x.KeyEncryptors.KeyEncryptor {
		if ke.URI != "" && ke.URI != "http://schemas.microsoft.com/office/2006/keyEncryptor/password" {
			continue
		}
		ek := ke.EncryptedKey
		if !strings.EqualFold(ek.CipherAlgorithm, "AES") || !strings.EqualFold(ek.CipherChaining, "ChainingModeCBC") {
			return nil, fmt.Errorf("agile password key with %s/%s is not supported: %w", ek.CipherAlgorithm, ek.CipherChaining, ErrUnsupported)
		}
		if ai.pwHash, ai.pwHashSize, ok = agileHash(ek.HashAlgorithm); !ok {
			return nil, fmt.Errorf("agile password key with hash %q is not supported: %w", ek.HashAlgorithm, ErrUnsupported)
		}
		if ek.SpinCount < 0 || ek.SpinCount > cfbMaxSpinCount {
			return nil, errTooLarge("agile encryption spin count", cfbMaxSpinCount)
		}
		ai.spin = ek.SpinCount
		ai.pwKeyBytes = ek.KeyBits / 8
		ai.pwBlock = ek.BlockSize
		if !validAESKey(ai.pwKeyBytes) || ai.pwBlock != aes.BlockSize {
			return nil, bad("password key or block size")
		}
		dec := func(s string) []byte {
			v, e := base64.StdEncoding.DecodeString(s)
			if e != nil {
				err = e
			}
			return v
		}
		ai.pwSalt = dec(ek.SaltValue)
		ai.encVerInput = dec(ek.EncryptedVerifierHashInput)
		ai.encVerValue = dec(ek.EncryptedVerifierHashValue)
		ai.encKeyValue = dec(ek.EncryptedKeyValue)
		if err != nil || len(ai.pwSalt) == 0 {
			return nil, bad("password key values")
		}
		ai.dataSaltBytes = ek.SaltSize
		for _, v := range [][]byte{ai.encVerInput, ai.encVerValue, ai.encKeyValue} {
			if len(v) == 0 || len(v)%aes.BlockSize != 0 {
				return nil, bad("encrypted verifier length")
			}
		}
		found = true
		break
	}
	if !found {
		return nil, fmt.Errorf("document is encrypted with a certificate, not a password: %w", ErrUnsupported)
	}
	return ai, nil
}

func validAESKey(n int) bool { return n == 16 || n == 24 || n == 32 }

// fitBytes truncates b to n bytes or pads it with pad.
func fitBytes(b []byte, n int, pad byte) []byte {
	out := make([]byte, n)
	c := copy(out, b)
	for i := c; i < n; i++ {
		out[i] = pad
	}
	return out
}

var (
	agileBlockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	agileBlockVerifierValue = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	agileBlockKeyValue      = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
)

func cbcDecrypt(key, iv, src []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil || len(src)%aes.BlockSize != 0 || len(iv) != aes.BlockSize {
		return nil, false
	}
	out := make([]byte, len(src))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, src)
	return out, true
}

func (ai *agileInfo) key(password string) ([]byte, bool) {
	h := ai.pwHash()
	h.Write(ai.pwSalt)
	h.Write(utf16LE(password))
	sum := h.Sum(nil)
	var ib [4]byte
	for i := 0; i < ai.spin; i++ {
		h.Reset()
		binary.LittleEndian.PutUint32(ib[:], uint32(i))
		h.Write(ib[:])
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
	derive := func(blockKey []byte) []byte {
		h.Reset()
		h.Write(sum)
		h.Write(blockKey)
		return fitBytes(h.Sum(nil), ai.pwKeyBytes, 0x36)
	}
	iv := fitBytes(ai.pwSalt, ai.pwBlock, 0x36)
	input, ok1 := cbcDecrypt(derive(agileBlockVerifierInput), iv, ai.encVerInput)
	value, ok2 := cbcDecrypt(derive(agileBlockVerifierValue), iv, ai.encVerValue)
	if !ok1 || !ok2 {
		return nil, false
	}
	if ai.dataSaltBytes > 0 && ai.dataSaltBytes <= len(input) {
		input = input[:ai.dataSaltBytes]
	}
	vh := ai.pwHash()
	vh.Write(input)
	want := vh.Sum(nil)
	if len(value) < len(want) || subtle.ConstantTimeCompare(want, value[:len(want)]) != 1 {
		return nil, false
	}
	keyValue, ok := cbcDecrypt(derive(agileBlockKeyValue), iv, ai.encKeyValue)
	if !ok || len(keyValue) < ai.dataKeyBytes {
		return nil, false
	}
	return keyValue[:ai.dataKeyBytes], true
}

func (ai *agileInfo) decrypt(key, body []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("agile encryption key: %v: %w", err, ErrCorrupt)
	}
	const segment = 4096
	out := make([]byte, 0, len(body))
	h := ai.dataHash()
	for i := 0; i*segment < len(body); i++ {
		seg := body[i*segment : min((i+1)*segment, len(body))]
		seg = seg[:len(seg)-len(seg)%aes.BlockSize]
		h.Reset()
		h.Write(ai.dataSalt)
		h.Write(le32(uint32(i)))
		iv := fitBytes(h.Sum(nil), ai.dataBlock, 0x36)
		plain := make([]byte, len(seg))
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, seg)
		out = append(out, plain...)
	}
	return out, nil
}

// --- compound file (CFB, [MS-CFB]) ---

type cfbEntry struct {
	start uint32
	size  uint64
}

type cfbFile struct {
	raw        []byte
	sectorSize int
	fat        []uint32
	miniFAT    []uint32
	miniStream []byte
	cutoff     uint64
	entries    map[string]cfbEntry // streams of the root storage by name
}

func cfbCorrupt(why string) error {
	return fmt.Errorf("OLE compound file: %s: %w", why, ErrCorrupt)
}

func openCFB(raw []byte) (*cfbFile, error) {
	if len(raw) > cfbMaxFile {
		return nil, errTooLarge("size of the OLE compound file", cfbMaxFile)
	}
	if len(raw) < 512 || !bytes.Equal(raw[:8], cfbMagic) {
		return nil, cfbCorrupt("no OLE signature")
	}
	cf := &cfbFile{raw: raw}
	major := binary.LittleEndian.Uint16(raw[26:28])
	shift := binary.LittleEndian.Uint16(raw[30:32])
	switch {
	case major == 3 && shift == 9:
		cf.sectorSize = 512
	case major == 4 && shift == 12:
		cf.sectorSize = 4096
	default:
		return nil, cfbCorrupt(fmt.Sprintf("version %d with sector shift %d", major, shift))
	}
	if binary.LittleEndian.Uint16(raw[32:34]) != 6 {
		return nil, cfbCorrupt("mini sector size is not 64")
	}
	numFAT := binary.LittleEndian.Uint32(raw[44:48])
	firstDir := binary.LittleEndian.Uint32(raw[48:52])
	cf.cutoff = uint64(binary.LittleEndian.Uint32(raw[56:60]))
	firstMiniFAT := binary.LittleEndian.Uint32(raw[60:64])
	firstDIFAT := binary.LittleEndian.Uint32(raw[68:72])
	numDIFAT := binary.LittleEndian.Uint32(raw[72:76])

	nSectors := (len(raw) + cf.sectorSize - 1) / cf.sectorSize // an upper bound on any count
	if uint64(numFAT) > uint64(nSectors) || uint64(numDIFAT) > uint64(nSectors) {
		return nil, cfbCorrupt("more FAT sectors than the file holds")
	}

	// The DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
	var fatSectors []uint32
	for i := 0; i < 109; i++ {
		s := binary.LittleEndian.Uint32(raw[76+4*i:])
		if s <= cfbMaxRegSect {
			fatSectors = append(fatSectors, s)
		}
	}
	perDIFAT := cf.sectorSize/4 - 1
	seen := map[uint32]bool{}
	for s, n := firstDIFAT, uint32(0); s <= cfbMaxRegSect && n < numDIFAT && uint64(len(fatSectors)) < uint64(numFAT); n++ {
		if seen[s] {
			return nil, cfbCorrupt("DIFAT chain loops")
		}
		seen[s] = true
		sec, err := cf.sector(s)
		if err != nil {
			return nil, err
		}
		for i := 0; i < perDIFAT; i++ {
			v := binary.LittleEndian.Uint32(sec[4*i:])
			if v <= cfbMaxRegSect {
				fatSectors = append(fatSectors, v)
			}
		}
		s = binary.LittleEndian.Uint32(sec[4*perDIFAT:])
	}
	if uint64(len(fatSectors)) > uint64(numFAT) {
		fatSectors = fatSectors[:numFAT]
	}
	if len(fatSectors) > nSectors {
		return nil, cfbCorrupt("more FAT sectors than the file holds")
	}
	for _, s := range fatSectors {
		sec, err := cf.sector(s)
		if err != nil {
			return nil, err
		}
		for i := 0; i+4 <= len(sec); i += 4 {
			cf.fat = append(cf.fat, binary.LittleEndian.Uint32(sec[i:]))
		}
	}

	dir, err := cf.chain(cf.fat, firstDir, cf.sectorData, uint64(cfbMaxDirEntries)*128+1)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if len(dir) > cfbMaxDirEntries*128 {
		return nil, errTooLarge("number of OLE directory entries", cfbMaxDirEntries)
	}
	if len(dir) < 128 {
		return nil, cfbCorrupt("no root directory entry")
	}
	type dirent struct {
		name               string
		typ                byte
		left, right, child uint32
		start              uint32
		size               uint64
	}
	var ents []dirent
	for off := 0; off+128 <= len(dir); off += 128 {
		e := dir[off : off+128]
		nameLen := int(binary.LittleEndian.Uint16(e[64:66]))
		if nameLen > 64 {
			nameLen = 64
		}
		u := make([]uint16, 0, 32)
		for i := 0; i+1 < nameLen; i += 2 {
			c := binary.LittleEndian.Uint16(e[i:])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		size := binary.LittleEndian.Uint64(e[120:128])
		if major == 3 {
			size &= 0xFFFFFFFF
		}
		ents = append(ents, dirent{
			name:  string(utf16.Decode(u)),
			typ:   e[66],
			left:  binary.LittleEndian.Uint32(e[68:72]),
			right: binary.LittleEndian.Uint32(e[72:76]),
			child: binary.LittleEndian.Uint32(e[76:80]),
			start: binary.LittleEndian.Uint32(e[116:120]),
			size:  size,
		})
	}
	root := ents[0]
	if root.typ != 5 {
		return nil, cfbCorrupt("first directory entry is not the root")
	}
	if root.size > uint64(len(raw)) {
		return nil, cfbCorrupt("mini stream larger than the file")
	}
	// Walk the root's children (a red-black tree through left/right) once each.
	cf.entries = map[string]cfbEntry{}
	visited := map[uint32]bool{}
	stack := []uint32{root.child}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == cfbFreeSect || int64(id) >= int64(len(ents)) || visited[id] {
			continue
		}
		visited[id] = true
		e := ents[id]
		if e.typ == 2 {
			if _, dup := cf.entries[e.name]; !dup {
				cf.entries[e.name] = cfbEntry{start: e.start, size: e.size}
			}
		}
		stack = append(stack, e.left, e.right)
	}

	// The mini FAT and mini stream, for streams under the cutoff.
	mf, err := cf.chain(cf.fat, firstMiniFAT, cf.sectorData, uint64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("mini FAT: %w", err)
	}
	for i := 0; i+4 <= len(mf); i += 4 {
		cf.miniFAT = append(cf.miniFAT, binary.LittleEndian.Uint32(mf[i:]))
	}
	if root.size > 0 {
		ms, err := cf.chain(cf.fat, root.start, cf.sectorData, root.size)
		if err != nil {
			return nil, fmt.Errorf("mini stream: %w", err)
		}
		cf.miniStream = ms
	}
	return cf, nil
}

// sector returns regular sector s.
func (cf *cfbFile) sector(s uint32) ([]byte, error) {
	off := (int64(s) + 1) * int64(cf.sectorSize)
	if off+int64(cf.sectorSize) > int64(len(cf.raw)) {
		// The last sector may be cut short; pad it.
		if off < int64(len(cf.raw)) {
			return fitBytes(cf.raw[off:], cf.sectorSize, 0), nil
		}
		return nil, cfbCorrupt(fmt.Sprintf("sector %d is past the end of the file", s))
	}
	return cf.raw[off : off+int64(cf.sectorSize)], nil
}

func (cf *cfbFile) sectorData(s uint32) ([]byte, error) { return cf.sector(s) }

func (cf *cfbFile) miniSector(s uint32) ([]byte, error) {
	off := int64(s) * 64
	if off+64 > int64(len(cf.miniStream)) {
		return nil, cfbCorrupt(fmt.Sprintf("mini sector %d is past the end of the mini stream", s))
	}
	return cf.miniStream[off : off+64], nil
}

// chain follows a sector chain from start through table, reading at most max bytes.
// A chain longer than the table (a loop) is an error, never an endless walk.
func (cf *cfbFile) chain(table []uint32, start uint32, read func(uint32) ([]byte, error), max uint64) ([]byte, error) {
	var out []byte
	s := start
	for steps := 0; s != cfbEndOfChain && s != cfbFreeSect; steps++ {
		if steps > len(table) {
			return nil, cfbCorrupt("sector chain loops")
		}
		if uint64(len(out)) >= max {
			break
		}
		if int64(s) >= int64(len(table)) {
			return nil, cfbCorrupt(fmt.Sprintf("sector %d is outside the allocation table", s))
		}
		sec, err := read(s)
		if err != nil {
			return nil, err
		}
		out = append(out, sec...)
		s = table[s]
	}
	if uint64(len(out)) > max {
		out = out[:max]
	}
	return out, nil
}

// read returns a stream's bytes.
func (cf *cfbFile) read(e cfbEntry) ([]byte, error) {
	if e.size > uint64(len(cf.raw)) {
		return nil, cfbCorrupt("stream larger than the file")
	}
	var data []byte
	var err error
	if e.size < cf.cutoff {
		data, err = cf.chain(cf.miniFAT, e.start, cf.miniSector, e.size)
	} else {
		data, err = cf.chain(cf.fat, e.start, cf.sectorData, e.size)
	}
	if err != nil {
		return nil, err
	}
	if uint64(len(data)) < e.size {
		return nil, cfbCorrupt("stream shorter than its directory entry says")
	}
	return data, nil
}
