#include "models/eventpump.h"

#include "models/layermodel.h"
#include "models/logmodel.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QThread>

#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

// What one batch leaves behind: the producers' strings and the lists that held them.
struct Garbage
{
    QList<slipway::Event> events;
    QList<slipway::LogEvent> lines;
    QList<slipway::LayerEvent> layers;
    QList<slipway::FetchEvent> fetches;
    QList<slipway::BlobEvent> blobs;
    QList<slipway::TargetEvent> targets;

    static Garbage of(QList<slipway::Event> &&events)
    {
        Garbage garbage;
        garbage.events = std::move(events);
        return garbage;
    }
};

} // namespace

// Frees what the producers allocated, on a thread of its own. glibc's free() takes the lock of
// the arena that allocated the block, that is of the producer's thread: the GUI thread freeing a
// batch of log lines waited for a niced worker that held its arena's lock and had been preempted
// (perf on the GUI benchmark: 41 sleeps in free() in 5 s of the flood, stalls of 10 to 25 ms).
// This thread may wait for them instead; the GUI thread only hands the garbage over.
class EventPump::Disposer
{
public:
    Disposer()
        : m_thread([this](std::stop_token stop) { run(stop); })
    {}

    void dispose(Garbage garbage)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_bin.push_back(std::move(garbage));
        }
        m_wake.notify_one();
    }

private:
    void run(std::stop_token stop)
    {
        std::unique_lock lock(m_mutex);
        while (m_wake.wait(lock, stop, [this] { return !m_bin.empty(); })) {
            std::vector<Garbage> bin = std::exchange(m_bin, {});
            lock.unlock();
            bin.clear();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::vector<Garbage> m_bin;
    std::jthread m_thread; // last: stopped and joined before the rest goes
};

EventPump::EventPump(QObject *parent)
    : EventPump(nullptr, parent)
{}

EventPump::EventPump(slipway::EventQueue *queue, QObject *parent)
    : QObject(parent)
    , m_ownQueue(queue ? nullptr : std::make_unique<slipway::EventQueue>())
    , m_queue(queue ? queue : m_ownQueue.get())
    , m_disposer(std::make_unique<Disposer>())
{
    m_timer.setInterval(DefaultInterval);
    connect(&m_timer, &QTimer::timeout, this, &EventPump::pump);
    m_timer.start();
    m_continue.setSingleShot(true);
    m_continue.setInterval(0);
    connect(&m_continue, &QTimer::timeout, this, &EventPump::pump);
}

EventPump::~EventPump() = default;

void EventPump::start()
{
    m_timer.start();
    if (pending() > 0)
        m_continue.start();
}

void EventPump::stop()
{
    m_timer.stop();
    m_continue.stop();
}

int EventPump::pump()
{
    return pumpFor(m_sliceBudget, false);
}

int EventPump::flush()
{
    // An hour stands for "no limit" without overflowing the deadline's nanoseconds.
    return pumpFor(std::chrono::hours(1), true);
}

int EventPump::pumpFor(std::chrono::microseconds budget, bool waitForWorkers)
{
    Q_ASSERT(QThread::currentThread() == thread());
    QList<slipway::Event> drained;
    bool busy = false;
    if (waitForWorkers)
        drained = m_queue->drain();
    else
        busy = !m_queue->tryDrain(drained); // tried again on the next event-loop turn, below
    if (pending() == 0) {
        if (!m_pending.isEmpty())
            m_disposer->dispose(Garbage::of(std::exchange(m_pending, std::move(drained))));
        else
            m_pending = std::move(drained);
        m_next = 0;
    } else if (!drained.isEmpty()) {
        // Behind a backlog: after it, in order.
        m_pending.append(std::move(drained)); // moves the events; the husks and the list go below
        m_disposer->dispose(Garbage::of(std::move(drained)));
    }

    const QDeadlineTimer deadline(std::chrono::duration_cast<std::chrono::nanoseconds>(budget));
    int dispatched = 0;
    do {
        if (pending() == 0)
            break;
        const qsizetype end = std::min(m_pending.size(), m_next + MaxBatchEvents);
        dispatched += int(end - m_next);
        dispatch(end);
    } while (!deadline.hasExpired());

    if (pending() > 0 || busy)
        m_continue.start();
    return dispatched;
}

void EventPump::dispatch(qsizetype end)
{
    Garbage garbage;
    QList<slipway::LogEvent> &lines = garbage.lines;
    QList<slipway::LayerEvent> &layers = garbage.layers;
    QList<slipway::FetchEvent> &fetches = garbage.fetches;
    QList<slipway::BlobEvent> &blobs = garbage.blobs;
    QList<slipway::TargetEvent> &targets = garbage.targets;
    QList<slipway::StageEvent> stages;
    for (; m_next < end; ++m_next) {
        std::visit(
            [&](auto &&value) {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, slipway::LogEvent>)
                    lines.append(std::move(value));
                else if constexpr (std::is_same_v<T, slipway::LayerEvent>)
                    layers.append(std::move(value));
                else if constexpr (std::is_same_v<T, slipway::StageEvent>)
                    stages.append(value);
                else if constexpr (std::is_same_v<T, slipway::FetchEvent>)
                    fetches.append(std::move(value));
                else if constexpr (std::is_same_v<T, slipway::BlobEvent>)
                    blobs.append(std::move(value));
                else
                    targets.append(std::move(value));
            },
            m_pending[m_next]);
    }
    // One batch per model per slice, however many events arrived.
    if (m_logModel && !lines.isEmpty())
        m_logModel->appendBatch(lines);
    if (m_layerModel && !layers.isEmpty())
        m_layerModel->applyBatch(layers);
    for (const slipway::StageEvent &stage : stages)
        Q_EMIT stageChanged(int(stage.stage), int(stage.state), stage.elapsedMs);
    QHash<QString, qsizetype> lastOfSource;
    for (qsizetype i = 0; i < fetches.size(); ++i)
        lastOfSource.insert(fetches.at(i).source, i);
    for (qsizetype i = 0; i < fetches.size(); ++i) {
        const slipway::FetchEvent &fetch = fetches.at(i);
        if (lastOfSource.value(fetch.source) == i)
            Q_EMIT fetchProgress(fetch.source, fetch.receivedObjects, fetch.totalObjects,
                                 fetch.receivedBytes);
    }
    // Only the latest state of each blob and target in a batch is worth a signal.
    QHash<QString, qsizetype> lastOfBlob;
    for (qsizetype i = 0; i < blobs.size(); ++i)
        lastOfBlob.insert(blobs.at(i).digest, i);
    for (qsizetype i = 0; i < blobs.size(); ++i) {
        const slipway::BlobEvent &blob = blobs.at(i);
        if (lastOfBlob.value(blob.digest) == i)
            Q_EMIT blobProgress(blob.digest, int(blob.state), blob.bytesDone, blob.size);
    }
    for (const slipway::TargetEvent &target : targets) {
        Q_EMIT targetChanged(target.target, int(target.state), target.detail);
        if (target.imageBytesSent >= 0)
            Q_EMIT imageTransferred(target.target, target.imageBytesSent, target.imageBytes);
        if (!target.replicas.isEmpty()) {
            QVariantList replicas;
            for (const slipway::ReplicaState &replica : std::as_const(target.replicas))
                replicas.append(QVariantMap{{QStringLiteral("slot"), replica.slot},
                                            {QStringLiteral("node"), replica.node},
                                            {QStringLiteral("state"), replica.state},
                                            {QStringLiteral("release"), replica.release},
                                            {QStringLiteral("error"), replica.error}});
            Q_EMIT replicasChanged(target.target, replicas);
        }
    }
    m_disposer->dispose(std::move(garbage));
}
