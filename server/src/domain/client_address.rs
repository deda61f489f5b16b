//! Which address a request comes from. Behind a reverse proxy the socket peer is the
//! proxy, so the client is read from `X-Forwarded-For` — but only when the peer is a
//! proxy we trust, and only as far as the hops we trust: every hop left of the first
//! untrusted one could have been written by the client itself.

use std::net::IpAddr;

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a
/// block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr` or `addr/prefix`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr =
            addr.trim().parse().map_err(|_| format!("{text:?} is not an IP address or a CIDR block"))?;
        let network = network.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?} has a prefix length that is not a number from 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let (network, addr, width) = match (self.network, addr.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(addr)) => (u32::from(network).into(), u32::from(addr).into(), 32),
            (IpAddr::V6(network), IpAddr::V6(addr)) => (u128::from(network), u128::from(addr), 128),
            _ => return false,
        };
        let host_bits = width - u32::from(self.prefix);
        (network ^ addr).checked_shr(host_bits).unwrap_or(0) == 0
    }
}

/// Parses a comma-separated list of addresses and CIDR blocks; blank entries are skipped.
pub fn parse_list(text: &str) -> Result<Vec<Cidr>, String> {
    text.split(',').map(str::trim).filter(|entry| !entry.is_empty()).map(Cidr::parse).collect()
}

/// The client's address: the peer, unless the peer is trusted; then the right-most
/// `X-Forwarded-For` hop that is not trusted (or the left-most hop when all are).
/// `forwarded_for` holds the header's values in the order received.
pub fn client_address<'a>(peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |addr: IpAddr| trusted.iter().any(|cidr| cidr.contains(addr));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|value| value.split(',')).collect();
    for hop in hops.into_iter().rev() {
        let Some(addr) = parse_hop(hop) else {
            // A malformed hop was not written by a proxy we trust: stop before it.
            return client;
        };
        client = addr;
        if !is_trusted(addr) {
            return addr;
        }
    }
    client
}

/// One hop: an address, optionally with a port (`1.2.3.4:5678`, `[2001:db8::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let addr = hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))?;
    Some(addr.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses_only() {
        let block = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped peers count as IPv4");
        assert!(Cidr::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(!Cidr::parse("192.0.2.7").unwrap().contains(ip("192.0.2.8")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.1")));
        assert!(!Cidr::parse("0.0.0.0/0").unwrap().contains(ip("2001:db8::1")));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(parse_list("10.0.0.1, proxy.local").unwrap_err().contains("\"proxy.local\""));
        assert!(parse_list("10.0.0.0/33").unwrap_err().contains("0 to 32"));
        assert!(parse_list("::1/129").unwrap_err().contains("0 to 128"));
        assert_eq!(parse_list(" 10.0.0.1 , ,::1 ").unwrap().len(), 2);
        assert!(parse_list("").unwrap().is_empty());
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_peers() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        assert_eq!(client_address(ip("192.0.2.1"), ["203.0.113.5"], &trusted), ip("192.0.2.1"));
        assert_eq!(client_address(ip("10.0.0.2"), ["203.0.113.5"], &trusted), ip("203.0.113.5"));
        assert_eq!(client_address(ip("10.0.0.2"), [], &trusted), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), ["1.1.1.1"], &[]), ip("10.0.0.2"), "nobody trusted by default");
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let spoofed = ["6.6.6.6, 203.0.113.5, 10.0.0.7"];
        assert_eq!(client_address(ip("10.0.0.2"), spoofed, &trusted), ip("203.0.113.5"));
        assert_eq!(client_address(ip("10.0.0.2"), ["6.6.6.6", "203.0.113.5:4431"], &trusted), ip("203.0.113.5"));
        assert_eq!(client_address(ip("10.0.0.2"), ["10.0.0.9, 10.0.0.8"], &trusted), ip("10.0.0.9"));
        assert_eq!(client_address(ip("10.0.0.2"), ["garbage, 10.0.0.8"], &trusted), ip("10.0.0.8"));
        assert_eq!(client_address(ip("10.0.0.2"), ["[2001:db8::5]:80"], &trusted), ip("2001:db8::5"));
    }
}
