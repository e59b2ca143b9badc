#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>

#include <deque>

namespace slipway {

// An engine's RFC 3339 time with all its digits ("2026-12-04T21:50:00.123456789Z", or with
// an offset): lines are told apart to the nanosecond, which QDateTime's milliseconds cannot.
// Podman 4.3 sends whole seconds ("2026-12-04T21:50:00Z").
struct LogStamp
{
    qint64 seconds = 0;
    int nanos = 0;
    QDateTime time; // to the millisecond, UTC; invalid when the line had no time

    auto operator<=>(const LogStamp &other) const
    {
        return std::pair(seconds, nanos) <=> std::pair(other.seconds, other.nanos);
    }
    bool operator==(const LogStamp &other) const { return seconds == other.seconds && nanos == other.nanos; }

    static LogStamp parse(const QString &text); // time invalid when text is no such time
};

// The lines delivered from one container in its last two seconds of stamps, so that its log
// stream, picked up again after it ended (a stop, a restart), repeats none and loses none.
// Neither the stamps nor the stream can be trusted to tell where the last one ended: Podman
// 4.3 stamps to the whole second, and its stream, when the container dies under it, can run on
// into the next life and skip a line there (about once in 40 restarts: "12, 14", then the
// stream ends). So the next stream starts a second before the last line, and a line it brings
// is passed over only when one like it (stamp, stream and text) was delivered: a line the
// stream before skipped comes late, not never.
class LogResume
{
    struct Line
    {
        LogStamp stamp;
        int stream = 0;
        QString text;
    };

public:
    void add(const LogStamp &stamp, int stream, const QString &text);
    void clear() { m_lines.clear(); }
    bool isEmpty() const { return m_lines.empty(); }
    // The second to ask the next stream from (isEmpty() false).
    qint64 since() const { return m_lines.front().stamp.seconds; }

    // What the next stream passes over: what came before the lines kept, and each of them once.
    class Delivered
    {
    public:
        explicit Delivered(const LogResume &recent);
        // True when the line was delivered before: pass over it.
        bool take(const LogStamp &stamp, int stream, const QString &text);

    private:
        LogStamp m_first;
        LogStamp m_last;
        QHash<QString, int> m_count;
    };

private:
    std::deque<Line> m_lines; // in the order delivered
};

} // namespace slipway
