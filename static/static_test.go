package static

import "testing"

func TestVendorAssetsAreEmbedded(t *testing.T) {
	for _, name := range Vendor {
		b, err := FS.ReadFile(name)
		if err != nil || len(b) == 0 {
			t.Errorf("%s is not embedded: run `make assets` before building (%v)", name, err)
		}
	}
}
