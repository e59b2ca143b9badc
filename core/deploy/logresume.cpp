#include "deploy/logresume.h"

namespace slipway {
namespace {

QString keyOf(const LogStamp &stamp, int stream, const QString &text)
{
    return QString::number(stamp.seconds) + u'.' + QString::number(stamp.nanos) + u' ' +
           QString::number(stream) + u' ' + text;
}

} // namespace

LogStamp LogStamp::parse(const QString &text)
{
    LogStamp stamp;
    const qsizetype dot = text.indexOf(u'.');
    qsizetype end = dot;
    QString fraction;
    if (dot > 0) {
        end = dot + 1;
        while (end < text.size() && text.at(end).isDigit())
            ++end;
        fraction = text.mid(dot + 1, end - dot - 1);
    }
    const QString whole = dot > 0 ? text.left(dot) + text.mid(end) : text;
    const QDateTime time = QDateTime::fromString(whole, Qt::ISODate);
    if (!time.isValid())
        return stamp;
    stamp.seconds = time.toSecsSinceEpoch();
    stamp.nanos = fraction.left(9).leftJustified(9, u'0').toInt();
    stamp.time = time.addMSecs(stamp.nanos / 1000000).toUTC();
    return stamp;
}

void LogResume::add(const LogStamp &stamp, int stream, const QString &text)
{
    m_lines.push_back(Line{stamp, stream, text});
    while (m_lines.front().stamp.seconds < stamp.seconds - 1)
        m_lines.pop_front();
}

LogResume::Delivered::Delivered(const LogResume &recent)
{
    for (const Line &line : recent.m_lines) {
        ++m_count[keyOf(line.stamp, line.stream, line.text)];
        m_last = std::max(m_last, line.stamp);
    }
    if (!recent.m_lines.empty())
        m_first = recent.m_lines.front().stamp;
}

bool LogResume::Delivered::take(const LogStamp &stamp, int stream, const QString &text)
{
    if (stamp < m_first)
        return true;
    if (m_last < stamp)
        return false;
    const auto it = m_count.find(keyOf(stamp, stream, text));
    if (it == m_count.end() || it.value() == 0)
        return false;
    --it.value();
    return true;
}

} // namespace slipway
