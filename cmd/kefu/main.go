// Package main is the kefu command, the Kefu customer-service appliance. It
// only hands over to the cli package; run `kefu help` for the subcommands.
package main

import (
	"os"

	"kefu/cmd/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
