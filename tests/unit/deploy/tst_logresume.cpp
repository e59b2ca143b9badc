// How an app's log stream is picked up again after it ended: the engine's stamps (to the
// nanosecond from Docker, whole seconds from Podman 4.3) and which lines of the next stream
// were delivered already.

#include "deploy/logresume.h"

#include <QTest>

using namespace slipway;

namespace {

struct Line
{
    QString stamp;
    int stream;
    QString text;
};

// Delivers `before` as one stream did, then the lines of the next stream that were not
// delivered, in the order they come.
QStringList pickUp(const QList<Line> &before, const QList<Line> &next)
{
    LogResume recent;
    for (const Line &line : before)
        recent.add(LogStamp::parse(line.stamp), line.stream, line.text);
    LogResume::Delivered delivered(recent);
    QStringList passed;
    for (const Line &line : next)
        if (!delivered.take(LogStamp::parse(line.stamp), line.stream, line.text))
            passed.append(line.text);
    return passed;
}

} // namespace

class TestLogResume final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesEveryDigit()
    {
        const LogStamp nanos = LogStamp::parse(QStringLiteral("2026-12-04T21:50:00.123456789Z"));
        QVERIFY(nanos.time.isValid());
        QCOMPARE(nanos.nanos, 123456789);
        QCOMPARE(nanos.time, QDateTime(QDate(2026, 12, 4), QTime(21, 50, 0, 123), Qt::UTC));
        const LogStamp short_ = LogStamp::parse(QStringLiteral("2026-12-04T21:50:00.1Z"));
        QCOMPARE(short_.nanos, 100000000);
        QVERIFY(short_ < nanos);
        const LogStamp whole = LogStamp::parse(QStringLiteral("2026-12-04T21:50:00Z"));
        QCOMPARE(whole.seconds, nanos.seconds);
        QCOMPARE(whole.nanos, 0);
        const LogStamp offset = LogStamp::parse(QStringLiteral("2026-12-04T22:50:00.5+01:00"));
        QCOMPARE(offset.seconds, nanos.seconds);
        QCOMPARE(offset.time.timeSpec(), Qt::UTC);
        QVERIFY(!LogStamp::parse(QStringLiteral("started")).time.isValid());
    }

    // Docker: every line has a stamp of its own; the next stream (asked from a second before)
    // brings what was delivered again, and only the new lines pass.
    void nanosecondStampsPassOnlyTheNew()
    {
        const QStringList passed =
            pickUp({{QStringLiteral("2026-12-04T21:50:00.100Z"), 1, QStringLiteral("a")},
                    {QStringLiteral("2026-12-04T21:50:01.200Z"), 1, QStringLiteral("b")}},
                   {{QStringLiteral("2026-12-04T21:49:59.900Z"), 1, QStringLiteral("before")},
                    {QStringLiteral("2026-12-04T21:50:00.100Z"), 1, QStringLiteral("a")},
                    {QStringLiteral("2026-12-04T21:50:01.200Z"), 1, QStringLiteral("b")},
                    {QStringLiteral("2026-12-04T21:50:01.300Z"), 2, QStringLiteral("started")},
                    {QStringLiteral("2026-12-04T21:50:01.400Z"), 1, QStringLiteral("c")}});
        QCOMPARE(passed, (QStringList{QStringLiteral("started"), QStringLiteral("c")}));
    }

    // Podman 4.3: whole seconds, the same text twice in one second, and a stream that skipped
    // a line ("13") before it ended: the next stream brings it, late, and repeats nothing.
    void wholeSecondsAndASkippedLine()
    {
        const QString s = QStringLiteral("2026-12-04T21:50:16Z");
        const QStringList passed =
            pickUp({{s, 1, QStringLiteral("ok")},
                    {s, 1, QStringLiteral("line 11")},
                    {s, 2, QStringLiteral("started")},
                    {s, 1, QStringLiteral("line 12")},
                    {s, 1, QStringLiteral("line 14")}},
                   {{s, 1, QStringLiteral("ok")},
                    {s, 1, QStringLiteral("line 11")},
                    {s, 2, QStringLiteral("started")},
                    {s, 1, QStringLiteral("line 12")},
                    {s, 1, QStringLiteral("line 13")},
                    {s, 1, QStringLiteral("line 14")},
                    {s, 1, QStringLiteral("ok")},
                    {QStringLiteral("2026-12-04T21:50:17Z"), 1, QStringLiteral("line 15")}});
        QCOMPARE(passed,
                 (QStringList{QStringLiteral("line 13"), QStringLiteral("ok"), QStringLiteral("line 15")}));
    }

    // The same text on the other stream is another line.
    void streamsAreApart()
    {
        const QString s = QStringLiteral("2026-12-04T21:50:16Z");
        const QStringList passed =
            pickUp({{s, 1, QStringLiteral("x")}}, {{s, 1, QStringLiteral("x")}, {s, 2, QStringLiteral("x")}});
        QCOMPARE(passed, QStringList{QStringLiteral("x")});
    }

    // Two seconds of stamps are kept: the next stream starts a second before the last line.
    void keepsTheLastTwoSeconds()
    {
        LogResume recent;
        QVERIFY(recent.isEmpty());
        for (int second = 0; second < 5; ++second)
            for (int i = 0; i < 3; ++i)
                recent.add(LogStamp::parse(QStringLiteral("2026-12-04T21:50:0%1.%2Z").arg(second).arg(i)), 1,
                           QStringLiteral("line %1.%2").arg(second).arg(i));
        QCOMPARE(recent.since(), LogStamp::parse(QStringLiteral("2026-12-04T21:50:03Z")).seconds);
        LogResume::Delivered delivered(recent);
        // Before the kept lines: delivered long ago.
        QVERIFY(delivered.take(LogStamp::parse(QStringLiteral("2026-12-04T21:50:02.9Z")), 1,
                               QStringLiteral("?")));
        QVERIFY(delivered.take(LogStamp::parse(QStringLiteral("2026-12-04T21:50:03.0Z")), 1,
                               QStringLiteral("line 3.0")));
        QVERIFY(!delivered.take(LogStamp::parse(QStringLiteral("2026-12-04T21:50:03.0Z")), 1,
                                QStringLiteral("line 3.0")));
        QVERIFY(!delivered.take(LogStamp::parse(QStringLiteral("2026-12-04T21:50:04.2Z")), 1,
                                QStringLiteral("new")));
        QVERIFY(!delivered.take(LogStamp::parse(QStringLiteral("2026-12-04T21:50:05Z")), 1,
                                QStringLiteral("line 4.2")));
        recent.clear();
        QVERIFY(recent.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLogResume)
#include "tst_logresume.moc"
