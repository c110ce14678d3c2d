#pragma once
// Sealed values in the "v1." format the portal wrote before values were bound
// to where they live: XSalsa20-Poly1305 (secretbox) under subkey 1 of the data
// key, no associated data. Built here from libsodium directly, apart from
// core/crypto.cpp, so tests can put values of the old format in a database.
#include <sodium.h>

#include <string>
#include <string_view>

namespace uslugi::test_support {

inline std::string legacy_seal_v1(std::string_view master_key, std::string_view plaintext) {
    unsigned char key[crypto_secretbox_KEYBYTES];
    crypto_kdf_derive_from_key(key, sizeof key, 1, "uslugipd", reinterpret_cast<const unsigned char*>(master_key.data()));
    std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), nonce, key);
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string b64(sodium_base64_ENCODED_LEN(buf.size(), variant), '\0');
    sodium_bin2base64(b64.data(), b64.size(), nonce, buf.size(), variant);
    b64.resize(b64.find('\0'));
    return "v1." + b64;
}

}  // namespace uslugi::test_support
