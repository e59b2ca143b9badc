#include "event.h"

#include <QMutexLocker>

namespace slipway {

QString layerStateName(LayerState state)
{
    switch (state) {
    case LayerState::Queued:
        return QStringLiteral("queued");
    case LayerState::Building:
        return QStringLiteral("building");
    case LayerState::Cached:
        return QStringLiteral("cached");
    case LayerState::Done:
        return QStringLiteral("done");
    case LayerState::Failed:
        return QStringLiteral("failed");
    case LayerState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

void EventSink::log(LogLevel level, const QString &stage, const QString &text)
{
    post(LogEvent{QDateTime::currentDateTimeUtc(), level, stage, QString(), text});
}

void EventQueue::post(Event event)
{
    const QMutexLocker lock(&m_mutex);
    m_events.append(std::move(event));
}

QList<Event> EventQueue::drain()
{
    const QMutexLocker lock(&m_mutex);
    return std::exchange(m_events, {});
}

bool EventQueue::tryDrain(QList<Event> &events)
{
    if (!m_mutex.tryLock())
        return false;
    events = std::exchange(m_events, {});
    m_mutex.unlock();
    return true;
}

} // namespace slipway
