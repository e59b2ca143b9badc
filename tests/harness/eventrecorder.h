#pragma once

#include "events/event.h"

#include <QList>
#include <QRecursiveMutex>
#include <QStringList>

#include <functional>
#include <variant>

namespace slipway::test {

// An EventSink for tests: keeps every event posted, from any thread, in order. onEvent, when set,
// runs on the posting thread after the event is kept, one call at a time (it may read events()).
class EventRecorder final : public EventSink
{
public:
    std::function<void(const Event &)> onEvent;

    void post(Event event) override;

    QList<Event> events() const;
    // The events of one kind, e.g. eventsOf<TargetEvent>().
    template<typename T>
    QList<T> eventsOf() const
    {
        QList<T> found;
        const QMutexLocker lock(&m_mutex);
        for (const Event &event : m_events)
            if (const auto *typed = std::get_if<T>(&event))
                found.append(*typed);
        return found;
    }
    // The text of each LogEvent.
    QStringList logLines() const;

private:
    mutable QRecursiveMutex m_mutex;
    QList<Event> m_events;
};

} // namespace slipway::test
