#include "http/trusted_proxies.hpp"

#include <boost/beast/core/string.hpp>

#include <array>
#include <charconv>
#include <stdexcept>

namespace uslugi::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

template <std::size_t N>
std::array<unsigned char, N> masked(std::array<unsigned char, N> bytes, unsigned prefix) {
    for (std::size_t i = 0; i < N; ++i) {
        const unsigned bits = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
        bytes[i] &= static_cast<unsigned char>(0xff00u >> bits);
    }
    return bytes;
}

}  // namespace

std::optional<ip::address> parse_ip(std::string_view text) {
    text = trim(text);
    // make_address also takes "fe80::1%eth0"; a zone means nothing in a header.
    if (text.empty() || text.find('%') != std::string_view::npos) return std::nullopt;
    boost::system::error_code ec;
    const ip::address address = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return normalised(address);
}

ip::address normalised(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    return address;
}

Cidr Cidr::parse(std::string_view text) {
    text = trim(text);
    const auto slash = text.find('/');
    const auto address = parse_ip(text.substr(0, slash));
    // A mapped IPv6 block would silently become an IPv4 one with the wrong prefix.
    if (!address || (slash != std::string_view::npos && address->is_v4() &&
                     text.substr(0, slash).find(':') != std::string_view::npos))
        throw std::invalid_argument("not an IP address or CIDR block: \"" + std::string(text) + "\"");
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix > width)
            throw std::invalid_argument("bad prefix length in \"" + std::string(text) + "\" (0–" +
                                        std::to_string(width) + ")");
    }
    Cidr block;
    block.prefix_ = prefix;
    block.network_ = address->is_v4() ? ip::address(ip::address_v4(masked(address->to_v4().to_bytes(), prefix)))
                                      : ip::address(ip::address_v6(masked(address->to_v6().to_bytes(), prefix)));
    return block;
}

bool Cidr::contains(const ip::address& raw) const {
    const ip::address address = normalised(raw);
    if (address.is_v4() != network_.is_v4()) return false;
    if (address.is_v4()) return ip::address_v4(masked(address.to_v4().to_bytes(), prefix_)) == network_.to_v4();
    return ip::address_v6(masked(address.to_v6().to_bytes(), prefix_)) == network_.to_v6();
}

std::string Cidr::to_string() const { return network_.to_string() + "/" + std::to_string(prefix_); }

TrustedProxies TrustedProxies::parse(std::string_view list) {
    TrustedProxies proxies;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        if (!item.empty()) proxies.blocks_.push_back(Cidr::parse(item));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return proxies;
}

void TrustedProxies::add_loopback() {
    blocks_.push_back(Cidr::parse("127.0.0.0/8"));
    blocks_.push_back(Cidr::parse("::1/128"));
}

TrustedProxies TrustedProxies::configured(std::string_view list, bool loopback) {
    TrustedProxies proxies = parse(list);
    if (loopback) proxies.add_loopback();
    return proxies;
}

bool TrustedProxies::trusts(const ip::address& address) const {
    for (const Cidr& block : blocks_)
        if (block.contains(address)) return true;
    return false;
}

bool TrustedProxies::trusts(std::string_view text) const {
    const auto address = parse_ip(text);
    return address && trusts(*address);
}

std::string TrustedProxies::to_string() const {
    std::string out;
    for (const Cidr& block : blocks_) out += (out.empty() ? "" : ",") + block.to_string();
    return out;
}

ClientOrigin TrustedProxies::resolve(std::string_view peer_ip, std::string_view forwarded_for,
                                     std::string_view forwarded_proto) const {
    ClientOrigin origin{std::string(peer_ip), false};
    if (empty() || !trusts(peer_ip)) return origin;
    origin.secure = boost::beast::iequals(trim(forwarded_proto), "https");
    // Each trusted proxy appended the address it saw; the first address from
    // the right that is not one of ours is the client. Further left, anything
    // may be written by the client itself.
    std::optional<ip::address> farthest_proxy;
    while (!trim(forwarded_for).empty()) {
        const auto comma = forwarded_for.rfind(',');
        const std::string_view item = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        forwarded_for = forwarded_for.substr(0, comma == std::string_view::npos ? 0 : comma);
        const auto address = parse_ip(item);
        if (!address) return origin;
        if (!trusts(*address)) {
            origin.ip = address->to_string();
            return origin;
        }
        farthest_proxy = address;
    }
    // Only our own proxies in the chain: the client runs on one of them.
    if (farthest_proxy) origin.ip = farthest_proxy->to_string();
    return origin;
}

}  // namespace uslugi::http
