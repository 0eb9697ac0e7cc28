// Package cli is the kefu command line: it parses subcommands, and it is the
// one place that assembles the appliance from its parts (store, engine,
// channels, console). Program has Open/Run/Close so an end-to-end test can
// start the whole appliance on a random port with a temporary database.
package cli
