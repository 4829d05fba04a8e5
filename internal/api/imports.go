package api

// importRoutes are the operations of this part of the API; its paths are
// described in openapi/imports.json.
func (a *API) importRoutes() []Route { return nil }
