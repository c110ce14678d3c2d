#include "registries/mailbox.hpp"

#include <iconv.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace uslugi::registries {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxMessageBytes = 2 * 1024 * 1024;
constexpr std::size_t kMaxBodyChars = 20000;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return out;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

bool is_utf8_name(std::string_view charset) {
    return (charset.size() == 5 && strncasecmp(charset.data(), "utf-8", 5) == 0) ||
           (charset.size() == 4 && strncasecmp(charset.data(), "utf8", 4) == 0) ||
           (charset.size() == 8 && strncasecmp(charset.data(), "us-ascii", 8) == 0);
}

// Headers of a message or a MIME part: lower-case name → unfolded value.
struct Headers {
    std::multimap<std::string, std::string> items;
    std::string get(const std::string& name) const {
        auto it = items.find(name);
        return it == items.end() ? std::string() : it->second;
    }
    std::vector<std::string> all(const std::string& name) const {
        std::vector<std::string> out;
        auto [b, e] = items.equal_range(name);
        for (auto it = b; it != e; ++it) out.push_back(it->second);
        return out;
    }
};

// Splits raw text into headers and body.
std::pair<Headers, std::string_view> split_message(std::string_view raw) {
    Headers h;
    std::size_t pos = 0;
    std::string name, value;
    auto flush = [&] {
        if (!name.empty()) h.items.emplace(lower(trim(name)), trim(value));
        name.clear();
        value.clear();
    };
    while (pos < raw.size()) {
        std::size_t eol = raw.find('\n', pos);
        if (eol == std::string_view::npos) eol = raw.size();
        std::string_view line = raw.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = eol + 1;
        if (line.empty()) {
            flush();
            return {h, pos <= raw.size() ? raw.substr(std::min(pos, raw.size())) : std::string_view()};
        }
        if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
            value += ' ';
            value += trim(line);
            continue;
        }
        flush();
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;  // not a header: ignore
        name = std::string(line.substr(0, colon));
        value = std::string(line.substr(colon + 1));
    }
    flush();
    return {h, std::string_view()};
}

// "text/plain; charset=\"utf-8\"" → type "text/plain", params {charset: utf-8}.
std::pair<std::string, std::map<std::string, std::string>> parse_content_type(std::string_view value) {
    std::map<std::string, std::string> params;
    const auto semi = value.find(';');
    std::string type = lower(trim(value.substr(0, semi)));
    std::size_t pos = semi;
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos;
        auto next = value.find(';', pos);
        // A quoted value may hold a semicolon.
        const auto eq = value.find('=', pos);
        if (eq != std::string_view::npos && (next == std::string_view::npos || eq < next)) {
            std::string key = lower(trim(value.substr(pos, eq - pos)));
            std::size_t vstart = eq + 1;
            while (vstart < value.size() && value[vstart] == ' ') ++vstart;
            std::string v;
            if (vstart < value.size() && value[vstart] == '"') {
                const auto close = value.find('"', vstart + 1);
                v = std::string(value.substr(vstart + 1, close == std::string_view::npos ? std::string_view::npos
                                                                                        : close - vstart - 1));
                next = close == std::string_view::npos ? std::string_view::npos : value.find(';', close);
            } else {
                v = trim(value.substr(vstart, next == std::string_view::npos ? std::string_view::npos : next - vstart));
            }
            params[key] = v;
        }
        pos = next;
    }
    if (type.empty()) type = "text/plain";
    return {type, params};
}

std::string strip_tags(std::string_view html) {
    std::string out;
    bool in_tag = false;
    for (std::size_t i = 0; i < html.size(); ++i) {
        const char c = html[i];
        if (c == '<') {
            in_tag = true;
            // Line breaks for block elements.
            const std::string_view rest = html.substr(i + 1, 3);
            if (rest.starts_with("br") || rest.starts_with("p") || rest.starts_with("/p") || rest.starts_with("div"))
                out += '\n';
        } else if (c == '>') {
            in_tag = false;
        } else if (!in_tag) {
            out += c;
        }
    }
    // The common entities.
    const std::pair<std::string_view, std::string_view> entities[] = {
        {"&nbsp;", " "}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
    for (auto [from, to] : entities) {
        std::size_t p = 0;
        while ((p = out.find(from, p)) != std::string::npos) {
            out.replace(p, from.size(), to);
            p += to.size();
        }
    }
    return out;
}

std::string decode_part_body(std::string_view body, const std::string& encoding, const std::string& charset) {
    std::string bytes;
    const std::string enc = lower(encoding);
    if (enc == "base64") bytes = decode_base64(body);
    else if (enc == "quoted-printable") bytes = decode_quoted_printable(body);
    else bytes = std::string(body);
    return charset.empty() ? bytes : to_utf8(bytes, charset);
}

// The best text of a part: text/plain first, then text/html without tags.
bool extract_text(const Headers& h, std::string_view body, int depth, std::string& out, bool allow_html) {
    if (depth > 8) return false;
    auto [type, params] = parse_content_type(h.get("content-type"));
    const std::string encoding = h.get("content-transfer-encoding");
    if (type.starts_with("multipart/")) {
        const std::string boundary = params["boundary"];
        if (boundary.empty()) return false;
        const std::string delim = "--" + boundary;
        std::vector<std::string_view> parts;
        std::size_t pos = body.find(delim);
        while (pos != std::string_view::npos) {
            std::size_t start = pos + delim.size();
            if (body.substr(start, 2) == "--") break;
            start = body.find('\n', start);
            if (start == std::string_view::npos) break;
            ++start;
            const std::size_t next = body.find(delim, start);
            std::string_view part = body.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
            if (part.ends_with("\r\n")) part.remove_suffix(2);
            else if (part.ends_with("\n")) part.remove_suffix(1);
            parts.push_back(part);
            pos = next;
        }
        for (bool html : {false, true}) {
            if (html && !allow_html) break;
            for (std::string_view part : parts) {
                auto [ph, pb] = split_message(part);
                if (extract_text(ph, pb, depth + 1, out, html)) return true;
            }
        }
        return false;
    }
    if (type == "text/plain") {
        out = decode_part_body(body, encoding, params["charset"]);
        return true;
    }
    if (type == "text/html" && allow_html) {
        out = strip_tags(decode_part_body(body, encoding, params["charset"]));
        return true;
    }
    return false;
}

}  // namespace

std::string decode_base64(std::string_view in) {
    std::string out;
    int val = 0, bits = -8;
    for (char c : in) {
        int d;
        if (c >= 'A' && c <= 'Z') d = c - 'A';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
        else if (c >= '0' && c <= '9') d = c - '0' + 52;
        else if (c == '+' || c == '-') d = 62;
        else if (c == '/' || c == '_') d = 63;
        else if (c == '=') break;
        else continue;  // line breaks, spaces
        val = (val << 6) + d;
        bits += 6;
        if (bits >= 0) {
            out += char((val >> bits) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

std::string decode_quoted_printable(std::string_view in, bool q_encoding) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '_' && q_encoding) {
            out += ' ';
        } else if (c == '=' && i + 1 < in.size()) {
            if (in[i + 1] == '\n') {  // soft line break
                i += 1;
            } else if (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n') {
                i += 2;
            } else if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
                out += char(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
                i += 2;
            } else {
                out += c;
            }
        } else {
            out += c;
        }
    }
    return out;
}

std::string to_utf8(std::string_view text, std::string_view charset) {
    if (charset.empty() || is_utf8_name(charset)) return std::string(text);
    iconv_t cd = iconv_open("UTF-8", std::string(charset).c_str());
    if (cd == iconv_t(-1)) return std::string(text);
    std::string out(text.size() * 4 + 16, '\0');
    char* in_ptr = const_cast<char*>(text.data());
    std::size_t in_left = text.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    while (in_left > 0) {
        if (iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left) == std::size_t(-1)) {
            if (errno == EILSEQ || errno == EINVAL) {  // skip a bad byte
                ++in_ptr;
                --in_left;
                continue;
            }
            break;
        }
    }
    iconv_close(cd);
    out.resize(out.size() - out_left);
    return out;
}

std::string decode_rfc2047(std::string_view value) {
    std::string out;
    std::size_t pos = 0;
    bool last_was_word = false;
    std::string pending_space;
    while (pos < value.size()) {
        const std::size_t start = value.find("=?", pos);
        if (start == std::string_view::npos) {
            out += pending_space;
            out.append(value.substr(pos));
            break;
        }
        std::string_view between = value.substr(pos, start - pos);
        // Parse =?charset?enc?text?=
        const std::size_t q1 = value.find('?', start + 2);
        const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
        const std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
        if (end == std::string_view::npos || q2 != q1 + 2) {
            out += pending_space;
            pending_space.clear();
            out.append(value.substr(pos, start + 2 - pos));
            pos = start + 2;
            last_was_word = false;
            continue;
        }
        std::string charset(value.substr(start + 2, q1 - start - 2));
        if (auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
        const char enc = value[q1 + 1];
        const std::string_view text = value.substr(q2 + 1, end - q2 - 1);
        std::string decoded;
        if (enc == 'B' || enc == 'b') decoded = decode_base64(text);
        else if (enc == 'Q' || enc == 'q') decoded = decode_quoted_printable(text, true);
        else decoded = std::string(value.substr(start, end + 2 - start));
        // White space between two encoded words is dropped.
        const bool only_space = between.find_first_not_of(" \t\r\n") == std::string_view::npos;
        if (!(last_was_word && only_space)) out.append(between);
        out += to_utf8(decoded, charset);
        last_was_word = true;
        pos = end + 2;
    }
    return out;
}

MailMessage parse_mail(std::string_view raw) {
    MailMessage m;
    auto [h, body] = split_message(raw);
    m.from = decode_rfc2047(h.get("from"));
    m.to = decode_rfc2047(h.get("to"));
    m.subject = decode_rfc2047(h.get("subject"));
    m.date = h.get("date");
    auto add_addresses = [&](const std::string& value) {
        // Addresses are what stands in <…>, or bare words with an @.
        std::string v = lower(value);
        std::size_t pos = 0;
        while (pos < v.size()) {
            const std::size_t comma = v.find(',', pos);
            std::string item = trim(std::string_view(v).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
            const auto lt = item.find('<'), gt = item.find('>');
            if (lt != std::string::npos && gt != std::string::npos && gt > lt) item = item.substr(lt + 1, gt - lt - 1);
            if (item.find('@') != std::string::npos) m.recipients.push_back(trim(item));
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    };
    for (const char* name : {"to", "cc", "x-rcptto"})
        for (const auto& v : h.all(name)) add_addresses(v);
    std::string text;
    if (!extract_text(h, body, 0, text, true)) text = std::string(body);
    // Normalise line ends and cut very long bodies.
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (c != '\r') clean += c;
    if (clean.size() > kMaxBodyChars) {
        std::size_t cut = kMaxBodyChars;
        while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
        clean.resize(cut);
        clean += "…";
    }
    m.body = trim(clean);
    return m;
}

std::vector<MailMessage> read_maildir(const std::string& dir, std::string_view address, std::size_t limit) {
    struct Entry {
        fs::path path;
        fs::file_time_type mtime;
    };
    std::vector<Entry> entries;
    std::error_code ec;
    for (const char* sub : {"new", "cur", ""}) {
        const fs::path folder = fs::path(dir) / sub;
        if (!fs::is_directory(folder, ec)) continue;
        for (const auto& e : fs::directory_iterator(folder, ec)) {
            if (!e.is_regular_file(ec)) continue;
            const std::string name = e.path().filename().string();
            if (name.empty() || name[0] == '.') continue;
            entries.push_back({e.path(), e.last_write_time(ec)});
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.mtime != b.mtime) return a.mtime > b.mtime;
        return a.path.filename() > b.path.filename();
    });
    const std::string want = lower(trim(address));
    std::vector<MailMessage> out;
    for (const Entry& e : entries) {
        if (out.size() >= limit) break;
        std::ifstream in(e.path, std::ios::binary);
        if (!in) continue;
        std::string raw(kMaxMessageBytes, '\0');
        in.read(raw.data(), std::streamsize(raw.size()));
        raw.resize(std::size_t(in.gcount()));
        MailMessage m = parse_mail(raw);
        if (!want.empty() && std::find(m.recipients.begin(), m.recipients.end(), want) == m.recipients.end()) continue;
        m.id = e.path.filename().string();
        m.received = std::chrono::file_clock::to_sys(e.mtime);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace uslugi::registries
