#pragma once
// Every store test runs twice: on SQLite (a fresh file) and on PostgreSQL (a
// fresh schema in the server that `make test` starts; its URL comes in
// USLUGI_TEST_POSTGRES_URL). Both get the real migrations.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace uslugi::test_support {

inline std::string source_dir() {
    if (const char* root = std::getenv("USLUGI_ROOT")) return root;
    return USLUGI_SOURCE_DIR;
}

class StoreTest : public ::testing::TestWithParam<db::Backend> {
protected:
    void SetUp() override {
        const std::string suffix = core::to_hex(core::random_bytes(6));
        if (GetParam() == db::Backend::sqlite) {
            sqlite_dir_ = std::filesystem::temp_directory_path() / ("uslugi-test-" + suffix);
            std::filesystem::create_directories(sqlite_dir_);
            url_ = "sqlite://" + (sqlite_dir_ / "test.db").string();
        } else {
            // `make test` always starts a throwaway PostgreSQL; a quick run of
            // the unit tests without one (ctest -L sqlite, or the binary alone)
            // reports these as skipped instead of failed.
            const char* base = std::getenv("USLUGI_TEST_POSTGRES_URL");
            if (base == nullptr) GTEST_SKIP() << "USLUGI_TEST_POSTGRES_URL is not set (make test starts a PostgreSQL)";
            base_url_ = base;
            schema_ = "t_" + suffix;
            db::Database admin(base_url_, 1);
            db::Connection c(admin);
            *c << "CREATE SCHEMA " + schema_;
            url_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
                   "options=-csearch_path%3D" + schema_;
        }
        db_ = std::make_unique<db::Database>(url_, 4);
        db::apply_migrations(*db_, db::load_migrations(source_dir() + "/migrations", db_->backend()));
    }

    void TearDown() override {
        db_.reset();
        if (!sqlite_dir_.empty()) std::filesystem::remove_all(sqlite_dir_);
        if (!schema_.empty()) {
            db::Database admin(base_url_, 1);
            db::Connection c(admin);
            *c << "DROP SCHEMA " + schema_ + " CASCADE";
        }
    }

    db::Database& db() { return *db_; }
    const std::string& url() const { return url_; }

private:
    std::filesystem::path sqlite_dir_;
    std::string base_url_, schema_, url_;
    std::unique_ptr<db::Database> db_;
};

inline std::string backend_name(const ::testing::TestParamInfo<db::Backend>& info) {
    return info.param == db::Backend::sqlite ? "SQLite" : "PostgreSQL";
}

#define USLUGI_STORE_TEST_SUITE(Suite)                                                              \
    INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                       \
                             ::testing::Values(::uslugi::db::Backend::sqlite,                       \
                                               ::uslugi::db::Backend::postgresql),                  \
                             ::uslugi::test_support::backend_name)

}  // namespace uslugi::test_support
