#include "eventrecorder.h"

namespace slipway::test {

void EventRecorder::post(Event event)
{
    const QMutexLocker lock(&m_mutex);
    m_events.append(event);
    if (onEvent)
        onEvent(event);
}

QList<Event> EventRecorder::events() const
{
    const QMutexLocker lock(&m_mutex);
    return m_events;
}

QStringList EventRecorder::logLines() const
{
    QStringList lines;
    for (const LogEvent &log : eventsOf<LogEvent>())
        lines.append(log.text);
    return lines;
}

} // namespace slipway::test
