#include "models/eventpump.h"

#include "models/layermodel.h"
#include "models/logmodel.h"

#include <QHash>
#include <QThread>

#include <type_traits>

EventPump::EventPump(QObject *parent)
    : EventPump(nullptr, parent)
{}

EventPump::EventPump(slipway::EventQueue *queue, QObject *parent)
    : QObject(parent)
    , m_ownQueue(queue ? nullptr : std::make_unique<slipway::EventQueue>())
    , m_queue(queue ? queue : m_ownQueue.get())
{
    m_timer.setInterval(DefaultInterval);
    connect(&m_timer, &QTimer::timeout, this, &EventPump::pump);
    m_timer.start();
}

EventPump::~EventPump() = default;

void EventPump::start()
{
    m_timer.start();
}

void EventPump::stop()
{
    m_timer.stop();
}

int EventPump::pump()
{
    Q_ASSERT(QThread::currentThread() == thread());
    QList<slipway::Event> events = m_queue->drain();
    if (events.isEmpty())
        return 0;

    QList<slipway::LogEvent> lines;
    QList<slipway::LayerEvent> layers;
    QList<slipway::StageEvent> stages;
    QList<slipway::FetchEvent> fetches;
    QList<slipway::BlobEvent> blobs;
    QList<slipway::TargetEvent> targets;
    for (slipway::Event &event : events) {
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
            event);
    }
    // One batch per model per tick, however many events arrived.
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
    for (const slipway::TargetEvent &target : targets)
        Q_EMIT targetChanged(target.target, int(target.state), target.detail);
    return int(events.size());
}
