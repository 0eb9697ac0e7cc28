//go:build ignore

// gen_radicals writes radicals.bin: the Kangxi radical (1–214) of every CJK
// unified ideograph U+4E00–U+9FFF, one byte each, 0 when unknown. It reads
// the kRSUnicode field of the Unicode Character Database's Unihan data
// (Debian package unicode-data: /usr/share/unicode/Unihan_IRGSources.txt.bz2).
//
//	go run gen_radicals.go
package main

import (
	"bufio"
	"compress/bzip2"
	"log"
	"os"
	"strconv"
	"strings"
)

const first, last = 0x4E00, 0x9FFF

func main() {
	f, err := os.Open("/usr/share/unicode/Unihan_IRGSources.txt.bz2")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	table := make([]byte, last-first+1)
	sc := bufio.NewScanner(bzip2.NewReader(f))
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 || fields[1] != "kRSUnicode" {
			continue
		}
		cp, err := strconv.ParseUint(strings.TrimPrefix(fields[0], "U+"), 16, 32)
		if err != nil || cp < first || cp > last {
			continue
		}
		// "104.5", or "120'.3" for a simplified form of radical 120; the
		// first value is the primary classification.
		rs := strings.Fields(fields[2])[0]
		rad, _, _ := strings.Cut(rs, ".")
		r, err := strconv.Atoi(strings.TrimRight(rad, "'"))
		if err != nil || r < 1 || r > 214 {
			continue
		}
		table[cp-first] = byte(r)
		n++
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("radicals.bin", table, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("radicals.bin: %d of %d ideographs", n, len(table))
}
