// The run-ended notification: only a run longer than the threshold that ends while the window is
// not active is announced; the tray message is shown only where a tray offers messages (never
// under the offscreen platform the tests use, where it is skipped with a debug line).

#include "controllers/runnotifier.h"

#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QWindow>

class TestRunNotifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void longRunInTheBackgroundIsAnnounced()
    {
        QWindow window; // never shown: not active
        RunNotifier notifier(&window, qint64(0));
        QSignalSpy announced(&notifier, &RunNotifier::longRunEnded);
        notifier.runStarted();
        const bool shown = notifier.runEnded(true, QStringLiteral("hello"), QStringLiteral("done"));
        QCOMPARE(announced.size(), 1);
        QCOMPARE(announced.constFirst().at(0).toString(), QStringLiteral("Slipway: done"));
        QVERIFY(announced.constFirst().at(1).toString().startsWith(QStringLiteral("hello after ")));
        QCOMPARE(shown, QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages());

        notifier.runStarted();
        notifier.runEnded(false, QStringLiteral("hello"), QStringLiteral("cancelled"));
        QCOMPARE(announced.size(), 2);
        QCOMPARE(announced.at(1).at(0).toString(), QStringLiteral("Slipway: cancelled"));
    }

    void shortRunsAndEndsWithoutAStartAreNot()
    {
        QWindow window;
        RunNotifier notifier(&window, RunNotifier::defaultLongRunMs);
        QSignalSpy announced(&notifier, &RunNotifier::longRunEnded);
        QVERIFY(!notifier.runEnded(true, QStringLiteral("hello"), QStringLiteral("done")));
        notifier.runStarted();
        QVERIFY(!notifier.runEnded(true, QStringLiteral("hello"), QStringLiteral("done"))); // well under 10 s
        QCOMPARE(announced.size(), 0);
    }
};

QTEST_MAIN(TestRunNotifier)
#include "tst_runnotifier.moc"
