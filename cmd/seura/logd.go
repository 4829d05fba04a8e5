package main

import "github.com/spf13/cobra"

// logdCmd runs the separate log server that keeps the audit trail.
func logdCmd() *cobra.Command {
	return &cobra.Command{Use: "logd", Short: "The separate log server that keeps the audit trail"}
}
