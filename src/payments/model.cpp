#include "payments/model.hpp"

#include "core/validators.hpp"

#include <fmt/format.h>

#include <array>
#include <numeric>

namespace uslugi::payments {

namespace chr = std::chrono;

// ---- UIN ----------------------------------------------------------------------------------------------

char uin_control_digit(std::string_view first19) { return core::uin_control_digit(first19); }

bool uin_valid(std::string_view uin) {
    return uin.size() == 20 && uin_control_digit(uin.substr(0, 19)) == uin[19];
}

std::string make_uin(std::string_view prefix, std::uint64_t serial) {
    std::string digits(prefix);
    if (digits.size() > 8 || digits.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("a UIN prefix is up to 8 digits");
    const std::string tail = fmt::format("{:0{}d}", serial % 100'000'000'000ULL, 19 - digits.size());
    digits += tail.substr(tail.size() - (19 - digits.size()));
    return digits + uin_control_digit(digits);
}

// ---- discount ---------------------------------------------------------------------------------------------

DiscountRule DiscountRule::standard() {
    return {{{Date{chr::year{2000} / 1 / 1}, 50, 20}, {Date{chr::year{2026} / 1 / 1}, 25, 30}}};
}

std::optional<DiscountPeriod> DiscountRule::for_decision(Date decision) const {
    std::optional<DiscountPeriod> found;
    for (const DiscountPeriod& p : periods)
        if (p.since <= decision && (!found || found->since <= p.since)) found = p;
    return found;
}

Discount fine_discount(const DiscountRule& rule, std::int64_t amount, Date decision, Date today, bool excluded) {
    Discount d;
    d.amount_due = amount;
    const auto period = rule.for_decision(decision);
    d.eligible = !excluded && period && period->rate_percent > 0;
    if (!d.eligible) return d;
    d.rate_percent = period->rate_percent;
    d.last_day = decision + chr::days{period->days};
    d.active = today <= *d.last_day;
    if (d.active) d.amount_due = amount - amount * period->rate_percent / 100;
    return d;
}

// ---- money ------------------------------------------------------------------------------------------------

std::string format_rubles(std::int64_t kopecks) {
    const bool negative = kopecks < 0;
    const std::uint64_t abs = negative ? std::uint64_t(-(kopecks + 1)) + 1 : std::uint64_t(kopecks);
    std::string rubles = std::to_string(abs / 100);
    std::string grouped;
    for (std::size_t i = 0; i < rubles.size(); ++i) {
        if (i && (rubles.size() - i) % 3 == 0) grouped += "\u00a0";
        grouped += rubles[i];
    }
    return fmt::format("{}{},{:02d}\u00a0₽", negative ? "−" : "", grouped, abs % 100);
}

namespace {

constexpr std::array<const char*, 20> kUnitsMasc = {
    "",       "один",   "два",     "три",      "четыре",   "пять",      "шесть",      "семь",      "восемь",     "девять",
    "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать",
    "восемнадцать", "девятнадцать"};
constexpr std::array<const char*, 10> kTens = {"",         "",          "двадцать",   "тридцать", "сорок",
                                               "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"};
constexpr std::array<const char*, 10> kHundreds = {"",        "сто",      "двести",    "триста",    "четыреста",
                                                   "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"};

// 1 → one, 2–4 → few, else many (11–14 are "many").
const char* plural(std::uint64_t n, const char* one, const char* few, const char* many) {
    const std::uint64_t last2 = n % 100, last = n % 10;
    if (last2 >= 11 && last2 <= 14) return many;
    if (last == 1) return one;
    if (last >= 2 && last <= 4) return few;
    return many;
}

// Words for 1…999; `feminine` for thousands (одна, две).
std::string triad(unsigned n, bool feminine) {
    std::vector<std::string> words;
    if (n / 100) words.emplace_back(kHundreds[n / 100]);
    const unsigned rest = n % 100;
    if (rest >= 20) {
        words.emplace_back(kTens[rest / 10]);
        if (rest % 10) words.emplace_back(kUnitsMasc[rest % 10]);
    } else if (rest) {
        words.emplace_back(kUnitsMasc[rest]);
    }
    if (feminine && !words.empty()) {
        if (words.back() == "один") words.back() = "одна";
        if (words.back() == "два") words.back() = "две";
    }
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

struct Scale {
    std::uint64_t size;
    bool feminine;
    const char *one, *few, *many;
};
constexpr std::array<Scale, 3> kScales = {{{1'000'000'000ULL, false, "миллиард", "миллиарда", "миллиардов"},
                                           {1'000'000ULL, false, "миллион", "миллиона", "миллионов"},
                                           {1'000ULL, true, "тысяча", "тысячи", "тысяч"}}};

}  // namespace

std::string amount_in_words(std::int64_t kopecks) {
    if (kopecks < 0) throw std::invalid_argument("amount_in_words: a negative amount");
    std::uint64_t rubles = std::uint64_t(kopecks) / 100;
    const unsigned kop = unsigned(kopecks % 100);
    std::string words;
    auto add = [&words](const std::string& w) {
        if (!w.empty()) words += (words.empty() ? "" : " ") + w;
    };
    const std::uint64_t total = rubles;
    for (const Scale& s : kScales) {
        const std::uint64_t part = rubles / s.size;
        if (part == 0) continue;
        add(triad(unsigned(part % 1000), s.feminine) + " " + plural(part, s.one, s.few, s.many));
        rubles %= s.size;
    }
    add(triad(unsigned(rubles), false));
    if (total == 0) words = "ноль";
    words += std::string(" ") + plural(total, "рубль", "рубля", "рублей");
    words += fmt::format(" {:02d} {}", kop, plural(kop, "копейка", "копейки", "копеек"));
    // The first letter in upper case (Cyrillic letters are two bytes in UTF-8).
    static const std::map<std::string, std::string> kUpper = {
        {"о", "О"}, {"д", "Д"}, {"т", "Т"}, {"ч", "Ч"}, {"п", "П"}, {"ш", "Ш"}, {"с", "С"}, {"в", "В"}, {"н", "Н"},
        {"м", "М"}, {"ф", "Ф"}};
    if (auto it = kUpper.find(words.substr(0, 2)); it != kUpper.end()) words.replace(0, 2, it->second);
    return words;
}

// ---- QR ------------------------------------------------------------------------------------------------------

std::string QrFields::get(std::string_view key) const {
    for (const auto& [k, v] : items)
        if (k == key) return v;
    return "";
}

namespace {

std::string qr_value(std::string v) {
    for (char& c : v)
        if (c == '|' || c == '\r' || c == '\n') c = ' ';
    return v;
}

constexpr std::array<std::string_view, 5> kRequired = {"Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"};

}  // namespace

std::string build_qr_text(const Payee& payee, std::int64_t kopecks, const std::string& purpose, const std::string& uin,
                          const QrPayer& payer) {
    std::vector<std::pair<std::string, std::string>> f = {
        {"Name", payee.name},          {"PersonalAcc", payee.account}, {"BankName", payee.bank_name},
        {"BIC", payee.bic},            {"CorrespAcc", payee.corr_account}, {"Sum", std::to_string(kopecks)},
        {"Purpose", purpose},          {"PayeeINN", payee.inn},        {"KPP", payee.kpp},
        {"CBC", payee.kbk},            {"OKTMO", payee.oktmo},         {"UIN", uin},
        {"LastName", payer.last_name}, {"FirstName", payer.first_name}, {"MiddleName", payer.middle_name},
        {"PayerAddress", payer.address}};
    std::string text = "ST00012";
    for (const auto& [k, v] : f)
        if (!v.empty()) text += "|" + k + "=" + qr_value(v);
    return text;
}

QrFields parse_qr_text(std::string_view text) {
    if (!text.starts_with("ST00012|")) throw std::invalid_argument("not a ST00012 payment text");
    QrFields out;
    std::size_t pos = 8;
    while (pos <= text.size()) {
        const std::size_t bar = std::min(text.find('|', pos), text.size());
        const std::string_view pair = text.substr(pos, bar - pos);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) throw std::invalid_argument("a field without Key=Value");
        out.items.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
        pos = bar + 1;
    }
    for (std::string_view key : kRequired)
        if (out.get(key).empty()) throw std::invalid_argument("required field missing: " + std::string(key));
    return out;
}

// ---- state machine -----------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 7> kStateNames = {"created", "awaiting_confirmation", "succeeded", "failed",
                                                         "cancelled", "expired", "refunded"};
}

std::string_view to_string(PaymentState s) { return kStateNames[static_cast<std::size_t>(s)]; }

PaymentState payment_state_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kStateNames.size(); ++i)
        if (kStateNames[i] == s) return static_cast<PaymentState>(i);
    throw std::invalid_argument("unknown payment state: " + std::string(s));
}

bool can_transition(PaymentState from, PaymentState to) {
    using S = PaymentState;
    switch (from) {
        case S::created:
            return to == S::awaiting_confirmation || to == S::succeeded || to == S::failed || to == S::cancelled ||
                   to == S::expired;
        case S::awaiting_confirmation:
            return to == S::succeeded || to == S::failed || to == S::cancelled || to == S::expired;
        case S::succeeded:
            return to == S::refunded;
        default:
            return false;
    }
}

bool is_final(PaymentState s) { return s != PaymentState::created && s != PaymentState::awaiting_confirmation; }

bool holds_charges(PaymentState s) {
    return s == PaymentState::created || s == PaymentState::awaiting_confirmation || s == PaymentState::succeeded;
}

std::string_view to_string(Method m) {
    switch (m) {
    case Method::card: return "card";
    case Method::bank_receipt: return "bank_receipt";
    case Method::mobile: return "mobile";
    case Method::wallet: return "wallet";
    }
    return "card";
}

bool through_acquirer(Method m) { return m != Method::bank_receipt; }

std::optional<Method> method_from_string(std::string_view s) {
    if (s == "card") return Method::card;
    if (s == "bank_receipt") return Method::bank_receipt;
    if (s == "mobile") return Method::mobile;
    if (s == "wallet") return Method::wallet;
    return std::nullopt;
}

AcquirerStatus acquirer_status_from_string(std::string_view s) {
    if (s == "pending" || s == "requires_action") return AcquirerStatus::pending;
    if (s == "succeeded") return AcquirerStatus::succeeded;
    if (s == "declined") return AcquirerStatus::declined;
    if (s == "cancelled") return AcquirerStatus::cancelled;
    return AcquirerStatus::unknown;
}

std::optional<PaymentState> state_after(AcquirerStatus s) {
    switch (s) {
        case AcquirerStatus::succeeded: return PaymentState::succeeded;
        case AcquirerStatus::declined: return PaymentState::failed;
        case AcquirerStatus::cancelled: return PaymentState::cancelled;
        default: return std::nullopt;
    }
}

// ---- ledger ----------------------------------------------------------------------------------------------------

std::vector<LedgerEntry> entries_for_success(std::int64_t total, const std::vector<ChargeShare>& shares) {
    std::int64_t sum = 0;
    for (const auto& s : shares) sum += s.amount;
    if (sum != total) throw std::invalid_argument("the charges do not add up to the payment's amount");
    std::vector<LedgerEntry> out{{"acquirer", total}};
    for (const auto& s : shares) out.push_back({"payee:" + s.uin, -s.amount});
    return out;
}

std::vector<LedgerEntry> entries_for_refund(std::int64_t total, const std::vector<ChargeShare>& shares) {
    auto out = entries_for_success(total, shares);
    for (auto& e : out) e.amount = -e.amount;
    return out;
}

bool balanced(const std::vector<LedgerEntry>& entries) {
    std::int64_t sum = 0;
    for (const auto& e : entries) sum += e.amount;
    return sum == 0 && !entries.empty();
}

// ---- sources -----------------------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 5> kSourceNames = {"gibdd", "fns", "fssp", "fee", "utilities"};
}

std::string_view to_string(Source s) { return kSourceNames[static_cast<std::size_t>(s)]; }

std::optional<Source> source_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kSourceNames.size(); ++i)
        if (kSourceNames[i] == s) return static_cast<Source>(i);
    return std::nullopt;
}

std::optional<std::string> utilities_account(std::string_view input) {
    std::string digits;
    for (char c : input) {
        if (c == ' ' || c == '-') continue;
        if (c < '0' || c > '9') return std::nullopt;
        digits += c;
    }
    if (digits.size() < 6 || digits.size() > 20) return std::nullopt;
    return digits;
}

// ---- refunds -------------------------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 3> kRefundStateNames = {"pending", "succeeded", "failed"};
}

std::string_view to_string(RefundState s) { return kRefundStateNames[static_cast<std::size_t>(s)]; }

std::optional<RefundState> refund_state_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kRefundStateNames.size(); ++i)
        if (kRefundStateNames[i] == s) return static_cast<RefundState>(i);
    return std::nullopt;
}

std::string refund_refusal(PaymentState state, std::int64_t paid, std::int64_t reserved, std::int64_t requested) {
    if (requested <= 0) return "payments.refund_amount";
    if (state != PaymentState::succeeded) return "payments.refund_state";
    if (requested > paid - reserved) return "payments.refund_exceeds";
    return "";
}

PaymentState state_after_refunds(std::int64_t paid, std::int64_t refunded) {
    return refunded >= paid ? PaymentState::refunded : PaymentState::succeeded;
}

std::vector<ChargeShare> refund_allocation(const std::vector<ChargeShare>& shares, std::int64_t already,
                                           std::int64_t amount) {
    std::vector<ChargeShare> out;
    std::int64_t skip = already, left = amount;
    for (const ChargeShare& s : shares) {
        const std::int64_t used = std::min(skip, s.amount);
        skip -= used;
        const std::int64_t take = std::min(left, s.amount - used);
        if (take > 0) out.push_back({s.uin, take});
        left -= take;
    }
    if (left > 0) throw std::invalid_argument("the refund is more than is left of the payment");
    return out;
}

std::optional<std::int64_t> parse_rubles(std::string_view text) {
    std::string digits, fraction;
    bool in_fraction = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            (in_fraction ? fraction : digits) += c;
        } else if ((c == ',' || c == '.') && !in_fraction) {
            in_fraction = true;
        } else if (c == ' ' && !in_fraction) {
            continue;
        } else if (text.substr(i).starts_with("\u00a0") && !in_fraction) {
            ++i;  // a no-break space between thousands, as format_rubles writes it
        } else {
            return std::nullopt;
        }
    }
    if (digits.empty() || digits.size() > 12 || fraction.size() > 2 || (in_fraction && fraction.empty()))
        return std::nullopt;
    while (fraction.size() < 2) fraction += '0';
    return std::stoll(digits) * 100 + std::stoll(fraction);
}

}  // namespace uslugi::payments
