#include "catalog/service.hpp"

#include "core/log.hpp"

namespace uslugi::catalog {

void CatalogService::load() {
    long long version = 0;
    CatalogData data = store_.load(version);
    auto snapshot = std::make_shared<const Catalog>(std::move(data), version);
    core::app_log().info("catalog version {}: {} services, {} authorities", version, snapshot->data().services.size(),
                         snapshot->data().authorities.size());
    std::lock_guard lock(mutex_);
    current_ = std::move(snapshot);
}

std::shared_ptr<const Catalog> CatalogService::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

bool CatalogService::refresh() {
    const long long version = store_.version();
    if (auto now = current(); now && now->version() == version) return false;
    load();
    if (on_new_version_) on_new_version_();
    return true;
}

void CatalogService::watch(std::chrono::seconds interval) {
    watcher_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            try {
                refresh();
            } catch (const std::exception& e) {
                core::app_log().warn("catalog refresh failed: {}", e.what());
            }
            lock.lock();
        }
    });
}

void CatalogService::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (watcher_.joinable()) watcher_.join();
}

}  // namespace uslugi::catalog
