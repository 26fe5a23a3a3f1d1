//go:build tools

// Package tools pins FerretDB v1 for the local-cluster MongoDB-compatible image: go.mod/go.sum
// name and verify the module; tools/cluster/images/build.ts downloads it, adds the
// release-generated build/version/version.txt its command insists on, and builds its own
// command (cmd/ferretdb), which unlike the embeddable package the local platform wraps
// (tools/platform/ferretdb) has the SCRAM authentication the chart's credentials need
// (--test-enable-new-auth, --setup-*).
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
