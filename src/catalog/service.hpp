#pragma once
// The catalog as the rest of the portal sees it: an immutable snapshot that
// handlers read without touching the database, swapped for a new one when
// the catalog version in the database changes (so several `serve`
// instances stay in step).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "catalog/model.hpp"
#include "catalog/store.hpp"

namespace uslugi::catalog {

class CatalogService {
public:
    explicit CatalogService(db::Database& db) : store_(db) {}
    ~CatalogService() { stop(); }

    // Loads the first snapshot; call before serving.
    void load();
    std::shared_ptr<const Catalog> current() const;
    // Rebuilds the snapshot if the database has a newer version; true if it did.
    bool refresh();
    // Called after a newer snapshot replaced the current one (pages rendered
    // from the old one are out of date). Set before watch().
    void on_new_version(std::function<void()> listener) { on_new_version_ = std::move(listener); }
    // Polls for new versions in the background until stop().
    void watch(std::chrono::seconds interval);
    void stop();

private:
    CatalogStore store_;
    mutable std::mutex mutex_;
    std::shared_ptr<const Catalog> current_;
    std::function<void()> on_new_version_;
    std::thread watcher_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

}  // namespace uslugi::catalog
