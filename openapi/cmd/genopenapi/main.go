// Command genopenapi writes the gateway's OpenAPI 3 document, built from the
// handlers' annotations, to openapi/openapi.json ("make openapi").
package main

import (
	"flag"
	"fmt"
	"os"

	"s3gateway/openapi/build"
)

func main() {
	root := flag.String("root", ".", "module root")
	out := flag.String("out", "openapi/openapi.json", "output file")
	flag.Parse()
	doc, err := build.Document(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genopenapi:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genopenapi:", err)
		os.Exit(1)
	}
}
