#include "http/compress.hpp"

#include "http/response.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <stdexcept>

namespace uslugi::http {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

// The q-value of one list element ("gzip;q=0.5" → 0.5); a malformed one counts as 0.
double q_value(std::string_view params) {
    for (std::size_t pos = 0; pos < params.size();) {
        std::size_t end = params.find(';', pos);
        if (end == std::string_view::npos) end = params.size();
        const std::string_view p = trim(params.substr(pos, end - pos));
        if (p.size() >= 2 && (p[0] | 0x20) == 'q' && p[1] == '=') {
            double q = 0;
            const auto [ptr, ec] = std::from_chars(p.data() + 2, p.data() + p.size(), q);
            if (ec != std::errc() || ptr != p.data() + p.size() || q < 0 || q > 1) return 0;
            return q;
        }
        pos = end + 1;
    }
    return 1;
}

struct Offer {
    double gzip = -1, br = -1, any = -1;  // -1: not named
};

Offer read_offer(std::string_view header) {
    Offer o;
    for (std::size_t pos = 0; pos <= header.size();) {
        std::size_t end = header.find(',', pos);
        if (end == std::string_view::npos) end = header.size();
        const std::string_view item = header.substr(pos, end - pos);
        const std::size_t semi = item.find(';');
        const std::string_view coding = trim(item.substr(0, semi));
        const double q = semi == std::string_view::npos ? 1 : q_value(item.substr(semi + 1));
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) o.gzip = std::max(o.gzip, q);
        else if (iequals(coding, "br")) o.br = std::max(o.br, q);
        else if (coding == "*") o.any = std::max(o.any, q);
        pos = end + 1;
    }
    return o;
}

struct DeflateCompressors {
    libdeflate_compressor* by_level[13] = {};
    ~DeflateCompressors() {
        for (auto* c : by_level)
            if (c) libdeflate_free_compressor(c);
    }
};

// A libdeflate compressor holds about a megabyte of tables: one per thread
// and level, made on first use, instead of one per response.
libdeflate_compressor* compressor_for(int level) {
    thread_local DeflateCompressors compressors;
    auto*& c = compressors.by_level[level];
    if (!c) c = libdeflate_alloc_compressor(level);
    if (!c) throw std::bad_alloc();
    return c;
}

}  // namespace

Encoding choose_encoding(std::string_view accept_encoding, bool br_available) {
    if (accept_encoding.empty()) return Encoding::identity;
    const Offer o = read_offer(accept_encoding);
    const double gz = o.gzip >= 0 ? o.gzip : std::max(o.any, 0.0);
    const double br = !br_available ? 0 : o.br >= 0 ? o.br : std::max(o.any, 0.0);
    if (br > 0 && br >= gz) return Encoding::br;
    if (gz > 0) return Encoding::gzip;
    return Encoding::identity;
}

std::string_view encoding_name(Encoding e) {
    switch (e) {
        case Encoding::gzip: return "gzip";
        case Encoding::br: return "br";
        case Encoding::identity: break;
    }
    return "identity";
}

std::string gzip(std::string_view data, int level) {
    libdeflate_compressor* c = compressor_for(std::clamp(level, 1, 12));
    std::string out(libdeflate_gzip_compress_bound(c, data.size()), '\0');
    const std::size_t n = libdeflate_gzip_compress(c, data.data(), data.size(), out.data(), out.size());
    if (n == 0) throw std::runtime_error("gzip compression failed");
    out.resize(n);
    return out;
}

std::string brotli(std::string_view data, int quality) {
    std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
    if (size == 0) size = data.size() + 1024;
    std::string out(size, '\0');
    if (!BrotliEncoderCompress(std::clamp(quality, 0, 11), BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                               reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                               reinterpret_cast<std::uint8_t*>(out.data())))
        throw std::runtime_error("brotli compression failed");
    out.resize(size);
    return out;
}

std::string gunzip(std::string_view data) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char chunk[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            throw std::runtime_error("corrupt gzip data");
        }
        out.append(chunk, sizeof chunk - zs.avail_out);
    }
    inflateEnd(&zs);
    return out;
}

std::string unbrotli(std::string_view data) {
    std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
    if (!state) throw std::bad_alloc();
    std::string out;
    std::size_t avail_in = data.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(data.data());
    for (;;) {
        std::uint8_t chunk[16384];
        std::size_t avail_out = sizeof chunk;
        std::uint8_t* next_out = chunk;
        const BrotliDecoderResult rc =
            BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
        out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - avail_out);
        if (rc == BROTLI_DECODER_RESULT_SUCCESS) return out;
        if (rc == BROTLI_DECODER_RESULT_ERROR || (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && avail_in == 0))
            throw std::runtime_error("corrupt brotli data");
    }
}

Precompressed Precompressed::make(std::string body, std::string etag, bool compressible, int gzip_level,
                                  int br_quality) {
    Precompressed p;
    p.etag = std::move(etag);
    // Below a kilobyte the saving does not pay for the client's decoding.
    if (compressible && body.size() >= 1024) {
        if (std::string z = http::gzip(body, gzip_level); z.size() < body.size()) p.gzip = std::move(z);
        if (std::string b = http::brotli(body, br_quality); b.size() < body.size()) p.br = std::move(b);
    }
    p.identity = std::move(body);
    return p;
}

void Precompressed::answer(std::string_view accept_encoding, Response& r) const {
    Encoding e = choose_encoding(accept_encoding, !br.empty());
    if (e == Encoding::gzip && gzip.empty()) e = Encoding::identity;
    switch (e) {
        case Encoding::br: r.body = br; break;
        case Encoding::gzip: r.body = gzip; break;
        case Encoding::identity: r.body = identity; return;
    }
    r.set_header("Content-Encoding", std::string(encoding_name(e)));
}

bool etag_matches(std::string_view header, std::string_view etag) {
    const auto opaque = [](std::string_view t) {
        t = trim(t);
        if (t.size() > 2 && t[0] == 'W' && t[1] == '/') t.remove_prefix(2);
        return t;
    };
    if (header.empty() || etag.empty()) return false;
    if (trim(header) == "*") return true;
    for (std::size_t pos = 0; pos <= header.size();) {
        std::size_t end = header.find(',', pos);
        if (end == std::string_view::npos) end = header.size();
        if (opaque(header.substr(pos, end - pos)) == opaque(etag)) return true;
        pos = end + 1;
    }
    return false;
}

bool is_compressible(std::string_view type) {
    return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 ||
           type.rfind("application/javascript", 0) == 0 || type.rfind("image/svg+xml", 0) == 0;
}

}  // namespace uslugi::http
