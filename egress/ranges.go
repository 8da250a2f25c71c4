package egress

import (
	"encoding/binary"
	"net/netip"
)

// A denied range and the class reported for it.
type denyRange struct {
	prefix netip.Prefix
	class  string
}

// Address classes reported in [DeniedError].
const (
	ClassUnspecified   = "unspecified"
	ClassLoopback      = "loopback"
	ClassPrivate       = "private"
	ClassSharedAddress = "shared address space (CGNAT)"
	ClassLinkLocal     = "link-local"
	ClassMetadata      = "cloud metadata"
	ClassMulticast     = "multicast"
	ClassBroadcast     = "broadcast"
	ClassReserved      = "reserved"
	ClassDocumentation = "documentation"
	ClassUniqueLocal   = "unique local"
	ClassTranslated    = "IPv4 translation (NAT64, SIIT, Teredo)"
	ClassConfigured    = "denied by configuration"
	ClassInvalid       = "invalid"
)

// defaultDenyV4 is the IPv4 deny list: every range that is not globally
// routable unicast, per the IANA IPv4 Special-Purpose Address Registry
// (RFC 6890 and updates), plus the cloud metadata endpoints.
//
// The metadata address 169.254.169.254 is also inside 169.254.0.0/16; it is
// listed first so that the reported class says what it is.
var defaultDenyV4 = []denyRange{
	{netip.MustParsePrefix("169.254.169.254/32"), ClassMetadata}, // AWS, GCP, Azure, OCI, ...
	{netip.MustParsePrefix("169.254.170.2/32"), ClassMetadata},   // AWS ECS task metadata
	{netip.MustParsePrefix("100.100.100.200/32"), ClassMetadata}, // Alibaba Cloud
	{netip.MustParsePrefix("0.0.0.0/8"), ClassUnspecified},       // "this network" (RFC 791)
	{netip.MustParsePrefix("10.0.0.0/8"), ClassPrivate},          // RFC 1918
	{netip.MustParsePrefix("100.64.0.0/10"), ClassSharedAddress}, // RFC 6598
	{netip.MustParsePrefix("127.0.0.0/8"), ClassLoopback},        // RFC 1122
	{netip.MustParsePrefix("169.254.0.0/16"), ClassLinkLocal},    // RFC 3927
	{netip.MustParsePrefix("172.16.0.0/12"), ClassPrivate},       // RFC 1918
	{netip.MustParsePrefix("192.0.0.0/24"), ClassReserved},       // IETF protocol assignments (RFC 6890), incl. NAT64 discovery
	{netip.MustParsePrefix("192.0.2.0/24"), ClassDocumentation},  // TEST-NET-1 (RFC 5737)
	{netip.MustParsePrefix("192.31.196.0/24"), ClassReserved},    // AS112-v4 (RFC 7535)
	{netip.MustParsePrefix("192.52.193.0/24"), ClassReserved},    // AMT (RFC 7450)
	{netip.MustParsePrefix("192.88.99.0/24"), ClassTranslated},   // 6to4 relay anycast (RFC 7526)
	{netip.MustParsePrefix("192.168.0.0/16"), ClassPrivate},      // RFC 1918
	{netip.MustParsePrefix("192.175.48.0/24"), ClassReserved},    // AS112 direct delegation (RFC 7534)
	{netip.MustParsePrefix("198.18.0.0/15"), ClassReserved},      // benchmarking (RFC 2544)
	{netip.MustParsePrefix("198.51.100.0/24"), ClassDocumentation},
	{netip.MustParsePrefix("203.0.113.0/24"), ClassDocumentation},
	{netip.MustParsePrefix("224.0.0.0/4"), ClassMulticast},
	{netip.MustParsePrefix("255.255.255.255/32"), ClassBroadcast},
	{netip.MustParsePrefix("240.0.0.0/4"), ClassReserved}, // RFC 1112; includes broadcast above
}

// defaultDenyV6 is the IPv6 deny list, per the IANA IPv6 Special-Purpose
// Address Registry. IPv4-mapped addresses (::ffff:0:0/96) are not listed:
// they are unmapped and checked against the IPv4 list. 6to4 addresses
// (2002::/16) are checked by their embedded IPv4 address.
var defaultDenyV6 = []denyRange{
	{netip.MustParsePrefix("fd00:ec2::254/128"), ClassMetadata}, // AWS IMDS over IPv6
	{netip.MustParsePrefix("::/128"), ClassUnspecified},
	{netip.MustParsePrefix("::1/128"), ClassLoopback},
	{netip.MustParsePrefix("::/96"), ClassTranslated},            // IPv4-compatible (deprecated, RFC 4291)
	{netip.MustParsePrefix("::ffff:0:0:0/96"), ClassTranslated},  // IPv4-translated (SIIT, RFC 2765)
	{netip.MustParsePrefix("64:ff9b::/96"), ClassTranslated},     // NAT64 well-known prefix (RFC 6052)
	{netip.MustParsePrefix("64:ff9b:1::/48"), ClassTranslated},   // NAT64 local-use prefix (RFC 8215)
	{netip.MustParsePrefix("100::/64"), ClassReserved},           // discard-only (RFC 6666)
	{netip.MustParsePrefix("2001::/32"), ClassTranslated},        // Teredo (RFC 4380)
	{netip.MustParsePrefix("2001:2::/48"), ClassReserved},        // benchmarking (RFC 5180)
	{netip.MustParsePrefix("2001:db8::/32"), ClassDocumentation}, // RFC 3849
	{netip.MustParsePrefix("3fff::/20"), ClassDocumentation},     // RFC 9637
	{netip.MustParsePrefix("5f00::/16"), ClassReserved},          // SRv6 SIDs (RFC 9602)
	{netip.MustParsePrefix("fc00::/7"), ClassUniqueLocal},        // RFC 4193
	{netip.MustParsePrefix("fe80::/10"), ClassLinkLocal},         // RFC 4291
	{netip.MustParsePrefix("fec0::/10"), ClassPrivate},           // site-local (deprecated, RFC 3879)
	{netip.MustParsePrefix("ff00::/8"), ClassMulticast},
}

// v4Range is an IPv4 deny range reduced to integer arithmetic, so the hot
// path is a handful of AND-and-compare operations with no allocation.
type v4Range struct {
	base, mask uint32
	class      string
}

var defaultDenyV4Fast = func() []v4Range {
	out := make([]v4Range, len(defaultDenyV4))
	for i, r := range defaultDenyV4 {
		out[i] = toV4Range(r.prefix, r.class)
	}
	return out
}()

func toV4Range(p netip.Prefix, class string) v4Range {
	a := p.Addr().As4()
	base := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	var mask uint32
	if p.Bits() > 0 {
		mask = ^uint32(0) << (32 - p.Bits())
	}
	return v4Range{base: base & mask, mask: mask, class: class}
}

// v6Range is an IPv6 deny range as two 64-bit halves.
type v6Range struct {
	hi, lo, maskHi, maskLo uint64
	class                  string
}

var defaultDenyV6Fast = func() []v6Range {
	out := make([]v6Range, len(defaultDenyV6))
	for i, r := range defaultDenyV6 {
		b := r.prefix.Addr().As16()
		bits := r.prefix.Bits()
		var mhi, mlo uint64
		switch {
		case bits >= 128:
			mhi, mlo = ^uint64(0), ^uint64(0)
		case bits > 64:
			mhi, mlo = ^uint64(0), ^uint64(0)<<(128-bits)
		case bits > 0:
			mhi = ^uint64(0) << (64 - bits)
		}
		out[i] = v6Range{
			hi: binary.BigEndian.Uint64(b[:8]) & mhi, lo: binary.BigEndian.Uint64(b[8:]) & mlo,
			maskHi: mhi, maskLo: mlo, class: r.class,
		}
	}
	return out
}()

func v4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// defaultClass returns the class of a in the default deny list, or "" when
// a is globally routable unicast. a must be valid and unmapped.
func defaultClass(a netip.Addr) string {
	if a.Is4() {
		u := v4Uint(a)
		for _, r := range defaultDenyV4Fast {
			if u&r.mask == r.base {
				return r.class
			}
		}
		return ""
	}
	b := a.As16()
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for _, r := range defaultDenyV6Fast {
		if hi&r.maskHi == r.hi && lo&r.maskLo == r.lo {
			return r.class
		}
	}
	// 6to4: 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD, and a
	// 6to4 relay will forward to it. Judge it by that address.
	if b[0] == 0x20 && b[1] == 0x02 {
		if defaultClass(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})) != "" {
			return ClassTranslated
		}
	}
	return ""
}

// embedsMetadata reports whether a, an IPv6 address in one of the
// translation ranges, carries a cloud metadata IPv4 address in any of the
// places a translation mechanism reads one from. An allowed host may reach
// translated private addresses, but not the metadata service this way.
func embedsMetadata(a netip.Addr) bool {
	if !a.Is6() {
		return false
	}
	b := a.As16()
	for _, v4 := range [...][4]byte{
		{b[12], b[13], b[14], b[15]},     // last 32 bits: NAT64 /96, IPv4-compatible, SIIT
		{b[6], b[7], b[9], b[10]},        // RFC 6052 /48 layout (64:ff9b:1::/48)
		{b[2], b[3], b[4], b[5]},         // 6to4
		{b[4], b[5], b[6], b[7]},         // Teredo server
		{^b[12], ^b[13], ^b[14], ^b[15]}, // Teredo client, obfuscated
	} {
		if defaultClass(netip.AddrFrom4(v4)) == ClassMetadata {
			return true
		}
	}
	return false
}
