package sealbox

import "encoding/base64"

func textEncodingStd(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
