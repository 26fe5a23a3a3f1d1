//go:build tools

// Package tools pins FerretDB v1's own command (github.com/FerretDB/FerretDB/cmd/ferretdb) for the
// local-cluster image: unlike the embeddable package the local platform wraps
// (tools/platform/ferretdb), the command has the SCRAM authentication that the chart's MongoDB
// contract needs (`--test-enable-new-auth`, `--setup-*`). Built from this module, the binary's
// main module is not FerretDB's, so its release-only version.txt check is skipped.
//
// Built by tools/cluster/images/build.ts: go build github.com/FerretDB/FerretDB/cmd/ferretdb
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
