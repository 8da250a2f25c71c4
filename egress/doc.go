// Package egress makes outbound HTTP requests to user-supplied URLs safe
// against server-side request forgery (SSRF).
//
// Integrations (a customer's Jira or Azure DevOps base URL), webhooks and
// AI agent tools all make the server fetch URLs that somebody else chose.
// Without care, such a URL reaches the cloud metadata service
// (http://169.254.169.254/), the application's own admin port on
// localhost, or databases on the private network.
//
// For most uses, call [NewClient] with the zero [Config]:
//
//	client, err := egress.NewClient(egress.Config{})
//	resp, err := client.Get(userSuppliedURL) // refused if it leads anywhere private
//
// and validate URLs when users save them, to show a clear error early:
//
//	policy, _ := egress.NewPolicy(egress.Config{})
//	u, err := policy.ValidateURL(form.Get("jira_url"))
//
// # What it defends against
//
//   - Requests to non-public addresses: loopback, RFC 1918 and other
//     private ranges, link-local (including 169.254.169.254 and the AWS
//     IPv6 endpoint fd00:ec2::254), unique local IPv6, CGNAT 100.64.0.0/10,
//     multicast, broadcast, unspecified, 0.0.0.0/8, documentation and
//     benchmarking ranges, and IPv6 forms that lead to IPv4 (IPv4-mapped,
//     -compatible and -translated, NAT64, Teredo, and 6to4 addresses
//     embedding a denied IPv4 address). [DeniedError] names the class.
//   - DNS rebinding: the check runs at connect time on the address actually
//     dialled ([Policy.Control], a net.Dialer ControlContext hook), after
//     resolution, so a name that was public when validated and private now
//     is refused. When a name resolves to several addresses and any is
//     denied, the dial is refused outright.
//   - Redirects to denied destinations: every hop is checked again, and
//     chains are bounded (Config.MaxRedirects).
//   - Filter-bypass spellings: decimal, octal and hexadecimal IPv4 forms
//     (http://2130706433/, http://0177.0.0.1/), IPv6 zones, "localhost."
//     and *.localhost, credentials in URLs; non-HTTP schemes; unexpected
//     ports (only 80 and 443 by default).
//   - Resource exhaustion: an overall timeout (30 s), a dial timeout, a
//     header size limit, and a response body limit (10 MiB) that fails
//     with [ErrResponseTooLarge] rather than truncating silently.
//   - Proxy bypass: proxy settings from the environment are ignored; a
//     proxy is used only through Config.UnsafeProxy.
//
// # What it does not do
//
//   - It does not judge content: a permitted public server can still
//     return hostile data, and responses must be treated as untrusted.
//   - It cannot see inside a proxy. With Config.UnsafeProxy, the proxy
//     resolves target names and must enforce its own egress policy.
//   - It refuses internationalised host names in [Policy.ValidateURL];
//     convert them to A-labels (punycode) first.
//   - It does not stop a permitted host from being used as an open
//     redirector to another permitted host.
//   - Raw TCP or UDP from the same process (database drivers, custom
//     protocols) is not covered; use [Policy.Control] on those dialers.
//   - It does not keep URLs out of errors: the client's errors
//     (*url.Error) quote the request URL, query string included, so keep
//     tokens out of webhook query strings or scrub the errors you log.
//     Show users a generic message, not the error: a [DeniedError] names
//     the address their host name resolved to inside your network.
//
// # Allowing internal destinations
//
// An on-premises service can be allowed by address range
// (Config.AllowedPrefixes, preferred) or by exact host name
// (Config.AllowedHosts). Config.DeniedPrefixes always wins, and an allowed
// host name still cannot reach the cloud metadata addresses.
package egress
