package main

import "github.com/spf13/cobra"

// auditCmd verifies and exports the tamper-evident audit trail.
func auditCmd() *cobra.Command {
	return &cobra.Command{Use: "audit", Short: "Verify and export the audit trail"}
}
