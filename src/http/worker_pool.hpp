#pragma once
// A fixed set of threads running synchronous handlers from a bounded queue.
// When the queue is full, try_submit refuses: the server answers 503 instead
// of letting latency grow without bound.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace uslugi::http {

class WorkerPool {
public:
    WorkerPool(std::size_t threads, std::size_t capacity);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    bool try_submit(std::function<void()> job);
    // Runs what is queued, then joins the threads.
    void shutdown();

    std::size_t queue_depth() const;
    std::size_t busy() const { return busy_.load(std::memory_order_relaxed); }
    std::size_t threads() const { return threads_.size(); }
    std::size_t capacity() const { return capacity_; }

private:
    void run();

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::atomic<std::size_t> busy_{0};
    std::vector<std::thread> threads_;
};

}  // namespace uslugi::http
