package views

// AssetVersion is appended to asset URLs so that a new build is never served
// from a stale browser cache; the server sets it from the embedded files' hash.
var AssetVersion = "dev"

// Asset returns the URL of a file in static/.
func Asset(name string) string {
	return "/static/" + name + "?v=" + AssetVersion
}
