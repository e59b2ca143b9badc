#include "event.h"

#include <QMutexLocker>

namespace slipway {

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
