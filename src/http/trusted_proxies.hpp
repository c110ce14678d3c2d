#pragma once
// Which reverse proxies may tell us the client's address. X-Forwarded-For and
// X-Forwarded-Proto are anyone's to write, so they count only when the
// connecting peer is a proxy we trust, and in the X-Forwarded-For chain only
// the entries our own proxies appended (read from the right) are believed.
#include <utility>  // before Boost.Asio under C++20 with GCC 12 (DESIGN.md)

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::http {

// A syntactically valid IPv4 or IPv6 address (surrounding spaces allowed), an
// IPv4-mapped IPv6 address turned into its IPv4 form; nothing else.
std::optional<boost::asio::ip::address> parse_ip(std::string_view text);

// An IPv4-mapped IPv6 address (::ffff:192.0.2.1) as IPv4; others unchanged.
boost::asio::ip::address normalised(const boost::asio::ip::address& address);

// "192.0.2.0/24", "2001:db8::/32" or a single address (a /32 or /128).
class Cidr {
public:
    // Throws std::invalid_argument naming the bad text.
    static Cidr parse(std::string_view text);
    bool contains(const boost::asio::ip::address& address) const;
    std::string to_string() const;

private:
    boost::asio::ip::address network_;  // host bits cleared
    unsigned prefix_ = 0;
};

// What the pipeline learns about the client from the connection and the proxy headers.
struct ClientOrigin {
    std::string ip;
    bool secure = false;  // the proxy says the client used https
};

class TrustedProxies {
public:
    TrustedProxies() = default;
    // A comma-separated list of CIDRs (spaces allowed; empty: none); throws
    // std::invalid_argument naming the first bad entry.
    static TrustedProxies parse(std::string_view list);
    // `--trust-proxy`: a proxy on the same machine (127.0.0.0/8 and ::1).
    void add_loopback();
    // What --trusted-proxies (`list`) and --trust-proxy (`loopback`) name together.
    static TrustedProxies configured(std::string_view list, bool loopback);

    bool empty() const { return blocks_.empty(); }
    bool trusts(const boost::asio::ip::address& address) const;
    bool trusts(std::string_view ip) const;
    std::string to_string() const;

    // The client behind the connecting peer `peer_ip`. Unless the peer is a
    // trusted proxy, that is the peer itself and the headers are ignored.
    // Otherwise X-Forwarded-For (`forwarded_for`: every field of it, joined by
    // commas, in order) is read from the right, skipping our own proxies, and
    // the first other entry is the client; when that entry is not a valid
    // address, the peer stays the client (the chain is not to be believed).
    ClientOrigin resolve(std::string_view peer_ip, std::string_view forwarded_for,
                         std::string_view forwarded_proto) const;

private:
    std::vector<Cidr> blocks_;
};

}  // namespace uslugi::http
