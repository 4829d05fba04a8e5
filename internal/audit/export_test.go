package audit

// ChainExisting exposes the migration step that chains events written before
// the chain existed, so a test can run it on events it wrote unchained.
var ChainExisting = chainExisting
