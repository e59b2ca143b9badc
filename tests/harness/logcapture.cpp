#include "logcapture.h"

#include <QLoggingCategory>
#include <QMutex>

namespace slipway::test {
namespace {

QMutex mutex;
QStringList captured;
QtMessageHandler previous = nullptr;
LogCapture::Mode mode = LogCapture::Mode::Forward;
bool installed = false;
bool filtered = false;

void record(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    QtMessageHandler forward = nullptr;
    {
        const QMutexLocker lock(&mutex);
        captured += QString::fromLatin1(context.category ? context.category : "") + u' ' + message;
        if (mode == LogCapture::Mode::Forward)
            forward = previous;
    }
    if (forward)
        forward(type, context, message);
}

} // namespace

LogCapture::LogCapture(const QString &filterRules, Mode captureMode)
{
    {
        const QMutexLocker lock(&mutex);
        Q_ASSERT_X(!installed, "LogCapture", "one capture at a time");
        installed = true;
        captured.clear();
        mode = captureMode;
    }
    filtered = !filterRules.isEmpty();
    if (filtered)
        QLoggingCategory::setFilterRules(filterRules);
    previous = qInstallMessageHandler(record);
}

LogCapture::~LogCapture()
{
    qInstallMessageHandler(previous);
    if (filtered)
        QLoggingCategory::setFilterRules(QString());
    const QMutexLocker lock(&mutex);
    installed = false;
}

QStringList LogCapture::lines() const
{
    const QMutexLocker lock(&mutex);
    return captured;
}

void LogCapture::clear()
{
    const QMutexLocker lock(&mutex);
    captured.clear();
}

QStringList LogCapture::linesWith(const QString &needle) const
{
    const QMutexLocker lock(&mutex);
    QStringList found;
    for (const QString &line : std::as_const(captured))
        if (line.contains(needle))
            found += line;
    return found;
}

} // namespace slipway::test
