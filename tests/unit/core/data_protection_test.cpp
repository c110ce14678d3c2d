// core/crypto.hpp: personal data sealed at rest, blind indexes, password
// hashes and the data key (DESIGN.md "Data").
#include <gtest/gtest.h>

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <latch>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "legacy_seal.hpp"

using namespace uslugi;
using core::DataProtector;

namespace {

std::string key_of(char fill) { return std::string(DataProtector::kKeyBytes, fill); }

const core::SealContext kPhone{"identity_accounts", "phone_enc", 1};

bool is_lower_hex(const std::string& s) {
    return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A fresh folder per test, removed afterwards.
class TempDir {
public:
    TempDir() : path_(std::filesystem::temp_directory_path() / ("uslugi-key-" + core::to_hex(core::random_bytes(6)))) {
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// ---- sealing ---------------------------------------------------------------------------

TEST(DataProtector, RejectsAKeyOfTheWrongSize) {
    EXPECT_THROW(DataProtector{std::string(31, 'k')}, std::invalid_argument);
    EXPECT_THROW(DataProtector{std::string(33, 'k')}, std::invalid_argument);
    EXPECT_THROW(DataProtector{""}, std::invalid_argument);
    EXPECT_NO_THROW(DataProtector{key_of('k')});
}

TEST(DataProtector, SealOpenRoundTrip) {
    DataProtector p(key_of('a'));
    const std::string cyrillic = "Иванова Анна-Мария Сергеевна, ул. Ленина, д. 5, кв. 12";
    std::string big(10 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);  // every byte value

    for (const std::string& value : {cyrillic, big, std::string("+79161234567"), std::string(1, '\0')}) {
        const std::string sealed = p.seal(value, kPhone);
        EXPECT_EQ(sealed.rfind("v2.", 0), 0u);
        EXPECT_FALSE(DataProtector::is_legacy(sealed));
        EXPECT_EQ(sealed.find(value.substr(0, 12)), std::string::npos) << "the plain text must not show through";
        EXPECT_EQ(p.open(sealed, kPhone), value);
    }
    // Sealed values are URL-safe text: they go into TEXT columns as they are.
    const std::string sealed = p.seal(cyrillic, kPhone);
    EXPECT_EQ(sealed.substr(3).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
}

TEST(DataProtector, EmptyStaysEmpty) {
    DataProtector p(key_of('a'));
    EXPECT_EQ(p.seal("", kPhone), "");
    EXPECT_EQ(p.open("", kPhone), "");
}

TEST(DataProtector, TwoSealsOfOneValueDiffer) {
    DataProtector p(key_of('a'));
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) seen.insert(p.seal("112-233-445 95", kPhone));
    EXPECT_EQ(seen.size(), 50u) << "a random nonce per seal: equal values must not be recognisable";
    for (const auto& s : seen) EXPECT_EQ(p.open(s, kPhone), "112-233-445 95");
}

TEST(DataProtector, TamperedValueDoesNotOpen) {
    DataProtector p(key_of('a'));
    const std::string sealed = p.seal("Иванов Иван Иванович", kPhone);
    // Flip one character of the ciphertext, at several places (nonce, body, tag).
    for (std::size_t pos : {std::size_t(3), std::size_t(20), sealed.size() / 2, sealed.size() - 5}) {
        std::string bad = sealed;
        bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
        EXPECT_THROW(p.open(bad, kPhone), core::UnreadableValue) << "position " << pos;
    }
}

TEST(DataProtector, TruncatedOrForeignValueDoesNotOpen) {
    DataProtector p(key_of('a'));
    const std::string sealed = p.seal("ivanova@example.ru", kPhone);
    EXPECT_THROW(p.open(sealed.substr(0, sealed.size() - 4), kPhone), core::UnreadableValue);
    EXPECT_THROW(p.open(sealed.substr(0, 20), kPhone), core::UnreadableValue) << "shorter than nonce and tag";
    EXPECT_THROW(p.open("v2.", kPhone), core::UnreadableValue);
    EXPECT_THROW(p.open("v1.", kPhone), core::UnreadableValue);
    EXPECT_THROW(p.open(sealed.substr(3), kPhone), core::UnreadableValue) << "no version prefix";
    EXPECT_THROW(p.open("ivanova@example.ru", kPhone), core::UnreadableValue) << "a plain value is not a sealed one";
    EXPECT_THROW(p.open("v2.!!!not base64!!!", kPhone), core::UnreadableValue);
    EXPECT_THROW(p.open("v9." + sealed.substr(3), kPhone), core::UnreadableValue) << "an unknown version";
}

TEST(DataProtector, AnotherKeyDoesNotOpen) {
    DataProtector p(key_of('a')), other(key_of('b'));
    const std::string sealed = p.seal("4508 123456", kPhone);
    EXPECT_THROW(other.open(sealed, kPhone), core::UnreadableValue);
    // The same key bytes in another instance do.
    DataProtector same(key_of('a'));
    EXPECT_EQ(same.open(sealed, kPhone), "4508 123456");
}

// Security review, defect 11: a sealed value copied to another row, column or
// table (one person's phone into another's account) must not open there.
TEST(DataProtector, AValueOpensOnlyWhereItWasSealed) {
    DataProtector p(key_of('a'));
    const std::string sealed = p.seal("+79161234567", {"identity_accounts", "phone_enc", 12});
    EXPECT_EQ(p.open(sealed, {"identity_accounts", "phone_enc", 12}), "+79161234567");
    EXPECT_THROW(p.open(sealed, {"identity_accounts", "phone_enc", 13}), core::UnreadableValue) << "another row";
    EXPECT_THROW(p.open(sealed, {"identity_accounts", "email_enc", 12}), core::UnreadableValue) << "another column";
    EXPECT_THROW(p.open(sealed, {"identity_challenges", "phone_enc", 12}), core::UnreadableValue) << "another table";
    EXPECT_THROW(p.open(sealed, {"identity_accounts", "phone_enc", std::string("12\0", 3)}), core::UnreadableValue);
    // The parts are kept apart: ("a", "bc") is not ("ab", "c").
    const std::string split = p.seal("x", {"identity_accounts", "phone_enc", "1"});
    EXPECT_THROW(p.open(split, {"identity_account", "sphone_enc", "1"}), core::UnreadableValue);
    EXPECT_THROW(p.open(split, {"identity_accounts", "phone_en", "c1"}), core::UnreadableValue);
}

TEST(DataProtector, TheErrorNamesThePlaceNotTheValue) {
    DataProtector p(key_of('a'));
    const std::string sealed = p.seal("+79161234567", {"identity_accounts", "phone_enc", 12});
    try {
        p.open(sealed, {"identity_accounts", "phone_enc", 13});
        FAIL() << "opened in another row";
    } catch (const core::UnreadableValue& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("identity_accounts.phone_enc"), std::string::npos) << what;
        EXPECT_NE(what.find("row 13"), std::string::npos) << what;
        EXPECT_EQ(what.find("1234567"), std::string::npos) << what;
    }
}

// Values written before contexts existed still open until the re-seal has
// converted them (test_support::legacy_seal_v1 writes the old format).
TEST(DataProtector, LegacyV1ValuesStillOpen) {
    DataProtector p(key_of('a'));
    const std::string v1 = test_support::legacy_seal_v1(key_of('a'), "Смирнова");
    ASSERT_EQ(v1.rfind("v1.", 0), 0u);
    EXPECT_TRUE(DataProtector::is_legacy(v1));
    EXPECT_EQ(p.open(v1, kPhone), "Смирнова");
    EXPECT_EQ(p.open(v1, {"identity_profiles", "data_enc", 99}), "Смирнова") << "v1 carries no context";
    EXPECT_THROW(DataProtector(key_of('b')).open(v1, kPhone), core::UnreadableValue) << "another data key";
    std::string bad = v1;
    bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_THROW(p.open(bad, kPhone), core::UnreadableValue) << "an altered v1 value";
    // A v1 value relabelled v2 does not open either (other key, other cipher).
    EXPECT_THROW(p.open("v2." + v1.substr(3), kPhone), core::UnreadableValue);
}

// ---- blind indexes ---------------------------------------------------------------------

TEST(DataProtector, BlindIndexIsDeterministic64Hex) {
    DataProtector p(key_of('a')), again(key_of('a'));
    const std::string idx = p.blind_index("phone", "+79161234567");
    EXPECT_EQ(idx.size(), 64u);
    EXPECT_TRUE(is_lower_hex(idx)) << idx;
    EXPECT_EQ(p.blind_index("phone", "+79161234567"), idx);
    EXPECT_EQ(again.blind_index("phone", "+79161234567"), idx) << "stable across restarts with the same key";
    EXPECT_NE(p.blind_index("phone", "+79161234568"), idx);
    EXPECT_EQ(p.blind_index("phone", "").size(), 64u);
}

TEST(DataProtector, BlindIndexDiffersByDomainAndByKey) {
    DataProtector p(key_of('a')), other(key_of('b'));
    const std::string v = "11223344595";
    EXPECT_NE(p.blind_index("snils", v), p.blind_index("phone", v));
    EXPECT_NE(p.blind_index("snils", v), other.blind_index("snils", v));
    // The domain is separated from the value: ("ab", "c") is not ("a", "bc").
    EXPECT_NE(p.blind_index("ab", "c"), p.blind_index("a", "bc"));
    // Not a plain hash of the value: an attacker without the key cannot build the index.
    EXPECT_NE(p.blind_index("snils", v), core::sha256_hex(v));
    EXPECT_NE(p.blind_index("snils", v), core::sha256_hex("snils" + std::string(1, '\0') + v));
}

// ---- passwords -------------------------------------------------------------------------

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
    const std::string hash = core::password_hash("correct horse battery staple");
    EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
    EXPECT_TRUE(core::password_verify(hash, "correct horse battery staple"));
    EXPECT_FALSE(core::password_verify(hash, "correct horse battery stapl"));
    EXPECT_FALSE(core::password_verify(hash, "Correct horse battery staple"));
    EXPECT_FALSE(core::password_verify(hash, ""));
    EXPECT_NE(core::password_hash("correct horse battery staple"), hash) << "a random salt per hash";
}

TEST(PasswordHash, EmptyPasswordHashesAndVerifies) {
    const std::string hash = core::password_hash("");
    EXPECT_TRUE(core::password_verify(hash, ""));
    EXPECT_FALSE(core::password_verify(hash, " "));
}

TEST(PasswordHash, LongPassphraseCountsEveryByte) {
    std::string pass;
    while (pass.size() < 1024) pass += "ёжик в тумане ";
    pass.resize(1024);
    const std::string hash = core::password_hash(pass);
    EXPECT_TRUE(core::password_verify(hash, pass));
    std::string last_changed = pass;
    last_changed.back() = last_changed.back() == 'x' ? 'y' : 'x';
    EXPECT_FALSE(core::password_verify(hash, last_changed)) << "no truncation (unlike bcrypt's 72 bytes)";
    EXPECT_FALSE(core::password_verify(hash, pass.substr(0, 1023)));
}

TEST(PasswordHash, GarbageHashVerifiesNothing) {
    EXPECT_FALSE(core::password_verify("", ""));
    EXPECT_FALSE(core::password_verify("", "x"));
    EXPECT_FALSE(core::password_verify("not a hash", "not a hash"));
    EXPECT_FALSE(core::password_verify("$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB", "x"));
    EXPECT_FALSE(core::password_verify(std::string(4096, '$'), "x")) << "overlong stored value";
    const std::string hash = core::password_hash("secret-phrase");
    EXPECT_FALSE(core::password_verify(hash.substr(0, hash.size() - 3), "secret-phrase")) << "truncated hash";
}

TEST(PasswordHash, NeedsRehashOnlyForOtherParameters) {
    EXPECT_FALSE(core::password_needs_rehash(core::password_hash("our parameters")));

    core::crypto_init();
    char weaker[crypto_pwhash_STRBYTES];
    const std::string pw = "made elsewhere";
    ASSERT_EQ(crypto_pwhash_str_alg(weaker, pw.data(), pw.size(), 1, 8 * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
    EXPECT_TRUE(core::password_needs_rehash(weaker));
    EXPECT_TRUE(core::password_verify(weaker, pw)) << "an old hash still signs in, then gets renewed";

    char stronger[crypto_pwhash_STRBYTES];
    ASSERT_EQ(crypto_pwhash_str_alg(stronger, pw.data(), pw.size(), 3, core::kPasswordMemLimit,
                                    crypto_pwhash_ALG_ARGON2ID13),
              0);
    EXPECT_TRUE(core::password_needs_rehash(stronger));
}

// ---- the data key ----------------------------------------------------------------------

TEST(LoadDataKey, ValidHexGivesTheRawKey) {
    const std::string hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    const std::string key = core::load_data_key(hex, "");
    ASSERT_EQ(key.size(), DataProtector::kKeyBytes);
    EXPECT_EQ(core::to_hex(key), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    EXPECT_NO_THROW(DataProtector{key});
}

TEST(LoadDataKey, InvalidHexOrLengthIsRefused) {
    const std::string good(64, 'a');
    EXPECT_THROW(core::load_data_key(good.substr(0, 63), ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key(good.substr(0, 62), ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key(good + "aa", ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key(std::string(63, 'a') + "g", ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key(std::string(64, 'z'), ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key(good + " ", ""), std::invalid_argument);
    EXPECT_THROW(core::load_data_key("", ""), std::invalid_argument) << "neither a key nor a file";
}

TEST(LoadDataKey, MissingFileIsCreatedPrivateAndReadBackIdentically) {
    TempDir dir;
    const std::string path = dir.file("nested/keys/data.key");
    const std::string key = core::load_data_key("", path);
    ASSERT_EQ(key.size(), DataProtector::kKeyBytes);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "only the owner may read the key";
    EXPECT_EQ(read_file(path), core::to_hex(key) + "\n");
    EXPECT_EQ(core::load_data_key("", path), key) << "the second start reads the same key";
    // An explicit key wins over the file.
    EXPECT_EQ(core::load_data_key(std::string(64, 'b'), path), std::string(32, '\xbb'));
}

TEST(LoadDataKey, ExistingFileIsReused) {
    TempDir dir;
    const std::string path = dir.file("data.key");
    const std::string hex = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    std::ofstream(path) << hex << "\r\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(core::to_hex(core::load_data_key("", path)), hex);
    EXPECT_EQ(read_file(path), hex + "\r\n") << "never rewritten";
}

TEST(LoadDataKey, DamagedFileIsRefusedNotReplaced) {
    TempDir dir;
    const std::string path = dir.file("data.key");
    std::ofstream(path) << "not a key\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_THROW(core::load_data_key("", path), std::invalid_argument);
    EXPECT_EQ(read_file(path), "not a key\n") << "a damaged key file is never overwritten (the data would be lost)";
}

// Security review, defect 9: whoever can read the key file can read every
// sealed value. A key file others may read or change is refused, with the fix.
TEST(LoadDataKey, KeyFileOthersCanReadIsRefusedWithTheFix) {
    TempDir dir;
    const std::string path = dir.file("data.key");
    const std::string hex(64, 'c');
    std::ofstream(path) << hex << "\n";
    for (const ::mode_t mode : {0644, 0640, 0604, 0620, 0602, 0660, 0444}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
        try {
            core::load_data_key("", path);
            ADD_FAILURE() << "a key file of mode " << std::oct << mode << " was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(path), std::string::npos) << what;
            EXPECT_NE(what.find("chmod 600 " + path), std::string::npos) << what;
        }
    }
    for (const ::mode_t mode : {0600, 0400, 0700}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
        EXPECT_EQ(core::load_data_key("", path), std::string(32, '\xcc')) << "mode " << std::oct << mode;
    }
}

TEST(LoadDataKey, KeyFileThatIsNotARegularFileIsRefused) {
    TempDir dir;
    const std::string folder = dir.file("data.key");
    std::filesystem::create_directories(folder);
    ::chmod(folder.c_str(), 0700);
    EXPECT_THROW(core::load_data_key("", folder), std::invalid_argument);
    // A FIFO would block a plain read; it is refused at once.
    const std::string fifo = dir.file("fifo.key");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        core::load_data_key("", fifo);
        ADD_FAILURE() << "a FIFO was accepted as the key file";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(fifo), std::string::npos) << e.what();
    }
}

TEST(LoadDataKey, KeyFileOfAnotherUserIsRefused) {
    TempDir dir;
    std::string path = dir.file("data.key");
    std::ofstream(path) << std::string(64, 'c') << "\n";
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    // As root, give the file away; as anyone else, a file root owns will do.
    if (::geteuid() == 0)
        ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    else
        path = "/etc/passwd";
    try {
        core::load_data_key("", path);
        ADD_FAILURE() << "a key file of another user was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("belongs to another user"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("chmod 600 " + path), std::string::npos) << e.what();
    }
}

// Several processes starting at once on a fresh machine must agree on one key
// and never read a half-written file.
TEST(LoadDataKey, TwoThreadsCreatingAtOnceGetTheSameKey) {
    // Repeated: the window between creating the file and writing it is short.
    for (int round = 0; round < 100; ++round) {
        TempDir dir;
        const std::string path = dir.file("data.key");
        constexpr int kThreads = 4;
        std::latch start(kThreads);
        std::vector<std::string> keys(kThreads);
        std::vector<std::string> errors(kThreads);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                try {
                    keys[i] = core::load_data_key("", path);
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                }
            });
        for (auto& t : threads) t.join();
        for (int i = 0; i < kThreads; ++i) {
            ASSERT_EQ(errors[i], "") << "round " << round << ", thread " << i;
            ASSERT_EQ(keys[i], keys[0]) << "round " << round;
        }
        ASSERT_EQ(read_file(path), core::to_hex(keys[0]) + "\n");
    }
}
