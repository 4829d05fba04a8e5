package api

// feeRoutes are the operations of this part of the API; its paths are
// described in openapi/fees.json.
func (a *API) feeRoutes() []Route { return nil }
