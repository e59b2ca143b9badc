// The run-ended notification: only a run longer than the threshold that ends while the window is
// not active is announced, through the freedesktop notification service on the session bus. The
// test re-runs itself on a D-Bus session of its own (runUnderKeyring) and starts a real
// notification server there, dunst (on an Xvfb display, printing each notification it shows):
// what it shows is the proof. Without a service the call fails, and the tray is tried (never
// shown under the offscreen platform the tests use).

#include "keyringsession.h"

#include "controllers/runnotifier.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QWindow>

#include <memory>

namespace {

constexpr char modeVariable[] = "SLIPWAY_NOTIFY_TEST_SESSION";

} // namespace

class TestRunNotifier final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QProcess> m_display;
    std::unique_ptr<QProcess> m_dunst;
    QByteArray m_shown; // what dunst printed

    static bool serviceAnswers()
    {
        return QDBusConnection::sessionBus().interface()->isServiceRegistered(
            QStringLiteral("org.freedesktop.Notifications"));
    }

    // Xvfb on a free display, and dunst on it owning org.freedesktop.Notifications.
    bool startNotificationServer(QString *error)
    {
        int display = 90 + int(QCoreApplication::applicationPid() % 400);
        while (QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(display)) ||
               QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(display)))
            ++display;
        m_display = std::make_unique<QProcess>();
        m_display->start(QStringLiteral("Xvfb"), {QStringLiteral(":%1").arg(display),
                                                  QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        if (!m_display->waitForStarted() ||
            !QTest::qWaitFor([&] { return QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(display)); },
                             10000)) {
            *error = QStringLiteral("Xvfb did not start (apt-get install xvfb)");
            return false;
        }
        m_dunst = std::make_unique<QProcess>();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DISPLAY"), QStringLiteral(":%1").arg(display));
        m_dunst->setProcessEnvironment(environment);
        // No configuration of the user's: dunst's defaults.
        m_dunst->start(QStringLiteral("dunst"),
                       {QStringLiteral("-print"), QStringLiteral("-conf"), QStringLiteral("/dev/null")});
        connect(m_dunst.get(), &QProcess::readyReadStandardOutput, this,
                [this] { m_shown += m_dunst->readAllStandardOutput(); });
        if (!m_dunst->waitForStarted() || !QTest::qWaitFor(serviceAnswers, 10000)) {
            *error =
                QStringLiteral("dunst did not take org.freedesktop.Notifications (apt-get install dunst): ") +
                QString::fromUtf8(m_dunst->readAllStandardError());
            return false;
        }
        return true;
    }

private Q_SLOTS:
    void cleanupTestCase()
    {
        for (QProcess *process : {m_dunst.get(), m_display.get()})
            if (process) {
                process->terminate();
                process->waitForFinished(5000);
            }
    }

    // First, with nothing on the bus to take it: the call fails and the tray is tried.
    void withoutAServiceTheTrayIsTried()
    {
        QVERIFY(QDBusConnection::sessionBus().isConnected());
        QVERIFY(!serviceAnswers());
        QWindow window; // never shown: not active
        RunNotifier notifier(&window, qint64(0));
        QSignalSpy failed(&notifier, &RunNotifier::desktopNotifyFailed);
        notifier.runStarted();
        QVERIFY(notifier.runEnded(true, QStringLiteral("hello"), QStringLiteral("done")));
        QVERIFY(failed.wait(30000));
        QVERIFY(!failed.constFirst().constFirst().toString().isEmpty());
    }

    void longRunInTheBackgroundIsShownByTheService()
    {
        QString error;
        QVERIFY2(startNotificationServer(&error), qPrintable(error));
        QWindow window;
        RunNotifier notifier(&window, qint64(0));
        QSignalSpy announced(&notifier, &RunNotifier::longRunEnded);
        QSignalSpy notified(&notifier, &RunNotifier::desktopNotified);
        notifier.runStarted();
        QVERIFY(notifier.runEnded(true, QStringLiteral("hello"), QStringLiteral("done")));
        QCOMPARE(announced.size(), 1);
        QCOMPARE(announced.constFirst().at(0).toString(), QStringLiteral("Slipway: done"));
        QVERIFY(notified.wait(10000));
        const uint first = notified.constFirst().constFirst().toUInt();
        QVERIFY(first > 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_shown.contains("summary: 'Slipway: done'"), 10000);
        QVERIFY2(m_shown.contains("body: 'hello after 0 s'"), m_shown.constData());
        QVERIFY2(m_shown.contains("appname: 'Slipway'"), m_shown.constData());
        QVERIFY2(m_shown.contains("urgency: NORMAL"), m_shown.constData());
        QVERIFY2(m_shown.contains("\"default\": \"Show\""), m_shown.constData());

        // A failed run is critical, and replaces the notification before it.
        m_shown.clear();
        notifier.runStarted();
        QVERIFY(notifier.runEnded(false, QStringLiteral("hello"), QStringLiteral("cancelled")));
        QVERIFY(notified.wait(10000));
        QCOMPARE(notified.at(1).constFirst().toUInt(), first);
        QTRY_VERIFY_WITH_TIMEOUT(m_shown.contains("summary: 'Slipway: cancelled'"), 10000);
        QVERIFY2(m_shown.contains("urgency: CRITICAL"), m_shown.constData());
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

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty(modeVariable))
        return slipway::test::runUnderKeyring(argc, argv, modeVariable);
    QApplication app(argc, argv);
    TestRunNotifier test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_runnotifier.moc"
